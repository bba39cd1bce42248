"""Registries encrypted with a customer-managed key, without Docker: the sealed blob format (chunks, ranges,
tampering), a CMK registry's storage (nothing in clear on disk, uploads sealed at commit), its data key wrapped by
the vault key as the registry's identity, refusals once the key is disabled, rotation without re-encryption, and
the commands' checks."""

import hashlib
import json
import os

import pytest

from azlocal.acr.dataplane import sealed
from azlocal.core import settings

KEY = bytes(range(32))


# The format ----------------------------------------------------------------------------------------------

@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sealed, "CHUNK", 16)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 100])
def test_sealed_bytes_and_files_open_whole_and_by_range(tmp_path, small_chunks, size):
    data = os.urandom(size)
    path = tmp_path / "blob"
    path.write_bytes(sealed.seal_bytes(KEY, data))
    assert sealed.open_bytes(KEY, path) == data and sealed.plain_size(path) == size and sealed.is_sealed(path)
    source = tmp_path / "plain"
    source.write_bytes(data)
    hasher = hashlib.sha256()
    assert sealed.seal_file(KEY, source, tmp_path / "sealed", hasher) == size
    assert hasher.digest() == hashlib.sha256(data).digest()
    assert sealed.open_bytes(KEY, tmp_path / "sealed") == data
    with sealed.Opened(KEY, path) as opened:
        for start, end in [(0, 0), (3, 20), (16, 31), (15, 16), (5, 1000)]:
            assert b"".join(opened.pieces(start, end)) == data[start:end + 1]


def test_a_ranged_read_decrypts_only_the_chunks_it_covers(tmp_path, small_chunks):
    path = tmp_path / "blob"
    path.write_bytes(sealed.seal_bytes(KEY, bytes(160)))
    with sealed.Opened(KEY, path) as opened:
        seen = []
        real = opened.read_chunk
        opened.read_chunk = lambda i: seen.append(i) or real(i)
        assert b"".join(opened.pieces(40, 70)) == bytes(31)
    assert seen == [2, 3, 4]


def test_altered_moved_or_foreign_chunks_and_a_wrong_key_fail(tmp_path, small_chunks):
    data = os.urandom(48)
    raw = bytearray(sealed.seal_bytes(KEY, data))
    path = tmp_path / "blob"
    step = 16 + sealed.NONCE + sealed.TAG
    cases = []
    flipped = bytearray(raw)
    flipped[sealed.HEADER.size + 20] ^= 1
    cases.append(bytes(flipped))
    swapped = bytearray(raw)
    a, b = sealed.HEADER.size, sealed.HEADER.size + step
    swapped[a:a + step], swapped[b:b + step] = raw[b:b + step], raw[a:a + step]
    cases.append(bytes(swapped))
    resized = bytearray(raw)
    resized[12:20] = (32).to_bytes(8, "big")  # the header claims fewer bytes
    cases.append(bytes(resized))
    for case in cases:
        path.write_bytes(case)
        with pytest.raises(sealed.SealError):
            sealed.open_bytes(KEY, path)
    path.write_bytes(bytes(raw))
    with pytest.raises(sealed.SealError):
        sealed.open_bytes(bytes(32), path)
    assert data not in bytes(raw)


@pytest.mark.parametrize("parts", [[], [b""], [b"a" * 16], [b"a" * 5, b"b" * 30], [b"x" * 7] * 9, [b"y" * 48]])
def test_an_upload_sealed_as_it_arrives_becomes_the_blobs_sealed_form(tmp_path, small_chunks, parts):
    path = tmp_path / "upload"
    path.touch()
    for part in parts:  # one request each: the tail is sealed between them
        with sealed.Appender(KEY, path) as f:
            f.write(part)
    data = b"".join(parts)
    assert sealed.upload_size(path) == len(data)
    if len(data) >= 5:
        assert data[:5] not in b"".join(p.read_bytes() for p in tmp_path.iterdir())
    hasher = hashlib.sha256()
    sealed.hash_upload(KEY, path, hasher)
    assert hasher.digest() == hashlib.sha256(data).digest()
    assert sealed.finalize(KEY, path) == len(data)
    assert sealed.open_bytes(KEY, path) == data and not (tmp_path / "upload.tail").exists()


