"""Leases on blobs and containers, as Azure's Lease Blob / Lease Container: a lease is a small JSON value
in the row ({"id", "duration" (-1 infinite, or 15-60 s), "expires", "broken_at"}), its state derived
from the clock when read (leased, expired, breaking, broken); `apply` returns the new value and the result
headers; `check_write` says whether a write (or a delete) may go ahead with the lease id it carries."""

import json
import time
import uuid

from azlocal.storage.storage_errors import StorageError


def _state(lease, now=None):
    """(state, status) of a stored lease: available/leased/expired/breaking/broken, locked/unlocked."""
    if not lease:
        return "available", "unlocked"
    now = now or time.time()
    if lease.get("broken_at") is not None:
        return ("breaking", "locked") if now < lease["broken_at"] else ("broken", "unlocked")
    if lease["duration"] != -1 and now >= lease["expires"]:
        return "expired", "unlocked"
    return "leased", "locked"


def view(raw):
    """The lease part of a container's or blob's properties."""
    lease = json.loads(raw) if raw else None
    state, status = _state(lease)
    duration = None
    if state == "leased":
        duration = "infinite" if lease["duration"] == -1 else "fixed"
    return {"state": state, "status": status, "duration": duration, "id": lease["id"] if status == "locked" else None}


def check_write(raw, lease_id, what, required=True, delete=False):
    """A write on a leased blob/container needs its active lease id; a lease id with no active lease fails."""
    lease = json.loads(raw) if raw else None
    state, status = _state(lease)
    suffix = "Blob" if what == "blob" else "Container"
    if status == "locked":
        if not lease_id:
            if required or delete:
                raise StorageError("LeaseIdMissing", what=what)
            return
        if lease_id != lease["id"]:
            raise StorageError(f"LeaseIdMismatchWith{suffix}Operation")
    elif lease_id:
        raise StorageError(f"LeaseNotPresentWith{suffix}Operation")


def apply(raw, action, *, what, lease_id=None, proposed_id=None, duration=None, break_period=None):
    """(new stored value, {"lease_id", "lease_time"}) for acquire, renew, change, release or break."""
    lease = json.loads(raw) if raw else None
    now = time.time()
    state, status = _state(lease, now)
    out = {}
    if action == "acquire":
        duration = -1 if duration in (None, "") else int(duration)
        if duration != -1 and not 15 <= duration <= 60:
            raise StorageError("InvalidHeaderValue")
        if status == "locked" and (state == "breaking" or lease["id"] != (proposed_id or lease["id"] + "x")):
            raise StorageError("LeaseAlreadyPresent")
        new_id = proposed_id or str(uuid.uuid4())
        lease = {"id": new_id, "duration": duration, "expires": now + max(duration, 0), "broken_at": None}
        out["lease_id"] = new_id
    elif action in ("renew", "change", "release"):
        if not lease:
            raise StorageError("LeaseNotPresentWithLeaseOperation", what=what)
        if lease_id != lease["id"] and not (action == "change" and proposed_id == lease["id"]):
            raise StorageError("LeaseIdMismatchWithLeaseOperation", what=what)
        if action == "renew":
            if state in ("breaking", "broken"):
                raise StorageError("LeaseIsBrokenAndCannotBeRenewed")
            lease["expires"] = now + max(lease["duration"], 0)
            out["lease_id"] = lease["id"]
        elif action == "change":
            if state != "leased":
                raise StorageError("LeaseNotPresentWithLeaseOperation", what=what)
            lease["id"] = proposed_id
            out["lease_id"] = proposed_id
        else:
            lease = None
    elif action == "break":
        if state not in ("leased", "breaking"):
            if state in ("available", "expired"):
                raise StorageError("LeaseNotPresentWithLeaseOperation", what=what)
            out["lease_time"] = 0
        else:
            remaining = float("inf") if lease["duration"] == -1 else max(0.0, lease["expires"] - now)
            period = remaining if break_period is None else min(int(break_period), remaining)
            if period == float("inf"):
                period = 0
            if state == "leased":
                lease["broken_at"] = now + period
            out["lease_time"] = int(max(0, lease["broken_at"] - now))
    else:
        raise StorageError("InvalidHeaderValue")
    return (json.dumps(lease) if lease else None), out
