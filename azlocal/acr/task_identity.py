"""Managed identities of ACR tasks: `az acr task identity assign/remove/show` (and `task create
--assign-identity`), recorded as Azure shows them.

The task's `identity` is `{"principalId", "tenantId", "type", "userAssignedIdentities"}`: a system-assigned
identity gets a new principal id (kept until removed) and the local tenant; each user-assigned identity (by
resource id) shows that identity's own client and principal id, and one that does not exist is refused.
No token endpoint serves a task run offline, so a warning says a run cannot authenticate with them; runs keep
using the registry's own credentials and the task's custom registry credentials.
"""

from knack.log import get_logger

from azlocal.acr.identities import SYSTEM, build, check, type_of
from azlocal.core import settings
from azlocal.core.errors import AzLocalError
from azlocal.platform.store import store

logger = get_logger(__name__)
ALL = "[all]"


def _tasks():
    from azlocal.acr import tasks

    return tasks


def warn_no_token():
    logger.warning("The managed identity is recorded; no token is issued for it offline yet (azlocal has no "
                   "managed identities), so the task's runs cannot authenticate with it.")


def _save(task):
    s = store()
    with s.transaction():
        s.put(task)
    return task


def assign(registry, task_name, identities=None, resource_group=None):
    task = _tasks().get(registry, task_name, resource_group)
    task["identity"] = build(identities, task.get("identity"), target=task["id"])
    warn_no_token()
    return _save(task)


def remove(registry, task_name, identities=None, resource_group=None):
    if identities and ALL in identities and len(identities) > 1:
        raise AzLocalError("Cannot specify additional identities when [all] is used in [--identities]")
    task = _tasks().get(registry, task_name, resource_group)
    current = task.get("identity") or {}
    users = dict(current.get("userAssignedIdentities") or {})
    system = "SystemAssigned" in (current.get("type") or "")
    if identities and ALL in identities:
        users, system = {}, False
    elif not identities or SYSTEM in identities:
        system = False
    if identities:
        check([i for i in identities if i != ALL])
        lowered = {i.lower() for i in identities}
        users = {k: v for k, v in users.items() if k.lower() not in lowered}
    if not system and not users:
        task["identity"] = None
    else:
        task["identity"] = {"principalId": current.get("principalId") if system else None,
                            "tenantId": settings.TENANT_ID if system else None, "type": type_of(system, users),
                            "userAssignedIdentities": users or None}
    return _save(task)


def show(registry, task_name, resource_group=None):
    return _tasks().get(registry, task_name, resource_group).get("identity") or {}
