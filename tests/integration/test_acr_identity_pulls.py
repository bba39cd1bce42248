"""Registry pulls by managed identity on the real engine, no password anywhere: a container app whose system
identity gets AcrPull (as az's `create --registry-identity system` assigns it) pulls and runs; an app whose
identity has no role is refused with Azure's error and starts nothing until AcrPull is assigned; a container group
pulls as its user-assigned identity only with AcrPull; the real docker client logs in with the refresh token the
registry's AAD exchange gives an identity, pulls with AcrPull and pushes only with AcrPush; an ACR task's run logs in to
another registry as the task's system identity (`credential add --use-identity [system]`) and pulls only once the
identity has AcrPull there."""

import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration
RG = "acrid-rg"


def _docker(*args, input=None, config=None):
    prefix = ["docker", "--config", str(config)] if config else ["docker"]
    return subprocess.run(prefix + list(args), capture_output=True, text=True, input=input)


@pytest.fixture
def setup(az, tmp_path):
    """A group, a registry holding `web:v1` (pushed by the signed-in user), an environment, a local image."""
    name = f"azlid{random.randint(10000, 99999)}"
    gen = busybox.resource_group(az, RG)
    next(gen)
    r = az("acr", "create", "-n", name, "-g", RG, "--sku", "Basic")
    assert r.code == 0, r.err
    server = f"{name}.azurecr.io"
    config = tmp_path / "docker-user"
    token = az("acr", "login", "-n", name, "--expose-token").json()["accessToken"]
    login = _docker("login", server, "-u", "00000000-0000-0000-0000-000000000000", "--password-stdin",
                    input=token, config=config)
    assert login.returncode == 0, login.stderr
    image = f"{server}/web:v1"
    busybox.build(busybox.write_context(tmp_path / "img", ['CMD ["sleep", "3600"]']), image)
    push = _docker("push", image, config=config)
    assert push.returncode == 0, push.stderr
    local = busybox.build(busybox.write_context(tmp_path / "local", ['CMD ["sleep", "3600"]']), "azlocal-test/acrid:v1")
    r = az("containerapp", "env", "create", "-n", "acrid-env", "-g", RG, "-l", "eastus", "-o", "none")
    assert r.code == 0, r.err
    registry_id = az("acr", "show", "-n", name, "--query", "id", "-o", "tsv").out.strip()
    yield {"name": name, "server": server, "image": image, "local": local, "id": registry_id}
    next(gen, None)


def _containers(home, prefix):
    out = subprocess.run(["docker", "ps", "-a", "--format", "{{.Names}}", "--filter",
                          f"label=azlocal.home={home.resolve()}"], capture_output=True, text=True).stdout.split()
    return [n for n in out if n.startswith(prefix)]


def test_apps_pull_by_identity_with_acrpull_and_are_refused_without(az, setup, home):
    server, image = setup["server"], setup["image"]
    r = az("containerapp", "create", "-n", "idapp", "-g", RG, "--environment", "acrid-env", "--image", image,
           "--registry-server", server, "--registry-identity", "system")
    assert r.code == 0, r.err
    app = r.json()
    assert app["properties"]["configuration"]["registries"] == [
        {"identity": "system", "passwordSecretRef": "", "server": server, "username": ""}]
    assert not app["properties"]["configuration"].get("secrets")
    principal = app["identity"]["principalId"]
    roles = az("role", "assignment", "list", "--assignee", principal, "--scope", setup["id"]).json()
    assert [a["roleDefinitionName"] for a in roles] == ["AcrPull"]
    assert _containers(home, "idapp--")
    acr = az("acr", "show", "-n", setup["name"]).json()
    assert acr["adminUserEnabled"] is False  # no admin password was needed (or switched on)

    # A second app: its system identity is the registry's credential, but nobody gave it a role.
    r = az("containerapp", "create", "-n", "norole", "-g", RG, "--environment", "acrid-env", "--image",
           setup["local"], "--system-assigned")
    assert r.code == 0, r.err
    principal2, first = r.json()["identity"]["principalId"], r.json()["properties"]["latestRevisionName"]
    assert az("containerapp", "registry", "set", "-n", "norole", "-g", RG, "--server", server, "--identity",
              "system").code == 0
    before = _containers(home, "norole--")
    r = az("containerapp", "update", "-n", "norole", "-g", RG, "--image", image)
    assert r.code == 1
    assert (f"Field 'template.containers.norole.image' is invalid with details: 'Invalid value: \"{image}\": unable "
            f"to pull image using Managed identity system for registry {server}';.") in r.err
    assert _containers(home, "norole--") == before
    shown = az("containerapp", "show", "-n", "norole", "-g", RG).json()
    assert shown["properties"]["latestRevisionName"] == first
    # With AcrPull on the registry the same update pulls and runs.
    r = az("role", "assignment", "create", "--assignee", principal2, "--role", "AcrPull", "--scope", setup["id"])
    assert r.code == 0, r.err
    r = az("containerapp", "update", "-n", "norole", "-g", RG, "--image", image)
    assert r.code == 0, r.err
    assert r.json()["properties"]["latestRevisionName"] != first


