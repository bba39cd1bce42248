"""ACI probes on real Docker: liveness kills and restarts as the restart policy says, with Azure's
`Unhealthy`/`Killing` events; readiness gates the group's traffic and never restarts; probes come
from YAML (`az container create -f`) and show with Azure's camelCase keys."""

import json
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import yaml

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _own_ports(monkeypatch):
    """This module's daemon needs no well-known port: it takes free ones (another home's may hold 80)."""
    monkeypatch.setenv("AZLOCAL_HTTP_PORT", str(_free_port()))
    monkeypatch.setenv("AZLOCAL_HTTPS_PORT", str(_free_port()))


@pytest.fixture
def rg(_own_ports, az):
    yield from busybox.resource_group(az, "probe-rg")


def _create(az, tmp_path, name, container, policy="Always", ports=()):
    doc = {"apiVersion": "2019-12-01", "location": "eastus", "name": name, "type":
           "Microsoft.ContainerInstance/containerGroups",
           "properties": {"osType": "Linux", "restartPolicy": policy,
                          "containers": [{"name": "app", "properties": dict(
                              {"image": BASE, "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}},
                               "ports": [{"port": p} for p in ports]}, **container)}]}}
    if ports:
        doc["properties"]["ipAddress"] = {"type": "Public", "ports": [{"protocol": "tcp", "port": p} for p in ports]}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    r = az("container", "create", "-g", "probe-rg", "-f", str(path))
    assert r.code == 0, r.err
    return r.json()


def _show(az, name):
    r = az("container", "show", "-g", "probe-rg", "-n", name)
    assert r.code == 0, r.err
    return r.json()


def _wait_for(az, name, predicate, timeout=120):
    deadline = time.time() + timeout
    doc = None
    while time.time() < deadline:
        doc = _show(az, name)
        if predicate(doc):
            return doc
        time.sleep(0.5)
    raise AssertionError(f"condition not met; last: {json.dumps(doc['instanceView'])} "
                         f"{json.dumps(doc['containers'][0]['instanceView'], indent=1)}")


def _view(doc):
    return doc["containers"][0]["instanceView"]


def _event(doc, name, prefix=""):
    found = [e for e in _view(doc)["events"] if e["name"] == name and e["message"].startswith(prefix)]
    return found[0] if found else None


# Healthy for a moment, then the probe's file goes; TERM ends the shell at once (it is PID 1).
FADING = "trap 'exit 143' TERM; touch /tmp/alive; sleep 3; rm -f /tmp/alive; sleep 600 & wait"
LIVENESS = {"exec": {"command": ["cat", "/tmp/alive"]}, "periodSeconds": 1, "failureThreshold": 2,
            "timeoutSeconds": 1}


@pytest.mark.parametrize("policy", ["Always", "OnFailure"])
def test_failing_liveness_probe_kills_and_restarts_with_events(az, rg, tmp_path, policy):
    name = f"live-{policy.lower()}"
    created = _create(az, tmp_path, name, {"command": ["sh", "-c", FADING], "livenessProbe": LIVENESS}, policy)
    probe = created["containers"][0]["livenessProbe"]
    assert probe["periodSeconds"] == 1 and probe["failureThreshold"] == 2 and "periodseconds" not in probe
    assert probe["execProperty"] == {"command": ["cat", "/tmp/alive"]} and probe["httpGet"] is None
    doc = _wait_for(az, name, lambda d: _view(d)["restartCount"] >= 1 and
                    _view(d)["currentState"]["state"] == "Running")
    view = _view(doc)
    unhealthy, killing = _event(doc, "Unhealthy"), _event(doc, "Killing")
    assert unhealthy["type"] == "Warning" and unhealthy["count"] >= 2
    assert unhealthy["message"].startswith("Liveness probe failed: cat:") and "/tmp/alive" in unhealthy["message"]
    assert killing["type"] == "Normal" and killing["count"] >= 1 and killing["message"].startswith("Killing container")
    assert set(unhealthy) == {"count", "firstTimestamp", "lastTimestamp", "message", "name", "type"}
    assert view["previousState"]["state"] == "Terminated" and view["previousState"]["exitCode"] == 143
    assert _event(doc, "Started")["count"] == view["restartCount"] + 1
    stamps = [e["firstTimestamp"] for e in view["events"]]
    assert stamps == sorted(stamps)
    assert doc["instanceView"]["state"] == "Running"
    # It fails again after the restart: the count of Unhealthy goes on, and a second kill follows (after
    # the back-off the docs describe).
    doc = _wait_for(az, name, lambda d: (_event(d, "Killing") or {}).get("count", 0) >= 2 and
                    _view(d)["restartCount"] >= 2)
    assert _event(doc, "Unhealthy")["count"] >= 4


def test_never_policy_leaves_the_killed_container_terminated(az, rg, tmp_path):
    _create(az, tmp_path, "live-never", {"command": ["sh", "-c", FADING], "livenessProbe": LIVENESS}, "Never")
    doc = _wait_for(az, "live-never", lambda d: _view(d)["currentState"]["state"] == "Terminated")
    assert _event(doc, "Killing")["count"] == 1
    assert _event(doc, "Unhealthy", "Liveness probe failed")["count"] >= 2
    # More rounds of the daemon pass (its log of kills and restarts says so): still not restarted.
    time.sleep(6)
    doc = _show(az, "live-never")
    view = _view(doc)
    assert view["restartCount"] == 0 and view["currentState"]["state"] == "Terminated"
    assert view["currentState"]["exitCode"] == 143 and view["previousState"] is None
    assert _event(doc, "Killing")["count"] == 1
    assert doc["instanceView"]["state"] == "Failed"


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as ex:
        return ex.code
    except OSError:
        return None


