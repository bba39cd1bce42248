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


def record(resource, reason, message, *, revision=None, replica=None, kind="Normal",
           source="ContainerAppController"):
    """Appends one event about `resource` (an app or job document; an environment's for its own events)."""
    entry = {"TimeStamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
             "Type": kind, "ContainerAppName": resource.get("name"), "RevisionName": revision,
             "ReplicaName": replica, "Msg": message, "Reason": reason, "EventSource": source, "Count": 1}
    if (resource.get("type") or "").lower() == "microsoft.app/jobs":
        entry["JobName"] = entry.pop("ContainerAppName")
    try:
        path = _path(_environment_id(resource))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        if path.stat().st_size > MAX_BYTES:
            _trim(path)
    except OSError as ex:
        log.warning("system log not written: %s", ex)


def _trim(path):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text("".join(lines[len(lines) // 2:]), encoding="utf-8")
    os.replace(tmp, path)


def entries(env_id, *, name=None, tail=None):
    """The events of an environment (of one app or job when `name` is given), oldest first; the last `tail`."""
    try:
        lines = _path(env_id).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if name is None or (entry.get("ContainerAppName") or entry.get("JobName")) == name:
            out.append(entry)
    return out[-tail:] if tail else out


def delete_environment(env_id):
    """Forgets an environment's system logs (with the environment)."""
    try:
        _path(env_id).unlink()
    except OSError:
        pass
