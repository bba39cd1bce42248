"""A registry encrypted with a customer-managed key, end to end with the real docker client: created with a
user-assigned identity that has Key Vault Crypto Service Encryption User on an RBAC vault, pushed to and
pulled from; its blobs on disk hold none of the image's bytes; once the key is disabled (and the daemon's key
cache has expired) pulls and pushes fail, and they work again when the key is enabled."""

import random
import subprocess
import time
import uuid

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

CACHE_SECONDS = 2


def _docker(*args, input=None):
    return subprocess.run(["docker", *args], capture_output=True, text=True, input=input)


@pytest.fixture
def cmk_registry(az, monkeypatch):
    monkeypatch.setenv("AZLOCAL_CMK_KEY_CACHE_SECONDS", str(CACHE_SECONDS))  # for a daemon this process starts
    az.env["AZLOCAL_CMK_KEY_CACHE_SECONDS"] = str(CACHE_SECONDS)  # and for one an az command starts
    suffix = random.randint(10000, 99999)
    name, vault = f"azlcmk{suffix}", f"azlcmkkv{suffix}"
    assert az("group", "create", "-n", "cmk-rg", "-l", "eastus", "-o", "none").code == 0
    try:
        r = az("keyvault", "create", "-n", vault, "-g", "cmk-rg", "--enable-rbac-authorization", "true")
        assert r.code == 0, r.err
        vault_id = r.json()["id"]
        user = az("account", "show", "--query", "user.name", "-o", "tsv").out.strip()
        assert az("role", "assignment", "create", "--role", "Key Vault Crypto Officer", "--assignee", user,
                  "--scope", vault_id, "-o", "none").code == 0
        r = az("keyvault", "key", "create", "--vault-name", vault, "-n", "regkey", "--kty", "RSA", "--size", "2048")
        assert r.code == 0, r.err
        kid = r.json()["key"]["kid"]
        identity = az("identity", "create", "-n", "cmk-identity", "-g", "cmk-rg").json()
        assert az("role", "assignment", "create", "--role", "Key Vault Crypto Service Encryption User",
                  "--assignee-object-id", identity["principalId"], "--assignee-principal-type", "ServicePrincipal",
                  "--scope", vault_id, "-o", "none").code == 0
        r = az("acr", "create", "-n", name, "-g", "cmk-rg", "--sku", "Premium", "--identity", identity["id"],
               "--key-encryption-key", kid.rsplit("/", 1)[0])
        assert r.code == 0, r.err
        yield {"name": name, "vault": vault, "doc": r.json(), "kid": kid, "identity": identity}
    finally:
        az("group", "delete", "-n", "cmk-rg", "--yes")
        _docker("logout", f"{name}.azurecr.io")


def _files_bytes(home, name):
    root = home / "registries" / name
    return [(p, p.read_bytes()) for p in (root / "blobs").rglob("*") if p.is_file()] + \
        [(p, p.read_bytes()) for p in (root / "uploads").rglob("*") if p.is_file()]


def test_a_cmk_registry_keeps_no_plaintext_and_stops_serving_when_its_key_is_disabled(az, cmk_registry, home,
                                                                                       tmp_path):
    name = cmk_registry["name"]
    encryption = az("acr", "encryption", "show", "-n", name).json()
    assert encryption["status"] == "enabled"
    assert encryption["keyVaultProperties"]["identity"] == cmk_registry["identity"]["clientId"]
    assert encryption["keyVaultProperties"]["versionedKeyIdentifier"] == cmk_registry["kid"]
    marker = "cmk-marker-" + uuid.uuid4().hex
    image = f"{name}.azurecr.io/secret/app:v1"
    busybox.build(busybox.write_context(tmp_path / "ctx", [f'CMD ["echo", "{marker}"]']), image)
    r = az("acr", "login", "-n", name)
    assert r.code == 0, r.err
    push = _docker("push", image)
    assert push.returncode == 0, push.stderr
    manifest = _docker("manifest", "inspect", "--insecure", image)
    assert manifest.returncode == 0, manifest.stderr

    # The blobs as served (decrypted) are nowhere on disk: not a layer's bytes, not the config's JSON.
    import json

    import requests

    digests = [layer["digest"] for layer in json.loads(manifest.stdout)["layers"]]
    token = az("acr", "login", "-n", name, "--expose-token").json()["refreshToken"]
    from azlocal.core import settings

    base = f"http://{name}.azurecr.io:{settings.http_port()}"
    session = requests.Session()
    session.auth = ("00000000-0000-0000-0000-000000000000", token)
    on_disk = _files_bytes(home, name)
    assert on_disk
    for digest in digests:
        served = session.get(f"{base}/v2/secret/app/blobs/{digest}")
        assert served.status_code == 200 and len(served.content) > 1000
        piece = served.content[len(served.content) // 2:len(served.content) // 2 + 64]
        assert not [p for p, data in on_disk if piece in data]
        ranged = session.get(f"{base}/v2/secret/app/blobs/{digest}", headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206 and ranged.content == served.content[100:200]
    assert not [p for p, data in on_disk if b'"rootfs"' in data or marker.encode() in data]

    assert _docker("rmi", image).returncode == 0
    pull = _docker("pull", image)
    assert pull.returncode == 0, pull.stderr
    assert _docker("run", "--rm", image).stdout.strip() == marker

    # Disable the key: after the cache expires, pulls and pushes fail as the registry has lost its key.
    r = az("keyvault", "key", "set-attributes", "--vault-name", cmk_registry["vault"], "-n", "regkey", "--enabled",
           "false")
    assert r.code == 0, r.err
    time.sleep(CACHE_SECONDS + 1)
    assert _docker("rmi", image).returncode == 0
    pull = _docker("pull", image)
    assert pull.returncode != 0
    assert "customer-managed key cannot be used" in pull.stderr or "denied" in pull.stderr.lower(), pull.stderr
    denied = session.get(f"{base}/v2/secret/app/blobs/{digests[0]}")
    assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "DENIED"
    other = f"{name}.azurecr.io/secret/other:v1"
    busybox.build(busybox.write_context(tmp_path / "ctx2", ['CMD ["echo", "new"]']), other)
    assert _docker("push", other).returncode != 0
    _docker("rmi", other)

    # Enabled again: the registry serves again.
    assert az("keyvault", "key", "set-attributes", "--vault-name", cmk_registry["vault"], "-n", "regkey",
              "--enabled", "true", "-o", "none").code == 0
    pull = _docker("pull", image)
    assert pull.returncode == 0, pull.stderr
    _docker("rmi", image)
