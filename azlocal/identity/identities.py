"""User-assigned managed identities (`az identity create/show/list/update/delete/list-resources`).

An identity is one row of type `Microsoft.ManagedIdentity/userAssignedIdentities`, printed as az prints the
provider's answer (properties flattened): `clientId`, `principalId` and `tenantId` are GUIDs made once, when
the identity is created, and kept for its life (a repeated create is ARM's PUT: tags and settings change, the
ids stay). Services assigning it read those ids through `principals.user_entry`; the daemon's token endpoints
issue tokens for them. `--isolation-scope` and `--resource-restriction` are recorded as the provider records
them; assignment is not restricted by them offline (a warning says so)."""

import json
import re
import uuid

from knack.log import get_logger

from azlocal.core import generic_update, parsing, settings
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.core.locations import normalise_location
from azlocal.core.lookups import not_found
from azlocal.identity.principals import TYPE, assigned_to, identity_id
from azlocal.platform.store import store
from azlocal.resources import groups

logger = get_logger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$")
RESTRICTIONS_NOT_ENFORCED = ("The identity's isolation scope and resource restrictions are recorded; azlocal does not "
                             "restrict which resources it is assigned to.")


def check_name(name):
    if not _NAME.match(name or ""):
        raise ValidationError(
            f"(InvalidResourceName) Resource name '{name}' is invalid. The name can contain only letters, numbers, "
            "underscores and hyphens, must start with a letter or a number, and must be 3 to 128 characters long.")


def _group(resource_group):
    return groups.get(resource_group)


def get(resource_group, name):
    group = _group(resource_group)["name"]
    doc = store().get(identity_id(group, name))
    if doc is None:
        raise not_found(TYPE, name, resource_group)
    return doc


def restrictions(values):
    """`--resource-restriction` (JSON, or az's shorthand `providers=[a,b]`) -> {"providers": [...]}."""
    if not values:
        return None
    text = " ".join(values).strip()
    try:
        value = json.loads(text)
    except ValueError:
        value = None
        key, sep, rest = text.partition("=")
        if sep and key.strip() == "providers":
            rest = rest.strip()
            items = rest[1:-1].split(",") if rest.startswith("[") and rest.endswith("]") else [rest]
            value = {"providers": [i.strip().strip("'\"") for i in items if i.strip()]}
    if not isinstance(value, dict) or set(value) - {"providers"} or \
            not isinstance(value.get("providers", []), list) or \
            not all(isinstance(p, str) for p in value.get("providers", [])):
        raise ValidationError(f"Invalid --resource-restriction '{text}': give "
                              "{\"providers\": [\"<namespace>\", ...]} (JSON) or providers=[<namespace>,...].")
    return {"providers": list(value.get("providers", []))}


def _tags(tags):
    return None if tags is None else parsing.pairs_dict([t for t in tags if t])


def create(resource_group, name, location=None, tags=None, isolation_scope=None, resource_restriction=None):
    check_name(name)
    group = _group(resource_group)
    location = _location(location) if location else group["location"]
    limits = restrictions(resource_restriction)
    s = store()
    with s.transaction():
        rid = identity_id(group["name"], name)
        existing = s.get(rid)
        if existing is not None and existing["location"] != location:
            raise ValidationError(
                f"(InvalidResourceLocation) The resource '{name}' already exists in location '{existing['location']}'"
                f" in resource group '{group['name']}'. A resource with the same name cannot be created in location "
                f"'{location}'. Please select a new resource name.")
        doc = existing or {"clientId": str(uuid.uuid4()), "id": rid, "location": location, "name": name,
                           "principalId": str(uuid.uuid4()), "resourceGroup": group["name"], "systemData": None,
                           "tags": {}, "tenantId": settings.TENANT_ID, "type": TYPE}
        doc["tags"] = _tags(tags) or {}
        _settings(doc, isolation_scope, limits)
        s.put(doc)
    return doc


def _settings(doc, isolation_scope, limits):
    if isolation_scope is not None:
        doc["isolationScope"] = isolation_scope
    if limits is not None:
        doc["assignmentRestrictions"] = limits
    if doc.get("isolationScope") == "Regional" or (doc.get("assignmentRestrictions") or {}).get("providers"):
        if isolation_scope is not None or limits is not None:
            logger.warning(RESTRICTIONS_NOT_ENFORCED)


