"""az storage: the commands of one area (files): table and arguments; help in _help_files.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_files.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
