"""az keyvault secret: thin handlers over azlocal.keyvault.secrets, acting as the signed-in user."""

import base64
import binascii
import os

from azlocal.core.errors import AzLocalError
from azlocal.keyvault import _format
from azlocal.keyvault.targets import item, principal, reachable, vault

TEXT_ENCODINGS = ("ascii", "utf-8", "utf-16le", "utf-16be")


def _tags(tags):
    from azlocal.core.common import parse_tags

    return parse_tags(tags)


def _read_file(file_path, encoding):
    """The value az stores for `--file` in `encoding` (text as read; base64 / hex of the bytes)."""
    try:
        if encoding in TEXT_ENCODINGS:
            with open(file_path, encoding=encoding) as f:
                return f.read()
        with open(file_path, "rb") as f:
            content = f.read()
    except UnicodeDecodeError as ex:
        raise AzLocalError(f"Unable to decode file '{file_path}' with '{encoding}' encoding.") from ex
    except OSError as ex:
        raise AzLocalError(f"[Errno {ex.errno}] {ex.strerror}: '{file_path}'") from ex
    return base64.encodebytes(content).decode() if encoding == "base64" else binascii.b2a_hex(content).decode()


def secret_set(vault_name, name, value=None, file_path=None, encoding=None, content_type=None, disabled=None,
               expires_on=None, not_before=None, tags=None):
    from azlocal.keyvault import secrets

    if (value and file_path) or (not value and not file_path):
        raise AzLocalError("incorrect usage: [Required] --value VALUE | --file PATH")
    encoding = encoding or "utf-8"
    if file_path:
        value = _read_file(file_path, encoding)
    tags = dict(_tags(tags) or {}, **{"file-encoding": encoding})
    bundle = secrets.set(reachable(vault_name), name, value, principal(), content_type=content_type, tags=tags,
                         enabled=not disabled if disabled is not None else True, expires=expires_on,
                         not_before=not_before)
    return _format.secret(bundle)


def secret_show(vault_name=None, name=None, identifier=None, version=None):
    from azlocal.keyvault import secrets

    v, n, ver = item(vault_name, name, identifier, version)
    return _format.secret(secrets.get(v, n, ver, principal()))


def _limit(rows, maxresults):
    return rows[:maxresults] if maxresults else rows


def secret_list(vault_name=None, identifier=None, maxresults=None, include_managed=False):
    from azlocal.keyvault import secrets

    rows = [_format.secret_properties(b) for b in secrets.list(vault(vault_name, identifier), principal())]
    return _limit([r for r in rows if include_managed or not r.get("managed")], maxresults)


def secret_list_versions(vault_name=None, name=None, identifier=None, maxresults=None):
    from azlocal.keyvault import secrets

    v, n, _ = item(vault_name, name, identifier)
    return _limit([_format.secret_properties(b) for b in secrets.list_versions(v, n, principal())], maxresults)


def secret_list_deleted(vault_name=None, identifier=None, maxresults=None):
    from azlocal.keyvault import secrets

    rows = secrets.list_deleted(vault(vault_name, identifier), principal())
    return _limit([_format.deleted_secret(b, listing=True) for b in rows], maxresults)


def secret_show_deleted(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import secrets

    v, n, _ = item(vault_name, name, identifier)
    return _format.deleted_secret(secrets.get_deleted(v, n, principal()))


def secret_set_attributes(vault_name=None, name=None, identifier=None, version=None, enabled=None, expires=None,
                          not_before=None, content_type=None, tags=None):
    from azlocal.keyvault import secrets

    v, n, ver = item(vault_name, name, identifier, version)
    bundle = secrets.update_attributes(v, n, principal(), version=ver, enabled=enabled, expires=expires,
                                       not_before=not_before, content_type=content_type, tags=_tags(tags))
    return _format.secret(bundle, value=False)


def secret_delete(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import secrets

    v, n, _ = item(vault_name, name, identifier)
    return _format.deleted_secret(secrets.delete(v, n, principal()))


def secret_recover(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import secrets

    v, n, _ = item(vault_name, name, identifier)
    return _format.secret(secrets.recover(v, n, principal()), value=False)


def secret_purge(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import secrets

    v, n, _ = item(vault_name, name, identifier)
    secrets.purge(v, n, principal())


def secret_download(file_path, vault_name=None, name=None, identifier=None, version=None, encoding=None,
                    overwrite=False):
    from azlocal.keyvault import secrets

    if os.path.isdir(file_path):
        raise AzLocalError(f"Cannot write to '{file_path}': it is a directory.")
    if not overwrite and os.path.isfile(file_path):
        raise AzLocalError(f"File '{file_path}' already exists. Use --overwrite to overwrite the existing file.")
    v, n, ver = item(vault_name, name, identifier, version)
    bundle = secrets.get(v, n, ver, principal())
    encoding = encoding or (bundle.get("tags") or {}).get("file-encoding", "utf-8")
    value = bundle["value"]
    try:
        if encoding in TEXT_ENCODINGS:
            with open(file_path, "w", encoding=encoding) as f:
                f.write(value)
        else:
            data = base64.b64decode(value) if encoding == "base64" else binascii.unhexlify(value.strip())
            with open(file_path, "wb") as f:
                f.write(data)
    except Exception:
        if os.path.isfile(file_path):
            os.remove(file_path)
        raise


def secret_backup(file_path, vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import backups

    v, n, _ = item(vault_name, name, identifier)
    data = backups.backup(v, "secrets", n, principal())
    with open(file_path, "wb") as f:
        f.write(data)


def secret_restore(vault_name, file_path):
    from azlocal.keyvault import backups

    with open(file_path, "rb") as f:
        data = f.read()
    return _format.secret(backups.restore(reachable(vault_name), "secrets", data, principal()), value=False)
