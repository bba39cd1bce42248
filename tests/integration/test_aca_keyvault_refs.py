"""Key Vault references in container apps on the real engine: an app's system identity with Key Vault Secrets
User on an RBAC vault reads a secret into an env var through a reference (the latest version after a restart);
an app whose identity has no role is refused with Azure's error and leaves nothing behind."""

import subprocess
import uuid

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

VAULT = "azlkvrefs1"
URI = f"https://{VAULT}.vault.azure.net/secrets/db-password"
FIRST, SECOND = "first-" + uuid.uuid4().hex[:10], "second-" + uuid.uuid4().hex[:10]


@pytest.fixture
def setup(az, tmp_path):
    """A group, an environment, an image that runs a shell, and an RBAC vault holding `db-password`."""
    from azlocal.core import settings
    from azlocal.keyvault import secrets, vaults
    from azlocal.role import assignments

    gen = busybox.resource_group(az, "kvrefs-rg")
    next(gen)
    r = az("containerapp", "env", "create", "-n", "kvrefs-env", "-g", "kvrefs-rg", "-l", "eastus", "-o", "none")
    assert r.code == 0, r.err
    image = busybox.build(busybox.write_context(tmp_path / "img", ['CMD ["sleep", "3600"]']), "azlocal-test/kvrefs:v1")
    vault = vaults.create("kvrefs-rg", VAULT, enable_rbac_authorization=True)
    assignments.create("Key Vault Secrets Officer", settings.USER_OBJECT_ID, vault["id"])
    secrets.set(VAULT, "db-password", FIRST, principal=settings.USER_OBJECT_ID)
    yield {"image": image, "vault": vault}
    next(gen, None)


def _printenv(az, app):
    return subprocess.run(["az", "containerapp", "exec", "-n", app, "-g", "kvrefs-rg", "--command",
                           "sh -c 'echo $DB'"], env=az.env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL).stdout.strip()


def _containers(home, app):
    out = subprocess.run(["docker", "ps", "-a", "--format", "{{.Names}}", "--filter",
                          f"label=azlocal.home={home.resolve()}"], capture_output=True, text=True).stdout.split()
    return [n for n in out if n.startswith(f"{app}--")]


def test_an_app_reads_a_vault_secret_through_a_reference_and_one_without_a_role_is_refused(az, setup, home):
    from azlocal.core import settings
    from azlocal.keyvault import secrets
    from azlocal.role import assignments

    r = az("containerapp", "create", "-n", "kvapp", "-g", "kvrefs-rg", "--environment", "kvrefs-env", "--image",
           setup["image"], "--system-assigned")
    assert r.code == 0, r.err
    principal = r.json()["identity"]["principalId"]
    ref = f"db=keyvaultref:{URI},identityref:system"
    # Without a role the reference is refused as the service refuses it, and nothing changes.
    r = az("containerapp", "secret", "set", "-n", "kvapp", "-g", "kvrefs-rg", "--secrets", ref)
    assert r.code == 1
    assert ("Field 'configuration.secrets' is invalid with details: 'Invalid value: \"db\": Unable to get value "
            "using Managed identity system for secret db. Error: unable to fetch secret 'db' using Managed identity "
            "'system'';.") in r.err
    assert az("containerapp", "secret", "list", "-n", "kvapp", "-g", "kvrefs-rg").out.strip() in ("", "[]")
    assignments.create("Key Vault Secrets User", principal, setup["vault"]["id"])
    r = az("containerapp", "secret", "set", "-n", "kvapp", "-g", "kvrefs-rg", "--secrets", ref)
    assert r.code == 0, r.err
    assert r.json() == [{"name": "db", "keyVaultUrl": URI, "identity": "system"}]
    r = az("containerapp", "update", "-n", "kvapp", "-g", "kvrefs-rg", "--set-env-vars", "DB=secretref:db")
    assert r.code == 0, r.err
    assert _printenv(az, "kvapp") == FIRST
    shown = az("containerapp", "secret", "show", "-n", "kvapp", "-g", "kvrefs-rg", "--secret-name", "db")
    assert shown.json() == {"name": "db", "keyVaultUrl": URI, "identity": "system"} and FIRST not in shown.out
    assert FIRST not in az("containerapp", "show", "-n", "kvapp", "-g", "kvrefs-rg", "--show-secrets").out
    # A versionless reference takes the vault's latest version when the revision restarts.
    secrets.set(VAULT, "db-password", SECOND, principal=settings.USER_OBJECT_ID)
    latest = az("containerapp", "show", "-n", "kvapp", "-g", "kvrefs-rg", "--query",
                "properties.latestRevisionName", "-o", "tsv").out.strip()
    assert az("containerapp", "revision", "restart", "-n", "kvapp", "-g", "kvrefs-rg", "--revision",
              latest).code == 0
    assert _printenv(az, "kvapp") == SECOND
    assert SECOND.encode() not in (home / "state.db").read_bytes()

    # A second app whose user-assigned identity has no role on the vault: create is refused, nothing is left.
    r = az("identity", "create", "-n", "norole-id", "-g", "kvrefs-rg")
    assert r.code == 0, r.err
    identity = r.json()["id"]
    r = az("containerapp", "create", "-n", "kvnorole", "-g", "kvrefs-rg", "--environment", "kvrefs-env", "--image",
           setup["image"], "--user-assigned", identity, "--secrets",
           f"db=keyvaultref:{URI},identityref:{identity}", "--env-vars", "DB=secretref:db")
    assert r.code == 1
    assert (f"Unable to get value using Managed identity {identity} for secret db. Error: unable to fetch secret "
            f"'db' using Managed identity '{identity}'';.") in r.err
    assert az("containerapp", "show", "-n", "kvnorole", "-g", "kvrefs-rg").code == 3
    assert _containers(home, "kvnorole") == []
