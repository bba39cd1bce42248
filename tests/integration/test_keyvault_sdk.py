"""The real azure-keyvault-secrets and azure-keyvault-keys SDKs, unchanged, against the daemon's Key Vault data
plane at https://<vault>.vault.azure.net (the local CA, the name in the hosts file), their challenge-based
authentication included: the credential hands out tokens of this home's issuer for the principal it stands for
(azure-identity itself is tested with the token endpoints)."""

import hashlib
import json
import os
import ssl
import subprocess
import uuid

import pytest

pytestmark = pytest.mark.integration

VAULT = "azlkvsdk1"
RBAC_VAULT = "azlkvsdk2"
VALUE = "s3cr3t-" + uuid.uuid4().hex  # searched for in the daemon's log and the state database


class HomeCredential:
    """A TokenCredential whose tokens are this home's issuer's, for `principal` (audience: the scope asked for,
    or `audience` when set, to stand for a token meant for another resource)."""

    def __init__(self, principal, client_id="11111111-2222-3333-4444-555555555555", audience=None):
        self.principal, self.client_id, self.audience = principal, client_id, audience
        self.scopes = []

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs):
        from azure.core.credentials import AccessToken

        from azlocal.identity import tokens

        self.scopes.append((scopes, tenant_id))
        answer = tokens.issue(self.principal, self.client_id, self.audience or scopes[0])
        return AccessToken(answer["access_token"], int(answer["expires_on"]))


def _bundle(ca):
    path = ca + ".bundle.pem"
    system = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    with open(path, "w") as out:
        for source in (system, ca):
            if os.path.exists(source):
                out.write(open(source).read() + "\n")
    return path


def _url(name):
    from azlocal.core import settings

    port = settings.https_port()
    return f"https://{name}.vault.azure.net" + ("" if port == 443 else f":{port}")


@pytest.fixture
def vaults(az, home):
    assert az("group", "create", "-n", "kv-sdk-rg", "-l", "eastus", "-o", "none").code == 0
    for name, rbac in ((VAULT, "false"), (RBAC_VAULT, "true")):
        r = az("keyvault", "create", "-n", name, "-g", "kv-sdk-rg", "--enable-rbac-authorization", rbac, "-o", "none")
        assert r.code == 0, r.err
    os.environ["REQUESTS_CA_BUNDLE"] = _bundle(str(home / "ca.crt"))
    yield home
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    az("group", "delete", "-n", "kv-sdk-rg", "--yes")


def _user():
    from azlocal.core import settings

    return HomeCredential(settings.USER_OBJECT_ID)


