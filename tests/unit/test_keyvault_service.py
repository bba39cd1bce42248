"""The Key Vault service layer (no CLI, no HTTP): vaults and their names, soft delete, secrets and keys with their
versions, soft delete, recover and purge, access policies and RBAC (through role), and encryption at rest."""

import base64
import hashlib

import pytest

from azlocal.core.errors import AzLocalError, ValidationError

USER = "00000000-0000-0000-0000-0000000a1ce5"
OTHER = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def kv(home, monkeypatch):
    """A vault with access policies (the user has the full policy), without the daemon or the hosts file."""
    from azlocal.keyvault import vaults
    from azlocal.resources import groups

    published = []
    monkeypatch.setattr(vaults, "publish", lambda doc: published.append(doc["name"]))
    monkeypatch.setattr(vaults, "unpublish", lambda doc: doc["name"] in published and published.remove(doc["name"]))
    groups.create("rg1", "eastus")
    doc = vaults.create("rg1", "kv-one", enable_rbac_authorization=False)
    doc["_published"] = published
    return doc


def test_vault_document_and_names(kv):
    from azlocal.keyvault import vaults

    assert kv["properties"]["vaultUri"] == "https://kv-one.vault.azure.net/"
    assert kv["properties"]["softDeleteRetentionInDays"] == 90 and kv["properties"]["enableSoftDelete"] is True
    assert kv["properties"]["accessPolicies"][0]["objectId"] == USER
    assert kv["properties"]["accessPolicies"][0]["permissions"]["secrets"] == ["all"]
    assert vaults.find("KV-ONE")["id"] == kv["id"] and kv["_published"] == ["kv-one"]
    for bad in ("ab", "a" * 25, "1abc", "ab-", "a--b", "a_b"):
        with pytest.raises(ValidationError, match=r"^\(VaultNameNotValid\)"):
            vaults.create("rg1", bad)
    with pytest.raises(AzLocalError, match="The specified vault: kv-one already exists"):
        vaults.create("rg1", "kv-one")
    from azlocal.resources import groups

    groups.create("rg2", "eastus")
    with pytest.raises(AzLocalError, match=r"^\(VaultAlreadyExists\)"):
        vaults.create("rg2", "KV-one")


def test_rbac_is_the_default_and_gives_no_policy(kv):
    from azlocal.keyvault import vaults

    doc = vaults.create("rg1", "kv-rbac")
    assert doc["properties"]["enableRbacAuthorization"] is True and doc["properties"]["accessPolicies"] == []
    with pytest.raises(AzLocalError, match="Cannot set policies to a vault with '--enable-rbac-authorization'"):
        vaults.set_policy(doc, OTHER, secrets=["get"])


def test_vault_soft_delete_keeps_the_name_until_purge_and_recover_restores_secrets(kv):
    from azlocal.keyvault import secrets, vaults

    secrets.set(kv, "s1", "hello", USER)
    vaults.delete("kv-one", "rg1")
    assert vaults.find("kv-one") is None and kv["_published"] == []
    deleted = vaults.show_deleted("kv-one")
    assert deleted["properties"]["vaultId"] == kv["id"] and deleted["type"] == "Microsoft.KeyVault/deletedVaults"
    with pytest.raises(AzLocalError, match=r"^\(ConflictError\) A vault with the same name already exists in deleted"):
        vaults.create("rg1", "kv-one")
    with pytest.raises(vaults.VaultUnreachable):
        secrets.get("kv-one", "s1", principal=USER)
    vaults.recover("kv-one")
    assert secrets.get("kv-one", "s1", principal=USER)["value"] == "hello"
    vaults.delete("kv-one")
    vaults.purge("kv-one")
    assert vaults.list_deleted() == []
    vaults.create("rg1", "kv-one", enable_rbac_authorization=False)
    with pytest.raises(AzLocalError, match=r"^\(SecretNotFound\)"):
        secrets.get("kv-one", "s1", principal=USER)


