"""az keyvault key: thin handlers over azlocal.keyvault.keys, acting as the signed-in user."""

import base64
import os

from azlocal.core.errors import AzLocalError
from azlocal.keyvault import _format
from azlocal.keyvault.targets import item, principal, vault

_AES = "AES algorithms ({}) need a managed HSM's symmetric (oct-HSM) keys, which azlocal does not emulate."


def _tags(tags):
    from azlocal.core.common import parse_tags

    return parse_tags(tags)


def _no_release_policy(release_policy=None, immutable=None, exportable=None, default_cvm_policy=False,
                       default_data_disk_policy=False):
    if release_policy or immutable or exportable or default_cvm_policy or default_data_disk_policy:
        raise AzLocalError("Secure key release (exportable keys, --policy, --immutable, the default CVM and data "
                           "disk policies) needs an attestation service, which azlocal does not emulate offline.")


def key_create(vault_name=None, hsm_name=None, name=None, identifier=None, kty=None, key_size=None, curve=None,
               key_ops=None, protection=None, disabled=None, expires=None, not_before=None, tags=None,
               exportable=None, release_policy=None, immutable=None, external_key_id=None, default_cvm_policy=False,
               default_data_disk_policy=False):
    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    if external_key_id:
        raise AzLocalError("External keys are Managed HSM keys backed by an External Key Manager; azlocal emulates "
                           "no managed HSMs.")
    _no_release_policy(release_policy, immutable, exportable, default_cvm_policy, default_data_disk_policy)
    kty = kty or ("EC" if curve else "RSA")
    if protection == "hsm" and not kty.endswith("-HSM"):
        kty += "-HSM"
    elif protection == "software" and kty.endswith("-HSM"):
        raise AzLocalError("The key type {} is invalid for software protected keys. Omit --protection")
    bundle = keys.create(v, n, principal(), kty=kty, size=key_size, curve=curve, ops=key_ops,
                         enabled=not disabled, expires=expires, not_before=not_before, tags=_tags(tags))
    return _format.key(bundle)


def key_import(vault_name=None, hsm_name=None, name=None, identifier=None, kty=None, curve=None, key_ops=None,
               protection=None, disabled=None, expires=None, not_before=None, tags=None, exportable=None,
               release_policy=None, immutable=None, default_cvm_policy=False, default_data_disk_policy=False,
               pem_file=None, pem_string=None, pem_password=None, byok_file=None, byok_string=None):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from azlocal.keyvault import keycrypto, keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    _no_release_policy(release_policy, immutable, exportable, default_cvm_policy, default_data_disk_policy)
    if byok_file or byok_string:
        raise AzLocalError("BYOK transfer blobs are wrapped for a vendor HSM's key exchange key, which azlocal does "
                           "not have offline: import the key from a PEM file (--pem-file) instead.")
    if not (pem_file or pem_string):
        raise AzLocalError("Import failed: no key source: use --pem-file or --pem-string.")
    try:
        data = open(pem_file, "rb").read() if pem_file else pem_string.encode()
        pkey = load_pem_private_key(data, pem_password.encode() if pem_password else None)
    except OSError as ex:
        raise AzLocalError(f"[Errno {ex.errno}] {ex.strerror}: '{pem_file}'") from ex
    except (ValueError, TypeError) as ex:
        raise AzLocalError(f"Import failed: {ex}") from ex
    jwk = dict(keycrypto.private_jwk(pkey), key_ops=key_ops)
    bundle = keys.import_key(v, n, jwk, principal(), enabled=not disabled, expires=expires, not_before=not_before,
                             tags=_tags(tags), hsm=protection == "hsm")
    return _format.key(bundle)


def key_rotate(vault_name=None, hsm_name=None, name=None, identifier=None):
    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    return _format.key(keys.rotate(v, n, principal()))


def key_show(vault_name=None, hsm_name=None, name=None, identifier=None, version=None):
    from azlocal.keyvault import keys

    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    return _format.key(keys.get(v, n, ver, principal()))


def _limit(rows, maxresults):
    return rows[:maxresults] if maxresults else rows


def key_list(vault_name=None, hsm_name=None, identifier=None, maxresults=None, include_managed=False):
    from azlocal.keyvault import keys

    rows = [_format.key_item(i) for i in keys.list(vault(vault_name, identifier, hsm_name), principal())]
    return _limit([r for r in rows if include_managed or not r.get("managed")], maxresults)


def key_list_versions(vault_name=None, hsm_name=None, name=None, identifier=None, maxresults=None):
    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    return _limit([_format.key_item(i) for i in keys.list_versions(v, n, principal())], maxresults)


def key_list_deleted(vault_name=None, hsm_name=None, identifier=None, maxresults=None):
    from azlocal.keyvault import keys

    rows = keys.list_deleted(vault(vault_name, identifier, hsm_name), principal())
    return _limit([_format.key_item(i) for i in rows], maxresults)


def key_show_deleted(vault_name=None, hsm_name=None, name=None, identifier=None):
    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    return _format.key(keys.get_deleted(v, n, principal()))


def key_set_attributes(vault_name=None, hsm_name=None, name=None, identifier=None, version=None, enabled=None,
                       expires=None, not_before=None, key_ops=None, tags=None, release_policy=None, immutable=None):
    from azlocal.keyvault import keys

    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    _no_release_policy(release_policy, immutable)
    bundle = keys.update_attributes(v, n, principal(), version=ver, enabled=enabled, expires=expires,
                                    not_before=not_before, ops=key_ops, tags=_tags(tags))
    return _format.key(bundle)


