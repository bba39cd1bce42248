"""az acr: the commands of one area (network): network rules, endpoints, check-health, private links,
identity and encryption — table, arguments; help in _help_network.yaml; handlers in custom_network."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata

helpdata.register(__file__, "_help_network.yaml")

NETWORK = "azlocal.acr.custom_network#{}"


def endpoints_table(result):
    """az's table of show-endpoints: one row per data endpoint."""
    return [{"loginServer": result.get("loginServer"), "region": e.get("region"), "endpoint": e.get("endpoint")}
            for e in result.get("dataEndpoints") or []]


def load_commands(loader):
    with CommandGroup(loader, "acr", NETWORK) as g:
        g.command("show-endpoints", "show_endpoints", table_transformer=endpoints_table)
        g.command("check-health", "check_health")
    with CommandGroup(loader, "acr network-rule", NETWORK) as g:
        g.command("list", "network_rule_list")
        g.command("add", "network_rule_add")
        g.command("remove", "network_rule_remove")
    with CommandGroup(loader, "acr private-endpoint-connection", NETWORK) as g:
        g.command("delete", "pec_delete")
        g.command("show", "pec_show")
        g.command("list", "pec_list")
        g.command("approve", "pec_approve")
        g.command("reject", "pec_reject")
    with CommandGroup(loader, "acr private-link-resource", NETWORK) as g:
        g.command("list", "private_link_resource_list")
    with CommandGroup(loader, "acr identity", NETWORK) as g:
        g.command("show", "identity_show")
        g.command("assign", "identity_assign")
        g.command("remove", "identity_remove")
    with CommandGroup(loader, "acr encryption", NETWORK) as g:
        g.command("show", "encryption_show")
        g.command("rotate-key", "encryption_rotate_key")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "acr network-rule") as c:
        c.argument("ip_address", options_list=["--ip-address"], help="IPv4/IPv6 address or CIDR range to allow, e.g. "
                   "127.0.0.1 (this machine) or 172.17.0.0/16 (containers on Docker's default bridge).")
        c.argument("subnet", options_list=["--subnet"], deprecate_info=c.deprecate(hide=True),
                   help="Name or ID of a subnet (virtual networks are not available offline: refused).")
        c.argument("vnet_name", options_list=["--vnet-name"], deprecate_info=c.deprecate(hide=True),
                   help="Name of a virtual network (not available offline: refused).")
    with ArgumentsContext(loader, "acr check-health") as c:
        c.argument("registry_name", options_list=["--name", "-n"], configured_default="acr",
                   help="The name of the container registry whose connectivity to check.")
        c.argument("ignore_errors", options_list=["--ignore-errors"], action="store_true",
                   help="Run every check and report each error, instead of stopping at the first one.")
        c.argument("vnet", options_list=["--vnet"], help="A virtual network name or ID, to check the DNS routing of "
                   "the registry's private endpoints (there are none offline).")
        c.argument("repository", help="A repository to check your pull, push, metadata and delete permissions on.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not prompt before pulling the sample image.")
    with ArgumentsContext(loader, "acr private-endpoint-connection") as c:
        c.argument("registry_name", options_list=["--registry-name", "-r"], configured_default="acr",
                   help="The name of the container registry. You can configure the default registry name using "
                   "`az configure --defaults acr=<registry name>`.")
        c.argument("private_endpoint_connection_name", options_list=["--name", "-n"],
                   help="The name of the private endpoint connection.")
        c.argument("approval_description", options_list=["--description"], help="Why the connection is approved.")
        c.argument("rejection_description", options_list=["--description"], help="Why the connection is rejected.")
    with ArgumentsContext(loader, "acr identity") as c:
        c.argument("identities", options_list=["--identities"], nargs="+",
                   help="Space-separated identities: '[system]' for the registry's system-assigned identity, or the "
                   "names or resource IDs of user-assigned identities.")
    with ArgumentsContext(loader, "acr encryption") as c:
        c.argument("key_encryption_key", options_list=["--key-encryption-key"],
                   help="A Key Vault key URI (customer-managed keys are not available offline).")
        c.argument("identity", options_list=["--identity"],
                   help="The client ID, name or resource ID of the identity reading the key, or '[system]'.")
