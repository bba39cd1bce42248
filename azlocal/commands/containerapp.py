"""az containerapp (being built)."""


def load_commands(loader):
    pass


def load_arguments(loader, command):
    pass