def test_purge_protection_refuses_purge_and_cannot_be_turned_off(kv):
    from azlocal.keyvault import secrets, vaults

    doc = vaults.create("rg1", "kv-pp", enable_purge_protection=True, enable_rbac_authorization=False,
                        retention_days=7)
    secrets.set(doc, "s", "v", USER)
    secrets.delete(doc, "s", USER)
    with pytest.raises(AzLocalError, match="purge protection is enabled"):
        secrets.purge(doc, "s", USER)
    vaults.delete("kv-pp")
    with pytest.raises(AzLocalError, match=r"^\(MethodNotAllowed\) Operation 'DeletedVaultPurge' is not allowed\.$"):
        vaults.purge("kv-pp")
    with pytest.raises(ValidationError, match="cannot be set to false"):
        vaults.create("rg1", "kv-pp2", enable_purge_protection=False)
    with pytest.raises(ValidationError, match="must be between 7 and 90"):
        vaults.create("rg1", "kv-pp3", retention_days=6)


def test_secret_versions_bundles_and_attributes(kv):
    from azlocal.keyvault import secrets

    one = secrets.set(kv, "db-pass", "first", USER, content_type="text/plain", tags={"a": "1"})
    two = secrets.set("kv-one", "db-pass", "second", USER)
    v1 = one["id"].rsplit("/", 1)[1]
    assert one["id"] == f"https://kv-one.vault.azure.net/secrets/db-pass/{v1}" and len(v1) == 32
    assert one["attributes"]["recoveryLevel"] == "Recoverable+Purgeable"
    assert one["attributes"]["recoverableDays"] == 90 and one["contentType"] == "text/plain"
    assert secrets.get(kv, "DB-PASS", principal=USER)["value"] == "second"
    assert secrets.get(kv, "db-pass", v1, principal=USER)["value"] == "first"
    assert [v["id"] for v in secrets.list_versions(kv, "db-pass", USER)] == [one["id"], two["id"]]
    items = secrets.list(kv, USER)
    assert items == [{k: v for k, v in two.items() if k != "value"} | {"id": "https://kv-one.vault.azure.net/"
                                                                           "secrets/db-pass"}]
    assert "value" not in items[0]
    updated = secrets.update_attributes(kv, "db-pass", USER, version=v1, enabled=False,
                                        expires="2030-01-01T00:00:00Z")
    assert updated["attributes"]["enabled"] is False and updated["attributes"]["exp"] == 1893456000
    with pytest.raises(AzLocalError, match=r"^\(Forbidden\) Operation get is not allowed on a disabled secret"):
        secrets.get(kv, "db-pass", v1, principal=USER)
    with pytest.raises(AzLocalError, match=r"^\(SecretNotFound\) A secret with \(name/id\) db-pass/0+ was not"):
        secrets.get(kv, "db-pass", "0" * 32, principal=USER)
    with pytest.raises(AzLocalError, match=r"^\(BadParameter\) The request URI contains an invalid name: a_b"):
        secrets.set(kv, "a_b", "x", USER)


def test_secret_soft_delete_recover_purge(kv):
    from azlocal.keyvault import secrets

    secrets.set(kv, "s1", "v", USER)
    deleted = secrets.delete(kv, "s1", USER)
    assert deleted["recoveryId"] == "https://kv-one.vault.azure.net/deletedsecrets/s1"
    assert deleted["scheduledPurgeDate"] - deleted["deletedDate"] == 90 * 86400 and "value" not in deleted
    with pytest.raises(AzLocalError, match=r"^\(SecretNotFound\)") as ex:
        secrets.get(kv, "s1", principal=USER)
    assert ex.value.exit_code == 3 and ex.value.status == 404
    with pytest.raises(AzLocalError, match=r"^\(Conflict\) Secret s1 is currently in a deleted but recoverable"):
        secrets.set(kv, "s1", "again", USER)
    assert [d["recoveryId"] for d in secrets.list_deleted(kv, USER)] == [deleted["recoveryId"]]
    assert secrets.get_deleted(kv, "s1", USER)["id"] == deleted["id"]
    secrets.recover(kv, "s1", USER)
    assert secrets.get(kv, "s1", principal=USER)["value"] == "v"
    secrets.delete(kv, "s1", USER)
    secrets.purge(kv, "s1", USER)
    with pytest.raises(AzLocalError, match=r"^\(SecretNotFound\) Deleted Secret not found"):
        secrets.get_deleted(kv, "s1", USER)
    secrets.set(kv, "s1", "fresh", USER)
    assert len(secrets.list_versions(kv, "s1", USER)) == 1


