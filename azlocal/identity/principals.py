"""The principals of this home's managed identities, for every service that assigns one or takes a token for one.

A user-assigned identity is an ARM resource (`Microsoft.ManagedIdentity/userAssignedIdentities`) whose
`principalId` and `clientId` are fixed when it is created; a resource it is assigned to shows those ids under
`identity.userAssignedIdentities[<id>]` (`user_entry`). A system-assigned identity lives in the resource's own
`identity` block: a principal made on first assignment (`new_system_principal`) and kept until removed; its
client id is derived from the principal (`system_client_id`), so a token names the same app every time.

`select` answers which identity of a resource a token request means; `find_principal` finds who a principal
or client id is (a user-assigned identity, a system-assigned identity of any resource in the store, or the
signed-in user), for role assignments and token checks.
"""

import re
import uuid

from azlocal.core import settings
from azlocal.core.errors import AzLocalError
from azlocal.core.lookups import not_found
from azlocal.platform.store import store

TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
SYSTEM = "[system]"
USER_ID = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<group>[^/]+)/providers/"
                     r"microsoft\.managedidentity/userassignedidentities/(?P<name>[^/]+)$", re.IGNORECASE)
# The namespace of the client ids derived from system-assigned principals (stable across homes and runs).
_SYSTEM_CLIENTS = uuid.UUID("6f1c3b0e-6a7d-4e0b-9c55-a2c1a0c1a1ca")


class IdentityNotFound(AzLocalError):
    """A user-assigned identity named in an assignment that does not exist: the resource provider refuses the
    assignment (exit 1), as ARM's identity operation does."""


def is_user_id(text):
    return bool(USER_ID.match((text or "").rstrip("/")))


def parse(resource_id):
    """(subscription, group, name) of a user-assigned identity's id; ValueError when it is not one."""
    match = USER_ID.match((resource_id or "").rstrip("/"))
    if not match:
        raise ValueError(f"'{resource_id}' is not the resource ID of a user-assigned identity.")
    return match["sub"], match["group"], match["name"]


def identity_id(group, name):
    """The id Azure gives a user-assigned identity (its provider writes `resourcegroups` in lower case)."""
    return f"/subscriptions/{settings.SUBSCRIPTION_ID}/resourcegroups/{group}/providers/{TYPE}/{name}"


def _get(resource_id):
    try:
        parse(resource_id)
    except ValueError:
        return None
    return store().get(resource_id.rstrip("/"))


def user_identity(resource_id):
    """The stored document of a user-assigned identity (the id compared case-insensitively); ARM's not-found
    error (exit 3) when there is none."""
    doc = _get(resource_id)
    if doc is None:
        try:
            _, group, name = parse(resource_id)
        except ValueError as ex:
            raise AzLocalError(str(ex)) from None
        raise not_found(TYPE, name, group)
    return doc


def user_entry(resource_id, target=None):
    """What a resource's `identity.userAssignedIdentities[<id>]` shows for this identity: its own clientId and
    principalId. `target` (the id of the resource it is being assigned to) words the refusal when it is missing."""
    doc = _get(resource_id)
    if doc is None:
        raise IdentityNotFound(missing_text(resource_id, target))
    return {"clientId": doc["clientId"], "principalId": doc["principalId"]}


def missing_text(resource_id, target=None):
    """ARM's refusal of an identity operation naming a user-assigned identity that does not exist (the resource
    it was for named when known)."""
    inner = f"Resource '{resource_id}' does not exist or one of its ancestor resources does not exist."
    what = f" for resource '{target}'" if target else ""
    return (f"(FailedIdentityOperation) Identity operation{what} failed with error 'Failed to perform resource "
            f"identity operation. Status: 'NotFound'. Response: "
            f"'{{\"error\":{{\"code\":\"NotFound\",\"message\":\"{inner}\"}}}}'.'.")


def user_entries(resource_ids, target=None, existing=None):
    """{id: entry} for every identity (existing entries kept under their own key); refuses the first missing one."""
    out = dict(existing or {})
    for rid in resource_ids:
        if any(k.lower() == rid.lower() for k in out):
            continue
        out[rid] = user_entry(rid, target)
    return out


def new_system_principal():
    return str(uuid.uuid4())


def system_client_id(principal_id):
    """The client (application) id of a system-assigned identity, derived from its principal id."""
    return str(uuid.uuid5(_SYSTEM_CLIENTS, principal_id.lower()))


