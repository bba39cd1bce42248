"""The secret store: passwords, tokens and secret values live in keyring, never in SQLite.

By default secrets go to a keyring file backend inside AZLOCAL_HOME (mode 0600), so
isolated homes stay isolated and a headless machine needs no desktop keyring service.
`AZLOCAL_KEYRING=system` uses the user's default keyring backend instead.
"""

import os
from contextlib import contextmanager

from azlocal import settings

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
def _locked():
    """The file backend rewrites its whole file: serialise writers across processes."""
    import fcntl

    with open(settings.home() / "secrets.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def set_secret(key, value):
    with _locked():
        _keyring().set_password(_service(), key, value)


def get_secret(key):
    return _keyring().get_password(_service(), key)


def delete_secret(key):
    import keyring.errors

    with _locked():
        try:
            _keyring().delete_password(_service(), key)
        except keyring.errors.PasswordDeleteError:
            pass


def delete_prefix(prefix):
    """Removes every secret whose key starts with prefix (a resource's secrets)."""
    for key in list_keys(prefix):
        delete_secret(key)


def list_keys(prefix=""):
    backend = _keyring()
    # The file backend is an INI file with one section per service; read its keys directly.
    path = getattr(backend, "file_path", None)
    if not path or not os.path.exists(path):
        return []
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(path)
    section = _escape(_service())
    if not parser.has_section(section):
        return []
    keys = [_unescape(k) for k in parser.options(section)]
    return [k for k in keys if k.startswith(prefix)]


def _escape(value):
    from keyrings.alt.escape import escape

    return escape(value)


def _unescape(value):
    from keyrings.alt.escape import unescape

    return unescape(value)
