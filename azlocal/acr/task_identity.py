"""Managed identities of ACR tasks: `az acr task identity assign/remove/show` (and `task create
--assign-identity`), recorded as Azure shows them.

The task's `identity` is `{"principalId", "tenantId", "type", "userAssignedIdentities"}`: a system-assigned
identity gets a generated principal id and the local tenant; each user-assigned identity (by resource
id) a generated client and principal id. Nothing issues tokens for them yet (that waits for azlocal's
managed identities), so a warning says a run cannot authenticate with them; runs keep using the
registry's own credentials and the task's custom registry credentials.
"""

import re
import uuid

from knack.log import get_logger

from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform.store import store

logger = get_logger(__name__)
SYSTEM = "[system]"
ALL = "[all]"
_USER_ID = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.managedidentity/"
                      r"userassignedidentities/[^/]+$", re.IGNORECASE)


def _tasks():
    from azlocal.acr import tasks

    return tasks


def _type(system, users):
    kinds = (["SystemAssigned"] if system else []) + (["UserAssigned"] if users else [])
    return ", ".join(kinds) or None


def _check(identities):
    for identity in identities:
        if identity != SYSTEM and not _USER_ID.match(identity):
            raise ValidationError(f"The identity '{identity}' is not valid: use '[system]' for the system-assigned "
                                  "identity or the resource ID of a user-assigned identity (/subscriptions/<id>/"
                                  "resourceGroups/<group>/providers/Microsoft.ManagedIdentity/"
                                  "userAssignedIdentities/<name>).")


def build(identities, existing=None):
    """The identity document with `identities` ([] or None: the system-assigned one) added to `existing`."""
    identities = list(identities or [SYSTEM])
    _check(identities)
    existing = existing or {}
    system = SYSTEM in identities or "SystemAssigned" in (existing.get("type") or "")
    users = dict(existing.get("userAssignedIdentities") or {})
    for identity in identities:
        if identity != SYSTEM and identity.lower() not in {u.lower() for u in users}:
            users[identity] = {"clientId": str(uuid.uuid4()), "principalId": str(uuid.uuid4())}
    principal = existing.get("principalId") if "SystemAssigned" in (existing.get("type") or "") else None
    return {"principalId": (principal or str(uuid.uuid4())) if system else None,
            "tenantId": settings.TENANT_ID if system else None, "type": _type(system, users),
            "userAssignedIdentities": users or None}


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
    task["identity"] = build(identities, task.get("identity"))
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
        _check([i for i in identities if i != ALL])
        lowered = {i.lower() for i in identities}
        users = {k: v for k, v in users.items() if k.lower() not in lowered}
    if not system and not users:
        task["identity"] = None
    else:
        task["identity"] = {"principalId": current.get("principalId") if system else None,
                            "tenantId": settings.TENANT_ID if system else None, "type": _type(system, users),
                            "userAssignedIdentities": users or None}
    return _save(task)


def show(registry, task_name, resource_group=None):
    return _tasks().get(registry, task_name, resource_group).get("identity") or {}