def test_a_refused_chunk_is_cut_off_an_upload_being_sealed(tmp_path, small_chunks):
    path = tmp_path / "upload"
    path.touch()
    with sealed.Appender(KEY, path) as f:
        f.write(b"k" * 20)
    for cut, extra in ((20, b"z" * 30), (20, b"z" * 3)):
        with sealed.Appender(KEY, path) as f:
            f.write(extra)
        sealed.truncate_upload(KEY, path, cut)
        assert sealed.upload_size(path) == 20
    sealed.truncate_upload(KEY, path, 10)  # inside the first full chunk
    with sealed.Appender(KEY, path) as f:
        f.write(b"m" * 10)
    sealed.finalize(KEY, path)
    assert sealed.open_bytes(KEY, path) == b"k" * 10 + b"m" * 10


def test_the_ranges_a_blob_get_may_ask_for():
    from azlocal.acr.dataplane.encrypted import _range

    assert _range(None, 100) is None and _range("bytes=0-9", 100) == (0, 9)
    assert _range("bytes=90-", 100) == (90, 99) and _range("bytes=-10", 100) == (90, 99)
    assert _range("bytes=50-500", 100) == (50, 99) and _range("bytes=0-1,5-6", 100) is None
    for bad in ("bytes=100-", "bytes=5-2", "bytes=-0"):
        with pytest.raises(ValueError):
            _range(bad, 100)


# A CMK registry over the real Key Vault and identity service layers --------------------------------------

@pytest.fixture
def cmk(cli, monkeypatch):
    """A Premium registry row made as `acr create --identity --key-encryption-key` makes it (without the
    daemon), its identity allowed wrap/unwrap on an access-policy vault's key."""
    from azlocal.acr import encryption, registries
    from azlocal.core import arm
    from azlocal.identity import identities
    from azlocal.keyvault import keys, vaults
    from azlocal.platform.store import store

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    monkeypatch.setattr(vaults, "unpublish", lambda doc: None)
    vault = vaults.create("rg", "cmkvault", enable_rbac_authorization=False)
    ident = identities.create("rg", "cmk-id")
    vaults.set_policy(vault, ident["principalId"], keys=["get", "wrapKey", "unwrapKey"])
    kid = keys.create("cmkvault", "regkey", principal=settings.USER_OBJECT_ID)["key"]["kid"]
    versionless = kid.rsplit("/", 1)[0]
    rid = arm.resource_id("rg", registries.REGISTRY_TYPE, "cmkreg")
    plan = encryption.prepare(ident["id"], versionless, "Premium", "rg", rid)
    doc = registries._document(rid, "cmkreg", "eastus", "Premium", False, None, arm.utc_now(), None, None)
    encryption.apply(doc, plan)
    store().put(doc)
    registries.storage_root("cmkreg").mkdir(parents=True, exist_ok=True)
    encryption.save_key("cmkreg", plan)
    encryption.forget()
    yield {"doc": doc, "identity": ident, "kid": kid, "vault": vault}
    encryption.forget()


def _storage(name):
    from azlocal.acr import registries
    from azlocal.acr.dataplane.storage import RegistryStorage

    return RegistryStorage(registries.storage_root(name))


def _all_bytes(root):
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file() and p.suffix not in (".db", ".db-wal"))


def test_the_document_names_the_key_and_the_identity_and_the_data_key_is_wrapped(cmk):
    props = cmk["doc"]["encryption"]["keyVaultProperties"]
    assert cmk["doc"]["encryption"]["status"] == "enabled"
    assert props["identity"] == cmk["identity"]["clientId"] and props["keyRotationEnabled"] is True
    assert props["versionedKeyIdentifier"] == cmk["kid"] and props["keyIdentifier"] == cmk["kid"].rsplit("/", 1)[0]
    users = cmk["doc"]["identity"]["userAssignedIdentities"]
    assert list(users.values())[0]["principalId"] == cmk["identity"]["principalId"]
    from azlocal.acr import encryption, registries

    content = json.loads((registries.storage_root("cmkreg") / encryption.KEY_FILE).read_text())
    assert content["kid"] == cmk["kid"] and content["alg"] == "RSA-OAEP-256"
    key = encryption.data_key(registries.storage_root("cmkreg"))
    assert len(key) == 32 and key.hex() not in json.dumps(content)


