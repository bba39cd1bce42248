"""ACR end to end: az acr create/login + the real docker CLI pushing and pulling <name>.azurecr.io."""

import random
import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


def _docker(*args, input=None):
    return subprocess.run(["docker", *args], capture_output=True, text=True, input=input)


@pytest.fixture
def registry(az, tmp_path):
    name = f"azltest{random.randint(10000, 99999)}"
    assert az("group", "create", "-n", "acr-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("acr", "create", "-n", name, "-g", "acr-rg", "--sku", "Basic")
    assert r.code == 0, r.err
    yield name
    az("group", "delete", "-n", "acr-rg", "--yes")
    _docker("logout", f"{name}.azurecr.io")


def test_create_shape_and_hosts_entry(az, registry):
    doc = az("acr", "show", "-n", registry).json()
    assert doc["loginServer"] == f"{registry}.azurecr.io"
    assert doc["sku"] == {"name": "Basic", "tier": "Basic"}
    assert doc["resourceGroup"] == "acr-rg"
    assert doc["adminUserEnabled"] is False
    table = az("acr", "list", "-o", "table").out.splitlines()
    assert table[0].split()[:3] == ["NAME", "RESOURCE", "GROUP"]
    with open("/etc/hosts") as f:
        assert f"{registry}.azurecr.io" in f.read()


def test_docker_login_push_pull_unchanged(az, registry, tmp_path):
    server = f"{registry}.azurecr.io"
    r = az("acr", "login", "-n", registry)
    assert r.code == 0, r.err
    assert "Login Succeeded" in r.out
    image = f"{server}/samples/bb:v1"
    busybox.build(busybox.write_context(tmp_path / "ctx", ['CMD ["echo", "hello from the registry"]']), image)
    push = _docker("push", image)
    assert push.returncode == 0, push.stderr
    assert az("acr", "repository", "list", "-n", registry).json() == ["samples/bb"]
    assert az("acr", "repository", "show-tags", "-n", registry, "--repository", "samples/bb", "-o", "tsv").out == \
        "v1\n"
    assert _docker("rmi", image).returncode == 0
    pull = _docker("pull", image)
    assert pull.returncode == 0, pull.stderr
    run = _docker("run", "--rm", image)
    assert run.stdout.strip() == "hello from the registry"
    detail = az("acr", "repository", "show-tags", "-n", registry, "--repository", "samples/bb", "--detail").json()
    assert detail[0]["name"] == "v1" and detail[0]["digest"].startswith("sha256:")
    shown = az("acr", "repository", "show", "-n", registry, "--image", "samples/bb:v1").json()
    assert shown["digest"] == detail[0]["digest"]
    # untag, then delete the repository
    assert az("acr", "repository", "untag", "-n", registry, "--image", "samples/bb:v1").code == 0
    assert az("acr", "repository", "show-tags", "-n", registry, "--repository", "samples/bb").json() == []
    deleted = az("acr", "repository", "delete", "-n", registry, "--repository", "samples/bb", "--yes")
    assert deleted.code == 0, deleted.err
    assert az("acr", "repository", "list", "-n", registry).json() == []
    _docker("rmi", image)


def test_admin_user_and_wrong_password(az, registry):
    server = f"{registry}.azurecr.io"
    r = az("acr", "credential", "show", "-n", registry)
    assert r.code == 1 and "--admin-enabled true" in r.err
    assert az("acr", "update", "-n", registry, "--admin-enabled", "true", "-o", "none").code == 0
    creds = az("acr", "credential", "show", "-n", registry).json()
    assert creds["username"] == registry
    assert [p["name"] for p in creds["passwords"]] == ["password", "password2"]
    ok = _docker("login", server, "-u", registry, "--password-stdin", input=creds["passwords"][0]["value"])
    assert ok.returncode == 0, ok.stderr
    bad = _docker("login", server, "-u", registry, "--password-stdin", input="wrong-password")
    assert bad.returncode != 0
    renewed = az("acr", "credential", "renew", "-n", registry, "--password-name", "password").json()
    assert renewed["passwords"][0]["value"] != creds["passwords"][0]["value"]
    stale = _docker("login", server, "-u", registry, "--password-stdin", input=creds["passwords"][0]["value"])
    assert stale.returncode != 0
    assert az("acr", "update", "-n", registry, "--admin-enabled", "false", "-o", "none").code == 0
    disabled = _docker("login", server, "-u", registry, "--password-stdin", input=renewed["passwords"][0]["value"])
    assert disabled.returncode != 0


def test_expose_token(az, registry):
    r = az("acr", "login", "-n", registry, "--expose-token")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["username"] == "00000000-0000-0000-0000-000000000000"
    assert doc["accessToken"] == doc["refreshToken"]
    assert doc["loginServer"] == f"{registry}.azurecr.io"
    assert "ACR Refresh Token" in r.err
    login = _docker("login", doc["loginServer"], "-u", doc["username"], "--password-stdin", input=doc["refreshToken"])
    assert login.returncode == 0, login.stderr


def test_usage_and_check_name(az, registry):
    usage = {u["name"]: u for u in az("acr", "show-usage", "-n", registry).json()["value"]}
    assert usage["Size"]["limit"] == 10 * 1024 ** 3
    assert "IPRules" not in usage  # Premium only
    assert az("acr", "token", "create", "-r", registry, "-n", "usage-token", "--repository", "app", "content/read",
              "-o", "none").code == 0
    assert (usage["Tokens"]["currentValue"], usage["ScopeMaps"]["limit"]) == (0, 100)
    usage = {u["name"]: u for u in az("acr", "show-usage", "-n", registry).json()["value"]}
    assert (usage["Tokens"]["currentValue"], usage["ScopeMaps"]["currentValue"]) == (1, 1)
    taken = az("acr", "check-name", "-n", registry).json()
    assert taken["nameAvailable"] is False and taken["reason"] == "AlreadyExists"


def test_group_delete_removes_registry_storage_hosts_and_secrets(az, registry, home):
    assert (home / "registries" / registry).is_dir()
    assert az("group", "delete", "-n", "acr-rg", "--yes").code == 0
    assert not (home / "registries" / registry).exists()
    with open("/etc/hosts") as f:
        assert f"{registry}.azurecr.io" not in f.read()
    secrets_file = home / "secrets.cfg"
    assert registry not in (secrets_file.read_text() if secrets_file.exists() else "")
    assert az("acr", "show", "-n", registry).code == 1


def test_eight_concurrent_pushes_sharing_layers(az, registry, tmp_path, home):
    from concurrent.futures import ThreadPoolExecutor

    server = f"{registry}.azurecr.io"
    assert az("acr", "login", "-n", registry).code == 0
    images = []
    for i in range(8):
        ctx = busybox.write_context(tmp_path / f"ctx{i}", [f"RUN echo {i} > /id"])
        images.append(busybox.build(ctx, f"{server}/shared/app{i % 3}:v{i}"))
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda image: _docker("push", image), images))
        assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results if r.returncode]
        assert sorted(az("acr", "repository", "list", "-n", registry).json()) == [
            "shared/app0", "shared/app1", "shared/app2"]
        tags = az("acr", "repository", "show-tags", "-n", registry, "--repository", "shared/app0").json()
        assert sorted(tags) == ["v0", "v3", "v6"]
        import sqlite3

        for db in (home / "state.db", home / "registries" / registry / "meta.db"):
            assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        for image in images:
            _docker("rmi", image)


