"""What a manifest must look like before the registry stores it (Docker schema 2, OCI image spec 1.1).

`parse(load(body), media_type)` turns the bytes of a PUT into a `Manifest` (the facts the registry
records and the digests it must find), or raises MANIFEST_INVALID for anything malformed: not
JSON, nested deeper than a parser should follow, a field of the wrong type, a descriptor without
a valid media type, digest or size. It reads no storage; the caller checks that what the manifest
references is in the repository, and only then stores anything.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Optional

from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.names import DIGEST

INDEX_TYPES = {"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json"}
# OCI image spec, descriptor.md: algorithm ":" encoded
ANY_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
MAX_SIZE = 2 ** 63 - 1


@dataclass
class Manifest:
    doc: dict
    media_type: str
    config_digest: Optional[str] = None
    config_size: int = 0
    blobs: list = field(default_factory=list)  # config and layers: blobs the repository must hold
    children: list = field(default_factory=list)  # an index's manifests: manifests the repository must hold
    subject: Optional[str] = None
    artifact_type: Optional[str] = None
    annotations: Optional[dict] = None


def invalid(reason):
    return RegistryError("MANIFEST_INVALID", f"manifest invalid: {reason}", {"reason": reason})


def load(body):
    """The JSON object a manifest's bytes hold, or MANIFEST_INVALID."""
    try:
        doc = json.loads(body)
    except RecursionError:
        raise invalid("the document is nested too deeply")
    except ValueError:
        raise invalid("not JSON")
    if not isinstance(doc, dict):
        raise invalid("the document must be a JSON object")
    return doc


def parse(doc, media_type):
    """The facts of a manifest document (from `load`) of `media_type`, or MANIFEST_INVALID."""
    version = doc.get("schemaVersion")
    if "schemaVersion" in doc and (type(version) is not int or version != 2):
        raise invalid("schemaVersion must be 2")
    _optional_str(doc, "mediaType", "mediaType")
    _optional_str(doc, "artifactType", "artifactType")
    annotations = _annotations(doc, "annotations")
    subject = None
    if doc.get("subject") is not None:
        subject = _descriptor(doc["subject"], "subject")["digest"]
    manifest = Manifest(doc, media_type, subject=subject, annotations=annotations,
                        artifact_type=doc.get("artifactType"))
    if media_type in INDEX_TYPES:
        for i, entry in enumerate(_list(doc, "manifests")):
            descriptor = _descriptor(entry, f"manifests[{i}]")
            platform = descriptor.get("platform")
            if platform is not None and not (isinstance(platform, dict) and all(
                    isinstance(platform.get(k, ""), str) for k in ("architecture", "os", "variant", "os.version"))):
                raise invalid(f"manifests[{i}].platform must be an object of strings")
            manifest.children.append(descriptor["digest"])
        return manifest
    if "config" not in doc:
        raise invalid("config is required")
    config = _descriptor(doc["config"], "config")
    manifest.config_digest, manifest.config_size = config["digest"], config["size"]
    manifest.blobs.append(config["digest"])
    for i, layer in enumerate(_list(doc, "layers")):
        manifest.blobs.append(_descriptor(layer, f"layers[{i}]")["digest"])
    if subject and not manifest.artifact_type:
        manifest.artifact_type = config["mediaType"]
    return manifest


def _list(doc, key):
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise invalid(f"{key} must be an array")
    return value


def _optional_str(doc, key, where):
    if doc.get(key) is not None and not isinstance(doc[key], str):
        raise invalid(f"{where} must be a string")


def _annotations(doc, where):
    value = doc.get("annotations")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid(f"{where} must be an object of strings")
    return value or None


def _descriptor(value, where):
    if not isinstance(value, dict):
        raise invalid(f"{where} must be a descriptor object")
    if not isinstance(value.get("mediaType"), str) or not value["mediaType"]:
        raise invalid(f"{where}.mediaType must be a non-empty string")
    digest = value.get("digest")
    if not isinstance(digest, str) or not ANY_DIGEST.fullmatch(digest) or (
            digest.startswith("sha256:") and not DIGEST.match(digest)):
        raise invalid(f"{where}.digest is not a valid digest")
    size = value.get("size")
    if type(size) is not int or not 0 <= size <= MAX_SIZE:
        raise invalid(f"{where}.size must be a non-negative integer")
    urls = value.get("urls")
    if urls is not None and not (isinstance(urls, list) and all(isinstance(u, str) for u in urls)):
        raise invalid(f"{where}.urls must be an array of strings")
    _optional_str(value, "artifactType", f"{where}.artifactType")
    _annotations(value, f"{where}.annotations")
    return value
