"""The offline account: login, subscriptions, versions, extensions, providers."""


def test_login_lists_the_local_subscription(cli):
    subs = cli("login").json()
    assert len(subs) == 1
    assert subs[0]["cloudName"] == "AzureCloud"
    assert subs[0]["isDefault"] is True
    shown = cli("account", "show").json()
    assert shown["environmentName"] == "AzureCloud"
    assert shown["id"] == subs[0]["id"]
    assert shown["user"]["type"] == "user"
    assert shown["managedByTenants"] == []


def test_logout_then_show_fails_until_login(cli):
    cli("logout")
    r = cli("account", "show")
    assert r.code == 1 and "az login" in r.err
    cli("login")
    assert cli("account", "show").code == 0


def test_locations_are_realistic(cli):
    names = cli("account", "list-locations", "--query", "[].name").json()
    assert {"eastus", "westeurope", "southeastasia"} <= set(names)


def test_version_shape_and_extensions(cli):
    assert cli("extension", "add", "--name", "containerapp", "--upgrade").code == 0
    v = cli("version").json()
    assert v["azure-cli"] and v["azure-cli-core"] and v["azure-cli-telemetry"]
    assert "containerapp" in v["extensions"]
    assert cli("extension", "show", "--name", "containerapp", "--query", "name", "-o", "tsv").out == "containerapp\n"
    assert cli("extension", "remove", "--name", "containerapp").code == 0
    assert cli("extension", "show", "--name", "containerapp").code == 1


def test_provider_register_show_list(cli):
    assert cli("provider", "show", "-n", "Microsoft.App", "--query", "registrationState", "-o", "tsv").out == \
        "NotRegistered\n"
    assert cli("provider", "register", "--namespace", "Microsoft.App").code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.OperationalInsights", "--wait").code == 0
    assert cli("provider", "show", "-n", "microsoft.app", "--query", "registrationState", "-o", "tsv").out == \
        "Registered\n"
    listed = {p["namespace"]: p["registrationState"] for p in cli("provider", "list").json()}
    assert listed["Microsoft.App"] == "Registered"