def test_every_blob_is_sealed_on_disk_and_reads_back(cmk):

    storage = _storage("cmkreg")
    secret = b"LAYER-PLAINTEXT-" * 4096
    digest = storage.put_blob_bytes(secret)
    assert storage.read_blob(digest) == secret and sealed.is_sealed(storage.blob_path(digest))
    upload = storage.new_upload("app")
    with upload.open_for_append() as f:
        f.write(secret)
        f.write(b"upload")
    assert upload.offset == len(secret) + 6
    assert b"LAYER-PLAINTEXT" not in _all_bytes(storage.root)  # sealed as it arrived, not at the commit
    pushed = "sha256:" + hashlib.sha256(secret + b"upload").hexdigest()
    assert upload.commit(pushed) == pushed
    assert storage.read_blob(pushed) == secret + b"upload"
    assert not list((storage.root / "uploads").iterdir())  # the plaintext upload is gone
    with storage.open_sealed(pushed) as opened:
        assert b"".join(opened.pieces(5, 20)) == (secret + b"upload")[5:21]
    assert b"LAYER-PLAINTEXT" not in _all_bytes(storage.root)
    bad = storage.new_upload("app")
    with bad.open_for_append() as f:
        f.write(b"other")
    with pytest.raises(Exception, match="did not match"):
        bad.commit("sha256:" + "0" * 64)
    assert not list((storage.root / "uploads").iterdir())


def test_a_cache_copy_between_a_plain_and_a_cmk_registry_seals_and_opens(cmk, tmp_path):
    from azlocal.acr.dataplane.storage import RegistryStorage

    plain = RegistryStorage(tmp_path / "plain")
    digest = plain.put_blob_bytes(b"from-the-upstream")
    target = _storage("cmkreg")
    assert target.copy_blob_from(plain, digest) == len(b"from-the-upstream")
    assert sealed.is_sealed(target.blob_path(digest)) and target.read_blob(digest) == b"from-the-upstream"
    back = RegistryStorage(tmp_path / "plain2")
    back.copy_blob_from(target, digest)
    assert back.blob_path(digest).read_bytes() == b"from-the-upstream"


def test_a_disabled_key_stops_reads_and_writes_once_the_cache_expires(cmk, monkeypatch):
    from azlocal.acr import encryption
    from azlocal.acr.dataplane.errors import RegistryError
    from azlocal.keyvault import keys

    storage = _storage("cmkreg")
    digest = storage.put_blob_bytes(b"kept")
    keys.update_attributes("cmkvault", "regkey", settings.USER_OBJECT_ID, enabled=False)
    assert storage.read_blob(digest) == b"kept"  # the cached data key, until it expires
    monkeypatch.setattr(settings, "cmk_key_cache_seconds", lambda: 0.0)
    encryption.forget()
    for attempt in (lambda: storage.read_blob(digest), lambda: storage.put_blob_bytes(b"new"),
                    lambda: storage.new_upload("app")):
        with pytest.raises(RegistryError) as info:
            attempt()
        assert info.value.status == 403 and info.value.code == "DENIED"
        assert "customer-managed key cannot be used" in info.value.message
    keys.update_attributes("cmkvault", "regkey", settings.USER_OBJECT_ID, enabled=True)
    assert storage.read_blob(digest) == b"kept"


def test_rotation_rewraps_the_same_data_key_and_no_blob_changes(cmk, cli):
    from azlocal.acr import encryption, registries
    from azlocal.keyvault import keys

    storage = _storage("cmkreg")
    digest = storage.put_blob_bytes(b"before-rotation")
    before = storage.blob_path(digest).read_bytes()
    key = encryption.data_key(storage.root)
    new_kid = keys.create("cmkvault", "regkey", principal=settings.USER_OBJECT_ID)["key"]["kid"]  # a new version
    r = cli("acr", "encryption", "rotate-key", "-n", "cmkreg")
    assert r.code == 0, r.err
    props = r.json()["encryption"]["keyVaultProperties"]
    assert props["versionedKeyIdentifier"] == new_kid
    content = json.loads((registries.storage_root("cmkreg") / encryption.KEY_FILE).read_text())
    assert content["kid"] == new_kid
    encryption.forget()
    assert encryption.data_key(storage.root) == key and storage.blob_path(digest).read_bytes() == before
    old_version = cmk["kid"].rsplit("/", 1)[1]
    keys.update_attributes("cmkvault", "regkey", settings.USER_OBJECT_ID, version=old_version, enabled=False)
    encryption.forget()
    assert storage.read_blob(digest) == b"before-rotation"  # the old version is no longer needed
    shown = cli("acr", "encryption", "show", "-n", "cmkreg").json()
    assert shown["status"] == "enabled" and shown["keyVaultProperties"]["versionedKeyIdentifier"] == new_kid


