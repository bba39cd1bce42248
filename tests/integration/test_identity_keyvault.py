"""The AZ-204 chain end to end with the real SDKs, unchanged: a container app's system identity holds Key Vault
Secrets User on an RBAC vault, and code with the app's IDENTITY_ENDPOINT/IDENTITY_HEADER reads the secret with
azure-identity's ManagedIdentityCredential and azure-keyvault-secrets' SecretClient; a second app, whose identity
has no role, is refused with Key Vault's 403 (its token itself is fine)."""

import subprocess
import uuid

import pytest

from tests.integration import busybox
from tests.integration.test_keyvault_sdk import _bundle, _url

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
VAULT = "azlkvchain1"
VALUE = "chain-" + uuid.uuid4().hex


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "chain-rg")


def _endpoint(az, app):
    done = subprocess.run(["az", "containerapp", "exec", "-n", app, "-g", "chain-rg", "--command",
                           "sh -c 'echo $IDENTITY_ENDPOINT; echo $IDENTITY_HEADER'"], env=az.env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_an_app_identity_reads_a_secret_with_the_real_sdks_and_another_is_refused(az, rg, home, monkeypatch):
    from azure.core.exceptions import HttpResponseError
    from azure.identity import ManagedIdentityCredential
    from azure.keyvault.secrets import SecretClient

    r = az("keyvault", "create", "-n", VAULT, "-g", rg, "-l", "eastus")
    assert r.code == 0, r.err
    vault_id = r.json()["id"]
    me = az("ad", "signed-in-user", "show", "--query", "id", "-o", "tsv").out.strip()
    assert az("role", "assignment", "create", "--assignee", me, "--role", "Key Vault Secrets Officer", "--scope",
              vault_id, "-o", "none").code == 0
    assert az("keyvault", "secret", "set", "--vault-name", VAULT, "-n", "db-password", "--value", VALUE,
              "-o", "none").code == 0
    assert az("containerapp", "env", "create", "-n", "chain-env", "-g", rg, "-l", "eastus", "-o", "none").code == 0
    principals = {}
    for app in ("reader", "stranger"):
        r = az("containerapp", "create", "-n", app, "-g", rg, "--environment", "chain-env", "--image", BASE,
               "--command", "sleep", "--args", "3600", "--system-assigned")
        assert r.code == 0, r.err
        principals[app] = r.json()["identity"]["principalId"]
    assert az("role", "assignment", "create", "--assignee", principals["reader"], "--role",
              "Key Vault Secrets User", "--scope", vault_id, "-o", "none").code == 0

    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "MSI_ENDPOINT", "MSI_SECRET",
                "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", _bundle(str(home / "ca.crt")))
    for app in ("reader", "stranger"):
        endpoint, header = _endpoint(az, app)
        monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint)
        monkeypatch.setenv("IDENTITY_HEADER", header)
        client = SecretClient(_url(VAULT), ManagedIdentityCredential())
        if app == "reader":
            assert client.get_secret("db-password").value == VALUE
            with pytest.raises(HttpResponseError) as refused:  # Secrets User reads, it does not write
                client.set_secret("db-password", "other")
            assert refused.value.status_code == 403
        else:
            with pytest.raises(HttpResponseError) as refused:
                client.get_secret("db-password")
            assert refused.value.status_code == 403 and principals["stranger"] in str(refused.value)
