"""Role assignments: who (a principal id) has which role (a definition) where (a scope), and the one question
every data plane asks of them, `allowed(principal_id, scope, action)`.

An assignment is a row of the state store, an extension resource under its scope
(`<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`), its document the one `az role assignment
create` prints. Its row sits in its scope's resource group, so deleting the group (or a resource that removes its
children) removes the assignments at or under it. The signed-in user (settings.USER_OBJECT_ID), who made the
subscription, holds Owner at the subscription scope, as a subscription's creator does: a standing assignment that
is listed like any other and can be deleted (recorded in the store).

`allowed` is read on every request, never cached: a new or removed assignment counts at once.
"""

import uuid

from knack.log import get_logger

from azlocal.core import arm, settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.platform.store import store
from azlocal.role import changelog, conditions, definitions, matching, scopes

logger = get_logger(__name__)

TYPE = "Microsoft.Authorization/roleAssignments"
PRINCIPAL_TYPES = ("ForeignGroup", "Group", "ServicePrincipal", "User")
OWNER_GUID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
_OWNER_NAME_NS = uuid.UUID("4c7c1d2e-9b0f-4a57-8a0e-7a2b8c1a0c1e")
_OWNER_REMOVED = "role/subscription-owner-removed"

PRINCIPAL_NOT_FOUND = (
    "(PrincipalNotFound) Principal {oid} does not exist in the directory {tenant}. Check that you have the correct "
    "principal ID. If you are creating this principal and then immediately assigning a role, this error might be "
    "related to a replication delay. In this case, set the role assignment principalType property to a value, such "
    "as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype")


def assignment_id(scope, name):
    return f"{scope.rstrip('/')}/providers/{TYPE}/{name}"


def _owner_doc():
    """The signed-in user's Owner assignment at the subscription (None once deleted)."""
    if store().get_value(_OWNER_REMOVED):
        return None
    sub = scopes.subscription_scope()
    name = str(uuid.uuid5(_OWNER_NAME_NS, f"{settings.SUBSCRIPTION_ID}/{settings.USER_OBJECT_ID}"))
    return _new_doc(name, sub, definitions.definition_id(OWNER_GUID), settings.USER_OBJECT_ID, "User", None,
                    None, None, "2024-01-01T00:00:00+00:00")


def _new_doc(name, scope, role_definition_id, principal_id, principal_type, description, condition,
             condition_version, now):
    return {
        "id": assignment_id(scope, name), "name": name, "type": TYPE, "systemData": None,
        "scope": scope, "roleDefinitionId": role_definition_id, "principalId": principal_id,
        "principalType": principal_type, "description": description, "condition": condition,
        "conditionVersion": condition_version, "createdOn": now, "updatedOn": now,
        "createdBy": settings.USER_OBJECT_ID, "updatedBy": settings.USER_OBJECT_ID,
        "delegatedManagedIdentityResourceId": None,
    }


def all_assignments():
    """Every assignment of the subscription (the standing Owner first), as stored."""
    owner = _owner_doc()
    return ([owner] if owner else []) + store().list(type=TYPE)


def _assignments_of(principal_id):
    """The assignments whose document mentions the principal (found by SQLite, not by parsing every row)."""
    import json

    owner = _owner_doc() if principal_id.lower() == settings.USER_OBJECT_ID.lower() else None
    rows = store().conn.execute("SELECT doc FROM resources WHERE type = ? AND instr(lower(doc), ?) > 0",
                                (TYPE.lower(), principal_id.lower())).fetchall()
    return ([owner] if owner else []) + [json.loads(r[0]) for r in rows]


def get(scope, name):
    for doc in all_assignments():
        if doc["id"].lower() == assignment_id(scope, name).lower():
            return doc
    return None


def _find_same(principal_id, role_definition_id, scope):
    for doc in all_assignments():
        if (doc["principalId"].lower() == principal_id.lower()
                and scopes.normalized(doc["scope"]) == scopes.normalized(scope)
                and doc["roleDefinitionId"].lower() == role_definition_id.lower()):
            return doc
    return None