SERVE = "mkdir -p /www; echo hello > /www/index.html; exec httpd -f -p 8080 -h /www"
READINESS = {"httpGet": {"path": "/ready.html", "port": 8080, "scheme": "http"}, "periodSeconds": 1,
             "failureThreshold": 1, "successThreshold": 2}


def test_readiness_probe_gates_traffic_until_ready_and_never_restarts(az, rg, tmp_path):
    doc = _create(az, tmp_path, "ready", {"command": ["sh", "-c", SERVE], "readinessProbe": READINESS},
                  ports=[8080])
    assert doc["containers"][0]["readinessProbe"]["successThreshold"] == 2
    url = f"http://{doc['ipAddress']['ip']}:8080/"
    doc = _wait_for(az, "ready", lambda d: _event(d, "Unhealthy", "Readiness probe failed") is not None)
    assert _event(doc, "Unhealthy")["type"] == "Warning"
    deadline = time.time() + 60
    while _get(url) is not None and time.time() < deadline:  # the daemon closes the gate
        time.sleep(0.3)
    assert _get(url) is None
    # While the probe goes on failing, the group's port stays closed.
    seen = _event(doc, "Unhealthy")["count"]
    doc = _wait_for(az, "ready", lambda d: _event(d, "Unhealthy")["count"] >= seen + 2)
    assert _get(url) is None
    assert _view(doc)["currentState"]["state"] == "Running" and doc["instanceView"]["state"] == "Running"
    # Ready: the page the probe asks for appears, and traffic flows.
    r = az("container", "exec", "-g", "probe-rg", "-n", "ready", "--exec-command", "touch /www/ready.html")
    assert r.code == 0, r.err
    deadline = time.time() + 60
    while _get(url) != 200 and time.time() < deadline:
        time.sleep(0.3)
    assert _get(url) == 200
    # Not ready again: the gate closes again; readiness failures never restart the container.
    assert az("container", "exec", "-g", "probe-rg", "-n", "ready", "--exec-command", "rm /www/ready.html").code == 0
    deadline = time.time() + 60
    while _get(url) is not None and time.time() < deadline:
        time.sleep(0.3)
    assert _get(url) is None
    doc = _show(az, "ready")
    assert _view(doc)["restartCount"] == 0 and _event(doc, "Killing") is None
    # Restarted while held closed: the new run is held until it is ready, then traffic flows again.
    assert az("container", "restart", "-g", "probe-rg", "-n", "ready").code == 0
    assert _get(url) is None
    assert az("container", "exec", "-g", "probe-rg", "-n", "ready", "--exec-command",
              "touch /www/ready.html").code == 0
    deadline = time.time() + 60
    while _get(url) != 200 and time.time() < deadline:
        time.sleep(0.3)
    assert _get(url) == 200


def _records(home):
    with sqlite3.connect(home / "state.db") as conn:
        return [k for (k,) in conn.execute("SELECT key FROM kv WHERE key LIKE 'aci-probe-restarts/%'")]


def test_probe_records_go_with_the_group(az, rg, tmp_path, home):
    _create(az, tmp_path, "live-gone", {"command": ["sh", "-c", FADING], "livenessProbe": LIVENESS}, "Never")
    _wait_for(az, "live-gone", lambda d: _event(d, "Killing") is not None)
    ids = subprocess.run(["docker", "ps", "-aq", "--no-trunc", "--filter", f"label=azlocal.home={home.resolve()}"],
                         capture_output=True, text=True).stdout.split()
    assert any(k.split("/")[1] in ids for k in _records(home))
    assert az("container", "delete", "-g", "probe-rg", "-n", "live-gone", "--yes").code == 0
    assert not any(k.split("/")[1] in ids for k in _records(home))


def test_a_sidecar_not_ready_holds_the_whole_groups_port_closed(az, rg, tmp_path):
    doc = {"apiVersion": "2019-12-01", "location": "eastus", "name": "pod-ready", "properties": {
        "osType": "Linux", "restartPolicy": "Always",
        "ipAddress": {"type": "Public", "ports": [{"protocol": "tcp", "port": 8080}]},
        "containers": [
            {"name": "web", "properties": {"image": BASE, "command": ["sh", "-c", SERVE], "ports": [{"port": 8080}],
                                           "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}}},
            {"name": "sidecar", "properties": {
                "image": BASE, "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"],
                "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}},
                "readinessProbe": {"exec": {"command": ["test", "-f", "/tmp/ready"]}, "periodSeconds": 1}}}]}}
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(doc))
    r = az("container", "create", "-g", "probe-rg", "-f", str(tmp_path / "pod.yaml"))
    assert r.code == 0, r.err
    url = f"http://{r.json()['ipAddress']['ip']}:8080/"
    deadline = time.time() + 60
    while _get(url) is not None and time.time() < deadline:
        time.sleep(0.3)
    assert _get(url) is None
    shown = _show(az, "pod-ready")
    sidecar = [c for c in shown["containers"] if c["name"] == "sidecar"][0]["instanceView"]
    assert any(e["name"] == "Unhealthy" and e["message"].startswith("Readiness probe failed")
               for e in sidecar["events"])
    r = az("container", "exec", "-g", "probe-rg", "-n", "pod-ready", "--container-name", "sidecar",
           "--exec-command", "touch /tmp/ready")
    assert r.code == 0, r.err
    deadline = time.time() + 60
    while _get(url) != 200 and time.time() < deadline:
        time.sleep(0.3)
    assert _get(url) == 200
    # The group's containers reach each other on localhost all along (the pod's namespace stays).
    r = az("container", "exec", "-g", "probe-rg", "-n", "pod-ready", "--container-name", "sidecar",
           "--exec-command", "wget -q -O /dev/null http://localhost:8080/")
    assert r.code == 0, r.err
