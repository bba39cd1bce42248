"""az acr argument and name validation that needs no daemon."""


def test_create_refuses_uppercase_and_dashes_and_writes_nothing(cli):
    cli("group", "create", "-n", "rg", "-l", "eastus")
    r = cli("acr", "create", "-n", "MyReg1", "-g", "rg", "--sku", "Basic")
    assert r.code == 1 and "Registry name must use only lowercase." in r.err
    r = cli("acr", "create", "-n", "my-reg1", "-g", "rg", "--sku", "Basic")
    assert r.code == 1 and "Registry name cannot contain dashes." in r.err
    r = cli("acr", "create", "-n", "abc", "-g", "rg", "--sku", "Basic")
    assert r.code == 1 and "between 5 and 50 characters" in r.err
    assert cli("acr", "list").json() == []


def test_bad_sku_is_an_argument_error(cli, capsys):
    r = cli("acr", "create", "-n", "myreg1", "-g", "rg", "--sku", "Cheap")
    assert r.code == 2
    assert "'Cheap' is not a valid value for '--sku'. Allowed values: Basic, Standard, Premium." in (
        r.err + capsys.readouterr().err)


def test_missing_registry_exit_codes_follow_az(cli):
    cli("group", "create", "-n", "rg", "-l", "eastus")
    r = cli("acr", "show", "-n", "nothere1")
    assert r.code == 1 and "could not be found in subscription" in r.err
    r = cli("acr", "show", "-n", "nothere1", "-g", "rg")
    assert r.code == 3 and "(ResourceNotFound)" in r.err


def test_check_name_reports_invalid_names(cli):
    doc = cli("acr", "check-name", "-n", "bad-name").json()
    assert doc["nameAvailable"] is False and doc["reason"] == "Invalid"
    assert cli("acr", "check-name", "-n", "goodname1", "--query", "nameAvailable").json() is True


def test_premium_only_network_rules_refused(cli):
    cli("group", "create", "-n", "rg", "-l", "eastus")
    r = cli("acr", "create", "-n", "myreg1", "-g", "rg", "--sku", "Basic", "--default-action", "Deny")
    assert r.code == 1 and "Premium SKU" in r.err


def test_login_server_suffix_is_stripped_with_a_warning():
    import pytest

    from azlocal.acr.registries import normalise_name
    from azlocal.core.errors import ValidationError

    assert normalise_name("myreg1.azurecr.io") == "myreg1"
    with pytest.raises(ValidationError, match="suffix is not valid"):
        normalise_name("myreg1.example.com")
