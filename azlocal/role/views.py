"""How az shows role assignments and definitions: `create` prints the assignment as the service returns it
(nulls included); `list` (and an idempotent `create`, and `update`) prints az's flat projection, without null
fields, with roleDefinitionName and principalName filled in; the tables az's transformers make."""

from azlocal.core.tables import table
from azlocal.role import assignees, definitions

_FLAT = ("id", "name", "type", "scope", "roleDefinitionId", "principalId", "principalType", "description",
         "condition", "conditionVersion", "createdOn", "updatedOn", "createdBy", "updatedBy",
         "delegatedManagedIdentityResourceId")


def flat(doc):
    return {k: doc[k] for k in _FLAT if doc.get(k) is not None}


_DENY_FLAT = ("id", "name", "type", "denyAssignmentName", "description", "scope", "doNotApplyToChildScopes",
              "isSystemProtected", "denyAssignmentEffect", "condition", "conditionVersion", "createdOn", "updatedOn",
              "createdBy", "updatedBy")


def flat_deny(doc):
    """az's projection of a deny assignment (list, show): no null fields, permissions and principals kept."""
    out = {k: doc[k] for k in _DENY_FLAT if doc.get(k) is not None}
    out["permissions"] = [{k: v for k, v in p.items() if v is not None} for p in doc.get("permissions") or []]
    out["principals"] = doc.get("principals") or []
    out["excludePrincipals"] = doc.get("excludePrincipals") or []
    return out


def deny_table(result):
    return table(result, {"Name": lambda r: r.get("denyAssignmentName", ""), "Id": lambda r: r.get("name", ""),
                          "Scope": lambda r: r.get("scope", "")})


def listed(docs, fill_role_definition_name=True, fill_principal_name=True):
    out = [flat(d) for d in docs]
    names = {}
    for row in out:
        if fill_role_definition_name:
            definition = definitions.by_id(row["roleDefinitionId"])
            row["roleDefinitionName"] = definition["roleName"] if definition else None
        if fill_principal_name:
            pid = row["principalId"]
            if pid not in names:
                names[pid] = assignees.display_name(pid)
            row["principalName"] = names[pid]
    return out


def assignment_table(result):
    return table(result, {"Principal": lambda r: r.get("principalName"), "Role": lambda r: r.get("roleDefinitionName"),
                          "Scope": lambda r: r.get("scope")})


def definition_table(result):
    return table(result, {"Name": lambda r: r.get("roleName"), "Type": lambda r: r.get("type"),
                          "Description": lambda r: r.get("description")})
