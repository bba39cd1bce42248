"""Finding a stored container group (an ARM 404 when there is none)."""

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
