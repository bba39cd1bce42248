"""az's cross-cutting conventions: output formats, --query, exit codes, prompts, defaults."""

import json

import yaml


def test_json_output_is_sorted_with_two_space_indent(cli):
    r = cli("group", "create", "-n", "rg1", "-l", "eastus", "--tags", "b=2", "a=1")
    assert r.code == 0
    assert r.out == json.dumps(json.loads(r.out), indent=2, sort_keys=True) + "\n"
    doc = r.json()
    assert doc["tags"] == {"a": "1", "b": "2"}
    assert doc["type"] == "Microsoft.Resources/resourceGroups"
    # The group's own id is not "inside" a group: az adds no resourceGroup key to it.
    assert "resourceGroup" not in doc


def test_query_and_tsv_print_a_bare_scalar(cli):
    cli("group", "create", "-n", "rg1", "-l", "East US")
    r = cli("group", "show", "-n", "rg1", "--query", "location", "-o", "tsv")
    assert (r.code, r.out) == (0, "eastus\n")


def test_yaml_table_and_none_outputs(cli):
    cli("group", "create", "-n", "rg1", "-l", "westeurope")
    assert yaml.safe_load(cli("group", "show", "-n", "rg1", "-o", "yaml").out)["location"] == "westeurope"
    table = cli("group", "list", "-o", "table").out.splitlines()
    assert table[0].split() == ["Name", "Location", "Status"]
    assert set(table[1]) <= {"-", " "}
    assert table[2].split() == ["rg1", "westeurope", "Succeeded"]
    assert cli("group", "show", "-n", "rg1", "-o", "none").out == ""
    # jsonc falls back to plain JSON when stdout is not a terminal
    assert json.loads(cli("group", "show", "-n", "rg1", "-o", "jsonc").out)["name"] == "rg1"


def test_not_found_exits_3(cli):
    r = cli("group", "show", "-n", "nope")
    assert r.code == 3
    assert r.err.startswith("ERROR: (ResourceGroupNotFound)")
    assert r.out == ""


def test_unknown_command_exits_2_with_suggestion(cli, capsys):
    r = cli("grup", "list")
    err = r.err + capsys.readouterr().err
    assert r.code == 2
    assert "ERROR: 'grup' is misspelled or not recognized by the system." in err
    assert "Did you mean 'group' ?" in err


def test_missing_required_argument_exits_2_with_examples(cli, capsys):
    r = cli("group", "create", "-n", "x")
    err = r.err + capsys.readouterr().err
    assert r.code == 2
    assert "ERROR: the following arguments are required: --location/-l" in err
    assert "Examples from command's help:" in err
    assert cli("group", "exists", "-n", "x").out.strip() == "false"


def test_unrecognized_argument_exits_2(cli, capsys):
    r = cli("group", "list", "--bogus", "1")
    assert r.code == 2
    assert "ERROR: unrecognized arguments: --bogus 1" in r.err + capsys.readouterr().err


def test_bad_enum_value_exits_2(cli, capsys):
    r = cli("configure", "--scope", "everywhere")
    assert r.code == 2
    assert "'everywhere' is not a valid value for '--scope'. Allowed values: global, local." in (
        r.err + capsys.readouterr().err)


def test_destructive_command_without_tty_or_yes_is_cancelled(cli):
    cli("group", "create", "-n", "keep", "-l", "eastus")
    r = cli("group", "delete", "-n", "keep")
    assert r.code == 1
    assert "Unable to prompt for confirmation as no tty available. Use --yes." in r.err
    assert "ERROR: Operation cancelled." in r.err
    assert cli("group", "exists", "-n", "keep").out.strip() == "true"
    assert cli("group", "delete", "-n", "keep", "--yes").code == 0
    assert cli("group", "exists", "-n", "keep").out.strip() == "false"


