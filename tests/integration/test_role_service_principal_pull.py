"""The ACR tutorial's service principal, as the docs type it: `az ad sp create-for-rbac --scopes <registry id>
--role acrpull --query password -o tsv`, then the real docker CLI logs in with the appId and that password; the
principal's role assignments decide what it may do, at once: AcrPull and AcrPush on the registry, Reader and
Contributor at its resource group."""

import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


def _docker(config, *args, input=None):
    return subprocess.run(["docker", "--config", config, *args], capture_output=True, text=True, input=input)


@pytest.fixture
def registry(az):
    name = f"azlsp{random.randint(100000, 999999)}"
    assert az("group", "create", "-n", "sp-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("acr", "create", "-n", name, "-g", "sp-rg", "--sku", "Basic", "--query", "id", "-o", "tsv")
    assert r.code == 0, r.err
    yield name, r.out.strip()
    az("group", "delete", "-n", "sp-rg", "--yes")


def test_a_service_principal_pulls_with_acrpull_and_pushes_only_with_acrpush(az, registry, tmp_path):
    name, registry_id = registry
    server = f"{name}.azurecr.io"
    config = str(tmp_path / "docker-config")
    image = busybox.build(busybox.write_context(tmp_path / "ctx"), f"{server}/samples/hello:v1")
    try:
        owner = str(tmp_path / "owner-config")  # the signed-in user (the subscription's Owner) pushes first
        token = az("acr", "login", "-n", name, "--expose-token", "--query", "refreshToken", "-o", "tsv").out.strip()
        assert _docker(owner, "login", server, "-u", "00000000-0000-0000-0000-000000000000", "--password-stdin",
                       input=token).returncode == 0
        first = _docker(owner, "push", image)
        assert first.returncode == 0, first.stderr
        r = az("ad", "sp", "create-for-rbac", "--name", f"{name}-pull", "--scopes", registry_id, "--role", "acrpull",
               "--query", "password", "--output", "tsv")
        assert r.code == 0, r.err
        password = r.out.strip()
        app_id = az("ad", "sp", "list", "--display-name", f"{name}-pull", "--query", "[].appId",
                    "--output", "tsv").out.strip()
        login = _docker(config, "login", server, "-u", app_id, "--password-stdin", input=password)
        assert login.returncode == 0, login.stderr
        subprocess.run(["docker", "rmi", image], capture_output=True)
        pull = _docker(config, "pull", image)
        assert pull.returncode == 0, pull.stderr
        denied = _docker(config, "push", image)
        assert denied.returncode != 0 and "unauthorized" in denied.stderr.lower()
        assert _docker(config, "login", server, "-u", app_id, "--password-stdin", input=password + "x").returncode
        sp_id = az("ad", "sp", "show", "--id", app_id, "--query", "id", "-o", "tsv").out.strip()
        assert az("role", "assignment", "create", "--assignee", app_id, "--role", "acrpush", "--scope",
                  registry_id, "-o", "none").code == 0
        pushed = _docker(config, "push", image)
        assert pushed.returncode == 0, pushed.stderr
        assert az("role", "assignment", "delete", "--assignee-object-id", sp_id, "--scope", registry_id).code == 0
        subprocess.run(["docker", "rmi", image], capture_output=True)
        assert _docker(config, "pull", image).returncode != 0  # no role left: no pull
        group = registry_id.split("/providers/")[0]
        assert az("role", "assignment", "create", "--assignee", app_id, "--role", "Reader", "--scope", group,
                  "-o", "none").code == 0  # Reader at the group: pulls (*/read), no push
        pull = _docker(config, "pull", image)
        assert pull.returncode == 0, pull.stderr
        assert _docker(config, "push", image).returncode != 0
        assert az("role", "assignment", "create", "--assignee", app_id, "--role", "Contributor", "--scope", group,
                  "-o", "none").code == 0
        pushed = _docker(config, "push", image)
        assert pushed.returncode == 0, pushed.stderr
        assert az("ad", "sp", "delete", "--id", app_id).code == 0
        assert _docker(config, "login", server, "-u", app_id, "--password-stdin", input=password).returncode != 0
    finally:
        subprocess.run(["docker", "rmi", image], capture_output=True)


def _push_as_owner(az, name, image, tmp_path):
    owner = str(tmp_path / "owner-config")
    token = az("acr", "login", "-n", name, "--expose-token", "--query", "refreshToken", "-o", "tsv").out.strip()
    assert _docker(owner, "login", f"{name}.azurecr.io", "-u", "00000000-0000-0000-0000-000000000000",
                   "--password-stdin", input=token).returncode == 0
    pushed = _docker(owner, "push", image)
    assert pushed.returncode == 0, pushed.stderr
    subprocess.run(["docker", "rmi", image], capture_output=True)


def test_a_container_group_pulls_with_the_service_principals_credentials(az, registry, tmp_path):
    name, registry_id = registry
    server = f"{name}.azurecr.io"
    image = busybox.build(busybox.write_context(tmp_path / "ctx"), f"{server}/samples/sleeper:v1")
    try:
        _push_as_owner(az, name, image, tmp_path)
        made = az("ad", "sp", "create-for-rbac", "--name", f"{name}-aci", "--scopes", registry_id, "--role",
                  "acrpull").json()
        args = ("--image", image, "--registry-login-server", server, "--registry-username", made["appId"],
                "--command-line", "sleep 60", "--restart-policy", "Never")
        wrong = az("container", "create", "-g", "sp-rg", "-n", "sp-wrong", *args, "--registry-password",
                   made["password"][:-1] + "x")
        assert wrong.code == 1 and "InaccessibleImage" in wrong.err, wrong.err
        assert az("container", "show", "-g", "sp-rg", "-n", "sp-wrong").code == 3
        r = az("container", "create", "-g", "sp-rg", "-n", "sp-pulls", *args, "--registry-password", made["password"])
        assert r.code == 0, r.err
        assert r.json()["provisioningState"] == "Succeeded"
    finally:
        subprocess.run(["docker", "rmi", image], capture_output=True)
