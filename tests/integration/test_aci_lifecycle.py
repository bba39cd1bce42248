"""az container stop / start / restart in every state, and exec with piped stdin, on real Docker
(Microsoft's "Manually stop or start containers in Azure Container Instances")."""

import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
RG = "life-rg"


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, RG)


def _create(az, name, command, policy="Always"):
    r = az("container", "create", "-g", RG, "-n", name, "--image", BASE, "--command-line", command,
           "--restart-policy", policy)
    assert r.code == 0, r.err
    return r.json()


def _show(az, name):
    r = az("container", "show", "-g", RG, "-n", name)
    assert r.code == 0, r.err
    return r.json()


def _wait_for(az, name, predicate, timeout=40):
    deadline = time.monotonic() + timeout
    doc = _show(az, name)
    while not predicate(doc) and time.monotonic() < deadline:
        time.sleep(0.3)
        doc = _show(az, name)
    assert predicate(doc), (doc["instanceView"], doc["containers"][0]["instanceView"])
    return doc


def _exec_ok(az, name, command):
    r = az("container", "exec", "-g", RG, "-n", name, "--exec-command", command, input="")
    assert r.code == 0, r.err
    return r.out


def _state(doc):
    return doc["instanceView"]["state"]


def _current(doc):
    return doc["containers"][0]["instanceView"]["currentState"]


# exec --------------------------------------------------------------------------------------------

def test_exec_forwards_piped_stdin_and_exits_as_az(az, rg):
    _create(az, "shell", "sleep 300")
    r = az("container", "exec", "-g", RG, "-n", "shell", "--exec-command", "/bin/sh",
           input="echo hi-from-stdin\necho to-stderr >&2\nexit 3\n")
    # az reports no exit status of the remote command: the session ended, az exits 0
    assert r.code == 0, r.err
    assert r.out.splitlines() == ["hi-from-stdin"]
    assert "to-stderr" in r.err
    # commands that need no input still answer, and stdin at EOF at once is fine
    r = az("container", "exec", "-g", RG, "-n", "shell", "--exec-command", "cat /etc/hostname", input="")
    assert (r.code, r.out.strip()) == (0, "shell")


def test_exec_ends_with_the_process_even_when_stdin_stays_open(az, rg):
    _create(az, "quick", "sleep 300")
    proc = subprocess.Popen(["az", "container", "exec", "-g", RG, "-n", "quick", "--exec-command", "echo done"],
                            env=az.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=120)  # stdin is never closed by us
    finally:
        proc.kill()
    assert (proc.returncode, out.decode().strip()) == (0, "done"), err


def test_exec_needs_a_container_name_in_a_group_of_several(az, rg, tmp_path):
    (tmp_path / "two.yaml").write_text(f"""
apiVersion: 2023-05-01
location: eastus
name: two
properties:
  containers:
  - name: a
    properties: {{image: {BASE}, command: [sleep, "300"], resources: {{requests: {{cpu: 0.5, memoryInGB: 0.5}}}}}}
  - name: b
    properties: {{image: {BASE}, command: [sleep, "300"], resources: {{requests: {{cpu: 0.5, memoryInGB: 0.5}}}}}}
  osType: Linux
""")
    assert az("container", "create", "-g", RG, "--file", str(tmp_path / "two.yaml")).code == 0
    r = az("container", "exec", "-g", RG, "-n", "two", "--exec-command", "hostname", input="")
    assert r.code == 1
    assert "--container-name required when container group has more than one container." in r.err
    r = az("container", "exec", "-g", RG, "-n", "two", "--container-name", "b", "--exec-command", "echo b-here",
           input="")
    assert (r.code, r.out.strip()) == (0, "b-here")


def test_exec_on_a_finished_group_runs_nothing_and_on_a_stopped_one_is_refused(az, rg):
    _create(az, "job", "sh -c 'exit 0'", "Never")
    _wait_for(az, "job", lambda d: _state(d) == "Succeeded")
    r = az("container", "exec", "-g", RG, "-n", "job", "--exec-command", "/bin/sh", input="echo x\n")
    assert r.code == 0 and r.out == ""  # the session ends at once, as Azure's does
    assert "have terminated (Succeeded): the command was not run." in r.err
    _create(az, "svc", "sleep 300")
    assert az("container", "stop", "-g", RG, "-n", "svc").code == 0
    r = az("container", "exec", "-g", RG, "-n", "svc", "--exec-command", "echo x", input="")
    assert r.code == 1 and "(ContainerGroupStopped)" in r.err and r.out == ""


# stop / start / restart ----------------------------------------------------------------------------

