"""az acr network-rule: the IP rules of a Premium registry's networkRuleSet (enforced by the data plane,
acr/dataplane/network.py), and the checks Azure makes of them on every write.

IP rules are stored as az shows them, `{"action": "Allow", "ipAddressOrRange": "<ip or CIDR>"}`.
Virtual network rules (`--subnet`/`--vnet-name`, deprecated and hidden in az 2.91) need a virtual
network, and there are none offline: after az's own usage check they are refused with that reason.
"""

import copy
import ipaddress

from azlocal.core import arm
from azlocal.core.errors import AzLocalError, ValidationError

NETWORK_RULE_NOT_SUPPORTED = "Network rules are only supported for managed registries in Premium SKU."
MAX_IP_RULES = 100  # Azure's published limit per registry
SUBNET_USAGE = "Usage error: [--subnet ID | --subnet NAME --vnet-name NAME]"
NO_VNETS = ("Virtual network rules need an Azure virtual network and subnet, and there are none offline "
            "(azlocal has no Microsoft.Network resources). Allow clients by address instead: "
            "--ip-address <IP or CIDR range>, e.g. 127.0.0.1 for this machine or 172.17.0.0/16 for Docker's bridge.")


# Checks (also run on `az acr update --set networkRuleSet...`) -------------------------------------

def check_ip(value, where="--ip-address"):
    """Azure's check of one rule value: an IPv4/IPv6 address or CIDR range."""
    try:
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            raise ValueError(value)
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(f"(NetworkRuleValidationError) The IP rule value '{value}' of {where} is not a valid "
                              "IPv4 or IPv6 address or CIDR range (e.g. 1.2.3.4 or 1.2.3.0/24).") from None
    return value


def validate_rule_set(rules):
    """The ipRules of a networkRuleSet as Azure validates them (called by registry_rules.validate)."""
    ip_rules = rules.get("ipRules") or []
    if len(ip_rules) > MAX_IP_RULES:
        raise ValidationError(f"(NetworkRuleValidationError) A registry supports at most {MAX_IP_RULES} IP rules; "
                              f"this request has {len(ip_rules)}.")
    for index, rule in enumerate(ip_rules):
        if not isinstance(rule, dict):
            raise ValidationError(f"(InvalidRequestContent) networkRuleSet.ipRules[{index}] must be an object.")
        action = rule.get("action") or "Allow"
        if action != "Allow":
            raise ValidationError(f"(InvalidRequestContent) The value '{action}' of networkRuleSet.ipRules[{index}]."
                                  "action is not valid. Allowed values: Allow.")
        value = rule.get("ipAddressOrRange", rule.get("value"))
        check_ip(value, f"networkRuleSet.ipRules[{index}]")
    if rules.get("virtualNetworkRules"):
        raise AzLocalError(NO_VNETS)


# Commands ----------------------------------------------------------------------------------------

def _premium(name, resource_group):
    from azlocal.acr import registries

    doc = registries.get(name, resource_group)
    if doc["sku"]["name"] != "Premium":
        raise AzLocalError(NETWORK_RULE_NOT_SUPPORTED)
    return doc


def _rule_set(doc):
    rules = copy.deepcopy(doc.get("networkRuleSet") or {"defaultAction": "Allow", "ipRules": []})
    rules.setdefault("defaultAction", "Allow")
    rules["ipRules"] = [{"action": r.get("action") or "Allow", "ipAddressOrRange": r.get("ipAddressOrRange",
                                                                                         r.get("value"))}
                        for r in rules.get("ipRules") or []]
    return rules


def view(doc):
    """az's answer to add and remove: the registry's name, state and network rule set."""
    rules = doc.get("networkRuleSet") or {}
    return {"name": doc["name"], "provisioningState": doc.get("provisioningState"),
            "networkRuleSet": {"defaultAction": rules.get("defaultAction"),
                               "ipRules": _rule_set(doc)["ipRules"] if rules else [],
                               "virtualNetworkRules": []}}


def list_rules(name, resource_group=None):
    doc = _premium(name, resource_group)
    return {"ipRules": view(doc)["networkRuleSet"]["ipRules"], "virtualNetworkRules": []}


def _check_subnet(subnet, vnet_name):
    if not subnet and not vnet_name:
        return
    is_id = bool(subnet) and subnet.lower().startswith("/subscriptions/") and "/providers/" in subnet.lower()
    if not ((is_id and not vnet_name) or (subnet and not is_id and vnet_name)):
        raise AzLocalError(SUBNET_USAGE)
    raise AzLocalError(NO_VNETS)


def _write(name, resource_group, change):
    from azlocal.acr import registries
    from azlocal.acr.registry_rules import validate
    from azlocal.platform.store import store

    s = store()
    with s.transaction():
        doc = registries.get(name, resource_group)
        new = copy.deepcopy(doc)
        change(new)
        validate(new, doc)
        new["systemData"]["lastModifiedAt"] = arm.utc_now()
        s.put(new)
    return new


def add(name, ip_address=None, subnet=None, vnet_name=None, resource_group=None):
    _premium(name, resource_group)
    _check_subnet(subnet, vnet_name)
    if ip_address is not None:
        check_ip(ip_address)

    def change(doc):
        rules = _rule_set(doc)
        if ip_address is not None:
            rules["ipRules"].append({"action": "Allow", "ipAddressOrRange": ip_address})
        doc["networkRuleSet"] = rules

    return view(_write(name, resource_group, change))


def remove(name, ip_address=None, subnet=None, vnet_name=None, resource_group=None):
    _premium(name, resource_group)
    _check_subnet(subnet, vnet_name)

    def change(doc):
        rules = _rule_set(doc)
        if ip_address is not None:
            rules["ipRules"] = [r for r in rules["ipRules"] if r["ipAddressOrRange"] != ip_address]
        doc["networkRuleSet"] = rules

    return view(_write(name, resource_group, change))
