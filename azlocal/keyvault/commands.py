"""az keyvault: the command table, one area module per part of the service.

Each area is azlocal.keyvault.commands_<area> (load_commands, load_arguments; help in _help_<area>.yaml):
`vaults` (the vault commands: create, show, set-policy, …), `secrets` (`keyvault secret …`), `keys`
(`keyvault key …`) and `certificates` (`keyvault certificate …`). Only the areas a command line needs are
imported; all of them for `az keyvault -h`."""

from azlocal.keyvault import _help  # noqa: F401 - registers the help entries

AREAS = {
    "secrets": ("secret",),
    "keys": ("key",),
    "certificates": ("certificate",),
}


def _areas(words=None):
    import importlib

    words = list(words or [])
    key = words[1] if len(words) > 1 and words[0] == "keyvault" else None
    if key is None or key.startswith("-"):
        chosen = ["vaults", *AREAS]
    else:
        chosen = [a for a, area_words in AREAS.items() if key in area_words] or ["vaults"]
    return [importlib.import_module(f"azlocal.keyvault.commands_{area}") for area in chosen]


def load_commands(loader):
    for area in _areas(getattr(loader, "command_words", None)):
        area.load_commands(loader)


def load_arguments(loader, command):
    for area in _areas(command.split()):
        area.load_arguments(loader, command)
