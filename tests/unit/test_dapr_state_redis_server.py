"""The home's own redis-server (azlocal.aca.dapr.redis_server): started on demand on a unix socket only (no TCP
port), its data surviving a restart, a short socket folder when the home's path is too long for a socket, and
its watchdog stopping it when asked or when the home's folder disappears."""

import os
import shutil
import subprocess
import time

from azlocal.aca.dapr import redis_server


def _running(sock):
    out = subprocess.run(["pgrep", "-f", f"redis-server.*{sock}"], capture_output=True, text=True)
    return out.returncode == 0


def test_started_on_a_socket_persistent_and_stopped(home):
    sock = redis_server.ensure()
    assert sock == str(home / "dapr" / "redis" / "redis.sock") and oct(os.stat(sock).st_mode & 0o777) == "0o700"
    assert redis_server.ensure() == sock  # the running one is reused
    redis_server.client().set("k", "v")
    conf = (home / "dapr" / "redis" / "redis.conf").read_text()
    assert "port 0" in conf and "appendonly yes" in conf
    assert redis_server.stop() and not os.path.exists(sock)
    assert redis_server.client().get("k") == b"v"  # started again: the append-only file kept it
    assert redis_server.stop() and redis_server.stop() is False


def test_a_long_home_gets_a_short_socket_and_the_server_goes_with_the_home(tmp_path, monkeypatch):
    deep = tmp_path / ("h" * 60) / ("o" * 40)
    deep.mkdir(parents=True)
    monkeypatch.setenv("AZLOCAL_HOME", str(deep))
    sock = redis_server.ensure()
    assert len(sock) <= 100 and not sock.startswith(str(deep)) and redis_server.client().ping()
    shutil.rmtree(deep)
    deadline = time.monotonic() + 5
    while _running(sock) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(sock)
