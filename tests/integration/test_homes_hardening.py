"""Issue 9 items 3 and 4 on real Docker: two homes with the same names never collide or touch each
other's objects, and a group delete after a `kill -9` of `az container create` leaves nothing behind."""

import base64
import json
import os
import signal
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"

POD = """
location: eastus
name: pod
properties:
  containers:
  - name: web
    properties:
      image: azlocal/busybox:latest
      command: ["sleep", "3600"]
      resources: {requests: {cpu: 0.25, memoryInGB: 0.25}}
      volumeMounts: [{name: shared, mountPath: /shared}]
  - name: side
    properties:
      image: azlocal/busybox:latest
      command: ["sleep", "3600"]
      resources: {requests: {cpu: 0.25, memoryInGB: 0.25}}
  volumes:
  - {name: shared, emptyDir: {}}
  osType: Linux
  restartPolicy: Always
"""


class Home:
    def __init__(self, path, env):
        self.path, self.env = path, env

    def az(self, *args, timeout=600):
        proc = subprocess.run(["az", *args], capture_output=True, text=True, env=self.env, timeout=timeout)
        assert proc.returncode == 0, f"az {' '.join(args)} in {self.path.name}: {proc.stderr}"
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    def objects(self, group=None):
        """ids of this home's (and group's) labelled containers, networks and volumes."""
        found = {}
        wanted = [f"label=azlocal.home={self.path.resolve()}"] + ([f"label=azlocal.group={group}"] if group else [])
        filters = [x for w in wanted for x in ("--filter", w)]
        for kind, command in (("containers", ["ps", "-aq"]), ("networks", ["network", "ls", "-q"]),
                              ("volumes", ["volume", "ls", "-q"])):
            out = subprocess.run(["docker", *command, *filters], capture_output=True, text=True, check=True).stdout
            found[kind] = sorted(out.split())
        return found

    def running(self):
        out = subprocess.run(["docker", "ps", "-q", "--filter", f"label=azlocal.home={self.path.resolve()}"],
                             capture_output=True, text=True, check=True).stdout
        return sorted(out.split())


def _home(tmp_path, bin_dir, name, **extra):
    path = tmp_path / name
    path.mkdir()
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", AZLOCAL_HOME=str(path), **extra)
    for var in ("AZURE_DEFAULTS_GROUP", "AZURE_DEFAULTS_LOCATION", "AZURE_DEFAULTS_ACR"):
        env.pop(var, None)
    return Home(path, env)


@pytest.fixture
def homes(tmp_path, bin_dir, home):
    """Two homes (the test's own `home` fixture keeps the process's AZLOCAL_HOME out of both)."""
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    a = _home(tmp_path, bin_dir, "home-a")
    b = _home(tmp_path, bin_dir, "home-b", AZLOCAL_HTTP_PORT="18080", AZLOCAL_HTTPS_PORT="18443")
    yield a, b
    for h in (a, b):
        subprocess.run(["azlocal", "reset", "--yes"], capture_output=True, env=h.env, timeout=300)


def _build_everything(h, tmp_path, page):
    h.az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none")
    h.az("container", "create", "-g", "rg", "-n", "web", "--image", BASE, "--command-line", "sleep 3600", "-o", "none")
    pod = tmp_path / f"pod-{h.path.name}.yaml"
    pod.write_text(POD)
    h.az("container", "create", "-g", "rg", "--file", str(pod), "-o", "none")
    h.az("containerapp", "env", "create", "-n", "env", "-g", "rg", "-l", "eastus", "-o", "none")
    h.az("containerapp", "create", "-n", "app", "-g", "rg", "--environment", "env", "--image", page, "-o", "none")


