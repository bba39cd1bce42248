"""az identity: the command table (arguments and one call per command); help in _help.yaml. Handlers are
azlocal.identity.custom; behaviour in identities (user-assigned identities) and federated (their federated
credentials, recorded only)."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core.conventions import enum_type, three_state_flag
from azlocal.identity import _help  # noqa: F401 - registers the help entries

HANDLERS = "azlocal.identity.custom#{}"


def load_commands(loader):
    with CommandGroup(loader, "identity", HANDLERS) as g:
        g.command("create", "identity_create")
        g.command("show", "identity_show")
        g.command("list", "identity_list")
        g.command("update", "identity_update")
        g.command("delete", "identity_delete")
        g.command("list-resources", "identity_list_resources")
        g.command("list-operations", "identity_list_operations")
    with CommandGroup(loader, "identity federated-credential", HANDLERS) as g:
        g.command("create", "fic_create")
        g.command("show", "fic_show")
        g.command("list", "fic_list")
        g.command("update", "fic_update")
        g.command("delete", "fic_delete", confirmation=True)


def load_arguments(loader, command):
    with ArgumentsContext(loader, "identity") as c:
        c.argument("resource_name", options_list=["-n", "--name", "--resource-name"],
                   help="The name of the identity resource.")
        c.argument("pagination_limit", type=int, options_list=["--max-items"],
                   help="Total number of items to return in the command's output.")
        c.argument("pagination_token", options_list=["--next-token"],
                   help="Token to specify where to start paginating (all items are returned in one page locally).")
    for verb in ("create", "update"):
        with ArgumentsContext(loader, f"identity {verb}") as c:
            c.argument("tags", nargs="+", help="Resource tags: key=value [key=value ...].")
            c.argument("isolation_scope", enum_type(["None", "Regional"]), arg_group="Properties",
                       help="Restrict assignment of the identity to its region (recorded, not enforced offline).")
            c.argument("assignment_restrictions", options_list=["--resource-restriction"], nargs="+",
                       arg_group="Properties", help="The resource providers the identity may be assigned to, as "
                       "JSON ('{\"providers\": [\"Microsoft.App\"]}') or providers=[...] (recorded, not enforced "
                       "offline).")
    for scope in ("identity update", "identity federated-credential update"):
        with ArgumentsContext(loader, scope) as c:  # AAZ's generic update: --force-string takes a boolean word
            c.argument("force_string", three_state_flag(("0", "1", "f", "false", "n", "no", "t", "true", "y", "yes")),
                       options_list=["--force-string"], arg_group="Generic Update",
                       help="When using 'set' or 'add', preserve string literals instead of converting to JSON.")
    with ArgumentsContext(loader, "identity create") as c:
        c.argument("resource_name", options_list=["-n", "--name", "--resource-name"], required=True,
                   help="The name of the identity resource.")
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], required=True,
                   help="Name of resource group.")
        c.argument("location", options_list=["--location", "-l"], arg_group="Parameters",
                   help="The geo-location of the identity; defaults to the resource group's.")
    with ArgumentsContext(loader, "identity list-resources") as c:
        c.argument("resource_name", options_list=["--name", "-n"], help="The name of the identity resource.")
    with ArgumentsContext(loader, "identity federated-credential") as c:
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], required=True,
                   help="Name of resource group.")
        c.argument("identity_name", options_list=["--identity-name"], required=True,
                   help="The name of the identity resource.")
        c.argument("name", options_list=["-n", "--name"], required=True,
                   help="The name of the federated identity credential resource.")
        c.argument("top", options_list=["--top"], type=int, help="Number of records to return.")
        c.argument("skiptoken", options_list=["--skiptoken"], help="A skip token from a previous listing.")
        c.argument("issuer", options_list=["--issuer"], arg_group="Properties",
                   help="The OpenID Connect metadata URL of the issuer of the external tokens.")
        c.argument("subject", options_list=["--subject"], arg_group="Properties",
                   help="The sub value the external token must carry. Either --subject or --cme-value.")
        c.argument("audiences", options_list=["--audiences"], nargs="+", arg_group="Properties",
                   help="The aud values the external token may carry (default api://AzureADTokenExchange).")
        c.argument("claims_matching_expression_value", arg_group="ClaimsMatchingExpression",
                   options_list=["--cme-value", "--claims-matching-expression-value"],
                   help="A wildcard expression matching the external token's claims. Cannot be used with --subject.")
        c.argument("claims_matching_expression_version", arg_group="ClaimsMatchingExpression",
                   options_list=["--cme-version", "--claims-matching-expression-version"],
                   help="The version of the claims matching expression.")
