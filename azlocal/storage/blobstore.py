"""The Blob service's store: containers, block and append blobs, their properties, metadata, ETags and
leases, kept under paths.blobs_dir(account). No HTTP here: the data plane and `az storage blob` both call it.

Layout (one account):

    <blobs>/index.db            SQLite (WAL): containers, blobs and uncommitted blocks (tables below)
    <blobs>/data/<ab>/<id>      the content of one committed blob version (<id>: 32 random hex digits)
    <blobs>/blocks/<id>         one staged (uncommitted) block
    <blobs>/staging/<id>        an upload being received

A container or blob name is never a path: names live only in the index, content files are named by
random ids. Every write is one atomic commit: the new content is written and fsynced under staging/,
renamed to its final (still unreferenced) id, then one IMMEDIATE transaction points the row at it; the
file the row pointed at before is removed after the commit. A failed or dropped upload leaves no row and
its staging file is removed (anything older than a day in staging/ is swept). Committed block lists are
kept as (id, size) pairs over the content file, so Put Block List can reuse committed blocks. Append blobs
append to their content file under the write transaction; readers never read past the committed size.
"""

import json
import os
import sqlite3
import time

from azlocal.storage import blobleases
from azlocal.storage.blobblocks import BlockOps
from azlocal.storage.blobrecords import (
    CONTENT_SETTINGS,
    Tx,
    Upload,
    blob_doc,
    check_blob_name,
    check_conditions,
    check_container_name,
    container_doc,
    copy,
    new_etag,
    page,
    settings_of,
    unlink,
)
from azlocal.storage.storage_errors import StorageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS containers(name TEXT PRIMARY KEY, etag TEXT, modified REAL, metadata TEXT,
    public_access TEXT, acl TEXT, lease TEXT);
CREATE TABLE IF NOT EXISTS blobs(container TEXT, name TEXT, blob_type TEXT, size INTEGER, etag TEXT,
    modified REAL, created REAL, file TEXT, blocks TEXT, props TEXT, metadata TEXT, lease TEXT,
    PRIMARY KEY(container, name));
CREATE TABLE IF NOT EXISTS blocks(container TEXT, blob TEXT, block_id TEXT, size INTEGER, file TEXT,
    staged REAL, PRIMARY KEY(container, blob, block_id));