def test_two_homes_with_the_same_names_coexist_and_never_touch_each_other(homes, tmp_path):
    a, b = homes
    page = busybox.build(busybox.write_context(tmp_path / "page", [
        "RUN mkdir -p /www && echo hi > /www/index.html", 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]']),
        "azlocal-test/homes-page:v1")
    # Same group, container group, environment and app names in both homes: every create succeeds.
    _build_everything(a, tmp_path, page)
    _build_everything(b, tmp_path, page)
    objects_a, running_a = a.objects(), a.running()
    objects_b = b.objects()
    assert len(objects_a["networks"]) == 2 and len(objects_a["volumes"]) == 1  # pod network + environment
    assert len(running_a) == 5  # web, pod (infra + 2), one app replica
    for kind in ("containers", "networks", "volumes"):
        assert set(objects_a[kind]).isdisjoint(objects_b[kind]), kind
        assert len(objects_a[kind]) == len(objects_b[kind]), kind
    # Both homes see their own live state.
    for h in (a, b):
        assert h.az("container", "show", "-g", "rg", "-n", "pod")["instanceView"]["state"] == "Running"
        replicas = h.az("containerapp", "replica", "list", "-g", "rg", "-n", "app")
        assert len(replicas) == 1
    # Home B's group delete removes home B's objects only.
    b.az("group", "delete", "-n", "rg", "--yes")
    assert b.objects() == {"containers": [], "networks": [], "volumes": []}
    assert a.objects() == objects_a and a.running() == running_a
    assert a.az("container", "show", "-g", "rg", "-n", "web")["instanceView"]["state"] == "Running"
    # Home B's reset removes home B's objects only.
    b.az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none")
    b.az("container", "create", "-g", "rg", "-n", "web", "--image", BASE, "--command-line", "sleep 3600",
         "-o", "none")
    assert len(b.objects()["containers"]) == 1
    r = subprocess.run(["azlocal", "reset", "--yes"], capture_output=True, text=True, env=b.env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert b.objects() == {"containers": [], "networks": [], "volumes": []}
    assert a.objects() == objects_a and a.running() == running_a
    a.az("group", "delete", "-n", "rg", "--yes")
    assert a.objects() == {"containers": [], "networks": [], "volumes": []}


CRASH = """
location: eastus
name: crash
properties:
  initContainers:
  - name: slow
    properties:
      image: azlocal/busybox:latest
      command: ["sleep", "120"]
  containers:
  - name: app
    properties:
      image: azlocal/busybox:latest
      command: ["sleep", "3600"]
      environmentVariables:
      - {name: PASSWORD, secureValue: %(secure)s}
      resources: {requests: {cpu: 0.25, memoryInGB: 0.25}}
      volumeMounts: [{name: scratch, mountPath: /scratch}, {name: creds, mountPath: /creds}]
  volumes:
  - {name: scratch, emptyDir: {}}
  - name: creds
    secret: {token: %(token)s}
  osType: Linux
  restartPolicy: Always
"""


def test_group_delete_after_kill_9_of_container_create_leaves_nothing(homes, tmp_path):
    """`kill -9` while the init container runs (containers, network, volume and secrets exist; the
    group's row does not): `az group delete` still removes all of it."""
    a, b = homes
    for h in (a, b):
        h.az("group", "create", "-n", "crash-rg", "-l", "eastus", "-o", "none")
    # Home A holds a running group of the same names: the crash clean-up in B must not touch it.
    a.az("container", "create", "-g", "crash-rg", "-n", "crash", "--image", BASE, "--command-line", "sleep 3600",
         "-o", "none")
    kept = a.objects("crash-rg")
    secure = "crash-secure-value-7f3a9c"
    token = base64.b64encode(b"crash-secret-file-9b2e").decode()
    (tmp_path / "crash.yaml").write_text(CRASH % {"secure": secure, "token": token})
    proc = subprocess.Popen(["az", "container", "create", "-g", "crash-rg", "--file", str(tmp_path / "crash.yaml")],
                            env=b.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if any(c for c in _containers(b, "crash-rg", "azlocal.aci.role=init")):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "az container create ended before its init container started"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    debris = b.objects("crash-rg")
    assert debris["containers"] and debris["networks"] and debris["volumes"], debris
    assert secure in _keyring_values(b)  # the crash left its secret behind
    assert any(_memory(b).rglob("*")) and not (b.path / "aci-secrets").exists()  # its secret files: in memory
    assert b.az("container", "list", "-g", "crash-rg") == []  # and no row
    b.az("group", "delete", "-n", "crash-rg", "--yes")
    assert b.objects("crash-rg") == {"containers": [], "networks": [], "volumes": []}
    assert b.objects() == {"containers": [], "networks": [], "volumes": []}
    assert secure not in _keyring_values(b) and secure not in (b.path / "secrets.cfg").read_text()
    assert not any((b.path / "aci-secrets").rglob("*"))  # nor the secret volume's folder
    assert a.objects("crash-rg") == kept
    assert a.az("container", "show", "-g", "crash-rg", "-n", "crash")["instanceView"]["state"] == "Running"


def _memory(h):
    """The home's folder of secret volume files on the tmpfs (azlocal.aci.volumes.memory_root)."""
    import hashlib
    from pathlib import Path

    return Path("/dev/shm") / f"azlocal-{hashlib.sha256(str(h.path.resolve()).encode()).hexdigest()[:16]}"


def _containers(h, group, *label_filters):
    wanted = [f"label=azlocal.home={h.path.resolve()}", f"label=azlocal.group={group}", *map("label={}".format,
                                                                                           label_filters)]
    filters = [x for w in wanted for x in ("--filter", w)]
    return subprocess.run(["docker", "ps", "-q", *filters], capture_output=True, text=True).stdout.split()


def _keyring_values(h):
    """Every value in the home's keyring file, decoded (the file backend stores them base64-encoded)."""
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(h.path / "secrets.cfg")
    return [base64.b64decode(parser.get(section, key)).decode(errors="replace")
            for section in parser.sections() for key in parser.options(section)]