def test_access_policies_name_the_missing_permission(kv):
    from azlocal.keyvault import secrets, vaults

    secrets.set(kv, "s1", "v", USER)
    with pytest.raises(AzLocalError, match=r"^\(Forbidden\) The user, group or application 'appid=;oid=" + OTHER +
                       r";iss=https://sts.windows.net/.*/' does not have secrets get permission on key vault "
                       r"'kv-one;location=eastus'") as ex:
        secrets.get(kv, "s1", principal=OTHER)
    assert ex.value.status == 403 and ex.value.body()["error"]["innererror"]["code"] == "ForbiddenByPolicy"
    doc = vaults.set_policy(vaults.get("kv-one"), OTHER, secrets=["get", "get"])
    assert doc["properties"]["accessPolicies"][1]["permissions"]["secrets"] == ["get"]
    assert secrets.get(doc, "s1", principal={"oid": OTHER, "appid": "x"})["value"] == "v"
    with pytest.raises(AzLocalError, match="does not have secrets list permission"):
        secrets.list(doc, OTHER)
    doc = vaults.delete_policy(doc, OTHER)
    with pytest.raises(AzLocalError, match="does not have secrets get permission"):
        secrets.get(doc, "s1", principal=OTHER)


def test_rbac_vaults_ask_the_role_assignments(kv, monkeypatch):
    import sys
    import types

    from azlocal.keyvault import secrets, vaults

    asked = []
    fake = types.ModuleType("azlocal.role.assignments")
    fake.allowed = lambda principal, scope, action, data=None: asked.append((principal, scope, action, data)) or \
        principal == USER
    monkeypatch.setitem(sys.modules, "azlocal.role.assignments", fake)
    import azlocal.role

    monkeypatch.setattr(azlocal.role, "assignments", fake, raising=False)
    doc = vaults.create("rg1", "kv-rbac")
    secrets.set(doc, "s1", "v", USER)
    assert asked[-1] == (USER, doc["id"] + "/secrets/s1", "Microsoft.KeyVault/vaults/secrets/setSecret/action", True)
    with pytest.raises(AzLocalError, match=r"^\(Forbidden\) Caller is not authorized to perform action on resource"
                       r"\.(.|\n)*Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\nResource: "
                       r"'/subscriptions/.*/resourcegroups/rg1/providers/microsoft.keyvault/vaults/kv-rbac/secrets/s1'"):
        secrets.get(doc, "s1", principal=OTHER)


def test_values_and_private_keys_are_not_in_the_state_database_in_clear(kv, home):
    from azlocal.keyvault import keys, secrets
    from azlocal.platform.store import store

    value = "correct-horse-battery-staple-0123456789"
    secrets.set(kv, "s1", value, USER)
    key = keys.create(kv, "k1", USER)
    store().conn.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in home.iterdir() if p.name.startswith("state.db"))
    assert value.encode() not in raw and base64.b64encode(value.encode()) not in raw
    assert b"PRIVATE KEY" not in raw and key["key"]["n"].encode() in raw
    secrets_file = (home / "secrets.cfg").read_text()
    assert value not in secrets_file


def test_a_sealed_value_does_not_open_in_another_slot(kv):
    from cryptography.exceptions import InvalidTag

    from azlocal.keyvault import atrest

    token = atrest.seal(b"x", "kv-one/secrets/a/1")
    assert atrest.unseal(token, "kv-one/secrets/a/1") == b"x"
    with pytest.raises(InvalidTag):
        atrest.unseal(token, "kv-one/secrets/b/1")


