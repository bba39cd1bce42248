"""az keyvault in-process (no daemon, no Docker): the command shapes az 2.91 prints, its errors and exit codes, and
that a failed command changes nothing."""

import json

import pytest

USER = "00000000-0000-0000-0000-0000000a1ce5"


@pytest.fixture
def kv(cli, monkeypatch):
    from azlocal.keyvault import vaults

    published = []
    monkeypatch.setattr(vaults, "publish", lambda doc: published.append(doc["name"].lower()))
    monkeypatch.setattr(vaults, "unpublish", lambda doc: doc["name"].lower() in published and
                        published.remove(doc["name"].lower()))
    assert cli("group", "create", "-n", "rg1", "-l", "eastus").code == 0
    r = cli("keyvault", "create", "-n", "kv1", "-g", "rg1", "--enable-rbac-authorization", "false")
    assert r.code == 0, r
    cli.published = published
    return cli


def _state(home):
    from azlocal.platform.store import store

    return [json.dumps(d, sort_keys=True) for d in store().list()]


def test_create_publishes_the_vault_and_shows_azs_document(kv):
    doc = kv("keyvault", "show", "-n", "kv1").json()
    assert doc["type"] == "Microsoft.KeyVault/vaults" and doc["resourceGroup"] == "rg1"
    assert doc["properties"]["vaultUri"] == "https://kv1.vault.azure.net/"
    assert doc["properties"]["accessPolicies"][0]["objectId"] == USER
    assert kv.published == ["kv1"]
    assert kv("keyvault", "list", "-g", "rg1", "--query", "[].name").json() == ["kv1"]
    r = kv("keyvault", "create", "-n", "kv-rbac", "-g", "rg1")
    assert r.json()["properties"]["enableRbacAuthorization"] is True
    assert r.json()["properties"]["accessPolicies"] == []


@pytest.mark.parametrize("name", ["ab", "a" * 25, "1kv", "kv_1", "kv--1", "kv-"])
def test_bad_vault_names_are_refused_and_change_nothing(kv, home, name):
    before = _state(home)
    r = kv("keyvault", "create", "-n", name, "-g", "rg1")
    assert r.code == 1 and r.err.startswith("ERROR: (VaultNameNotValid) The vault name") and _state(home) == before


def test_secret_set_show_list_shapes(kv):
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "db-pass", "--value", "s3cret",
           "--description", "password", "--tags", "env=dev")
    assert r.code == 0, r
    out = r.json()
    assert set(out) == {"attributes", "contentType", "id", "kid", "managed", "name", "tags", "value"}
    assert out["value"] == "s3cret" and out["name"] == "db-pass" and out["contentType"] == "password"
    assert out["tags"] == {"env": "dev", "file-encoding": "utf-8"}
    assert set(out["attributes"]) == {"created", "enabled", "expires", "notBefore", "recoverableDays",
                                      "recoveryLevel", "updated"}
    assert out["attributes"]["created"].endswith("+00:00")
    shown = kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "db-pass", "--query", "value", "-o", "tsv")
    assert shown.out.strip() == "s3cret"
    by_id = kv("keyvault", "secret", "show", "--id", out["id"]).json()
    assert by_id["id"] == out["id"]
    listed = kv("keyvault", "secret", "list", "--vault-name", "kv1").json()
    assert listed[0]["id"] == "https://kv1.vault.azure.net/secrets/db-pass" and "value" not in listed[0]
    kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "db-pass", "--value", "two")
    versions = kv("keyvault", "secret", "list-versions", "--vault-name", "kv1", "-n", "db-pass").json()
    assert len(versions) == 2 and all("value" not in v for v in versions)
    attrs = kv("keyvault", "secret", "set-attributes", "--id", out["id"], "--enabled", "false").json()
    assert attrs["value"] is None and attrs["attributes"]["enabled"] is False


