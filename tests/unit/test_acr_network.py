"""The pure parts of ACR network access: rule parsing, CIDR matching, the client address as the data plane
reads it (IPv4-mapped IPv6, IPv6 loopback), the rule checks Azure makes, show-endpoints' table."""

import pytest

from azlocal.acr import network_rules
from azlocal.acr.commands_network import endpoints_table
from azlocal.acr.dataplane import network
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.core.errors import AzLocalError, ValidationError

DENY = {"publicNetworkAccess": "Enabled", "networkRuleSet": {"defaultAction": "Deny", "ipRules": []}}


def _doc(*values, action="Deny", public="Enabled", key="ipAddressOrRange"):
    return {"publicNetworkAccess": public,
            "networkRuleSet": {"defaultAction": action, "ipRules": [{"action": "Allow", key: v} for v in values]}}


def _refused(doc, remote):
    check = network.client_check(doc)
    if check is None:
        return False
    try:
        check(remote)
        return False
    except RegistryError as ex:
        assert ex.status == 403 and ex.code == "DENIED"
        assert ex.message.endswith("is not allowed access. Refer https://aka.ms/acr/firewall to grant access.")
        return True


@pytest.mark.parametrize("value,expected", [
    ("127.0.0.1", "127.0.0.1/32"), ("172.17.0.0/16", "172.17.0.0/16"), ("172.17.0.5/16", "172.17.0.0/16"),
    ("::1", "::1/128"), ("fd00::/8", "fd00::/8"), (" 10.0.0.1 ", "10.0.0.1/32"),
    ("300.1.2.3", None), ("1.2.3.4/33", None), ("localhost", None), ("", None), (None, None), (7, None),
])
def test_rule_parsing(value, expected):
    parsed = network.parse_rule(value)
    assert (str(parsed) if parsed is not None else None) == expected


@pytest.mark.parametrize("remote,expected", [
    ("127.0.0.1", "127.0.0.1"), ("::ffff:127.0.0.1", "127.0.0.1"), ("::1", "127.0.0.1"),
    ("::ffff:172.17.0.3", "172.17.0.3"), ("fe80::1%eth0", "fe80::1"), ("2001:db8::5", "2001:db8::5"),
    ("", None), (None, None), ("not-an-ip", None),
])
def test_client_address(remote, expected):
    address = network.client_address(remote)
    assert (str(address) if address is not None else None) == expected


def test_open_registries_have_no_check():
    assert network.client_check({"publicNetworkAccess": "Enabled", "networkRuleSet": None}) is None
    assert network.client_check(_doc("1.2.3.4", action="Allow")) is None
    assert network.client_check({}) is None


def test_deny_admits_only_addresses_a_rule_holds():
    doc = _doc("127.0.0.1", "172.17.0.0/16")
    assert not _refused(doc, "127.0.0.1")
    assert not _refused(doc, "::ffff:127.0.0.1")
    assert not _refused(doc, "::1")  # IPv6 loopback is this machine's loopback too
    assert not _refused(doc, "172.17.0.2")
    assert _refused(doc, "172.18.0.2")
    assert _refused(doc, "127.0.0.2")
    assert _refused(doc, "")
    assert _refused(_doc(), "127.0.0.1")
    assert not _refused(_doc("127.0.0.0/8"), "127.0.0.2")
    assert not _refused(_doc("127.0.0.1", key="value"), "127.0.0.1")  # the REST API's key, set with --set


def test_ipv6_rules_match_ipv6_clients_only():
    doc = _doc("2001:db8::/32")
    assert not _refused(doc, "2001:db8::7")
    assert _refused(doc, "127.0.0.1")
    assert _refused(_doc("0.0.0.0/0"), "2001:db8::7")


def test_the_refusal_names_the_client_as_seen():
    with pytest.raises(RegistryError) as caught:
        network.client_check(DENY)("::ffff:172.17.0.4")
    assert caught.value.message == ("client with IP '172.17.0.4' is not allowed access. Refer "
                                    "https://aka.ms/acr/firewall to grant access.")
    assert caught.value.response().status == 403


def test_public_network_disabled_refuses_everyone():
    doc = _doc("127.0.0.1", public="Disabled")
    assert _refused(doc, "127.0.0.1")
    assert _refused(dict(doc, networkRuleSet=None), "127.0.0.1")


def test_unparseable_and_non_allow_rules_admit_nobody():
    doc = {"publicNetworkAccess": "Enabled", "networkRuleSet": {"defaultAction": "Deny", "ipRules": [
        {"action": "Allow", "ipAddressOrRange": "garbage"}, "not-a-rule", {"action": "Deny", "value": "127.0.0.1"}]}}
    assert _refused(doc, "127.0.0.1")


