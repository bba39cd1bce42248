"""az container: restart policies, pods, secure values, YAML round trips and bad input, on real Docker."""

import subprocess
import time

import pytest
import yaml

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "aci-rg")


def _objects(home):
    label = f"label=azlocal.home={home.resolve()}"
    containers = subprocess.run(["docker", "ps", "-aq", "--filter", label], capture_output=True, text=True).stdout
    networks = subprocess.run(["docker", "network", "ls", "-q", "--filter", label], capture_output=True,
                              text=True).stdout
    return containers.split() + networks.split()


def _wait_for(az, name, predicate, timeout=40):
    deadline = time.time() + timeout
    doc = None
    while time.time() < deadline:
        doc = az("container", "show", "-g", "aci-rg", "-n", name).json()
        if predicate(doc):
            return doc
        time.sleep(0.5)
    raise AssertionError(f"condition not met; last document: {doc['instanceView']} "
                         f"{doc['containers'][0]['instanceView']}")


def _create(az, name, command, policy):
    r = az("container", "create", "-g", "aci-rg", "-n", name, "--image", BASE, "--command-line", command,
           "--restart-policy", policy, "--ports", "8080")
    assert r.code == 0, r.err
    return r.json()


@pytest.mark.parametrize("policy, command, group_state, restarts", [
    ("Never", "sh -c 'exit 0'", "Succeeded", False),
    ("Never", "sh -c 'exit 3'", "Failed", False),
    ("OnFailure", "sh -c 'exit 0'", "Succeeded", False),
    ("OnFailure", "sh -c 'exit 3'", None, True),
    ("Always", "sh -c 'exit 0'", "Running", True),
])
def test_restart_policies_on_exits(az, rg, policy, command, group_state, restarts):
    name = f"job-{policy.lower()}-{'ok' if 'exit 0' in command else 'fail'}"
    _create(az, name, command, policy)
    if restarts:
        doc = _wait_for(az, name, lambda d: d["containers"][0]["instanceView"]["restartCount"] >= 1)
    else:
        doc = _wait_for(az, name, lambda d: d["containers"][0]["instanceView"]["currentState"]["state"] ==
                        "Terminated")
        time.sleep(1.5)  # a restart would show by now
        doc = az("container", "show", "-g", "aci-rg", "-n", name).json()
        view = doc["containers"][0]["instanceView"]
        assert view["restartCount"] == 0
        assert view["currentState"]["exitCode"] == (0 if "exit 0" in command else 3)
    if group_state:
        assert doc["instanceView"]["state"] == group_state


@pytest.mark.parametrize("policy", ["Always", "OnFailure", "Never"])
def test_long_running_container_is_running_under_every_policy(az, rg, policy):
    _create(az, f"svc-{policy.lower()}", "sleep 300", policy)
    doc = az("container", "show", "-g", "aci-rg", "-n", f"svc-{policy.lower()}").json()
    assert doc["instanceView"]["state"] == "Running"
    assert doc["containers"][0]["instanceView"]["currentState"]["state"] == "Running"
    assert doc["provisioningState"] == "Succeeded"


def test_stop_start_restart_and_logs(az, rg):
    r = az("container", "create", "-g", "aci-rg", "-n", "talker", "--image", BASE, "--command-line",
           "sh -c 'echo hello-from-aci; sleep 300'")
    assert r.code == 0, r.err
    time.sleep(0.5)
    assert "hello-from-aci" in az("container", "logs", "-g", "aci-rg", "-n", "talker").out
    assert az("container", "stop", "-g", "aci-rg", "-n", "talker").code == 0
    assert az("container", "show", "-g", "aci-rg", "-n", "talker", "--query", "instanceView.state",
              "-o", "tsv").out.strip() == "Stopped"
    assert az("container", "start", "-g", "aci-rg", "-n", "talker").code == 0
    doc = _wait_for(az, "talker", lambda d: d["instanceView"]["state"] == "Running")
    assert doc["containers"][0]["instanceView"]["currentState"]["state"] == "Running"
    assert az("container", "restart", "-g", "aci-rg", "-n", "talker").code == 0
    table = az("container", "list", "-g", "aci-rg", "-o", "table").out.splitlines()
    assert table[0].split()[:4] == ["Name", "ResourceGroup", "Status", "Image"]


