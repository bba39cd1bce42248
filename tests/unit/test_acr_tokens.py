"""ACR tokens and scope maps without Docker: action parsing and wildcards, what a token's scope map
grants at the registry, expiries, and the commands (in-process) against a registry row in the store."""

import time

import pytest

from azlocal.acr import scope_maps, tokens
from azlocal.acr.dataplane import RegistryView, auth
from azlocal.core.errors import AzLocalError


def _table(actions, passwords=None, enabled=True):
    return auth.TokenTable({"tok01": {"name": "tok01", "enabled": enabled, "actions": actions,
                                      "passwords": passwords or {"password1": (tokens.digest("pw"), None)}}})


def test_parse_actions_as_az():
    assert scope_maps.parse_actions([["Samples/App", "content/READ", "metadata/read"]], [["edge1", "config/read"]]) == [
        "repositories/samples/app/content/read", "repositories/samples/app/metadata/read", "gateway/edge1/config/read"]
    with pytest.raises(AzLocalError, match='Invalid action "content/pull" provided. \nValid actions are'):
        scope_maps.parse_actions([["repo", "content/pull"]])
    with pytest.raises(AzLocalError, match='At least one action must be specified with "repo".'):
        scope_maps.parse_actions([["repo"]])
    with pytest.raises(AzLocalError, match="Invalid action"):
        scope_maps.parse_actions(None, [["edge1", "content/read"]])


@pytest.mark.parametrize("repository", ["sample/*/teamA", "sample/teamA*", "sample/teamA/*/projectB/*", "/*"])
def test_invalid_wildcards_are_refused(repository):
    with pytest.raises(AzLocalError, match="invalid wildcard"):
        scope_maps.check_actions([f"repositories/{repository}/content/read"])


def test_names_and_limits():
    scope_maps.check_name("my-token-1")
    for bad in ("tok", "x" * 51, "bad_name", "bad.name", ""):
        with pytest.raises(AzLocalError, match="5 to 50"):
            scope_maps.check_name(bad, "token")
    assert scope_maps.SKU_COUNT_LIMITS == {"Basic": 100, "Standard": 500, "Premium": 50000}
    with pytest.raises(AzLocalError, match="at most 500 actions"):
        scope_maps.check_actions([f"repositories/r{i}/content/read" for i in range(501)])


def test_token_table_grants_what_the_scope_map_allows_wildcards_additive():
    table = _table(["repositories/sample/*/content/read", "repositories/sample/teama/*/content/write",
                    "repositories/sample/teama/projectb/content/delete"])
    principal = table.principal("TOK01", "pw")
    assert principal == "token:tok01"
    assert table.allows(principal, "repository", "sample/teama/projectb", "delete")
    assert table.allows(principal, "repository", "sample/teama/projectc", "push")
    assert not table.allows(principal, "repository", "sample/teama/projectc", "delete")
    assert table.allows(principal, "repository", "sample/x", "pull")
    assert not table.allows(principal, "repository", "sample", "pull")
    assert not table.allows(principal, "repository", "other/x", "pull")
    assert not table.allows(principal, "registry", "catalog", "*")
    assert table.principal("tok01", "wrong") is None and table.principal("nobody", "pw") is None


def test_catalog_needs_metadata_read_on_every_repository():
    assert not _table(["repositories/*/content/read"]).allows("token:tok01", "registry", "catalog", "*")
    assert _table(["repositories/*/content/read", "repositories/*/metadata/read"]).allows(
        "token:tok01", "registry", "catalog", "*")


def test_disabled_and_expired_tokens_authenticate_nobody():
    assert _table(["repositories/*/content/read"], enabled=False).principal("tok01", "pw") is None
    past = {"password1": (tokens.digest("pw"), "2020-01-01T00:00:00+00:00")}
    assert _table(["repositories/*/content/read"], past).principal("tok01", "pw") is None
    never = {"password1": (tokens.digest("pw"), tokens.NEVER)}
    assert _table(["repositories/*/content/read"], never).principal("tok01", "pw") == "token:tok01"


