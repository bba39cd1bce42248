"""az acr: the commands of one area (tokens): table, arguments; help in _help_tokens.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_tokens.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
