"""Role definitions: the built-in roles (azlocal.role.builtin) as the documents ARM returns, and how a `--role`
value (a role name, a definition GUID or a definition id) names one."""

import re

from azlocal.core import settings
from azlocal.core.errors import ValidationError
from azlocal.role import builtin

TYPE = "Microsoft.Authorization/roleDefinitions"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_DEFINITION_ID = re.compile(r"^(/subscriptions/(?P<sub>[^/]+))?/providers/Microsoft\.Authorization/"
                            r"roleDefinitions/(?P<guid>[^/]+)$", re.IGNORECASE)


def is_guid(text):
    return bool(_GUID.match(text or ""))


def definition_id(guid):
    return f"/subscriptions/{settings.SUBSCRIPTION_ID}/providers/{TYPE}/{guid}"


def _doc(row):
    guid, name, description, actions, not_actions, data_actions, not_data_actions = row
    return {
        "id": definition_id(guid), "name": guid, "type": TYPE, "systemData": None,
        "roleName": name, "description": description, "roleType": "BuiltInRole",
        "permissions": [{"actions": list(actions), "notActions": list(not_actions),
                         "dataActions": list(data_actions), "notDataActions": list(not_data_actions),
                         "condition": None, "conditionVersion": None}],
        "assignableScopes": ["/"], "createdOn": builtin.CREATED_ON, "updatedOn": builtin.UPDATED_ON,
        "createdBy": None, "updatedBy": None,
    }


def custom_definitions():
    """The custom roles made in this home (azlocal.role.custom_roles), as stored."""
    from azlocal.platform.store import store

    return store().list(type=TYPE)


def all_definitions():
    """Every role definition of the subscription, in Azure's order (by name): the built-in and custom ones."""
    return sorted([_doc(r) for r in builtin.ROLES] + custom_definitions(), key=lambda d: d["roleName"].lower())


def by_guid(guid):
    for row in builtin.ROLES:
        if row[0].lower() == (guid or "").lower():
            return _doc(row)
    if not is_guid(guid):
        return None
    from azlocal.platform.store import store

    return store().get(definition_id(guid))


def by_id(role_definition_id):
    """The definition a roleDefinitionId names (with or without the subscription prefix), or None."""
    match = _DEFINITION_ID.match((role_definition_id or "").rstrip("/"))
    if not match or (match["sub"] and match["sub"].lower() != settings.SUBSCRIPTION_ID.lower()):
        return None
    return by_guid(match["guid"])


def find(role):
    """The definition `--role` names: a definition id, a GUID, or a role name (as ARM's `roleName eq` filter
    compares it, ignoring case); None when none does."""
    role = (role or "").strip()
    if _DEFINITION_ID.match(role):
        return by_id(role)
    if is_guid(role):
        return by_guid(role)
    for doc in all_definitions():
        if doc["roleName"].lower() == role.lower():
            return doc
    return None


def filter_id(role):
    """The roleDefinitionId a list or delete filter compares with: a definition id or GUID as given (az builds it
    without asking, so an unknown one matches nothing), a role name resolved (an unknown name is an error)."""
    text = (role or "").strip()
    if _DEFINITION_ID.match(text):
        return definition_id(text.rstrip("/").rsplit("/", 1)[-1]) if not text.lower().startswith("/subscriptions/") \
            else text
    if is_guid(text):
        return definition_id(text)
    return definition_id(resolve(text)["name"])


def resolve(role):
    """find(), or the error az or ARM gives for a role that names nothing (exit 1)."""
    doc = find(role)
    if doc is not None:
        return doc
    text = (role or "").strip()
    if _DEFINITION_ID.match(text) or is_guid(text):
        guid = text.rstrip("/").rsplit("/", 1)[-1]
        raise ValidationError(f"(RoleDefinitionDoesNotExist) The specified role definition with ID '{guid}' "
                              "does not exist.")
    raise ValidationError(f"Role '{role}' doesn't exist.")


def assignable_at(doc, scope):
    """Whether a definition may be assigned at `scope` (its assignableScopes at or above it)."""
    from azlocal.role import scopes

    return any(scopes.covers(s, scope) for s in doc.get("assignableScopes") or [])


def search(name=None, custom_role_only=False, scope=None):
    """`az role definition list --name`: the definitions whose GUID or roleName is exactly `name` (az compares
    them on its side, case and all); at a scope, the custom roles assignable there or below it."""
    from azlocal.role import scopes

    docs = all_definitions()
    if scope:
        docs = [d for d in docs if d["roleType"] == "BuiltInRole" or assignable_at(d, scope)
                or any(scopes.covers(scope, s) for s in d.get("assignableScopes") or [])]
    if name:
        docs = [d for d in docs if name in (d["name"], d["roleName"])]
    if custom_role_only:
        docs = [d for d in docs if d["roleType"] == "CustomRole"]
    return docs
