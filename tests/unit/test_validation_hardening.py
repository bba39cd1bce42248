"""Issue 9, items 7, 10 and 11: generic updates validated like named arguments, query errors as
`ERROR:` lines, unknown --subscription refused. Registries are seeded in the store (their update
needs no daemon); every command runs through the real CLI in-process."""

import pytest

SUB_ID = "00000000-0000-0000-0000-00000000a21c"


def _seed_registry(name, sku):
    from azlocal.acr import registries
    from azlocal.core import arm
    from azlocal.platform.store import store

    rid = arm.resource_id("rg", registries.REGISTRY_TYPE, name)
    doc = registries._document(rid, name, "eastus", sku, False, None, arm.utc_now(), None, None)
    s = store()
    with s.transaction():
        s.put(doc)
    return doc


@pytest.fixture
def registry(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_registry("basicreg1", "Basic")
    _seed_registry("premreg1", "Premium")
    return cli


def _no_traceback(r):
    assert "Traceback" not in r.err and "unexpected error" not in r.err, r.err


# Item 7: generic update of registries -------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--set", "anonymousPullEnabled=true"], "Anonymous pull is not supported for the Basic SKU"),
    (["--anonymous-pull-enabled", "true"], "Anonymous pull is not supported for the Basic SKU"),
    (["--set", "sku.name=Bogus"], "Allowed values: Basic, Standard, Premium."),
    (["--set", "sku.name=5"], "(InvalidSkuName)"),
    (["--set", "sku=5"], "Path 'sku'"),
    (["--set", "sku=null"], "Path 'sku'"),
    (["--set", "adminUserEnabled=yes"], "Could not convert \"yes\" to boolean"),
    (["--set", "anonymousPullEnabled=1"], "to boolean"),
    (["--set", "publicNetworkAccess=Off"], "Allowed values: Enabled, Disabled."),
    (["--set", "policies.retentionPolicy.days=1000"], "between 0 and 365"),
    (["--set", "policies.retentionPolicy.days=abc"], "to integer"),
    (["--set", "policies.retentionPolicy.status=enabled"], "Premium SKU"),
    (["--set", "policies=5"], "Path 'policies'"),
    (["--set", "policies.trustPolicy=[]"], "Path 'policies.trustPolicy'"),
    (["--set", "networkRuleSet.defaultAction=Deny"], "Premium SKU"),
    (["--set", "dataEndpointEnabled=true"], "Premium SKU"),
    (["--set", "tags=[1]"], "Path 'tags'"),
    (["--set", "tags.a=null"], "Path 'tags.a'"),
    (["--set", "tags.a/b=1"], "InvalidTagNameCharacters"),
    (["--set", "=x"], "Empty key in --set"),
    (["--set", "sku.name.x.y=1"], "Couldn't find"),
    (["--add", "sku", "x"], "is not a list"),
    (["--remove", "tags.nosuch"], "Couldn't find"),
    (["--set", "tags.x=" + "v" * 300], "InvalidTagNameLength"),
    (["--set", "a." * 40 + "b=1"], "levels deep"),
    (["--set", "tags.x=" + "[" * 5000 + "]" * 5000], "levels deep"),
])
def test_bad_generic_update_of_a_registry_is_refused_and_changes_nothing(registry, args, message):
    before = registry("acr", "show", "-n", "basicreg1").json()
    r = registry("acr", "update", "-n", "basicreg1", *args)
    _no_traceback(r)
    assert r.code == 1, r
    assert message in r.err
    assert registry("acr", "show", "-n", "basicreg1").json() == before


def test_sku_is_matched_in_any_casing_and_stored_canonically(registry):
    doc = registry("acr", "update", "-n", "basicreg1", "--set", "sku.name=standard").json()
    assert doc["sku"] == {"name": "Standard", "tier": "Standard"}
    # Standard allows anonymous pull; going back to Basic with it on is refused.
    assert registry("acr", "update", "-n", "basicreg1", "--set", "anonymousPullEnabled=true").code == 0
    r = registry("acr", "update", "-n", "basicreg1", "--sku", "Basic")
    assert r.code == 1 and "Anonymous pull is not supported for the Basic SKU" in r.err
    r = registry("acr", "update", "-n", "basicreg1", "--set", "sku.name=BASIC", "anonymousPullEnabled=false")
    assert r.code == 0 and r.json()["sku"]["name"] == "Basic"