def test_a_container_group_pulls_as_its_identity_only_with_acrpull(az, setup, home):
    r = az("identity", "create", "-n", "grp-puller", "-g", RG)
    assert r.code == 0, r.err
    identity, principal = r.json()["id"], r.json()["principalId"]
    args = ("container", "create", "-g", RG, "-n", "idgrp", "--image", setup["image"], "--assign-identity", identity,
            "--acr-identity", identity, "--os-type", "Linux")
    r = az(*args)
    assert r.code == 1
    assert (f"(InaccessibleImage) The image '{setup['image']}' in container group 'idgrp' is not accessible. Please "
            "check the image and registry credential.") in r.err
    assert az("container", "show", "-g", RG, "-n", "idgrp").code == 3
    assert _containers(home, "azlocal-aci-idgrp") == []
    r = az("container", "create", "-g", RG, "-n", "sysgrp", "--image", setup["image"], "--assign-identity",
           "--acr-identity", "[system]", "--os-type", "Linux")
    assert r.code == 1 and "(InvalidImageRegistryIdentity)" in r.err
    assert az("role", "assignment", "create", "--assignee", principal, "--role", "AcrPull", "--scope",
              setup["id"]).code == 0
    r = az(*args)
    assert r.code == 0, r.err
    group = r.json()
    assert group["imageRegistryCredentials"][0]["identity"] == identity
    assert group["instanceView"]["state"] == "Running"


def test_docker_logs_in_with_an_identitys_exchanged_refresh_token(az, setup, tmp_path):
    import requests

    from azlocal.identity import tokens
    from azlocal.platform import lifecycle

    r = az("identity", "create", "-n", "docker-puller", "-g", RG)
    assert r.code == 0, r.err
    ident = r.json()
    base = lifecycle.url(lifecycle.ensure_running()["port"])

    def refresh():
        aad = tokens.issue(ident["principalId"], ident["clientId"], "https://management.azure.com")["access_token"]
        answer = requests.post(f"{base}/oauth2/exchange", headers={"Host": setup["server"]}, data={
            "grant_type": "access_token", "service": setup["server"], "access_token": aad})
        assert answer.status_code == 200, answer.text
        return answer.json()["refresh_token"]

    config = tmp_path / "docker-identity"
    user = "00000000-0000-0000-0000-000000000000"
    # No role yet: the login itself works (it names who is asking), the pull is refused.
    assert _docker("login", setup["server"], "-u", user, "--password-stdin", input=refresh(),
                   config=config).returncode == 0
    _docker("rmi", setup["image"])
    pull = _docker("pull", setup["image"], config=config)
    assert pull.returncode != 0 and "authentication required" in pull.stderr
    assert az("role", "assignment", "create", "--assignee", ident["principalId"], "--role", "AcrPull", "--scope",
              setup["id"]).code == 0
    login = _docker("login", setup["server"], "-u", user, "--password-stdin", input=refresh(), config=config)
    assert login.returncode == 0 and "Login Succeeded" in login.stdout, login.stderr
    pull = _docker("pull", setup["image"], config=config)
    assert pull.returncode == 0, pull.stderr
    other = f"{setup['server']}/web:v2"
    assert _docker("tag", setup["image"], other).returncode == 0
    push = _docker("push", other, config=config)  # AcrPull does not push
    assert push.returncode != 0 and ("authentication required" in push.stderr or "denied" in push.stderr)
    assert az("acr", "repository", "show-tags", "-n", setup["name"], "--repository", "web").json() == ["v1"]
    # AcrPush counts at the next token: the same login now pushes.
    assert az("role", "assignment", "create", "--assignee", ident["principalId"], "--role", "AcrPush", "--scope",
              setup["id"]).code == 0
    push = _docker("push", other, config=config)
    assert push.returncode == 0, push.stderr
    assert az("acr", "repository", "show-tags", "-n", setup["name"], "--repository", "web").json() == ["v1", "v2"]


def test_a_task_run_pulls_from_another_registry_as_the_tasks_identity(az, setup, tmp_path):
    main = f"azlim{random.randint(10000, 99999)}"
    assert az("acr", "create", "-n", main, "-g", RG, "--sku", "Standard", "-o", "none").code == 0
    app = tmp_path / "app"
    app.mkdir()
    (app / "Dockerfile").write_text(f"FROM {setup['image']}\nCMD [\"echo\", \"built on the other registry\"]\n")
    r = az("acr", "task", "create", "-r", main, "-n", "pull-by-id", "-c", str(app), "-f", "Dockerfile",
           "-t", "app:{{.Run.ID}}", "-o", "none")
    assert r.code == 0, r.err
    r = az("acr", "task", "identity", "assign", "-r", main, "-n", "pull-by-id")
    assert r.code == 0, r.err
    principal = r.json()["identity"]["principalId"]
    r = az("acr", "task", "credential", "add", "-r", main, "-n", "pull-by-id", "--login-server", setup["server"],
           "--use-identity", "[system]")
    assert r.code == 0 and not r.err.strip(), r.err
    # The identity logs in, but without a role on the other registry its pull is refused.
    run = az("acr", "task", "run", "-r", main, "-n", "pull-by-id")
    assert run.code == 1 and f"Successfully logged into {setup['server']}" in run.out
    assert "authentication required" in run.out
    assert az("role", "assignment", "create", "--assignee", principal, "--role", "AcrPull", "--scope",
              setup["id"]).code == 0
    run = az("acr", "task", "run", "-r", main, "-n", "pull-by-id")
    assert run.code == 0, run.err + run.out
    latest = az("acr", "task", "list-runs", "-r", main, "-n", "pull-by-id", "--top", "1").json()[0]
    assert latest["status"] == "Succeeded" and latest["customRegistries"] == [setup["server"]]
    assert az("acr", "repository", "show-tags", "-n", main, "--repository", "app").json() == [latest["runId"]]


