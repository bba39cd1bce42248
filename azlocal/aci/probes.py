"""Liveness and readiness probes of container groups, and what the daemon does about them.

Liveness probes are Docker healthchecks (the engine runs them on the probe's period and timeout);
readiness probes run in the daemon (a container has one Docker healthcheck only). Each daemon round
(`restart_unhealthy`, every two seconds) turns probe failures into the container's events (`Unhealthy`,
`Killing`), kills a container whose liveness probe failed `failureThreshold` times in a row and restarts
it as the restart policy says (Always and OnFailure: with the kubelet's back-off after the first
restart; Never: it stays terminated), and gates the group's traffic on readiness: while a container
with a readiness probe is not ready, the container publishing the group's ports leaves its networks.
A container's record (restarts, events, previous state, readiness) is one row
of the store's key/value table, `aci-probe-restarts/<container id>`, which the group's cleanup deletes.
"""

import datetime
import shlex
import threading
import time

from knack.log import get_logger

from azlocal.aci.lookup import GROUP_TYPE
from azlocal.platform.engine import labels, objects
from azlocal.platform.store import store

logger = get_logger(__name__)
PREFIX = "aci-probe-restarts/"
KILL_GRACE = 5  # seconds between the stop signal and SIGKILL
BACKOFF_FIRST, BACKOFF_MAX, BACKOFF_RESET = 10, 300, 600  # seconds, as the kubelet's restart back-off
_SECOND = 1_000_000_000


# Probe documents -----------------------------------------------------------------------------------

def lower(value):
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


_TIMING = {"initialDelaySeconds": (0, 0), "periodSeconds": (10, 1), "failureThreshold": (3, 1),
           "successThreshold": (1, 1), "timeoutSeconds": (1, 1)}  # Kubernetes' default, and the least


def settings_of(probe):
    """The probe's timing, with Kubernetes' defaults for what it leaves out."""
    p, timing = lower(probe), {}
    for key, (default, least) in _TIMING.items():
        try:
            value = int(p[key.lower()]) if p.get(key.lower()) is not None else default
        except (TypeError, ValueError):
            value = default
        timing[key] = max(value, least)
    return timing


def command_of(probe):
    """The command that runs the probe inside the container (an exec probe's own, or wget for httpGet)."""
    p = lower(probe)
    if p.get("exec") or p.get("execproperty"):
        command = lower(p.get("exec") or p.get("execproperty")).get("command") or []
        if isinstance(command, str):
            command = shlex.split(command)
        return [str(x) for x in command] or None
    if p.get("httpget"):
        get = lower(p["httpget"])
        scheme = str(get.get("scheme") or "http").lower()
        path = str(get.get("path") or "/")
        url = f"{scheme}://localhost:{get.get('port') or 80}{path if path.startswith('/') else '/' + path}"
        argv = ["wget", "-q", "-O", "/dev/null"] + (["--no-check-certificate"] if scheme == "https" else [])
        for header in get.get("httpheaders") or []:
            header = lower(header)
            argv += ["--header", f"{header.get('name')}: {header.get('value', '')}"]
        return argv + [url]
    return None


def healthcheck(probe):
    """A liveness probe as a Docker healthcheck (None without one); the daemon acts on its results."""
    command = command_of(probe) if probe else None
    if not command:
        return None
    timing = settings_of(probe)
    return {"test": ["CMD"] + command, "interval": timing["periodSeconds"] * _SECOND,
            "timeout": timing["timeoutSeconds"] * _SECOND, "retries": timing["failureThreshold"],
            "start_period": timing["initialDelaySeconds"] * _SECOND}


# Records and events --------------------------------------------------------------------------------

def stamp(value=None):
    """A time as the instance view shows it (`2024-01-01T10:00:00.123456+00:00`): now, a Docker
    timestamp or epoch seconds; None for Docker's zero time."""
    if value is None:
        value = time.time()
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).isoformat()
    if not value or value.startswith("0001-"):
        return None
    return value[:26].rstrip("Z") + "+00:00" if "." in value else value.replace("Z", "+00:00")


