"""az containerapp identity and job identity: managed identities of apps and jobs.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_identity.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_identity.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
