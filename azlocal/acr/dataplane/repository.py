"""What a repository's manifests and tags do: resolve a reference, put, delete, list referrers,
and the locks (readEnabled, writeEnabled, deleteEnabled) that guard them.

Each function takes the registry's storage and raises RegistryError; none knows about HTTP.
A manifest is stored only once it passed every check (its bytes, its row, its tag, in that order).
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Optional

from azlocal.acr.dataplane import manifests
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.names import TAG, check_digest, is_digest

MANIFEST_TYPES = {
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
}
MAX_MANIFEST = 4 * 1024 * 1024
CHANGEABLE = {"deleteEnabled", "writeEnabled", "readEnabled", "listEnabled"}


@dataclass
class Pushed:
    """A manifest just stored: what the response and the push event tell."""
    digest: str
    media_type: str
    size: int
    tag: Optional[str] = None
    subject: Optional[str] = None


# Locks --------------------------------------------------------------------------------------
# ACR's changeableAttributes: writeEnabled false forbids overwriting and deleting, deleteEnabled false
# deleting only, readEnabled false pulling, listEnabled false showing in listings. A repository's
# attributes hold for everything in it; a tag's and a manifest's for that image.

DISALLOWED = "The operation is disallowed on this registry, repository or image."


def _locked(what, attribute):
    return f"{what} is locked ({attribute} is false)"


def check_read(storage, name, manifest=None, tag=None):
    """Pulls: the repository, the manifest and the tag it was asked by must be readable."""
    repo = storage.repo(name)
    for what, attrs in ((f"repository '{name}'", repo and repo["attrs"]),
                        (f"manifest '{manifest and manifest['digest']}'", manifest and manifest["attrs"]),
                        (f"tag '{tag and tag['name']}'", tag and tag["attrs"])):
        if attrs and not attrs.get("readEnabled", True):
            raise RegistryError("DENIED", DISALLOWED, _locked(what, "readEnabled"))


def check_write(storage, name, tag=None):
    """Pushes: the repository must be writable, and a tag being moved must not be locked, nor the image
    it points at now."""
    repo = storage.repo(name)
    if repo and not repo["attrs"].get("writeEnabled", True):
        raise RegistryError("DENIED", DISALLOWED, _locked(f"repository '{name}'", "writeEnabled"))
    existing = storage.tag(name, tag) if tag else None
    if existing and not existing["attrs"].get("writeEnabled", True):
        raise RegistryError("DENIED", DISALLOWED, _locked(f"tag '{tag}'", "writeEnabled"))
    current = storage.manifest(name, existing["digest"]) if existing else None
    if current and not current["attrs"].get("writeEnabled", True):
        raise RegistryError("DENIED", DISALLOWED, _locked(f"manifest '{current['digest']}'", "writeEnabled"))


def check_delete(attrs, what):
    """Deletes: neither writeEnabled nor deleteEnabled may be false (405, as ACR answers)."""
    for attribute in ("writeEnabled", "deleteEnabled"):
        if not attrs.get(attribute, True):
            raise RegistryError("DENIED", DISALLOWED, _locked(what, attribute), status=405)


def _check_repository_write(storage, name):
    repo = storage.repo(name)
    if repo and not repo["attrs"].get("writeEnabled", True):
        raise RegistryError("DENIED", DISALLOWED, _locked(f"repository '{name}'", "writeEnabled"), status=405)


def check_manifest_delete(storage, name, manifest):
    """A manifest goes with its tags: none of them, nor the manifest, may be locked, nor its repository against
    writes (a repository only protected from deletion keeps its images deletable, as ACR documents)."""
    _check_repository_write(storage, name)
    check_delete(manifest["attrs"], f"manifest '{manifest['digest']}'")
    for t in storage.tags(name):
        if t["digest"] == manifest["digest"]:
            check_delete(t["attrs"], f"tag '{t['name']}'")


def check_repository_delete(storage, name):
    """A repository is deleted whole or not at all: a locked image in it keeps it (and everything) there."""
    repo = storage.repo(name)
    check_delete(repo["attrs"] if repo else {}, f"repository '{name}'")
    for m in storage.manifests(name):
        check_delete(m["attrs"], f"manifest '{m['digest']}'")
    for t in storage.tags(name):
        check_delete(t["attrs"], f"tag '{t['name']}'")


def listed(items):
    """The items a listing shows: those whose listEnabled is not false."""
    return [i for i in items if i["attrs"].get("listEnabled", True)]


def changeable(body):
    """The changeable attributes a PATCH body sets (others are ignored), as booleans."""
    return {k: bool(v) for k, v in (body or {}).items() if k in CHANGEABLE}


# Manifests ----------------------------------------------------------------------------------

def resolve(storage, name, ref, tag_row=None):
    """The manifest a tag or digest names (its blob present), or MANIFEST_UNKNOWN. `tag_row`, a list,
    receives the tag's row when `ref` is a tag."""
    if is_digest(ref):
        check_digest(ref)
        manifest = storage.manifest(name, ref)
    else:
        tag = storage.tag(name, ref)
        if tag_row is not None and tag:
            tag_row.append(tag)
        manifest = storage.manifest(name, tag["digest"]) if tag else None
    if manifest is None or not storage.blob_exists(manifest["digest"]):
        raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"name": name, "reference": ref})
    return manifest