def seconds(value):
    """A Docker timestamp as epoch seconds (0 for none)."""
    shown = stamp(value) if isinstance(value, str) else None
    return datetime.datetime.fromisoformat(shown).timestamp() if shown else 0.0


def record_of(value):
    """A stored record (an old integer is a restart count)."""
    return value if isinstance(value, dict) else {"restarts": int(value or 0)}


def read(container_id):
    return record_of(store().get_value(PREFIX + container_id))


def add_event(record, name, message, kind, at=None):
    """Counts an event into the record: the same reason and message again raise its count."""
    at = at or stamp()
    events = record.setdefault("events", [])
    for event in events:
        if event["name"] == name and event["message"] == message:
            event["count"] += 1
            event["lastTimestamp"] = max(event["lastTimestamp"], at)
            return event
    event = {"count": 1, "firstTimestamp": at, "lastTimestamp": at, "message": message, "name": name, "type": kind}
    events.append(event)
    return event


def _update(container_id, change, create=True):
    """Changes a container's record in one transaction (not at all if it is gone and `create` is false:
    a deleted group's prober must not write its record back)."""
    s = store()
    with s.transaction():
        stored = s.get_value(PREFIX + container_id)
        if stored is None and not create:
            return None
        record = record_of(stored)
        result = change(record)
        s.set_value(PREFIX + container_id, record)
    return result


def probe_message(kind, output, code):
    text = " ".join((output or "").split())
    if not text:
        text = f"command exited with status {code}" if code not in (None, -1) else "probe timed out"
    return f"{kind} probe failed: {text}"


def new_failures(health, seen, started_at, initial_delay):
    """Failed checks of a Docker health log that began after `seen` (epoch seconds) and after the
    initial delay, and the latest start seen."""
    failures, newest = [], seen or 0.0
    not_before = seconds(started_at) + initial_delay
    for entry in (health or {}).get("Log") or []:
        start = seconds(entry.get("Start"))
        if start <= (seen or 0.0):
            continue
        newest = max(newest, start)
        if entry.get("ExitCode") != 0 and start >= not_before:
            failures.append((stamp(entry["Start"]), probe_message("Liveness", entry.get("Output"),
                                                                  entry.get("ExitCode"))))
    return failures, newest


def backoff(streak):
    """Seconds to wait before a restart, after `streak` restarts in a row."""
    return 0 if streak <= 0 else min(BACKOFF_FIRST * 2 ** (streak - 1), BACKOFF_MAX)


def terminated_state(state):
    code = state.get("ExitCode")
    return {"detailStatus": "Completed" if code == 0 else "Error", "exitCode": code,
            "finishTime": stamp(state.get("FinishedAt")), "startTime": stamp(state.get("StartedAt")),
            "state": "Terminated"}


# The daemon's round --------------------------------------------------------------------------------

def _probed_groups():
    groups = {}
    for doc in store().list(type=GROUP_TYPE):
        probed = {c["name"]: c for c in doc.get("containers") or []
                  if c.get("livenessProbe") or c.get("readinessProbe")}
        if probed:
            groups[doc["id"].lower()] = (doc, probed)
    return groups


def restart_unhealthy():
    """One round of the daemon: liveness events, kills and restarts, readiness and its traffic gate.
    Returns the names of the containers it killed."""
    groups = _probed_groups()
    if not groups:
        _sync_probers({}, {})
        return []
    killed, members, infras = [], {}, {}
    for container in objects.containers(all=True):  # one list call: this home's containers
        entry = groups.get(container.labels.get(labels.RESOURCE, ""))
        role = container.labels.get(labels.ACI_ROLE)
        if entry is None or role not in ("app", "infra"):
            continue
        doc, probed = entry
        if role == "infra":
            infras[doc["id"].lower()] = container
            continue
        members.setdefault(doc["id"].lower(), []).append(container)
        spec = probed.get(container.labels.get(labels.ACI_CONTAINER))
        if spec is None:
            continue
        try:
            if _liveness(doc, spec, container):
                killed.append(container.name)
        except Exception as ex:  # one container's trouble must not stop the others'
            logger.warning("liveness probe of %s: %s", container.name, ex)
    _sync_probers(groups, members)
    for rid, containers in members.items():
        try:
            _gate(groups[rid][0], containers, infras.get(rid))
        except Exception as ex:
            logger.warning("readiness gate of %s: %s", groups[rid][0]["name"], ex)
    return killed