def test_secrets_round_trip_through_the_challenge(vaults, az):
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
    from azure.keyvault.secrets import SecretClient

    from azlocal.core import settings

    credential = _user()
    client = SecretClient(_url(VAULT), credential)
    first = client.set_secret("db-pass", VALUE, content_type="text/plain", tags={"env": "dev"})
    assert first.value == VALUE and first.properties.content_type == "text/plain"
    assert first.id == f"https://{VAULT}.vault.azure.net/secrets/db-pass/{first.properties.version}"
    # the challenge named this home's tenant and Key Vault's resource
    assert credential.scopes[0] == (("https://vault.azure.net/.default",), settings.TENANT_ID)
    second = client.set_secret("db-pass", VALUE + "-2")
    assert client.get_secret("db-pass").value == VALUE + "-2"
    assert client.get_secret("db-pass", first.properties.version).value == VALUE
    versions = {p.version for p in client.list_properties_of_secret_versions("db-pass")}
    assert versions == {first.properties.version, second.properties.version}
    updated = client.update_secret_properties("db-pass", enabled=True, tags={"env": "prod"})
    assert updated.tags == {"env": "prod"}
    older = SecretClient(_url(VAULT), credential, api_version="7.4")  # the 7.x versions the older SDKs send
    assert older.get_secret("db-pass").value == VALUE + "-2"

    for i in range(12):  # more than one page: the SDK follows nextLink
        client.set_secret(f"bulk-{i:02d}", "x")
    names = [p.name for p in client.list_properties_of_secrets(max_page_size=5)]
    assert sorted(names) == sorted(["db-pass"] + [f"bulk-{i:02d}" for i in range(12)])

    deleted = client.begin_delete_secret("db-pass").result()
    assert deleted.recovery_id == f"https://{VAULT}.vault.azure.net/deletedsecrets/db-pass"
    with pytest.raises(ResourceNotFoundError) as missing:
        client.get_secret("db-pass")
    assert missing.value.error.code == "SecretNotFound"
    assert "db-pass" in [d.name for d in client.list_deleted_secrets()]
    with pytest.raises(ResourceExistsError):  # a deleted name cannot be set again
        client.set_secret("db-pass", "again")
    client.begin_recover_deleted_secret("db-pass").result()
    assert client.get_secret("db-pass").value == VALUE + "-2"

    client.begin_delete_secret("bulk-00").result()
    client.purge_deleted_secret("bulk-00")
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_secret("bulk-00")

    # the CLI and the SDK see one vault
    shown = az("keyvault", "secret", "show", "--vault-name", VAULT, "-n", "db-pass", "--query", "value", "-o", "tsv")
    assert shown.code == 0 and shown.out.strip() == VALUE + "-2", shown.err
    assert az("keyvault", "secret", "set", "--vault-name", VAULT, "-n", "from-cli", "--value", VALUE,
              "-o", "none").code == 0
    assert client.get_secret("from-cli").value == VALUE

    # the value is in neither the daemon's log nor the state database
    log = (vaults / "daemon.log").read_bytes()
    assert log and VALUE.encode() not in log
    assert VALUE.encode() not in (vaults / "state.db").read_bytes()


def test_keys_wrap_and_unwrap(vaults):
    from azure.keyvault.keys import KeyClient
    from azure.keyvault.keys.crypto import CryptographyClient, EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm

    credential = _user()
    keys = KeyClient(_url(VAULT), credential)
    key = keys.create_rsa_key("cmk", size=2048)
    assert key.key_type == "RSA" and key.id.startswith(f"https://{VAULT}.vault.azure.net/keys/cmk/")
    assert [k.name for k in keys.list_properties_of_keys()] == ["cmk"]
    crypto = CryptographyClient(key, credential)
    data_key = os.urandom(32)
    wrapped = crypto.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, data_key)
    assert wrapped.encrypted_key != data_key
    assert crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key).key == data_key
    # by key id only: every operation is the vault's
    remote = CryptographyClient(key.id, credential)
    sealed = remote.encrypt(EncryptionAlgorithm.rsa_oaep, b"plain")
    assert remote.decrypt(EncryptionAlgorithm.rsa_oaep, sealed.ciphertext).plaintext == b"plain"
    digest = hashlib.sha256(b"message").digest()
    signature = remote.sign(SignatureAlgorithm.rs256, digest).signature
    assert remote.verify(SignatureAlgorithm.rs256, digest, signature).is_valid
    assert not remote.verify(SignatureAlgorithm.rs256, hashlib.sha256(b"other").digest(), signature).is_valid

    keys.begin_delete_key("cmk").result()
    assert [k.name for k in keys.list_deleted_keys()] == ["cmk"]
    keys.begin_recover_deleted_key("cmk").result()
    assert crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key).key == data_key


