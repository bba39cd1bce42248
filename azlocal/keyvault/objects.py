"""The vault's objects (secrets, keys): one state row per object name with its versions, soft delete and purge.

A row's id is `/azlocal/keyvault/<vault>/<secrets|keys>/<name>` (lower-cased) and it belongs to no resource group:
a vault deleted with its group keeps its objects while it is recoverable; purging the vault removes them. The
row holds attributes and public parts only; values and private keys are sealed (atrest) before they are stored.
"""

import re
import time
import uuid

from azlocal.core.errors import AzLocalError
from azlocal.keyvault import errors
from azlocal.platform.store import store

TYPES = {"secrets": "azlocal.keyvault/secrets", "keys": "azlocal.keyvault/keys",
         "certificates": "azlocal.keyvault/certificates"}
SINGULAR = {"secrets": "secret", "keys": "key", "certificates": "certificate"}
_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
_VERSION = re.compile(r"^[0-9a-fA-F]{32}$")


def vault_url(vault_doc):
    return f"https://{vault_doc['name'].lower()}.vault.azure.net"


def check_name(name):
    if not isinstance(name, str) or not _NAME.match(name):
        raise errors.BadParameter(f"The request URI contains an invalid name: {name}")
    return name


def now():
    return int(time.time())


def new_version():
    return uuid.uuid4().hex


def row_id(vault_doc, kind, name):
    return f"/azlocal/keyvault/{vault_doc['name'].lower()}/{kind}/{name.lower()}"


def _expired(row):
    """A deleted object past its scheduled purge date is gone, as the service purges it then."""
    return bool(row and row.get("deleted") and now() >= row["deleted"]["scheduledPurgeDate"])


def load(vault_doc, kind, name):
    row = store().get(row_id(vault_doc, kind, name))
    return None if _expired(row) else row


def save(row):
    store().put(row, resource_group="")


def rows(vault_doc, kind):
    found = store().list(type=TYPES[kind], parent_id=f"/azlocal/keyvault/{vault_doc['name'].lower()}/{kind}")
    return [row for row in found if not _expired(row)]


def remove_vault(vault_name):
    """Purging a vault: every object row of it goes."""
    s = store()
    with s.transaction():
        s.delete_children(f"/azlocal/keyvault/{vault_name.lower()}")


def new_row(vault_doc, kind, name):
    return {"id": row_id(vault_doc, kind, name), "type": TYPES[kind], "name": name,
            "vault": vault_doc["name"].lower(), "versions": [], "deleted": None}


def active(vault_doc, kind, name):
    """The object's row when it exists and is not deleted; the service's 404 otherwise."""
    check_name(name)
    row = load(vault_doc, kind, name)
    if row is None or row.get("deleted") or not row["versions"]:
        raise errors.object_not_found(SINGULAR[kind], name)
    return row


def version_of(row, kind, version=None):
    """The version asked for (the current one, the newest, without), or the service's 404."""
    if not version:
        return row["versions"][-1]
    for rec in row["versions"]:
        if rec["version"].lower() == str(version).lower():
            return rec
    raise errors.object_not_found(SINGULAR[kind], row["name"], version)


def deleted(vault_doc, kind, name):
    check_name(name)
    row = load(vault_doc, kind, name)
    if row is None or not row.get("deleted"):
        raise errors.deleted_not_found(SINGULAR[kind])
    return row


def writable(vault_doc, kind, name):
    """The row a new version goes into (new when the name is free); Conflict while the name is deleted."""
    check_name(name)
    row = load(vault_doc, kind, name)
    if row is not None and row.get("deleted"):
        raise errors.in_deleted_state(SINGULAR[kind], name)
    return row or new_row(vault_doc, kind, name)


def retention(vault_doc):
    return int(vault_doc["properties"].get("softDeleteRetentionInDays") or 90)


def recovery_level(vault_doc):
    days = retention(vault_doc)
    protected = bool(vault_doc["properties"].get("enablePurgeProtection"))
    level = "Recoverable" if protected else "Recoverable+Purgeable"
    return level if days >= 90 else f"CustomizedRecoverable{'' if protected else '+Purgeable'}"


def attributes(vault_doc, rec):
    attrs = {"enabled": rec.get("enabled", True)}
    for key in ("nbf", "exp"):
        if rec.get(key) is not None:
            attrs[key] = rec[key]
    attrs.update(created=rec["created"], updated=rec["updated"], recoveryLevel=recovery_level(vault_doc),
                 recoverableDays=retention(vault_doc))
    return attrs


def soft_delete(vault_doc, kind, name):
    s = store()
    with s.transaction():
        row = active(vault_doc, kind, name)
        stamp = now()
        row["deleted"] = {"deletedDate": stamp, "scheduledPurgeDate": stamp + retention(vault_doc) * 86400}
        save(row)
    return row


def recover(vault_doc, kind, name):
    s = store()
    with s.transaction():
        row = deleted(vault_doc, kind, name)
        row["deleted"] = None
        save(row)
    return row


def purge(vault_doc, kind, name):
    if vault_doc["properties"].get("enablePurgeProtection"):
        raise errors.purge_protected()
    s = store()
    with s.transaction():
        row = deleted(vault_doc, kind, name)
        s.delete(row["id"])


def deleted_fields(vault_doc, kind, row):
    return {"recoveryId": f"{vault_url(vault_doc)}/deleted{kind}/{row['name']}",
            "deletedDate": row["deleted"]["deletedDate"],
            "scheduledPurgeDate": row["deleted"]["scheduledPurgeDate"]}


def timestamp(value, what):
    """An expiry / not-before as Unix seconds: an int, a datetime, or an ISO-8601 text (az's format)."""
    import datetime

    if value is None or isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError as ex:
            raise AzLocalError(f"Invalid value for {what}: '{value}' is not an ISO-8601 date and time, e.g. "
                               "2030-01-01T00:00:00Z.") from ex
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())
