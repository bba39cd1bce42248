"""Issue 10 on real Docker: `container create` on an existing group redeploys it, the Confidential
SKU's security context reaches Docker, zones/priority/SKU are shown as az shows them, git repo
volumes are cloned."""

import json
import subprocess
import time

import pytest
import yaml

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "parity-rg")


def _inspect(home, name):
    ids = subprocess.run(["docker", "ps", "-q", "--filter", f"label=azlocal.home={home.resolve()}",
                          "--filter", f"label=azlocal.aci.container={name}"], capture_output=True, text=True)
    out = subprocess.run(["docker", "inspect", *ids.stdout.split()], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_create_on_an_existing_group_redeploys_it(az, rg, home):
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", BASE, "--command-line", "sleep 300",
           "--zone", "1", "--priority", "spot", "--sku", "standard")
    assert r.code == 0, r.err
    first = r.json()
    assert (first["zones"], first["priority"], first["sku"], first["tags"]) == (["1"], "Spot", "Standard", {})
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", BASE, "--command-line", "sleep 301",
           "-e", "A=B")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["ipAddress"]["ip"] == first["ipAddress"]["ip"]
    assert doc["containers"][0]["command"] == ["sleep", "301"]
    assert doc["zones"] is None and doc["priority"] is None  # a PUT: what is not given reverts to its default
    [container] = _inspect(home, "upd")
    assert container["Config"]["Cmd"] == ["sleep", "301"] and "A=B" in container["Config"]["Env"]
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", BASE, "--command-line", "sleep 301",
           "--cpu", "2")
    assert r.code == 1 and "InvalidContainerGroupUpdate" in r.err
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", "no-such/image:1", "--command-line", "sleep 1")
    assert r.code == 1 and "InaccessibleImage" in r.err
    shown = az("container", "show", "-g", rg, "-n", "upd").json()
    assert shown["containers"][0]["command"] == ["sleep", "301"] and shown["instanceView"]["state"] == "Running"


def test_confidential_security_context_reaches_docker(az, rg, home):
    r = az("container", "create", "-g", rg, "-n", "conf", "--image", BASE, "--command-line", "sleep 300",
           "--sku", "Confidential", "--run-as-user", "1000", "--run-as-group", "1000",
           "--drop-capabilities", "NET_RAW")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["sku"] == "Confidential" and doc["confidentialComputeProperties"]["ccePolicy"]
    assert doc["containers"][0]["securityContext"]["allowPrivilegeEscalation"] is False
    [container] = _inspect(home, "conf")
    assert container["Config"]["User"] == "1000:1000"
    assert container["HostConfig"]["CapDrop"] == ["NET_RAW"]
    assert "no-new-privileges:true" in container["HostConfig"]["SecurityOpt"]


