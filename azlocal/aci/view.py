"""A container group's live state (instanceView), read from Docker each time."""

import json

from azlocal.aci import probes
from azlocal.aci.runtime import _containers
from azlocal.platform.store import store


def with_instance_view(doc):
    """The stored document plus its live state from Docker."""
    from azlocal.platform.engine import docker_client

    doc = json.loads(json.dumps(doc))
    if not docker_client.reachable():
        return doc
    live = _containers(doc)
    stopped = store().get_value(f"aci-stopped/{doc['id'].lower()}", False)
    states = []
    for c in doc["containers"]:
        for key in ("livenessProbe", "readinessProbe"):
            if c.get(key) and set(c[key]) != SHOWN_KEYS:
                c[key] = shown(c[key])
        container = live.get(c["name"])
        view = _container_view(container)
        c["instanceView"] = view
        states.append((container.attrs["State"] if container else None, view))
    doc["instanceView"] = {"events": [], "state": _group_state(doc, states, stopped)}
    return doc


SHOWN_KEYS = {"execProperty", "failureThreshold", "httpGet", "initialDelaySeconds", "periodSeconds",
              "successThreshold", "timeoutSeconds"}


def _int(value):
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return value


def shown(probe):
    """A probe as az shows it (its SDK's attribute names: `execProperty`), from whichever spelling it
    was stored with (ARM's camelCase, or lower-cased keys)."""
    if not probe:
        return None
    low = probes.lower
    p = low(probe)
    run, get = low(p.get("exec") or p.get("execproperty")), low(p.get("httpget"))
    headers = [{"name": low(h).get("name"), "value": low(h).get("value")} for h in get.get("httpheaders") or []]
    return {"execProperty": {"command": run.get("command")} if run else None,
            "failureThreshold": _int(p.get("failurethreshold")),
            "httpGet": {"httpHeaders": headers or None, "path": get.get("path"), "port": _int(get.get("port")),
                        "scheme": get.get("scheme")} if get else None,
            "initialDelaySeconds": _int(p.get("initialdelayseconds")), "periodSeconds": _int(p.get("periodseconds")),
            "successThreshold": _int(p.get("successthreshold")), "timeoutSeconds": _int(p.get("timeoutseconds"))}


def _time(value):
    if not value or value.startswith("0001-"):
        return None
    return value[:26].rstrip("Z") + "+00:00" if "." in value else value.replace("Z", "+00:00")


def _container_view(container):
    if container is None:
        return {"currentState": {"detailStatus": "", "exitCode": None, "finishTime": None, "startTime": None,
                                 "state": "Waiting"}, "events": [], "previousState": None, "restartCount": 0}
    state = container.attrs["State"]
    record = probes.read(container.id)
    restarts = container.attrs.get("RestartCount", 0) + record.get("restarts", 0)
    if state["Status"] == "running":
        current = {"detailStatus": "", "exitCode": None, "finishTime": None, "startTime": _time(state["StartedAt"]),
                   "state": "Running"}
    elif state["Status"] in ("exited", "dead") and record.get("restartAt") is not None:
        current = {"detailStatus": "CrashLoopBackOff: Back-off restarting failed container", "exitCode": None,
                   "finishTime": None, "startTime": None, "state": "Waiting"}
    elif state["Status"] in ("exited", "dead"):
        current = {"detailStatus": "Completed" if state["ExitCode"] == 0 else "Error", "exitCode": state["ExitCode"],
                   "finishTime": _time(state["FinishedAt"]), "startTime": _time(state["StartedAt"]),
                   "state": "Terminated"}
    elif state["Status"] == "restarting":
        current = {"detailStatus": "CrashLoopBackOff: Back-off restarting failed", "exitCode": None,
                   "finishTime": None, "startTime": None, "state": "Waiting"}
    else:
        current = {"detailStatus": "", "exitCode": None, "finishTime": None, "startTime": None, "state": "Waiting"}
    previous = None
    if record.get("previous") and (restarts or record.get("restartAt") is not None):
        previous = record["previous"]
    elif restarts:
        previous = {"detailStatus": "Error" if state.get("ExitCode") else "Completed",
                    "exitCode": state.get("ExitCode"), "finishTime": _time(state.get("FinishedAt")),
                    "startTime": None, "state": "Terminated"}
    return {"currentState": current, "events": _events(container, record, restarts), "previousState": previous,
            "restartCount": restarts}


def _events(container, record, restarts):
    """The container's events in time order: its pull, creation and starts, then what its probes saw."""
    created = _time(container.attrs.get("Created"))
    started = _time(container.attrs["State"].get("StartedAt"))
    image = container.attrs["Config"]["Image"]
    events = [
        {"count": 1, "firstTimestamp": created, "lastTimestamp": created, "message": f'pulling image "{image}"',
         "name": "Pulling", "type": "Normal"},
        {"count": 1, "firstTimestamp": created, "lastTimestamp": created,
         "message": f'Successfully pulled image "{image}"', "name": "Pulled", "type": "Normal"},
        {"count": restarts + 1, "firstTimestamp": created, "lastTimestamp": created, "message": "Created container",
         "name": "Created", "type": "Normal"},
    ]
    if started:
        events.append({"count": restarts + 1, "firstTimestamp": record.get("firstStart") or started,
                       "lastTimestamp": started, "message": "Started container", "name": "Started", "type": "Normal"})
    events += [dict(e) for e in record.get("events") or []]
    return sorted(events, key=lambda e: e["firstTimestamp"] or "")


def _group_state(doc, states, stopped):
    if stopped:
        return "Stopped"
    if any(view["currentState"]["state"] == "Running" or (raw and raw.get("Restarting")) or
           view["currentState"]["detailStatus"].startswith("CrashLoopBackOff") for raw, view in states):
        return "Running"
    if not states or any(raw is None for raw, _ in states):
        return "Pending"
    if doc["restartPolicy"] == "Always":
        return "Running"
    if all(view["currentState"].get("exitCode") == 0 for _, view in states):
        return "Succeeded"
    if doc["restartPolicy"] == "OnFailure":
        # a failed container is being restarted
        return "Running" if any(raw.get("Status") != "exited" for raw, _ in states) else "Failed"
    return "Failed"
