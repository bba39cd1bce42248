"""The managed-identity document of an ACR resource (a registry, a task), as Azure shows it: `type`, the
system-assigned identity's principal (made on first assignment, kept until removed) and the local tenant, and
per user-assigned identity (keyed by its resource id) that identity's own `clientId` and `principalId`
(azlocal.identity.principals). Assigning a user-assigned identity that does not exist is refused, as ARM's
identity operation refuses it, and nothing changes."""

from azlocal.core import settings
from azlocal.core.errors import ValidationError
from azlocal.identity import principals

SYSTEM = "[system]"
_USER_ID = principals.USER_ID


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


def build(identities, existing=None, target=None):
    """The identity document with `identities` ([] or None: the system-assigned one) added to `existing`.
    `target` (the resource's id) words the refusal of a user-assigned identity that does not exist."""
    identities = list(identities or [SYSTEM])
    check(identities)
    existing = existing or {}
    had_system = "SystemAssigned" in (existing.get("type") or "")
    system = SYSTEM in identities or had_system
    users = principals.user_entries([i for i in identities if i != SYSTEM], target,
                                    existing.get("userAssignedIdentities"))
    principal = existing.get("principalId") if had_system else None
    return {"principalId": (principal or principals.new_system_principal()) if system else None,
            "tenantId": settings.TENANT_ID if system else None, "type": type_of(system, users),
            "userAssignedIdentities": users or None}
