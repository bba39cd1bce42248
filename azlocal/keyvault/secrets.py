"""A vault's secrets: versions, soft delete, recover and purge, as the Key Vault REST API shapes them.

Every function takes the vault (its document or name), plain values and the acting principal (an object id or
a token's claims), authorizes the data action (access), and returns the service's bundle: `id`
`https://<vault>.vault.azure.net/secrets/<name>/<version>`, `attributes` (Unix times), `contentType`, `tags`.
Values are sealed (atrest) before they reach the state database; only `get` returns one."""

from azlocal.keyvault import access, atrest, errors, objects, vaults
from azlocal.platform.store import store

KIND = "secrets"
_A = "Microsoft.KeyVault/vaults/secrets/"
_D = "Microsoft.KeyVault/vaults/secrets/"  # deleted ones are still secrets' data actions


def _context(vault_doc, name, version):
    return f"{vault_doc['name'].lower()}/secrets/{name.lower()}/{version}"


def _base(vault_doc, row, rec, versioned=True):
    url = f"{objects.vault_url(vault_doc)}/secrets/{row['name']}"
    bundle = {"id": f"{url}/{rec['version']}" if versioned else url}
    if rec.get("contentType") is not None:
        bundle["contentType"] = rec["contentType"]
    bundle["attributes"] = objects.attributes(vault_doc, rec)
    if rec.get("tags"):
        bundle["tags"] = dict(rec["tags"])
    if rec.get("kid"):
        bundle["kid"] = rec["kid"]
    if rec.get("managed"):
        bundle["managed"] = True
    return bundle


def _value(vault_doc, row, rec):
    return atrest.unseal(rec["value"], _context(vault_doc, row["name"], rec["version"])).decode()


def _deleted_bundle(vault_doc, row):
    bundle = _base(vault_doc, row, row["versions"][-1])
    return dict(objects.deleted_fields(vault_doc, KIND, row), **bundle)


def set(vault, name, value, principal, content_type=None, tags=None, enabled=True, expires=None,
        not_before=None, kid=None, managed=False):
    """A new version of the secret (the secret itself when the name is new): its bundle, value included."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "setSecret/action", resource=f"secrets/{name}")
    objects.check_name(name)
    if not isinstance(value, str):
        raise errors.BadParameter("The secret value must be a string.")
    return _add_version(doc, name, value, content_type=content_type, tags=tags, enabled=enabled, expires=expires,
                        not_before=not_before, kid=kid, managed=managed)


def _add_version(doc, name, value, content_type=None, tags=None, enabled=True, expires=None, not_before=None,
                 kid=None, managed=False, version=None):
    version = version or objects.new_version()
    stamp = objects.now()
    rec = {"version": version, "created": stamp, "updated": stamp, "enabled": enabled is not False,
           "exp": objects.timestamp(expires, "--expires"), "nbf": objects.timestamp(not_before, "--not-before"),
           "contentType": content_type, "tags": dict(tags) if tags else None, "kid": kid, "managed": managed,
           "value": atrest.seal(value.encode(), _context(doc, name, version))}
    s = store()
    with s.transaction():
        row = objects.writable(doc, KIND, name)
        row["versions"].append(rec)
        objects.save(row)
    return dict(value=value, **_base(doc, row, rec))


def get(vault, name, version=None, principal=None):
    """The secret's bundle with its value (the current version without `version`)."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "getSecret/action", resource=f"secrets/{name}")
    row = objects.active(doc, KIND, name)
    rec = objects.version_of(row, KIND, version)
    if not rec.get("enabled", True):
        raise errors.disabled("secret", "get")
    return dict(value=_value(doc, row, rec), **_base(doc, row, rec))


def properties(vault, name, version=None, principal=None):
    """The bundle without the value (what `set-attributes` and `recover` answer)."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "readMetadata/action", resource=f"secrets/{name}")
    row = objects.active(doc, KIND, name)
    return _base(doc, row, objects.version_of(row, KIND, version))


def list(vault, principal):
    """The secrets' items (current version's attributes, id without version), oldest first."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "readMetadata/action")
    return [_base(doc, row, row["versions"][-1], versioned=False)
            for row in objects.rows(doc, KIND) if not row.get("deleted") and row["versions"]]


def list_versions(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "readMetadata/action", resource=f"secrets/{name}")
    row = objects.active(doc, KIND, name)
    return [_base(doc, row, rec) for rec in row["versions"]]


def update_attributes(vault, name, principal, version=None, enabled=None, expires=None, not_before=None,
                      content_type=None, tags=None):
    """Changes one version's attributes (the current one without `version`); `None` leaves a field as it is."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "update/action", resource=f"secrets/{name}")
    exp = objects.timestamp(expires, "--expires")
    nbf = objects.timestamp(not_before, "--not-before")
    s = store()
    with s.transaction():
        row = objects.active(doc, KIND, name)
        rec = objects.version_of(row, KIND, version)
        for key, new in (("enabled", enabled), ("exp", exp), ("nbf", nbf), ("contentType", content_type)):
            if new is not None:
                rec[key] = new
        if tags is not None:
            rec["tags"] = dict(tags) or None
        rec["updated"] = objects.now()
        objects.save(row)
    return _base(doc, row, rec)


def delete(vault, name, principal):
    """Soft delete: the secret (all its versions) is kept, recoverable, until purged or its retention ends."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "delete", resource=f"secrets/{name}")
    return _deleted_bundle(doc, objects.soft_delete(doc, KIND, name))


def get_deleted(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "readMetadata/action", resource=f"secrets/{name}")
    return _deleted_bundle(doc, objects.deleted(doc, KIND, name))


def list_deleted(vault, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "readMetadata/action")
    items = []
    for row in objects.rows(doc, KIND):
        if row.get("deleted"):
            item = _base(doc, row, row["versions"][-1], versioned=False)
            items.append(dict(objects.deleted_fields(doc, KIND, row), **item))
    return items


def recover(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "recover/action", resource=f"secrets/{name}")
    row = objects.recover(doc, KIND, name)
    return _base(doc, row, row["versions"][-1])


def purge(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _D + "purge/action", resource=f"secrets/{name}")
    objects.purge(doc, KIND, name)