def test_rule_checks_as_azure_makes_them():
    assert network_rules.check_ip("1.2.3.0/24") == "1.2.3.0/24"
    for bad in ("300.1.2.3", "1.2.3.4/40", "", " 1.2.3.4", "a.b.c.d"):
        with pytest.raises(ValidationError, match="not a valid IPv4 or IPv6 address or CIDR range"):
            network_rules.check_ip(bad)
    network_rules.validate_rule_set({"ipRules": [{"action": "Allow", "ipAddressOrRange": "1.2.3.4"}]})
    with pytest.raises(ValidationError, match="at most 100 IP rules"):
        network_rules.validate_rule_set({"ipRules": [{"action": "Allow", "value": f"10.0.0.{i}"} for i in range(101)]})
    with pytest.raises(ValidationError, match="Allowed values: Allow"):
        network_rules.validate_rule_set({"ipRules": [{"action": "Deny", "value": "1.2.3.4"}]})
    with pytest.raises(AzLocalError, match="there are none offline"):
        network_rules.validate_rule_set({"ipRules": [], "virtualNetworkRules": [{"id": "/subscriptions/x"}]})


def test_subnet_arguments_get_az_usage_error_then_the_offline_reason():
    network_rules._check_subnet(None, None)
    with pytest.raises(AzLocalError, match=r"^Usage error: \[--subnet ID \| --subnet NAME --vnet-name NAME\]$"):
        network_rules._check_subnet("default", None)
    with pytest.raises(AzLocalError, match="there are none offline"):
        network_rules._check_subnet("default", "vnet1")
    with pytest.raises(AzLocalError, match="there are none offline"):
        network_rules._check_subnet("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/"
                                    "v/subnets/default", None)


def test_view_has_az_shape():
    doc = {"name": "reg", "provisioningState": "Succeeded", "networkRuleSet": {
        "defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "1.2.3.4"}]}}
    assert network_rules.view(doc) == {"name": "reg", "provisioningState": "Succeeded", "networkRuleSet": {
        "defaultAction": "Deny", "ipRules": [{"action": "Allow", "ipAddressOrRange": "1.2.3.4"}],
        "virtualNetworkRules": []}}


def test_endpoints_table():
    result = {"loginServer": "reg.azurecr.io", "dataEndpoints": [
        {"region": "eastus", "endpoint": "reg.eastus.data.azurecr.io"},
        {"region": "westus", "endpoint": "reg.westus.data.azurecr.io"}]}
    assert endpoints_table(result) == [
        {"loginServer": "reg.azurecr.io", "region": "eastus", "endpoint": "reg.eastus.data.azurecr.io"},
        {"loginServer": "reg.azurecr.io", "region": "westus", "endpoint": "reg.westus.data.azurecr.io"}]


def test_registry_identities_are_recorded_as_azure_shows_them(cli, monkeypatch):
    from azlocal.acr import registries
    from azlocal.platform import lifecycle

    monkeypatch.setattr(registries, "_publish", lambda doc, before=None: None)
    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: None)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    assert cli("acr", "create", "-n", "idreg1", "-g", "rg", "--sku", "Basic").code == 0
    r = cli("acr", "identity", "assign", "-n", "idreg1", "--identities", "[system]", "mi1")
    assert r.code == 1 and "FailedIdentityOperation" in r.err  # mi1 does not exist yet: nothing changes
    assert cli("acr", "identity", "show", "-n", "idreg1").out.strip() in ("", "null")
    mi1 = cli("identity", "create", "-n", "mi1", "-g", "rg").json()
    r = cli("acr", "identity", "assign", "-n", "idreg1", "--identities", "[system]", "mi1")
    assert r.code == 0 and "no tokens" in r.err
    identity = r.json()["identity"]
    uid = f"/subscriptions/{cli('account', 'show').json()['id']}/resourceGroups/rg/providers/" \
          "Microsoft.ManagedIdentity/userAssignedIdentities/mi1"
    assert identity["type"] == "SystemAssigned, UserAssigned" and len(identity["principalId"]) == 36
    assert identity["userAssignedIdentities"] == {uid: {"clientId": mi1["clientId"], "principalId": mi1["principalId"]}}
    principal = identity["principalId"]
    again = cli("acr", "identity", "assign", "-n", "idreg1", "--identities", uid.upper()).json()["identity"]
    assert again["principalId"] == principal and list(again["userAssignedIdentities"]) == [uid]
    r = cli("acr", "identity", "remove", "-n", "idreg1", "--identities", "mi2")
    assert r.code == 1 and "does not have specified user identity 'mi2'" in r.err
    identity = cli("acr", "identity", "remove", "-n", "idreg1", "--identities", "[system]").json()["identity"]
    assert identity["type"] == "UserAssigned" and identity["principalId"] is None and identity["tenantId"] is None
    assert cli("acr", "identity", "remove", "-n", "idreg1", "--identities", "mi1").json()["identity"] is None
