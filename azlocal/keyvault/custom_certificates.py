"""az keyvault certificate: thin handlers over azlocal.keyvault.certificates, acting as the signed-in user."""

import base64
import json
import os
import sys

from azlocal.core.errors import AzLocalError
from azlocal.keyvault import _format
from azlocal.keyvault.targets import item, principal, reachable, vault

DELETE_WARNING = ("Warning! If you have soft-delete protection enabled on this key vault, this certificate will be "
                  "moved to the soft deleted state. You will not be able to create a certificate with the same name "
                  "within this key vault until the certificate has been purged from the soft-deleted state. Please "
                  "see the following documentation for additional guidance.\n"
                  "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview")


def _policy(text):
    if text is None:
        return None
    if text.startswith("@"):
        path = os.path.expanduser(text[1:])
        try:
            text = open(path).read()
        except OSError as ex:
            raise AzLocalError(f"[Errno {ex.errno}] {ex.strerror}: '{path}'") from ex
    elif os.path.isfile(os.path.expanduser(text)):
        text = open(os.path.expanduser(text)).read()
    try:
        return json.loads(text)
    except ValueError as ex:
        raise AzLocalError(f"Failed to parse string as JSON:\n{text}\nError detail: {ex}") from ex


def _tags(tags):
    from azlocal.core.common import parse_tags

    return parse_tags(tags)


def _limit(rows, maxresults):
    return rows[:maxresults] if maxresults else rows


def certificate_create(vault_name, name, policy, disabled=None, tags=None, validity=None):
    from azlocal.keyvault import certificates

    bundle = certificates.create(reachable(vault_name), name, _policy(policy), principal(), enabled=not disabled,
                                 tags=_tags(tags), validity=validity)
    return _format.certificate_operation(bundle)


def certificate_import(vault_name, name, file_path, password=None, policy=None, disabled=None, tags=None):
    from azlocal.keyvault import certificates

    try:
        data = open(os.path.expanduser(file_path), "rb").read()
    except OSError as ex:
        raise AzLocalError(f"Unable to load certificate file '{file_path}': {ex.strerror}.") from ex
    bundle = certificates.import_certificate(reachable(vault_name), name, data, principal(), password=password,
                                             policy=_policy(policy), enabled=not disabled, tags=_tags(tags))
    return _format.certificate(bundle)


def certificate_show(vault_name=None, name=None, identifier=None, version=None):
    from azlocal.keyvault import certificates

    v, n, ver = item(vault_name, name, identifier, version)
    return _format.certificate(certificates.get(v, n, ver, principal()))


def certificate_list(vault_name=None, identifier=None, maxresults=None, include_pending=None):
    from azlocal.keyvault import certificates

    rows = certificates.list(vault(vault_name, identifier), principal())
    return _limit([_format.certificate_properties(b) for b in rows], maxresults)


def certificate_list_versions(vault_name=None, name=None, identifier=None, maxresults=None):
    from azlocal.keyvault import certificates

    v, n, _ = item(vault_name, name, identifier)
    return _limit([_format.certificate_properties(b) for b in certificates.list_versions(v, n, principal())],
                  maxresults)


def certificate_list_deleted(vault_name=None, identifier=None, maxresults=None, include_pending=None):
    from azlocal.keyvault import certificates

    rows = certificates.list_deleted(vault(vault_name, identifier), principal())
    return _limit([_format.certificate_properties(b, deleted=True) for b in rows], maxresults)


def certificate_show_deleted(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import certificates

    v, n, _ = item(vault_name, name, identifier)
    return _format.certificate(certificates.get_deleted(v, n, principal()))


def certificate_set_attributes(vault_name=None, name=None, identifier=None, version=None, enabled=None,
                               tags=None, policy=None):
    from azlocal.keyvault import certificates

    v, n, ver = item(vault_name, name, identifier, version)
    bundle = certificates.update(v, n, principal(), version=ver, enabled=enabled, tags=_tags(tags),
                                 policy=_policy(policy))
    return _format.certificate(bundle)


def certificate_delete(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import certificates

    v, n, _ = item(vault_name, name, identifier)
    print(DELETE_WARNING, file=sys.stderr)
    return _format.certificate(certificates.delete(v, n, principal()))


def certificate_recover(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import certificates

    v, n, _ = item(vault_name, name, identifier)
    return _format.certificate(certificates.recover(v, n, principal()))


def certificate_purge(vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import certificates

    v, n, _ = item(vault_name, name, identifier)
    certificates.purge(v, n, principal())


def certificate_download(file_path, vault_name=None, name=None, identifier=None, version=None, encoding=None):
    from azlocal.keyvault import certificates

    if os.path.isfile(file_path) or os.path.isdir(file_path):
        raise AzLocalError(f"File or directory named '{file_path}' already exists.")
    v, n, ver = item(vault_name, name, identifier, version)
    der = base64.b64decode(certificates.get(v, n, ver, principal())["cer"])
    if encoding == "DER":
        data = der
    else:
        data = ("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode() + "-----END CERTIFICATE-----\n"
                ).encode()
    with open(file_path, "wb") as f:
        f.write(data)


def certificate_get_default_policy(scaffold=False):
    from azlocal.keyvault import certpolicy

    return certpolicy.SCAFFOLD if scaffold else certpolicy.DEFAULT


def certificate_backup(file_path, vault_name=None, name=None, identifier=None):
    from azlocal.keyvault import backups

    v, n, _ = item(vault_name, name, identifier)
    data = backups.backup(v, "certificates", n, principal())
    with open(file_path, "wb") as f:
        f.write(data)


def certificate_restore(file_path, vault_name=None):
    from azlocal.keyvault import backups

    with open(file_path, "rb") as f:
        data = f.read()
    return _format.certificate(backups.restore(vault(vault_name), "certificates", data, principal()))