def _location(location):
    from azlocal.core.locations import REGIONS

    try:
        return normalise_location(location)
    except ValidationError:
        raise ValidationError(
            f"(LocationNotAvailableForResourceType) The provided location '{location}' is not available for resource "
            f"type '{TYPE}'. List of available regions for the resource type is "
            f"'{','.join(r[0] for r in REGIONS)}'.") from None


def list_identities(resource_group=None):
    if resource_group:
        group = _group(resource_group)["name"]
        return store().list(type=TYPE, resource_group=group)
    return store().list(type=TYPE)


def update(resource_group, name, tags=None, isolation_scope=None, resource_restriction=None, set_=None, add=None,
           remove=None, force_string=False):
    limits = restrictions(resource_restriction)
    s = store()
    with s.transaction():
        doc = get(resource_group, name)
        doc = generic_update.updated_copy(doc, set_, add, remove, force_string,
                                          read_only=("id", "name", "type", "clientId", "principalId", "tenantId",
                                                     "location", "resourceGroup", "systemData"))
        if doc.get("tags") is not None and not isinstance(doc["tags"], dict):
            raise ValidationError("The tags of an identity are an object of string values.")
        if tags is not None:
            doc["tags"] = _tags(tags)
        _settings(doc, isolation_scope, limits)
        s.put(doc)
    return doc


def delete(resource_group, name):
    """ARM's DELETE: the identity and its federated credentials go; a missing identity is no error. Resources it
    is assigned to keep their entry (as in Azure) and get no token for it any more."""
    group = _group(resource_group)["name"]
    rid = identity_id(group, name)
    s = store()
    with s.transaction():
        s.delete_children(rid)
        s.delete(rid)


def list_resources(resource_group, name):
    """The resources (container apps, jobs, container groups, registries, tasks, …) this identity is assigned to,
    as the provider's associated-resources list shows them."""
    doc = get(resource_group, name)
    out = []
    for res in assigned_to(doc["id"]):
        parts = res["id"].split("/")
        out.append({"id": res["id"], "name": res.get("name") or parts[-1], "resourceGroup": _group_of(res["id"]),
                    "subscriptionDisplayName": settings.SUBSCRIPTION_NAME, "subscriptionId": settings.SUBSCRIPTION_ID,
                    "type": res.get("type")})
    return out


def _group_of(resource_id):
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else None


OPERATIONS = [
    ("Microsoft.ManagedIdentity/userAssignedIdentities/read", "User Assigned Identity", "Get User Assigned Identity",
     "Gets an existing user assigned identity"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/write", "User Assigned Identity",
     "Create/Update User Assigned Identity", "Creates a new user assigned identity or updates the tags associated "
     "with an existing user assigned identity"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/delete", "User Assigned Identity",
     "Delete User Assigned Identity", "Deletes an existing user assigned identity"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", "User Assigned Identity",
     "Assign User Assigned Identity", "RBAC action for assigning an existing user assigned identity to a resource"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/listAssociatedResources/action", "User Assigned Identity",
     "List Associated Resources", "Lists the resources associated with a user assigned identity"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
     "Federated Identity Credential", "Get Federated Identity Credential",
     "Gets a federated identity credential of a user assigned identity"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
     "Federated Identity Credential", "Create/Update Federated Identity Credential",
     "Creates or updates a federated identity credential of a user assigned identity"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
     "Federated Identity Credential", "Delete Federated Identity Credential",
     "Deletes a federated identity credential of a user assigned identity"),
    ("Microsoft.ManagedIdentity/identities/read", "Managed Identity", "Get Managed Identity",
     "Gets an existing system assigned identity"),
    ("Microsoft.ManagedIdentity/operations/read", "Operations", "Lists operations",
     "Lists the operations available for the managed identity provider"),
]


def list_operations():
    return [{"display": {"description": description, "operation": operation, "provider": "Managed Service Identity",
                         "resource": resource}, "name": name}
            for name, resource, operation, description in OPERATIONS]


def require_name(name):
    if not name:
        raise AzLocalError("(--name | --ids) are required")
