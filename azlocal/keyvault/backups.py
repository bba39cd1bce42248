"""Backups of secrets, keys and certificates: an opaque blob (all versions, values and private keys included;
a certificate's with its key and secret) sealed under the home's key, as Key Vault's backups are opaque and
restorable only where they were made (here: the same home). Restoring needs the name free in the target vault."""

import base64
import json

from azlocal.keyvault import access, atrest, errors, objects, vaults
from azlocal.platform.store import store

MAGIC = b"AZLOCAL-KV-BACKUP-2:"
_ACTIONS = {"secrets": "Microsoft.KeyVault/vaults/secrets/", "keys": "Microsoft.KeyVault/vaults/keys/",
            "certificates": "Microsoft.KeyVault/vaults/certificates/"}
_SEALED = {"secrets": "value", "keys": "private", "certificates": None}
_PARTS = {"secrets": ("secrets",), "keys": ("keys",), "certificates": ("certificates", "keys", "secrets")}


def _slot(vault_doc, kind, name, version):
    return f"{vault_doc['name'].lower()}/{kind}/{name.lower()}/{version}"


def _export(doc, kind, name):
    row = objects.active(doc, kind, name)
    field, versions = _SEALED[kind], []
    for rec in row["versions"]:
        if field:
            clear = atrest.unseal(rec[field], _slot(doc, kind, row["name"], rec["version"]))
            rec = dict(rec, **{field: base64.b64encode(clear).decode()})
        versions.append(rec)
    return {"kind": kind, "name": row["name"], "versions": versions, "policy": row.get("policy")}


def backup(vault, kind, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _ACTIONS[kind] + "backup/action", resource=f"{kind}/{name}")
    parts = [_export(doc, part, name) for part in _PARTS[kind]]
    payload = json.dumps({"kind": kind, "parts": parts}).encode()
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
    rows = []
    for part in payload["parts"]:
        field, name = _SEALED[part["kind"]], part["name"]
        for rec in part["versions"]:
            if field:
                rec[field] = atrest.seal(base64.b64decode(rec[field]), _slot(doc, part["kind"], name, rec["version"]))
        row = dict(objects.new_row(doc, part["kind"], name), versions=part["versions"])
        if part.get("policy") is not None:
            row["policy"] = part["policy"]
        rows.append(row)
    s = store()
    with s.transaction():
        for row in rows:
            kind_of = next(k for k, t in objects.TYPES.items() if t == row["type"])
            if objects.load(doc, kind_of, row["name"]) is not None:
                what = objects.SINGULAR[kind]
                raise errors.Conflict(f"There was a conflict restoring the {what} '{rows[0]['name']}'. This can "
                                      f"happen if the {what} already exists, is in a deleted state, or a restore of "
                                      "the same object is under way.")
        for row in rows:
            objects.save(row)
    return _bundle(doc, kind, rows[0])


def _bundle(doc, kind, row):
    if kind == "secrets":
        from azlocal.keyvault import secrets

        return secrets._base(doc, row, row["versions"][-1])
    if kind == "keys":
        from azlocal.keyvault import keys

        return keys._bundle(doc, row, row["versions"][-1])
    from azlocal.keyvault import certificates

    return certificates.bundle_of(doc, row, row["versions"][-1])
