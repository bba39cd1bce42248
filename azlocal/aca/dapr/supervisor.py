"""Which replicas need a sidecar, and keeping one running for each (called by the daemon about once a second).

A running replica of an app whose `configuration.dapr.enabled` is true gets a sidecar: `nsenter
--net=/proc/<pid>/ns/net <python> -m azlocal.aca.dapr.sidecar …`, a process of its own session (it outlives
a daemon restart) in the namespace of the replica's first container, so its 127.0.0.1:3500 is the app's. Each
sidecar has a state file and a log under <home>/dapr/sidecars/: {"state": "starting"|"up"|"unavailable"|
"failed", "pid", "container_pid", "reason", "attempts"}. `sync()` stops sidecars whose replica is gone (or whose
app no longer has Dapr), and starts one again when its container's pid (so its namespace) changed: a restarted
replica; one that died is started again (after MAX_ATTEMPTS exits in the same container it is "failed", with
its last log line, and tried every FAILED_PAUSE seconds). Without root or nsenter no sidecar can join a
namespace: the state says "unavailable" with the reason, and the daemon warns once per app. `replica_ready`
lets a revision's readiness wait for its sidecars (a failed or unavailable one is a warning, not a wait).
"""

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from azlocal.aca.dapr.context import dapr_settings
from azlocal.core import safepath, settings

log = logging.getLogger("azlocal.daemon")
HTTP_PORT = 3500
GRPC_PORT = 50001
RESTART_PAUSE = 2.0  # a sidecar that died is started again at most this often
MAX_ATTEMPTS = 3  # after this many exits in the same container: "failed" (with its last log line), tried slower
FAILED_PAUSE = 30.0
_REPLICA = re.compile(r"^[a-z0-9][-a-z0-9]{0,126}$")
_children = {}  # replica -> Popen, so the daemon reaps the sidecars it started
_last_start = {}
_warned = set()


@dataclass
class Want:
    """A replica that needs a sidecar."""
    app: dict
    revision: str
    replica: str
    container_pid: int


def environment_values(app):
    """DAPR_HTTP_PORT and DAPR_GRPC_PORT for a replica's containers when the app has Dapr enabled."""
    if not dapr_settings(app).get("enabled"):
        return {}
    return {"DAPR_HTTP_PORT": str(HTTP_PORT), "DAPR_GRPC_PORT": str(GRPC_PORT)}


# State files -------------------------------------------------------------------------------------------

def folder():
    path = safepath.home_path("dapr", "sidecars")
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_path(replica, suffix=".json"):
    if not _REPLICA.fullmatch(replica or ""):
        raise ValueError(f"not a replica name: {replica!r}")
    return folder() / f"{replica}{suffix}"


def write_state(replica, **fields):
    path = state_path(replica)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(json.dumps(dict(fields, at=time.time())))
    os.replace(temp, path)


def read_state(replica):
    try:
        return json.loads(state_path(replica).read_text())
    except (OSError, ValueError):
        return None


def _remove_state(replica):
    try:
        state_path(replica).unlink()
    except OSError:
        pass


# What is wanted ----------------------------------------------------------------------------------------

def _container_pid(container):
    state = container.attrs.get("State") or {}
    return state.get("Pid") if state.get("Status") == "running" else None


def wanted():
    """The running replicas of this home's Dapr-enabled apps (their active revisions' pods' heads)."""
    from azlocal.aca.appstore import APP_TYPE
    from azlocal.platform.engine import labels, objects
    from azlocal.platform.store import store

    out = []
    for app in store().list(type=APP_TYPE):
        if not dapr_settings(app).get("enabled"):
            continue
        for c in objects.containers(resource_id=app["id"]):
            replica = c.labels.get(labels.ACA_REPLICA)
            pid = _container_pid(c)
            if replica and c.name == replica and pid and _REPLICA.fullmatch(replica):
                out.append(Want(app, c.labels.get(labels.ACA_REVISION), replica, pid))
    return out


# Processes ---------------------------------------------------------------------------------------------

