"""az storage account: the pure parts — names, the account document, create/update settings, connection strings,
and how data-plane credentials are resolved against an account's keys (no daemon, no Docker)."""

import pytest

from azlocal.core.errors import AzLocalError, ValidationError


@pytest.fixture
def account(home):
    """An account row and its two keys, written as accounts.create writes them (without starting the daemon)."""
    from azlocal.core import arm
    from azlocal.platform import secrets
    from azlocal.platform.store import store
    from azlocal.resources import groups
    from azlocal.storage import accounts

    groups.create("rg1", "eastus")
    rid = arm.resource_id("rg1", accounts.ACCOUNT_TYPE, "acct1")
    doc = accounts.document(rid, "acct1", location="eastus", sku="Standard_RAGRS", kind="StorageV2",
                            created=arm.utc_now())
    accounts._secondary(doc)
    for key_name, value in (("key1", "a2V5MQ=="), ("key2", "a2V5Mg==")):
        secrets.set_secret(accounts._key_secret(rid, key_name), value)
    store().put(doc)
    return doc


@pytest.mark.parametrize("name", ["ab", "a" * 25, "Upper1", "has-dash", "dots.no", ""])
def test_invalid_account_names_are_refused_with_azures_text(name):
    from azlocal.storage import accounts

    with pytest.raises(ValidationError, match=r"^\(AccountNameInvalid\) .* is not a valid storage account name"):
        accounts.check_name(name)


def test_check_name_availability_reports_invalid_taken_and_free(account):
    from azlocal.storage import accounts

    assert accounts.check_name_availability("acct1") == {
        "message": "The storage account named acct1 is already taken.", "nameAvailable": False,
        "reason": "AlreadyExists"}
    assert accounts.check_name_availability("freename1")["nameAvailable"] is True
    assert accounts.check_name_availability("Bad")["reason"] == "AccountNameInvalid"


def test_document_has_the_2025_08_01_shape_and_ra_secondary_endpoints(account):
    assert account["primaryEndpoints"]["file"] == "https://acct1.file.core.windows.net/"
    assert account["secondaryEndpoints"]["blob"] == "https://acct1-secondary.blob.core.windows.net/"
    assert account["secondaryEndpoints"]["file"] is None
    assert account["secondaryLocation"] == "westus" and account["statusOfSecondary"] == "available"
    assert account["minimumTlsVersion"] == "TLS1_2" and account["enableHttpsTrafficOnly"] is True
    assert account["encryption"]["services"]["file"]["enabled"] is True
    for key in ("allowSharedKeyAccessForServices", "dualStackEndpointPreference", "placement", "zones",
                "isSkuConversionBlocked", "resourceGroup"):
        assert key in account


def test_lrs_has_no_secondary(account):
    from azlocal.storage import account_options, accounts

    account_options.apply(account, {"sku": "Standard_LRS"}, creating=False)
    accounts._secondary(account)
    assert account["secondaryLocation"] is None and account["secondaryEndpoints"] is None


def test_settings_are_recorded_as_azure_shows_them(account):
    from azlocal.storage import account_options

    account_options.apply(account, {
        "allow_shared_key_access": False, "min_tls_version": "TLS1_0", "tags": {"a": "1"},
        "enable_hierarchical_namespace": True, "default_action": "Deny", "bypass": ["Logging", "Metrics"],
        "key_expiration_period_in_days": 30, "sas_expiration_period": "1.00:00:00", "enable_large_file_share": True,
        "access_tier": "Cool", "publish_microsoft_endpoints": True}, creating=True)
    assert account["allowSharedKeyAccess"] is False
    assert account["minimumTlsVersion"] == "TLS1_2"  # 1.0 and 1.1 are retired: az sends 1.2
    assert account["isHnsEnabled"] is True and account["tags"] == {"a": "1"}
    assert account["networkRuleSet"]["defaultAction"] == "Deny"
    assert account["networkRuleSet"]["bypass"] == "Logging, Metrics"
    assert account["keyPolicy"] == {"keyExpirationPeriodInDays": 30}
    assert account["sasPolicy"] == {"expirationAction": "Log", "sasExpirationPeriod": "1.00:00:00"}
    assert account["largeFileSharesState"] == "Enabled" and account["accessTier"] == "Cool"
    assert account["primaryEndpoints"]["microsoftEndpoints"]["blob"] == \
        "https://acct1-microsoft.blob.core.windows.net/"


@pytest.mark.parametrize("opts, message", [
    ({"bypass": ["Logging"]}, "incorrect usage: --default-action ACTION"),
    ({"sas_expiration_action": "Block"}, "--sas-expiration-action can only be specified together"),
    ({"enable_files_adds": True, "domain_name": "x"}, "To enable ActiveDirectoryDomainServicesForFile"),
])
def test_settings_usage_errors_change_nothing(account, opts, message):
    import copy

    from azlocal.storage import account_options

    before = copy.deepcopy(account)
    with pytest.raises(AzLocalError, match=message):
        account_options.apply(account, opts, creating=False)
    assert account == before


def test_connection_string_is_in_az_order(account):
    from azlocal.storage import accounts

    text = accounts.show_connection_string("rg1", "acct1", key_name="key2", protocol="http", sas_token="sv=1&sig=x",
                                           overrides={"queue": "https://q.example/"})["connectionString"]
    assert text == ("DefaultEndpointsProtocol=http;EndpointSuffix=core.windows.net;AccountName=acct1;"
                    "AccountKey=a2V5Mg==;BlobEndpoint=https://acct1.blob.core.windows.net/;"
                    "FileEndpoint=https://acct1.file.core.windows.net/;QueueEndpoint=https://q.example/;"
                    "TableEndpoint=https://acct1.table.core.windows.net/;SharedAccessSignature=sv=1&sig=x")