def test_grant_intersects_the_requested_scope():
    view = RegistryView(name="r", login_server="r.azurecr.io", root=None, token_key=b"k")
    view.tokens = _table(["repositories/app/content/read", "repositories/app/content/write"])
    scopes = auth.parse_scope("repository:app:pull,push,delete repository:other:pull registry:catalog:*")
    assert auth.grant(view, "token:tok01", scopes) == [{"type": "repository", "name": "app",
                                                        "actions": ["pull", "push"]}]
    assert auth.principal_from_basic(view, "tok01", "pw") == "token:tok01"


def test_expiry():
    assert tokens.expiry_of() is None  # the service shows expiry null
    assert tokens.expiry_of(expiration_in_days=0) is None  # as az: 0 is "not given"
    with pytest.raises(AzLocalError, match="Days must be positive."):
        tokens.expiry_of(expiration_in_days=-1)
    with pytest.raises(AzLocalError, match="is not valid datetime. Valid example: 2025-12-31T12:59:59Z"):
        tokens.expiry_of(expiration="tomorrow")
    with pytest.raises(AzLocalError, match="in the past"):
        tokens.expiry_of(expiration="2020-01-01T00:00:00Z")
    assert tokens.expiry_of(expiration="2999-01-01T00:00:00Z") == "2999-01-01T00:00:00+00:00"
    assert not tokens.expired(tokens.NEVER) and tokens.expired("2020-01-01T00:00:00+00:00")


@pytest.fixture
def registry(cli):
    """A registry row in the store (no daemon: these commands are ARM-only)."""
    from azlocal.acr.registries import _document
    from azlocal.core import arm
    from azlocal.platform.store import store

    assert cli("group", "create", "-n", "tok-rg", "-l", "eastus", "-o", "none").code == 0
    rid = arm.resource_id("tok-rg", "Microsoft.ContainerRegistry/registries", "tokreg01")
    store().put(_document(rid, "tokreg01", "eastus", "Basic", False, None, arm.utc_now()))
    return "tokreg01"


def test_commands_shapes_and_errors(cli, registry, home):
    r = cli("acr", "token", "create", "-n", "MyToken", "-r", registry, "--repository", "samples/hello-world",
            "content/write", "content/read")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["credentials"]["username"] == "MyToken" and len(doc["credentials"]["passwords"]) == 2
    assert doc["scopeMapId"].endswith("/scopeMaps/MyToken-scope-map") and doc["status"] == "enabled"
    assert 'docker login tokreg01.azurecr.io -u MyToken -p' in r.err
    from azlocal.platform import secrets

    value = doc["credentials"]["passwords"][0]["value"]
    stored = secrets.get_secret("acr/tokreg01/token-passwords")
    assert value not in stored and tokens.digest(value) in stored  # only digests are kept
    assert all(value.encode() not in f.read_bytes() for f in home.glob("state.db*"))
    shown = cli("acr", "token", "show", "-n", "MyToken", "-r", registry).json()
    assert [p["value"] for p in shown["credentials"]["passwords"]] == [None, None]
    assert cli("acr", "scope-map", "show", "-n", "MyToken-scope-map", "-r", registry).json()["description"] == \
        "Created by token: MyToken"
    names = [m["name"] for m in cli("acr", "scope-map", "list", "-r", registry).json()]
    assert names == sorted(scope_maps.SYSTEM_SCOPE_MAPS) + ["MyToken-scope-map"]
    # The same default scope map with other actions is refused, as az does.
    r = cli("acr", "token", "create", "-n", "MyToken", "-r", registry, "--repository", "other", "content/read")
    assert r.code == 1 and "already configured with different repository permissions" in r.err
    r = cli("acr", "token", "create", "-n", "MyToken2", "-r", registry)
    assert r.code == 1 and "usage error: can't use --scope-map and --repository | --gateway" in r.err
    r = cli("acr", "token", "create", "-n", "NoPass1", "-r", registry, "--scope-map", "_repositories_pull",
            "--no-passwords")
    assert r.code == 0 and r.json()["credentials"]["passwords"] == []
    r = cli("acr", "token", "credential", "delete", "-n", "NoPass1", "-r", registry, "--password1")
    assert r.code == 1 and "Password1 credential doesn't exist." in r.err
    r = cli("acr", "scope-map", "update", "-n", "MyToken-scope-map", "-r", registry,
            "--add", "samples/nginx", "content/read", "--remove-repository", "samples/nginx", "content/read")
    assert r.code == 1 and "Update ambiguity" in r.err
    r = cli("acr", "scope-map", "update", "-n", "_repositories_pull", "-r", registry, "--description", "x")
    assert r.code == 1 and "system-defined" in r.err
    assert cli("acr", "token", "list", "-r", registry, "-o", "table").out.splitlines()[0].split()[:4] == \
        ["NAME", "SCOPE", "MAP", "PASSWORD1"]
    assert cli("acr", "token", "delete", "-n", "MyToken", "-r", registry, "--yes").code == 0
    assert cli("acr", "token", "show", "-n", "MyToken", "-r", registry).code == 3