def test_secret_errors_and_exit_codes(kv, home):
    before = _state(home)
    r = kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "missing")
    assert r.code == 3 and r.err.startswith("ERROR: (SecretNotFound) A secret with (name/id) missing was not found")
    r = kv("keyvault", "secret", "show", "--vault-name", "nope", "-n", "x")
    assert r.code == 1 and "Failed to resolve 'nope.vault.azure.net'" in r.err
    r = kv("keyvault", "secret", "show", "-n", "x")
    assert r.code == 1 and "incorrect usage: --id ID | --vault-name/--hsm-name VAULT/HSM" in r.err
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "bad_name", "--value", "x")
    assert r.code == 1 and "(BadParameter) The request URI contains an invalid name: bad_name" in r.err
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "x")
    assert r.code == 1 and "incorrect usage: [Required] --value VALUE | --file PATH" in r.err
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "x", "--value", "v", "--expires", "soon")
    assert r.code == 2 and "--expires" in r.err
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "x", "--value", "v", "--expires", "2030-01-02")
    assert r.code == 0 and r.json()["attributes"]["expires"] == "2030-01-02T00:00:00+00:00"
    kv("keyvault", "secret", "delete", "--vault-name", "kv1", "-n", "x")
    kv("keyvault", "secret", "purge", "--vault-name", "kv1", "-n", "x")
    r = kv("keyvault", "secret", "list")
    assert r.code == 1 and "Please specify --vault-name or --hsm-name." in r.err
    assert kv("keyvault", "secret", "set", "--vault-name", "kv1").code == 2
    assert _state(home) == before


def test_secret_soft_delete_recover_purge(kv):
    kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "s1", "--value", "v")
    deleted = kv("keyvault", "secret", "delete", "--vault-name", "kv1", "-n", "s1").json()
    assert deleted["recoveryId"] == "https://kv1.vault.azure.net/deletedsecrets/s1" and deleted["value"] is None
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "s1", "--value", "again")
    assert r.code == 1 and "(Conflict) Secret s1 is currently in a deleted but recoverable state" in r.err
    listed = kv("keyvault", "secret", "list-deleted", "--vault-name", "kv1").json()
    assert [d["name"] for d in listed] == ["s1"] and "value" not in listed[0]
    assert kv("keyvault", "secret", "show-deleted", "--vault-name", "kv1", "-n", "s1").json()["name"] == "s1"
    assert kv("keyvault", "secret", "recover", "--vault-name", "kv1", "-n", "s1").json()["value"] is None
    assert kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "s1").json()["value"] == "v"
    kv("keyvault", "secret", "delete", "--vault-name", "kv1", "-n", "s1")
    r = kv("keyvault", "secret", "purge", "--vault-name", "kv1", "-n", "s1")
    assert r.code == 0 and r.out == ""
    r = kv("keyvault", "secret", "show-deleted", "--vault-name", "kv1", "-n", "s1")
    assert r.code == 3 and "(SecretNotFound) Deleted Secret not found" in r.err


def test_secret_file_encodings_download_and_backup_restore(kv, tmp_path):
    raw = bytes(range(256))
    (tmp_path / "in.bin").write_bytes(raw)
    r = kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "blob", "--file", str(tmp_path / "in.bin"),
           "--encoding", "base64")
    assert r.code == 0 and r.json()["tags"] == {"file-encoding": "base64"}
    out = tmp_path / "out.bin"
    assert kv("keyvault", "secret", "download", "--vault-name", "kv1", "-n", "blob", "-f", str(out)).code == 0
    assert out.read_bytes() == raw
    r = kv("keyvault", "secret", "download", "--vault-name", "kv1", "-n", "blob", "-f", str(out))
    assert r.code == 1 and "already exists. Use --overwrite" in r.err
    backup = tmp_path / "blob.bak"
    assert kv("keyvault", "secret", "backup", "--vault-name", "kv1", "-n", "blob", "-f", str(backup)).code == 0
    assert b"AZLOCAL-KV-BACKUP" in backup.read_bytes() and raw not in backup.read_bytes()
    r = kv("keyvault", "secret", "restore", "--vault-name", "kv1", "-f", str(backup))
    assert r.code == 1 and "(Conflict) There was a conflict restoring the secret 'blob'" in r.err
    kv("keyvault", "create", "-n", "kv2", "-g", "rg1", "--enable-rbac-authorization", "false")
    assert kv("keyvault", "secret", "restore", "--vault-name", "kv2", "-f", str(backup)).json()["name"] == "blob"
    out2 = tmp_path / "out2.bin"
    kv("keyvault", "secret", "download", "--vault-name", "kv2", "-n", "blob", "-f", str(out2))
    assert out2.read_bytes() == raw