def test_rsa_keys_encrypt_wrap_sign_and_their_versions(kv):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from azlocal.keyvault import keycrypto, keys

    bundle = keys.create(kv, "k1", USER, size=3072, tags={"t": "1"})
    jwk = bundle["key"]
    assert jwk["kty"] == "RSA" and jwk["e"] == "AQAB" and len(keycrypto.b64url_decode(jwk["n"])) == 384
    assert jwk["key_ops"] == ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]
    assert jwk["kid"].startswith("https://kv-one.vault.azure.net/keys/k1/")
    for alg in keycrypto.ENCRYPTION:
        out = keys.encrypt(kv, "k1", None, alg, b"secret data", USER)
        assert out["kid"] == jwk["kid"]
        assert keys.decrypt(kv, "k1", None, alg, keycrypto.b64url_decode(out["value"]), USER)["value"] == \
            keycrypto.b64url(b"secret data")
    # the public half alone encrypts what the vault decrypts (RSA-OAEP-256, as a client SDK does locally)
    public = keycrypto.public_key(jwk)
    pad = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    wrapped = public.encrypt(b"k" * 32, pad)
    assert keys.unwrap(kv, "k1", None, "RSA-OAEP-256", wrapped, USER)["value"] == keycrypto.b64url(b"k" * 32)
    digest = hashlib.sha256(b"msg").digest()
    for alg in ("RS256", "PS256"):
        signature = keycrypto.b64url_decode(keys.sign(kv, "k1", None, alg, digest, USER)["value"])
        assert keys.verify(kv, "k1", None, alg, digest, signature, USER) == {"value": True}
        assert keys.verify(kv, "k1", None, alg, hashlib.sha256(b"other").digest(), signature, USER) == \
            {"value": False}
    second = keys.create(kv, "k1", USER)
    assert [v["kid"] for v in keys.list_versions(kv, "k1", USER)] == [jwk["kid"], second["key"]["kid"]]
    assert keys.list(kv, USER)[0]["kid"] == "https://kv-one.vault.azure.net/keys/k1"
    old = jwk["kid"].rsplit("/", 1)[1]
    assert keys.get(kv, "k1", old, USER)["key"]["n"] == jwk["n"]
    assert keys.get(kv, "k1", principal=USER)["key"]["kid"] == second["key"]["kid"]


def test_key_ops_disabled_keys_and_bad_input(kv):
    from azlocal.keyvault import keys

    keys.create(kv, "enc-only", USER, ops=["encrypt"])
    with pytest.raises(AzLocalError, match=r"^\(Forbidden\) Operation decrypt is not permitted on this key"):
        keys.decrypt(kv, "enc-only", None, "RSA-OAEP", b"x" * 256, USER)
    keys.update_attributes(kv, "enc-only", USER, enabled=False)
    with pytest.raises(AzLocalError, match=r"^\(Forbidden\) Operation encrypt is not allowed on a disabled key"):
        keys.encrypt(kv, "enc-only", None, "RSA-OAEP", b"x", USER)
    with pytest.raises(AzLocalError, match=r"^\(BadParameter\) The specified key size 1024"):
        keys.create(kv, "small", USER, size=1024)
    keys.create(kv, "k2", USER)
    with pytest.raises(AzLocalError, match=r"^\(BadParameter\) Invalid algorithm: A256KW"):
        keys.encrypt(kv, "k2", None, "A256KW", b"x", USER)
    with pytest.raises(AzLocalError, match=r"^\(BadParameter\) Error while decrypting"):
        keys.decrypt(kv, "k2", None, "RSA-OAEP", b"x" * 256, USER)
    with pytest.raises(AzLocalError, match=r"^\(KeyNotFound\) A key with \(name/id\) nope was not found"):
        keys.get(kv, "nope", principal=USER)