def test_enum_values_are_stored_in_azure_casing(registry):
    doc = registry("acr", "update", "-n", "premreg1", "--set", "publicNetworkAccess=disabled",
                   "policies.retentionPolicy.status=Enabled", "policies.retentionPolicy.days=30",
                   "networkRuleSet.defaultAction=deny", "tags.n=5").json()
    assert doc["publicNetworkAccess"] == "Disabled"
    assert doc["policies"]["retentionPolicy"] == dict(doc["policies"]["retentionPolicy"], status="enabled",
                                                      days=30)
    assert doc["networkRuleSet"]["defaultAction"] == "Deny"
    assert doc["tags"] == {"n": "5"}


def test_read_only_and_unknown_properties_are_ignored_as_arm_ignores_them(registry):
    before = registry("acr", "show", "-n", "basicreg1").json()
    r = registry("acr", "update", "-n", "basicreg1", "--set", "loginServer=evil.azurecr.io", "name=other",
                 "provisioningState=Failed", "location=westus", "nosuch=1")
    assert r.code == 0, r
    assert "Property 'nosuch' not found on root" in r.err
    doc = r.json()
    for key in ("loginServer", "name", "provisioningState", "location", "id", "creationDate"):
        assert doc[key] == before[key]
    assert "nosuch" not in doc
    # --remove of a whole property is a PATCH without it: nothing changes.
    assert registry("acr", "update", "-n", "basicreg1", "--remove", "sku").json()["sku"] == before["sku"]


def test_downgrade_from_premium_with_replications_is_refused(registry):
    from azlocal.platform.store import store

    s = store()
    with s.transaction():
        s.put({"id": f"/subscriptions/{SUB_ID}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/"
                     "premreg1/replications/westus", "name": "westus", "location": "westus",
               "type": "Microsoft.ContainerRegistry/registries/replications"})
    r = registry("acr", "update", "-n", "premreg1", "--set", "sku.name=Standard")
    assert r.code == 1 and "Replications are only supported" in r.err
    assert registry("acr", "show", "-n", "premreg1", "--query", "sku.name", "-o", "tsv").out == "Premium\n"


# Item 7 and 11: generic update of groups ----------------------------------------------------------

def test_group_update_supports_remove_and_add(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus", "--tags", "x=1", "y=2")
    r = cli("group", "update", "-n", "rg1", "--remove", "tags.x")
    assert r.code == 0, r
    assert r.json()["tags"] == {"y": "2"}
    r = cli("group", "update", "-n", "rg1", "--tags", "a=1", "--set", "tags.b=2")
    assert r.json()["tags"] == {"a": "1", "b": "2"}  # named arguments first, then --set


@pytest.mark.parametrize("args, message", [
    (["--set", "tags=5"], "Path 'tags'"),
    (["--set", "tags.q=null"], "Path 'tags.q'"),
    (["--set", "managedBy=[1]"], "Path 'managedBy'"),
    (["--set", "properties=3"], "Path 'properties'"),
    (["--set", "tags.a?b=1"], "InvalidTagNameCharacters"),
    (["--set", "=1"], "Empty key in --set"),
    (["--remove", "tags.nosuch"], "Couldn't find"),
    (["--remove", "tags", "0", "1"], "usage error"),
    (["--add", "tags", "a=1"], "is not a list"),
    (["--set", "tags." + "k" * 600 + "=1"], "InvalidTagNameLength"),
])
def test_bad_generic_update_of_a_group_is_refused_and_changes_nothing(cli, args, message):
    cli("group", "create", "-n", "rg1", "-l", "eastus", "--tags", "x=1")
    before = cli("group", "show", "-n", "rg1").json()
    r = cli("group", "update", "-n", "rg1", *args)
    _no_traceback(r)
    assert r.code == 1, r
    assert message in r.err
    assert cli("group", "show", "-n", "rg1").json() == before


def test_group_location_and_state_are_not_the_patch_s_to_change(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    doc = cli("group", "update", "-n", "rg1", "--set", "location=westus",
              "properties.provisioningState=Failed").json()
    assert doc["location"] == "eastus" and doc["properties"]["provisioningState"] == "Succeeded"


# Item 10: --query errors -----------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("nosuchfn(@)", "Unknown function: nosuchfn()"),
    ("abs(@)", "In function abs(), invalid type for value"),
    ("abs(@, @)", "Expected 1 argument for function abs(), received 2"),
    ("[].not_null()", "Expected at least 1 argument"),
])
def test_a_bad_query_is_an_error_line(cli, query, message):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    r = cli("group", "list", "--query", query)
    _no_traceback(r)
    assert r.code == 1
    assert "ERROR: Invalid jmespath query supplied for `--query`: " + message in r.err
    assert "To learn more about --query, please visit:" in r.err
    assert r.out == ""


