"""az acr: the commands of one area (sources): table, arguments; help in _help_sources.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_sources.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
