"""The managed-identity document of an ACR resource (a registry, a task), as Azure shows it: `type`, a
generated `principalId` and the local tenant for the system-assigned identity, a generated `clientId` and
`principalId` per user-assigned identity (keyed by its resource id). Nothing issues tokens for them yet."""

import re
import uuid

from azlocal.core import settings
from azlocal.core.errors import ValidationError

SYSTEM = "[system]"
_USER_ID = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.managedidentity/"
                      r"userassignedidentities/[^/]+$", re.IGNORECASE)


def type_of(system, users):
    """"SystemAssigned", "UserAssigned", both comma-separated, or None."""
    kinds = (["SystemAssigned"] if system else []) + (["UserAssigned"] if users else [])
    return ", ".join(kinds) or None


def check(identities):
    for identity in identities:
        if identity != SYSTEM and not _USER_ID.match(identity):
            raise ValidationError(f"The identity '{identity}' is not valid: use '[system]' for the system-assigned "
                                  "identity or the resource ID of a user-assigned identity (/subscriptions/<id>/"
                                  "resourceGroups/<group>/providers/Microsoft.ManagedIdentity/"
                                  "userAssignedIdentities/<name>).")


def build(identities, existing=None):
    """The identity document with `identities` ([] or None: the system-assigned one) added to `existing`."""
    identities = list(identities or [SYSTEM])
    check(identities)
    existing = existing or {}
    system = SYSTEM in identities or "SystemAssigned" in (existing.get("type") or "")
    users = dict(existing.get("userAssignedIdentities") or {})
    for identity in identities:
        if identity != SYSTEM and identity.lower() not in {u.lower() for u in users}:
            users[identity] = {"clientId": str(uuid.uuid4()), "principalId": str(uuid.uuid4())}
    principal = existing.get("principalId") if "SystemAssigned" in (existing.get("type") or "") else None
    return {"principalId": (principal or str(uuid.uuid4())) if system else None,
            "tenantId": settings.TENANT_ID if system else None, "type": type_of(system, users),
            "userAssignedIdentities": users or None}