@pytest.mark.parametrize("args, code, text", [
    (["create", "-n", "newreg", "-g", "rg", "--sku", "Premium", "--identity", "cmk-id"], 1,
     "--identity and --key-encryption-key must be both supplied"),
    (["create", "-n", "newreg", "-g", "rg", "--sku", "Basic", "--identity", "cmk-id", "--key-encryption-key",
      "https://cmkvault.vault.azure.net/keys/regkey"], 1, "(FeatureNotSupportedForSku)"),
    (["create", "-n", "newreg", "-g", "rg", "--sku", "Premium", "--identity", "cmk-id", "--key-encryption-key",
      "https://cmkvault.vault.azure.net/secrets/regkey"], 1, "is not a Key Vault key identifier"),
    (["create", "-n", "newreg", "-g", "rg", "--sku", "Premium", "--identity", "no-such-id", "--key-encryption-key",
      "https://cmkvault.vault.azure.net/keys/regkey"], 3, "(ResourceNotFound)"),
    (["create", "-n", "newreg", "-g", "rg", "--sku", "Premium", "--identity", "cmk-id", "--key-encryption-key",
      "https://cmkvault.vault.azure.net/keys/nosuchkey"], 1, "(KeyVaultKeyInaccessible)"),
    (["create", "-n", "newreg", "-g", "rg", "--sku", "Premium", "--identity", "other-id", "--key-encryption-key",
      "https://cmkvault.vault.azure.net/keys/regkey"], 1, "does not have keys wrapKey permission"),
    (["encryption", "rotate-key", "-n", "cmkreg", "--identity", "other-id"], 1, "is not assigned to the registry"),
    (["encryption", "rotate-key", "-n", "cmkreg", "--key-encryption-key", "https://x.example.com/keys/k"], 1,
     "is not a Key Vault key identifier"),
])
def test_bad_input_changes_nothing(cmk, cli, args, code, text):
    from azlocal.identity import identities

    identities.create("rg", "other-id")
    before = cli("acr", "show", "-n", "cmkreg").json()
    r = cli("acr", *args)
    assert r.code == code and text in r.err, (r.code, r.err)
    assert "could not be found" in cli("acr", "show", "-n", "newreg").err
    assert cli("acr", "show", "-n", "cmkreg").json() == before


def test_rotate_key_on_a_plain_registry_is_refused_as_az_refuses_it(cli):
    from tests.unit.test_validation_hardening import _seed_registry

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_registry("plainreg", "Premium")
    r = cli("acr", "encryption", "rotate-key", "-n", "plainreg")
    assert r.code == 1 and "key rotation is only applicable to registries with CMK enabled" in r.err
    assert cli("acr", "encryption", "show", "-n", "plainreg").json() == {"keyVaultProperties": None,
                                                                        "status": "disabled"}


def test_removing_the_identitys_role_on_an_rbac_vault_stops_the_registry(cli, monkeypatch):
    """The RBAC path: Key Vault Crypto Service Encryption User lets the identity wrap; once the assignment goes
    (and the cached key expires) the data key cannot be unwrapped."""
    from azlocal.acr import encryption
    from azlocal.acr.dataplane.errors import RegistryError
    from azlocal.acr.dataplane.storage import RegistryStorage
    from azlocal.identity import identities
    from azlocal.keyvault import keys, vaults
    from azlocal.role import assignments

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    vault = vaults.create("rg", "rbacvault", enable_rbac_authorization=True)
    assignments.create("Key Vault Crypto Officer", settings.USER_OBJECT_ID, vault["id"])
    kid = keys.create("rbacvault", "regkey", principal=settings.USER_OBJECT_ID)["key"]["kid"]
    ident = identities.create("rg", "rbac-id")
    rid = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/rbacreg"
    with pytest.raises(encryption.KeyUnavailable, match="ForbiddenByRbac|not authorized"):
        encryption.prepare(ident["id"], kid, "Premium", "rg", rid)
    grant = assignments.create("Key Vault Crypto Service Encryption User", ident["principalId"], vault["id"])
    plan = encryption.prepare(ident["id"], kid, "Premium", "rg", rid)
    from azlocal.acr import registries
    from azlocal.core import arm
    from azlocal.platform.store import store

    rid = arm.resource_id("rg", registries.REGISTRY_TYPE, "rbacreg")
    plan["file"]["registry"] = rid
    doc = registries._document(rid, "rbacreg", "eastus", "Premium", False, None, arm.utc_now(), None, None)
    store().put(encryption.apply(doc, plan))
    registries.storage_root("rbacreg").mkdir(parents=True, exist_ok=True)
    encryption.save_key("rbacreg", plan)
    storage = RegistryStorage(registries.storage_root("rbacreg"))
    digest = storage.put_blob_bytes(b"rbac")
    monkeypatch.setattr(settings, "cmk_key_cache_seconds", lambda: 0.0)
    assignments.delete(grant)
    encryption.forget()  # as the cache's expiry does
    with pytest.raises(RegistryError) as info:
        storage.read_blob(digest)
    assert info.value.status == 403 and "cannot use the key" in info.value.message


