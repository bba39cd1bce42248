"""Deny assignments (`az role deny-assignment`): actions refused to a principal (or to Everyone but the
excluded principals) at a scope and below it, whatever roles grant. User-assigned deny assignments deny
control-plane actions only (no read actions, no data actions), as Azure's do. Rows of the state store under
their scope (`<scope>/providers/Microsoft.Authorization/denyAssignments/<guid>`), so a group's delete takes
them; `denied()` is what `assignments.allowed` asks after the roles grant."""

import uuid

from azlocal.core import arm, settings
from azlocal.core.errors import ResourceNotFound, ValidationError
from azlocal.platform.store import store
from azlocal.role import definitions, matching, scopes

TYPE = "Microsoft.Authorization/denyAssignments"
EVERYONE = "00000000-0000-0000-0000-000000000000"


def deny_id(scope, name):
    return f"{scope.rstrip('/')}/providers/{TYPE}/{name}"


def _check(scope, name, actions, principal_id, principal_type, exclude_ids, exclude_types):
    if not scope:
        raise ValidationError("--scope is required for creating a deny assignment.")
    if not name:
        raise ValidationError("--name is required for creating a deny assignment.")
    if not actions:
        raise ValidationError("At least one action is required via --actions.")
    for action in actions:
        if action.lower().endswith("/read"):
            raise ValidationError(f"Read actions are not permitted for user-assigned deny assignments: '{action}'. "
                                  "Only write, delete, and action operations can be denied.")
    if principal_type and not principal_id:
        raise ValidationError("--principal-object-id is required when --principal-type is specified. Provide both "
                              "--principal-object-id and --principal-type together, or omit both for Everyone mode.")
    if principal_id:
        if not principal_type:
            raise ValidationError("--principal-type is required when --principal-object-id is specified. Accepted "
                                  "values: User, ServicePrincipal.")
    elif not exclude_ids:
        raise ValidationError("At least one excluded principal is required via --exclude-principal-ids when using "
                              "Everyone mode (no --principal-object-id specified). User-assigned deny assignments "
                              "that deny Everyone require at least one exclusion.")
    if exclude_ids and exclude_types and len(exclude_types) != len(exclude_ids):
        raise ValidationError("--exclude-principal-types must have the same number of entries as "
                              "--exclude-principal-ids.")


def create(scope, name, actions, not_actions=None, description=None, principal_id=None, principal_type=None,
           exclude_ids=None, exclude_types=None, assignment_name=None):
    _check(scope, name, actions, principal_id, principal_type, exclude_ids, exclude_types)
    scope = scopes.build(None, scope)
    scopes.require(scope)
    guid = str(assignment_name or uuid.uuid4())
    if not definitions.is_guid(guid):
        raise ValidationError(f"(InvalidDenyAssignmentId) The deny assignment ID '{guid}' is not valid. The deny "
                              "assignment ID must be a GUID.")
    principals = ([{"id": principal_id, "type": principal_type}] if principal_id
                  else [{"id": EVERYONE, "type": "SystemDefined"}])
    excluded = [{"id": pid, "type": (exclude_types[i] if exclude_types else "ServicePrincipal")}
                for i, pid in enumerate(exclude_ids or [])]
    now = arm.utc_now()
    doc = {"id": deny_id(scope, guid), "name": guid, "type": TYPE, "systemData": None, "denyAssignmentName": name,
           "description": description or "",
           "permissions": [{"actions": list(actions), "notActions": list(not_actions or []), "dataActions": [],
                            "notDataActions": [], "condition": None, "conditionVersion": None}],
           "scope": scope, "doNotApplyToChildScopes": False, "principals": principals,
           "excludePrincipals": excluded, "isSystemProtected": False, "denyAssignmentEffect": None,
           "condition": None, "conditionVersion": None, "createdOn": now, "updatedOn": now,
           "createdBy": settings.USER_OBJECT_ID, "updatedBy": settings.USER_OBJECT_ID}
    s = store()
    with s.transaction():
        if s.get(doc["id"]) is not None:
            raise ValidationError(f"(DenyAssignmentAlreadyExists) A deny assignment with the ID '{guid}' already "
                                  "exists at this scope.")
        s.put(doc)
    return doc


def all_denies():
    return store().list(type=TYPE)


def get(scope, name):
    doc = store().get(deny_id(scope, name))
    if doc is None:
        raise ResourceNotFound(f"The deny assignment '{name}' could not be found.", code="DenyAssignmentNotFound")
    return doc


def split_id(rid):
    lowered = (rid or "").lower()
    marker = f"/providers/{TYPE.lower()}/"
    at = lowered.find(marker)
    if at <= 0 or "/" in rid[at + len(marker):] or not rid[at + len(marker):]:
        raise ValidationError(f"Invalid deny assignment ID '{rid}'. Expected format: "
                              "<scope>/providers/Microsoft.Authorization/denyAssignments/<name>")
    return rid[:at], rid[at + len(marker):]


def delete(scope, name):
    s = store()
    with s.transaction():
        s.delete(deny_id(scope, name))  # ARM's delete of a deny assignment that is gone succeeds with nothing


def _applies_to(doc, principal_id):
    pid = str(principal_id).lower()
    if any(str(p.get("id", "")).lower() == pid for p in doc.get("excludePrincipals") or []):
        return False
    return any(str(p.get("id", "")).lower() in (pid, EVERYONE) for p in doc.get("principals") or [])


def listed(scope=None, filter_str=None):
    """`az role deny-assignment list`: at, above and below `scope` (every one without it), narrowed by the
    filters ARM takes: atScope(), principalId eq '…', gdprExportPrincipalId eq '…', denyAssignmentName eq '…'."""
    docs = all_denies()
    if scope:
        docs = [d for d in docs if scopes.covers(d["scope"], scope) or scopes.covers(scope, d["scope"])]
    text = (filter_str or "").strip()
    if not text:
        return docs
    if text.replace(" ", "") == "atScope()":
        return [d for d in docs if scope is None or scopes.covers(d["scope"], scope)]
    key, _, value = text.partition(" eq ")
    value = value.strip().strip("'")
    if key.strip() in ("principalId", "gdprExportPrincipalId") and value:
        return [d for d in docs if _applies_to(d, value)]
    if key.strip() == "denyAssignmentName" and value:
        return [d for d in docs if d["denyAssignmentName"] == value]
    raise ValidationError(f"(InvalidFilter) The filter '{text}' is not supported.")


def denied(principal_id, scope, action, data=None):
    """Whether a deny assignment at `scope` or above it refuses `action` to the principal."""
    data = matching.is_data_action(action) if data is None else data
    for doc in all_denies():
        if scopes.covers(doc["scope"], scope) and _applies_to(doc, principal_id) and \
                any(matching.block_permits(b, action, data) for b in doc.get("permissions") or []):
            return True
    return False