def test_an_unknown_function_refuses_the_command_before_it_runs(cli):
    r = cli("group", "create", "-n", "rg1", "-l", "eastus", "--query", "nosuchfn(@)")
    assert r.code == 1 and "Unknown function: nosuchfn()" in r.err
    assert cli("group", "exists", "-n", "rg1").out.strip() == "false"
    ids = [f"/subscriptions/{SUB_ID}/resourceGroups/rg1/providers/Microsoft.App/managedEnvironments/e{i}"
           for i in (1, 2)]
    r = cli("containerapp", "env", "show", "--ids", *ids, "--query", "nosuchfn(@)")
    assert r.code == 1 and "Unknown function: nosuchfn()" in r.err


def test_query_syntax_errors_stay_argument_errors(cli):
    r = cli("group", "list", "--query", "[?")
    assert r.code == 2 and "argument --query: invalid jmespath_type value" in r.err


# Item 11: --subscription ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["group", "list"], ["group", "show", "-n", "rg1"], ["group", "create", "-n", "rg2", "-l", "eastus"],
    ["group", "delete", "-n", "rg1", "--yes"], ["group", "update", "-n", "rg1", "--set", "tags.a=1"],
    ["acr", "list"], ["container", "list"], ["containerapp", "list"], ["account", "show"], ["provider", "list"],
    ["containerapp", "env", "list"], ["acr", "task", "list", "-r", "myreg1"],
])
def test_an_unknown_subscription_is_refused_by_every_command(cli, command):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    before = cli("group", "list").json()
    r = cli(*command, "--subscription", "nosuchsub")
    _no_traceback(r)
    assert r.code == 1, r
    assert "Subscription 'nosuchsub' not found. Check the spelling and casing and try again." in r.err
    assert cli("group", "list").json() == before


def test_account_commands_take_no_subscription_as_in_az(cli):
    r = cli("account", "list-locations", "--subscription", "azlocal")
    assert r.code == 2 and "unrecognized arguments: --subscription" in r.err
    assert cli("account", "show", "-s", "AZLOCAL", "--query", "id", "-o", "tsv").out == SUB_ID + "\n"


def test_the_local_subscription_is_accepted_by_name_or_id_in_any_casing(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    for sub in ("azlocal", "AZLOCAL", SUB_ID, SUB_ID.upper()):
        r = cli("group", "list", "--subscription", sub, "--query", "length(@)")
        assert r.code == 0 and r.out.strip() == "1", r


def test_account_set_takes_its_own_subscription_argument(cli):
    # The global --subscription once collided with account set's own (a traceback).
    r = cli("account", "set", "--subscription", "azlocal")
    assert r.code == 0, r
    r = cli("account", "set", "-s", "nosuchsub")
    _no_traceback(r)
    assert r.code == 1 and "doesn't exist in cloud 'AzureCloud'" in r.err


def test_ids_in_an_unknown_subscription_are_refused(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    r = cli("container", "show", "--ids",
            "/subscriptions/nosuchsub/resourceGroups/rg1/providers/Microsoft.ContainerInstance/containerGroups/c")
    assert r.code == 1 and "Subscription 'nosuchsub' not found" in r.err


def test_login_takes_the_subscription_to_select(cli):
    cli("logout")
    r = cli("login", "--subscription", "nosuchsub")
    assert r.code == 1 and "Subscription 'nosuchsub' not found" in r.err
    assert cli("account", "show").code == 1  # still signed out: nothing changed
    r = cli("login", "-s", "azlocal")
    assert r.code == 0 and r.json()[0]["id"] == SUB_ID


def test_a_deeply_nested_query_is_an_argument_error_not_a_recursion_traceback(cli):
    r = cli("group", "list", "--query", "[" * 3000)
    _no_traceback(r)
    assert r.code == 2 and "argument --query: invalid jmespath_type value" in r.err
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    r = cli("group", "wait", "-n", "rg1", "--custom", "[" * 3000, "--timeout", "0")
    _no_traceback(r)
    assert r.code == 1 and "nested too deeply" in r.err
    r = cli("group", "wait", "-n", "rg1", "--custom", "nosuchfn(@)", "--timeout", "0")
    assert r.code == 1 and "Unknown function: nosuchfn()" in r.err
