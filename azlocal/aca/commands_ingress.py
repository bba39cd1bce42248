"""az containerapp ingress cors / access-restriction / sticky-sessions: the ingress policies the gateway enforces.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_ingress.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_ingress.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