def _principal_known(principal_id):
    """Whether the directory (this home's principals) has an object with this id (a client id is not one)."""
    from azlocal.role import assignees

    return assignees.type_of(principal_id) is not None


def put(role, assignee_principal_id, scope, principal_type=None, description=None, name=None, condition=None,
        condition_version=None, check_caller=False):
    """(document, created): the assignment made, or the same one (principal, role, scope) that exists already
    (created False), as ARM's RoleAssignmentExists lets az return it. Checks the role, the scope (form and
    existence), the name (a GUID) and, without a principal type, that the principal exists; with check_caller,
    that the signed-in user may write role assignments there (what `az role assignment create` asks)."""
    definition = definitions.resolve(role)
    if not scopes.is_valid_form(scope) and scope.lower().startswith("/subscriptions/"):
        raise ValidationError("Invalid scope. Please use --help to view the valid format.")
    scopes.require(scope)
    scope = scope.rstrip("/")
    if not definitions.assignable_at(definition, scope):
        raise ValidationError(f"The role {definition['roleName']} is not available for assignment at the requested "
                              "scope.")
    if principal_type is not None and principal_type not in PRINCIPAL_TYPES:
        raise ValidationError(f"(InvalidPrincipalType) The principal type '{principal_type}' is not valid.")
    if name is not None and not definitions.is_guid(str(name)):
        raise ValidationError(f"(InvalidRoleAssignmentId) The role assignment ID '{name}' is not valid. The role "
                              "assignment ID must be a GUID.")
    if condition:
        conditions.parse(condition)
    if principal_type is None and not _principal_known(assignee_principal_id):
        raise ValidationError(PRINCIPAL_NOT_FOUND.format(oid=assignee_principal_id, tenant=settings.TENANT_ID))
    role_definition_id = definitions.definition_id(definition["name"])
    name = str(name or uuid.uuid4())
    if check_caller:
        require_caller("Microsoft.Authorization/roleAssignments/write", assignment_id(scope, name))
    named = get(scope, name)
    if named is not None and (named["principalId"].lower() != assignee_principal_id.lower()
                              or named["roleDefinitionId"].lower() != role_definition_id.lower()):
        raise ValidationError("(RoleAssignmentUpdateNotPermitted) Tenant ID, application ID, principal ID, and "
                              "scope are not allowed to be updated.")
    same = _find_same(assignee_principal_id, role_definition_id, scope)
    if same is not None:
        return same, False
    now = arm.utc_now()
    doc = _new_doc(name, scope, role_definition_id, assignee_principal_id, principal_type,
                   description, condition, condition_version, now)
    s = store()
    with s.transaction():
        s.put(doc)
        changelog.record("Granted", doc, now)
    return dict(doc, createdBy=None), True  # the PUT answers before createdBy is filled in, as ARM's does


def create(role, assignee_principal_id, scope, principal_type=None, description=None, **kwargs):
    """The assignment of `role` (name, GUID or definition id) to the principal at `scope`, made or found."""
    return put(role, assignee_principal_id, scope, principal_type, description, **kwargs)[0]


def delete(assignment_doc_or_id):
    """Removes one assignment (a document or its id); False when there was none."""
    rid = (assignment_doc_or_id["id"] if isinstance(assignment_doc_or_id, dict) else assignment_doc_or_id).rstrip("/")
    owner = _owner_doc()
    s = store()
    with s.transaction():
        doc = owner if owner and owner["id"].lower() == rid.lower() else s.get(rid)
        if doc is None:
            return False
        if doc is owner:
            s.set_value(_OWNER_REMOVED, True)
        else:
            s.delete(rid)
        changelog.record("Revoked", doc, arm.utc_now())
        return True


