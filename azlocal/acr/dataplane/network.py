"""A registry's network access as the data plane enforces it: public network access and the IP rules
of networkRuleSet, checked on the client address the daemon sees.

The daemon answers on its own sockets (it proxies nothing for the registry), so the address is the TCP
peer: 127.0.0.1 for the local `docker`, `curl` and `az`, and the Docker Engine's address (loopback, or
the bridge's gateway such as 172.17.0.1 when the daemon listens there) for what the engine pulls and
pushes; a container reaching the daemon on a bridge comes from its own address (172.17.0.x).

- `publicNetworkAccess: Disabled`: only private endpoints reach the registry, and there are none
  offline, so every client is refused.
- `networkRuleSet.defaultAction: Deny`: a client is let in when an `Allow` IP rule (an address or a CIDR
  range) holds its address; else refused. IPv4-mapped IPv6 peers (::ffff:a.b.c.d) count as their IPv4
  address and ::1 as 127.0.0.1 (both are this machine's loopback).
- Otherwise (no rule set, or Allow) nobody is refused and no check runs at all.

The rules are parsed once per registry view (the view is rebuilt when the registry's document changes),
so a request pays one membership test per rule.
"""

import ipaddress

from azlocal.acr.dataplane.errors import RegistryError

FIREWALL_DENIED = "client with IP '{}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."
_LOOPBACK_V6 = ipaddress.ip_address("::1")
_LOOPBACK_V4 = ipaddress.ip_address("127.0.0.1")


def parse_rule(value):
    """An IP rule's `value` (an address or a CIDR range, host bits allowed) as a network, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def rule_value(rule):
    """The address or range of a stored IP rule: az shows it as `ipAddressOrRange`, the REST API as `value`."""
    if not isinstance(rule, dict):
        return None
    return rule.get("ipAddressOrRange", rule.get("value"))


def client_address(remote):
    """The peer as an address, IPv4-mapped IPv6 as IPv4 and ::1 as 127.0.0.1; None when it is not an IP."""
    try:
        address = ipaddress.ip_address((remote or "").split("%")[0])
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address == _LOOPBACK_V6:
            return _LOOPBACK_V4
    return address


def allowed_networks(doc):
    """None when every client may reach the registry, else the networks its clients must come from."""
    if doc.get("publicNetworkAccess") == "Disabled":
        return ()
    rules = doc.get("networkRuleSet") or {}
    if not isinstance(rules, dict) or rules.get("defaultAction") != "Deny":
        return None
    networks = []
    for rule in rules.get("ipRules") or []:
        if isinstance(rule, dict) and (rule.get("action") or "Allow") == "Allow":
            network = parse_rule(rule_value(rule))
            if network is not None:
                networks.append(network)
    return tuple(networks)


def is_allowed(networks, remote):
    address = client_address(remote)
    return address is not None and any(address.version == n.version and address in n for n in networks)


def denied(remote):
    address = client_address(remote)
    shown = str(address) if address is not None and str(remote) != "::1" else (remote or "unknown")
    return RegistryError("DENIED", FIREWALL_DENIED.format(shown), status=403)


def client_check(doc):
    """check_client(address) for a registry document, or None when every client may reach it."""
    networks = allowed_networks(doc)
    if networks is None:
        return None

    def check(remote):
        if not is_allowed(networks, remote):
            raise denied(remote)

    return check
