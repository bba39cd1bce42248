"""The activity log of role assignments (`az role assignment list-changelogs`): every grant and revocation made
through azlocal.role.assignments, with its caller and time, kept in the state store (the newest KEEP of them,
as an activity log keeps its last 90 days) and reported as az reports Microsoft.Authorization events."""

import datetime

from azlocal.core import settings
from azlocal.core.errors import ValidationError
from azlocal.platform.store import store

KEY = "role/changelog"
KEEP = 1000
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def record(action, doc, when):
    """Appends one event ('Granted' or 'Revoked') for an assignment document; call inside the transaction
    that makes the change, so the log and the assignments agree."""
    s = store()
    events = s.get_value(KEY, [])
    events.append({"action": action, "principalId": doc["principalId"], "scope": doc["scope"],
                   "roleDefinitionId": doc["roleDefinitionId"].rsplit("/", 1)[-1], "timestamp": when,
                   "caller": settings.USER_NAME})
    s.set_value(KEY, events[-KEEP:])


def _parse(text):
    try:
        return datetime.datetime.strptime(text, _FORMAT).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise ValidationError(f"Input '{text}' is not valid datetime. Valid example: 2000-12-31T12:59:59Z") from None


def window(start_time=None, end_time=None):
    """(start, end) as az takes them: end now by default, start an hour before end."""
    end = _parse(end_time) if end_time else datetime.datetime.now(datetime.timezone.utc)
    if start_time:
        start = _parse(start_time)
        if start >= end:
            raise ValidationError("Start time cannot be later than end time.")
    else:
        start = end - datetime.timedelta(hours=1)
    return start, end


def _scope_parts(scope):
    parts = [p for p in scope.split("/") if p]
    kind = "Subscription" if len(parts) < 3 else "Resource group" if len(parts) < 5 else "Resource"
    return parts[-1], kind


def events(start_time=None, end_time=None):
    """The events in the window, oldest first, with az's keys (principalName and roleName filled in)."""
    from azlocal.role import assignees, definitions

    start, end = window(start_time, end_time)
    out = []
    for event in store().get_value(KEY, []):
        when = datetime.datetime.fromisoformat(event["timestamp"])
        if not start <= when <= end:
            continue
        definition = definitions.by_guid(event["roleDefinitionId"])
        scope_name, scope_type = _scope_parts(event["scope"])
        out.append({"principalId": event["principalId"],
                    "principalName": assignees.display_name(event["principalId"]) or None,
                    "scope": event["scope"], "scopeName": scope_name, "scopeType": scope_type,
                    "roleDefinitionId": event["roleDefinitionId"],
                    "roleName": definition["roleName"] if definition else "N/A",
                    "timestamp": event["timestamp"], "caller": event["caller"], "action": event["action"]})
    return out
