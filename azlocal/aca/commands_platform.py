"""az containerapp env workload-profile, storage, list-usages, premium-ingress, dapr-component;
list-usages; github-action.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_platform.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_platform.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
