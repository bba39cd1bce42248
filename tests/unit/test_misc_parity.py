"""az's conventions on the account, configure, extension, group and provider commands."""

import pytest


def test_three_state_flags_stand_bare_or_take_a_value_in_any_case(cli):
    assert cli("configure", "--defaults", "group=rg1").code == 0
    for args in (["--list-defaults"], ["--list-defaults", "TRUE"], ["-l", "True"]):
        r = cli("configure", *args)
        assert r.code == 0, r
        assert r.json() == [{"name": "group", "source": r.json()[0]["source"], "value": "rg1"}]
    r = cli("configure", "--list-defaults", "false")
    assert (r.code, r.out) == (0, "")
    r = cli("configure", "--list-defaults", "maybe")
    assert r.code == 2 and "'maybe' is not a valid value for '--list-defaults/-l'" in r.err


def test_enums_are_case_insensitive_and_canonical(cli):
    r = cli("group", "create", "-n", "rg1", "-l", "eastus")
    assert r.code == 0
    r = cli("group", "delete", "-n", "rg1", "--yes", "--force-deletion-types", "microsoft.compute/virtualmachines")
    assert r.code == 0, r
    assert cli("group", "exists", "-n", "rg1").out.strip() == "false"
    r = cli("group", "delete", "-n", "rg1", "--yes", "-f", "Microsoft.Web/sites")
    assert r.code == 2 and "is not a valid value for '--force-deletion-types/-f'" in r.err


def test_group_list_tag_takes_an_optional_value(cli):
    cli("group", "create", "-n", "rg1", "-l", "eastus", "--tags", "env=dev")
    cli("group", "create", "-n", "rg2", "-l", "eastus")
    assert [g["name"] for g in cli("group", "list", "--tag", "env=dev").json()] == ["rg1"]
    assert cli("group", "list", "--tag").code == 0


@pytest.mark.parametrize("args", [["--identity"], ["-i", "--client-id", "x"], ["--federated-token", "t", "-u", "a"]])
def test_login_forms_sign_in_to_the_local_account_and_say_so(cli, args):
    r = cli("login", *args)
    assert r.code == 0, r
    assert r.json()[0]["isDefault"] is True
    assert "Offline, every sign-in is to the local account" in r.err


def test_extension_pip_options_are_accepted_with_a_warning(cli):
    r = cli("extension", "add", "-n", "containerapp", "--allow-preview", "--pip-proxy", "p:1", "--system")
    assert r.code == 0, r
    assert "nothing is installed with pip" in r.err


def test_provider_register_short_options(cli):
    assert cli("provider", "register", "-n", "Microsoft.App", "-c", "-m", "mg1").code == 0
    assert cli("provider", "show", "-n", "Microsoft.App", "--query", "registrationState", "-o", "tsv").out == \
        "Registered\n"


def test_policy_arguments_are_accepted_on_write_commands_only(cli):
    r = cli("group", "create", "-n", "rg1", "-l", "eastus", "--change-reference", "c1", "--acquire-policy-token")
    assert r.code == 0 and "Azure Policy is not evaluated offline" in r.err
    r = cli("group", "list", "--change-reference", "c1")
    assert r.code == 2 and "unrecognized arguments: --change-reference" in r.err
