"""Every Docker object azlocal creates carries labels that say whose it is, and a name no other home shares.

azlocal.home     = the AZLOCAL_HOME it belongs to (two homes never touch each other's objects)
azlocal.group    = the resource group (lower-cased) it belongs to
azlocal.resource = the lower-cased ARM id of the resource it serves

Names: Docker names are global to the engine, so every name azlocal gives a container, network or
volume carries `name_hash(...)`, a short hash of the home *and* the resource; two homes with the same
group, environment and container names get different Docker names. Lookups never resolve a bare
name (the engine matches network names by prefix and by id, and allows duplicates): they list with
the home's label filter and match the name exactly. Sweeps always filter by the home's label.
"""

import hashlib

from azlocal.core import settings

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


def name_hash(*parts, length=10):
    """A short hash of this home and `parts` (lower-cased), for the names of Docker objects."""
    text = "\n".join([settings.label_value(), *(str(p).lower() for p in parts)])
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def home_filters(group=None, resource_id=None, **extra):
    """A `filters=` argument matching only this home's objects (and the group's / resource's, if given)."""
    wanted = [f"{HOME}={settings.label_value()}"]
    if group:
        wanted.append(f"{GROUP}={group.lower()}")
    if resource_id:
        wanted.append(f"{RESOURCE}={resource_id.lower()}")
    wanted += [f"{k}={v}" for k, v in extra.items()]
    return {"label": wanted}


def _filters(group=None):
    return home_filters(group=group)


def find_network(name=None, resource_id=None):
    """This home's network with exactly this name (and/or labelled with the resource), or None."""
    from azlocal.platform.engine.docker_client import client

    found = client().networks.list(names=[name] if name else None, filters=home_filters(resource_id=resource_id))
    found = [n for n in found if name is None or n.name == name]
    return found[0] if found else None


def remove_labelled(group=None):
    """Removes this home's containers, networks and volumes (only the group's, if given).
    Goes on past an object that cannot be removed (it may be gone already)."""
    from azlocal.platform.engine.docker_client import client

    docker = client()
    removed = 0
    for container in docker.containers.list(all=True, filters=_filters(group)):
        removed += _remove(lambda: container.remove(force=True, v=True))
    for network in docker.networks.list(filters=_filters(group)):
        removed += _remove(network.remove)
    for volume in docker.volumes.list(filters=_filters(group)):
        removed += _remove(lambda: volume.remove(force=True))
    return removed


def _remove(action):
    import docker.errors

    try:
        action()
        return 1
    except docker.errors.NotFound:
        return 0
    except docker.errors.APIError as ex:
        from knack.log import get_logger

        get_logger(__name__).warning("Could not remove a Docker object: %s", ex)
        return 0


def count_labelled(group=None):
    from azlocal.platform.engine.docker_client import client

    docker = client()
    f = _filters(group)
    return {
        "containers": len(docker.containers.list(all=True, filters=f)),
        "networks": len(docker.networks.list(filters=f)),
        "volumes": len(docker.volumes.list(filters=f)),
    }


# Service label keys (the keys are stored on existing containers: never change them).
ACI_ROLE = "azlocal.aci.role"
ACI_CONTAINER = "azlocal.aci.container"
ACA_REVISION = "azlocal.aca.revision"
ACA_REPLICA = "azlocal.aca.replica"
ACA_CONTAINER = "azlocal.aca.container"
ACA_INIT = "azlocal.aca.init"
ACA_GRACE = "azlocal.aca.grace"
ACR_RUN = "azlocal.acr.run"