def test_ec_keys_sign_and_verify(kv):
    from azlocal.keyvault import keycrypto, keys

    bundle = keys.create(kv, "ec1", USER, kty="EC", curve="P-384")
    assert bundle["key"]["crv"] == "P-384" and bundle["key"]["key_ops"] == ["sign", "verify"]
    digest = hashlib.sha384(b"m").digest()
    signature = keycrypto.b64url_decode(keys.sign(kv, "ec1", None, "ES384", digest, USER)["value"])
    assert len(signature) == 96
    assert keys.verify(kv, "ec1", None, "ES384", digest, signature, USER)["value"] is True


def test_key_soft_delete_recover_purge(kv):
    from azlocal.keyvault import keys

    keys.create(kv, "k1", USER)
    deleted = keys.delete(kv, "k1", USER)
    assert deleted["recoveryId"] == "https://kv-one.vault.azure.net/deletedkeys/k1" and "key" in deleted
    with pytest.raises(AzLocalError, match=r"^\(Conflict\) Key k1 is currently in a deleted but recoverable state"):
        keys.create(kv, "k1", USER)
    assert len(keys.list_deleted(kv, USER)) == 1
    keys.recover(kv, "k1", USER)
    assert keys.get(kv, "k1", principal=USER)["key"]["kty"] == "RSA"
    keys.delete(kv, "k1", USER)
    keys.purge(kv, "k1", USER)
    assert keys.list_deleted(kv, USER) == [] and keys.list(kv, USER) == []


def test_deleting_the_group_soft_deletes_its_vaults(kv):
    from azlocal.keyvault import secrets, vaults
    from azlocal.resources import groups

    secrets.set(kv, "s1", "v", USER)
    groups.delete("rg1")
    assert vaults.find("kv-one") is None and vaults.show_deleted("kv-one")["name"] == "kv-one"
    with pytest.raises(AzLocalError, match=r"^\(ResourceGroupNotFound\)|could not be found"):
        vaults.recover("kv-one")
    groups.create("rg1", "eastus")
    vaults.recover("kv-one")
    assert secrets.get("kv-one", "s1", principal=USER)["value"] == "v"


def test_rbac_with_real_role_assignments_at_vault_and_secret_scope(kv):
    from azlocal.keyvault import secrets, vaults
    from azlocal.role import assignments

    doc = vaults.create("rg1", "kv-roles")
    with pytest.raises(AzLocalError, match="ForbiddenByRbac|Caller is not authorized"):
        secrets.set(doc, "s1", "v", USER)
    _assign(assignments, USER, "Key Vault Secrets Officer", doc["id"])
    secrets.set(doc, "s1", "v", USER)
    secrets.set(doc, "s2", "w", USER)
    _assign(assignments, OTHER, "Key Vault Secrets User", doc["id"] + "/secrets/s1")
    assert secrets.get(doc, "s1", principal=OTHER)["value"] == "v"
    with pytest.raises(AzLocalError, match="Caller is not authorized"):
        secrets.get(doc, "s2", principal=OTHER)
    with pytest.raises(AzLocalError, match="Caller is not authorized"):
        secrets.set(doc, "s1", "x", OTHER)


def _assign(assignments, principal, role, scope):
    assignments.create(role, principal, scope, principal_type="ServicePrincipal")


def test_deleted_objects_and_vaults_go_at_their_scheduled_purge_date(kv):
    from azlocal.keyvault import objects, secrets, vaults
    from azlocal.platform.store import store

    secrets.set(kv, "old", "v", USER)
    secrets.delete(kv, "old", USER)
    row = objects.load(kv, "secrets", "old")
    row["deleted"]["scheduledPurgeDate"] = objects.now() - 1
    with store().transaction():
        objects.save(row)
    assert secrets.list_deleted(kv, USER) == []
    assert secrets.set(kv, "old", "fresh", USER)["value"] == "fresh"  # the name is free again
    assert len(secrets.list_versions(kv, "old", USER)) == 1
    vaults.delete("kv-one")
    deleted = vaults.show_deleted("kv-one")
    deleted["properties"]["scheduledPurgeDate"] = "2000-01-01T00:00:00+00:00"
    with store().transaction():
        store().put(deleted, resource_group="")
    assert vaults.list_deleted() == []
    doc = vaults.create("rg1", "kv-one", enable_rbac_authorization=False)
    assert secrets.list(doc, USER) == []  # the expired vault's secrets went with it