def test_keys_create_encrypt_decrypt_sign_download(kv, tmp_path):
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization

    key = kv("keyvault", "key", "create", "--vault-name", "kv1", "-n", "k1").json()
    assert key["key"]["kty"] == "RSA" and key["key"]["keyOps"][0] == "encrypt" and key["key"]["d"] is None
    assert key["attributes"]["recoveryLevel"] == "Recoverable+Purgeable"
    assert kv("keyvault", "key", "show", "--vault-name", "kv1", "-n", "k1", "--query", "key.kid", "-o",
              "tsv").out.strip() == key["key"]["kid"]
    enc = kv("keyvault", "key", "encrypt", "--vault-name", "kv1", "-n", "k1", "-a", "RSA-OAEP", "--value", "hello",
             "--data-type", "plaintext").json()
    assert enc["kid"] == key["key"]["kid"] and enc["algorithm"] == "RSA-OAEP"
    dec = kv("keyvault", "key", "decrypt", "--vault-name", "kv1", "-n", "k1", "-a", "RSA-OAEP", "--value",
             enc["result"], "--data-type", "plaintext").json()
    assert dec["result"] == "hello"
    digest = base64.b64encode(hashlib.sha256(b"m").digest()).decode()
    sig = kv("keyvault", "key", "sign", "--id", key["key"]["kid"], "-a", "RS256", "--digest", digest).json()
    ok = kv("keyvault", "key", "verify", "--id", key["key"]["kid"], "-a", "RS256", "--digest", digest,
            "--signature", sig["signature"]).json()
    assert ok["isValid"] is True
    pem = tmp_path / "k1.pem"
    assert kv("keyvault", "key", "download", "--vault-name", "kv1", "-n", "k1", "-f", str(pem)).code == 0
    public = serialization.load_pem_public_key(pem.read_bytes())
    assert base64.b64encode(public.public_numbers().n.to_bytes(256, "big")).decode() == key["key"]["n"]
    r = kv("keyvault", "key", "encrypt", "--vault-name", "kv1", "-n", "k1", "-a", "A256GCM", "--value", "aGk=")
    assert r.code == 1 and "managed HSM" in r.err
    r = kv("keyvault", "key", "create", "--vault-name", "kv1", "-n", "k2", "--kty", "oct")
    assert r.code == 1 and "(KeyTypeNotSupported)" not in r.err and "Key type oct is not supported" in r.err
    listed = kv("keyvault", "key", "list", "--vault-name", "kv1").json()
    assert [k["name"] for k in listed] == ["k1"] and listed[0]["kid"] == "https://kv1.vault.azure.net/keys/k1"
    deleted = kv("keyvault", "key", "delete", "--vault-name", "kv1", "-n", "k1")
    assert deleted.json()["recoveryId"] == "https://kv1.vault.azure.net/deletedkeys/k1"
    assert "Warning! If you have soft-delete protection enabled" in deleted.err
    assert kv("keyvault", "key", "list-deleted", "--vault-name", "kv1", "--query", "[].name").json() == ["k1"]
    assert kv("keyvault", "key", "recover", "--vault-name", "kv1", "-n", "k1").json()["key"]["kid"] == \
        key["key"]["kid"]


