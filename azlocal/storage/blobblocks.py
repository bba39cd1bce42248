"""Block blobs' staged blocks and block lists, and append blobs' Append Block: a part of BlobStore
(azlocal.storage.blobstore documents the layout and the commit discipline)."""

import json
import os
import shutil
import time
import uuid

from azlocal.storage import blobleases
from azlocal.storage.blobrecords import (
    CHUNK,
    blob_doc,
    check_blob_name,
    check_block_id,
    check_conditions,
    check_container_name,
    copy,
    new_etag,
    unlink,
)
from azlocal.storage.storage_errors import StorageError


class BlockOps:
    def stage_block(self, container, name, block_id, upload, content_md5=None):
        check_container_name(container)
        check_blob_name(name)
        try:
            upload.finish()
            check_block_id(block_id)
            if content_md5 and content_md5 != upload.digest():
                raise StorageError("Md5Mismatch")
            self._container_row(container)
            file_id = uuid.uuid4().hex
            os.replace(upload.path, os.path.join(self.root, "blocks", file_id))
        except BaseException:
            upload.abort()
            raise
        with self._write():
            old = self.db.execute("SELECT file FROM blocks WHERE container = ? AND blob = ? AND block_id = ?",
                                  (container, name, block_id)).fetchone()
            self.db.execute("INSERT OR REPLACE INTO blocks VALUES (?,?,?,?,?,?)",
                            (container, name, block_id, upload.size, file_id, time.time()))
        if old:
            unlink(os.path.join(self.root, "blocks", old["file"]))

    def block_list(self, container, name, which="committed"):
        """{'committed': [(id, size)], 'uncommitted': [(id, size)]} (which: committed, uncommitted, all)."""
        check_container_name(container)
        self._container_row(container)
        row = self.db.execute("SELECT * FROM blobs WHERE container = ? AND name = ?", (container, name)).fetchone()
        out = {"committed": [], "uncommitted": []}
        if which in ("committed", "all") and row is not None:
            out["committed"] = [tuple(b) for b in json.loads(row["blocks"] or "[]")]
        if which in ("uncommitted", "all"):
            out["uncommitted"] = [(r["block_id"], r["size"]) for r in self.db.execute(
                "SELECT block_id, size FROM blocks WHERE container = ? AND blob = ? ORDER BY staged",
                (container, name))]
        if row is None and not out["uncommitted"]:
            raise StorageError("BlobNotFound")
        return out

    def commit_blocks(self, container, name, blocks, *, settings=None, metadata=None, lease_id=None,
                      conditions=None):
        """Put Block List: `blocks` is [(kind, id)], kind 'latest', 'uncommitted' or 'committed'."""
        check_container_name(container)
        check_blob_name(name)
        self._container_row(container)
        row = self.db.execute("SELECT * FROM blobs WHERE container = ? AND name = ?", (container, name)).fetchone()
        committed, offset = {}, 0
        if row is not None:
            for block_id, size in json.loads(row["blocks"] or "[]"):
                committed[block_id] = (offset, size)
                offset += size
        staged = {r["block_id"]: (r["file"], r["size"]) for r in self.db.execute(
            "SELECT * FROM blocks WHERE container = ? AND blob = ?", (container, name))}
        upload = self.new_upload()
        chosen = []
        try:
            for kind, block_id in blocks:
                if kind in ("latest", "uncommitted") and block_id in staged:
                    file_id, size = staged[block_id]
                    with open(os.path.join(self.root, "blocks", file_id), "rb") as f:
                        copy(f, upload, size)
                elif kind in ("latest", "committed") and block_id in committed:
                    start, size = committed[block_id]
                    with open(self.data_path(row["file"]), "rb") as f:
                        f.seek(start)
                        copy(f, upload, size)
                else:
                    raise StorageError("InvalidBlockList")
                chosen.append((block_id, size))
            file_id = self._place(upload)
        except BaseException:
            upload.abort()
            raise
        return self._replace(container, name, file_id, upload.size, blocks=chosen, settings=settings,
                             metadata=metadata, lease_id=lease_id, conditions=conditions,
                             if_none_match_star=(conditions or {}).get("if_none_match") == "*")

    def append_block(self, container, name, upload, conditions=None, lease_id=None, max_size=None,
                     append_position=None):
        check_container_name(container)
        upload.finish()
        try:
            with self._write():
                row = self._blob_row(container, name)
                if row["blob_type"] != "AppendBlob":
                    raise StorageError("InvalidBlobType")
                check_conditions(blob_doc(row), conditions, read=False)
                blobleases.check_write(row["lease"], lease_id, "blob")
                if append_position is not None and int(append_position) != row["size"]:
                    raise StorageError("AppendPositionConditionNotMet", "The append position condition specified "
                                       "was not met.", status=412)
                if max_size is not None and row["size"] + upload.size > int(max_size):
                    raise StorageError("MaxBlobSizeConditionNotMet", "The max blob size condition specified was "
                                       "not met.", status=412)
                with open(self.data_path(row["file"]), "r+b") as out, open(upload.path, "rb") as src:
                    out.seek(row["size"])
                    shutil.copyfileobj(src, out, CHUNK)
                    out.truncate()
                    out.flush()
                    os.fsync(out.fileno())
                self.db.execute("UPDATE blobs SET size = ?, etag = ?, modified = ? WHERE container = ? AND name = ?",
                                (row["size"] + upload.size, new_etag(), time.time(), container, name))
        finally:
            upload.abort()
        doc = self.blob(container, name)
        return dict(doc, append_offset=row["size"])
