"""Finding a stored container group (an ARM 404 when there is none)."""

import hashlib

from azlocal.core import arm
from azlocal.core.lookups import not_found
from azlocal.platform.store import store
from azlocal.resources import groups

GROUP_TYPE = "Microsoft.ContainerInstance/containerGroups"


def _id(group, name):
    return arm.resource_id(group, GROUP_TYPE, name)


def _stored(resource_group, name):
    groups.get(resource_group)
    return store().require(_id(resource_group, name), not_found(GROUP_TYPE, name, resource_group))


def _short(rid):
    """A short stable key of a group's id (folder names)."""
    return hashlib.sha256(rid.lower().encode()).hexdigest()[:10]


def _secret_prefix(rid):
    """Keys `aci/<group key>/<resource key>/…`: a group delete finds them even without the row."""
    from azlocal.platform import secrets

    return secrets.resource_prefix("aci", rid)