def test_git_repo_volume_is_cloned(az, rg, tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "hello.txt").write_text("from git\n")
    subprocess.run(["git", "-C", str(repo), "add", "hello.txt"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)
    r = az("container", "create", "-g", rg, "-n", "git", "--image", BASE, "--command-line", "sleep 300",
           "--gitrepo-url", f"file://{repo}", "--gitrepo-dir", "src", "--gitrepo-mount-path", "/mnt/repo")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["volumes"][0]["gitRepo"]["repository"] == f"file://{repo}"
    assert doc["containers"][0]["volumeMounts"][0]["mountPath"] == "/mnt/repo"
    out = az("container", "exec", "-g", rg, "-n", "git", "--exec-command", "cat /mnt/repo/src/hello.txt")
    assert out.code == 0 and "from git" in out.out
    r = az("container", "create", "-g", rg, "-n", "nogit", "--image", BASE, "--gitrepo-url",
           f"file://{tmp_path}/absent", "--gitrepo-mount-path", "/src")
    assert r.code == 1 and "GitRepoVolumeFailed" in r.err and "Traceback" not in r.err
    assert az("container", "show", "-g", rg, "-n", "nogit").code == 3


RICH = """
name: rich
location: eastus
zones: ['1']
tags: {Team: A}
futureTopLevel: kept
properties:
  priority: Spot
  futureGroupKey: {nested: true}
  restartPolicy: OnFailure
  initContainers:
  - name: first
    properties:
      image: azlocal/busybox:latest
      command: [sh, -c, 'echo -n "$STEP" > /scratch/order']
      environmentVariables: [{name: STEP, value: one}]
      volumeMounts: [{name: work, mountPath: /scratch}]
  - name: second
    properties:
      image: azlocal/busybox:latest
      command: [sh, -c, 'echo -n "-$STEP" >> /scratch/order']
      environmentVariables: [{name: STEP, value: two}]
      volumeMounts: [{name: work, mountPath: /scratch}]
  containers:
  - name: app
    properties:
      image: azlocal/busybox:latest
      command: [sh, -c, 'cat /scratch/order; echo; sleep 300']
      ports: [{port: 8080}]
      environmentVariables: [{name: PLAIN, value: shown}, {name: HIDDEN, secureValue: not-shown}]
      resources: {requests: {cpu: 0.5, memoryInGB: 0.5}, limits: {cpu: 1, memoryInGB: 1}}
      volumeMounts: [{name: work, mountPath: /scratch, readOnly: true}]
      readinessProbe: {exec: {command: ['true']}, periodseconds: 5, timeoutSeconds: 2}
      securityContext: {capabilities: {drop: [NET_RAW]}}
      futureContainerKey: kept-too
  - name: side
    properties:
      image: azlocal/busybox:latest
      command: [sleep, '300']
      resources: {requests: {cpu: 0.5, memoryInGB: 0.5}}
  volumes:
  - {name: work, emptyDir: {}}
  ipAddress: {type: Public, ports: [{port: 8080}]}
  osType: Linux
"""


def _comparable(doc):
    """A group's document without what differs between two deployments (ids, times, IPs, live state)."""
    doc = json.loads(json.dumps(doc))
    for key in ("id", "instanceView"):
        doc.pop(key, None)
    doc["ipAddress"].pop("ip", None)
    for c in doc["containers"] + doc["initContainers"]:
        c.pop("instanceView", None)
    return doc


def test_init_containers_and_a_rich_group_round_trip_through_export(az, rg, tmp_path):
    (tmp_path / "rich.yaml").write_text(RICH)
    r = az("container", "create", "-g", "parity-rg", "--file", str(tmp_path / "rich.yaml"))
    assert r.code == 0, r.err
    # the init containers ran in order, before the app, each with its own environment and mounts
    deadline = time.time() + 20
    while "one-two" not in az("container", "logs", "-g", "parity-rg", "-n", "rich").out and time.time() < deadline:
        time.sleep(0.3)
    assert az("container", "logs", "-g", "parity-rg", "-n", "rich").out.strip() == "one-two"
    first = az("container", "show", "-g", "parity-rg", "-n", "rich").json()
    assert [c["name"] for c in first["initContainers"]] == ["first", "second"]
    for c in first["initContainers"]:
        assert c["instanceView"]["currentState"]["state"] == "Terminated"
        assert c["instanceView"]["currentState"]["exitCode"] == 0
        assert "resources" not in c and "ports" not in c
    app = first["containers"][0]
    assert app["readinessProbe"]["execProperty"] == {"command": ["true"]}
    assert app["readinessProbe"]["periodSeconds"] == 5
    assert app["resources"]["limits"] == {"cpu": 1.0, "gpu": None, "memoryInGb": 1.0}
    assert app["securityContext"]["capabilities"] == {"add": None, "drop": ["NET_RAW"]}
    assert (first["zones"], first["priority"], first["tags"]) == (["1"], "Spot", {"Team": "A"})
    # export keeps everything, unknown keys included, and no secret
    out = tmp_path / "exported.yaml"
    assert az("container", "export", "-g", "parity-rg", "-n", "rich", "-f", str(out)).code == 0
    exported = yaml.safe_load(out.read_text())
    assert exported["futureTopLevel"] == "kept" and exported["zones"] == ["1"]
    assert exported["properties"]["futureGroupKey"] == {"nested": True}
    app_yaml = exported["properties"]["containers"][0]["properties"]
    assert app_yaml["futureContainerKey"] == "kept-too" and app_yaml["readinessProbe"]["periodSeconds"] == 5
    assert {"name": "HIDDEN", "secureValue": ""} in app_yaml["environmentVariables"]
    assert "not-shown" not in out.read_text()
    # delete, create from the export: the same group
    assert az("container", "delete", "-g", "parity-rg", "-n", "rich", "--yes").code == 0
    r = az("container", "create", "-g", "parity-rg", "--file", str(out))
    assert r.code == 0, r.err
    again = az("container", "show", "-g", "parity-rg", "-n", "rich").json()
    assert _comparable(again) == _comparable(first)
    out2 = tmp_path / "again.yaml"
    assert az("container", "export", "-g", "parity-rg", "-n", "rich", "-f", str(out2)).code == 0
    second = yaml.safe_load(out2.read_text())
    for data in (exported, second):
        data["properties"]["ipAddress"].pop("ip", None)
    assert second == exported
