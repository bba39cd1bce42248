"""az containerapp compose create: a docker-compose file becomes one container app per service.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_compose.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_compose.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
