"""What the registry accepts as a repository name, a tag, a digest and an upload id (pure checks)."""

import re

from azlocal.acr.dataplane.errors import RegistryError

DIGEST = re.compile(r"^sha256:[a-f0-9]{64}\Z")
NAME_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
NAME = re.compile(rf"^{NAME_COMPONENT}(?:/{NAME_COMPONENT})*\Z")
TAG = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\Z")
MAX_NAME = 256
UPLOAD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_digest(reference):
    """Whether a manifest reference names a digest (else it names a tag)."""
    return reference.startswith("sha256:")


def check_name(name):
    if not name or len(name) > MAX_NAME or ".." in name or not NAME.match(name):
        raise RegistryError("NAME_INVALID", "invalid repository name", {"name": name})


def check_digest(digest):
    if not DIGEST.match(digest or ""):
        raise RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content",
                            {"digest": digest})


def valid_upload_id(upload_id):
    """Upload ids are the registry's own uuid4s, in canonical form; nothing else names a session."""
    return isinstance(upload_id, str) and UPLOAD_ID.fullmatch(upload_id) is not None
