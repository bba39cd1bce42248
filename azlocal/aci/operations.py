"""A container group's lifecycle (stop, start, restart) and its containers' logs, exec and attach.

The states follow Microsoft's "Manually stop or start containers in Azure Container Instances":

    state before   stop                    start                         restart
    Running        Stopped (all containers  no effect (already running)   every container runs again
    Pending          and the pod stop)
    Succeeded      no effect (terminated)   a new run of every container  a new run of every container
    Failed         no effect (terminated)   a new run of every container  a new run of every container
    Stopped        no effect                a new run of every container  (ContainerGroupStopped), exit 1

`start` is a new deployment with the same configuration ("it doesn't preserve container state"): the
containers are created again (fresh file systems and emptyDir volumes, restart counts at 0), init
containers run first, and the restart policy is in force again. `restart` restarts the same containers
in place. The group keeps its address either way (Azure's may change: keeping it is one of the allowed
outcomes). Secret volumes are written again into memory before anything starts.
"""

from knack.log import get_logger

from azlocal.aci import volumes
from azlocal.aci.definition import RESTART
from azlocal.aci.lookup import _stored
from azlocal.aci.runtime import _containers, _wait_started, redeploy
from azlocal.aci.view import with_instance_view
from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.identity import endpoints, imds
from azlocal.platform.engine import labels
from azlocal.platform.store import store

logger = get_logger(__name__)
TERMINATED = ("Succeeded", "Failed")


def _state(doc):
    return (with_instance_view(doc).get("instanceView") or {}).get("state")


def _set_stopped(doc, stopped):
    s = store()
    with s.transaction():
        if stopped:
            s.set_value(f"aci-stopped/{doc['id'].lower()}", True)
        else:
            s.delete_value(f"aci-stopped/{doc['id'].lower()}")


def _stopped_error(doc):
    from azlocal.platform.store import group_of

    return AzLocalError(f"(ContainerGroupStopped) Container Group '{doc['name']}' in resource group "
                        f"'{group_of(doc['id'])}' is stopped.")


def stop(resource_group, name):
    """Stops every container and the pod (Stopped); a group that already terminated, or is stopped,
    keeps its state."""
    doc = _stored(resource_group, name)
    if _state(doc) in TERMINATED + ("Stopped",):
        return
    _set_stopped(doc, True)  # first: the state reads Stopped while the containers go down
    for role in ("app", "init", "infra"):
        for container in _containers(doc, role).values():
            if role == "app":
                container.update(restart_policy={"Name": "no"})
            container.stop(timeout=10)


def start(resource_group, name, wait=True):
    """A new run of a stopped or terminated group; a running (or starting) group is left as it is."""
    doc = _stored(resource_group, name)
    if _state(doc) not in TERMINATED + ("Stopped",):
        return
    volumes.check_stored(doc)  # before anything changes
    _run_again(doc, wait, fresh=True)


def restart(resource_group, name, wait=True):
    """Every container of a running or terminated group runs again; a stopped group is refused."""
    doc = _stored(resource_group, name)
    if _state(doc) == "Stopped":
        raise _stopped_error(doc)
    for container in _containers(doc).values():
        container.update(restart_policy={"Name": "no"})
        container.stop(timeout=10)
    _run_again(doc, wait, fresh=False)


def _run_again(doc, wait, fresh):
    """Runs every container again: a new deployment (`fresh`: new containers, nothing of the last run's
    state kept), or the same containers restarted in place."""
    volumes.restore_memory_files(doc)
    _reset_probe_restarts(doc)
    if fresh:
        redeploy(doc)
    for container in _containers(doc, "infra").values():
        if container.status != "running":
            container.start()
        imds.route(container, doc["name"], warn=endpoints.has_identity(doc))  # a new namespace: IMDS again
    for container in _containers(doc, "init").values():
        container.start()
        code = container.wait().get("StatusCode", 1)
        if code != 0:
            raise AzLocalError(f"(ContainerGroupDeploymentFailed) The init container "
                               f"'{container.labels.get(labels.ACI_CONTAINER)}' exited with code {code}.")
    policy = RESTART[doc["restartPolicy"]]
    pod = bool(_containers(doc, "infra"))
    for container in _containers(doc).values():
        container.update(restart_policy={"Name": policy})
        container.start()  # an explicit start also puts Docker's restart count back at 0
        if not pod:
            imds.route(container, doc["name"], warn=False)  # a single container owns its namespace
    _set_stopped(doc, False)
    if wait:
        _wait_started(doc)


def _reset_probe_restarts(doc):
    s = store()
    with s.transaction():
        for container in _containers(doc).values():
            s.delete_value(f"aci-probe-restarts/{container.id}")


