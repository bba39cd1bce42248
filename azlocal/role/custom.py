"""az role assignment / role definition: handlers checking the arguments as az does, over
azlocal.role.assignments and azlocal.role.definitions."""

import json
import os

from knack.log import get_logger

from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.role import assignees, assignments, definitions, scopes, views

logger = get_logger(__name__)

_EMPTY = "usage error: {} can't be an empty string. Either omit it or provide a non-empty string."
_DELETE = "Microsoft.Authorization/roleAssignments/delete"
_OPTIONS = {"assignee": "--assignee", "scope": "--scope", "role": "--role", "resource_group_name": "--resource-group"}


def _non_empty(**values):
    for dest, value in values.items():
        if value == "":
            raise ValidationError(_EMPTY.format(_OPTIONS[dest]))


def _one_assignee(assignee, assignee_object_id):
    if assignee and assignee_object_id:
        raise ValidationError("Usage error: Provide only one of --assignee or --assignee-object-id.")
    return assignees.resolve(assignee)[0] if assignee else assignee_object_id


def _scope(resource_group_name, scope):
    built = scopes.build(resource_group_name, scope)
    scopes.require(built)
    return built


def assignment_create(role, scope, assignee=None, assignee_object_id=None, assignee_principal_type=None,
                      description=None, condition=None, condition_version=None, assignment_name=None):
    _non_empty(assignee=assignee, scope=scope, role=role)
    if bool(assignee) == bool(assignee_object_id):
        raise ValidationError("usage error: --assignee STRING | --assignee-object-id GUID")
    if assignee_principal_type and not assignee_object_id:
        raise ValidationError("usage error: --assignee-object-id GUID --assignee-principal-type TYPE")
    if condition and not condition_version:
        condition_version = "2.0"
    if condition_version and not condition:
        raise ValidationError("usage error: When --condition-version is set, --condition must be set as well.")
    if assignee:
        object_id, principal_type = assignees.resolve(assignee)
    else:
        object_id, principal_type = assignee_object_id, assignee_principal_type
        if not principal_type:
            logger.warning("RBAC service might reject creating role assignment without --assignee-principal-type "
                           "in the future. Better to specify --assignee-principal-type manually.")
            principal_type = assignees.type_of(object_id)
    scope = scopes.build(None, scope)
    doc, created = assignments.put(role, object_id, scope, principal_type, description, name=assignment_name,
                                   condition=condition, condition_version=condition_version, check_caller=True)
    return doc if created else views.listed([doc])[0]


def assignment_list(assignee=None, assignee_object_id=None, role=None, resource_group_name=None, scope=None,
                    include_inherited=False, show_all=False, include_groups=False, fill_role_definition_name=True,
                    fill_principal_name=True):
    _non_empty(assignee=assignee, scope=scope, role=role, resource_group_name=resource_group_name)
    if assignee and assignee_object_id:
        raise ValidationError("Usage error: Provide only one of --assignee or --assignee-object-id.")
    if show_all:
        if resource_group_name or scope:
            raise ValidationError("group or scope are not required when --all is used")
        target = None
    else:
        target = _scope(resource_group_name, scope)
    principal = _one_assignee(assignee, assignee_object_id)
    docs = assignments.list_for(principal_id=principal, scope=target, role=role, include_inherited=include_inherited,
                                everywhere=show_all)
    return views.listed(docs, fill_role_definition_name is not False, fill_principal_name is not False)


def assignment_delete(ids=None, assignee=None, assignee_object_id=None, role=None, resource_group_name=None,
                      scope=None, include_inherited=False, yes=None):  # --yes: a no-op, as in az
    _non_empty(assignee=assignee, scope=scope, role=role, resource_group_name=resource_group_name)
    if not any((ids, assignee, assignee_object_id, role, resource_group_name, scope)):
        raise ValidationError("Please provide at least one of these arguments: --ids, --assignee, "
                              "--assignee-object-id, --role, --resource-group, --scope")
    if assignee and assignee_object_id:
        raise ValidationError("Usage error: Provide only one of --assignee or --assignee-object-id.")
    if ids:
        for option, value in (("--assignee", assignee), ("--role", role), ("--resource-group", resource_group_name),
                              ("--scope", scope), ("--include-inherited", include_inherited)):
            if value:
                logger.warning("option '%s' will be ignored due to use of '--ids'.", option)
        for rid in ids:
            assignments.require_caller(_DELETE, rid)
            assignments.delete(rid)  # ARM's delete of an assignment that is gone succeeds with nothing
        return None
    target = _scope(resource_group_name, scope)
    principal = _one_assignee(assignee, assignee_object_id)
    docs = assignments.list_for(principal_id=principal, scope=target, role=role, include_inherited=include_inherited)
    if not docs:
        raise ValidationError("No matched assignments were found to delete")
    for doc in docs:
        assignments.require_caller(_DELETE, doc["id"])
    for doc in docs:
        assignments.delete(doc)
    return None


