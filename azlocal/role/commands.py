"""az role: the command table (arguments and one call per command); help in _help.yaml."""

from azlocal.role import _help  # noqa: F401 - registers the help entries


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