def readable(storage, name, ref):
    """The manifest a pull asks for, honouring readEnabled (of the repository, the manifest and the tag)."""
    tag_row = []
    manifest = resolve(storage, name, ref, tag_row)
    check_read(storage, name, manifest, tag_row[0] if tag_row else None)
    return manifest


def check_reference(storage, name, ref):
    """Before the body is read: a tag must be well-formed, and the repository (and tag) writable."""
    if not is_digest(ref) and not TAG.match(ref):
        raise RegistryError("TAG_INVALID", "manifest tag did not match URI", {"tag": ref}, status=400)
    check_write(storage, name, None if is_digest(ref) else ref)


def put(storage, name, ref, body, content_type):
    """Validates and stores the manifest `body` under `ref` (a tag or its digest); returns `Pushed`."""
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    if is_digest(ref) and digest != ref:
        raise RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content",
                            {"expected": ref, "actual": digest})
    doc = manifests.load(body)
    media_type = content_type if content_type in MANIFEST_TYPES else doc.get("mediaType")
    if not isinstance(media_type, str) or media_type not in MANIFEST_TYPES:
        raise RegistryError("MANIFEST_INVALID", f"manifest invalid: unsupported media type '{media_type}'")
    m = manifests.parse(doc, media_type)
    arch, os_name = _check_references(storage, name, m)
    storage.put_blob_bytes(body)
    storage.put_manifest(name, digest, media_type, len(body), config_digest=m.config_digest, architecture=arch,
                         os_name=os_name, subject=m.subject, artifact_type=m.artifact_type,
                         annotations=m.annotations)
    tag = None if is_digest(ref) else ref
    if tag:
        storage.set_tag(name, tag, digest)
    return Pushed(digest, media_type, len(body), tag=tag, subject=m.subject)


def _check_references(storage, name, m):
    """Every blob a manifest names must be linked in its own repository (pushed or mounted there),
    every manifest an index names must be a manifest of that repository. Links nothing.
    Returns the (architecture, os) its image config tells, when it is small enough to read."""
    for d in m.children:
        if not storage.manifest(name, d) or not storage.blob_exists(d):
            raise RegistryError("MANIFEST_BLOB_UNKNOWN", "manifest blob unknown to registry", {"digest": d})
    for d in m.blobs:
        if not storage.linked(name, d):
            raise RegistryError("MANIFEST_BLOB_UNKNOWN", "manifest blob unknown to registry", {"digest": d})
    arch = os_name = None
    if m.config_digest and m.config_size < 1024 * 1024:
        try:
            image_config = json.loads(storage.read_blob(m.config_digest))
            arch, os_name = image_config.get("architecture"), image_config.get("os")
        except (ValueError, AttributeError, OSError, RecursionError):
            pass
        arch = arch if isinstance(arch, str) else None
        os_name = os_name if isinstance(os_name, str) else None
    return arch, os_name


def delete(storage, name, ref, soft=False):
    """Deletes a tag (`ref` a tag) or a manifest and its tags (`ref` a digest), honouring the locks (with
    `soft`, into the trash). Returns the delete event's (tag, digest, media type, size)."""
    if not is_digest(ref):
        tag = storage.tag(name, ref)
        if tag is None:
            raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"name": name, "reference": ref})
        check_tag_delete(storage, name, tag)
        storage.delete_tag(name, ref, soft=soft)
        return ref, tag["digest"], None, None
    m = resolve(storage, name, ref)
    check_manifest_delete(storage, name, m)
    storage.delete_manifest(name, ref, soft=soft)
    return None, ref, m["mediaType"], m["size"]


def check_tag_delete(storage, name, tag):
    """Untagging: the tag must not be locked, nor its repository or its image against writes."""
    _check_repository_write(storage, name)
    check_delete(tag["attrs"], f"tag '{tag['name']}'")
    manifest = storage.manifest(name, tag["digest"])
    if manifest and not manifest["attrs"].get("writeEnabled", True):
        raise RegistryError("DENIED", DISALLOWED, _locked(f"manifest '{manifest['digest']}'", "writeEnabled"),
                            status=405)


def referrers(storage, name, digest, artifact_type=None):
    """The descriptors of the manifests whose subject is `digest` (of `artifact_type` only, if given)."""
    entries = []
    for m in storage.referrers(name, digest):
        if artifact_type and m["artifactType"] != artifact_type:
            continue
        entry = {"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"]}
        if m["artifactType"]:
            entry["artifactType"] = m["artifactType"]
        if m["annotations"]:
            entry["annotations"] = m["annotations"]
        entries.append(entry)
    return entries
