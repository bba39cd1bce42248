"""The data plane's one door into the service layer (azlocal.keyvault.vaults, secrets, keys): plain, blocking
functions the handlers run in the loop's executor, each passing the token's principal (its claims: `oid`,
`appid`) so the service layer authorizes the data action and names the caller in a refusal as Azure does."""

from azlocal.keyvault import keys, secrets, vaults
from azlocal.keyvault.dataplane.errors import VaultError


def find_vault(name):
    return vaults.find(name)


# secrets ------------------------------------------------------------------------------------------

def secret_set(vault, name, value, caller, options):
    return secrets.set(vault, name, value, caller.principal(), content_type=options.get("content_type"),
                       tags=options.get("tags"), enabled=options.get("enabled", True),
                       expires=options.get("expires"), not_before=options.get("not_before"))


def secret_get(vault, name, version, caller):
    return secrets.get(vault, name, version=version, principal=caller.principal())


def secret_update(vault, name, version, caller, changes):
    return secrets.update_attributes(vault, name, caller.principal(), version=version, **changes)


def secret_list(vault, caller):
    return secrets.list(vault, caller.principal())


def secret_versions(vault, name, caller):
    return secrets.list_versions(vault, name, caller.principal())


def secret_delete(vault, name, caller):
    return secrets.delete(vault, name, caller.principal())


def secret_list_deleted(vault, caller):
    return secrets.list_deleted(vault, caller.principal())


def secret_get_deleted(vault, name, caller):
    return secrets.get_deleted(vault, name, caller.principal())


def secret_recover(vault, name, caller):
    return secrets.recover(vault, name, caller.principal())


def secret_purge(vault, name, caller):
    return secrets.purge(vault, name, caller.principal())


# keys ---------------------------------------------------------------------------------------------

def key_create(vault, name, kty, caller, options):
    exponent = options.get("public_exponent")
    if exponent not in (None, 65537):
        raise VaultError(400, "BadParameter", "azlocal's vaults create RSA keys with the public exponent 65537 only.")
    kwargs = {k: v for k, v in options.items() if v is not None and k != "public_exponent"}
    return keys.create(vault, name, caller.principal(), kty=kty, **kwargs)


def key_import(vault, name, jwk, caller, options):
    if not hasattr(keys, "import_key"):
        raise VaultError(501, "NotImplemented", "azlocal's Key Vault does not import keys offline: create one "
                         "(POST /keys/<name>/create) instead.")
    return keys.import_key(vault, name, jwk, caller.principal(), **options)


def key_get(vault, name, version, caller):
    return keys.get(vault, name, version=version, principal=caller.principal())


def key_update(vault, name, version, caller, changes):
    return keys.update_attributes(vault, name, caller.principal(), version=version, **changes)


def key_list(vault, caller):
    return keys.list(vault, caller.principal())


def key_versions(vault, name, caller):
    return keys.list_versions(vault, name, caller.principal())


def key_delete(vault, name, caller):
    return keys.delete(vault, name, caller.principal())


def key_list_deleted(vault, caller):
    return keys.list_deleted(vault, caller.principal())


def key_get_deleted(vault, name, caller):
    return keys.get_deleted(vault, name, caller.principal())


def key_recover(vault, name, caller):
    return keys.recover(vault, name, caller.principal())


def key_purge(vault, name, caller):
    return keys.purge(vault, name, caller.principal())


def key_crypto(vault, name, version, operation, alg, data, caller):
    """(kid, bytes) of encrypt/decrypt/wrap/unwrap/sign with the key's version (the current one without)."""
    result = getattr(keys, operation)(vault, name, version, alg, data, caller.principal())
    return _kid_and_bytes(result)


def key_verify(vault, name, version, alg, digest, signature, caller):
    result = keys.verify(vault, name, version, alg, digest, signature, caller.principal())
    return result.get("value") if isinstance(result, dict) else bool(result)


def _kid_and_bytes(result):
    if isinstance(result, dict):
        value = result["value"]
        if isinstance(value, str):
            import base64

            value = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        return result["kid"], value
    return result