def test_refusals_without_a_role_and_with_a_token_for_another_resource(vaults, az):
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
    from azure.keyvault.secrets import SecretClient

    stranger = str(uuid.uuid4())
    client = SecretClient(_url(RBAC_VAULT), HomeCredential(stranger))
    with pytest.raises(HttpResponseError) as refused:
        client.set_secret("s1", VALUE)
    assert refused.value.status_code == 403 and refused.value.error.code == "Forbidden"
    assert "Caller is not authorized to perform action on resource" in refused.value.message
    assert f"oid={stranger}" in refused.value.message

    # a role at the vault's scope counts at once: Secrets User reads, only Secrets Officer writes
    from azlocal.keyvault import vaults as kv

    scope = kv.find(RBAC_VAULT)["id"]

    def assign(role):
        r = az("role", "assignment", "create", "--role", role, "--assignee-object-id", stranger,
               "--assignee-principal-type", "ServicePrincipal", "--scope", scope, "-o", "none")
        assert r.code == 0, r.err

    from azlocal.core import settings

    signed_in = SecretClient(_url(RBAC_VAULT), HomeCredential(settings.USER_OBJECT_ID))
    assign("Key Vault Secrets User")
    with pytest.raises(HttpResponseError) as still:
        client.set_secret("s1", VALUE)
    assert still.value.status_code == 403 and "setSecret/action" in still.value.message
    assign("Key Vault Secrets Officer")
    client.set_secret("s1", VALUE)
    assert client.get_secret("s1").value == VALUE
    with pytest.raises(HttpResponseError) as owner:  # Owner of the subscription has no data actions
        signed_in.get_secret("s1")
    assert owner.value.status_code == 403

    # an access-policy vault without an entry for the principal: the policy refusal
    with pytest.raises(HttpResponseError) as no_policy:
        SecretClient(_url(VAULT), HomeCredential(stranger)).get_secret("s1")
    assert no_policy.value.status_code == 403
    assert f"oid={stranger}" in no_policy.value.message and "does not have secrets get permission" in \
        no_policy.value.message

    wrong = SecretClient(_url(VAULT), HomeCredential(stranger, audience="https://management.azure.com"))
    with pytest.raises(ClientAuthenticationError) as unauthenticated:
        wrong.get_secret("anything")
    assert unauthenticated.value.status_code == 401
    assert "AKV10022: Invalid audience" in unauthenticated.value.message


def test_a_container_reaches_the_vault_by_its_name(vaults):
    """From a container on Docker's bridge (the name mapped to the host gateway, as azlocal maps it for its own
    containers): the challenge without a token, the secret with one. Over the daemon's HTTP port: busybox's
    built-in TLS client (what wget uses in a FROM-scratch image) fails the daemon's handshake; the SDK tests
    above prove HTTPS."""
    from azlocal.core import settings
    from azlocal.keyvault import secrets
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    image = build_base(client())
    secrets.set(VAULT, "from-container", VALUE, settings.USER_OBJECT_ID)
    token = _user().get_token("https://vault.azure.net/.default").token
    port = settings.http_port()
    url = f"http://{VAULT}.vault.azure.net{'' if port == 80 else f':{port}'}/secrets/from-container?api-version=7.4"
    host = f"{VAULT}.vault.azure.net:host-gateway"

    def wget(*headers):
        args = ["docker", "run", "--rm", "--add-host", host, image, "wget", "-S", "-q", "-O-",
                *[f"--header={h}" for h in headers], url]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)

    bare = wget()
    assert bare.returncode != 0 and "401 Unauthorized" in bare.stderr  # the challenge (its header: unit tests)
    ok = wget(f"Authorization: Bearer {token}")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["value"] == VALUE


def test_the_async_clients_work_too(vaults):
    import asyncio

    from azure.keyvault.secrets.aio import SecretClient

    class AsyncCredential:
        def __init__(self, sync):
            self.sync = sync

        async def get_token(self, *scopes, **kwargs):
            return self.sync.get_token(*scopes, **kwargs)

        async def close(self):
            pass

    async def main():
        async with SecretClient(_url(VAULT), AsyncCredential(_user()),
                                connection_verify=os.environ["REQUESTS_CA_BUNDLE"]) as client:
            await client.set_secret("async-one", VALUE)
            names = [p.name async for p in client.list_properties_of_secrets()]
            return (await client.get_secret("async-one")).value, names

    value, names = asyncio.run(main())
    assert value == VALUE and names == ["async-one"]
