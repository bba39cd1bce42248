"""az containerapp job …: jobs (Manual, Schedule, Event triggers), their executions, secrets and registries.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_jobs.yaml."""

from azlocal.core import helpdata

helpdata.register(__file__, "_help_jobs.yaml")


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
