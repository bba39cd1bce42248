"""az containerapp env logs show: an environment's system logs.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_logs.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_logs.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
