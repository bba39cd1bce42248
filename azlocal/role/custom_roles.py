"""Custom role definitions (`az role definition create/update/delete`): a role of your own, named and scoped
by its JSON, kept as a row of the state store at the subscription (so deleting a resource group leaves it, as
in Azure, where custom roles belong to the directory). Its permissions are matched exactly as a built-in
role's (azlocal.role.matching)."""

import uuid

from azlocal.core import arm, settings
from azlocal.core.errors import Conflict, ValidationError
from azlocal.platform.store import store
from azlocal.role import definitions, scopes

_BLOCK_KEYS = ("actions", "notActions", "dataActions", "notDataActions")


def _camel(body):
    """az's workaround: `AssignableScopes` is `assignableScopes` (the first letter lowered)."""
    return {(k[:1].lower() + k[1:]): v for k, v in body.items()}


def _strings(value, key):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError(f"(InvalidRoleDefinition) The role definition's '{key}' must be a list of operation "
                              "strings.")
    return list(value)


def _permissions(body):
    blocks = body["permissions"] if "permissions" in body else [body]
    if not isinstance(blocks, list):
        raise ValidationError("(InvalidRoleDefinition) The role definition's 'permissions' must be a list.")
    out = []
    for block in blocks:
        block = _camel(block) if isinstance(block, dict) else {}
        out.append(dict({k: _strings(block.get(k), k) for k in _BLOCK_KEYS}, condition=None, conditionVersion=None))
    if not any(b["actions"] or b["dataActions"] for b in out):
        raise ValidationError("(InvalidRoleDefinition) The role definition must grant at least one action or data "
                              "action.")
    return out


def _scopes(values):
    if not isinstance(values, list) or not values:
        raise ValidationError("please provide 'assignableScopes'")
    for scope in values:
        if not isinstance(scope, str) or not scopes.is_valid_form(scope):
            raise ValidationError(f"(InvalidAssignableScope) The assignable scope '{scope}' is not valid.")
        scopes.require(scope)
    return list(values)


def _same_name(name, guid=None):
    for doc in definitions.all_definitions():
        if doc["roleName"].lower() == name.lower() and doc["name"] != guid:
            raise Conflict("(RoleDefinitionWithSameNameExists) A custom role with the same name already exists in "
                           "this directory. Use a different name.")


def create(body):
    body = _camel(body)
    name = body.get("name")
    if not name:
        raise ValidationError("please provide role name")
    if not isinstance(name, str):
        raise ValidationError("(InvalidRoleDefinition) The role name must be a string.")
    assignable = _scopes(body.get("assignableScopes"))
    permissions = _permissions(body)
    _same_name(name)
    guid, now = str(uuid.uuid4()), arm.utc_now()
    doc = {"id": definitions.definition_id(guid), "name": guid, "type": definitions.TYPE, "systemData": None,
           "roleName": name, "description": body.get("description"), "roleType": "CustomRole",
           "permissions": permissions, "assignableScopes": assignable, "createdOn": now, "updatedOn": now,
           "createdBy": settings.USER_OBJECT_ID, "updatedBy": settings.USER_OBJECT_ID}
    s = store()
    with s.transaction():
        s.put(doc, resource_group="")
    return doc


def _existing(body):
    if body.get("id"):
        doc = definitions.by_id(body["id"])
        if doc is None:
            raise ValidationError(f"No definition was found with the name of \"{body.get('name')}\"")
        return doc
    matched = [d for d in definitions.all_definitions() if body.get("name") in (d["name"], d["roleName"])]
    if len(matched) > 1:
        raise ValidationError(f'More than 2 definitions are found with the name of "{body["name"]}"')
    if not matched:
        raise ValidationError(f'No definition was found with the name of "{body.get("name")}"')
    return matched[0]


def _custom_only(doc):
    if doc["roleType"] != "CustomRole":
        raise ValidationError(f"(RoleDefinitionUpdateNotPermitted) The built-in role '{doc['roleName']}' cannot be "
                              "changed or deleted.")


def update(body):
    body = _camel(body)
    doc = _existing(body)
    _custom_only(doc)
    name = body.get("roleName") or doc["roleName"]
    _same_name(name, doc["name"])
    new = dict(doc, roleName=name, description=body.get("description", doc["description"]),
               permissions=_permissions(body) if "permissions" in body or "actions" in body else doc["permissions"],
               assignableScopes=_scopes(body.get("assignableScopes") or doc["assignableScopes"]),
               updatedOn=arm.utc_now(), updatedBy=settings.USER_OBJECT_ID)
    s = store()
    with s.transaction():
        s.put(new, resource_group="")
    return new


def delete(doc):
    """Removes a custom role; ARM refuses while an assignment refers to it."""
    _custom_only(doc)
    from azlocal.role import assignments

    if any(a["roleDefinitionId"].lower() == doc["id"].lower() for a in assignments.all_assignments()):
        raise ValidationError("(RoleDefinitionHasAssignments) There are existing role assignments referencing role "
                              "(code: RoleDefinitionHasAssignments)")
    s = store()
    with s.transaction():
        s.delete(doc["id"])