def test_access_policies_through_the_cli(kv):
    other = "11111111-2222-3333-4444-555555555555"
    r = kv("keyvault", "set-policy", "-n", "kv1", "--object-id", other, "--secret-permissions", "get", "list")
    assert r.code == 0 and r.json()["properties"]["accessPolicies"][1]["permissions"]["secrets"] == ["get", "list"]
    r = kv("keyvault", "delete-policy", "-n", "kv1", "--object-id", USER)
    assert r.code == 0
    r = kv("keyvault", "secret", "list", "--vault-name", "kv1")
    assert r.code == 1 and r.err.startswith(f"ERROR: (Forbidden) The user, group or application 'appid=04b07795-8ddb-"
                                            f"461a-bbee-02f9e1bf7b46;oid={USER};iss=https://sts.windows.net/")
    assert "does not have secrets list permission on key vault 'kv1;location=eastus'" in r.err
    r = kv("keyvault", "set-policy", "-n", "kv1", "--upn", "learner@azlocal.local", "--secret-permissions", "all")
    assert r.code == 0 and kv("keyvault", "secret", "list", "--vault-name", "kv1").code == 0
    r = kv("keyvault", "set-policy", "-n", "kv1", "--secret-permissions", "get")
    assert r.code == 1 and "Unable to get object id from principal name." in r.err
    r = kv("keyvault", "set-policy", "-n", "kv1", "--object-id", other, "--secret-permissions", "fly")
    assert r.code == 2


def test_rbac_vault_refuses_the_user_without_a_role(kv):
    kv("keyvault", "create", "-n", "kv-rbac", "-g", "rg1")
    r = kv("keyvault", "secret", "set", "--vault-name", "kv-rbac", "-n", "s", "--value", "v")
    assert r.code == 1 and "(Forbidden) Caller is not authorized to perform action on resource." in r.err
    assert "Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'" in r.err
    r = kv("keyvault", "set-policy", "-n", "kv-rbac", "--object-id", USER, "--secret-permissions", "get")
    assert r.code == 1 and "Cannot set policies to a vault with '--enable-rbac-authorization' specified" in r.err


def test_vault_delete_recover_purge_and_update(kv):
    r = kv("keyvault", "delete", "-n", "kv1")
    assert r.code == 0 and "Warning! If you have soft-delete protection enabled on this key vault" in r.err
    assert kv.published == []
    assert kv("keyvault", "show", "-n", "kv1").code == 1
    r = kv("keyvault", "show", "-n", "kv1", "-g", "rg1")
    assert r.code == 3 and "(ResourceNotFound)" in r.err
    deleted = kv("keyvault", "list-deleted").json()
    assert [d["name"] for d in deleted] == ["kv1"] and deleted[0]["properties"]["location"] == "eastus"
    r = kv("keyvault", "create", "-n", "kv1", "-g", "rg1")
    assert r.code == 1 and "(ConflictError) A vault with the same name already exists in deleted state" in r.err
    r = kv("keyvault", "recover", "-n", "kv1", "-g", "other")
    assert r.code == 1 and "must be recovered to the original resource group rg1" in r.err
    assert kv("keyvault", "recover", "-n", "kv1").json()["name"] == "kv1" and kv.published == ["kv1"]
    r = kv("keyvault", "update", "-n", "kv1", "--enable-purge-protection", "true", "--retention-days", "30")
    assert r.code == 0 and r.json()["properties"]["enablePurgeProtection"] is True
    r = kv("keyvault", "update", "-n", "kv1", "--set", "properties.enablePurgeProtection=false")
    assert r.code == 1 and "cannot be set to false" in r.err
    kv("keyvault", "delete", "-n", "kv1")
    r = kv("keyvault", "purge", "-n", "kv1")
    assert r.code == 1 and "(MethodNotAllowed)" in r.err
    r = kv("keyvault", "purge", "-n", "nothere")
    assert r.code == 1 and "No deleted Vault or HSM was found with name nothere" in r.err
    kv("keyvault", "create", "-n", "kv3", "-g", "rg1")
    kv("keyvault", "delete", "-n", "kv3")
    assert kv("keyvault", "purge", "-n", "kv3", "-l", "eastus").code == 0
    assert [d["name"] for d in kv("keyvault", "list-deleted").json()] == ["kv1"]


