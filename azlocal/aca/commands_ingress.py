"""az containerapp ingress cors / access-restriction / sticky-sessions: the ingress policies the gateway enforces.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_ingress.yaml;
handlers in custom_ingress, behaviour in ingress and ingress_policies."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag

helpdata.register(__file__, "_help_ingress.yaml")

INGRESS = "azlocal.aca.custom_ingress#{}"


def load_commands(loader):
    with CommandGroup(loader, "containerapp ingress cors", INGRESS) as g:
        g.command("enable", "cors_enable")
        g.command("disable", "cors_disable")
        g.command("update", "cors_update")
        g.command("show", "cors_show")
    with CommandGroup(loader, "containerapp ingress access-restriction", INGRESS) as g:
        g.command("set", "restriction_set")
        g.command("remove", "restriction_remove")
        g.command("list", "restriction_list")
    with CommandGroup(loader, "containerapp ingress sticky-sessions", INGRESS) as g:
        g.command("set", "sticky_set")
        g.command("show", "sticky_show")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp ingress cors") as c:
        c.argument("allowed_origins", nargs="*", options_list=["--allowed-origins", "-r"],
                   help="Origins allowed to call the app from a browser (space-separated; '*' for any).")
        c.argument("allowed_methods", nargs="*", options_list=["--allowed-methods", "-m"],
                   help="HTTP methods a preflight allows (space-separated; none given clears them).")
        c.argument("allowed_headers", nargs="*", options_list=["--allowed-headers", "-a"],
                   help="Request headers a preflight allows (space-separated; none given clears them).")
        c.argument("expose_headers", nargs="*", options_list=["--expose-headers", "-e"],
                   help="Response headers the browser may show to scripts (space-separated; none given clears them).")
        c.argument("allow_credentials", three_state_flag(), options_list=["--allow-credentials"],
                   help="Whether requests with credentials (cookies, authorization) are allowed.")
        c.argument("max_age", nargs="?", const="",
                   help="Seconds a browser may cache a preflight's answer; an empty value resets it.")
    with ArgumentsContext(loader, "containerapp ingress cors enable") as c:
        c.argument("allowed_origins", nargs="*", options_list=["--allowed-origins", "-r"], required=True,
                   help="Origins allowed to call the app from a browser (space-separated; '*' for any).")
    with ArgumentsContext(loader, "containerapp ingress access-restriction") as c:
        c.argument("action", enum_type(["Allow", "Deny"]), required=True,
                   help="Allow: only the listed ranges get in. Deny: the listed ranges are kept out. All rules of an "
                   "app use the same action; with no rules every client gets in.")
        c.argument("rule_name", required=True, help="The name of the IP restriction rule.")
        c.argument("description", help="A description of the rule.")
        c.argument("ip_address", required=True,
                   help="The client addresses of the rule, an IPv4 range in CIDR notation, e.g. 198.51.100.14/24.")
    with ArgumentsContext(loader, "containerapp ingress sticky-sessions") as c:
        c.argument("affinity", enum_type(["sticky", "none"]), required=True,
                   help="sticky: a client keeps reaching the same replica (by a cookie); none: no affinity.")
