"""A registry's storage under its root folder: the one description of its file layout.

    blobs/sha256/<ab>/<hex>     content-addressed blobs (layers, configs and manifests alike)
    uploads/<uuid>              data of an upload session in progress (never visible as a blob)
    uploads/<uuid>.repo         the repository that session belongs to
    uploads/direct-<hex>        a blob being written in one go (a manifest), renamed into blobs/
    meta.db                     repositories, manifests, tags, links and their attributes (SQLite)
    encryption.json             only for a registry with a customer-managed key: its wrapped data key; every
                                blob is then sealed (sealed.py) and an upload is sealed as it is committed

Every blob appears with one atomic rename of a complete, verified file: an upload session
(`uploads.Upload`) streams to its own file and its commit verifies the digest of the bytes on
disk before the rename. A session belongs to the repository it was opened in. Identical blobs
are stored once; repositories link to them. Handlers call this module, `uploads` (sessions) and
`repository` (manifests and tags); nothing else touches the files.
"""

import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from azlocal.acr.dataplane import sealed, trash
from azlocal.acr.dataplane import uploads as sessions
from azlocal.acr.dataplane.encrypted import SealedBlobs
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.names import DIGEST, valid_upload_id
from azlocal.acr.dataplane.uploads import Upload
from azlocal.core.safepath import PathEscape, confine

OWNER_SUFFIX = ".repo"

DEFAULT_ATTRIBUTES = {"deleteEnabled": True, "listEnabled": True, "readEnabled": True, "writeEnabled": True}

SCHEMA = """
CREATE TABLE IF NOT EXISTS repos (name TEXT PRIMARY KEY, created TEXT, updated TEXT, attrs TEXT);
CREATE TABLE IF NOT EXISTS links (repo TEXT, digest TEXT, PRIMARY KEY (repo, digest));
CREATE TABLE IF NOT EXISTS manifests (
    repo TEXT, digest TEXT, media_type TEXT, size INTEGER, created TEXT, updated TEXT, attrs TEXT,
    config_digest TEXT, architecture TEXT, os TEXT, subject TEXT, artifact_type TEXT, annotations TEXT,
    PRIMARY KEY (repo, digest));
CREATE TABLE IF NOT EXISTS tags (repo TEXT, tag TEXT, digest TEXT, created TEXT, updated TEXT, attrs TEXT,
    PRIMARY KEY (repo, tag));
""" + trash.SCHEMA


def now():
    """ACR's timestamps: UTC with seven fractional digits."""
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0Z"


