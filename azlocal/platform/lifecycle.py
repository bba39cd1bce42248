"""Starting, finding and stopping the azlocal daemon of this AZLOCAL_HOME.

Readiness is one handshake. The daemon answers `/azlocal/status` with its info document
({"home", "pid", "port", "https_port", "ready"}) as soon as its HTTP socket listens, with
`ready: false` until every listener is up; then it writes `daemon.json` atomically (a
temporary file renamed into place) and flips `ready` to true. A daemon is this home's when
its status names this home; it is usable when it also says it is ready.

Starting is single-flight: `ensure_running()` takes an exclusive `flock` on
`daemon.start.lock` in the home, checks again, and only then starts a daemon and waits for it
to be ready, so parallel commands start one daemon and the others wait for the same one. The
daemon itself holds `daemon.lock` for its whole life, so a second daemon of the same home
(started by hand, say) exits at once instead of fighting over the port.
"""

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

from azlocal.core import settings
from azlocal.core.errors import AzLocalError

STATUS_PATH = "/azlocal/status"


def info_path():
    return settings.home() / "daemon.json"


def log_path():
    return settings.home() / "daemon.log"


def start_lock_path():
    return settings.home() / "daemon.start.lock"


def instance_lock_path():
    return settings.home() / "daemon.lock"


def _probe(port, timeout=1.0):
    """What answers on the port: the daemon's status document, {} for something else, None for nothing."""
    import http.client

    conn = http.client.HTTPConnection(settings.daemon_host(), port, timeout=timeout)
    try:
        conn.request("GET", STATUS_PATH, headers={"Host": "azlocal.local"})
        response = conn.getresponse()
        body = response.read()
        if response.status == 200:
            try:
                doc = json.loads(body)
            except ValueError:
                return {}
            return doc if isinstance(doc, dict) else {}
        return {}
    except OSError:
        return None
    finally:
        conn.close()


def _ours(status):
    return bool(status) and status.get("home") == settings.label_value()


def _recorded():
    try:
        info = json.loads(info_path().read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("port"), int) else None


def _candidate_ports():
    ports = []
    info = _recorded()
    if info:
        ports.append(info["port"])
    if settings.http_port() not in ports:
        ports.append(settings.http_port())
    return ports


def running():
    """The ready daemon of this home (its status document), or None."""
    for port in _candidate_ports():
        status = _probe(port)
        if _ours(status) and status.get("ready"):
            info = {k: status.get(k) for k in ("home", "https_port", "pid", "port")}
            info["port"] = info["port"] or port
            if _recorded() != info:
                write_info(info)  # daemon.json lost or stale: the daemon's own answer is the truth
            return info
    return None


def write_info(info):
    """daemon.json, written atomically: readers see the old document or the new one, never half."""
    tmp = info_path().with_name(f".daemon.json.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, info_path())


@contextmanager
def _start_lock(deadline):
    with open(start_lock_path(), "a") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise AzLocalError("Timed out waiting for another command to start the azlocal daemon of "
                                       f"this home; see {log_path()}.") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_running(timeout=None):
    """This home's ready daemon's info; starts it (once, however many commands ask at the same time)."""
    info = running()
    if info:
        return info
    timeout = settings.daemon_start_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    with _start_lock(deadline):
        info = running()  # the command that held the lock before us may have started it
        if info:
            return info
        port = settings.http_port()
        holder = _probe(port)
        if holder is not None and not _ours(holder):
            raise AzLocalError(_held_message(port, holder))
        proc = None
        if holder is None:
            proc, offset = _spawn(port)
        while time.monotonic() < deadline:
            info = running()
            if info:
                return info
            if proc is not None and proc.poll() is not None:
                holder = _probe(port)
                if holder is not None and not _ours(holder):
                    raise AzLocalError(_held_message(port, holder))
                if not _ours(holder) and not _instance_alive():
                    raise AzLocalError(f"The azlocal daemon could not start: {_failure(offset)} (see {log_path()}).")
                proc = None  # a daemon of this home started by other means is coming up: wait for it
            time.sleep(0.05)
        if proc is not None:
            proc.kill()
        raise AzLocalError(f"The azlocal daemon did not answer within {timeout:.0f}s; see {log_path()}.")


def _instance_alive():
    """Whether some daemon of this home holds its instance lock (it may not listen yet)."""
    try:
        with open(instance_lock_path(), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(lock, fcntl.LOCK_UN)
            return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def _spawn(port):
    with open(log_path(), "ab") as log:
        offset = log.tell()
        proc = subprocess.Popen(
            [sys.executable, "-m", "azlocal.daemon", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            env=dict(os.environ, AZLOCAL_HOME=str(settings.home())),
        )
    return proc, offset


def _failure(offset):
    """The daemon's own one-line reason for exiting, from what it wrote to the log since `offset`."""
    try:
        with open(log_path(), "rb") as f:
            f.seek(offset)
            lines = [line.strip() for line in f.read().decode(errors="replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    for line in reversed(lines):
        if "ERROR" in line:
            return line.split("ERROR", 1)[1].lstrip(" :")
    return lines[-1] if lines else "it exited without a message"


def _held_message(port, holder):
    if holder.get("home"):
        return (f"Port {port} is held by the azlocal daemon of another home ({holder['home']}, pid "
                f"{holder.get('pid')}). Stop it (AZLOCAL_HOME={holder['home']} azlocal stop) or give this "
                f"home another port with AZLOCAL_HTTP_PORT.")
    return (f"Port {port} on {settings.daemon_host()} is held by another program. Free it, or give azlocal "
            f"another port with AZLOCAL_HTTP_PORT.")


def stop(timeout=10.0):
    """Stops this home's daemon (ready or still starting); returns its pid, or None if none ran."""
    pid = None
    for port in _candidate_ports():
        status = _probe(port)
        if _ours(status) and isinstance(status.get("pid"), int):
            pid = status["pid"]
            break
    if pid is None:
        info_path().unlink(missing_ok=True)
        return None
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    info_path().unlink(missing_ok=True)
    return pid


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of ours counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return True


def logs(tail=None):
    text = log_path().read_text(errors="replace") if log_path().exists() else ""
    if tail:
        text = "\n".join(text.splitlines()[-tail:]) + "\n"
    return text


def url(port=None):
    return f"http://{settings.daemon_host()}:{port or settings.http_port()}"