def _liveness(doc, spec, container):
    state = container.attrs["State"]
    record = read(container.id)
    if state["Status"] != "running":
        _restart_when_due(doc, container, record)
        return False
    if record.get("restartAt") is not None:  # started by someone else (az container start) meanwhile
        _update(container.id, lambda r: r.update(restartAt=None))
    probe = spec.get("livenessProbe")
    if not probe:
        return False
    timing = settings_of(probe)
    failures, newest = new_failures(state.get("Health"), record.get("seen"), state.get("StartedAt"),
                                    timing["initialDelaySeconds"])
    if failures or newest != record.get("seen"):
        def note(r):
            for at, message in failures:
                add_event(r, "Unhealthy", message, "Warning", at)
            r["seen"] = newest
        _update(container.id, note)
    if (state.get("Health") or {}).get("Status") != "unhealthy":
        return False
    _kill(doc, container)
    return True


def _kill(doc, container):
    """Kills a container whose liveness probe failed, and restarts it if the policy says so."""
    ran = time.time() - seconds(container.attrs["State"].get("StartedAt"))
    policy = doc.get("restartPolicy") or "Always"
    message = f"Killing container with id {container.id[:12]}: Container failed liveness probe.."
    message += "" if policy == "Never" else " Container will be killed and recreated."
    _update(container.id, lambda r: add_event(r, "Killing", message, "Normal"))
    container.stop(timeout=KILL_GRACE)
    container.reload()
    previous = terminated_state(container.attrs["State"])

    def after(r):
        r["previous"] = previous
        r.setdefault("firstStart", previous["startTime"])
        if policy == "Never":
            return r.update(restartAt=None)
        r["streak"] = 0 if ran >= BACKOFF_RESET else r.get("streak", 0)
        delay = backoff(r["streak"])
        r["streak"] += 1
        r["restartAt"] = time.time() + delay
        return delay

    if _update(container.id, after) == 0:
        _restart_when_due(doc, container, read(container.id))


def _restart_when_due(doc, container, record):
    due = record.get("restartAt")
    if due is None or time.time() < due:
        return
    if store().get_value(f"aci-stopped/{doc['id'].lower()}", False):
        return _update(container.id, lambda r: r.update(restartAt=None))  # az container stop: no restart
    container.start()
    _update(container.id, lambda r: r.update(restarts=r.get("restarts", 0) + 1, restartAt=None))


# Readiness -----------------------------------------------------------------------------------------

def _run_probe(container, argv, timeout):
    """(exit code, output) of a probe command in the container; a probe that outlasts its timeout fails."""
    result = {}

    def run():
        try:
            code, output = container.exec_run(argv)
            result["value"] = (code, (output or b"").decode(errors="replace"))
        except Exception as ex:
            result["value"] = (-1, str(getattr(ex, "explanation", None) or ex))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return result.get("value", (-1, f"command timed out after {timeout}s"))


def readiness_for(record, started_at):
    """The record's readiness is of this start of the container (a new start is not ready)."""
    if record.get("readyFor") != started_at:
        record.update(readyFor=started_at, ready=False, successes=0, failures=0)