def test_rotate_key_to_the_system_identity_reads_the_key_as_that_principal(cmk, cli):
    from azlocal.acr import encryption, registries
    from azlocal.keyvault import vaults
    from azlocal.platform.store import store

    storage = _storage("cmkreg")
    digest = storage.put_blob_bytes(b"system-rotation")
    r = cli("acr", "encryption", "rotate-key", "-n", "cmkreg", "--identity", "[system]")
    assert r.code == 1 and "does not have a system identity" in r.err
    doc = registries.get("cmkreg")
    doc["identity"] = dict(doc["identity"], type="SystemAssigned, UserAssigned",
                           principalId="5e5e5e5e-0000-4000-8000-00000000000a", tenantId=settings.TENANT_ID)
    store().put(doc)
    r = cli("acr", "encryption", "rotate-key", "-n", "cmkreg", "--identity", "[system]")
    assert r.code == 1 and "does not have keys wrapKey permission" in r.err  # the system principal has no access
    vaults.set_policy(vaults.find("cmkvault"), doc["identity"]["principalId"], keys=["get", "wrapKey", "unwrapKey"])
    r = cli("acr", "encryption", "rotate-key", "-n", "cmkreg", "--identity", "[system]")
    assert r.code == 0, r.err
    assert r.json()["encryption"]["keyVaultProperties"]["identity"] == "system"
    vaults.delete_policy(vaults.find("cmkvault"), cmk["identity"]["principalId"])  # the old identity loses access
    encryption.forget()
    assert storage.read_blob(digest) == b"system-rotation"


def test_the_registry_api_over_a_cmk_registry_chunked_uploads_ranges_and_heads(cmk, small_chunks):
    """The distribution API in process (no Docker) on a CMK registry: a chunked upload (a chunk longer than its
    Content-Range refused and cut off), the final PUT, then GET, HEAD and ranged GETs of the sealed blob."""
    import asyncio

    from aiohttp import ClientSession
    from aiohttp.test_utils import TestServer

    from azlocal.acr import registries
    from azlocal.acr.dataplane import RegistryView, build_app

    root = registries.storage_root("cmkreg")
    view = RegistryView(name="cmkreg", login_server="cmkreg.azurecr.io", root=root, token_key=b"k" * 32,
                        auth_required=False, check_password=lambda u, p: False, check_aad_token=lambda t: False)
    data = os.urandom(150)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()

    async def body(chunks):
        for c in chunks:
            yield c

    async def run():
        server = TestServer(build_app(lambda host: view))
        await server.start_server()
        url = server.make_url
        try:
            async with ClientSession() as http:
                async with http.post(url("/v2/app/blobs/uploads/")) as r:
                    assert r.status == 202
                    location = r.headers["Location"]
                async with http.patch(url(location), data=data[:100], headers={"Content-Range": "0-99"}) as r:
                    assert r.status == 202 and r.headers["Range"] == "0-99"
                async with http.patch(url(location), data=body([data[100:130], b"x" * 30]),
                                      headers={"Content-Range": "100-129"}) as r:
                    assert r.status == 416  # longer than its range: refused, the session as it was
                async with http.get(url(location)) as r:
                    assert r.headers["Range"] == "0-99"
                async with http.put(url(location), params={"digest": digest}, data=data[100:],
                                    headers={"Content-Range": "100-149"}) as r:
                    assert r.status == 201, await r.text()
                blob = url(f"/v2/app/blobs/{digest}")
                async with http.get(blob) as r:
                    assert r.status == 200 and await r.read() == data
                async with http.head(blob) as r:
                    assert r.status == 200 and r.headers["Content-Length"] == "150"
                async with http.get(blob, headers={"Range": "bytes=60-139"}) as r:
                    assert r.status == 206 and await r.read() == data[60:140]
                    assert r.headers["Content-Range"] == "bytes 60-139/150"
                async with http.get(blob, headers={"Range": "bytes=500-"}) as r:
                    assert r.status == 416 and r.headers["Content-Range"] == "bytes */150"
        finally:
            await server.close()

    asyncio.run(run())
    on_disk = b"".join(p.read_bytes() for p in (root / "blobs").rglob("*") if p.is_file())
    assert data[:16] not in on_disk and data[70:86] not in on_disk
