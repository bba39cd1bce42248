"""az containerapp identity and job identity: managed identities of apps and jobs.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_identity.yaml.
Handlers are in azlocal.aca.custom_platform; behaviour in azlocal.aca.identities."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata

helpdata.register(__file__, "_help_identity.yaml")

HANDLERS = "azlocal.aca.custom_platform#{}"


def load_commands(loader):
    with CommandGroup(loader, "containerapp identity", HANDLERS) as g:
        g.command("assign", "identity_assign")
        g.command("remove", "identity_remove")
        g.command("show", "identity_show")
    with CommandGroup(loader, "containerapp job identity", HANDLERS) as g:
        g.command("assign", "job_identity_assign")
        g.command("remove", "job_identity_remove", confirmation=True)
        g.command("show", "job_identity_show")


def load_arguments(loader, command):
    for scope, what in (("containerapp identity", "Containerapp"), ("containerapp job identity", "Container Apps Job")):
        with ArgumentsContext(loader, scope) as c:
            c.argument("name", options_list=["--name", "-n"], help=f"The name of the {what}.")
            c.argument("system_assigned", action="store_true", help="The system-assigned identity.")
        with ArgumentsContext(loader, f"{scope} assign") as c:
            c.argument("user_assigned", nargs="+", help="Space-separated user-assigned identities (names in the "
                       "resource group, or resource IDs).")
        with ArgumentsContext(loader, f"{scope} remove") as c:
            c.argument("user_assigned", nargs="*", help="Space-separated user-assigned identities to remove; with "
                       "no value, all of them.")
