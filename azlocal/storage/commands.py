"""az storage: the command table, one area module per part of the service.

Each area is azlocal.storage.commands_<area> (load_commands, load_arguments; help in _help_<area>.yaml),
holding the commands whose word after `az storage` it lists. Only the areas a command line needs are
imported; all of them for `az storage -h` or a word no area has (to suggest the right one).
"""

from azlocal.storage import _help  # noqa: F401 - registers the group help entries

AREAS = {
    "accounts": ("account",),
    "files": ("share", "share-rm", "file", "directory"),
    "blobs": ("container", "blob"),
}


def _areas(words=None):
    import importlib

    words = list(words or [])
    key = words[1] if len(words) > 1 and words[0] == "storage" else None
    chosen = [a for a, area_words in AREAS.items() if key in area_words] or list(AREAS)
    return [importlib.import_module(f"azlocal.storage.commands_{area}") for area in chosen]


def load_commands(loader):
    for area in _areas(getattr(loader, "command_words", None)):
        area.load_commands(loader)


def load_arguments(loader, command):
    for area in _areas(command.split()):
        area.load_arguments(loader, command)
