"""The vault's network rules, as the service applies them to an authenticated caller: public network access
disabled refuses every request (no private link offline), and `networkAcls.defaultAction: Deny` refuses a
client address outside `ipRules` (the host's own calls come from loopback, containers' from Docker's bridge).
`bypass: AzureServices` lets trusted Azure services through; no caller here is one."""

import ipaddress

from azlocal.keyvault.dataplane.errors import VaultError


def _label(vault):
    return f"{vault['name']};location={vault.get('location', '')}"


def _caller(caller):
    return f"appid={caller.app_id};oid={caller.principal_id};iss={caller.issuer}"


def _covered(address, rules):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for rule in rules or []:
        value = rule.get("value") if isinstance(rule, dict) else rule
        try:
            if ip in ipaddress.ip_network(str(value), strict=False):
                return True
        except ValueError:
            continue
    return False


def check(vault, caller, address):
    """Returns when the vault's network rules let `address` (the client's IP) in; the service's 403 otherwise."""
    props = vault.get("properties") or {}
    if str(props.get("publicNetworkAccess") or "Enabled").lower() == "disabled":
        raise VaultError(403, "Forbidden", "Public network access is disabled and request is not from a trusted "
                         "service nor via an approved private link.\n"
                         f"Caller: {_caller(caller)}\nVault: {_label(vault)}", inner="ForbiddenByConnection")
    acls = props.get("networkAcls") or {}
    if str(acls.get("defaultAction") or "Allow").lower() != "deny" or _covered(address, acls.get("ipRules")):
        return
    raise VaultError(403, "Forbidden", "Client address is not authorized and caller is not a trusted service.\n"
                     f"Client address: {address}\nCaller: {_caller(caller)}\nVault: {_label(vault)}",
                     inner="ForbiddenByFirewall")