def update(doc, changes):
    """A PUT of an existing assignment with `changes` (description, condition, conditionVersion, principalType,
    roleDefinitionId); the principal and the scope cannot change."""
    if str(changes.get("principalId") or doc["principalId"]).lower() != doc["principalId"].lower() or \
            scopes.normalized(changes.get("scope") or doc["scope"]) != scopes.normalized(doc["scope"]):
        raise ValidationError("(RoleAssignmentUpdateNotPermitted) Tenant ID, application ID, principal ID, and "
                              "scope are not allowed to be updated.")
    new = dict(doc)
    if changes.get("roleDefinitionId"):
        definition = definitions.by_id(changes["roleDefinitionId"])
        if definition is None:
            raise ValidationError("(RoleDefinitionDoesNotExist) The specified role definition with ID "
                                  f"'{changes['roleDefinitionId'].rsplit('/', 1)[-1]}' does not exist.")
        new["roleDefinitionId"] = definitions.definition_id(definition["name"])
    for key in ("description", "condition", "conditionVersion", "principalType"):
        if key in changes and changes[key] is not None:
            new[key] = changes[key]
    if new.get("condition"):
        conditions.parse(new["condition"])
    if new.get("principalType") is not None and new["principalType"] not in PRINCIPAL_TYPES:
        raise ValidationError(f"(InvalidPrincipalType) The principal type '{new['principalType']}' is not valid.")
    new["updatedOn"], new["updatedBy"] = arm.utc_now(), settings.USER_OBJECT_ID
    owner = _owner_doc()
    s = store()
    with s.transaction():
        if owner and owner["id"].lower() == doc["id"].lower():
            s.set_value(_OWNER_REMOVED, True)  # the standing assignment becomes a stored one
        s.put(new)
    return new


def list_for(principal_id=None, scope=None, role=None, include_inherited=False, everywhere=False):
    """The assignments `az role assignment list` finds: at `scope` (the subscription when None), with those
    above it too when include_inherited, or at every scope (everywhere, as --all); of one principal and one role
    (name, GUID or definition id) when given."""
    docs = all_assignments()
    if not everywhere:
        target = scope or scopes.subscription_scope()
        docs = [d for d in docs if scopes.covers(d["scope"], target)
                and (include_inherited or scopes.normalized(d["scope"]) == scopes.normalized(target))]
    if role:
        role_id = definitions.filter_id(role).lower()
        docs = [d for d in docs if d["roleDefinitionId"].lower() == role_id]
    if principal_id:
        docs = [d for d in docs if d["principalId"].lower() == principal_id.lower()]
    return docs


def allowed(principal_id, scope, action, data=None, attributes=None):
    """Whether any role assigned to the principal at `scope` or above it (subscription > resource group >
    resource > child, ids compared ignoring case) permits `action`: a data action (matched against dataActions
    less notDataActions) when `data`, a control-plane action (actions less notActions) when not, and when `data`
    is None as the operation's provider path says (matching.is_data_action)); unless a deny assignment at or
    above the scope refuses it (azlocal.role.denies). An assignment with a condition counts only when the
    condition holds for the action and the request's `attributes` (azlocal.role.conditions; e.g. the registry's
    {"Microsoft.ContainerRegistry/registries/repositories:name": repository})."""
    if not principal_id or not scope:
        return False
    for doc in _assignments_of(str(principal_id)):
        if doc["principalId"].lower() != str(principal_id).lower() or not scopes.covers(doc["scope"], scope):
            continue
        if doc.get("condition") and not conditions.evaluate(doc["condition"], action, attributes):
            continue
        definition = definitions.by_id(doc["roleDefinitionId"])
        if definition is not None and matching.permits(definition, action, data):
            from azlocal.role import denies

            return not denies.denied(principal_id, scope, action, data)
    return False


def require(principal_id, scope, action, data=None, client=None):
    """allowed(), or ARM's AuthorizationFailed (exit 1) naming the client, action and scope."""
    if not allowed(principal_id, scope, action, data):
        raise AzLocalError(
            f"(AuthorizationFailed) The client '{client or principal_id}' with object id '{principal_id}' does not "
            f"have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If "
            "access was recently granted, please refresh your credentials.")


def require_caller(action, target):
    """The signed-in user's own right to change role assignments at `target` (an assignment's id)."""
    require(settings.USER_OBJECT_ID, target, action, data=False, client=settings.USER_NAME)


def not_found(scope, name):
    return ResourceNotFound(f"The role assignment '{name}' is not found.", code="RoleAssignmentNotFound")