def test_configured_defaults_and_environment_override(cli, monkeypatch):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    cli("group", "create", "-n", "rg2", "-l", "eastus")
    assert cli("configure", "--defaults", "group=rg1", "location=westus").code == 0
    assert cli("group", "show", "--query", "name", "-o", "tsv").out == "rg1\n"
    assert cli("group", "create", "-n", "rg3", "--query", "location", "-o", "tsv").out == "westus\n"
    monkeypatch.setenv("AZURE_DEFAULTS_GROUP", "rg2")
    assert cli("group", "show", "--query", "name", "-o", "tsv").out == "rg2\n"
    listed = cli("configure", "--list-defaults", "--query", "[].name").json()
    assert sorted(listed) == ["group", "location"]


def test_generic_update_set_add_remove(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus", "--tags", "a=1")
    r = cli("group", "update", "-n", "rg1", "--set", "tags.b=2", "tags.c=[1,2]")
    # tags are strings: az's SDK serializes other values with str() before the PUT
    assert r.json()["tags"] == {"a": "1", "b": "2", "c": "[1, 2]"}
    r = cli("group", "update", "-n", "rg1", "--set", "tags.b=2", "--force-string")
    assert r.json()["tags"]["b"] == "2"
    # identity fields cannot be changed through --set
    r = cli("group", "update", "-n", "rg1", "--set", "name=other")
    assert r.json()["name"] == "rg1"


def test_ids_resolve_to_names(cli):
    doc = cli("group", "create", "-n", "rg1", "-l", "eastus").json()
    rid = doc["id"] + "/providers/Microsoft.ContainerInstance/containerGroups/thing1"
    from azlocal.cli.ids import expand_ids

    assert expand_ids(["container", "show", "--ids", rid, "-o", "tsv"]) == [
        ["container", "show", "--resource-group", "rg1", "--name", "thing1", "-o", "tsv"]]
    # az's parser takes the abbreviation --id (the peer test of `env list-usages` uses it)
    assert expand_ids(["container", "show", "--id", rid]) == [
        ["container", "show", "--resource-group", "rg1", "--name", "thing1"]]


def test_ids_only_where_az_has_them(cli):
    # az 2.91 has no --ids on `group show` or the acr commands: the parser refuses it there.
    rid = cli("group", "create", "-n", "rg1", "-l", "eastus").json()["id"]
    r = cli("group", "show", "--ids", rid)
    assert r.code == 2 and "the following arguments are required: --name/--resource-group/-g/-n" in r.err
    r = cli("group", "show", "-n", "rg1", "--ids", rid)
    assert r.code == 2 and "unrecognized arguments: --ids" in r.err


def test_names_that_ids_could_give_are_reported_as_az_does(cli):
    r = cli("container", "show")
    assert (r.code, r.err.strip()) == (1, "ERROR: (--resource-group --name | --ids) are required")
    r = cli("container", "show", "-g", "rg1")
    assert (r.code, r.err.strip()) == (1, "ERROR: (--name | --ids) are required")


def test_subscription_is_accepted(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus")
    assert cli("group", "list", "--subscription", "azlocal", "--query", "length(@)").out.strip() == "1"


def test_bad_location_is_refused_and_writes_nothing(cli):
    r = cli("group", "create", "-n", "rg1", "-l", "atlantis")
    assert r.code == 1
    assert "LocationNotAvailableForResourceGroup" in r.err
    assert cli("group", "list").json() == []


def test_bad_group_name_is_refused(cli):
    r = cli("group", "create", "-n", "bad/name", "-l", "eastus")
    assert r.code == 1
    assert cli("group", "list").json() == []


def test_resource_group_added_to_nested_resources():
    from azlocal.cli import add_resource_group

    rid = "/subscriptions/s/resourceGroups/MyRG/providers/Microsoft.ContainerRegistry/registries/r1"
    out = add_resource_group([{"id": rid, "child": {"id": rid + "/webhooks/w"}}, {"id": "/subscriptions/s"}])
    assert out[0]["resourceGroup"] == "MyRG"
    assert out[0]["child"]["resourceGroup"] == "MyRG"
    assert "resourceGroup" not in out[1]