def test_a_connection_string_resolves_to_the_account_and_a_wrong_key_is_refused(account):
    from azlocal.storage import accounts, credentials

    good = accounts.connection_string("acct1", "a2V5MQ==")
    assert credentials.resolve(connection_string=good).account == "acct1"
    assert credentials.resolve(account_name="acct1", account_key="a2V5Mg==").kind == "key"
    with pytest.raises(AzLocalError, match="ErrorCode:AuthenticationFailed"):
        credentials.resolve(account_name="acct1", account_key="d3Jvbmc=")


def test_shared_key_access_false_refuses_keys_but_not_login(account):
    from azlocal.platform.store import store
    from azlocal.storage import credentials

    account["allowSharedKeyAccess"] = False
    store().put(account)
    with pytest.raises(AzLocalError, match="ErrorCode:KeyBasedAuthenticationNotPermitted"):
        credentials.resolve(account_name="acct1", account_key="a2V5MQ==")
    assert credentials.resolve(account_name="acct1", auth_mode="login").kind == "login"


def test_renew_replaces_the_key_at_once(account):
    from azlocal.storage import accounts

    accounts.renew("rg1", "acct1", "key1")
    assert not accounts.check_key("acct1", "a2V5MQ==")
    assert accounts.check_key("acct1", "a2V5Mg==")


def test_usage_counts_the_accounts_of_a_region(account):
    from azlocal.storage import accounts

    assert accounts.usage("East US")["currentValue"] == 1
    assert accounts.usage("westeurope")["currentValue"] == 0


def test_show_of_a_missing_account_is_arms_404(home):
    from azlocal.core.errors import ResourceNotFound
    from azlocal.resources import groups
    from azlocal.storage import accounts

    groups.create("rg1", "eastus")
    with pytest.raises(ResourceNotFound, match="Microsoft.Storage/storageAccounts/nope"):
        accounts.get("nope", "rg1")


def test_account_sas_for_files_is_checked_for_service_type_and_permission(account):
    from azlocal.storage import credentials, custom_accounts
    from azlocal.storage.storage_errors import StorageError

    token = custom_accounts.account_generate_sas("fb", "os", "rl", "2099-01-01T00:00Z", account_name="acct1")
    assert "ss=bf" in token and "srt=so" in token and "sp=rl" in token
    assert credentials.resolve(account_name="acct1", sas_token=token, needs=("r", "o"), service="f").kind == "sas"
    with pytest.raises(StorageError, match="AuthorizationPermissionMismatch"):
        credentials.resolve(account_name="acct1", sas_token=token, needs=("w", "o"), service="f")
    blob_only = custom_accounts.account_generate_sas("b", "sco", "rwl", "2099-01-01", account_name="acct1")
    with pytest.raises(StorageError, match="AuthorizationServiceMismatch"):
        credentials.resolve(account_name="acct1", sas_token=blob_only, needs=("r", "o"), service="f")
    forged = token[:-6] + "AAAA%3D"
    with pytest.raises(StorageError, match="AuthenticationFailed"):
        credentials.resolve(account_name="acct1", sas_token=forged, needs=("r", "o"), service="f")


def test_generate_sas_needs_credentials(home, monkeypatch):
    from azlocal.storage import custom_accounts

    for var in ("AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONNECTION_STRING"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValidationError, match="Missing/Invalid credentials"):
        custom_accounts.account_generate_sas("b", "o", "r", "2099-01-01", account_name="nosuch1")


def test_delete_of_a_missing_account_is_no_error_and_expand_adds_geo_stats(account):
    from azlocal.storage import accounts

    accounts.delete("rg1", "nosuch1")
    stats = accounts.with_expand(account, "geoReplicationStats")["geoReplicationStats"]
    assert stats["status"] == "Live" and stats["postPlannedFailoverRedundancy"] == "Standard_RAGRS"


def test_update_show_and_keys_through_the_cli(cli, account):
    r = cli("storage", "account", "update", "-n", "acct1", "-g", "rg1", "--tags", "env=dev", "--min-tls-version",
            "TLS1_3", "--set", "allowBlobPublicAccess=true")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["tags"] == {"env": "dev"} and doc["minimumTlsVersion"] == "TLS1_3"
    assert doc["allowBlobPublicAccess"] is True
    assert cli("storage", "account", "show", "--ids", account["id"]).json()["tags"] == {"env": "dev"}
    keys = cli("storage", "account", "keys", "list", "-n", "acct1").json()
    assert [k["keyName"] for k in keys] == ["key1", "key2"] and keys[0]["permissions"] == "FULL"
    r = cli("storage", "account", "show-connection-string", "-n", "acct1", "--key", "secondary")
    assert r.code == 0 and "AccountKey=a2V5Mg==" in r.json()["connectionString"]
    assert "deprecated" in r.err
    r = cli("storage", "account", "update", "-n", "acct1", "-g", "rg1", "--bypass", "Logging")
    assert r.code == 1 and "incorrect usage: --default-action" in r.err
    assert cli("storage", "account", "show", "-n", "acct1", "-g", "rg1").json()["networkRuleSet"]["bypass"] == \
        "AzureServices"
    missing = cli("storage", "account", "show", "-n", "nosuch1", "-g", "rg1")
    assert missing.code == 3 and "(ResourceNotFound)" in missing.err
    assert cli("storage", "account", "show").code != 0


def test_account_show_without_names_is_azs_usage_error(cli):
    # az 2.91: -g is optional for an account, so the message names --name only, with or without -g.
    for args in ((), ("-g", "rg1")):
        r = cli("storage", "account", "show", *args)
        assert (r.code, r.err.strip()) == (1, "ERROR: (--name | --ids) are required")
