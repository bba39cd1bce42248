"""az acr: the commands of one area (network): table, arguments; help in _help_network.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_network.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
