"""The secret store: passwords, tokens and secret values live in keyring, never in SQLite.

By default secrets go to a keyring file backend inside AZLOCAL_HOME (mode 0600), so
isolated homes stay isolated and a headless machine needs no desktop keyring service.
`AZLOCAL_KEYRING=system` uses the user's default keyring backend instead.

Keys of a resource's secrets start with `resource_prefix(kind, resource_id)`:
`<kind>/<group key>/<resource key>/`, so deleting a group finds every secret of it by key, even
a secret left behind by a command killed before its resource's row was written (`delete_group`).
Keys of the earlier form `<kind>/<resource key>/…` are still read and deleted.
"""

import hashlib
import os
import re
from contextlib import contextmanager

from azlocal.core import settings

_backend = None


def _keyring():
    global _backend
    if _backend is None:
        if os.environ.get("AZLOCAL_KEYRING") == "system":
            import keyring

            _backend = keyring.get_keyring()
        else:
            from keyrings.alt.file import PlaintextKeyring

            class HomeKeyring(PlaintextKeyring):
                @property
                def file_path(self):
                    return str(settings.home() / "secrets.cfg")

            _backend = HomeKeyring()
    return _backend


def _service():
    return f"azlocal:{settings.label_value()}"


@contextmanager
def _locked(shared=False):
    """The file backend rewrites its whole file in place: writers hold the lock alone, readers share it (a
    read during a rewrite saw a missing or half-written value), across processes and threads (each holder
    opens the lock file itself)."""
    import fcntl

    with open(settings.home() / "secrets.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def _digest(text, length):
    return hashlib.sha256(text.lower().encode()).hexdigest()[:length]


def group_key(group):
    return "g" + _digest(group, 12)


def resource_key(resource_id):
    """sha256 of the lower-cased id, 16 hex digits (its first digits also name the resource's folders)."""
    return _digest(resource_id, 16)


def resource_prefix(kind, resource_id):
    """`<kind>/<group key>/<resource key>/`: the key prefix of a resource's secrets."""
    from azlocal.platform.store import group_of

    return f"{kind}/{group_key(group_of(resource_id) or '')}/{resource_key(resource_id)}/"


_CURRENT = re.compile(r"^(?P<kind>[a-z]+)/g[0-9a-f]{12}/(?P<rest>[0-9a-f]{16}/.*)$")


def _legacy(key):
    """The key a secret had before keys carried their group (`<kind>/<resource key>/…`), or None."""
    m = _CURRENT.match(key)
    return f"{m['kind']}/{m['rest']}" if m else None


def set_secret(key, value):
    with _locked():
        _keyring().set_password(_service(), key, value)
        _index(add=key)


def _read(key):
    value = _keyring().get_password(_service(), key)
    if value is None and _legacy(key):
        value = _keyring().get_password(_service(), _legacy(key))
    return value


def get_secret(key):
    with _locked(shared=True):
        return _read(key)


def get_or_create(key, make):
    """The stored value of `key`; when there is none, `make()`'s, stored: made once however many threads and
    processes ask at the same time (a home's signing or sealing key)."""
    value = get_secret(key)
    if value is not None:
        return value
    with _locked():
        value = _read(key)
        if value is None:
            value = make()
            _keyring().set_password(_service(), key, value)
            _index(add=key)
    return value


def delete_secret(key):
    import keyring.errors

    with _locked():
        try:
            _keyring().delete_password(_service(), key)
        except keyring.errors.PasswordDeleteError:
            pass
        _index(remove=key)


def delete_prefix(prefix):
    """Removes every secret whose key starts with prefix (a resource's secrets)."""
    legacy = _legacy(prefix)
    for key in list_keys(prefix) + (list_keys(legacy) if legacy else []):
        delete_secret(key)


def delete_group(group):
    """Removes every secret of the group's resources, rows or not. Returns the resource keys seen
    (their secret folders can then be removed too)."""
    marker = f"/{group_key(group)}/"
    keys = [k for k in list_keys() if marker in k and _CURRENT.match(k)]
    for key in keys:
        delete_secret(key)
    return sorted({_CURRENT.match(k)["rest"].split("/")[0] for k in keys})


def list_keys(prefix=""):
    backend = _keyring()
    # The file backend is an INI file with one section per service; read its keys directly.
    path = getattr(backend, "file_path", None)
    if not path:  # another backend cannot list its keys: the home's index of key names (no values) can
        return [k for k in _index() if k.startswith(prefix)]
    if not os.path.exists(path):
        return []
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(path)
    section = _escape(_service())
    if not parser.has_section(section):
        return []
    keys = [_unescape(k) for k in parser.options(section)]
    return [k for k in keys if k.startswith(prefix)]


def _index(add=None, remove=None):
    """Key names kept by a backend that cannot list them (AZLOCAL_KEYRING=system), one a line in the
    home; called under _locked() to change it. The file backend lists its own keys."""
    if getattr(_keyring(), "file_path", None):
        return []
    path = settings.home() / "secret-keys"
    keys = path.read_text().splitlines() if path.exists() else []
    if add is not None and add not in keys:
        keys.append(add)
    elif remove is not None and remove in keys:
        keys.remove(remove)
    else:
        return keys
    tmp = path.with_name(f".secret-keys.{os.getpid()}")
    tmp.write_text("".join(f"{k}\n" for k in keys))
    tmp.replace(path)
    return keys


def _escape(value):
    from keyrings.alt.escape import escape

    return escape(value)


def _unescape(value):
    from keyrings.alt.escape import unescape

    return unescape(value)
