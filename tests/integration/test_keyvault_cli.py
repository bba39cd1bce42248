"""az keyvault end to end through the real `az` entry point (subprocesses, the daemon started by `create`): a vault
with access policies, a secret set and shown, a key that encrypts and decrypts; an RBAC vault that refuses the
signed-in user until a role is assigned; the vault's name in the hosts file until it is purged; the value nowhere
but in `show` (not in the state database, the daemon's log or `--debug` beyond the argv echo)."""

import uuid

import pytest

pytestmark = pytest.mark.integration

VALUE = "kv-cli-" + uuid.uuid4().hex


def test_vault_secret_and_key_flow(az, home):
    from azlocal.platform import hosts

    assert az("group", "create", "-n", "kvcli-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("keyvault", "create", "-n", "azlkvcli1", "-g", "kvcli-rg", "--enable-rbac-authorization", "false")
    assert r.code == 0, r
    assert r.json()["properties"]["vaultUri"] == "https://azlkvcli1.vault.azure.net/"
    assert "azlkvcli1.vault.azure.net" in hosts.entries()
    assert (home / "daemon.json").exists()  # the data plane is served

    r = az("keyvault", "secret", "set", "--vault-name", "azlkvcli1", "--name", "db-pass", "--value", VALUE,
           "--debug")
    assert r.code == 0 and r.json()["value"] == VALUE
    echoed = sum(line.count(VALUE) for line in r.err.splitlines() if "Command arguments" in line)
    assert r.err.count(VALUE) == echoed  # only az's own argv echo names it
    shown = az("keyvault", "secret", "show", "--vault-name", "azlkvcli1", "-n", "db-pass", "--query", "value",
               "-o", "tsv")
    assert shown.code == 0 and shown.out.strip() == VALUE
    listed = az("keyvault", "secret", "list", "--vault-name", "azlkvcli1")
    assert listed.code == 0 and VALUE not in listed.out

    key = az("keyvault", "key", "create", "--vault-name", "azlkvcli1", "-n", "k1", "--size", "3072")
    assert key.code == 0, key
    kid = key.json()["key"]["kid"]
    enc = az("keyvault", "key", "encrypt", "--id", kid, "-a", "RSA-OAEP-256", "--value", "hello world",
             "--data-type", "plaintext")
    assert enc.code == 0, enc
    dec = az("keyvault", "key", "decrypt", "--vault-name", "azlkvcli1", "-n", "k1", "-a", "RSA-OAEP-256",
             "--value", enc.json()["result"], "--data-type", "plaintext")
    assert dec.code == 0 and dec.json()["result"] == "hello world"

    policy = az("keyvault", "certificate", "get-default-policy")
    assert policy.code == 0
    r = az("keyvault", "certificate", "create", "--vault-name", "azlkvcli1", "-n", "web", "-p", policy.out)
    assert r.code == 0 and r.json()["status"] == "completed", r
    pem = home / "web.pem"
    assert az("keyvault", "certificate", "download", "--vault-name", "azlkvcli1", "-n", "web", "-f", str(pem)).code == 0
    assert pem.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")

    for path in home.iterdir():
        if path.name.startswith("state.db") or path.name.endswith(".log"):
            assert VALUE.encode() not in path.read_bytes(), path.name
    assert b"PRIVATE KEY" not in (home / "state.db").read_bytes()

    assert az("keyvault", "delete", "-n", "azlkvcli1").code == 0
    assert "azlkvcli1.vault.azure.net" not in hosts.entries()
    r = az("keyvault", "create", "-n", "azlkvcli1", "-g", "kvcli-rg")
    assert r.code == 1 and "already exists in deleted state" in r.err
    assert az("keyvault", "recover", "-n", "azlkvcli1").code == 0
    assert az("keyvault", "secret", "show", "--vault-name", "azlkvcli1", "-n", "db-pass", "--query", "value",
              "-o", "tsv").out.strip() == VALUE
    assert az("keyvault", "delete", "-n", "azlkvcli1").code == 0
    assert az("keyvault", "purge", "-n", "azlkvcli1").code == 0
    assert az("keyvault", "list-deleted", "--query", "[].name").json() == []
    assert "azlkvcli1.vault.azure.net" not in hosts.entries()


def test_rbac_vault_needs_a_role_for_the_signed_in_user(az, home):
    from azlocal.core import settings

    assert az("group", "create", "-n", "kvcli-rg2", "-l", "eastus", "-o", "none").code == 0
    r = az("keyvault", "create", "-n", "azlkvcli2", "-g", "kvcli-rg2")
    assert r.code == 0 and r.json()["properties"]["enableRbacAuthorization"] is True
    vault_id = r.json()["id"]
    r = az("keyvault", "secret", "set", "--vault-name", "azlkvcli2", "-n", "s1", "--value", VALUE)
    assert r.code == 1 and "(Forbidden) Caller is not authorized to perform action on resource." in r.err
    r = az("role", "assignment", "create", "--role", "Key Vault Secrets Officer", "--assignee-object-id",
           settings.USER_OBJECT_ID, "--assignee-principal-type", "User", "--scope", vault_id)
    assert r.code == 0, r
    r = az("keyvault", "secret", "set", "--vault-name", "azlkvcli2", "-n", "s1", "--value", VALUE)
    assert r.code == 0, r
    assert az("keyvault", "secret", "show", "--vault-name", "azlkvcli2", "-n", "s1", "--query", "value", "-o",
              "tsv").out.strip() == VALUE
    r = az("keyvault", "key", "create", "--vault-name", "azlkvcli2", "-n", "k1")
    assert r.code == 1 and "Microsoft.KeyVault/vaults/keys/create/action" in r.err
    assert az("group", "delete", "-n", "kvcli-rg2", "--yes").code == 0
    assert az("keyvault", "list-deleted", "--query", "[].name").json() == ["azlkvcli2"]
