"""az storage: the commands of one area (blobs): table and arguments; help in _help_blobs.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_blobs.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
