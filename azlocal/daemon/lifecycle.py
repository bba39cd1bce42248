"""Starting, finding and stopping the azlocal daemon of this AZLOCAL_HOME.

The daemon writes `daemon.json` ({"pid", "port", "home"}) once it listens. A command that needs
it calls `ensure_running()`: if the recorded daemon answers `/azlocal/status` with this home,
it is used; otherwise a new one is started in the background and waited for.
"""

import json
import os
import signal
import subprocess
import sys
import time

from azlocal import settings
from azlocal.errors import AzLocalError

STATUS_PATH = "/azlocal/status"


def info_path():
    return settings.home() / "daemon.json"


def log_path():
    return settings.home() / "daemon.log"


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
                return json.loads(body)
            except ValueError:
                return {}
        return {}
    except OSError:
        return None
    finally:
        conn.close()


def running():
    """The running daemon's info for this home, or None."""
    try:
        info = json.loads(info_path().read_text())
    except (OSError, ValueError):
        return None
    status = _probe(info["port"])
    if status and status.get("home") == settings.label_value():
        return info
    return None


def ensure_running(timeout=15.0):
    info = running()
    if info:
        return info
    port = settings.http_port()
    holder = _probe(port)
    if holder is not None:
        raise AzLocalError(_held_message(port, holder))
    log = open(log_path(), "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "azlocal.daemon", "--port", str(port)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        env=dict(os.environ, AZLOCAL_HOME=str(settings.home())),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = running()
        if info:
            return info
        if proc.poll() is not None:
            holder = _probe(port)
            if holder is not None:
                raise AzLocalError(_held_message(port, holder))
            raise AzLocalError(f"The azlocal daemon could not start; see {log_path()}:\n{_tail(20)}")
        time.sleep(0.05)
    proc.kill()
    raise AzLocalError(f"The azlocal daemon did not answer within {timeout:.0f}s; see {log_path()}.")


def _held_message(port, holder):
    if holder.get("home"):
        return (f"Port {port} is held by the azlocal daemon of another home ({holder['home']}, pid "
                f"{holder.get('pid')}). Stop it (AZLOCAL_HOME={holder['home']} azlocal stop) or give this "
                f"home another port with AZLOCAL_HTTP_PORT.")
    return (f"Port {port} on {settings.daemon_host()} is held by another program. Free it, or give azlocal "
            f"another port with AZLOCAL_HTTP_PORT.")


def stop(timeout=10.0):
    """Stops this home's daemon; returns its pid, or None if none ran."""
    try:
        info = json.loads(info_path().read_text())
    except (OSError, ValueError):
        return None
    pid = info.get("pid")
    status = _probe(info["port"])
    if not status or status.get("home") != settings.label_value():
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


def _tail(lines):
    try:
        return "\n".join(log_path().read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def logs(tail=None):
    text = log_path().read_text(errors="replace") if log_path().exists() else ""
    if tail:
        text = "\n".join(text.splitlines()[-tail:]) + "\n"
    return text


def url(port=None):
    return f"http://{settings.daemon_host()}:{port or settings.http_port()}"
