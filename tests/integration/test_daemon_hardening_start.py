"""Issue 9, item 2: the daemon starts once, however many commands need it at the same moment."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.integration


def _daemons_of(home):
    """Pids of `python -m azlocal.daemon` processes whose AZLOCAL_HOME is this home."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
            environ = open(f"/proc/{entry}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"azlocal.daemon" in cmdline and f"AZLOCAL_HOME={home}".encode() in environ:
            state = open(f"/proc/{entry}/stat").read().split()[2]
            if state != "Z":
                pids.append(int(entry))
    return pids


def test_16_parallel_acr_creates_start_one_daemon_and_all_succeed(az, home):
    assert az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(
            lambda i: az("acr", "create", "-g", "rg", "-n", f"race{i}reg", "--sku", "Basic", "-o", "none"),
            range(16)))
    assert [r.code for r in results] == [0] * 16, [r.err for r in results if r.code]
    assert not any("Traceback" in r.err or "already in use" in r.err or "another home" in r.err for r in results)
    pids = _daemons_of(home)
    assert len(pids) == 1, pids
    info = json.loads((home / "daemon.json").read_text())
    assert info["pid"] == pids[0]
    assert len(az("acr", "list", "--query", "[].name").json()) == 16


def test_a_command_during_its_own_daemons_start_is_not_told_another_home_holds_the_port(az, home):
    """The daemon is listening but has not written daemon.json yet: it is ours, not another home's."""
    from azlocal.platform import lifecycle

    first = az("local", "start")
    assert first.code == 0, first.err
    # Losing daemon.json (as in the window before the daemon writes it) must not make it a stranger.
    (home / "daemon.json").unlink()
    r = az("local", "start")
    assert r.code == 0, r.err
    assert "another home" not in r.err
    assert len(_daemons_of(home)) == 1
    assert lifecycle.running() is not None


def test_a_port_held_by_another_program_is_one_clear_error_line(az, home):
    import socket
    import subprocess

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)  # accepts, never answers: not an azlocal daemon
    port = holder.getsockname()[1]
    try:
        r = subprocess.run(["az", "local", "start"], env=dict(az.env, AZLOCAL_HTTP_PORT=str(port)),
                           capture_output=True, text=True, timeout=120)
    finally:
        holder.close()
    assert r.returncode == 1
    assert r.stderr.startswith("ERROR: The azlocal daemon could not start: cannot listen on 127.0.0.1:"), r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _daemons_of(home) == []
