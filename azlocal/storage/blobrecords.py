"""The Blob store's records: names, ETags, dates, uploads being received, row documents and conditions.

Used by azlocal.storage.blobstore (which documents the layout) and azlocal.storage.blobblocks.
"""

import base64
import datetime
import hashlib
import json
import os
import re
import time
import uuid

from azlocal.storage import blobleases
from azlocal.storage.storage_errors import StorageError

_CONTAINER_NAME = re.compile(r"^(\$root|\$web|\$logs|[a-z0-9](?!.*--)[-a-z0-9]{1,61}[a-z0-9])$")
CONTENT_SETTINGS = ("content_type", "content_encoding", "content_language", "content_disposition",
                    "cache_control", "content_md5")
CHUNK = 1 << 20

def new_etag():
    return '"0x%X"' % (time.time_ns() // 100 + 0x8D000000000000 + int.from_bytes(os.urandom(2), "big"))


def http_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def check_container_name(name):
    if isinstance(name, str) and not name.startswith("$") and not 3 <= len(name) <= 63:
        raise StorageError("OutOfRangeInput", "The specified resource name length is not within the permissible "
                           "limits.")
    if not isinstance(name, str) or not _CONTAINER_NAME.match(name):
        raise StorageError("InvalidResourceName")
    return name


def check_blob_name(name):
    if not isinstance(name, str) or not name or len(name) > 1024 or "\0" in name:
        raise StorageError("OutOfRangeInput" if name and len(name) > 1024 else "InvalidResourceName")
    return name


STALE_UPLOAD_SECONDS = 86400


def sweep_stale_uploads(folder, now=None):
    """Removes uploads a killed process left in staging/ (older than a day: no live upload is that old)."""
    now = now or time.time()
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if now - os.path.getmtime(path) > STALE_UPLOAD_SECONDS:
                os.unlink(path)
        except FileNotFoundError:
            pass


class Upload:
    """Bytes being received into staging/ (MD5 computed on the way); `abort` removes them. Each new upload
    first sweeps the stale ones."""

    def __init__(self, root):
        sweep_stale_uploads(os.path.join(root, "staging"))
        self.id = uuid.uuid4().hex
        self.path = os.path.join(root, "staging", self.id)
        self.md5 = hashlib.md5()
        self.size = 0
        self._file = open(self.path, "wb")

    def write(self, data):
        self._file.write(data)
        self.md5.update(data)
        self.size += len(data)

    def finish(self):
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def abort(self):
        if not self._file.closed:
            self._file.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def digest(self):
        return base64.b64encode(self.md5.digest()).decode()


class Tx:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def copy(src, upload, size):
    left = size
    while left > 0:
        data = src.read(min(CHUNK, left))
        if not data:
            raise StorageError("InvalidBlobOrBlock")
        upload.write(data)
        left -= len(data)


def check_block_id(block_id):
    try:
        raw = base64.b64decode(block_id or "", validate=True)
    except ValueError:
        raw = b""
    if not raw or len(raw) > 64:
        raise StorageError("InvalidQueryParameterValue")


def settings_of(settings):
    return {k: (settings or {}).get(k) for k in CONTENT_SETTINGS}


def page(items, max_results):
    if max_results and len(items) > int(max_results):
        return items[:int(max_results)], items[int(max_results)]["name"]
    return items, None


def container_doc(row):
    return {"name": row["name"], "etag": row["etag"], "last_modified": row["modified"],
            "metadata": json.loads(row["metadata"] or "{}"), "public_access": row["public_access"],
            "acl": json.loads(row["acl"] or "[]"), "lease": blobleases.view(row["lease"])}


def blob_doc(row):
    doc = {"container": row["container"], "name": row["name"], "blob_type": row["blob_type"], "size": row["size"],
           "etag": row["etag"], "last_modified": row["modified"], "created": row["created"],
           "metadata": json.loads(row["metadata"] or "{}"), "lease": blobleases.view(row["lease"]),
           "committed_blocks": len(json.loads(row["blocks"] or "[]")), "_file": row["file"]}
    doc.update(settings_of(json.loads(row["props"] or "{}")))
    return doc


def check_conditions(doc, conditions, read):
    """If-Match / If-None-Match / If-(Un)Modified-Since against a container or blob document: a read that
    fails If-None-Match or If-Modified-Since is 304 (NotModified); any other failure 412 ConditionNotMet."""
    if not conditions:
        return
    etag, modified = doc["etag"], int(doc["last_modified"])
    if_match, if_none_match = conditions.get("if_match"), conditions.get("if_none_match")
    since, unmodified = conditions.get("if_modified_since"), conditions.get("if_unmodified_since")
    if if_match and if_match != "*" and etag not in _etags(if_match):
        raise StorageError("ConditionNotMet")
    if unmodified is not None and modified > unmodified:
        raise StorageError("ConditionNotMet")
    not_modified = (if_none_match and (if_none_match == "*" or etag in _etags(if_none_match))) or \
        (since is not None and modified <= since)
    if not_modified:
        if read:
            raise StorageError("ConditionNotMet", "The condition specified using HTTP conditional header(s) is "
                               "not met.", status=304)
        raise StorageError("ConditionNotMet")


def _etags(value):
    return {v.strip() if v.strip().startswith('"') else f'"{v.strip()}"' for v in value.split(",")}
