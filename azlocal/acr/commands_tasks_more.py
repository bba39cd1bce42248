"""az acr: the commands of one area (tasks_more): table, arguments; help in _help_tasks_more.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_tasks_more.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
