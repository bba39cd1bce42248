"""az ad sp: service principals with a password (kept only as a hash) and their role assignments."""

import sqlite3

from azlocal.role import assignments, service_principals
from tests.unit.test_role_commands import RG, _setup

REGISTRY = f"{RG}/providers/Microsoft.ContainerRegistry/registries/reg1"
PULL = "Microsoft.ContainerRegistry/registries/pull/read"
PUSH = "Microsoft.ContainerRegistry/registries/push/write"


def _registry():
    from azlocal.platform.store import store

    with store().transaction():
        store().put({"id": REGISTRY, "name": "reg1", "type": "Microsoft.ContainerRegistry/registries"})


def test_create_for_rbac_makes_the_principal_its_password_and_its_role(cli, home):
    _setup(cli)
    _registry()
    r = cli("ad", "sp", "create-for-rbac", "--name", "reg1-pull", "--scopes", REGISTRY, "--role", "acrpull")
    assert r.code == 0, r.err
    made = r.json()
    assert set(made) == {"appId", "password", "displayName", "tenant"} and made["displayName"] == "reg1-pull"
    assert len(made["password"]) == 40 and made["password"][3:6] == "8Q~"
    assert "Creating 'acrpull' role assignment under scope" in r.err and "credentials that you must protect" in r.err
    oid = service_principals.authenticate(made["appId"], made["password"])
    assert oid and service_principals.authenticate(made["appId"], made["password"] + "x") is None
    assert assignments.allowed(oid, REGISTRY, PULL) and not assignments.allowed(oid, REGISTRY, PUSH)
    listed = cli("role", "assignment", "list", "--scope", REGISTRY).json()
    assert [(a["principalId"], a["principalName"], a["principalType"]) for a in listed] == \
        [(oid, made["appId"], "ServicePrincipal")]
    for path in (home / "state.db", home / "daemon.log"):
        if path.exists():
            assert made["password"].encode() not in path.read_bytes()
    rows = sqlite3.connect(home / "state.db").execute("SELECT value FROM kv").fetchall()
    assert not any(made["password"] in v for (v,) in rows)
    # the same name again: the same principal, a new password, the old one refused
    again = cli("ad", "sp", "create-for-rbac", "--name", "reg1-pull", "--scopes", REGISTRY, "--role", "acrpull")
    assert again.json()["appId"] == made["appId"] and "Role assignment already exists." in again.err
    assert service_principals.authenticate(made["appId"], made["password"]) is None
    assert service_principals.authenticate(made["appId"], again.json()["password"]) == oid


def test_list_show_reset_and_delete(cli):
    made = cli("ad", "sp", "create-for-rbac", "-n", "ci-bot").json()
    assert cli("ad", "sp", "list", "--display-name", "ci-", "--query", "[].appId", "-o", "tsv").out.strip() == \
        made["appId"]
    shown = cli("ad", "sp", "show", "--id", made["appId"]).json()
    assert shown["servicePrincipalNames"] == [made["appId"]] and shown["servicePrincipalType"] == "Application"
    assert shown["passwordCredentials"][0]["hint"] == made["password"][:3]
    assert shown["passwordCredentials"][0]["secretText"] is None
    reset = cli("ad", "sp", "credential", "reset", "--id", made["appId"]).json()
    assert reset["appId"] == made["appId"] and reset["password"] != made["password"]
    assert service_principals.authenticate(made["appId"], made["password"]) is None
    assert service_principals.authenticate(made["appId"], reset["password"]) == shown["id"]
    appended = cli("ad", "sp", "credential", "reset", "--id", shown["id"], "--append").json()
    assert len(cli("ad", "sp", "credential", "list", "--id", made["appId"]).json()) == 2
    assert service_principals.authenticate(made["appId"], appended["password"]) == shown["id"]
    assert cli("ad", "sp", "delete", "--id", made["appId"]).code == 0
    assert service_principals.authenticate(made["appId"], reset["password"]) is None
    r = cli("ad", "sp", "show", "--id", made["appId"])
    assert r.code == 3 and "does not exist" in r.err


def test_errors_as_az(cli):
    r = cli("ad", "sp", "create-for-rbac", "--role", "acrpull")
    assert r.code == 1 and "To create role assignments, specify both --role and --scopes." in r.err
    r = cli("ad", "sp", "create-for-rbac", "--create-cert")
    assert r.code == 1 and "not available offline" in r.err
    r = cli("ad", "sp", "create-for-rbac", "-n", "x", "--scopes", f"{RG}", "--role", "Nope")
    assert r.code == 1 and "Role 'Nope' doesn't exist." in r.err
    assert cli("ad", "sp", "list").json() == []  # nothing made
    r = cli("ad", "sp", "delete", "--id", "http://reg1-pull")
    assert r.code == 3 and "Service principal 'http://reg1-pull' doesn't exist" in r.err
