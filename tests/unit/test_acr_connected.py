"""az acr connected-registry, in-process (no daemon): the az team's own scenario test
(test_acr_connectedregistry_commands.py) walked step by step, plus bad input that changes nothing.
Connected registries are recorded (no appliance runs offline); their sync tokens and scope maps are real."""

import pytest

from tests.unit.test_validation_hardening import _seed_registry

REG = "clireg1"
GW = ["config/read", "config/write", "message/read", "message/write"]
RO = ["content/read", "metadata/read"]


def _gateway(name):
    return [f"gateway/{name}/{a}" for a in GW]


def _repos(*names):
    return [f"repositories/{n}/{a}" for n in names for a in RO]


def _seed_with_data_endpoint(name):
    """`az acr update --data-endpoint-enabled true` without publishing host names (no daemon here)."""
    from azlocal.acr import registries
    from azlocal.platform.store import store

    doc = _seed_registry(name, "Premium")
    doc["dataEndpointEnabled"] = True
    registries.sync_endpoint_names(doc)
    with store().transaction():
        store().put(doc)


@pytest.fixture
def acr(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_with_data_endpoint(REG)
    _seed_registry("premreg1", "Premium")
    _seed_registry("basicreg1", "Basic")
    return cli


def ok(acr, *args):
    r = acr("acr", *args)
    assert r.code == 0, (args, r.err)
    return r


def _actions(acr, name):
    return sorted(ok(acr, "connected-registry", "permissions", "show", "-n", name, "-r", REG).json()["actions"])


def test_peer_scenario(acr):
    assert ok(acr, "show", "-n", REG).json()["dataEndpointEnabled"] is True

    r = ok(acr, "connected-registry", "create", "-n", "connectedregistry", "-r", REG, "-m", "ReadWrite",
           "--repository", "repo1", "repo2", "repo3")
    default = r.json()
    assert default["name"] == "connectedregistry" and default["mode"] == "ReadWrite"
    assert default["logging"]["logLevel"] == "Information" and default["provisioningState"] == "Succeeded"
    assert default["resourceGroup"] == "rg" and default["connectionState"] == "Offline"
    assert "no connected registry runs or syncs locally" in r.err
    sync = default["parent"]["syncProperties"]
    assert sync["schedule"] == "* * * * *" and sync["messageTtl"] == "2 days, 0:00:00" and sync["syncWindow"] is None
    assert sync["gatewayEndpoint"] == f"{REG}.eastus.data.azurecr.io"
    # az's sync token and scope map, named after the connected registry: ReadWrite actions plus the gateway's
    token = ok(acr, "token", "show", "-n", "connectedregistry", "-r", REG).json()
    assert sync["tokenId"] == token["id"] and token["status"] == "enabled"
    assert token["credentials"]["passwords"] == []
    sync_map = ok(acr, "scope-map", "show", "-n", "connectedregistry", "-r", REG).json()
    assert sorted(sync_map["actions"]) == sorted(
        [f"repositories/{r}/{a}" for r in ("repo1", "repo2", "repo3")
         for a in ("content/read", "content/write", "content/delete", "metadata/read", "metadata/write")]
        + _gateway("connectedregistry"))

    ok(acr, "token", "create", "-r", REG, "-n", "syncToken", "--repository", "repo1", "content/read",
       "metadata/read", "--gateway", "rootregistry", "config/read", "config/write", "message/read", "message/write",
       "--no-passwords")
    ok(acr, "token", "create", "-r", REG, "-n", "clientToken", "--repository", "repo1", "content/read",
       "--no-passwords")
    root = ok(acr, "connected-registry", "create", "-n", "rootregistry", "-r", REG, "--sync-token", "syncToken",
              "--log-level", "Warning", "-s", "0 0/10 * * *", "-w", "PT4H", "--client-tokens", "clientToken",
              "--notifications", "hello-world:tag:push").json()
    assert root["mode"] == "ReadOnly" and root["logging"]["logLevel"] == "Warning"
    assert root["parent"]["syncProperties"]["schedule"] == "0 0/10 * * *"
    assert root["parent"]["syncProperties"]["syncWindow"] == "4:00:00"
    assert root["notificationsList"][0] == "hello-world:tag:push" and root["resourceGroup"] == "rg"

    child = ok(acr, "connected-registry", "create", "-n", "child", "-p", "rootregistry", "-r", REG, "--repository",
               "repo2", "-m", "ReadOnly").json()
    assert child["mode"] == "ReadOnly" and child["parent"]["id"].endswith("rootregistry")
    assert child["parent"]["syncProperties"]["gatewayEndpoint"] is None
    grand = ok(acr, "connected-registry", "create", "-n", "grandchild", "-p", "child", "-r", REG, "--repository",
               "repo2", "-m", "ReadOnly").json()
    assert grand["parent"]["id"].endswith("child")

    listed = ok(acr, "connected-registry", "list", "-r", REG).json()
    assert [c["name"] for c in listed] == ["connectedregistry", "rootregistry", "child", "grandchild"]
    assert [c["name"] for c in ok(acr, "connected-registry", "list", "-r", REG, "-p", "rootregistry").json()] == [
        "child", "grandchild"]
    assert [c["name"] for c in ok(acr, "connected-registry", "list", "-r", REG, "--no-children").json()] == [
        "connectedregistry", "rootregistry"]
    tokens = ok(acr, "connected-registry", "list-client-tokens", "-n", "rootregistry", "-r", REG).json()
    assert [t["name"] for t in tokens] == ["clientToken"]
    table = ok(acr, "connected-registry", "list", "-r", REG, "-o", "table").out.splitlines()
    assert table[0].split()[:4] == ["NAME", "MODE", "CONNECTION", "STATE"]
    assert [line.split()[:4] for line in table[2:]] == [
        ["connectedregistry", "ReadWrite", "Offline"], ["rootregistry", "ReadOnly", "Offline"],
        ["child", "ReadOnly", "Offline", "rootregistry"], ["grandchild", "ReadOnly", "Offline", "child"]]
    shown = ok(acr, "connected-registry", "show", "-n", "rootregistry", "-r", REG, "-o", "table").out
    assert "SYNC WINDOW" in shown and "4:00:00" in shown and "0 0/10 * * *" in shown

    ok(acr, "token", "create", "-r", REG, "-n", "clientToken2", "--repository", "repo2", "metadata/read",
       "--no-passwords")
    updated = ok(acr, "connected-registry", "update", "-n", "rootregistry", "-r", REG, "--log-level", "Information",
                 "-s", "* * * * *", "--remove-client-tokens", "clientToken", "--add-client-tokens", "clientToken2",
                 "--add-notifications", "*:*", "--remove-notifications", "hello-world:tag:push").json()
    assert updated["logging"]["logLevel"] == "Information"
    assert updated["parent"]["syncProperties"]["schedule"] == "* * * * *"
    assert updated["parent"]["syncProperties"]["syncWindow"] is None
    assert updated["notificationsList"] == ["*:*"]
    tokens = ok(acr, "connected-registry", "list-client-tokens", "-n", "rootregistry", "-r", REG).json()
    assert [t["name"] for t in tokens] == ["clientToken2"]
    assert ok(acr, "connected-registry", "show", "-n", "connectedregistry", "-r", REG).json()["name"] == \
        "connectedregistry"

    settings = ok(acr, "connected-registry", "get-settings", "-n", "rootregistry", "-r", REG, "--parent-protocol",
                  "https", "--generate-password", "2", "-y").json()
    password = settings["SYNC_TOKEN_PASSWORD"]
    assert settings["SYNC_TOKEN_USER"] == "syncToken" and len(password) == 44
    assert settings["ACR_REGISTRY_CONNECTION_STRING"] == (
        f"ConnectedRegistryName=rootregistry;SyncTokenName=syncToken;SyncTokenPassword={password};"
        f"ParentGatewayEndpoint={REG}.eastus.data.azurecr.io;ParentEndpointProtocol=https")
    shown = ok(acr, "token", "show", "-n", "syncToken", "-r", REG).json()
    assert shown["credentials"]["passwords"][0]["name"] == "password2"
    # the password is the token's for real: the registry's credentials check accepts it
    from azlocal.acr import registries
    from azlocal.acr import tokens as token_service
    from azlocal.acr.dataplane import auth
    table = auth.TokenTable(token_service.credentials_of(registries.get(REG)))
    principal = table.principal("syncToken", password)
    assert principal is not None and table.allows(principal, "repository", "repo1", "pull")
    assert not table.allows(principal, "repository", "repo1", "push")  # the scope map's actions only
    assert table.principal("syncToken", "x" * 44) is None
    plain = ok(acr, "connected-registry", "get-settings", "-n", "child", "-r", REG, "--parent-protocol",
               "http").json()
    assert plain["SYNC_TOKEN_PASSWORD"] == "<use --generate-password to generate a new password>"
    assert plain["ACR_REGISTRY_CONNECTION_STRING"].endswith(
        "ParentGatewayEndpoint=<parent gateway endpoint>;ParentEndpointProtocol=http")

    ok(acr, "connected-registry", "permissions", "update", "-n", "grandchild", "-r", REG, "--add", "repo1", "repo3")
    assert _actions(acr, "rootregistry") == sorted(
        _gateway("child") + _gateway("grandchild") + _gateway("rootregistry") + _repos("repo1", "repo2", "repo3"))
    ok(acr, "connected-registry", "permissions", "update", "-n", "rootregistry", "-r", REG, "--remove", "repo1",
       "repo2")
    ok(acr, "connected-registry", "permissions", "update", "-n", "child", "-r", REG, "--remove", "repo3", "--add",
       "repo1")
    assert _actions(acr, "grandchild") == sorted(_gateway("grandchild"))

    ok(acr, "connected-registry", "delete", "-n", "grandchild", "-r", REG, "--cleanup", "-y")
    assert _actions(acr, "child") == sorted(_gateway("child") + _repos("repo1"))
    assert acr("acr", "token", "show", "-n", "grandchild", "-r", REG).code == 3
    assert acr("acr", "scope-map", "show", "-n", "grandchild", "-r", REG).code == 3
    r = ok(acr, "connected-registry", "delete", "-n", "child", "-r", REG, "-y")
    assert "az acr token delete -n child" in r.err
    assert ok(acr, "token", "show", "-n", "child", "-r", REG).json()["name"] == "child"  # no cleanup: kept

    assert ok(acr, "connected-registry", "deactivate", "-n", "rootregistry", "-r", REG, "-y").out.strip() == ""
    assert ok(acr, "connected-registry", "resync", "-n", "rootregistry", "-r", REG).json()["name"] == "rootregistry"
    legacy = ok(acr, "connected-registry", "install", "info", "-n", "rootregistry", "-r", REG, "--parent-protocol",
                "https").json()
    assert legacy["SYNC_TOKEN_USER"] == "syncToken"
    assert legacy["SYNC_TOKEN_PASSWORD"] == "<use --generate-password to generate a new password>"
    renewed = ok(acr, "connected-registry", "install", "renew-credentials", "-n", "rootregistry", "-r", REG,
                 "--parent-protocol", "https", "-y")
    assert "deprecated" in renewed.err and len(renewed.json()["SYNC_TOKEN_PASSWORD"]) == 44
    assert [p["name"] for p in ok(acr, "token", "show", "-n", "syncToken", "-r", REG).json()["credentials"][
        "passwords"]] == ["password1", "password2"]
    ok(acr, "connected-registry", "repo", "-n", "rootregistry", "-r", REG, "--add", "repo9")
    assert "repositories/repo9/content/read" in _actions(acr, "rootregistry")

    # the connected registries are child rows of the registry: deleting it removes them
    from azlocal.acr import connected_registries
    from azlocal.platform.store import store
    registries.delete(REG)
    assert store().list(type=connected_registries.CONNECTED_REGISTRY_TYPE) == []
    assert store().list(type=token_service.TOKEN_TYPE) == []


def _state(acr):
    return (sorted(c["name"] for c in acr("acr", "connected-registry", "list", "-r", REG).json()),
            sorted(t["name"] for t in acr("acr", "token", "list", "-r", REG).json()),
            sorted(m["name"] for m in acr("acr", "scope-map", "list", "-r", REG).json()),
            [sorted(acr("acr", "scope-map", "show", "-r", REG, "-n", "parent1").json()["actions"])])


@pytest.mark.parametrize("args, code, text", [
    (["-n", "edge1", "-r", "basicreg1", "--repository", "app"], 1, "Premium SKU"),
    (["-n", "edge1", "-r", REG, "--repository", "app", "-p", "nosuchparent"], 1,
     "The parent connected registry 'nosuchparent' could not be found."),
    (["-n", "edge1", "-r", REG, "--repository", "app", "-p", "parent1", "-m", "ReadWrite"], 1,
     "Can't create the registry 'edge1' with mode 'readwrite' when the connected registry parent 'parent1' mode "
     "is 'ReadOnly'."),
    (["-n", "edge", "-r", REG, "--repository", "app"], 1, "at least 5 characters"),
    (["-n", "edge1", "-r", REG], 1, "either --sync-token or --repository"),
    (["-n", "edge1", "-r", REG, "--sync-token", "nosuchtoken"], 3, "(ResourceNotFound)"),
    (["-n", "edge1", "-r", REG, "--repository", "app", "--client-tokens", "nosuchtoken"], 3, "(ResourceNotFound)"),
    (["-n", "edge1", "-r", REG, "--repository", "app", "-w", "4 hours"], 1, "ISO 8601 duration"),
    (["-n", "edge1", "-r", REG, "--repository", "app", "-s", "every day"], 1, "cron expression"),
    (["-n", "edge1", "-r", REG, "--repository", "app", "--log-level", "Loud"], 1, "Accepted log levels"),
    (["-n", "1edge", "-r", REG, "--repository", "app"], 1, "connected registry name"),
    (["-n", "edge1", "-r", REG, "--auth-type", "ManagedIdentity", "--identity", "/subscriptions/x/id"], 1,
     "managed identities are not available offline"),
])
def test_bad_create_changes_nothing(acr, args, code, text):
    ok(acr, "connected-registry", "create", "-n", "parent1", "-r", REG, "--repository", "base", "-y")
    before = _state(acr)
    r = acr("acr", "connected-registry", "create", *args, "-y")
    assert r.code == code and text in r.err, (r.code, r.err)
    assert "Traceback" not in r.err
    assert _state(acr) == before


@pytest.mark.parametrize("args, code, text", [
    (["update", "-n", "parent1", "-r", REG, "--add-client-tokens", "a1234", "--remove-client-tokens", "a1234"], 1,
     "Update ambiguity"),
    (["update", "-n", "parent1", "-r", REG, "--add-client-tokens", "nosuchtoken"], 3, "(ResourceNotFound)"),
    (["update", "-n", "nosuch", "-r", REG, "--log-level", "Error"], 3, "(ResourceNotFound)"),
    (["show", "-n", "nosuch", "-r", REG], 3, "(ResourceNotFound)"),
    (["permissions", "update", "-n", "parent1", "-r", REG], 1, "No repository permissions"),
    (["permissions", "update", "-n", "parent1", "-r", REG, "--add", "a", "--remove", "a"], 1, "Update ambiguity"),
    (["permissions", "update", "-n", "nosuch", "-r", REG, "--add", "a"], 1, "Connected registry 'nosuch' doesn't"),
    (["list", "-r", REG, "--parent", "nosuch"], 1, "doesn't exist"),
    (["get-settings", "-n", "nosuch", "-r", REG, "--parent-protocol", "https"], 3, "(ResourceNotFound)"),
    (["delete", "-n", "parent1", "-r", REG, "-y"], 1, "has child connected registries (kid01)"),
])
def test_bad_input_changes_nothing(acr, args, code, text):
    ok(acr, "connected-registry", "create", "-n", "parent1", "-r", REG, "--repository", "base", "-y")
    ok(acr, "connected-registry", "create", "-n", "kid01", "-p", "parent1", "-r", REG, "--repository", "base")
    before = _state(acr)
    r = acr("acr", "connected-registry", *args)
    assert r.code == code and text in r.err, (r.code, r.err)
    assert "Traceback" not in r.err
    assert _state(acr) == before


def test_data_endpoint_prompt(acr):
    """az asks before enabling dedicated data endpoints; without a terminal and -y nothing changes."""
    r = acr("acr", "connected-registry", "create", "-n", "edge1", "-r", "premreg1", "--repository", "app")
    assert r.code == 1 and "Use --yes" in r.err and "Operation cancelled" in r.err, r.err
    assert acr("acr", "connected-registry", "list", "-r", "premreg1").json() == []
    assert acr("acr", "token", "list", "-r", "premreg1").json() == []
    assert acr("acr", "show", "-n", "premreg1").json()["dataEndpointEnabled"] is False


def test_group_delete_removes_connected_registries(acr):
    from azlocal.acr import connected_registries, scope_maps
    from azlocal.acr import tokens as token_service
    from azlocal.platform.store import store

    ok(acr, "connected-registry", "create", "-n", "edge01", "-r", REG, "--repository", "app", "-y")
    ok(acr, "connected-registry", "create", "-n", "edge02", "-r", REG, "-p", "edge01", "--repository", "app")
    assert acr("group", "delete", "-n", "rg", "-y").code == 0
    for kind in (connected_registries.CONNECTED_REGISTRY_TYPE, token_service.TOKEN_TYPE, scope_maps.SCOPE_MAP_TYPE):
        assert store().list(type=kind) == []