def key_delete(vault_name=None, hsm_name=None, name=None, identifier=None):
    import sys

    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    print("Warning! If you have soft-delete protection enabled on this key vault, this key will be moved to the soft "
          "deleted state. You will not be able to create a key with the same name within this key vault until the "
          "key has been purged from the soft-deleted state. Please see the following documentation for additional "
          "guidance.\nhttps://learn.microsoft.com/azure/key-vault/general/soft-delete-overview", file=sys.stderr)
    return _format.key(keys.delete(v, n, principal()))


def key_recover(vault_name=None, hsm_name=None, name=None, identifier=None):
    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    return _format.key(keys.recover(v, n, principal()))


def key_purge(vault_name=None, hsm_name=None, name=None, identifier=None):
    from azlocal.keyvault import keys

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    keys.purge(v, n, principal())


def _b64(text, what="--value"):
    import binascii

    try:
        return base64.b64decode(text.encode(), validate=True)
    except (binascii.Error, ValueError) as ex:
        raise AzLocalError(f"Incorrect padding: {what} is not base64.") from ex


def key_encrypt(algorithm, value, vault_name=None, hsm_name=None, name=None, identifier=None, version=None,
                data_type="base64", iv=None, aad=None):
    from azlocal.keyvault import keys

    if algorithm.startswith("A"):
        raise AzLocalError(_AES.format(algorithm))
    data = _b64(value) if (data_type or "base64") == "base64" else value.encode()
    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    result = keys.encrypt(v, n, ver, algorithm, data, principal())
    from azlocal.keyvault.keycrypto import b64url_decode

    return {"aad": None, "algorithm": algorithm, "iv": None, "kid": result["kid"],
            "result": base64.b64encode(b64url_decode(result["value"])).decode(), "tag": None}


def key_decrypt(algorithm, value, vault_name=None, hsm_name=None, name=None, identifier=None, version=None,
                data_type="base64", iv=None, aad=None, tag=None):
    from azlocal.keyvault import keys
    from azlocal.keyvault.keycrypto import b64url_decode

    if algorithm.startswith("A"):
        raise AzLocalError(_AES.format(algorithm))
    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    result = keys.decrypt(v, n, ver, algorithm, _b64(value), principal())
    plain = b64url_decode(result["value"])
    if (data_type or "base64") == "base64":
        out = base64.b64encode(plain).decode()
    else:
        try:
            out = plain.decode()
        except UnicodeDecodeError:
            out = plain.decode("latin-1")
    return {"algorithm": algorithm, "kid": result["kid"], "result": out}


def key_sign(algorithm, digest, vault_name=None, hsm_name=None, name=None, identifier=None, version=None):
    from azlocal.keyvault import keys
    from azlocal.keyvault.keycrypto import b64url_decode

    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    result = keys.sign(v, n, ver, algorithm, _b64(digest, "--digest"), principal())
    return {"algorithm": algorithm, "kid": result["kid"],
            "signature": base64.b64encode(b64url_decode(result["value"])).decode()}


def key_verify(algorithm, digest, signature, vault_name=None, hsm_name=None, name=None, identifier=None,
               version=None):
    from azlocal.keyvault import keys

    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    result = keys.verify(v, n, ver, algorithm, _b64(digest, "--digest"), _b64(signature, "--signature"),
                         principal())
    bundle = keys.get(v, n, ver, principal())
    return {"algorithm": algorithm, "isValid": result["value"], "kid": bundle["key"]["kid"]}


def key_download(file_path, vault_name=None, hsm_name=None, name=None, identifier=None, version=None,
                 encoding=None):
    from cryptography.hazmat.primitives import serialization

    from azlocal.keyvault import keys

    if os.path.isfile(file_path) or os.path.isdir(file_path):
        raise AzLocalError(f"File or directory named '{file_path}' already exists.")
    v, n, ver = item(vault_name, name, identifier, version, hsm_name)
    public, _ = keys.public_key(v, n, ver, principal())
    form = serialization.Encoding.DER if encoding == "DER" else serialization.Encoding.PEM
    data = public.public_bytes(form, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(file_path, "wb") as f:
        f.write(data)


def key_backup(file_path, vault_name=None, hsm_name=None, name=None, identifier=None):
    from azlocal.keyvault import backups

    v, n, _ = item(vault_name, name, identifier, hsm_name=hsm_name)
    data = backups.backup(v, "keys", n, principal())
    with open(file_path, "wb") as f:
        f.write(data)


def key_restore(vault_name=None, hsm_name=None, file_path=None, identifier=None, name=None,
                storage_resource_uri=None, storage_account_name=None, blob_container_name=None, token=None,
                backup_folder=None, no_wait=False):
    from azlocal.keyvault import backups

    target = vault(vault_name, identifier, hsm_name)
    if storage_resource_uri or storage_account_name or blob_container_name or token or backup_folder:
        raise AzLocalError("Restoring a key from a storage account is for managed HSMs, which azlocal does not "
                           "emulate; use --file.")
    if not file_path:
        raise AzLocalError("Please specify --file to restore a key to a vault.")
    with open(file_path, "rb") as f:
        data = f.read()
    return _format.key(backups.restore(target, "keys", data, principal()))


def key_get_policy_template():
    return {"anyOf": [{"allOf": [{"claim": "<claim name>", "equals": "<value to match>"}],
                       "authority": "<issuer>"}], "version": "1.0.0"}
