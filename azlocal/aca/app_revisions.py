"""`az containerapp revision`: an app's revisions, activated, deactivated, restarted and copied."""

import json
import time

from azlocal.aca import deploy, revisions
from azlocal.aca.appstore import environment_of, get, save
from azlocal.core.errors import AzLocalError, ValidationError


def app_of_revision(resource_group, name, revision):
    if not name:
        if revision == "latest" or "--" not in revision:
            raise ValidationError("Please provide a name for your containerapp. Cannot lookup name of containerapp "
                                  "without a full revision name.")
        name = revision.rsplit("--", 1)[0]
    app = get(resource_group, name)
    if revision == "latest":
        revision = app["properties"]["latestRevisionName"]
    rev = revisions.get(app, revision)
    if rev is None:
        raise AzLocalError(f"Revision '{revision}' is not a valid revision name.")
    return app, rev


def revision_list(resource_group, name, all_=False):
    app = get(resource_group, name)
    revs = [revisions.live(app, r) for r in revisions.all_revisions(app)]
    return revs if all_ else [r for r in revs if r["properties"]["active"]]


def revision_show(resource_group, name, revision):
    app, rev = app_of_revision(resource_group, name, revision)
    return revisions.live(app, rev)


def revision_activate(resource_group, name, revision):
    app, rev = app_of_revision(resource_group, name, revision)
    if rev["properties"]["active"]:
        return None
    env_doc = environment_of(app)
    revisions.start_replicas(app, rev, env_doc, revisions.replica_count(rev["properties"]["template"]))
    revisions.wait_ready(app, rev["name"], env_doc)
    rev["properties"]["active"] = True
    save(rev)
    return None


def revision_deactivate(resource_group, name, revision):
    app, rev = app_of_revision(resource_group, name, revision)
    rev["properties"]["active"] = False
    save(rev)
    time.sleep(deploy.DRAIN_SECONDS)
    revisions.stop_replicas(app["id"], rev["name"])
    return None


def revision_restart(resource_group, name, revision):
    """Recreates the revision's replicas, so they pick up the current secret values."""
    app, rev = app_of_revision(resource_group, name, revision)
    if not rev["properties"]["active"]:
        raise AzLocalError(f"Revision '{rev['name']}' is not active.")
    env_doc = environment_of(app)
    old = revisions.pod_heads(app["id"], rev["name"])
    old_replicas = {c.labels.get("azlocal.aca.replica") for c in old}
    revisions.start_replicas(app, rev, env_doc, revisions.replica_count(rev["properties"]["template"]))
    deadline = time.monotonic() + revisions.READY_TIMEOUT
    while time.monotonic() < deadline:
        fresh = [h for h in revisions.pod_heads(app["id"], rev["name"])
                 if h.labels.get("azlocal.aca.replica") not in old_replicas]
        if fresh and all(h.attrs["State"]["Status"] == "running" for h in fresh):
            break
        time.sleep(0.1)
    time.sleep(deploy.DRAIN_SECONDS / 2)
    for container in revisions.replicas(app["id"], rev["name"], include_stopped=True):
        if container.labels.get("azlocal.aca.replica") in old_replicas:
            container.remove(force=True)
    return None


def revision_set_mode(resource_group, name, mode):
    app = get(resource_group, name)
    app["properties"]["configuration"]["activeRevisionsMode"] = mode.capitalize()
    to_stop = []
    if mode.lower() == "single":
        latest = app["properties"].get("latestReadyRevisionName")
        for r in revisions.all_revisions(app):
            if r["name"] != latest and r["properties"]["active"]:
                r["properties"]["active"] = False
                to_stop.append(r)
        if app["properties"]["configuration"].get("ingress"):
            app["properties"]["configuration"]["ingress"]["traffic"] = [{"latestRevision": True, "weight": 100}]
    save(app, *to_stop)
    for r in to_stop:
        revisions.stop_replicas(app["id"], r["name"])
    return app["properties"]["configuration"]["activeRevisionsMode"]


def revision_copy(resource_group, name, from_revision=None, **changes):
    """A new revision of the app from `from_revision`'s template (the latest by default) with `changes`
    (update's keyword arguments) applied."""
    from azlocal.aca import containerapps

    app = get(resource_group, name or (from_revision or "").rsplit("--", 1)[0])
    if from_revision:
        _, rev = app_of_revision(resource_group, app["name"], from_revision)
        app["properties"]["template"] = json.loads(json.dumps(rev["properties"]["template"]))
        save(app)
    changes.setdefault("revision_suffix", None)
    if not changes["revision_suffix"]:
        changes["revision_suffix"] = revisions.new_suffix(app)
    return containerapps.update(resource_group, app["name"], **changes)
