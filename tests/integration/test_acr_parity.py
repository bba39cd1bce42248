"""Issue 10, acr, against the real daemon and Docker: a DNL login server, data/regional endpoints,
import into an untagged repository, and a disabled export policy."""

import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def group(az):
    assert az("group", "create", "-n", "parity-rg", "-l", "eastus", "-o", "none").code == 0
    yield "parity-rg"
    az("group", "delete", "-n", "parity-rg", "--yes")


def test_dnl_login_server_and_regional_endpoint_serve_the_registry(az, group, tmp_path):
    doc = az("acr", "create", "-n", "dnlparity1", "-g", group, "--sku", "Premium", "--dnl-scope", "TenantReuse",
             "--regional-endpoints", "Enabled", "--data-endpoint-enabled").json()
    server = doc["loginServer"]
    assert server.startswith("dnlparity1-") and server.endswith(".azurecr.io")
    r = az("acr", "login", "-n", "dnlparity1")
    assert r.code == 0, r.err
    source = busybox.build(busybox.write_context(tmp_path / "ctx"), "azlocal-parity-src:v1")
    subprocess.run(["docker", "tag", source, f"{server}/app:v1"], check=True)
    push = subprocess.run(["docker", "push", f"{server}/app:v1"], capture_output=True, text=True)
    assert push.returncode == 0, push.stderr
    subprocess.run(["docker", "rmi", f"{server}/app:v1"], capture_output=True)
    geo = doc["regionalEndpointHostNames"][0]
    r = az("acr", "login", "-n", "dnlparity1", "--endpoint", doc["location"])
    assert r.code == 0 and f"Logging in to regional endpoint: {geo}" in r.err, r.err
    pull = subprocess.run(["docker", "pull", f"{geo}/app:v1"], capture_output=True, text=True)
    assert pull.returncode == 0, pull.stderr
    subprocess.run(["docker", "rmi", f"{geo}/app:v1"], capture_output=True)
    r = az("acr", "login", "-n", "dnlparity1", "--endpoint", "westus")
    assert r.code == 1 and "Regional endpoint for 'westus' not found" in r.err


def test_import_into_an_untagged_repository_and_export_policy(az, group, tmp_path):
    source = busybox.build(busybox.write_context(tmp_path / "ctx"), "azlocal-parity-src2:v1")
    first = az("acr", "create", "-n", "exportsrc1", "-g", group, "--sku", "Premium").json()["name"]
    r = az("acr", "import", "-n", first, "--source", source, "-t", "app:v1", "--repository", "bare")
    assert r.code == 0, r.err
    assert az("acr", "repository", "show-tags", "-n", first, "--repository", "bare").json() == []
    manifests = az("acr", "manifest", "list-metadata", "-r", first, "-n", "bare").json()
    assert len(manifests) == 1 and not manifests[0].get("tags")
    r = az("acr", "update", "-n", first, "--public-network-enabled", "false", "--allow-exports", "false")
    assert r.code == 0, r.err
    second = az("acr", "create", "-n", "exportdst1", "-g", group, "--sku", "Basic").json()["name"]
    r = az("acr", "import", "-n", second, "--source", "app:v1", "-r", first)
    assert r.code == 1 and "export policy is disabled" in r.err
