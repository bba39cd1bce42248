"""Azure Files shares: a share is a folder (paths.share_dir, what an ACI azureFile volume mounts) and a small
sidecar JSON beside it (paths.share_meta) with the share's properties and the metadata and content settings of
its files and directories. The files' sizes and times are the folder's own (a container's writes show).

The sidecar is read and written under an exclusive lock (`<sidecar>.lock`, fcntl) and replaced atomically, so
concurrent `az` processes never lose each other's changes. Both flavours of the commands use this module:
`az storage share …` (data plane, `share_properties`) and `az storage share-rm …` (ARM, `arm_document`).
"""

import contextlib
import fcntl
import json
import os
import shutil

from azlocal.core import arm
from azlocal.storage import paths
from azlocal.storage.storage_errors import StorageError

DEFAULT_QUOTA = 5120  # GiB: Azure's default (and largest standard) share size without large file shares
LARGE_QUOTA = 102400  # GiB: the default with large file shares enabled on the account
SHARE_TYPE = "Microsoft.Storage/storageAccounts/fileServices/shares"


def check_name(share):
    """The data plane's answer to a share name that breaks Azure's rule (3-63 lower-case letters, digits and
    single hyphens, starting and ending with a letter or digit): OutOfRangeInput for the length, else
    InvalidResourceName, both 400."""
    from azlocal.core import safepath

    if not isinstance(share, str) or not 3 <= len(share) <= 63:
        raise StorageError("OutOfRangeInput", "The specified resource name length is not within the permissible "
                           "limits.", 400)
    if not safepath._COMPILED["file share"].fullmatch(share):
        raise StorageError("InvalidResourceName", paths.INVALID_NAME, 400)
    return share


def max_quota(account):
    """The largest share of the account, in GiB: 100 TiB with large file shares (or premium), else 5 TiB."""
    from azlocal.storage import accounts

    doc = accounts.find(account) or {}
    large = doc.get("largeFileSharesState") == "Enabled" or doc.get("kind") == "FileStorage"
    return LARGE_QUOTA if large else DEFAULT_QUOTA


def check_quota(account, quota):
    """A quota the service takes (1 GiB up to max_quota), or its InvalidHeaderValue (400)."""
    quota = int(quota)
    if not 1 <= quota <= max_quota(account):
        raise StorageError("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct "
                           "format.", 400)
    return quota


def not_found():
    return StorageError("ShareNotFound", "The specified share does not exist.", 404)


def etag_of(mtime_ns):
    """An ETag in Azure's form ("0x8D…") that changes whenever the file or folder does."""
    return f'"0x8D{(mtime_ns // 100) & 0xFFFFFFFFFFFFF:013X}"'


def http_time(mtime_ns):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc).replace(microsecond=0).isoformat()


@contextlib.contextmanager
def _locked(account, share):
    meta = paths.share_meta(account, share)
    meta.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{meta}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield meta
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(meta):
    try:
        return json.loads(meta.read_text())
    except (OSError, ValueError):
        return None


