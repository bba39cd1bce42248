"""Soft-deleted artifacts: with a registry's soft delete policy enabled, a deleted manifest (with its tags) or
tag goes to the trash of the registry's metadata database, where it can be listed and restored until it
has been there longer than the policy's retention days (then `purge` removes it for good).

Blobs are never removed by a delete here, so a restored manifest finds its layers where they were.
Functions take the storage's SQLite connection (callers hold its transaction) and raise RegistryError.
"""

from datetime import datetime, timedelta, timezone

from azlocal.acr.dataplane.errors import RegistryError

SCHEMA = """
CREATE TABLE IF NOT EXISTS deleted_manifests (
    repo TEXT, digest TEXT, media_type TEXT, size INTEGER, created TEXT, updated TEXT, attrs TEXT,
    config_digest TEXT, architecture TEXT, os TEXT, subject TEXT, artifact_type TEXT, annotations TEXT,
    deleted TEXT, PRIMARY KEY (repo, digest));
CREATE TABLE IF NOT EXISTS deleted_tags (repo TEXT, tag TEXT, digest TEXT, created TEXT, updated TEXT,
    attrs TEXT, deleted TEXT, PRIMARY KEY (repo, tag, digest));
"""
COLUMNS = ("repo, digest, media_type, size, created, updated, attrs, config_digest, architecture, os, subject, "
           "artifact_type, annotations")


def keep_manifest(db, repo, digest, stamp):
    """Puts a manifest about to be deleted, and the tags pointing at it, in the trash."""
    db.execute(f"INSERT OR REPLACE INTO deleted_manifests ({COLUMNS}, deleted) SELECT {COLUMNS}, ? FROM manifests"
               " WHERE repo = ? AND digest = ?", (stamp, repo, digest))
    db.execute("INSERT OR REPLACE INTO deleted_tags (repo, tag, digest, created, updated, attrs, deleted)"
               " SELECT repo, tag, digest, created, updated, attrs, ? FROM tags WHERE repo = ? AND digest = ?",
               (stamp, repo, digest))


def keep_tag(db, repo, tag, stamp):
    """Puts a tag about to be deleted in the trash (its manifest stays where it is)."""
    db.execute("INSERT OR REPLACE INTO deleted_tags (repo, tag, digest, created, updated, attrs, deleted)"
               " SELECT repo, tag, digest, created, updated, attrs, ? FROM tags WHERE repo = ? AND tag = ?",
               (stamp, repo, tag))


def repositories(db):
    """The repositories that have soft-deleted artifacts."""
    rows = db.execute("SELECT DISTINCT repo FROM deleted_manifests UNION SELECT DISTINCT repo FROM deleted_tags"
                      " ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def manifests(db, repo):
    rows = db.execute("SELECT digest, media_type, size, created, updated, architecture, os, deleted FROM"
                      " deleted_manifests WHERE repo = ? ORDER BY deleted, digest", (repo,)).fetchall()
    tags = {}
    for tag, digest in db.execute("SELECT tag, digest FROM deleted_tags WHERE repo = ? ORDER BY tag", (repo,)):
        tags.setdefault(digest, []).append(tag)
    return [{"digest": r[0], "mediaType": r[1], "imageSize": r[2], "createdTime": r[3], "lastUpdateTime": r[4],
             "architecture": r[5], "os": r[6], "deletedAt": r[7], "tags": tags.get(r[0], [])} for r in rows]


def tags(db, repo):
    rows = db.execute("SELECT tag, digest, created, updated, deleted FROM deleted_tags WHERE repo = ?"
                      " ORDER BY deleted, tag", (repo,)).fetchall()
    return [{"tag": r[0], "digest": r[1], "createdTime": r[2], "lastUpdateTime": r[3], "deletedAt": r[4]}
            for r in rows]


def restore(storage, repo, digest, tag=None, force=False):
    """Brings a soft-deleted manifest back (if it is in the trash), and `tag` pointing at it. A live tag
    pointing elsewhere is only moved with `force`. Returns what was restored."""
    db = storage.db
    row = db.execute(f"SELECT {COLUMNS} FROM deleted_manifests WHERE repo = ? AND digest = ?",
                     (repo, digest)).fetchone()
    live = storage.manifest(repo, digest)
    if row is None and live is None:
        raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"name": repo, "digest": digest})
    if row is not None and not storage.blob_exists(digest):
        raise RegistryError("MANIFEST_UNKNOWN", "the deleted manifest has been purged", {"digest": digest})
    current = storage.tag(repo, tag) if tag else None
    if current and current["digest"] != digest and not force:
        raise RegistryError("TAG_CONFLICT", f"the tag '{tag}' already exists and points at another manifest;"
                            " use --force to overwrite it", {"tag": tag}, status=409)
    if tag and live is None and row is None:
        raise RegistryError("TAG_UNKNOWN", "the specified tag does not exist", {"tag": tag}, status=404)
    with storage._transaction():
        if row is not None:
            storage._ensure_repo(repo)
            db.execute(f"INSERT OR IGNORE INTO manifests ({COLUMNS}) VALUES ({', '.join('?' * 13)})", row)
            db.execute("INSERT OR IGNORE INTO links (repo, digest) VALUES (?, ?)", (repo, digest))
            db.execute("DELETE FROM deleted_manifests WHERE repo = ? AND digest = ?", (repo, digest))
        if tag:
            storage.set_tag(repo, tag, digest)
            db.execute("DELETE FROM deleted_tags WHERE repo = ? AND tag = ? AND digest = ?", (repo, tag, digest))
    return {"digest": digest, "tag": tag}


def purge(db, retention_days, now=None):
    """Removes for good what has been in the trash longer than `retention_days`. Returns how many."""
    now = now or datetime.now(timezone.utc)
    cutoff = (now - timedelta(days=retention_days)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    removed = 0
    for table in ("deleted_manifests", "deleted_tags"):
        removed += db.execute(f"DELETE FROM {table} WHERE deleted < ?", (cutoff,)).rowcount
    return removed
