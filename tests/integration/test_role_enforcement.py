"""Role assignments made with `az role` (the real entry point, as the docs type it) decide what the real
azure-keyvault-secrets SDK may do at the daemon's Key Vault data plane, at once: inheritance from the resource
group, a custom role, an assignment on a single secret, removal, and a resource group's delete."""

import json
import os
import ssl

import pytest

pytestmark = pytest.mark.integration

VAULT = "azlroleenf1"


class _Credential:
    """Tokens of this home's issuer for one principal (what a managed identity's endpoint would hand out)."""

    def __init__(self, principal, client_id):
        self.principal, self.client_id = principal, client_id

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        from azlocal.identity import tokens

        answer = tokens.issue(self.principal, self.client_id, scopes[0])
        return AccessToken(answer["access_token"], int(answer["expires_on"]))


def _bundle(home):
    path = home / "ca-bundle.pem"
    system = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    parts = [open(p).read() for p in (system, str(home / "ca.crt")) if os.path.exists(p)]
    path.write_text("\n".join(parts))
    return str(path)


def _client(identity):
    from azure.keyvault.secrets import SecretClient

    from azlocal.core import settings

    port = settings.https_port()
    url = f"https://{VAULT}.vault.azure.net" + ("" if port == 443 else f":{port}")
    return SecretClient(url, _Credential(identity["principalId"], identity["clientId"]))


def _readable(identity, name):
    from azure.core.exceptions import HttpResponseError

    try:
        return _client(identity).get_secret(name).value
    except HttpResponseError as ex:
        assert ex.status_code == 403 and "ForbiddenByRbac" in str(ex), ex
        return None


@pytest.fixture
def chain(az, home):
    def run(*args):
        r = az(*args)
        assert r.code == 0, (args, r)
        return json.loads(r.out) if r.out.strip() else None

    run("group", "create", "-n", "role-enf-rg", "-l", "eastus", "-o", "none")
    vault = run("keyvault", "create", "-n", VAULT, "-g", "role-enf-rg", "--enable-rbac-authorization", "true")
    from azlocal.core import settings

    run("role", "assignment", "create", "--role", "Key Vault Secrets Officer", "--assignee", settings.USER_NAME,
        "--scope", vault["id"], "-o", "none")
    for name, value in (("db", "db-password"), ("api", "api-key")):
        run("keyvault", "secret", "set", "--vault-name", VAULT, "-n", name, "--value", value, "-o", "none")
    app = run("identity", "create", "-g", "role-enf-rg", "-n", "app-id")
    other = run("identity", "create", "-g", "role-enf-rg", "-n", "other-id")
    os.environ["REQUESTS_CA_BUNDLE"] = _bundle(home)
    yield run, vault, app, other
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    az("group", "delete", "-n", "role-enf-rg", "--yes")


def test_assignments_decide_the_sdk_at_once(chain, az, tmp_path):
    run, vault, app, other = chain
    group = vault["id"].split("/providers/")[0]
    assert _readable(app, "db") is None  # no role yet: ForbiddenByRbac
    reader = {"Name": "Secret Reader (role-enf)", "Description": "reads secret values", "Actions": [],
              "DataActions": ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], "AssignableScopes": [group]}
    path = tmp_path / "reader.json"
    path.write_text(json.dumps(reader))
    run("role", "definition", "create", "--role-definition", str(path), "-o", "none")
    granted = run("role", "assignment", "create", "--role", "Secret Reader (role-enf)", "--assignee",
                  app["clientId"], "--scope", group)
    assert granted["principalId"] == app["principalId"] and granted["principalType"] == "ServicePrincipal"
    assert _readable(app, "db") == "db-password" and _readable(app, "api") == "api-key"  # inherited from the group
    assert _readable(other, "db") is None
    run("role", "assignment", "create", "--role", "Key Vault Secrets User", "--assignee-object-id",
        other["principalId"], "--assignee-principal-type", "ServicePrincipal", "--scope", f"{vault['id']}/secrets/db",
        "-o", "none")
    assert _readable(other, "db") == "db-password" and _readable(other, "api") is None  # one secret only
    run("role", "assignment", "delete", "--assignee", app["principalId"], "--scope", group)
    assert _readable(app, "db") is None  # revoked at once
    logs = run("role", "assignment", "list-changelogs", "--query", "[].action")
    assert logs.count("Granted") >= 3 and logs.count("Revoked") == 1


def test_a_group_delete_takes_its_assignments(chain, az):
    run, vault, app, _ = chain
    run("role", "assignment", "create", "--role", "Key Vault Secrets User", "--assignee", app["principalId"],
        "--scope", vault["id"], "-o", "none")
    assert _readable(app, "db") == "db-password"
    assert az("group", "delete", "-n", "role-enf-rg", "--yes").code == 0
    left = run("role", "assignment", "list", "--all", "--assignee-object-id", app["principalId"])
    assert left == []