def _users(block):
    return dict((block or {}).get("userAssignedIdentities") or {})


def _has_system(block):
    return "systemassigned" in str((block or {}).get("type") or "").replace(" ", "").lower() and \
        bool((block or {}).get("principalId"))


def select(identity_block, client_id=None, object_id=None, mi_res_id=None, require_existing=False):
    """(principal_id, client_id, identity_resource_id or None) of the identity a token request means. No
    selector: the system-assigned identity, else the only user-assigned one. `client_id`, `object_id`
    (principal id) or `mi_res_id` (resource id) select one; a selector naming none of them -> LookupError.
    With `require_existing`, a user-assigned identity deleted since it was assigned (its entry stays on the
    resource, as in Azure) is LookupError too: no token is issued for it."""
    chosen = _select(identity_block, client_id, object_id, mi_res_id)
    if require_existing and chosen[2] and _get(chosen[2]) is None:
        raise LookupError("Identity not found")
    return chosen


def _select(identity_block, client_id, object_id, mi_res_id):
    users = _users(identity_block)
    system = _has_system(identity_block)
    if not (client_id or object_id or mi_res_id):
        if system:
            principal = identity_block["principalId"]
            return principal, system_client_id(principal), None
        if len(users) == 1:
            rid, entry = next(iter(users.items()))
            return entry.get("principalId"), entry.get("clientId"), rid
        raise LookupError("No managed identity is assigned to this resource." if not users else
                          "Several user-assigned identities are assigned and none is selected "
                          "(give client_id, object_id or mi_res_id).")
    for rid, entry in users.items():
        if (client_id and str(entry.get("clientId", "")).lower() == client_id.lower()) or \
                (object_id and str(entry.get("principalId", "")).lower() == object_id.lower()) or \
                (mi_res_id and rid.lower() == mi_res_id.rstrip("/").lower()):
            return entry.get("principalId"), entry.get("clientId"), rid
    if system:
        principal = identity_block["principalId"]
        if (client_id and client_id.lower() == system_client_id(principal)) or \
                (object_id and object_id.lower() == principal.lower()):
            return principal, system_client_id(principal), None
    raise LookupError("The requested identity has not been assigned to this resource.")


def find_principal(principal_or_client_id):
    """Who a principal (object) or client id is: {"principalId", "clientId", "kind", "resourceId"} with kind
    "user" (a user-assigned identity), "system" (the system-assigned identity of a resource in the store) or
    "human" (the signed-in user); None when no principal of this home has it."""
    wanted = (principal_or_client_id or "").strip().lower()
    if not wanted:
        return None
    if wanted in (settings.USER_OBJECT_ID.lower(), settings.USER_NAME.lower()):
        return {"principalId": settings.USER_OBJECT_ID, "clientId": None, "kind": "human",
                "resourceId": None}
    for doc in store().list(type=TYPE):
        if wanted in (str(doc.get("principalId", "")).lower(), str(doc.get("clientId", "")).lower()):
            return {"principalId": doc["principalId"], "clientId": doc["clientId"], "kind": "user",
                    "resourceId": doc["id"]}
    for doc in _docs_mentioning(wanted):
        block = doc.get("identity")
        if not isinstance(block, dict) or not _has_system(block):
            continue
        principal = str(block["principalId"])
        if wanted in (principal.lower(), system_client_id(principal)):
            return {"principalId": principal, "clientId": system_client_id(principal), "kind": "system",
                    "resourceId": doc["id"]}
    return None


def _docs_mentioning(text):
    """Every stored resource whose document holds `text` (a GUID), found by SQLite rather than by parsing every
    document; a derived system client id is not in any document, so an empty search reads them all."""
    import json

    rows = store().conn.execute("SELECT doc FROM resources WHERE instr(lower(doc), ?) > 0", (text,)).fetchall()
    if not rows:
        rows = store().conn.execute("SELECT doc FROM resources WHERE instr(doc, '\"principalId\"') > 0").fetchall()
    return [json.loads(r[0]) for r in rows]


def assigned_to(identity_resource_id):
    """The stored resources (any type) that have this user-assigned identity assigned, in store order."""
    rid = identity_resource_id.rstrip("/").lower()
    out = []
    for doc in _docs_mentioning(parse(identity_resource_id)[2].lower()):
        users = _users(doc.get("identity")) if isinstance(doc.get("identity"), dict) else {}
        if any(k.lower() == rid for k in users):
            out.append(doc)
    return out