def readiness_result(record, started_at, ok, message, timing, at=None):
    """Counts one readiness result into the record; returns whether the container is ready."""
    readiness_for(record, started_at)
    if ok:
        record["successes"], record["failures"] = record.get("successes", 0) + 1, 0
        if record["successes"] >= timing["successThreshold"]:
            record["ready"] = True
    else:
        record["successes"], record["failures"] = 0, record.get("failures", 0) + 1
        add_event(record, "Unhealthy", message, "Warning", at)
        if record["failures"] >= timing["failureThreshold"]:
            record["ready"] = False
    return record["ready"]


class _Prober(threading.Thread):
    """Runs one container's readiness probe on its period, from its start to its end."""

    def __init__(self, container, started_at, probe):
        super().__init__(daemon=True, name=f"readiness-{container.name}")
        self.container, self.started_at, self.probe = container, started_at, probe
        self.timing, self.argv = settings_of(probe), command_of(probe)
        self.halt = threading.Event()

    def run(self):
        delay = seconds(self.started_at) + self.timing["initialDelaySeconds"] - time.time()
        if self.halt.wait(max(delay, 0)) or not self.argv:
            return
        while not self.halt.is_set():
            begun = time.time()
            code, output = _run_probe(self.container, self.argv, self.timing["timeoutSeconds"])
            if self.halt.is_set():
                return
            message = probe_message("Readiness", output, code)
            try:
                _update(self.container.id, lambda r: readiness_result(r, self.started_at, code == 0, message,
                                                                      self.timing, stamp(begun)), create=False)
            except Exception as ex:
                logger.warning("readiness probe of %s: %s", self.container.name, ex)
            self.halt.wait(max(self.timing["periodSeconds"] - (time.time() - begun), 0))


_probers = {}  # container id -> its running _Prober (in the daemon)


def _sync_probers(groups, members):
    """One prober per running container with a readiness probe; a container that restarted gets a new one."""
    wanted = {}
    for rid, containers in members.items():
        for container in containers:
            spec = groups[rid][1].get(container.labels.get(labels.ACI_CONTAINER)) or {}
            if spec.get("readinessProbe") and container.attrs["State"]["Status"] == "running":
                wanted[container.id] = (container, container.attrs["State"]["StartedAt"], spec["readinessProbe"])
    for cid, prober in list(_probers.items()):
        if cid not in wanted or wanted[cid][1] != prober.started_at:
            prober.halt.set()
            del _probers[cid]
    for cid, (container, started_at, probe) in wanted.items():
        if cid not in _probers:
            _update(cid, lambda r, at=started_at: readiness_for(r, at))
            _probers[cid] = _Prober(container, started_at, probe)
            _probers[cid].start()


def group_ready(doc, containers):
    """Whether every running container of the group with a readiness probe is ready (None: no probe)."""
    specs = {c["name"]: c for c in doc.get("containers") or []}
    probed = [c for c in containers if (specs.get(c.labels.get(labels.ACI_CONTAINER)) or {}).get("readinessProbe")]
    if not probed:
        return None
    records = [(read(c.id), c.attrs["State"].get("StartedAt")) for c in probed]
    return all(r.get("readyFor") == started and r.get("ready") for r, started in records)


def _gate(doc, containers, infra):
    """Holds the group's ports closed while it is not ready: the container publishing them (the infra
    container, or the group's only container) leaves its networks, and joins its own network again once
    ready. The engine's view is the gate's state (a record can be reset under it: az container restart)."""
    ready = group_ready(doc, containers)
    if ready is None or not (doc.get("ipAddress") or {}).get("ports"):
        return  # no readiness probe, or no port to hold closed
    holder = infra or (containers[0] if len(containers) == 1 else None)
    if holder is None or holder.attrs["State"]["Status"] != "running":
        return
    mode = holder.attrs["HostConfig"].get("NetworkMode") or "default"
    if mode in ("host", "none") or mode.startswith("container:"):
        return
    connected = list(holder.attrs["NetworkSettings"].get("Networks") or {})
    if not ready:
        for name in connected:
            holder.client.networks.get(name).disconnect(holder)
    elif not connected:
        holder.client.networks.get("bridge" if mode == "default" else mode).connect(holder)
