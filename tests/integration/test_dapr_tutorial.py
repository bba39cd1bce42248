"""The Container Apps Dapr tutorial end to end on the real engine, and the two samples' stand-ins with real
sidecars.

- test_the_container_apps_dapr_tutorial runs tests/course/microservices-dapr.sh: the tutorial's commands as
  published (environment, storage account, user-assigned identity with Storage Blob Data Contributor, the
  blob state store component from its YAML file, the two apps), then what the learner checks (the node app's
  logs show the orders persisted; `az storage blob list` shows the blob `order` in `mycontainer`, moving on
  every second), then that the role matters and that a restarted app goes on.
- the current samples (ghcr.io/dapr/samples) route by the `dapr-app-id` header to a node app of two
  replicas, each of which gets orders (invocation load-balanced over the replicas).
- the tutorial's earlier edition keeps the account key in the component's secret (a wrong key persists
  nothing; the right one, set again, persists the orders) and gives the node app internal ingress."""

import subprocess
import time

import pytest

from tests.conftest import ROOT
from tests.integration import busybox

pytestmark = pytest.mark.integration

SCRIPT = ROOT / "tests" / "course" / "microservices-dapr.sh"


def test_the_container_apps_dapr_tutorial(az, tmp_path):
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    env = dict(az.env, TMPDIR=str(tmp_path))
    try:
        proc = subprocess.run(["bash", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
    finally:
        az("group", "delete", "-n", "my-container-apps", "--yes")
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
    assert proc.stdout.rstrip().endswith("microservices-dapr: all checks passed")


def _logs(az, app, replica=None):
    args = ["containerapp", "logs", "show", "-n", app, "-g", "daprsamples-rg", "--tail", "300", "--format", "text"]
    return az(*args, *(["--replica", replica] if replica else [])).out


def test_the_current_samples_route_by_header_to_every_replica(az, tmp_path):
    gen = busybox.resource_group(az, "daprsamples-rg")
    next(gen)
    try:
        r = az("containerapp", "env", "create", "-n", "daprsamples-env", "-g", "daprsamples-rg", "-l", "eastus",
               "-o", "none")
        assert r.code == 0, r.err
        (tmp_path / "statestore.yaml").write_text("componentType: state.in-memory\nversion: v1\nmetadata: []\n"
                                                  "scopes:\n- nodeapp\n")
        r = az("containerapp", "env", "dapr-component", "set", "-n", "daprsamples-env", "-g", "daprsamples-rg",
               "--dapr-component-name", "statestore", "--yaml", str(tmp_path / "statestore.yaml"), "-o", "none")
        assert r.code == 0, r.err
        r = az("containerapp", "create", "-n", "nodeapp", "-g", "daprsamples-rg", "--environment", "daprsamples-env",
               "--image", "ghcr.io/dapr/samples/hello-k8s-node:latest", "--min-replicas", "2", "--max-replicas", "2",
               "--enable-dapr", "--dapr-app-id", "nodeapp", "--dapr-app-port", "3000", "--env-vars", "APP_PORT=3000",
               "-o", "none")
        assert r.code == 0, r.err
        r = az("containerapp", "create", "-n", "pythonapp", "-g", "daprsamples-rg", "--environment",
               "daprsamples-env", "--image", "ghcr.io/dapr/samples/hello-k8s-python:latest", "--min-replicas", "1",
               "--max-replicas", "1", "--enable-dapr", "--dapr-app-id", "pythonapp", "-o", "none")
        assert r.code == 0, r.err
        replicas = az("containerapp", "replica", "list", "-n", "nodeapp", "-g", "daprsamples-rg", "--query",
                      "[].name", "-o", "tsv").out.split()
        assert len(replicas) == 2, replicas
        deadline = time.monotonic() + 60
        logs = {}
        while time.monotonic() < deadline:
            logs = {replica: _logs(az, "nodeapp", replica) for replica in replicas}
            if all("Successfully persisted state." in text for text in logs.values()):
                break
            time.sleep(1)
        for replica, text in logs.items():
            assert "Got a new order! Order ID: " in text and "Successfully persisted state." in text, (replica, text)
        # the headless client prints nothing while its calls succeed
        assert "HTTP " not in _logs(az, "pythonapp").split("Successfully Connected", 1)[-1]
    finally:
        next(gen, None)


KEY_YAML = """# statestore.yaml for Azure Blob storage component
componentType: state.azure.blobstorage
version: v1
metadata:
- name: accountName
  value: "{account}"
- name: accountKey
  secretRef: account-key
- name: containerName
  value: mycontainer
secrets:
- name: account-key
  value: "{key}"
scopes:
- nodeapp
"""


def test_the_tutorials_earlier_edition_with_the_account_key_and_internal_ingress(az, tmp_path):
    """MicrosoftDocs/azure-docs@0454a15ae2e1 (06/2022): the component reads the account key from its secret, the
    node app has internal ingress on port 3000; a wrong key persists nothing."""
    gen = busybox.resource_group(az, "daprkey-rg", location="canadacentral")
    next(gen)
    account = "daprkey" + str(int(time.time()) % 100000)
    try:
        assert az("containerapp", "env", "create", "-n", "my-environment", "-g", "daprkey-rg", "-l", "canadacentral",
                  "-o", "none").code == 0
        assert az("storage", "account", "create", "--name", account, "--resource-group", "daprkey-rg", "--location",
                  "canadacentral", "--sku", "Standard_RAGRS", "--kind", "StorageV2", "-o", "none").code == 0
        key = az("storage", "account", "keys", "list", "--resource-group", "daprkey-rg", "--account-name", account,
                 "--query", "[0].value", "--out", "tsv").out.strip()
        yaml_path = tmp_path / "statestore.yaml"
        yaml_path.write_text(KEY_YAML.format(account=account, key="AAAA" + key[4:]))  # a wrong key first
        assert az("containerapp", "env", "dapr-component", "set", "--name", "my-environment", "--resource-group",
                  "daprkey-rg", "--dapr-component-name", "statestore", "--yaml", str(yaml_path), "-o", "none").code == 0
        r = az("containerapp", "create", "--name", "nodeapp", "--resource-group", "daprkey-rg", "--environment",
               "my-environment", "--image", "dapriosamples/hello-k8s-node:latest", "--target-port", "3000",
               "--ingress", "internal", "--min-replicas", "1", "--max-replicas", "1", "--enable-dapr",
               "--dapr-app-id", "nodeapp", "--dapr-app-port", "3000", "--env-vars", "APP_PORT=3000", "-o", "none")
        assert r.code == 0, r.err
        r = az("containerapp", "create", "--name", "pythonapp", "--resource-group", "daprkey-rg", "--environment",
               "my-environment", "--image", "dapriosamples/hello-k8s-python:latest", "--min-replicas", "1",
               "--max-replicas", "1", "--enable-dapr", "--dapr-app-id", "pythonapp", "-o", "none")
        assert r.code == 0, r.err

        def logs():
            return az("containerapp", "logs", "show", "-n", "nodeapp", "-g", "daprkey-rg", "--tail", "300",
                      "--format", "text").out

        def blobs():
            return az("storage", "blob", "list", "--account-name", account, "--account-key", key,
                      "--container-name", "mycontainer", "--query", "[].name", "-o", "tsv")

        deadline = time.monotonic() + 30
        while "Failed to persist state." not in logs() and time.monotonic() < deadline:
            time.sleep(1)
        text = logs()
        assert "Failed to persist state." in text and "Successfully persisted state." not in text, text
        assert blobs().out.strip() == ""
        # The key from `az storage account keys list`, as the tutorial has it: the orders land as the blob `order`.
        yaml_path.write_text(KEY_YAML.format(account=account, key=key))
        assert az("containerapp", "env", "dapr-component", "set", "--name", "my-environment", "--resource-group",
                  "daprkey-rg", "--dapr-component-name", "statestore", "--yaml", str(yaml_path), "-o", "none").code == 0
        deadline = time.monotonic() + 30
        while "Successfully persisted state." not in logs() and time.monotonic() < deadline:
            time.sleep(1)
        assert "Successfully persisted state." in logs()
        assert blobs().out.split() == ["order"]
        shown = az("containerapp", "env", "dapr-component", "show", "--name", "my-environment", "--resource-group",
                   "daprkey-rg", "--dapr-component-name", "statestore")
        assert shown.code == 0 and key not in shown.out  # the secret's value is not shown
    finally:
        next(gen, None)
