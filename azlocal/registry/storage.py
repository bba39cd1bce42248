"""A registry's storage under its root folder.

    blobs/sha256/<ab>/<hex>     content-addressed blobs (layers, configs and manifests alike)
    uploads/<uuid>              data of an upload session in progress (never visible as a blob)
    meta.db                     repositories, manifests, tags and their attributes (SQLite)

An upload is an object with an explicit commit: it streams to its own file while hashing, and
`commit` verifies the digest and moves the file into place with one atomic rename. Identical
blobs are stored once; repositories link to them.
"""

import hashlib
import json
import os
import re
import sqlite3
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from azlocal.registry.errors import RegistryError

DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
NAME_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
NAME = re.compile(rf"^{NAME_COMPONENT}(?:/{NAME_COMPONENT})*$")
TAG = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")
MAX_NAME = 256
CHUNK = 1 << 20

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
"""


def now():
    """ACR's timestamps: UTC with seven fractional digits."""
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0Z"


def check_name(name):
    if not name or len(name) > MAX_NAME or ".." in name or not NAME.match(name):
        raise RegistryError("NAME_INVALID", "invalid repository name", {"name": name})


def check_digest(digest):
    if not DIGEST.match(digest or ""):
        raise RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content",
                            {"digest": digest})


class Upload:
    """One upload session: appends to its own file while hashing; commit makes it a blob."""

    def __init__(self, store, upload_id, hasher=None):
        self.store, self.id = store, upload_id
        self.path = store.root / "uploads" / upload_id
        self.hasher = hasher

    @property
    def offset(self):
        return self.path.stat().st_size

    def _hasher(self):
        if self.hasher is None:
            # After a restart the in-memory hash state is gone: rebuild it from the data so far.
            self.hasher = hashlib.sha256()
            with open(self.path, "rb") as f:
                for block in iter(lambda: f.read(CHUNK), b""):
                    self.hasher.update(block)
        return self.hasher

    def append(self, block):
        self._hasher().update(block)
        with open(self.path, "ab") as f:
            f.write(block)

    def open_for_append(self):
        self._hasher()
        return open(self.path, "ab")

    def commit(self, digest, quota_bytes=None):
        check_digest(digest)
        actual = "sha256:" + self._hasher().hexdigest()
        if actual != digest:
            self.cancel()
            raise RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content",
                                {"expected": digest, "actual": actual})
        target = self.store.blob_path(digest)
        if target.exists():
            self.cancel()
            return digest
        size = self.offset
        if quota_bytes is not None and self.store.used_bytes() + size > quota_bytes:
            self.cancel()
            raise RegistryError("DENIED", f"storage quota exceeded: the registry may store {quota_bytes} bytes "
                                f"({quota_bytes // 1024 ** 3} GiB included in its SKU)", {"quota": quota_bytes})
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)
        self.store.uploads.pop(self.id, None)
        self.store.add_used(size)
        return digest

    def cancel(self):
        self.path.unlink(missing_ok=True)
        self.store.uploads.pop(self.id, None)


class RegistryStorage:
    def __init__(self, root):
        self.root = Path(root)
        (self.root / "uploads").mkdir(parents=True, exist_ok=True)
        (self.root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.root / "meta.db", isolation_level=None, check_same_thread=False,
                                  timeout=60)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)
        self.uploads = {}  # upload id -> Upload with live hash state
        self._used = None

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
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self.add_used(len(data))
        return digest

    def read_blob(self, digest):
        return self.blob_path(digest).read_bytes()

    def linked(self, repo, digest):
        row = self.db.execute("SELECT 1 FROM links WHERE repo = ? AND digest = ?", (repo, digest)).fetchone()
        return row is not None and self.blob_exists(digest)

    def link(self, repo, digest):
        self._ensure_repo(repo)
        self.db.execute("INSERT OR IGNORE INTO links (repo, digest) VALUES (?, ?)", (repo, digest))

    def unlink(self, repo, digest):
        return self.db.execute("DELETE FROM links WHERE repo = ? AND digest = ?", (repo, digest)).rowcount > 0

    # Uploads -----------------------------------------------------------------------------

    def new_upload(self):
        upload = Upload(self, str(uuid.uuid4()), hashlib.sha256())
        upload.path.touch()
        self.uploads[upload.id] = upload
        return upload

    def get_upload(self, upload_id):
        if upload_id in self.uploads:
            return self.uploads[upload_id]
        try:
            uuid.UUID(upload_id)
        except ValueError:
            return None
        upload = Upload(self, upload_id)
        if not upload.path.exists():
            return None
        self.uploads[upload_id] = upload
        return upload

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

    def set_repo_attrs(self, repo, changes):
        current = self.repo(repo)
        attrs = dict(current["attrs"], **changes)
        self.db.execute("UPDATE repos SET attrs = ?, updated = ? WHERE name = ?", (json.dumps(attrs), now(), repo))

    def put_manifest(self, repo, digest, media_type, size, config_digest=None, architecture=None, os_name=None,
                     subject=None, artifact_type=None, annotations=None):
        stamp = now()
        self._ensure_repo(repo)
        self.db.execute(
            "INSERT INTO manifests (repo, digest, media_type, size, created, updated, attrs, config_digest,"
            " architecture, os, subject, artifact_type, annotations) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (repo, digest) DO UPDATE SET updated = excluded.updated",
            (repo, digest, media_type, size, stamp, stamp, json.dumps(DEFAULT_ATTRIBUTES), config_digest,
             architecture, os_name, subject, artifact_type, json.dumps(annotations) if annotations else None))
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

    def delete_manifest(self, repo, digest):
        """Removes the manifest and the tags that point at it; returns the tags removed."""
        tags = [t["name"] for t in self.tags(repo) if t["digest"] == digest]
        with self._transaction():
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
        self.db.execute(
            "INSERT INTO tags (repo, tag, digest, created, updated, attrs) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (repo, tag) DO UPDATE SET digest = excluded.digest, updated = excluded.updated",
            (repo, tag, digest, stamp, stamp, json.dumps(DEFAULT_ATTRIBUTES)))

    def set_tag_attrs(self, repo, tag, changes):
        t = self.tag(repo, tag)
        attrs = dict(t["attrs"], **changes)
        self.db.execute("UPDATE tags SET attrs = ?, updated = ? WHERE repo = ? AND tag = ?",
                        (json.dumps(attrs), now(), repo, tag))

    def delete_tag(self, repo, tag):
        return self.db.execute("DELETE FROM tags WHERE repo = ? AND tag = ?", (repo, tag)).rowcount > 0

    def delete_repo(self, repo):
        manifests = [m["digest"] for m in self.manifests(repo)]
        tags = [t["name"] for t in self.tags(repo)]
        with self._transaction():
            for table in ("tags", "manifests", "links"):
                self.db.execute(f"DELETE FROM {table} WHERE repo = ?", (repo,))
            self.db.execute("DELETE FROM repos WHERE name = ?", (repo,))
        return {"manifestsDeleted": manifests, "tagsDeleted": tags}

    def _transaction(self):
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


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
    """One storage object per registry root per process (it keeps live upload hash state)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    key = (str(root), root.stat().st_ino)  # a deleted and re-created registry gets a new storage
    if key not in _storages:
        _storages[key] = RegistryStorage(root)
    return _storages[key]


def stale_uploads(root, older_than=24 * 3600):
    """Upload files nobody finished (e.g. a killed push): safe to remove, never visible as blobs."""
    cutoff = time.time() - older_than
    return [p for p in (Path(root) / "uploads").glob("*") if p.stat().st_mtime < cutoff]