def _write(meta, data):
    tmp = meta.with_name(meta.name + ".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True))
    os.replace(tmp, meta)


def exists(account, share):
    return paths.share_dir(account, share).is_dir() and paths.share_meta(account, share).is_file()


def load(account, share):
    """The share's sidecar; ShareNotFound (404) when there is no such share."""
    if not exists(account, share):
        raise not_found()
    data = _read(paths.share_meta(account, share))
    if data is None:
        raise not_found()
    return data


@contextlib.contextmanager
def editing(account, share, *, share_level=False):
    """The share's sidecar to change in place (under the lock); saved when the block ends without an error.
    `share_level`: the share's own properties change (its Last-Modified and ETag move; a file's do not)."""
    with _locked(account, share) as meta:
        data = _read(meta) if paths.share_dir(account, share).is_dir() else None
        if data is None:
            raise not_found()
        yield data
        if share_level:
            data["share"]["lastModified"] = arm.utc_now()
        _write(meta, data)


def share_etag(info):
    """The share's ETag: it changes with the share's properties, not with its files (as in Azure)."""
    import hashlib

    return f'"0x8D{hashlib.sha256(info["lastModified"].encode()).hexdigest()[:13].upper()}"'


def visible(name):
    """Whether a directory entry is the user's (an upload's temporary file is not listed)."""
    return not name.startswith(".azlocal-upload-")


def create(account, share, *, quota=None, metadata=None, protocols=None, access_tier=None, extra=None):
    """A new share; False when it exists already (the caller decides whether that is ShareAlreadyExists)."""
    quota = max_quota(account) if quota is None else check_quota(account, quota)
    folder = paths.share_dir(account, share)
    with _locked(account, share) as meta:
        if folder.is_dir() and _read(meta) is not None:
            return False
        now = arm.utc_now()
        folder.mkdir(parents=True, exist_ok=True)
        _write(meta, {"share": dict({"created": now, "lastModified": now, "quota": quota,
                                     "metadata": dict(metadata or {}), "protocols": protocols or "SMB",
                                     "accessTier": access_tier or "TransactionOptimized",
                                     "accessTierChangeTime": now}, **(extra or {})),
                      "entries": {}})
    return True


def delete(account, share):
    """Removes the share's folder and sidecar; False when there was no such share."""
    folder = paths.share_dir(account, share)
    with _locked(account, share) as meta:
        if not folder.is_dir() or _read(meta) is None:
            return False
        shutil.rmtree(folder, ignore_errors=True)
        meta.unlink(missing_ok=True)
    return True


def names(account):
    """The account's shares, sorted."""
    folder = paths.account_dir(account) / "files-meta"
    found = sorted(p.name[:-5] for p in folder.glob("*.json")) if folder.is_dir() else []
    return [n for n in found if exists(account, n)]


def usage_bytes(account, share):
    total = 0
    for root, _dirs, files in os.walk(paths.share_dir(account, share)):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def share_properties(account, share, data=None, *, with_metadata=True):
    """The share as `az storage share show` prints it (ShareProperties after az's transformer)."""
    data = data or load(account, share)
    info = data["share"]
    return {
        "metadata": dict(info.get("metadata") or {}) if with_metadata else None,
        "name": share,
        "properties": {"etag": share_etag(info), "lastModified": info["lastModified"],
                       "quota": info["quota"]},
        "snapshot": None,
        "accessTier": info.get("accessTier"),
        "nextAllowedQuotaDowngradeTime": None,
        "deleted": None,
        "deletedTime": None,
        "version": None,
        "remainingRetentionDays": None,
        "provisionedEgressMbps": None,
        "provisionedIngressMbps": None,
        "provisionedIops": None,
        "provisionedBandwidth": None,
        "lease": {"duration": None, "state": "available", "status": "unlocked"},
        "protocols": [info.get("protocols") or "SMB"],
        "rootSquash": info.get("rootSquash"),
        "enableSnapshotVirtualDirectoryAccess": info.get("enableSnapshotVirtualDirectoryAccess"),
        "paidBurstingEnabled": info.get("paidBurstingEnabled"),
        "paidBurstingBandwidthMibps": info.get("paidBurstingMaxBandwidthMibps"),
        "paidBurstingIops": info.get("paidBurstingMaxIops"),
        "includedBurstIops": None,
        "maxBurstCreditsForIops": None,
        "nextProvisionedIopsDowngrade": None,
        "nextProvisionedBandwidthDowngrade": None,
    }


def list_item(account, share, *, with_metadata=False):
    """A share as `az storage share list` prints it: the SDK's ShareProperties as they are (flat, no
    "properties" object; lease and protocols as the listing returns them)."""
    shown = share_properties(account, share, with_metadata=with_metadata)
    props = shown.pop("properties")
    item = {"name": share, "lastModified": props["lastModified"], "etag": props["etag"], "quota": props["quota"]}
    item.update((k, v) for k, v in shown.items() if k != "name")
    return item


def arm_document(account_doc, share, data=None, *, stats=False):
    """The share as `az storage share-rm show` prints it (ARM's fileServices/default/shares/<name>)."""
    account = account_doc["name"]
    data = data or load(account, share)
    info = data["share"]
    group = account_doc["id"].split("/")[4]
    doc = {
        "accessTier": info.get("accessTier"),
        "accessTierChangeTime": info.get("accessTierChangeTime"),
        "accessTierStatus": None,
        "deleted": None,
        "deletedTime": None,
        "enabledProtocols": info.get("protocols") or "SMB",
        "etag": share_etag(info),
        "fileSharePaidBursting": ({"paidBurstingEnabled": info.get("paidBurstingEnabled"),
                                   "paidBurstingMaxBandwidthMibps": info.get("paidBurstingMaxBandwidthMibps"),
                                   "paidBurstingMaxIops": info.get("paidBurstingMaxIops")}
                                  if info.get("paidBurstingEnabled") is not None else None),
        "id": f"{account_doc['id']}/fileServices/default/shares/{share}",
        "includedBurstIops": None,
        "lastModifiedTime": info["lastModified"],
        "leaseDuration": None,
        "leaseState": "available",
        "leaseStatus": "unlocked",
        "maxBurstCreditsForIops": None,
        "metadata": dict(info.get("metadata") or {}) or None,
        "name": share,
        "nextAllowedProvisionedBandwidthDowngradeTime": None,
        "nextAllowedProvisionedIopsDowngradeTime": None,
        "nextAllowedQuotaDowngradeTime": None,
        "provisionedBandwidthMibps": info.get("provisionedBandwidthMibps"),
        "provisionedIops": info.get("provisionedIops"),
        "remainingRetentionDays": None,
        "resourceGroup": group,
        "rootSquash": info.get("rootSquash"),
        "shareQuota": info["quota"],
        "shareUsageBytes": usage_bytes(account, share) if stats else None,
        "signedIdentifiers": None,
        "snapshotTime": None,
        "type": SHARE_TYPE,
        "version": None,
    }
    # az's share-rm commands print the properties the service returned, flattened; unset ones are absent.
    return {k: v for k, v in doc.items() if v is not None}
