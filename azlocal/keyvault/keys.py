"""A vault's keys: RSA (RSA-HSM) and EC keys with versions, soft delete, and the cryptographic operations.

Functions take the vault (document or name), plain values and the acting principal, authorize the data action
(access) and answer as the Key Vault REST API: a key bundle `{"key": JWK (kid, kty, key_ops, n, e | crv, x,
y), "attributes", "tags"}`, an operation result `{"kid", "value": base64url}`. Private keys are kept sealed
(atrest), as PKCS#8; the state database holds only the public JWK and the attributes."""

from azlocal.keyvault import access, atrest, errors, keycrypto, objects, vaults
from azlocal.platform.store import store

KIND = "keys"
_A = "Microsoft.KeyVault/vaults/keys/"
_D = "Microsoft.KeyVault/vaults/keys/"  # deleted ones are still keys' data actions
KTYS = ("RSA", "RSA-HSM", "EC", "EC-HSM")
_WINDOWED = ("encrypt", "wrapKey", "sign")


def _context(vault_doc, name, version):
    return f"{vault_doc['name'].lower()}/keys/{name.lower()}/{version}"


def _kid(vault_doc, row, rec=None):
    url = f"{objects.vault_url(vault_doc)}/keys/{row['name']}"
    return f"{url}/{rec['version']}" if rec else url


def _bundle(vault_doc, row, rec, item=False):
    attrs = dict(objects.attributes(vault_doc, rec), exportable=False)
    if item:
        bundle = {"kid": _kid(vault_doc, row), "attributes": attrs}
    else:
        jwk = dict({"kid": _kid(vault_doc, row, rec), "kty": rec["kty"], "key_ops": [*rec["key_ops"]]},
                   **rec["public"])
        bundle = {"key": jwk, "attributes": attrs}
    if rec.get("tags"):
        bundle["tags"] = dict(rec["tags"])
    if rec.get("managed"):
        bundle["managed"] = True
    return bundle


def _deleted(vault_doc, row, item=False):
    return dict(objects.deleted_fields(vault_doc, KIND, row), **_bundle(vault_doc, row, row["versions"][-1], item))


def create(vault, name, principal, kty="RSA", size=None, curve=None, ops=None, enabled=True, expires=None,
           not_before=None, tags=None):
    """A new version of the key (the key itself when the name is new): its bundle."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "create/action", resource=f"keys/{name}")
    objects.check_name(name)
    kty = kty or "RSA"
    if kty not in KTYS:
        raise errors.BadParameter(f"Key type {kty} is not supported by azlocal's vaults (RSA, RSA-HSM, EC and "
                                  "EC-HSM are).", inner="KeyTypeNotSupported")
    private = keycrypto.generate(kty, size, curve)
    return _add_version(doc, name, private, kty, ops, enabled, expires, not_before, tags)


def _add_version(doc, name, private, kty, ops, enabled=True, expires=None, not_before=None, tags=None,
                 managed=False, version=None):
    version = version or objects.new_version()
    stamp = objects.now()
    default_ops = keycrypto.RSA_OPS if kty.startswith("RSA") else keycrypto.EC_OPS
    rec = {"version": version, "created": stamp, "updated": stamp, "enabled": enabled is not False,
           "exp": objects.timestamp(expires, "--expires"), "nbf": objects.timestamp(not_before, "--not-before"),
           "tags": dict(tags) if tags else None, "kty": kty, "key_ops": [*ops] if ops else [*default_ops],
           "public": keycrypto.public_jwk(private), "managed": managed,
           "private": atrest.seal(keycrypto.to_pem(private), _context(doc, name, version))}
    s = store()
    with s.transaction():
        row = objects.writable(doc, KIND, name)
        row["versions"].append(rec)
        objects.save(row)
    return _bundle(doc, row, rec)


def import_key(vault, name, jwk, principal, enabled=True, expires=None, not_before=None, tags=None, hsm=False):
    """A new version made of a given private JWK (RSA: n, e, d, p, q, dp, dq, qi; EC: crv, x, y, d)."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "import/action", resource=f"keys/{name}")
    objects.check_name(name)
    private = keycrypto.private_from_jwk(jwk)
    kty = "RSA" if str(jwk.get("kty", "")).upper().startswith("RSA") else "EC"
    kty = f"{kty}-HSM" if hsm or str(jwk.get("kty", "")).upper().endswith("-HSM") else kty
    return _add_version(doc, name, private, kty, jwk.get("key_ops"), enabled, expires, not_before, tags)


