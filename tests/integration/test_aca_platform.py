"""Container Apps' platform on real Docker: a dedicated workload profile's CPU and memory as the replica's
Docker limits, an Azure Files environment storage that an app writes into (read-write) and cannot write
(read-only), seen by `az storage file list`; usages; managed identities; and bad input that changes
nothing (no app row, no container, no storage)."""

import json
import os
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
RG = "plat-rg"


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, RG)


def _ok(r):
    assert r.code == 0, r.err
    return r.json() if r.out.strip() else None


def _containers(home, app_id=None):
    label = ["--filter", f"label=azlocal.home={home.resolve()}"]
    if app_id:
        label += ["--filter", f"label=azlocal.resource={app_id.lower()}"]
    out = subprocess.run(["docker", "ps", "-aq", *label], capture_output=True, text=True, check=True).stdout
    return out.split()


def _app_yaml(tmp_path, env_id, profile, cpu, memory, command):
    text = f"""
properties:
  managedEnvironmentId: {env_id}
  workloadProfileName: {profile}
  template:
    containers:
    - name: main
      image: {BASE}
      command: ["sh", "-c", {json.dumps(command)}]
      resources: {{cpu: {cpu}, memory: {memory}}}
      volumeMounts:
      - {{volumeName: files, mountPath: /mnt/files}}
      - {{volumeName: frozen, mountPath: /mnt/frozen}}
      - {{volumeName: files, mountPath: /mnt/nested, subPath: nested/deeper}}
    volumes:
    - {{name: files, storageType: AzureFile, storageName: rw}}
    - {{name: frozen, storageType: AzureFile, storageName: ro}}
    scale: {{minReplicas: 1, maxReplicas: 1}}
"""
    path = tmp_path / f"app-{profile}.yaml"
    path.write_text(text)
    return str(path)


def _files(az, key):
    return sorted(f["name"] for f in _ok(az("storage", "file", "list", "--account-name", "platfiles",
                                            "--account-key", key, "-s", "data")))


