"""az storage account: the commands of one area (accounts): table and arguments; help in _help_accounts.yaml.
Handlers are custom_accounts; behaviour in accounts."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata

helpdata.register(__file__, "_help_accounts.yaml")

ACCOUNTS = "azlocal.storage.custom_accounts#{}"


def load_commands(loader):
    with CommandGroup(loader, "storage account", ACCOUNTS) as g:
        g.command("check-name", "account_check_name")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "storage account check-name") as c:
        c.argument("name", options_list=["--name", "-n"], required=True,
                   help="The storage account name.")
