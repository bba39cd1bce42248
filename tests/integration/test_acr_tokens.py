"""ACR tokens and scope maps enforced by the registry: the real docker CLI, az acr repository with
--username/--password, and the OAuth2 token endpoint, against the daemon."""

import base64
import json
import random
import subprocess

import pytest
import requests

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def docker_config(tmp_path):
    """A docker config of the test's own, so its logins touch nobody else's."""
    path = tmp_path / "docker-config"
    path.mkdir()
    return str(path)


@pytest.fixture
def registry(az):
    name = f"azltok{random.randint(100000, 999999)}"
    assert az("group", "create", "-n", "tokens-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("acr", "create", "-n", name, "-g", "tokens-rg", "--sku", "Basic", "-o", "none")
    assert r.code == 0, r.err
    yield name
    az("group", "delete", "-n", "tokens-rg", "--yes")


def _docker(config, *args, input=None):
    return subprocess.run(["docker", "--config", config, *args], capture_output=True, text=True, input=input)


def _login(config, server, user, password):
    return _docker(config, "login", server, "-u", user, "--password-stdin", input=password)


def _token(az, registry, name, *args):
    r = az("acr", "token", "create", "-n", name, "-r", registry, *args)
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["credentials"]["username"] == name
    return [p["value"] for p in doc["credentials"]["passwords"]]


def _daemon_base(home):
    return f"http://127.0.0.1:{json.loads((home / 'daemon.json').read_text())['port']}"


def test_token_scopes_are_enforced_for_docker_az_and_oauth(az, home, registry, docker_config, tmp_path):
    server = f"{registry}.azurecr.io"
    image = busybox.build(busybox.write_context(tmp_path / "ctx"), f"{server}/samples/app:v1")
    subprocess.run(["docker", "tag", image, f"{server}/other/app:v1"], check=True)
    try:
        # A writer for samples/app only: push there works, to another repository it is refused.
        writer, writer2 = _token(az, registry, "writer", "--repository", "samples/app", "content/read",
                                 "content/write")
        assert _login(docker_config, server, "writer", writer).returncode == 0
        push = _docker(docker_config, "push", f"{server}/samples/app:v1")
        assert push.returncode == 0, push.stderr
        denied = _docker(docker_config, "push", f"{server}/other/app:v1")
        assert denied.returncode != 0 and "unauthorized: authentication required, visit https://aka.ms/acr/" \
            "authorization for more information." in denied.stderr

        # az acr repository with the token's credentials: no metadata/read yet, then granted by the scope map.
        creds = ("--username", "writer", "--password", writer)
        tags = az("acr", "repository", "show-tags", "-n", registry, "--repository", "samples/app", *creds)
        assert tags.code == 1 and "aka.ms/acr/authorization" in tags.err
        r = az("acr", "scope-map", "update", "-n", "writer-scope-map", "-r", registry,
               "--add-repository", "samples/app", "metadata/read", "-o", "none")
        assert r.code == 0, r.err
        tags = az("acr", "repository", "show-tags", "-n", registry, "--repository", "samples/app", *creds)
        assert tags.code == 0 and tags.json() == ["v1"], tags.err
        # A custom scope map cannot list the catalog (ACR: only '*' repository metadata reads can).
        assert az("acr", "repository", "list", "-n", registry, *creds).code == 1
        # Basic auth directly on /v2 honours the same scopes.
        basic = {"Host": server, "Authorization": "Basic " + base64.b64encode(f"writer:{writer2}".encode()).decode()}
        base = _daemon_base(home)
        assert requests.get(f"{base}/v2/samples/app/tags/list", headers=basic).status_code == 200
        assert requests.get(f"{base}/v2/other/app/tags/list", headers=basic).status_code == 401
        # Without permission a token learns nothing, not even whether a tag or manifest exists (401, not 404).
        for path in ("/acr/v1/other/app/_tags/nope", "/acr/v1/nothere/_manifests/sha256:" + "0" * 64):
            assert requests.get(f"{base}{path}", headers=basic).status_code == 401, path
        # The OAuth2 token endpoint grants only what the scope map allows.
        r = requests.get(f"{base}/oauth2/token", headers=basic,
                         params={"service": server, "scope": "repository:samples/app:pull,push,delete"})
        claims = json.loads(base64.urlsafe_b64decode(r.json()["access_token"].split(".")[1] + "=="))
        assert claims["access"] == [{"type": "repository", "name": "samples/app", "actions": ["pull", "push"]}]
        r = requests.post(f"{base}/oauth2/token", headers={"Host": server}, data={
            "grant_type": "password", "service": server, "scope": "repository:other/app:pull",
            "username": "writer", "password": writer})
        claims = json.loads(base64.urlsafe_b64decode(r.json()["access_token"].split(".")[1] + "=="))
        assert claims["access"] == []

        # A pull-only token (system scope map): pull works, push does not, the catalog is not listed.
        reader, _ = _token(az, registry, "reader1", "--scope-map", "_repositories_pull")
        subprocess.run(["docker", "rmi", f"{server}/samples/app:v1"], capture_output=True)
        assert _login(docker_config, server, "reader1", reader).returncode == 0
        pull = _docker(docker_config, "pull", f"{server}/samples/app:v1")
        assert pull.returncode == 0, pull.stderr
        assert _docker(docker_config, "push", f"{server}/samples/app:v1").returncode != 0
        assert az("acr", "repository", "list", "-n", registry, "-u", "reader1", "-p", reader).code == 1
        lister, _ = _token(az, registry, "lister", "--scope-map", "_repositories_pull_metadata_read")
        listed = az("acr", "repository", "list", "-n", registry, "-u", "lister", "-p", lister)
        assert listed.code == 0 and listed.json() == ["samples/app"], listed.err

        # Disabled, then enabled again.
        assert az("acr", "token", "update", "-n", "reader1", "-r", registry, "--status", "disabled",
                  "-o", "none").code == 0
        refused = _login(docker_config, server, "reader1", reader)
        assert refused.returncode != 0 and "aka.ms/acr/authorization" in refused.stderr
        assert az("acr", "token", "update", "-n", "reader1", "-r", registry, "-o", "none").code == 0
        assert _login(docker_config, server, "reader1", reader).returncode == 0

        # A regenerated password: the old value is refused, the new one works (and password2 still does).
        r = az("acr", "token", "credential", "generate", "-n", "writer", "-r", registry, "--password1",
               "--expiration-in-days", "30")
        assert r.code == 0, r.err
        new = r.json()
        assert [p["name"] for p in new["passwords"]] == ["password1"] and new["username"] == "writer"
        assert _login(docker_config, server, "writer", writer).returncode != 0
        assert _login(docker_config, server, "writer", new["passwords"][0]["value"]).returncode == 0
        assert _login(docker_config, server, "writer", writer2).returncode == 0
        shown = az("acr", "token", "show", "-n", "writer", "-r", registry).json()
        assert all(p["value"] is None for p in shown["credentials"]["passwords"])

        # A deleted password is refused.
        r = az("acr", "token", "credential", "delete", "-n", "writer", "-r", registry, "--password2")
        assert r.code == 0 and [p["name"] for p in r.json()["credentials"]["passwords"]] == ["password1"]
        assert _login(docker_config, server, "writer", writer2).returncode != 0

        # An expired password is refused (its expiry moved into the past, as time would).
        from azlocal.acr import registries, tokens
        from azlocal.platform.store import store

        doc = store().get(tokens.token_id(registries.find(registry), "writer"))
        for p in doc["credentials"]["passwords"]:
            p["expiry"] = "2020-01-01T00:00:00+00:00"
        store().put(doc)
        registries._bump_credentials_revision(registry)
        expired = _login(docker_config, server, "writer", new["passwords"][0]["value"])
        assert expired.returncode != 0 and "aka.ms/acr/authorization" in expired.stderr

        # A deleted token is refused.
        assert az("acr", "token", "delete", "-n", "reader1", "-r", registry, "--yes").code == 0
        assert _login(docker_config, server, "reader1", reader).returncode != 0

        # Bad input: az's error, exit code, and nothing changed.
        before = az("acr", "scope-map", "list", "-r", registry).json()
        bad = az("acr", "token", "create", "-n", "badtoken", "-r", registry, "--repository", "samples/app",
                 "content/pull")
        assert bad.code == 1 and 'Invalid action "content/pull" provided.' in bad.err
        assert az("acr", "token", "show", "-n", "badtoken", "-r", registry).code == 3
        assert az("acr", "scope-map", "list", "-r", registry).json() == before
        bad = az("acr", "token", "create", "-n", "badtoken", "-r", registry, "--scope-map", "nosuchmap")
        assert bad.code == 3 and az("acr", "token", "show", "-n", "badtoken", "-r", registry).code == 3
        bad = az("acr", "token", "credential", "generate", "-n", "writer", "-r", registry,
                 "--expiration", "2020-01-01T00:00:00Z")
        assert bad.code == 1 and "past" in bad.err
        assert az("acr", "scope-map", "delete", "-n", "_repositories_pull", "-r", registry, "--yes").code == 1

        # Deleting the registry removes its tokens' secrets.
        from azlocal.platform import secrets

        assert secrets.list_keys(f"acr/{registry}/token-passwords")
        registry_id = registries.find(registry)["id"]
        assert az("acr", "delete", "-n", registry, "--yes").code == 0
        assert secrets.list_keys(f"acr/{registry}/") == []
        assert store().list(type=tokens.TOKEN_TYPE, parent_id=registry_id) == []
        assert store().list(type="Microsoft.ContainerRegistry/registries/scopeMaps", parent_id=registry_id) == []
    finally:
        for tag in (f"{server}/samples/app:v1", f"{server}/other/app:v1"):
            subprocess.run(["docker", "rmi", tag], capture_output=True)