def test_profiles_storages_usages_and_identities_on_docker(az, rg, home, tmp_path):
    env = _ok(az("containerapp", "env", "create", "-g", RG, "-n", "plat-env", "--logs-destination", "none",
                 "--enable-workload-profiles"))
    e = ("-g", RG, "-n", "plat-env")
    _ok(az("containerapp", "env", "workload-profile", "add", *e, "-w", "my-d4", "--workload-profile-type", "D4",
           "--min-nodes", "1", "--max-nodes", "2"))
    _ok(az("storage", "account", "create", "-g", RG, "-n", "platfiles", "-o", "none"))
    _ok(az("storage", "share-rm", "create", "-g", RG, "--storage-account", "platfiles", "-n", "data", "-o", "none"))
    key = _ok(az("storage", "account", "keys", "list", "-g", RG, "-n", "platfiles"))[0]["value"]

    # A key that is not the account's: refused, nothing recorded.
    r = az("containerapp", "env", "storage", "set", *e, "--storage-name", "rw", "-a", "platfiles", "-k", "d3Jvbmc=",
           "-f", "data", "--access-mode", "ReadWrite")
    assert r.code == 1 and "is not a key of storage account 'platfiles'" in r.err
    assert _ok(az("containerapp", "env", "storage", "list", *e)) == []
    for name, mode in (("rw", "ReadWrite"), ("ro", "ReadOnly")):
        _ok(az("containerapp", "env", "storage", "set", *e, "--storage-name", name, "-a", "platfiles", "-k", key,
               "-f", "data", "--access-mode", mode))

    # 1.5 CPU / 3.5Gi is no Consumption pair: refused there (no app, no container), accepted on D4.
    command = "echo written-by-app > /mnt/files/hello.txt; (touch /mnt/frozen/nope && echo rw || echo ro) " \
              "> /mnt/files/frozen.txt; echo in-a-sub-path > /mnt/nested/sub.txt; sleep 3600"
    r = az("containerapp", "create", "-g", RG, "-n", "wp-bad", "--yaml",
           _app_yaml(tmp_path, env["id"], "Consumption", 1.5, "3.5Gi", command))
    assert r.code == 1 and "ContainerAppInvalidResourceTotal" in r.err
    assert az("containerapp", "show", "-g", RG, "-n", "wp-bad").code == 3
    assert _containers(home) == []
    app = _ok(az("containerapp", "create", "-g", RG, "-n", "wp-app", "--yaml",
                 _app_yaml(tmp_path, env["id"], "my-d4", 1.5, "3.5Gi", command)))
    assert app["properties"]["workloadProfileName"] == "my-d4"
    replicas = _containers(home, app["id"])
    assert len(replicas) == 1
    host = json.loads(subprocess.run(["docker", "inspect", replicas[0]], capture_output=True, text=True,
                                     check=True).stdout)[0]
    cpus = min(1.5, float(subprocess.run(["docker", "info", "-f", "{{.NCPU}}"], capture_output=True, text=True,
                                         check=True).stdout))
    assert host["HostConfig"]["NanoCpus"] == int(cpus * 1e9)
    assert host["HostConfig"]["Memory"] == int(3.5 * 1024 ** 3)
    mounts = {m["Destination"]: m["RW"] for m in host["Mounts"]}
    assert mounts == {"/mnt/files": True, "/mnt/frozen": False, "/mnt/nested": True}
    deadline = time.time() + 30
    while time.time() < deadline and _files(az, key) != ["frozen.txt", "hello.txt", "nested"]:
        time.sleep(0.5)
    assert _files(az, key) == ["frozen.txt", "hello.txt", "nested"]
    share = home / "storage" / "platfiles" / "files" / "data"
    assert (share / "hello.txt").read_text() == "written-by-app\n"
    assert (share / "frozen.txt").read_text() == "ro\n" and not os.path.exists(share / "nope")
    assert (share / "nested" / "deeper" / "sub.txt").read_text() == "in-a-sub-path\n"  # the mount's subPath

    # A job's execution mounts the same storage (and runs on the profile, its limits as an app's).
    job_yaml = tmp_path / "job.yaml"
    job_yaml.write_text(f"""
properties:
  environmentId: {env["id"]}
  workloadProfileName: my-d4
  configuration:
    triggerType: Manual
    replicaTimeout: 60
    replicaRetryLimit: 0
    manualTriggerConfig: {{parallelism: 1, replicaCompletionCount: 1}}
  template:
    containers:
    - name: writer
      image: {BASE}
      command: ["sh", "-c", "echo written-by-job > /mnt/files/job.txt"]
      resources: {{cpu: 1.5, memory: 3Gi}}
      volumeMounts: [{{volumeName: files, mountPath: /mnt/files}}]
    volumes:
    - {{name: files, storageType: AzureFile, storageName: rw}}
""")
    _ok(az("containerapp", "job", "create", "-g", RG, "-n", "wp-job", "--yaml", str(job_yaml), "-o", "none"))
    _ok(az("containerapp", "job", "start", "-g", RG, "-n", "wp-job", "-o", "none"))
    deadline = time.time() + 60
    while time.time() < deadline and not (share / "job.txt").exists():
        time.sleep(0.5)
    assert (share / "job.txt").read_text() == "written-by-job\n"
    _ok(az("containerapp", "job", "delete", "-g", RG, "-n", "wp-job", "--yes"))

    # In use: neither the storage nor the profile can go.
    r = az("containerapp", "env", "storage", "remove", *e, "--storage-name", "rw", "--yes")
    assert r.code == 1 and "ManagedEnvironmentStorageInUse" in r.err
    r = az("containerapp", "env", "workload-profile", "delete", *e, "-w", "my-d4")
    assert r.code == 1 and "WorkloadProfileInUse" in r.err
    usages = {u["name"]["value"]: u["usage"] for u in _ok(az("containerapp", "env", "list-usages", *e))["value"]}
    assert usages["ManagedEnvironmentGeneralPurposeCores"] == 4 and usages["ManagedEnvironmentConsumptionCores"] == 0
    assert _ok(az("containerapp", "list-usages", "-l", "eastus"))["value"][0]["usage"] == 1

    # Identities: as Azure shows them, the user-assigned one with its own ids.
    a = ("-g", RG, "-n", "wp-app")
    builder = _ok(az("identity", "create", "-g", RG, "-n", "builder"))
    r = az("containerapp", "identity", "assign", *a, "--system-assigned", "--user-assigned", "builder")
    assert _ok(r)["type"] == "SystemAssigned, UserAssigned"
    assert list(_ok(r)["userAssignedIdentities"].values()) == [{"clientId": builder["clientId"],
                                                                "principalId": builder["principalId"]}]
    shown = _ok(az("containerapp", "identity", "show", *a))
    assert shown["principalId"] and list(shown["userAssignedIdentities"])[0].endswith("/userAssignedIdentities/builder")
    assert _ok(az("containerapp", "identity", "remove", *a, "--user-assigned"))["type"] == "SystemAssigned"
    assert _ok(az("containerapp", "identity", "remove", *a, "--system-assigned")) == {"type": "None"}
    r = az("containerapp", "identity", "remove", *a, "--system-assigned")
    assert r.code == 1 and "has no system or user assigned identities" in r.err

    _ok(az("containerapp", "delete", *a, "--yes"))
    _ok(az("containerapp", "env", "storage", "remove", *e, "--storage-name", "rw", "--yes"))
    assert [s["name"] for s in _ok(az("containerapp", "env", "storage", "list", *e))] == ["ro"]
    assert (share / "hello.txt").exists()  # the share outlives the app and the storage, as a share does
