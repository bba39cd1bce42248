"""An app's revisions as its changes make them: deploying a template, moving traffic as the revisions
mode says, and the host names the app answers on.

In single mode a new revision takes the traffic only once its replicas are ready, then the old one
is deactivated; a revision that never gets ready leaves traffic where it was.
"""

import json
import time

from knack.log import get_logger

from azlocal.aca import revision_events as events
from azlocal.aca import revisions
from azlocal.aca.appstore import environment_of, save
from azlocal.core import settings
from azlocal.core.errors import AzLocalError

# Gateways cache routes briefly: wait this long after moving traffic before stopping old replicas.
DRAIN_SECONDS = 2.0

logger = get_logger(__name__)


def _new_revision(app, template, domain):
    suffix = template.get("revisionSuffix") or revisions.new_suffix(app)
    name = f"{app['name']}--{suffix}"
    if revisions.get(app, name) is not None:
        raise AzLocalError(f"(WebhookInvalidParameterValue) The following field(s) are either invalid or missing. "
                           f"Invalid value: \"{suffix}\": revision with suffix {suffix} already exists.: "
                           "template.revisionsuffix.")
    revision = revisions.document(app, name, template, True, domain)
    app["properties"]["template"] = json.loads(json.dumps(template))
    app["properties"]["latestRevisionName"] = name
    app["properties"]["latestRevisionFqdn"] = f"{name}.{domain}"
    save(app, revision)
    return revision


def _failed(app, revision, previous_ready, first):
    name = revision["name"]
    revisions.stop_replicas(app["id"], name)
    revision["properties"].update(provisioningState="Failed", active=False,
                                  provisioningError="The revision's replicas did not become ready.")
    save(revision)
    events.revision_failed(app, name, "its replicas did not become ready")
    if first:
        raise AzLocalError(f"(ContainerAppProvisioningFailed) The revision '{name}' did not become ready: its "
                           "containers did not start or did not answer on the target port.")
    logger.warning("The revision '%s' did not become ready; traffic stays on '%s'.", name, previous_ready)
    return revision


def deploy_revision(app, env_doc, template, first=False):
    """Makes a revision of `template`, starts it, and moves traffic to it as the mode says."""
    from azlocal.aca import cron_scaling

    cron_scaling.check_rules(template)
    revision = _new_revision(app, template, env_doc["properties"]["defaultDomain"])
    name = revision["name"]
    events.revision_creating(app, name)
    previous_ready = app["properties"].get("latestReadyRevisionName")
    try:
        revisions.start_replicas(app, revision, env_doc, revisions.replica_count(template))
    except BaseException as ex:
        events.revision_failed(app, name, ex)
        raise
    if not revisions.wait_ready(app, name, env_doc):
        return _failed(app, revision, previous_ready, first)
    revision["properties"]["provisioningState"] = "Provisioned"
    app["properties"]["latestReadyRevisionName"] = name
    single = app["properties"]["configuration"]["activeRevisionsMode"] == "Single"
    old = [r for r in revisions.all_revisions(app) if r["name"] != name and r["properties"]["active"]] if single \
        else []
    for r in old:
        r["properties"]["active"] = False
    save(revision, app, *old)
    events.revision_provisioned(app, name)
    if app["properties"]["configuration"].get("ingress"):
        events.traffic_set(app, {r: w for r, w in revisions.weights(app).items() if w})
    events.revisions_deactivating(app, [r["name"] for r in old])
    publish_names(app, env_doc)
    if old:
        time.sleep(DRAIN_SECONDS)  # requests already routed to the old replicas finish first
        for r in old:
            revisions.stop_replicas(app["id"], r["name"])
    return revision


def publish_names(app, env_doc):
    """The app's, its revisions' and its labels' host names, on loopback (external ingress only)."""
    from azlocal.platform import hosts, lifecycle

    ingress = app["properties"]["configuration"].get("ingress")
    if ingress and str(ingress.get("transport") or "").lower() == "tcp":
        lifecycle.ensure_running()  # a TCP app's listener is the daemon's, internal or external
    if not ingress or not ingress.get("external"):
        return
    lifecycle.ensure_running()
    domain = env_doc["properties"]["defaultDomain"]
    names = [ingress["fqdn"]] + [f"{r['name']}.{domain}" for r in revisions.all_revisions(app)]
    names += [f"{app['name']}---{t['label']}.{domain}" for t in ingress.get("traffic") or [] if t.get("label")]
    hosts.set_entries(add={n: settings.daemon_host() for n in names})
    from azlocal.platform.tls import ensure_ca

    ensure_ca()


def host_names(app, env_doc):
    domain = env_doc["properties"]["defaultDomain"] if env_doc else None
    if not domain:
        return []
    ingress = app["properties"]["configuration"].get("ingress") or {}
    names = [f"{app['name']}.{domain}", f"{app['name']}.internal.{domain}"]
    names += [f"{r['name']}.{domain}" for r in revisions.all_revisions(app)]
    names += [f"{app['name']}---{t['label']}.{domain}" for t in ingress.get("traffic") or [] if t.get("label")]
    names += [d["name"].lower() for d in ingress.get("customDomains") or [] if d.get("name")]
    return names


def save_configuration(app):
    """An application-scope change (no new revision): saved, and the host names published."""
    env_doc = environment_of(app)
    save(app)
    publish_names(app, env_doc)