def _is_sidecar(pid, replica):
    """pid is alive and is this replica's sidecar (not a recycled pid)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{int(pid)}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"azlocal.aca.dapr.sidecar" in cmdline and replica.encode() in cmdline


def _stop(replica, state):
    pid = (state or {}).get("pid")
    if state and state.get("state") != "unavailable" and _is_sidecar(pid, replica):
        try:
            os.kill(int(pid), signal.SIGTERM)
        except OSError:
            pass
    _remove_state(replica)
    child = _children.pop(replica, None)
    if child is not None:
        try:
            child.wait(timeout=2)
        except subprocess.TimeoutExpired:
            child.kill()


def command(want):
    """The sidecar's command line: nsenter into the replica's network namespace, then this Python."""
    return [shutil.which("nsenter") or "nsenter", f"--net=/proc/{want.container_pid}/ns/net", sys.executable, "-m",
            "azlocal.aca.dapr.sidecar", "--app", want.app["id"], "--replica", want.replica,
            "--revision", want.revision or "", "--container-pid", str(want.container_pid),
            "--http-port", str(HTTP_PORT), "--grpc-port", str(GRPC_PORT)]


def unavailable_reason():
    """Why no sidecar can join a namespace here (None when one can)."""
    if os.geteuid() != 0:
        return "the azlocal daemon does not run as root, so it cannot enter a replica's network namespace"
    if shutil.which("nsenter") is None:
        return "nsenter (util-linux) is not installed"
    return None


def start(want, attempts=0):
    reason = unavailable_reason()
    if reason:
        write_state(want.replica, state="unavailable", reason=reason, container_pid=want.container_pid)
        if want.app["id"].lower() not in _warned:
            _warned.add(want.app["id"].lower())
            log.warning("Dapr sidecars of the container app '%s' cannot start: %s.", want.app["name"], reason)
        return None
    package_root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ, AZLOCAL_HOME=str(settings.home()),
               PYTHONPATH=os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
    with open(state_path(want.replica, ".log"), "ab") as out:
        child = subprocess.Popen(command(want), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                 env=env, start_new_session=True, close_fds=True)
    _children[want.replica] = child
    _last_start[want.replica] = time.monotonic()
    write_state(want.replica, state="starting", pid=child.pid, container_pid=want.container_pid, attempts=attempts)
    log.info("Dapr sidecar for replica %s (app %s) started, pid %d", want.replica, want.app["name"], child.pid)
    return child


def sync():
    """One round: sidecars for the replicas that need one, none for those that don't."""
    for replica, child in list(_children.items()):  # reap the ones that exited
        if child.poll() is not None:
            _children.pop(replica, None)
    wants = {w.replica: w for w in wanted()}
    for path in folder().glob("*.json"):
        replica = path.stem
        state = read_state(replica)
        want = wants.get(replica)
        if want is None or (state or {}).get("container_pid") != want.container_pid:
            _stop(replica, state)
    for replica, want in wants.items():
        state = read_state(replica)
        same = bool(state) and state.get("container_pid") == want.container_pid
        if same and (state.get("state") == "unavailable" or _is_sidecar(state.get("pid"), replica)):
            continue
        attempts = (state.get("attempts") or 0) + 1 if same else 0  # it died in this same container
        pause = FAILED_PAUSE if attempts >= MAX_ATTEMPTS else RESTART_PAUSE
        if time.monotonic() - _last_start.get(replica, -pause) < pause:
            if same and attempts >= MAX_ATTEMPTS and state.get("state") != "failed":
                write_state(replica, state="failed", reason=_last_line(replica), pid=state.get("pid"),
                            container_pid=want.container_pid, attempts=attempts - 1)
            continue
        start(want, attempts)


def _last_line(replica):
    """The last line the sidecar wrote (why it exited)."""
    try:
        lines = state_path(replica, ".log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "the sidecar exited"
    return lines[-1][-300:] if lines else "the sidecar exited"


# Readiness (called by the CLI) --------------------------------------------------------------------------

_daemon_checked = None  # the home whose daemon this process made sure of


def ensure_daemon(app):
    """Starts the daemon (which keeps the sidecars) when the app has Dapr enabled; once per CLI process and home. For
    the commands that change an app's Dapr settings without a new revision (`containerapp dapr enable`)."""
    global _daemon_checked
    if dapr_settings(app).get("enabled") and _daemon_checked != str(settings.home()):
        from azlocal.platform import lifecycle

        lifecycle.ensure_running()
        _daemon_checked = str(settings.home())


def replica_ready(app, heads):
    """True when every head's sidecar is up (or cannot run here: a warning says why, once). Makes sure the
    daemon, which starts the sidecars, runs."""
    if not dapr_settings(app).get("enabled"):
        return True
    ensure_daemon(app)
    for head in heads:
        state = read_state(head.name) if _REPLICA.fullmatch(head.name) else None
        if not state or state.get("container_pid") != _container_pid(head):
            return False
        if state.get("state") in ("unavailable", "failed"):
            _warn_unavailable(app, state)
        elif state.get("state") != "up":
            return False
    return True


def _warn_unavailable(app, state):
    key = ("cli", app["id"].lower())
    if key not in _warned:
        _warned.add(key)
        from knack.log import get_logger

        get_logger(__name__).warning("No Dapr sidecar runs for the container app '%s': %s.", app["name"],
                                     state.get("reason"))
