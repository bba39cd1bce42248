"""A running container group's lifecycle (stop, start, restart) and its containers' logs, exec and attach."""

from azlocal.aci.definition import RESTART
from azlocal.aci.lookup import _stored
from azlocal.aci.runtime import _containers
from azlocal.aci.view import with_instance_view
from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.platform.engine import labels
from azlocal.platform.store import store


def stop(resource_group, name):
    doc = _stored(resource_group, name)
    for container in _containers(doc).values():
        container.update(restart_policy={"Name": "no"})
        container.stop(timeout=10)
    s = store()
    with s.transaction():
        s.set_value(f"aci-stopped/{doc['id'].lower()}", True)


def start(resource_group, name):
    doc = _stored(resource_group, name)
    policy = RESTART[doc["restartPolicy"]]
    for container in _containers(doc, "infra").values():
        container.start()
    for container in _containers(doc).values():
        if policy != "no":
            container.update(restart_policy={"Name": policy})
        container.start()
    s = store()
    with s.transaction():
        s.delete_value(f"aci-stopped/{doc['id'].lower()}")


def restart(resource_group, name):
    doc = _stored(resource_group, name)
    for container in _containers(doc).values():
        container.restart(timeout=10)
    s = store()
    with s.transaction():
        s.delete_value(f"aci-stopped/{doc['id'].lower()}")


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
    """Runs a command in a container: interactive with a terminal, otherwise output and status come back."""
    import os
    import subprocess
    import sys

    doc = _stored(resource_group, name)
    container = _one_container(doc, container_name)
    argv = arm.split_words(command, "--exec-command")
    if not argv:
        raise ValidationError("usage error: --exec-command must name a program")
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    flags = ["-it"] if tty else ["-i"] if not sys.stdin.isatty() and os.environ.get("AZLOCAL_EXEC_STDIN") else []
    code = subprocess.call(["docker", "exec", *flags, container.id, *argv])
    if code != 0:
        raise AzLocalError(f"The command exited with status {code}.") if code not in (126, 127) else AzLocalError(
            f"The command '{argv[0]}' could not be run in container '{container.labels.get(labels.ACI_CONTAINER)}'.")


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