def test_check_name_and_hsm_options(kv):
    assert kv("keyvault", "check-name", "-n", "myhsm").json()["nameAvailable"] is True
    r = kv("keyvault", "show", "--hsm-name", "h1")
    assert r.code == 1 and "managedhsm.azure.net" in r.err


def test_key_import_from_pem_and_rotate(kv, tmp_path):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "k.pem"
    pem.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.BestAvailableEncryption(b"pw")))
    r = kv("keyvault", "key", "import", "--vault-name", "kv1", "-n", "imp", "--pem-file", str(pem),
           "--pem-password", "pw")
    assert r.code == 0, r
    n = private.public_key().public_numbers().n.to_bytes(256, "big")
    assert r.json()["key"]["n"] == base64.b64encode(n).decode() and r.json()["key"]["d"] is None
    enc = kv("keyvault", "key", "encrypt", "--vault-name", "kv1", "-n", "imp", "-a", "RSA-OAEP", "--value",
             "aGVsbG8=").json()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    pad = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    assert private.decrypt(base64.b64decode(enc["result"]), pad) == b"hello"
    r = kv("keyvault", "key", "import", "--vault-name", "kv1", "-n", "bad", "--pem-string", "nope")
    assert r.code == 1 and r.err.startswith("ERROR: Import failed:")
    ec_key = ec.generate_private_key(ec.SECP256R1())
    text = ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    assert kv("keyvault", "key", "import", "--vault-name", "kv1", "-n", "ec", "--pem-string", text).json()["key"][
        "crv"] == "P-256"
    rotated = kv("keyvault", "key", "rotate", "--vault-name", "kv1", "-n", "imp").json()
    assert rotated["key"]["n"] != base64.b64encode(n).decode() and rotated["key"]["kty"] == "RSA"
    assert len(kv("keyvault", "key", "list-versions", "--vault-name", "kv1", "-n", "imp").json()) == 2


def test_list_without_a_group_is_the_resource_list(kv):
    rows = kv("keyvault", "list").json()
    assert rows == [{"id": rows[0]["id"], "location": "eastus", "name": "kv1", "resourceGroup": "rg1", "tags": {},
                     "type": "Microsoft.KeyVault/vaults"}]
    assert "properties" in kv("keyvault", "list", "-g", "rg1").json()[0]


def test_a_vault_the_daemon_cannot_serve_is_not_made(kv, monkeypatch):
    from azlocal.core.errors import AzLocalError
    from azlocal.keyvault import vaults

    def fail(doc):
        raise AzLocalError("The azlocal daemon did not start.")

    monkeypatch.setattr(vaults, "publish", fail)
    r = kv("keyvault", "create", "-n", "kv-nodaemon", "-g", "rg1")
    assert r.code == 1 and "did not start" in r.err
    assert kv("keyvault", "show", "-n", "kv-nodaemon").code == 1


def test_network_rules_apply_to_the_clis_own_calls_from_loopback(kv):
    kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "s", "--value", "v")
    assert kv("keyvault", "update", "-n", "kv1", "--default-action", "Deny").code == 0
    r = kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "s")
    assert r.code == 1 and "(Forbidden) Client address is not authorized and caller is not a trusted service." in r.err
    assert "Client address: 127.0.0.1" in r.err
    r = kv("keyvault", "update", "-n", "kv1", "--set", "properties.networkAcls.ipRules=[{\"value\": \"127.0.0.0/8\"}]")
    assert r.code == 0, r
    assert kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "s").code == 0
    assert kv("keyvault", "update", "-n", "kv1", "--public-network-access", "Disabled").code == 0
    r = kv("keyvault", "secret", "list", "--vault-name", "kv1")
    assert r.code == 1 and "Public network access is disabled" in r.err
    r = kv("keyvault", "create", "-n", "kv-acl", "-g", "rg1", "--enable-rbac-authorization", "false",
           "--default-action", "Deny", "--network-acls-ips", "127.0.0.1")
    assert r.json()["properties"]["networkAcls"]["ipRules"] == [{"value": "127.0.0.1"}]
    assert kv("keyvault", "secret", "set", "--vault-name", "kv-acl", "-n", "s", "--value", "v").code == 0
