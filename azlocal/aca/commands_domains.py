"""az containerapp hostname, ssl, env certificate, env http-route-config, show-custom-domain-verification-id:
custom domains and certificates.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_domains.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_domains.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
