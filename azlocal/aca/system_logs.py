"""System logs of container apps and jobs: the events the platform writes about them (revision and replica
lifecycle, image pulls, probe failures, scale decisions, job executions, …), in the shape of Azure's
ContainerAppSystemLogs stream. They are kept per environment as JSON lines in the home (a file named by a
hash of the environment id, so no user-given name reaches the filesystem); `az containerapp logs show --type
system` reads an app's, `az containerapp env logs show` the whole environment's.

Every part of the aca package records through `record`; it never raises (a log that cannot be written
must not fail the operation it describes)."""

import hashlib
import json
import logging
import os
import time
from datetime import datetime, timezone

from azlocal.core import settings

log = logging.getLogger(__name__)
MAX_BYTES = 4 << 20  # per environment; the older half is dropped past it


def _path(env_id):
    digest = hashlib.sha256(env_id.lower().encode()).hexdigest()[:32]
    return settings.home() / "aca" / "system-logs" / f"{digest}.jsonl"


def _environment_id(resource):
    props = resource.get("properties") or {}
    return props.get("environmentId") or props.get("managedEnvironmentId") or resource.get("id", "")


def _stamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry(resource_name, reason, message, *, revision=None, replica=None, kind="Normal",
          source="ContainerAppController", job=False):
    """One event in the stream's shape (the keys and their order as Azure's event stream prints them)."""
    return {"TimeStamp": _stamp(), "Type": kind, "JobName" if job else "ContainerAppName": resource_name,
            "RevisionName": revision, "ReplicaName": replica, "Msg": message, "Reason": reason,
            "EventSource": source, "Count": 1}


def connected():
    """The two events the stream starts with, before the resource's own."""
    return [entry(None, "StartingGettingEvents", "Connecting to the events collector..."),
            entry(None, "ConnectedToEventsServer", "Successfully connected to events server")]


def record(resource, reason, message, *, revision=None, replica=None, kind="Normal",
           source="ContainerAppController"):
    """Appends one event about `resource` (an app or job document; an environment's for its own events)."""
    try:
        job = (resource.get("type") or "").lower() == "microsoft.app/jobs"
        line = json.dumps(entry(resource.get("name"), reason, message, revision=revision, replica=replica,
                                kind=kind, source=source, job=job))
        path = _path(_environment_id(resource))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        if path.stat().st_size > MAX_BYTES:
            _trim(path)
    except (OSError, TypeError, ValueError, AttributeError) as ex:
        log.warning("system log not written: %s", ex)


def _trim(path):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text("".join(lines[len(lines) // 2:]), encoding="utf-8")
    os.replace(tmp, path)


def _matching(lines, name):
    out = []
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if name is None or (event.get("ContainerAppName") or event.get("JobName")) == name:
            out.append(event)
    return out


def entries(env_id, *, name=None, tail=None):
    """The events of an environment (of one app or job when `name` is given), oldest first; the last `tail`
    (all of them when `tail` is None; none for 0)."""
    try:
        lines = _path(env_id).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = _matching(lines, name)
    if tail is None:
        return out
    return out[len(out) - tail:] if tail else []


def stream(env_id, *, name=None, tail=20, follow=False, poll=0.5):
    """What the event stream prints: its connection events, the last `tail` events, then (with `follow`)
    each new one as it is written, until interrupted."""
    yield from connected()
    path = _path(env_id)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
            offset = f.tell()
    except OSError:
        lines, offset = [], 0
    out = _matching(lines, name)
    yield from (out[len(out) - tail:] if tail else [])
    while follow:
        time.sleep(poll)
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size < offset:  # trimmed: start again from its beginning
            offset = 0
        if size == offset:
            continue
        with open(path, encoding="utf-8") as f:
            f.seek(offset)
            chunk = f.read()
        complete, _, _ = chunk.rpartition("\n")
        if complete:
            offset += len(complete.encode("utf-8")) + 1
            yield from _matching(complete.splitlines(), name)


def delete_environment(env_id):
    """Forgets an environment's system logs (with the environment)."""
    try:
        _path(env_id).unlink()
    except OSError:
        pass