def assignment_list_changelogs(start_time=None, end_time=None):
    from azlocal.role import changelog

    return changelog.events(start_time, end_time)


def _json_argument(text, option):
    if os.path.exists(text):
        with open(text, encoding="utf-8") as f:
            text = f.read()
        try:
            return json.loads(text)
        except ValueError as ex:
            raise ValidationError(f"Failed to parse file '{option}' with exception:\n{ex}") from None
    try:
        return json.loads(text)
    except ValueError as ex:
        import ast

        try:
            return ast.literal_eval(text)
        except Exception:  # noqa: BLE001 - az's message either way
            raise ValidationError(f"Failed to parse string as JSON:\n{text}\nError detail: {ex}") from None


def assignment_update(role_assignment):
    body = _json_argument(role_assignment, "--role-assignment")
    if not isinstance(body, dict):
        raise ValidationError("--role-assignment must be a JSON object.")
    scope, name = body.get("scope"), body.get("name")
    if not scope or not name:
        raise ValidationError("'scope' and 'name' are required in the role assignment JSON.")
    doc = assignments.get(scope, name)
    if doc is None:
        raise assignments.not_found(scope, name)
    if (body.get("conditionVersion") or "").startswith("1.") and (doc.get("conditionVersion") or "").startswith("2."):
        raise ValidationError("Condition version cannot be downgraded to '1.X'.")
    return views.flat(assignments.update(doc, body))


def definition_list(name=None, resource_group_name=None, scope=None, custom_role_only=False):
    target = _scope(resource_group_name, scope)
    return definitions.search(name, custom_role_only=custom_role_only is True, scope=target)


def _definition_body(role_definition):
    body = _json_argument(role_definition, "--role-definition")
    if not isinstance(body, dict):
        raise ValidationError("Invalid role definition. A valid dictionary JSON representation is expected.")
    return body


def definition_create(role_definition):
    from azlocal.role import custom_roles

    return custom_roles.create(_definition_body(role_definition))


def definition_update(role_definition):
    from azlocal.role import custom_roles

    body = _definition_body(role_definition)
    if not body.get("id") and not body.get("Id"):
        logger.warning('Role "id" is missing. Look for the role in the current subscription...')
    return custom_roles.update(body)


def definition_delete(name, resource_group_name=None, scope=None, custom_role_only=False):
    from azlocal.role import custom_roles

    target = _scope(resource_group_name, scope)
    for doc in definitions.search(name, custom_role_only=custom_role_only is True, scope=target):
        custom_roles.delete(doc)


def definition_show(scope=None, name=None, role_id=None):
    if not any((scope, name, role_id)):
        raise ValidationError("Usage error: Provide --scope and --name, or --id")
    if not role_id and not (name and scope):
        raise ValidationError("Usage error: Provide both --scope and --name")
    found = definitions.by_id(role_id) if role_id else definitions.by_guid(name)
    if found is None:
        guid = (role_id or name).rstrip("/").rsplit("/", 1)[-1]
        raise ResourceNotFound(f"The specified role definition with ID '{guid}' does not exist.",
                               code="RoleDefinitionDoesNotExist")
    return found


def signed_in_user_show():
    """`az ad signed-in-user show`: the signed-in user as Microsoft Graph shows a user (its id is the object id
    role assignments name)."""
    from azlocal.core import settings

    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", "businessPhones": [],
            "displayName": settings.USER_NAME.split("@")[0], "givenName": None, "id": settings.USER_OBJECT_ID,
            "jobTitle": None, "mail": None, "mobilePhone": None, "officeLocation": None, "preferredLanguage": None,
            "surname": None, "userPrincipalName": settings.USER_NAME}
