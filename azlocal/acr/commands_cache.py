"""az acr: the commands of one area (cache): table, arguments; help in _help_cache.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_cache.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
