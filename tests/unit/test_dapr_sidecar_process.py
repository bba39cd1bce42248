"""The sidecar as the daemon runs it, without Docker: a network namespace of its own (`unshare --net`, a
stand-in for a replica's container), the supervisor's real `nsenter … python -m azlocal.aca.dapr.sidecar`,
Dapr's API answering on 127.0.0.1:3500 inside that namespace (and not on the host's loopback), and the
sidecar exiting once the namespace's process is gone. Needs root, unshare and nsenter (skipped otherwise)."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from azlocal.aca.dapr import supervisor

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter")
                                or not shutil.which("ip"), reason="needs root, unshare, nsenter and ip")

PROBE = ("import json, sys, urllib.request as u\n"
         "r = u.urlopen('http://127.0.0.1:3500' + sys.argv[1], timeout=5)\n"
         "print(json.dumps({'status': r.status, 'body': r.read().decode()}))\n")


def _in_ns(pid, path):
    out = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", sys.executable, "-c", PROBE, path],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_sidecar_serves_inside_the_namespace_and_exits_with_it(home):
    from tests.unit.test_aca_parity import _seed

    env, app = _seed()
    from azlocal.platform.store import store

    app["properties"]["configuration"]["dapr"] = {"enabled": True, "appId": "orders", "appPort": 3000,
                                                  "appProtocol": "http"}
    store().put(app)
    pod = subprocess.Popen(["unshare", "--net", "sh", "-c", "ip link set lo up && exec sleep 60"])
    child = None
    try:
        assert _wait(lambda: os.stat(f"/proc/{pod.pid}/ns/net").st_ino != os.stat("/proc/self/ns/net").st_ino)
        time.sleep(0.1)
        replica = "app1--abc-1234567890-xyz12"
        child = supervisor.start(supervisor.Want(app, "app1--abc", replica, pod.pid))
        assert _wait(lambda: (supervisor.read_state(replica) or {}).get("state") == "up"), \
            supervisor.state_path(replica, ".log").read_text()
        assert _in_ns(pod.pid, "/v1.0/healthz") == {"status": 204, "body": ""}
        meta = json.loads(_in_ns(pod.pid, "/v1.0/metadata")["body"])
        assert meta["id"] == "orders" and meta["appConnectionProperties"]["port"] == 3000
        import socket
        with pytest.raises(OSError):  # the host's loopback has no sidecar on 3500 (it lives in the namespace)
            socket.create_connection(("127.0.0.1", 3500), timeout=0.5).close()
        pod.kill()
        pod.wait()
        assert _wait(lambda: child.poll() is not None, timeout=10), "the sidecar outlived its namespace"
        log = supervisor.state_path(replica, ".log").read_text()
        assert "level=info" in log and "app_id=orders" in log
    finally:
        if pod.poll() is None:
            pod.kill()
        if child is not None and child.poll() is None:
            child.kill()