def _one_container(doc, container_name):
    live = _containers(doc)
    if container_name is None:
        container_name = doc["containers"][0]["name"]
    if container_name not in live:
        raise ResourceNotFound(f"The container '{container_name}' does not exist in container group '{doc['name']}'.",
                               code="ContainerNotFound")
    return live[container_name]


def logs(resource_group, name, container_name=None, follow=False, *, out):
    """Writes a container's logs to `out` (following them with `follow`)."""
    doc = _stored(resource_group, name)
    container = _one_container(doc, container_name)
    if follow:
        for chunk in container.logs(stream=True, follow=True):
            out.write(chunk.decode(errors="replace"))
            out.flush()
        return
    out.write(container.logs().decode(errors="replace"))


def exec_command(resource_group, name, command, container_name=None):
    """Runs a command in a running container, as az's exec session does: with a terminal on stdin, an
    interactive terminal; otherwise stdin is forwarded as it comes and the output comes back. As with
    az, the command's own exit status is not reported (az exits 0 once the session has ended)."""
    import sys

    doc = _stored(resource_group, name)
    if container_name is None and len(doc["containers"]) > 1:
        raise AzLocalError("--container-name required when container group has more than one container.")
    argv = arm.split_words(command, "--exec-command")
    if not argv:
        raise ValidationError("usage error: --exec-command must name a program")
    container = _running_container(doc, container_name)
    if container is None:
        return
    if _isatty(sys.stdin):
        import subprocess

        subprocess.call(["docker", "exec", "-it", container.id, *argv])
        return
    _piped_exec(container, argv, sys.stdin, sys.stdout, sys.stderr)


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _running_container(doc, container_name):
    """The container to run a command in; None (with a warning) when the group's containers have finished:
    Azure opens the exec session for a Succeeded or Failed group and it ends at once (az exits 0; its
    own scenario test execs into a group whose command exited), while a group stopped by `az container
    stop` is refused."""
    state = _state(doc)
    if state == "Stopped":
        raise _stopped_error(doc)
    if state in TERMINATED:
        logger.warning("The containers of container group '%s' have terminated (%s): the command was not run.",
                       doc["name"], state)
        return None
    container = _one_container(doc, container_name)
    container.reload()
    if container.status != "running":
        raise AzLocalError(f"(ContainerNotRunning) The container '{container.labels.get(labels.ACI_CONTAINER)}' "
                           f"in container group '{doc['name']}' is not running.")
    return container


def _piped_exec(container, argv, stdin, stdout, stderr):
    """stdin -> the process (closed at EOF), its stdout and stderr -> ours, until the process ends (even
    when our stdin stays open, as az's session ends when the service closes it)."""
    import socket
    import threading

    api = container.client.api
    exec_id = api.exec_create(container.id, argv, stdin=True, stdout=True, stderr=True, tty=False)["Id"]
    sock = api.exec_start(exec_id, socket=True, tty=False)
    raw = getattr(sock, "_sock", sock)

    def pump():
        try:
            fd = stdin.fileno()
        except (AttributeError, ValueError, OSError):
            fd = None
        import os

        try:
            while fd is not None:
                data = os.read(fd, 65536)
                if not data:
                    break
                raw.sendall(data)
        except OSError:
            pass
        try:
            raw.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    threading.Thread(target=pump, daemon=True).start()
    outs = {1: _binary(stdout), 2: _binary(stderr)}
    for stream, data in _frames(raw):
        out = outs.get(stream, outs[1])
        out.write(data)
        out.flush()
    try:
        raw.close()
    except OSError:
        pass


def _binary(stream):
    return getattr(stream, "buffer", stream)


def _frames(raw):
    """Docker's multiplexed stream: an 8-byte header (stream, size), then the payload."""
    buffer = b""
    while True:
        try:
            chunk = raw.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:
            return
        buffer += chunk
        while len(buffer) >= 8:
            size = int.from_bytes(buffer[4:8], "big")
            if len(buffer) < 8 + size:
                break
            yield buffer[0], buffer[8:8 + size]
            buffer = buffer[8 + size:]


def attach(resource_group, name, container_name=None, *, out, report):
    """Streams a container's output (to `out`) and the group's state changes (to `report(text)`) until
    the group stops."""
    doc = _stored(resource_group, name)
    container = _one_container(doc, container_name)
    report(f"Container '{container.labels.get(labels.ACI_CONTAINER)}' is in state "
           f"'{with_instance_view(doc)['instanceView']['state']}'...")
    for chunk in container.logs(stream=True, follow=True):
        out.write(chunk.decode(errors="replace"))
        out.flush()
    report(f"Container group '{doc['name']}' is now in state "
           f"'{with_instance_view(doc)['instanceView']['state']}'.")
