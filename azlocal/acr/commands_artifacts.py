"""az acr: the commands of one area (artifacts): table, arguments; help in _help_artifacts.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_artifacts.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
