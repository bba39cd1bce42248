"""Every Docker object azlocal creates carries labels that say whose it is.

azlocal.home  = the AZLOCAL_HOME it belongs to (two homes never touch each other's objects)
azlocal.group = the resource group (lower-cased) it belongs to
"""

from azlocal import settings

HOME = "azlocal.home"
GROUP = "azlocal.group"
RESOURCE = "azlocal.resource"


def labels_for(group=None, resource_id=None, **extra):
    labels = {HOME: settings.label_value()}
    if group:
        labels[GROUP] = group.lower()
    if resource_id:
        labels[RESOURCE] = resource_id.lower()
    labels.update(extra)
    return labels


def _filters(group=None):
    wanted = [f"{HOME}={settings.label_value()}"]
    if group:
        wanted.append(f"{GROUP}={group.lower()}")
    return {"label": wanted}


def remove_labelled(group=None):
    """Removes this home's containers, networks and volumes (only the group's, if given)."""
    from azlocal.engine.docker_client import client

    docker = client()
    removed = 0
    for container in docker.containers.list(all=True, filters=_filters(group)):
        container.remove(force=True, v=True)
        removed += 1
    for network in docker.networks.list(filters=_filters(group)):
        network.remove()
        removed += 1
    for volume in docker.volumes.list(filters=_filters(group)):
        volume.remove(force=True)
        removed += 1
    return removed


def count_labelled():
    from azlocal.engine.docker_client import client

    docker = client()
    f = _filters()
    return {
        "containers": len(docker.containers.list(all=True, filters=f)),
        "networks": len(docker.networks.list(filters=f)),
        "volumes": len(docker.volumes.list(filters=f)),
    }