"""


class BlobStore(BlockOps):
    def __init__(self, account, root=None):
        from azlocal.storage import paths

        self.account = account
        self.root = str(root or paths.blobs_dir(account))
        for sub in ("data", "blocks", "staging"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        self.db = sqlite3.connect(os.path.join(self.root, "index.db"), timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)

    def close(self):
        self.db.close()

    # transactions ----------------------------------------------------------------------------------
    def _write(self):
        return Tx(self.db)

    def new_upload(self):
        return Upload(self.root)

    def _place(self, upload):
        """The finished upload's file moves to data/ under its own (unreferenced) id; returns that id."""
        upload.finish()
        file_id = upload.id
        os.makedirs(os.path.join(self.root, "data", file_id[:2]), exist_ok=True)
        os.replace(upload.path, self.data_path(file_id))
        return file_id

    def data_path(self, file_id):
        return os.path.join(self.root, "data", file_id[:2], file_id)

    def _drop_file(self, file_id):
        if file_id:
            try:
                os.unlink(self.data_path(file_id))
            except FileNotFoundError:
                pass

    # containers -------------------------------------------------------------------------------------
    def _container_row(self, name):
        row = self.db.execute("SELECT * FROM containers WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StorageError("ContainerNotFound")
        return row

    def container(self, name):
        return container_doc(self._container_row(check_container_name(name)))

    def container_exists(self, name):
        check_container_name(name)
        return self.db.execute("SELECT 1 FROM containers WHERE name = ?", (name,)).fetchone() is not None

    def create_container(self, name, metadata=None, public_access=None):
        check_container_name(name)
        with self._write():
            if self.db.execute("SELECT 1 FROM containers WHERE name = ?", (name,)).fetchone():
                raise StorageError("ContainerAlreadyExists")
            self.db.execute("INSERT INTO containers VALUES (?,?,?,?,?,?,?)",
                            (name, new_etag(), time.time(), json.dumps(metadata or {}), public_access or None,
                             "[]", None))
        return self.container(name)

    def list_containers(self, prefix="", marker=None, max_results=None):
        """(containers, next_marker) in name order, from `marker` (a name) on."""
        rows = self.db.execute("SELECT * FROM containers WHERE name >= ? AND substr(name, 1, ?) = ? ORDER BY name",
                               (marker or "", len(prefix or ""), prefix or "")).fetchall()
        return page([container_doc(r) for r in rows], max_results)

    def delete_container(self, name, lease_id=None, conditions=None):
        check_container_name(name)
        with self._write():
            row = self._container_row(name)
            check_conditions(container_doc(row), conditions, read=False)
            blobleases.check_write(row["lease"], lease_id, "container", delete=True)
            files = [r["file"] for r in self.db.execute("SELECT file FROM blobs WHERE container = ?", (name,))]
            blocks = [r["file"] for r in self.db.execute("SELECT file FROM blocks WHERE container = ?", (name,))]
            for table, column in (("containers", "name"), ("blobs", "container"), ("blocks", "container")):
                self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (name,))
        for file_id in files:
            self._drop_file(file_id)
        for file_id in blocks:
            unlink(os.path.join(self.root, "blocks", file_id))

    def set_container(self, name, *, metadata=None, public_access=False, acl=None, lease_id=None,
                      conditions=None):
        """Replaces the metadata, or the ACL (public access and stored access policies); new ETag."""
        check_container_name(name)
        with self._write():
            row = self._container_row(name)
            check_conditions(container_doc(row), conditions, read=False)
            blobleases.check_write(row["lease"], lease_id, "container", required=False)
            values = {"etag": new_etag(), "modified": time.time()}
            if metadata is not None:
                values["metadata"] = json.dumps(metadata)
            if public_access is not False:
                values["public_access"] = public_access or None
                values["acl"] = json.dumps(acl or [])
            sets = ", ".join(f"{k} = ?" for k in values)
            self.db.execute(f"UPDATE containers SET {sets} WHERE name = ?", (*values.values(), name))
        return self.container(name)

    def container_lease(self, name, action, **kwargs):
        check_container_name(name)
        with self._write():
            row = self._container_row(name)
            check_conditions(container_doc(row), kwargs.pop("conditions", None), read=False)
            lease, result = blobleases.apply(row["lease"], action, what="container", **kwargs)
            self.db.execute("UPDATE containers SET lease = ? WHERE name = ?", (lease, name))
        return dict(result, etag=row["etag"], last_modified=row["modified"])

    # blobs ------------------------------------------------------------------------------------------
    def _blob_row(self, container, name, missing="BlobNotFound"):
        self._container_row(container)
        row = self.db.execute("SELECT * FROM blobs WHERE container = ? AND name = ?", (container, name)).fetchone()
        if row is None:
            raise StorageError(missing)
        return row

    def blob(self, container, name, lease_id=None, conditions=None):
        check_container_name(container)
        check_blob_name(name)
        row = self._blob_row(container, name)
        doc = blob_doc(row)
        check_conditions(doc, conditions, read=True)
        if lease_id:
            blobleases.check_write(row["lease"], lease_id, "blob", required=False)
        return doc

    def blob_exists(self, container, name):
        try:
            self.blob(container, name)
        except StorageError as ex:
            if ex.code == "BlobNotFound":
                return False
            raise
        return True

    def open_blob(self, container, name, conditions=None, lease_id=None):
        """(document, open binary file) of the committed content; read at most document['size'] bytes."""
        doc = self.blob(container, name, lease_id=lease_id, conditions=conditions)
        return doc, open(self.data_path(doc["_file"]), "rb")

    def _replace(self, container, name, file_id, size, *, blob_type="BlockBlob", blocks=(), settings=None,
                 metadata=None, lease_id=None, conditions=None, if_none_match_star=False):
        """The one commit of a new blob version (a placed file) under (container, name)."""
        old = None
        try:
            with self._write():
                self._container_row(container)
                row = self.db.execute("SELECT * FROM blobs WHERE container = ? AND name = ?",
                                      (container, name)).fetchone()
                if row is not None:
                    if if_none_match_star:
                        raise StorageError("BlobAlreadyExists")
                    check_conditions(blob_doc(row), conditions, read=False)
                    blobleases.check_write(row["lease"], lease_id, "blob")
                    old = row["file"]
                elif (conditions or {}).get("if_match"):
                    raise StorageError("ConditionNotMet")
                elif lease_id:
                    raise StorageError("LeaseNotPresentWithBlobOperation")
                now = time.time()
                self.db.execute(
                    "INSERT OR REPLACE INTO blobs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (container, name, blob_type, size, new_etag(), now, row["created"] if row else now, file_id,
                     json.dumps(list(blocks)), json.dumps(_typed(settings)), json.dumps(metadata or {}),
                     row["lease"] if row else None))
                blocks = self.db.execute("DELETE FROM blocks WHERE container = ? AND blob = ? RETURNING file",
                                         (container, name)).fetchall()
        except BaseException:
            self._drop_file(file_id)
            raise
        self._drop_file(old)
        for block in blocks:
            unlink(os.path.join(self.root, "blocks", block["file"]))
        return self.blob(container, name)

    def put_blob(self, container, name, upload, *, settings=None, metadata=None, content_md5=None,
                 lease_id=None, conditions=None, overwrite=True, blob_type="BlockBlob"):
        """Commits a finished Upload as the blob's new content (Put Blob); the upload is consumed."""
        check_container_name(container)
        check_blob_name(name)
        try:
            upload.finish()
            if content_md5 and content_md5 != upload.digest():
                raise StorageError("Md5Mismatch")
            file_id = self._place(upload)
        except BaseException:
            upload.abort()
            raise
        settings = dict(settings or {})
        if blob_type == "BlockBlob" and not settings.get("content_md5"):
            settings["content_md5"] = upload.digest()
        return self._replace(container, name, file_id, upload.size, blob_type=blob_type, settings=settings,
                             metadata=metadata, lease_id=lease_id, conditions=conditions,
                             if_none_match_star=not overwrite or (conditions or {}).get("if_none_match") == "*")

    def delete_blob(self, container, name, lease_id=None, conditions=None):
        check_container_name(container)
        check_blob_name(name)
        with self._write():
            row = self._blob_row(container, name)
            check_conditions(blob_doc(row), conditions, read=False)
            blobleases.check_write(row["lease"], lease_id, "blob", delete=True)
            self.db.execute("DELETE FROM blobs WHERE container = ? AND name = ?", (container, name))
            blocks = self.db.execute("DELETE FROM blocks WHERE container = ? AND blob = ? RETURNING file",
                                     (container, name)).fetchall()
        self._drop_file(row["file"])
        for block in blocks:
            unlink(os.path.join(self.root, "blocks", block["file"]))

    def set_blob(self, container, name, *, metadata=None, settings=None, lease_id=None, conditions=None):
        """Set Blob Metadata (replaces it) or Set Blob Properties (replaces the content settings)."""
        check_container_name(container)
        check_blob_name(name)
        with self._write():
            row = self._blob_row(container, name)
            check_conditions(blob_doc(row), conditions, read=False)
            blobleases.check_write(row["lease"], lease_id, "blob")
            values = {"etag": new_etag(), "modified": time.time()}
            if metadata is not None:
                values["metadata"] = json.dumps(metadata)
            if settings is not None:
                values["props"] = json.dumps(settings_of(settings))
            sets = ", ".join(f"{k} = ?" for k in values)
            self.db.execute(f"UPDATE blobs SET {sets} WHERE container = ? AND name = ?",
                            (*values.values(), container, name))
        return self.blob(container, name)

    def blob_lease(self, container, name, action, **kwargs):
        with self._write():
            row = self._blob_row(container, name)
            check_conditions(blob_doc(row), kwargs.pop("conditions", None), read=False)
            lease, result = blobleases.apply(row["lease"], action, what="blob", **kwargs)
            self.db.execute("UPDATE blobs SET lease = ? WHERE container = ? AND name = ?", (lease, container, name))
        return dict(result, etag=row["etag"], last_modified=row["modified"])

    def list_blobs(self, container, prefix="", delimiter=None, marker=None, max_results=None):
        """(items, next_marker): items are blob documents, or {'prefix': p} for a virtual directory."""
        check_container_name(container)
        self._container_row(container)
        prefix = prefix or ""
        rows = self.db.execute(
            "SELECT * FROM blobs WHERE container = ? AND name >= ? AND substr(name, 1, ?) = ? ORDER BY name",
            (container, marker or "", len(prefix), prefix)).fetchall()
        items, seen = [], set()
        for row in rows:
            if delimiter:
                rest = row["name"][len(prefix):]
                cut = rest.find(delimiter)
                if cut >= 0:
                    virtual = prefix + rest[:cut + len(delimiter)]
                    if virtual not in seen:
                        seen.add(virtual)
                        items.append({"prefix": virtual, "name": virtual})
                    continue
            items.append(blob_doc(row))
        return page(items, max_results)

    def copy_blob(self, container, name, source_store, source_container, source_name, metadata=None,
                  conditions=None, lease_id=None):
        """A copy within this daemon (synchronous: the copy is 'success' when this returns)."""
        doc, src = source_store.open_blob(source_container, source_name)
        upload = self.new_upload()
        try:
            with src:
                copy(src, upload, doc["size"])
        except BaseException:
            upload.abort()
            raise
        settings = {k: doc[k] for k in CONTENT_SETTINGS}
        return self.put_blob(container, name, upload, settings=settings,
                             metadata=doc["metadata"] if metadata is None else metadata, conditions=conditions,
                             lease_id=lease_id, blob_type=doc["blob_type"])


def _typed(settings):
    """A new blob's content settings: Azure's default type when none was given."""
    out = settings_of(settings)
    out["content_type"] = out["content_type"] or "application/octet-stream"
    return out
