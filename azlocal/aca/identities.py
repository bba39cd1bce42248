"""Managed identities of container apps and jobs (`containerapp identity …`, `containerapp job identity
…`): the resource's `identity` block as Azure shows it — `type` ("None", "SystemAssigned",
"UserAssigned" or "SystemAssigned, UserAssigned"), the system-assigned identity's principal (made on first
assignment, kept until it is removed) and the local tenant, and per user-assigned identity, keyed by its
resource id (a bare name is an identity of the resource group, as az resolves it), that identity's own
clientId and principalId (azlocal.identity.principals). A user-assigned identity that does not exist is
refused as ARM refuses it, and nothing changes. Assigning and removing follow az's rules and errors.
`merge` builds the block for every path that assigns (flags, YAML, registry identities).
"""

from knack.log import get_logger

from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.lookups import not_found
from azlocal.identity import principals
from azlocal.platform.store import group_of, store
from azlocal.resources import groups

logger = get_logger(__name__)

RESTART_FOR_TOKENS = ("Replicas of '{name}' that started before it had a managed identity have no IDENTITY_ENDPOINT; "
                      "restart its revisions (az containerapp revision restart) for their code to get tokens.")
KINDS = {"app": ("Microsoft.App/containerApps", "containerapp"), "job": ("Microsoft.App/jobs", "containerapp job")}


class NotFound(AzLocalError):
    """az's own lookup error for a missing app or job (exit 3, without ARM's code)."""

    exit_code = 3


def _doc(kind, resource_group, name, *, az_lookup):
    resource_type, words = KINDS[kind]
    doc = None
    try:
        group = groups.get(resource_group)["name"]
        doc = store().get(arm.resource_id(group, resource_type, name))
    except AzLocalError:
        if not az_lookup:
            raise
    if doc is None:
        if az_lookup:
            raise NotFound(f"The {words} '{name}' does not exist")
        raise not_found(resource_type, name, resource_group)
    return doc


def user_identity_id(resource_group, identity):
    """A user-assigned identity's resource id: given as one, or a name in the resource group."""
    if identity.startswith("/"):
        if not principals.is_user_id(identity):
            raise ValidationError(f"Invalid user-assigned identity '{identity}': give its name or its resource ID "
                                  "(/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
                                  "<name>).")
        return identity.rstrip("/")
    return arm.resource_id(resource_group, "Microsoft.ManagedIdentity/userAssignedIdentities", identity)


def _type(system, users):
    return ", ".join(k for k, on in (("SystemAssigned", system), ("UserAssigned", bool(users))) if on) or "None"


def _normal(identity):
    """(system assigned?, {id: {clientId, principalId}}, principalId) of a stored identity block."""
    identity = identity or {}
    kind = str(identity.get("type") or "None")
    return "SystemAssigned" in kind, dict(identity.get("userAssignedIdentities") or {}), identity.get("principalId")


def block(system, users, principal=None):
    out = {"type": _type(system, users)}
    if system:
        out.update(principalId=principal or principals.new_system_principal(), tenantId=settings.TENANT_ID)
    if users:
        out["userAssignedIdentities"] = users
    return out


def show(kind, resource_group, name):
    doc = _doc(kind, resource_group, name, az_lookup=False)
    return doc.get("identity") or {"type": "None"}


def assign(kind, resource_group, name, system_assigned=False, user_assigned=None):
    doc = _doc(kind, resource_group, name, az_lookup=True)
    system, users, principal = _normal(doc.get("identity"))
    wanted = [user_identity_id(group_of(doc["id"]), u) for u in user_assigned or []]
    if system_assigned and system:
        logger.warning("System identity is already assigned to containerapp")
    for rid in wanted:
        current = next((u for u in users if u.lower() == rid.lower()), None)
        if current is not None:
            logger.warning("User identity %s is already assigned to containerapp", current)
        else:
            users[rid] = principals.user_entry(rid, doc["id"])
    return _save(kind, doc, block(system or bool(system_assigned), users, principal if system else None))


def merge(current, system_assigned=False, user_assigned=None, target=None):
    """The identity block `current` becomes with the system-assigned identity (when asked) and the user-assigned
    ones (resource ids; "[system]" is the system one) added: a new principal for a newly assigned system
    identity, each user-assigned identity's own ids. `target` is the resource's id, for the refusal's text."""
    system, users, principal = _normal(current)
    for ident in user_assigned or []:
        if ident.lower() == principals.SYSTEM:
            system_assigned = True
            continue
        if not principals.is_user_id(ident):
            raise ValidationError(f"Invalid user-assigned identity '{ident}': give its resource ID "
                                  "(/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
                                  "<name>).")
        if not any(k.lower() == ident.rstrip("/").lower() for k in users):
            users[ident.rstrip("/")] = principals.user_entry(ident, target)
    return block(system or bool(system_assigned), users, principal if system else None)


def remove(kind, resource_group, name, system_assigned=False, user_assigned=None):
    """`user_assigned`: None (leave them), [] (remove them all) or the identities to remove."""
    what = KINDS[kind][1]
    if user_assigned and len(set(user_assigned)) != len(user_assigned):
        logger.warning("At least one identity was passed twice.")
    doc = _doc(kind, resource_group, name, az_lookup=True)
    system, users, principal = _normal(doc.get("identity"))
    if not system and not users:
        raise ValidationError(f"The {what} {name} has no system or user assigned identities.")
    if system_assigned:
        if not system:
            raise ValidationError(f"The {what} {name} has no system assigned identities.")
        system = False
    if user_assigned is not None and not user_assigned:
        users = {}
    for given in dict.fromkeys(user_assigned or []):
        rid = user_identity_id(group_of(doc["id"]), given)
        current = next((u for u in users if u.lower() == rid.lower()), None)
        if current is None:
            raise ValidationError(f"The {what} does not have specified user identity '{given}' assigned, so it "
                                  "cannot be removed.")
        users.pop(current)
    return _save(kind, doc, block(system, users, principal))


def _save(kind, doc, identity):
    had_identity = _type(*_normal(doc.get("identity"))[:2]) != "None"
    doc["identity"] = identity
    now = arm.utc_now()
    if isinstance(doc.get("systemData"), dict):
        doc["systemData"].update(lastModifiedAt=now, lastModifiedBy=settings.USER_NAME, lastModifiedByType="User")
    s = store()
    with s.transaction():
        s.put(doc)
    if kind == "app" and identity["type"] != "None" and not had_identity:
        logger.warning(RESTART_FOR_TOKENS.format(name=doc["name"]))  # a job's executions each start anew
    return identity
