"""`az containerapp replica`, `logs show`, `exec` and `browse`: an app's running replicas."""

import time
from datetime import datetime, timezone

from azlocal.aca import revisions
from azlocal.aca.appstore import get
from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ResourceNotFound
from azlocal.platform.engine import labels, objects


def replica_list(resource_group, name, revision=None):
    app = get(resource_group, name)
    return replica_documents(app, revision or app["properties"]["latestRevisionName"])


def replica_documents(app, revision_name):
    out = []
    for head in revisions.pod_heads(app["id"], revision_name):
        replica = head.labels.get(labels.ACA_REPLICA)
        containers = [c for c in revisions.replicas(app["id"], revision_name)
                      if c.labels.get(labels.ACA_REPLICA) == replica]
        out.append({
            "id": f"{revisions.revision_id(app, revision_name)}/replicas/{replica}",
            "name": replica,
            "properties": {
                "containers": [{
                    "containerId": f"docker://{c.id}",
                    "name": c.labels.get(labels.ACA_CONTAINER),
                    "ready": objects.is_running(c),
                    "restartCount": c.attrs.get("RestartCount", 0),
                    "runningState": "Running" if objects.is_running(c) else "Terminated",
                    "runningStateDetails": "",
                    "started": objects.is_running(c),
                } for c in containers],
                "createdTime": head.attrs.get("Created", "")[:19] + "+00:00",
                "initContainers": [],
                "runningState": "Running" if objects.is_running(head) else "NotRunning",
                "runningStateDetails": "",
            },
            "type": "Microsoft.App/containerApps/revisions/replicas",
        })
    return out


def replica_show(resource_group, name, replica, revision=None):
    for doc in replica_list(resource_group, name, revision):
        if doc["name"] == replica:
            return doc
    raise ResourceNotFound(f"The replica '{replica}' was not found.", code="ContainerAppReplicaNotFound")


def _container_of(app, revision=None, replica=None, container=None):
    revision = revision or app["properties"]["latestRevisionName"]
    found = revisions.replicas(app["id"], revision)
    if replica:
        found = [c for c in found if c.labels.get("azlocal.aca.replica") == replica]
    wanted = container or app["properties"]["template"]["containers"][0]["name"]
    found = [c for c in found if c.labels.get("azlocal.aca.container") == wanted]
    if not found:
        raise AzLocalError("Could not find a replica for this app")
    return found[0], revision


def _entry(text, stamp=None):
    return {"TimeStamp": stamp or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-1], "Log": text}


def _split(line):
    stamp, _, text = line.partition(" ")
    return _entry(text, stamp[:26])


def log_entries(resource_group, name, *, container=None, replica=None, revision=None, follow=False, tail=20,
                kind="console"):
    """The log lines `logs show` prints, as {TimeStamp, Log}; with `follow` it goes on until interrupted.
    The app and its replica are looked up before the first line."""
    app = get(resource_group, name)
    target, revision = _container_of(app, revision, replica, container)
    return _log_stream(target, revision, follow, tail, kind)


def _log_stream(target, revision, follow, tail, kind):
    replica = target.labels.get("azlocal.aca.replica")
    cname = target.labels.get("azlocal.aca.container")
    yield _entry(f"Connecting to the container '{cname}'...")
    yield _entry(f"Successfully Connected to container: '{cname}' [Revision: '{revision}', Replica: '{replica}']")
    if kind == "system":
        return
    for line in target.logs(tail=tail, timestamps=True).decode(errors="replace").splitlines():
        yield _split(line)
    if follow:
        for chunk in target.logs(stream=True, follow=True, since=int(time.time()), timestamps=True):
            for line in chunk.decode(errors="replace").splitlines():
                yield _split(line)


def command_words(command):
    return arm.split_words(command, "--command") if command else ["sh"]


def exec_command(resource_group, name, command="sh", *, container=None, replica=None, revision=None, tty=False,
                 on_start=None):
    """Runs `command` in a replica's container (interactive with `tty`); `on_start()` is called once
    the replica is found, just before."""
    import subprocess

    app = get(resource_group, name)
    target, _ = _container_of(app, revision, replica, container)
    if isinstance(command, str):
        command = [command]
    # `--command "sh -c 'ls /'"` is one value to split as a shell would; several values are the words.
    words = command_words(command[0]) if len(command) == 1 else list(command)
    if on_start:
        on_start()
    code = subprocess.call(["docker", "exec", *(["-it"] if tty else []), target.id, *words])
    if code != 0:
        raise AzLocalError(f"The command exited with status {code}.")


def browse(resource_group, name):
    """Opens the app's URL in a browser; returns the URL when no browser could open it."""
    app = get(resource_group, name)
    ingress = app["properties"]["configuration"].get("ingress")
    if not ingress or not ingress.get("external"):
        raise AzLocalError("Could not open in browser: no public URL for this app")
    import webbrowser

    url = f"https://{ingress['fqdn']}"
    return None if webbrowser.open(url) else url