class RegistryStorage(SealedBlobs):
    def __init__(self, root):
        self.root = Path(root)
        (self.root / "uploads").mkdir(parents=True, exist_ok=True)
        (self.root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.root / "meta.db", isolation_level=None, check_same_thread=False,
                                  timeout=60)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)
        _add_column(self.db, "manifests", "untagged TEXT")  # when the manifest lost its last tag (retention)
        self.uploads = {}  # upload id -> live Upload (its lock serialises writes)
        self.lock = threading.RLock()  # one transaction at a time on the shared connection
        self._used = None
        self._encrypted = False

    # Blobs -------------------------------------------------------------------------------

    def blob_path(self, digest):
        hexa = digest.split(":", 1)[1]
        return self.root / "blobs" / "sha256" / hexa[:2] / hexa

    def blob_exists(self, digest):
        return DIGEST.match(digest or "") is not None and self.blob_path(digest).exists()

    def used_bytes(self):
        if self._used is None:
            self._used = sum(p.stat().st_size for p in (self.root / "blobs").rglob("*") if p.is_file())
        return self._used

    def add_used(self, size):
        if self._used is not None:
            self._used += size

    def put_blob_bytes(self, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        path = self.blob_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.root / "uploads" / f"direct-{uuid.uuid4().hex}"
            key = self.data_key()
            tmp.write_bytes(sealed.seal_bytes(key, data) if key else data)
            os.replace(tmp, path)
            self.add_used(len(data))
        return digest

    def read_blob(self, digest):
        key = self.data_key()
        return sealed.open_bytes(key, self.blob_path(digest)) if key else self.blob_path(digest).read_bytes()

    def linked(self, repo, digest):
        row = self.db.execute("SELECT 1 FROM links WHERE repo = ? AND digest = ?", (repo, digest)).fetchone()
        return row is not None and self.blob_exists(digest)

    def link(self, repo, digest):
        self._ensure_repo(repo)
        self.db.execute("INSERT OR IGNORE INTO links (repo, digest) VALUES (?, ?)", (repo, digest))

    def unlink(self, repo, digest):
        return self.db.execute("DELETE FROM links WHERE repo = ? AND digest = ?", (repo, digest)).rowcount > 0

    # Uploads -----------------------------------------------------------------------------

    def upload_path(self, upload_id, suffix=""):
        """uploads/<uuid>: the id comes from a URL, so only the canonical uuid form becomes a path,
        and the path (symlinks resolved) must stay in the uploads folder."""
        if not valid_upload_id(upload_id):
            raise sessions.unknown(upload_id)
        uploads = self.root / "uploads"
        try:
            return confine(uploads / (upload_id + suffix), uploads)
        except PathEscape:
            raise sessions.unknown(upload_id)

    def owner_path(self, upload_id):
        """uploads/<uuid>.repo: the repository the session was opened in (it survives a restart)."""
        return self.upload_path(upload_id, OWNER_SUFFIX)

    def new_upload(self, repo):
        self.data_key()  # a registry whose customer-managed key cannot be used takes no upload (403 DENIED)
        upload = Upload(self, str(uuid.uuid4()), repo)
        upload.path.touch()
        self.owner_path(upload.id).write_text(repo)
        self.uploads[upload.id] = upload
        return upload

    def get_upload(self, upload_id, repo):
        """The live session `upload_id` of `repo`, or None (unknown, finished, swept, or another repo's)."""
        if not valid_upload_id(upload_id):
            return None
        upload = self.uploads.get(upload_id)
        if upload is None:
            try:
                upload = Upload(self, upload_id, self.owner_path(upload_id).read_text())
            except (OSError, RegistryError, UnicodeDecodeError):
                return None
        if upload.closed or not upload.path.exists():
            self.uploads.pop(upload_id, None)
            return None
        self.uploads[upload_id] = upload
        return upload if upload.repo == repo else None

    # Repositories, manifests, tags ---------------------------------------------------------

    def _ensure_repo(self, repo):
        stamp = now()
        self.db.execute("INSERT OR IGNORE INTO repos (name, created, updated, attrs) VALUES (?, ?, ?, ?)",
                        (repo, stamp, stamp, json.dumps(DEFAULT_ATTRIBUTES)))

    def repo(self, repo):
        row = self.db.execute("SELECT name, created, updated, attrs FROM repos WHERE name = ?", (repo,)).fetchone()
        if row is None:
            return None
        return {"name": row[0], "created": row[1], "updated": row[2], "attrs": json.loads(row[3])}

    def repo_exists(self, repo):
        return self.db.execute("SELECT 1 FROM manifests WHERE repo = ? LIMIT 1", (repo,)).fetchone() is not None

    def repositories(self):
        rows = self.db.execute("SELECT DISTINCT repo FROM manifests ORDER BY repo").fetchall()
        return [r[0] for r in rows]

    def listed_repositories(self):
        """The repositories a catalog shows: those with manifests and listEnabled not false."""
        rows = self.db.execute("SELECT DISTINCT m.repo, r.attrs FROM manifests m LEFT JOIN repos r ON r.name = m.repo"
                               " ORDER BY m.repo").fetchall()
        return [r[0] for r in rows if json.loads(r[1] or "{}").get("listEnabled", True)]

    def set_repo_attrs(self, repo, changes):
        current = self.repo(repo)
        attrs = dict(current["attrs"], **changes)
        self.db.execute("UPDATE repos SET attrs = ?, updated = ? WHERE name = ?", (json.dumps(attrs), now(), repo))

    def put_manifest(self, repo, digest, media_type, size, *, config_digest=None, architecture=None, os_name=None,
                     subject=None, artifact_type=None, annotations=None):
        stamp = now()
        self._ensure_repo(repo)
        self.db.execute(
            "INSERT INTO manifests (repo, digest, media_type, size, created, updated, attrs, config_digest,"
            " architecture, os, subject, artifact_type, annotations, untagged) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (repo, digest) DO UPDATE SET updated = excluded.updated",
            (repo, digest, media_type, size, stamp, stamp, json.dumps(DEFAULT_ATTRIBUTES), config_digest,
             architecture, os_name, subject, artifact_type, json.dumps(annotations) if annotations else None,
             stamp))
        self.link(repo, digest)
        self.db.execute("UPDATE repos SET updated = ? WHERE name = ?", (stamp, repo))

    def manifest(self, repo, digest):
        row = self.db.execute(
            "SELECT digest, media_type, size, created, updated, attrs, config_digest, architecture, os, subject,"
            " artifact_type, annotations FROM manifests WHERE repo = ? AND digest = ?", (repo, digest)).fetchone()
        return _manifest_row(row) if row else None

    def manifests(self, repo):
        rows = self.db.execute(
            "SELECT digest, media_type, size, created, updated, attrs, config_digest, architecture, os, subject,"
            " artifact_type, annotations FROM manifests WHERE repo = ?", (repo,)).fetchall()
        return [_manifest_row(r) for r in rows]

    def referrers(self, repo, digest):
        rows = self.db.execute(
            "SELECT digest, media_type, size, created, updated, attrs, config_digest, architecture, os, subject,"
            " artifact_type, annotations FROM manifests WHERE repo = ? AND subject = ?", (repo, digest)).fetchall()
        return [_manifest_row(r) for r in rows]

    def set_manifest_attrs(self, repo, digest, changes):
        m = self.manifest(repo, digest)
        attrs = dict(m["attrs"], **changes)
        self.db.execute("UPDATE manifests SET attrs = ?, updated = ? WHERE repo = ? AND digest = ?",
                        (json.dumps(attrs), now(), repo, digest))

    def delete_manifest(self, repo, digest, soft=False):
        """Removes the manifest and the tags that point at it (with `soft`, keeps them restorable in the
        trash); returns the tags removed."""
        tags = [t["name"] for t in self.tags(repo) if t["digest"] == digest]
        with self._transaction():
            if soft:
                trash.keep_manifest(self.db, repo, digest, now())
            self.db.execute("DELETE FROM tags WHERE repo = ? AND digest = ?", (repo, digest))
            self.db.execute("DELETE FROM manifests WHERE repo = ? AND digest = ?", (repo, digest))
            self.db.execute("DELETE FROM links WHERE repo = ? AND digest = ?", (repo, digest))
        return tags

    def tag(self, repo, tag):
        row = self.db.execute("SELECT tag, digest, created, updated, attrs FROM tags WHERE repo = ? AND tag = ?",
                              (repo, tag)).fetchone()
        return _tag_row(row) if row else None

    def tags(self, repo):
        rows = self.db.execute("SELECT tag, digest, created, updated, attrs FROM tags WHERE repo = ? ORDER BY tag",
                               (repo,)).fetchall()
        return [_tag_row(r) for r in rows]

    def set_tag(self, repo, tag, digest):
        stamp = now()
        before = self.tag(repo, tag)
        with self._transaction():
            self.db.execute(
                "INSERT INTO tags (repo, tag, digest, created, updated, attrs) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (repo, tag) DO UPDATE SET digest = excluded.digest, updated = excluded.updated",
                (repo, tag, digest, stamp, stamp, json.dumps(DEFAULT_ATTRIBUTES)))
            self.db.execute("UPDATE manifests SET untagged = NULL WHERE repo = ? AND digest = ?", (repo, digest))
            if before and before["digest"] != digest:
                self._mark_untagged(repo, before["digest"], stamp)

    def _mark_untagged(self, repo, digest, stamp):
        """Records when a manifest lost its last tag (the retention policy counts its days from then)."""
        self.db.execute("UPDATE manifests SET untagged = ? WHERE repo = ? AND digest = ? AND untagged IS NULL"
                        " AND NOT EXISTS (SELECT 1 FROM tags WHERE repo = ? AND digest = ?)",
                        (stamp, repo, digest, repo, digest))

    def untagged_manifests(self, repo):
        """[(digest, untagged since)] of the repository's manifests no tag points at."""
        return self.db.execute("SELECT digest, untagged FROM manifests WHERE repo = ? AND untagged IS NOT NULL"
                               " AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repo = manifests.repo AND"
                               " t.digest = manifests.digest)", (repo,)).fetchall()

    def set_tag_attrs(self, repo, tag, changes):
        t = self.tag(repo, tag)
        attrs = dict(t["attrs"], **changes)
        self.db.execute("UPDATE tags SET attrs = ?, updated = ? WHERE repo = ? AND tag = ?",
                        (json.dumps(attrs), now(), repo, tag))

    def delete_tag(self, repo, tag, soft=False):
        before = self.tag(repo, tag)
        if before is None:
            return False
        stamp = now()
        with self._transaction():
            if soft:
                trash.keep_tag(self.db, repo, tag, stamp)
            self.db.execute("DELETE FROM tags WHERE repo = ? AND tag = ?", (repo, tag))
            self._mark_untagged(repo, before["digest"], stamp)
        return True

    def delete_repo(self, repo, soft=False):
        manifests = [m["digest"] for m in self.manifests(repo)]
        tags = [t["name"] for t in self.tags(repo)]
        with self._transaction():
            if soft:
                for digest in manifests:
                    trash.keep_manifest(self.db, repo, digest, now())
            for table in ("tags", "manifests", "links"):
                self.db.execute(f"DELETE FROM {table} WHERE repo = ?", (repo,))
            self.db.execute("DELETE FROM repos WHERE name = ?", (repo,))
        return {"manifestsDeleted": manifests, "tagsDeleted": tags}

    def _transaction(self):
        return _Transaction(self)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT on the storage's connection. Nested in the same thread, it joins the open
    transaction; another thread (a pull-through fetch) waits for it to end."""

    def __init__(self, storage):
        self.storage = storage
        self.outer = False

    def __enter__(self):
        self.storage.lock.acquire()
        self.outer = not self.storage.db.in_transaction
        if self.outer:
            self.storage.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        try:
            if self.outer:
                self.storage.db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.storage.lock.release()


def _add_column(db, table, column):
    """Adds a column to a table created by an older azlocal (a no-op when it is there)."""
    name = column.split()[0]
    if name not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
        try:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        except sqlite3.OperationalError:
            pass  # another process added it first


def _manifest_row(row):
    keys = ("digest", "mediaType", "size", "createdTime", "lastUpdateTime", "attrs", "configDigest",
            "architecture", "os", "subject", "artifactType", "annotations")
    m = dict(zip(keys, row))
    m["attrs"] = json.loads(m["attrs"])
    m["annotations"] = json.loads(m["annotations"]) if m["annotations"] else None
    return m


def _tag_row(row):
    return {"name": row[0], "digest": row[1], "createdTime": row[2], "lastUpdateTime": row[3],
            "attrs": json.loads(row[4])}


_storages = {}


def storage_for(root):
    """One storage object per registry root per process (it keeps the live upload sessions and their locks)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    key = (str(root), root.stat().st_ino)  # a deleted and re-created registry gets a new storage
    if key not in _storages:
        _storages[key] = RegistryStorage(root)
    return _storages[key]


def sweep_uploads(root, older_than):
    """Removes upload sessions nobody touched for `older_than` seconds (e.g. a killed push), and
    stray temporary files; a session a request is writing to right now is kept. Returns
    (files removed, bytes freed). Such files are never visible as blobs, so this is always safe."""
    uploads = Path(root) / "uploads"
    cutoff = time.time() - older_than
    live = {}
    for storage in list(_storages.values()):
        if storage.root.resolve() == Path(root).resolve():
            live = storage.uploads
    return sessions.sweep(uploads, cutoff, live)
