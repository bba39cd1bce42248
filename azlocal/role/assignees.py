"""Who `--assignee` names, as az asks Microsoft Graph: a user principal name, a service principal name (a
managed identity's client id), or an object id; found among this home's principals
(azlocal.identity.principals.find_principal) and the signed-in user."""

from azlocal.core import settings
from azlocal.core.errors import ValidationError

NOT_FOUND = ("Cannot find user or service principal in graph database for '{assignee}'. If the assignee is an appId, "
             "make sure the corresponding service principal is created with 'az ad sp create --id {assignee}'.")


def find(principal_or_name):
    """{"principalId", "clientId", "kind"} of the principal, or None."""
    text = (principal_or_name or "").strip()
    if text.lower() in (settings.USER_NAME.lower(), settings.USER_OBJECT_ID.lower()):
        return {"principalId": settings.USER_OBJECT_ID, "clientId": None, "kind": "human"}
    from azlocal.role import service_principals

    sp = service_principals.find(text)
    if sp is not None:
        return {"principalId": sp["id"], "clientId": sp["appId"], "kind": "application"}
    try:
        from azlocal.identity.principals import find_principal
    except ImportError:  # identities not installed: only the signed-in user is known
        return None
    return find_principal(text)


def principal_type(found):
    return "User" if found["kind"] == "human" else "ServicePrincipal"


def resolve(assignee):
    """(object id, principal type) of `--assignee`, or az's error when Graph knows no such principal (exit 1)."""
    found = find(assignee)
    if found is None:
        raise ValidationError(NOT_FOUND.format(assignee=assignee))
    return found["principalId"], principal_type(found)


def type_of(object_id):
    """The principal type Graph reports for an object id (None when there is no such object)."""
    found = find(object_id)
    if found is None or found["principalId"].lower() != object_id.lower():
        return None
    return principal_type(found)


def display_name(object_id):
    """What az shows as principalName: a user's UPN, a service principal's first name (a managed identity's
    client id); '' for a principal that is gone."""
    found = find(object_id)
    if found is None or found["principalId"].lower() != object_id.lower():
        return ""
    if found["kind"] == "human":
        return settings.USER_NAME
    return found.get("clientId") or ""
