"""What `az storage container|blob …` prints: the store's documents in az 2.91's shapes, and its tables."""

import datetime
import uuid

from azlocal.core.tables import table
from azlocal.storage.sas import VERSION


def when(ts):
    """An epoch time as az prints the SDK's datetimes (seconds, UTC offset)."""
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).isoformat()


def _lease(lease):
    return {"duration": lease["duration"], "state": lease["state"], "status": lease["status"]}


def container(doc):
    return {
        "deleted": None,
        "encryptionScope": {"defaultEncryptionScope": "$account-encryption-key",
                            "preventEncryptionScopeOverride": False},
        "immutableStorageWithVersioningEnabled": False,
        "metadata": doc["metadata"],
        "name": doc["name"],
        "properties": {"etag": doc["etag"], "hasImmutabilityPolicy": False, "hasLegalHold": False,
                       "lastModified": when(doc["last_modified"]), "lease": _lease(doc["lease"]),
                       "publicAccess": doc["public_access"]},
        "version": None,
    }


def blob(doc, content_range=None):
    block = doc["blob_type"] == "BlockBlob"
    return {
        "container": doc["container"],
        "content": "",
        "deleted": False,
        "encryptedMetadata": None,
        "encryptionKeySha256": None,
        "encryptionScope": None,
        "hasLegalHold": None,
        "hasVersionsOnly": None,
        "immutabilityPolicy": {"expiryTime": None, "policyMode": None},
        "isAppendBlobSealed": None if block else False,
        "isCurrentVersion": None,
        "lastAccessedOn": None,
        "metadata": doc["metadata"],
        "name": doc["name"],
        "objectReplicationDestinationPolicy": None,
        "objectReplicationSourceProperties": [],
        "properties": {
            "appendBlobCommittedBlockCount": None if block else doc["committed_blocks"],
            "blobTier": "Hot" if block else None,
            "blobTierChangeTime": None,
            "blobTierInferred": True if block else None,
            "blobType": doc["blob_type"],
            "contentLength": doc["size"],
            "contentRange": content_range,
            "contentSettings": {"cacheControl": doc["cache_control"], "contentDisposition": doc["content_disposition"],
                                "contentEncoding": doc["content_encoding"], "contentLanguage": doc["content_language"],
                                "contentMd5": doc["content_md5"], "contentType": doc["content_type"]},
            "copy": {"completionTime": None, "destinationSnapshot": None, "id": None, "incrementalCopy": None,
                     "progress": None, "source": None, "status": None, "statusDescription": None},
            "creationTime": when(doc["created"]),
            "deletedTime": None,
            "etag": doc["etag"],
            "lastModified": when(doc["last_modified"]),
            "lease": _lease(doc["lease"]),
            "pageBlobSequenceNumber": None,
            "pageRanges": None,
            "rehydrationStatus": None,
            "remainingRetentionDays": None,
            "serverEncrypted": True,
        },
        "rehydratePriority": None,
        "requestServerEncrypted": None,
        "snapshot": None,
        "tagCount": None,
        "tags": None,
        "versionId": None,
    }


def response(doc, *, last_modified_key="last_modified", md5=False, encrypted=True):
    """The SDK's response headers dict that az prints for a write (upload, metadata update, …)."""
    out = {"client_request_id": str(uuid.uuid1()), "date": when(datetime.datetime.now().timestamp()),
           "etag": doc["etag"], last_modified_key: when(doc["last_modified"]), "request_id": str(uuid.uuid4()),
           "version": VERSION}
    if encrypted:
        out.update({"request_server_encrypted": True, "version_id": None})
    if md5:
        out.update({"content_md5": doc.get("content_md5"), "encryption_key_sha256": None, "encryption_scope": None})
    return out


def boolean_table(result):
    return {k: str(v) for k, v in (result or {}).items()}


def container_list_table(result):
    return table(result, {"Name": lambda r: r.get("name"),
                          "Lease Status": lambda r: (r.get("properties") or {}).get("leaseStatus"),
                          "Last Modified": lambda r: (r.get("properties") or {}).get("lastModified")})


def container_show_table(result):
    return table(result, {"Name": lambda r: r.get("name"),
                          "Lease Status": lambda r: r["properties"]["lease"]["status"],
                          "Last Modified": lambda r: r["properties"]["lastModified"]})


def blob_table(result):
    def prop(*keys):
        def get(row):
            value = row.get("properties") or {}
            for key in keys:
                value = (value or {}).get(key)
            return value

        return get

    rows = [r for r in (result if isinstance(result, list) else [result]) if r and "nextMarker" not in r]
    return table(rows, {"Name": lambda r: r.get("name"), "Blob Type": prop("blobType"), "Blob Tier": prop("blobTier"),
                        "Length": prop("contentLength"), "Content Type": prop("contentSettings", "contentType"),
                        "Last Modified": prop("lastModified"), "Snapshot": lambda r: r.get("snapshot")})