def test_a_job_pulls_by_its_system_identity(az, setup):
    r = az("containerapp", "job", "create", "-n", "idjob", "-g", RG, "--environment", "acrid-env", "--trigger-type",
           "Manual", "--replica-timeout", "60", "--replica-retry-limit", "0", "--image", setup["image"],
           "--registry-server", setup["server"], "--registry-identity", "system", "--command", "true")
    assert r.code == 0, r.err
    job = r.json()
    assert job["properties"]["configuration"]["registries"][0]["identity"] == "system"
    roles = az("role", "assignment", "list", "--assignee", job["identity"]["principalId"], "--scope",
               setup["id"]).json()
    assert [a["roleDefinitionName"] for a in roles] == ["AcrPull"]
    # Its role removed, an update of the template (the image pulled again) is refused with Azure's error.
    assert az("role", "assignment", "delete", "--ids", roles[0]["id"]).code == 0
    r = az("containerapp", "job", "update", "-n", "idjob", "-g", RG, "--cpu", "0.75", "--memory", "1.5Gi")
    assert r.code == 1 and (f"unable to pull image using Managed identity system for registry {setup['server']}"
                            in r.err), r.err
    assert az("containerapp", "job", "show", "-n", "idjob", "-g", RG, "--query",
              "properties.template.containers[0].resources.cpu", "-o", "tsv").out.strip() != "0.75"


def test_an_app_pulls_by_a_user_assigned_identity_given_acrpull_by_create(az, setup, home):
    r = az("identity", "create", "-n", "app-puller", "-g", RG)
    assert r.code == 0, r.err
    identity = r.json()
    r = az("containerapp", "create", "-n", "uapp", "-g", RG, "--environment", "acrid-env", "--image", setup["image"],
           "--registry-server", setup["server"], "--registry-identity", identity["id"])
    assert r.code == 0, r.err
    app = r.json()
    assert app["identity"]["type"] == "UserAssigned"
    entry = next(v for k, v in app["identity"]["userAssignedIdentities"].items() if k.lower() == identity["id"].lower())
    assert entry == {"clientId": identity["clientId"], "principalId": identity["principalId"]}
    roles = az("role", "assignment", "list", "--assignee", identity["principalId"], "--scope", setup["id"]).json()
    assert [a["roleDefinitionName"] for a in roles] == ["AcrPull"]
    assert _containers(home, "uapp--")


def test_on_an_abac_registry_a_task_pushes_as_its_source_identity_with_a_repository_role(az, setup, tmp_path):
    main = f"azlia{random.randint(10000, 99999)}"
    r = az("acr", "create", "-n", main, "-g", RG, "--sku", "Standard", "--role-assignment-mode", "rbac-abac")
    assert r.code == 0, r.err
    registry_id = r.json()["id"]
    app = tmp_path / "abac-app"
    app.mkdir()
    (app / "Dockerfile").write_text(f"FROM {setup['local']}\nCMD [\"echo\", \"pushed by the task's identity\"]\n")
    r = az("acr", "task", "create", "-r", main, "-n", "abac-task", "-c", str(app), "-f", "Dockerfile", "-t",
           "app:{{.Run.ID}}", "-o", "none")
    assert r.code == 0, r.err
    principal = az("acr", "task", "identity", "assign", "-r", main, "-n", "abac-task").json()["identity"]["principalId"]
    r = az("acr", "task", "update", "-r", main, "-n", "abac-task", "--source-acr-auth-id", "[system]")
    assert r.code == 0, r.err
    assert r.json()["credentials"]["sourceRegistry"]["identity"] == "[system]"
    run = az("acr", "task", "run", "-r", main, "-n", "abac-task")
    assert run.code == 1 and "authentication required" in run.out, run.out
    r = az("role", "assignment", "create", "--assignee", principal, "--role", "Container Registry Repository Writer",
           "--scope", registry_id)
    assert r.code == 0, r.err
    run = az("acr", "task", "run", "-r", main, "-n", "abac-task")
    assert run.code == 0, run.err + run.out
    latest = az("acr", "task", "list-runs", "-r", main, "-n", "abac-task", "--top", "1").json()[0]
    assert az("acr", "repository", "show-tags", "-n", main, "--repository", "app").json() == [latest["runId"]]