def test_daemon_killed_mid_push_serves_what_the_store_says(az, registry, tmp_path, home):
    import json
    import os
    import signal
    import time

    server = f"{registry}.azurecr.io"
    assert az("acr", "login", "-n", registry).code == 0
    ctx = busybox.write_context(tmp_path / "big")
    (ctx / "blob").write_bytes(os.urandom(96 * 1024 * 1024))
    with open(ctx / "Dockerfile", "a") as f:
        f.write("COPY blob /blob\n")
    image = busybox.build(ctx, f"{server}/big/app:v1")
    try:
        push = subprocess.Popen(["docker", "push", image], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        uploads = home / "registries" / registry / "uploads"
        deadline = time.time() + 60
        while time.time() < deadline and not any(p.stat().st_size > 1024 * 1024 for p in uploads.glob("*")):
            time.sleep(0.05)
        pid = json.loads((home / "daemon.json").read_text())["pid"]
        os.kill(pid, signal.SIGKILL)
        push.wait(60)
        # No partial blob became visible; a new daemon (started on demand) serves the registry again.
        blobs = [p for p in (home / "registries" / registry / "blobs").rglob("*") if p.is_file()]
        big = [p for p in blobs if p.stat().st_size > 50 * 1024 * 1024]
        assert big == []
        assert az("acr", "repository", "list", "-n", registry).code == 0
        retry = _docker("push", image)
        assert retry.returncode == 0, retry.stderr
        assert az("acr", "repository", "show-tags", "-n", registry, "--repository", "big/app").json() == ["v1"]
    finally:
        _docker("rmi", image)


def test_manifest_commands(az, registry, tmp_path):
    server = f"{registry}.azurecr.io"
    assert az("acr", "login", "-n", registry).code == 0
    image = busybox.build(busybox.write_context(tmp_path / "m"), f"{server}/man/app:v1")
    try:
        assert _docker("push", image).returncode == 0
        listed = az("acr", "manifest", "list-metadata", "-r", registry, "-n", "man/app")
        assert listed.code == 0, listed.err
        assert "preview" in listed.err
        meta = listed.json()
        assert meta[0]["tags"] == ["v1"] and meta[0]["architecture"] == "amd64"
        shown = az("acr", "manifest", "show", f"{server}/man/app:v1").json()
        assert shown["schemaVersion"] == 2 and shown["layers"]
        r = az("acr", "manifest", "list-metadata", "-r", registry, "-n", "man/app:v1")
        assert r.code == 1 and "should not include a tag" in r.err
        assert az("acr", "manifest", "delete", "-r", registry, "-n", "man/app:v1", "--yes").code == 0
        assert az("acr", "manifest", "show", "-r", registry, "-n", "man/app:v1").code == 1
    finally:
        _docker("rmi", image)
