"""Retention of untagged manifests (Premium): the daemon's housekeeping deletes them after the days the
registry's retention policy says.

As ACR documents it: the policy applies to manifests that became untagged after it was enabled; a manifest
that is locked (writeEnabled or deleteEnabled false, on it or its repository) is never deleted; days 0
deletes at once. A manifest an index of the repository refers to is part of that image and is kept. The
sweep also purges soft-deleted artifacts older than the soft delete policy's retention days.
"""

import json
import logging
import time
from datetime import datetime, timedelta, timezone

from azlocal.acr import registries, registry_config
from azlocal.acr.dataplane import repository, trash
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.manifests import INDEX_TYPES
from azlocal.acr.dataplane.storage import RegistryStorage
from azlocal.core import settings

log = logging.getLogger("azlocal.daemon")
_last = [None]


def _stamp(moment):
    """A time in the storage's timestamp format (UTC, seven fractional digits), comparable as text."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def sweep(force=False):
    """Housekeeping: applies every registry's retention policy once, at most every
    AZLOCAL_RETENTION_SWEEP_SECONDS (30 s by default). Returns the manifests deleted."""
    now = time.monotonic()
    if not force and _last[0] is not None and now - _last[0] < settings.retention_sweep_seconds():
        return 0
    _last[0] = now
    deleted = 0
    for doc in registries.list_registries():
        root = registries.storage_root(doc["name"])
        if not (root / "meta.db").is_file():
            continue  # nothing pushed yet, or a deleted registry: never create its folder
        storage = RegistryStorage(root)
        try:
            deleted += apply(doc, storage)
            soft = registry_config.policies(doc).get("softDeletePolicy") or {}
            trash.purge(storage.db, soft.get("retentionDays", 7))
        finally:
            storage.db.close()
    return deleted


def apply(doc, storage, moment=None):
    """Deletes the registry's untagged manifests its retention policy says are due. Returns how many."""
    policy = registry_config.policies(doc).get("retentionPolicy") or {}
    if doc["sku"]["name"] != "Premium" or policy.get("status") != "enabled":
        return 0
    since = registry_config.retention_since(doc["name"]) or (policy.get("lastUpdatedTime") or "")[:19]
    cutoff = _stamp((moment or datetime.now(timezone.utc)) - timedelta(days=policy.get("days") or 0))
    deleted = 0
    for name in storage.repositories():
        kept = _referenced(storage, name)
        for digest, untagged in storage.untagged_manifests(name):
            if untagged < since or untagged > cutoff or digest in kept:
                continue
            manifest = storage.manifest(name, digest)
            if manifest is None or manifest["subject"]:
                continue  # a referrer (signature, SBOM) lives and dies with its subject
            try:
                repository.check_manifest_delete(storage, name, manifest)
            except RegistryError:
                continue  # locked: the policy never deletes it
            storage.delete_manifest(name, digest)
            deleted += 1
            log.info("retention: deleted untagged manifest %s/%s@%s", doc["name"], name, digest)
    return deleted


def _referenced(storage, name):
    """The digests the repository's indexes (multi-platform images) refer to."""
    found = set()
    for m in storage.manifests(name):
        if m["mediaType"] not in INDEX_TYPES:
            continue
        try:
            entries = json.loads(storage.read_blob(m["digest"])).get("manifests") or []
        except (OSError, ValueError, AttributeError):
            continue
        found.update(e.get("digest") for e in entries if isinstance(e, dict))
    return found
