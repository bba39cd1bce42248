"""Where code in a container asks for its identity's tokens, and how the daemon knows who asks.

Container app replicas and job executions get the App Service-style endpoint, as Container Apps gives
them: `IDENTITY_ENDPOINT` (the daemon's `/msi/token` on the host's Docker bridge gateway, which every
container reaches) and `IDENTITY_HEADER`, the secret a request carries in `X-IDENTITY-HEADER`. The header
names the resource without a table: `<b64url(lower-cased resource id)>.<b64url(HMAC-SHA256(key, id))>`
under a per-home key kept in the secret store, so a header cannot be forged for another resource and a
daemon restarted at any moment checks it from the key alone. Which identity of the resource a token is
for is decided per request from the stored resource (`principals.select`): removing an identity stops
its tokens at once.

Container groups reach IMDS (`169.254.169.254`) instead: see imds.
"""

import base64
import hashlib
import hmac
import secrets as _random

from knack.log import get_logger

from azlocal.platform import secrets

logger = get_logger(__name__)
KEY_SECRET = "identity/endpoint-key"
MSI_PATH = "/msi/token"
API_VERSION = "2019-08-01"


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(create=True):
    value = secrets.get_secret(KEY_SECRET)
    if not value and create:
        secrets.set_secret(KEY_SECRET, _random.token_hex(32))
        value = secrets.get_secret(KEY_SECRET)  # another process may have won the race: the stored key is the one
    return bytes.fromhex(value) if value else None


def _mac(key, resource_id):
    return hmac.new(key, resource_id.encode(), hashlib.sha256).digest()


def header_for(resource_id):
    """The IDENTITY_HEADER value of a resource (stable for the home's life)."""
    rid = resource_id.rstrip("/").lower()
    return f"{_b64(rid.encode())}.{_b64(_mac(_key(), rid))}"


def resource_of(header):
    """The lower-cased resource id a header names, or None when it is missing, malformed or not ours."""
    text = (header or "").strip()
    body, dot, mac = text.partition(".")
    if not dot or not body or not mac or len(text) > 4096:
        return None
    key = _key(create=False)
    if key is None:
        return None
    try:
        rid = _unb64(body).decode()
        given = _unb64(mac)
    except (ValueError, UnicodeDecodeError):
        return None
    return rid if hmac.compare_digest(given, _mac(key, rid)) else None


def has_identity(doc):
    block = (doc or {}).get("identity")
    if not isinstance(block, dict):
        return False
    kind = str(block.get("type") or "None").replace(" ", "").lower()
    return kind not in ("", "none")


def app_environment(doc):
    """IDENTITY_ENDPOINT and IDENTITY_HEADER for a replica or job execution of `doc` (a container app or job)
    that has any identity; {} otherwise, or (with a warning saying why) when no endpoint can serve it."""
    if not has_identity(doc):
        return {}
    from azlocal.core.errors import AzLocalError
    from azlocal.platform import lifecycle
    from azlocal.platform.engine.objects import bridge_gateway

    address = bridge_gateway()
    if not address:
        logger.warning("The managed identity token endpoint is unavailable in '%s': Docker's bridge network has no "
                       "gateway address for containers to reach the daemon at; IDENTITY_ENDPOINT is not set.",
                       doc.get("name"))
        return {}
    try:
        port = lifecycle.ensure_running()["port"]
    except AzLocalError as ex:
        logger.warning("The managed identity token endpoint is unavailable in '%s' (the azlocal daemon serves it "
                       "and could not start: %s); IDENTITY_ENDPOINT is not set.", doc.get("name"), ex)
        return {}
    return {"IDENTITY_ENDPOINT": f"http://{address}:{port}{MSI_PATH}", "IDENTITY_HEADER": header_for(doc["id"])}