POD = """
apiVersion: 2023-05-01
location: eastus
name: pod
properties:
  containers:
  - name: web
    properties:
      image: azlocal/busybox:latest
      command: ["sh", "-c",
                "mkdir -p /www && echo from-the-web-container > /www/index.html && httpd -f -p 8080 -h /www"]
      ports: [{port: 8080}]
      resources: {requests: {cpu: 0.5, memoryInGB: 0.5}}
  - name: client
    properties:
      image: azlocal/busybox:latest
      command: ["sleep", "300"]
      environmentVariables:
      - {name: PLAIN, value: visible}
      - {name: TOPSECRET, secureValue: hush-hush-42}
      resources: {requests: {cpu: 0.5, memoryInGB: 0.5}}
      volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - {name: shared, emptyDir: {}}
  ipAddress: {type: Public, ports: [{port: 8080, protocol: TCP}]}
  osType: Linux
  restartPolicy: Always
"""


def test_pod_localhost_secure_values_and_yaml_round_trip(az, rg, tmp_path, home):
    (tmp_path / "pod.yaml").write_text(POD)
    r = az("container", "create", "-g", "aci-rg", "--file", str(tmp_path / "pod.yaml"))
    assert r.code == 0, r.err
    ip = r.json()["ipAddress"]["ip"]
    assert ip.startswith("127.") and ip != "127.0.0.1"
    # containers of a group share localhost
    time.sleep(0.5)
    out = subprocess.run(["az", "container", "exec", "-g", "aci-rg", "-n", "pod", "--container-name", "client",
                          "--exec-command", "wget -q -O - http://localhost:8080/"], env=az.env,
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert "from-the-web-container" in out.stdout, out.stderr
    # the group's port is published on its own address
    page = subprocess.run(["curl", "-fsS", "--retry", "5", "--retry-connrefused", f"http://{ip}:8080/"],
                          capture_output=True, text=True)
    assert "from-the-web-container" in page.stdout
    # the secure value reaches the container ...
    env = subprocess.run(["az", "container", "exec", "-g", "aci-rg", "-n", "pod", "--container-name", "client",
                          "--exec-command", "printenv TOPSECRET"], env=az.env, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    assert env.stdout.strip() == "hush-hush-42"
    # ... and never shows in any output, export, or the state database
    outputs = [az("container", "show", "-g", "aci-rg", "-n", "pod").out, az("container", "list").out,
               az("container", "show", "-g", "aci-rg", "-n", "pod", "-o", "yaml").out]
    assert az("container", "export", "-g", "aci-rg", "-n", "pod", "-f", str(tmp_path / "out.yaml")).code == 0
    outputs.append((tmp_path / "out.yaml").read_text())
    for text in outputs:
        assert "hush-hush-42" not in text
    assert b"hush-hush-42" not in (home / "state.db").read_bytes()
    shown = az("container", "show", "-g", "aci-rg", "-n", "pod").json()
    secure = [e for e in shown["containers"][1]["environmentVariables"] if e["name"] == "TOPSECRET"][0]
    assert secure == {"name": "TOPSECRET", "secureValue": None, "value": None}
    # round trip: export -> delete -> create --file -> the same definition
    exported = yaml.safe_load((tmp_path / "out.yaml").read_text())
    assert az("container", "delete", "-g", "aci-rg", "-n", "pod", "--yes").code == 0
    r = az("container", "create", "-g", "aci-rg", "--file", str(tmp_path / "out.yaml"))
    assert r.code == 0, r.err
    again = r.json()
    assert [c["name"] for c in again["containers"]] == ["web", "client"]
    assert [c["image"] for c in again["containers"]] == [c["image"] for c in shown["containers"]]
    assert again["ipAddress"]["ports"] == shown["ipAddress"]["ports"]
    assert [e["name"] for e in again["containers"][1]["environmentVariables"]] == ["PLAIN", "TOPSECRET"]
    assert exported["properties"]["containers"][0]["properties"]["command"][0] == "sh"


BAD_YAML_MISSING_IMAGE = "name: bad\nproperties:\n  containers:\n  - name: a\n    properties: {ports: [{port: 80}]}\n"
BAD_YAML_DUPLICATES = """name: dup
properties:
  containers:
  - {name: a, properties: {image: azlocal/busybox:latest}}
  - {name: a, properties: {image: azlocal/busybox:latest}}
"""
BAD_YAML_DUP_PORTS = """name: dupports
properties:
  containers:
  - {name: a, properties: {image: azlocal/busybox:latest, ports: [{port: 80}]}}
  - {name: b, properties: {image: azlocal/busybox:latest, ports: [{port: 80}]}}
"""
BAD_YAML_GPU = """name: gpu
properties:
  containers:
  - name: a
    properties:
      image: azlocal/busybox:latest
      resources: {requests: {cpu: 1, memoryInGB: 1, gpu: {count: 1, sku: K80}}}
"""
BAD_YAML_VOLUME = """name: novolume
properties:
  containers:
  - {name: a, properties: {image: azlocal/busybox:latest, volumeMounts: [{name: nope, mountPath: /x}]}}
"""


@pytest.mark.parametrize("args, yaml_text, code, message", [
    (["-n", "Bad_Name"], None, 1, "is invalid"),
    (["-n", "-lead"], None, 2, ""),
    (["-n", "a" * 64], None, 1, "is invalid"),
    (["-n", "cpu0", "--cpu", "0"], None, 1, "CPU request"),
    (["-n", "cpu10", "--cpu", "10"], None, 1, "CPU request"),
    (["-n", "mem0", "--memory", "0"], None, 1, "memory request"),
    (["-n", "mem99", "--memory", "99"], None, 1, "memory request"),
    (["-n", "port", "--ports", "70000"], None, 1, "port"),
    (["-n", "portx", "--ports", "http"], None, 2, "invalid port"),
    (["-n", "policy", "--restart-policy", "Sometimes"], None, 2, "is not a valid value for '--restart-policy'"),
    (["-n", "label", "--dns-name-label", "Not_Valid"], None, 1, "DNS name label"),
    (["-n", "noimage", "--image", ""], None, 1, "--image"),
    (["-n", "env", "-e", "NOEQUALS"], None, 1, "key=value"),
    (["-n", "win", "--os-type", "Windows"], None, 1, "Windows"),
    (["-n", "missing", "--image", "nosuchregistry.invalid/none:v1"], None, 1, "InaccessibleImage"),
    ([], "properties: [\n", 1, "YAML"),
    ([], BAD_YAML_MISSING_IMAGE, 1, "has no image"),
    ([], BAD_YAML_DUPLICATES, 1, "Duplicate container name"),
    ([], BAD_YAML_DUP_PORTS, 1, "Duplicate port"),
    ([], BAD_YAML_VOLUME, 1, "names no volume"),
    ([], BAD_YAML_GPU, 1, "GPU"),
])
def test_bad_input_is_refused_and_leaves_nothing(az, rg, home, tmp_path, args, yaml_text, code, message):
    command = ["container", "create", "-g", "aci-rg"]
    if yaml_text is not None:
        (tmp_path / "bad.yaml").write_text(yaml_text)
        command += ["--file", str(tmp_path / "bad.yaml")]
    else:
        command += args if "--image" in args else args + ["--image", BASE]
    r = az(*command)
    assert r.code == code, r.err
    assert "ERROR" in r.err and message in r.err
    assert _objects(home) == []
    assert az("container", "list", "-g", "aci-rg").json() == []


def test_missing_group_and_container_group_exit_3(az, rg):
    r = az("container", "show", "-g", "aci-rg", "-n", "nothere")
    assert r.code == 3 and "(ResourceNotFound)" in r.err
    r = az("container", "create", "-g", "no-such-rg", "-n", "x", "--image", BASE)
    assert r.code == 3 and "ResourceGroupNotFound" in r.err


def test_group_delete_removes_containers_network_and_hosts(az, rg, home):
    r = az("container", "create", "-g", "aci-rg", "-n", "web", "--image", "mcr.microsoft.com/azuredocs/aci-helloworld",
           "--dns-name-label", "azlocal-test-del", "--ports", "80")
    assert r.code == 0, r.err
    fqdn = r.json()["ipAddress"]["fqdn"]
    assert fqdn in open("/etc/hosts").read()
    assert _objects(home)
    assert az("group", "delete", "-n", "aci-rg", "--yes").code == 0
    assert _objects(home) == []
    assert fqdn not in open("/etc/hosts").read()


LIVENESS = """
name: probed
properties:
  containers:
  - name: app
    properties:
      image: azlocal/busybox:latest
      command: ["sh", "-c", "touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 600"]
      resources: {requests: {cpu: 0.5, memoryInGB: 0.5}}
      livenessProbe:
        exec: {command: ["test", "-f", "/tmp/alive"]}
        periodSeconds: 1
        failureThreshold: 1
  restartPolicy: Always
"""


def test_failed_liveness_probe_restarts_the_container(az, rg, tmp_path):
    (tmp_path / "probe.yaml").write_text(LIVENESS)
    r = az("container", "create", "-g", "aci-rg", "--file", str(tmp_path / "probe.yaml"))
    assert r.code == 0, r.err
    doc = _wait_for(az, "probed", lambda d: d["containers"][0]["instanceView"]["restartCount"] >= 1, timeout=40)
    assert doc["instanceView"]["state"] == "Running"


# The multi-container tutorial's deploy-aci.yaml, as Microsoft's docs publish it
# (container-instances-multi-container-yaml.md): the group's name has upper case letters.
TUTORIAL = """
apiVersion: 2019-12-01
location: eastus
name: myContainerGroup
properties:
  containers:
  - name: aci-tutorial-app
    properties:
      image: mcr.microsoft.com/azuredocs/aci-helloworld:latest
      resources:
        requests:
          cpu: 1
          memoryInGb: 1.5
      ports:
      - port: 80
      - port: 8080
  - name: aci-tutorial-sidecar
    properties:
      image: mcr.microsoft.com/azuredocs/aci-tutorial-sidecar
      resources:
        requests:
          cpu: 1
          memoryInGb: 1.5
  osType: Linux
  ipAddress:
    type: Public
    ports:
    - protocol: tcp
      port: 80
    - protocol: tcp
      port: 8080
tags: {exampleTag: tutorial}
type: Microsoft.ContainerInstance/containerGroups
"""


def test_tutorial_yaml_and_its_upper_case_group_name(az, rg, tmp_path):
    (tmp_path / "deploy-aci.yaml").write_text(TUTORIAL)
    r = az("container", "create", "--resource-group", "aci-rg", "--file", str(tmp_path / "deploy-aci.yaml"))
    assert r.code == 0, r.err
    assert r.json()["name"] == "myContainerGroup"
    # ARM ids are case-insensitive; the name keeps the case it was created with
    for spelling in ("myContainerGroup", "mycontainergroup", "MYCONTAINERGROUP"):
        shown = az("container", "show", "-g", "aci-rg", "-n", spelling)
        assert shown.code == 0, shown.err
        assert shown.json()["name"] == "myContainerGroup"
    table = az("container", "show", "--resource-group", "aci-rg", "--name", "myContainerGroup", "--output", "table")
    assert table.code == 0 and "myContainerGroup" in table.out
    logs = az("container", "logs", "--resource-group", "aci-rg", "--name", "myContainerGroup", "--container-name",
              "aci-tutorial-app")
    assert logs.code == 0, logs.err
    # a create spelled otherwise is the same resource: an update, not a second group
    r = az("container", "create", "-g", "aci-rg", "-n", "MyContainerGroup", "--file", str(tmp_path / "deploy-aci.yaml"))
    assert r.code == 1 and "must match" in r.err
    assert [g["name"] for g in az("container", "list", "-g", "aci-rg").json()] == ["myContainerGroup"]


@pytest.mark.parametrize("args, yaml_text, message", [
    (["-n", "MyGroup", "--image", BASE], None, "(InvalidContainerName) The container name 'MyGroup' in container "
     "group 'MyGroup' is invalid"),
    ([], "name: Upper\nproperties:\n  containers:\n  - {name: WebApp, properties: {image: azlocal/busybox:latest}}\n",
     "(InvalidContainerName) The container name 'WebApp' in container group 'Upper' is invalid"),
    ([], "name: bad_group\nproperties:\n  containers:\n  - {name: a, properties: {image: azlocal/busybox:latest}}\n",
     "(InvalidResourceName) The container group name 'bad_group' is invalid"),
])
def test_container_names_follow_azures_rule(az, rg, home, tmp_path, args, yaml_text, message):
    """A group from flags names its container after itself (as az does), so an upper-case group name
    from flags is refused by Azure's container name rule; from YAML it is fine."""
    if yaml_text:
        (tmp_path / "g.yaml").write_text(yaml_text)
        args = ["--file", str(tmp_path / "g.yaml")]
    r = az("container", "create", "-g", "aci-rg", *args)
    assert r.code == 1 and r.err.startswith("ERROR: ") and message in r.err, r.err
    assert az("container", "list", "-g", "aci-rg").json() == []
    assert _objects(home) == []