def rotate(vault, name, principal):
    """A new version of the key with the current one's type, size or curve and operations."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "rotate/action", resource=f"keys/{name}")
    rec = objects.active(doc, KIND, name)["versions"][-1]
    public = rec["public"]
    size = len(keycrypto.b64url_decode(public["n"])) * 8 if "n" in public else None
    private = keycrypto.generate(rec["kty"], size, public.get("crv"))
    return _add_version(doc, name, private, rec["kty"], rec["key_ops"], tags=rec.get("tags"))


def get(vault, name, version=None, principal=None):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", resource=f"keys/{name}")
    row = objects.active(doc, KIND, name)
    return _bundle(doc, row, objects.version_of(row, KIND, version))


def list(vault, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", permission=("keys", "list"))
    return [_bundle(doc, row, row["versions"][-1], item=True)
            for row in objects.rows(doc, KIND) if not row.get("deleted") and row["versions"]]


def list_versions(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", permission=("keys", "list"), resource=f"keys/{name}")
    row = objects.active(doc, KIND, name)
    return [dict(_bundle(doc, row, rec, item=True), kid=_kid(doc, row, rec)) for rec in row["versions"]]


def update_attributes(vault, name, principal, version=None, enabled=None, expires=None, not_before=None,
                      ops=None, tags=None):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "update/action", resource=f"keys/{name}")
    exp = objects.timestamp(expires, "--expires")
    nbf = objects.timestamp(not_before, "--not-before")
    s = store()
    with s.transaction():
        row = objects.active(doc, KIND, name)
        rec = objects.version_of(row, KIND, version)
        for key, new in (("enabled", enabled), ("exp", exp), ("nbf", nbf)):
            if new is not None:
                rec[key] = new
        if ops is not None:
            rec["key_ops"] = [*ops]
        if tags is not None:
            rec["tags"] = dict(tags) or None
        rec["updated"] = objects.now()
        objects.save(row)
    return _bundle(doc, row, rec)


def delete(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "delete", resource=f"keys/{name}")
    return _deleted(doc, objects.soft_delete(doc, KIND, name))


def get_deleted(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "read", resource=f"keys/{name}")
    return _deleted(doc, objects.deleted(doc, KIND, name))


def list_deleted(vault, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "read")
    return [_deleted(doc, row, item=True) for row in objects.rows(doc, KIND) if row.get("deleted")]


def recover(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "recover/action", resource=f"keys/{name}")
    row = objects.recover(doc, KIND, name)
    return _bundle(doc, row, row["versions"][-1])


def purge(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "purge/action", resource=f"keys/{name}")
    objects.purge(doc, KIND, name)


# Cryptographic operations -----------------------------------------------------------------------------------

def _usable(vault, name, version, principal, action, op):
    """(vault doc, row, version record) of a key that may perform `op` (enabled, op among its key_ops)."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + action, resource=f"keys/{name}")
    row = objects.active(doc, KIND, name)
    rec = objects.version_of(row, KIND, version)
    if not rec.get("enabled", True):
        raise errors.disabled("key", op)
    if op not in rec["key_ops"]:
        raise errors.Forbidden(f"Operation {op} is not permitted on this key.", inner="KeyOperationForbidden")
    if op in _WINDOWED:  # outside nbf..exp a key still decrypts, unwraps and verifies, as the service allows
        stamp = objects.now()
        if rec.get("exp") is not None and stamp >= rec["exp"]:
            raise errors.Forbidden(f"Operation {op} is not allowed on an expired key.", inner="KeyExpired")
        if rec.get("nbf") is not None and stamp < rec["nbf"]:
            raise errors.Forbidden(f"Operation {op} is not allowed on a key that is not yet valid.",
                                   inner="KeyNotYetValid")
    return doc, row, rec


_PARSED = {}  # (slot, sealed private key) -> the parsed key: parsing (and checking) an RSA key costs ~40 ms


def _private(doc, row, rec):
    slot = (_context(doc, row["name"], rec["version"]), rec["private"])
    key = _PARSED.get(slot)
    if key is None:
        key = keycrypto.from_pem(atrest.unseal(slot[1], slot[0]))
        if len(_PARSED) >= 256:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[slot] = key
    return key


def _operate(vault, name, version, principal, action, op, function, data, alg):
    doc, row, rec = _usable(vault, name, version, principal, action, op)
    result = function(_private(doc, row, rec), alg, data)
    return {"kid": _kid(doc, row, rec), "value": keycrypto.b64url(result)}


def encrypt(vault, name, version, alg, data, principal):
    return _operate(vault, name, version, principal, "encrypt/action", "encrypt", keycrypto.encrypt, data, alg)


def decrypt(vault, name, version, alg, data, principal):
    return _operate(vault, name, version, principal, "decrypt/action", "decrypt", keycrypto.decrypt, data, alg)


def wrap(vault, name, version, alg, data, principal):
    return _operate(vault, name, version, principal, "wrap/action", "wrapKey", keycrypto.encrypt, data, alg)


def unwrap(vault, name, version, alg, data, principal):
    return _operate(vault, name, version, principal, "unwrap/action", "unwrapKey", keycrypto.decrypt, data, alg)


def sign(vault, name, version, alg, digest, principal):
    return _operate(vault, name, version, principal, "sign/action", "sign", keycrypto.sign, digest, alg)


def verify(vault, name, version, alg, digest, signature, principal):
    doc, row, rec = _usable(vault, name, version, principal, "verify/action", "verify")
    return {"value": keycrypto.verify(keycrypto.public_key(rec["public"]), alg, digest, signature)}


def public_key(vault, name, version=None, principal=None):
    """The key version's public key (a cryptography object) and its bundle, for `key download`."""
    bundle = get(vault, name, version, principal)
    return keycrypto.public_key(bundle["key"]), bundle
