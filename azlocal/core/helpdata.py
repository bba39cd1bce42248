"""Help entries as data: each service package ships `_help.yaml` (command → az's help entry) beside its
command table, and its `_help` module registers that file when the command module is imported.

Registering reads nothing: the files are read only when help (or the examples printed on an argument
error) is shown. Parsing YAML costs more than the rest of `-h`, so a parsed file is kept in a small
JSON cache in the home, keyed by the hash of the file's text.
"""

import os

from azlocal.core import settings

_FILES = []  # _help.yaml paths, in registration order (a later file's entry wins, as dict updates do)
_parsed = {}  # path -> {command: entry}
_cache = None
_cache_dirty = False
CACHE_NAME = "help-cache.json"


def register(module_file, name="_help.yaml"):
    """Registers the help file `name` (default `_help.yaml`) beside `module_file` (a package's `_help.py`,
    or a command module of one area that ships its own `_help_<area>.yaml`)."""
    path = os.path.join(os.path.dirname(module_file), name)
    if path not in _FILES:
        _FILES.append(path)


def entry(command):
    """The parsed help entry of a command or group (a dict), or None."""
    for path in reversed(_FILES):
        found = entries(path).get(command)
        if found is not None:
            return found
    return None


def examples(command):
    """[(text, summary)] of a command's help examples, as printed on argument errors."""
    data = entry(command) or {}
    return [(e.get("text", "").strip(), e.get("name", "").strip()) for e in data.get("examples", [])]


def entries(path):
    """{command: entry} of one help file."""
    if path not in _parsed:
        with open(path, encoding="utf-8") as f:
            _parsed[path] = _load(f.read())
    return _parsed[path]


def _load(text):
    global _cache, _cache_dirty
    import hashlib
    import json

    if _cache is None:
        try:
            _cache = json.loads((settings.home() / CACHE_NAME).read_text())
        except (OSError, ValueError):
            _cache = {}
    key = "file:" + hashlib.sha1(text.encode()).hexdigest()
    if key in _cache:
        return _cache[key]
    import yaml

    parsed = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    if not _cache_dirty:
        import atexit

        atexit.register(_save_cache)
        _cache_dirty = True
    _cache[key] = parsed
    return parsed


def _save_cache():
    import json

    path = settings.home() / CACHE_NAME
    tmp = path.with_name(f".help-cache.{os.getpid()}")
    try:
        tmp.write_text(json.dumps(_cache))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