def test_an_expired_key_still_decrypts_and_unwraps_but_no_longer_encrypts_or_signs(kv):
    from azlocal.keyvault import keycrypto, keys

    keys.create(kv, "k1", USER)
    wrapped = keycrypto.b64url_decode(keys.wrap(kv, "k1", None, "RSA-OAEP", b"dek", USER)["value"])
    keys.update_attributes(kv, "k1", USER, expires="2000-01-01T00:00:00Z")
    assert keys.unwrap(kv, "k1", None, "RSA-OAEP", wrapped, USER)["value"] == keycrypto.b64url(b"dek")
    for operation in (keys.wrap, keys.encrypt):
        with pytest.raises(AzLocalError, match=r"is not allowed on an expired key") as ex:
            operation(kv, "k1", None, "RSA-OAEP", b"x", USER)
        assert ex.value.status == 403
    keys.update_attributes(kv, "k1", USER, expires="2999-01-01T00:00:00Z", not_before="2998-01-01T00:00:00Z")
    with pytest.raises(AzLocalError, match="not yet valid"):
        keys.sign(kv, "k1", None, "RS256", b"\0" * 32, USER)


def test_the_data_key_is_made_once_when_many_threads_need_it_first(home):
    import threading

    from azlocal.keyvault import atrest

    atrest._cache.clear()
    tokens, barrier = [], threading.Barrier(8)

    def seal():
        barrier.wait()
        tokens.append(atrest.seal(b"v", "slot"))

    threads = [threading.Thread(target=seal) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    atrest._cache.clear()
    assert [atrest.unseal(t, "slot") for t in tokens] == [b"v"] * 8


def test_a_keys_private_half_is_parsed_once_not_per_operation(kv, monkeypatch):
    from azlocal.keyvault import keycrypto, keys

    keys.create(kv, "k1", USER)
    parsed = []
    real = keycrypto.from_pem
    monkeypatch.setattr(keycrypto, "from_pem", lambda pem: parsed.append(1) or real(pem))
    for _ in range(5):
        wrapped = keycrypto.b64url_decode(keys.wrap(kv, "k1", None, "RSA-OAEP", b"dek", USER)["value"])
        keys.unwrap(kv, "k1", None, "RSA-OAEP", wrapped, USER)
    assert len(parsed) == 1


def test_officers_recover_and_purge_deleted_objects_on_an_rbac_vault(kv):
    """Deleting, listing deleted, recovering and purging are secrets/* and keys/* data actions: the
    Officer roles (secrets/*, keys/*) do all of them; the User roles none."""
    from azlocal.keyvault import keys, secrets, vaults
    from azlocal.role import assignments

    doc = vaults.create("rg1", "kv-officer")
    _assign(assignments, USER, "Key Vault Secrets Officer", doc["id"])
    _assign(assignments, USER, "Key Vault Crypto Officer", doc["id"])
    _assign(assignments, OTHER, "Key Vault Secrets User", doc["id"])
    secrets.set(doc, "s1", "v", USER)
    keys.create(doc, "k1", USER)
    for kind in (secrets, keys):
        name = "s1" if kind is secrets else "k1"
        kind.delete(doc, name, USER)
        with pytest.raises(AzLocalError, match="Caller is not authorized"):
            kind.recover(doc, name, OTHER)
        assert len(kind.list_deleted(doc, USER)) == 1 and kind.get_deleted(doc, name, USER)
        kind.recover(doc, name, USER)
        kind.delete(doc, name, USER)
        kind.purge(doc, name, USER)
        assert kind.list_deleted(doc, USER) == []