@pytest.mark.parametrize("command, final", [("sh -c 'exit 0'", "Succeeded"), ("sh -c 'exit 4'", "Failed")])
def test_stop_has_no_effect_on_a_terminated_group(az, rg, command, final):
    _create(az, "done", command, "Never")
    before = _wait_for(az, "done", lambda d: _state(d) == final)
    r = az("container", "stop", "-g", RG, "-n", "done")
    assert (r.code, r.out, r.err) == (0, "", "")
    after = _show(az, "done")
    assert _state(after) == final
    assert _current(after) == _current(before)
    # start is a new run of the same container: it runs again, and ends the same way
    started = _current(before)["startTime"]
    assert az("container", "start", "-g", RG, "-n", "done").code == 0
    again = _wait_for(az, "done", lambda d: _state(d) == final and _current(d)["startTime"] != started)
    assert again["containers"][0]["instanceView"]["restartCount"] == 0


def test_stop_start_restart_of_a_running_group(az, rg):
    # every run fails once (a restart: the marker is in the container's own file system), then keeps running
    _create(az, "svc", "sh -c 'test -f /tmp/ran && exec sleep 300; touch /tmp/ran; exit 1'")
    doc = _wait_for(az, "svc", lambda d: d["containers"][0]["instanceView"]["restartCount"] >= 1
                    and _current(d)["state"] == "Running")
    assert doc["containers"][0]["instanceView"]["restartCount"] == 1
    _exec_ok(az, "svc", "touch /tmp/left-by-the-last-run")

    r = az("container", "stop", "-g", RG, "-n", "svc")
    assert (r.code, r.out) == (0, "")
    doc = _show(az, "svc")
    assert _state(doc) == "Stopped" and _current(doc)["state"] == "Terminated"
    # stop again: nothing changes; restart of a stopped group is refused as Azure refuses it
    assert az("container", "stop", "-g", RG, "-n", "svc").code == 0
    r = az("container", "restart", "-g", RG, "-n", "svc")
    assert r.code == 1
    assert f"(ContainerGroupStopped) Container Group 'svc' in resource group '{RG}' is stopped." in r.err
    assert _state(_show(az, "svc")) == "Stopped"

    # start: a new deployment of the same configuration, nothing of the last run kept (the marker is
    # gone, so the new run fails once too: one restart, not two), and the same address
    address = doc["ipAddress"]["ip"]
    r = az("container", "start", "-g", RG, "-n", "svc")
    assert (r.code, r.out) == (0, "")
    doc = _wait_for(az, "svc", lambda d: _state(d) == "Running" and _current(d)["state"] == "Running"
                    and d["containers"][0]["instanceView"]["restartCount"] >= 1)
    assert doc["containers"][0]["instanceView"]["restartCount"] == 1
    assert _exec_ok(az, "svc", "ls /tmp").split() == ["ran"]
    assert doc["ipAddress"]["ip"] == address

    # start on a running group has no effect
    started = _current(doc)["startTime"]
    r = az("container", "start", "-g", RG, "-n", "svc")
    assert (r.code, r.out) == (0, "")
    assert _current(_show(az, "svc"))["startTime"] == started

    # restart (with --no-wait: nothing printed) runs the same container again, in place
    _exec_ok(az, "svc", "touch /tmp/kept")
    r = az("container", "restart", "-g", RG, "-n", "svc", "--no-wait")
    assert (r.code, r.out) == (0, "")
    doc = _wait_for(az, "svc", lambda d: _current(d)["state"] == "Running" and _current(d)["startTime"] != started)
    assert _state(doc) == "Running"
    assert sorted(_exec_ok(az, "svc", "ls /tmp").split()) == ["kept", "ran"]


def test_start_after_stop_empties_emptydir_volumes(az, rg, tmp_path):
    (tmp_path / "e.yaml").write_text(f"""
apiVersion: 2023-05-01
location: eastus
name: scratch
properties:
  containers:
  - name: app
    properties:
      image: {BASE}
      command: [sleep, "300"]
      resources: {{requests: {{cpu: 0.5, memoryInGB: 0.5}}}}
      volumeMounts: [{{name: tmp, mountPath: /scratch}}]
  volumes:
  - {{name: tmp, emptyDir: {{}}}}
  osType: Linux
""")
    assert az("container", "create", "-g", RG, "--file", str(tmp_path / "e.yaml")).code == 0
    _exec_ok(az, "scratch", "touch /scratch/old")
    assert _exec_ok(az, "scratch", "ls /scratch").split() == ["old"]
    assert az("container", "stop", "-g", RG, "-n", "scratch").code == 0
    assert az("container", "start", "-g", RG, "-n", "scratch").code == 0
    assert _exec_ok(az, "scratch", "ls /scratch").split() == []


def test_start_no_wait_prints_nothing_and_the_group_runs(az, rg):
    _create(az, "nw", "sleep 300")
    assert az("container", "stop", "-g", RG, "-n", "nw").code == 0
    r = az("container", "start", "-g", RG, "-n", "nw", "--no-wait")
    assert (r.code, r.out, r.err) == (0, "", "")
    _wait_for(az, "nw", lambda d: _state(d) == "Running")


def test_lifecycle_of_a_missing_group_is_a_404(az, rg):
    for verb in ("stop", "start", "restart"):
        r = az("container", verb, "-g", RG, "-n", "nosuch")
        assert r.code == 3, (verb, r)
        assert "(ResourceNotFound)" in r.err