def test_view_is_cheap_per_request():
    table = _table([f"repositories/r{i}/content/read" for i in range(500)])
    start = time.perf_counter()
    for _ in range(2000):
        assert table.allows("token:tok01", "repository", "r499", "pull")
    assert time.perf_counter() - start < 0.5


def test_sku_limits_on_tokens_and_scope_maps(cli, registry, monkeypatch):
    monkeypatch.setitem(scope_maps.SKU_COUNT_LIMITS, "Basic", 1)
    assert cli("acr", "scope-map", "create", "-n", "first-map", "-r", registry, "--repository", "a",
               "content/read", "-o", "none").code == 0
    r = cli("acr", "scope-map", "create", "-n", "second-map", "-r", registry, "--repository", "a", "content/read")
    assert r.code == 1 and "(QuotaExceeded)" in r.err and "limit of 1 scope maps for the Basic SKU" in r.err
    # The system scope maps do not count; the same name is an update, not a new one.
    assert cli("acr", "scope-map", "create", "-n", "first-map", "-r", registry, "--repository", "b",
               "content/read", "-o", "none").code == 0
    assert cli("acr", "token", "create", "-n", "token-one", "-r", registry, "--scope-map", "first-map",
               "-o", "none").code == 0
    r = cli("acr", "token", "create", "-n", "token-two", "-r", registry, "--scope-map", "_repositories_pull")
    assert r.code == 1 and "limit of 1 tokens" in r.err
    assert [t["name"] for t in cli("acr", "token", "list", "-r", registry).json()] == ["token-one"]
    # With room for both, a token with --repository makes its own scope map.
    monkeypatch.setitem(scope_maps.SKU_COUNT_LIMITS, "Basic", 2)
    r = cli("acr", "token", "create", "-n", "token-two", "-r", registry, "--repository", "c", "content/read")
    assert r.code == 0, r.err
    assert cli("acr", "scope-map", "show", "-n", "token-two-scope-map", "-r", registry).code == 0
    r = cli("acr", "scope-map", "show", "-n", "nosuchmap", "-r", registry)
    assert r.code == 3 and "scopeMaps/nosuchmap' under resource group 'tok-rg' was not found" in r.err


def test_deprecated_aliases_still_work(cli, registry):
    assert cli("acr", "token", "create", "-n", "alias-token", "-r", registry, "--scope-map", "_repositories_pull",
               "--no-passwords", "-o", "none").code == 0
    r = cli("acr", "token", "credential", "generate", "-n", "alias-token", "-r", registry, "--password2",
            "--days", "5")
    assert r.code == 0, r.err
    assert "'--days' has been deprecated" in r.err and r.json()["passwords"][0]["expiry"][:4].isdigit()
    assert cli("acr", "scope-map", "create", "-n", "alias-map", "-r", registry, "--repository", "a", "content/read",
               "-o", "none").code == 0
    r = cli("acr", "scope-map", "update", "-n", "alias-map", "-r", registry, "--add", "b", "content/read")
    assert r.code == 0 and "'--add' has been deprecated" in r.err
    assert r.json()["actions"] == ["repositories/a/content/read", "repositories/b/content/read"]
