"""Backups of secrets and keys: an opaque blob (all versions, values and private keys included) sealed under the
home's key, as Key Vault's backups are opaque and restorable only where they were made (here: the same home).
Restoring needs the name to be free in the target vault, as the service does."""

import base64
import json

from azlocal.keyvault import access, atrest, errors, objects, vaults
from azlocal.platform.store import store

MAGIC = b"AZLOCAL-KV-BACKUP-1:"
_ACTIONS = {"secrets": "Microsoft.KeyVault/vaults/secrets/", "keys": "Microsoft.KeyVault/vaults/keys/"}
_SEALED = {"secrets": "value", "keys": "private"}


def _slot(vault_doc, kind, name, version):
    return f"{vault_doc['name'].lower()}/{kind}/{name.lower()}/{version}"


def backup(vault, kind, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _ACTIONS[kind] + "backup/action", resource=f"{kind}/{name}")
    row = objects.active(doc, kind, name)
    field = _SEALED[kind]
    versions = []
    for rec in row["versions"]:
        clear = atrest.unseal(rec[field], _slot(doc, kind, row["name"], rec["version"]))
        versions.append(dict(rec, **{field: base64.b64encode(clear).decode()}))
    payload = json.dumps({"kind": kind, "name": row["name"], "versions": versions}).encode()
    return MAGIC + atrest.seal(payload, f"backup/{kind}").encode()


def restore(vault, kind, data, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _ACTIONS[kind] + "restore/action")
    try:
        if not data.startswith(MAGIC):
            raise ValueError("not a backup")
        payload = json.loads(atrest.unseal(data[len(MAGIC):].decode(), f"backup/{kind}"))
    except Exception as ex:
        raise errors.BadParameter("Backup blob contains invalid or corrupt version.", inner="InvalidBackup") from ex
    name, field = payload["name"], _SEALED[kind]
    for rec in payload["versions"]:
        rec[field] = atrest.seal(base64.b64decode(rec[field]), _slot(doc, kind, name, rec["version"]))
    s = store()
    with s.transaction():
        if objects.load(doc, kind, name) is not None:
            raise errors.Conflict(f"There was a conflict restoring the {objects.SINGULAR[kind]} '{name}'. This can "
                                  f"happen if the {objects.SINGULAR[kind]} already exists, is in a deleted state, or "
                                  "a restore of the same object is under way.")
        row = objects.new_row(doc, kind, name)
        row["versions"] = payload["versions"]
        objects.save(row)
    if kind == "secrets":
        from azlocal.keyvault import secrets

        return secrets._base(doc, row, row["versions"][-1])
    from azlocal.keyvault import keys

    return keys._bundle(doc, row, row["versions"][-1])
