"""Maps a request's Host to the registry it names, as the registry app's resolver.

`<name>.azurecr.io` (and a replication's `<name>.<region>.data.azurecr.io`) → a RegistryView
built from the state store and the secret store. Views are cached per registry and rebuilt
when the registry's document or its credentials revision changes, so an `az acr update` takes
effect on the next request.
"""

import json
import logging
import time

from azlocal.acr import registries, registry_config, tokens
from azlocal.acr.dataplane import RegistryView, auth, cache, network
from azlocal.acr.dataplane.storage import sweep_uploads
from azlocal.core import settings
from azlocal.platform import secrets
from azlocal.platform.store import store

SUFFIX = ".azurecr.io"
SWEEP_EVERY = 600  # seconds between two sweeps of stale upload sessions
_last_sweep = [None]
log = logging.getLogger("azlocal.daemon")


def registry_name_of(host):
    host = (host or "").split(":")[0].lower().rstrip(".")
    if not host.endswith(SUFFIX):
        return None
    # <name>.azurecr.io, a DNL login server <name>-<hash>.azurecr.io, a data endpoint
    # <name>.<region>.data.azurecr.io or a regional endpoint <name>[-<hash>].<region>.geo.azurecr.io
    return host[: -len(SUFFIX)].split(".")[0].split("-")[0] or None


def make_resolver():
    cache = {}

    def resolve(host):
        name = registry_name_of(host)
        if not name:
            return None
        doc = registries.find(name)
        if doc is None:
            return None
        key = (json.dumps(doc, sort_keys=True), store().get_value(f"acr-credentials-rev/{name}", 0))
        cached = cache.get(name)
        if cached and cached[0] == key:
            return cached[1]
        view = _view(doc)
        cache[name] = (key, view)
        return view

    return resolve


def _notify_later(name, event):
    """Webhooks and base-image triggers must not hold up the registry's response."""
    import threading

    from azlocal.acr import tasks, webhooks

    def deliver():
        webhooks.notify(name, *event)
        action, repository, tag = event[0], event[1], event[2]
        if action == "push":
            tasks.on_image_push(name, repository, tag)

    threading.Thread(target=deliver, daemon=True).start()


def _view(doc):
    name = doc["name"]
    passwords = {p: secrets.get_secret(f"acr/{name}/{p}") for p in ("password", "password2")}

    def check_password(username, password):
        return (doc["adminUserEnabled"] and username.lower() == name.lower() and bool(password)
                and password in passwords.values())

    view = RegistryView(
        name=name,
        login_server=doc["loginServer"],
        root=registries.storage_root(name),
        token_key=registries.token_key(name),
        admin_enabled=doc["adminUserEnabled"],
        anonymous_pull=doc["anonymousPullEnabled"],
        quota_bytes=registries.SKU_LIMITS[doc["sku"]["name"]][0],
        check_password=check_password,
        on_event=lambda *event: _notify_later(name, event),
        auth_required=True,
        check_client=network.client_check(doc),
        pull_through=cache.pull_through_for(doc),
        soft_delete=registry_config.soft_delete_enabled(doc),
        resource_id=doc["id"],
        arm_tokens=(registry_config.policies(doc).get(registry_config.AS_ARM) or {}).get("status") != "disabled",
        abac=doc.get("roleAssignmentMode") == "AbacRepositoryPermissions",
    )
    # ACR tokens and their scope maps, read once per view (a change bumps the credentials revision).
    view.tokens = auth.TokenTable(tokens.credentials_of(doc))
    return view


def sweep_stale_uploads(force=False):
    """Housekeeping: removes, in every registry of this home, upload sessions nobody has written to for
    AZLOCAL_UPLOAD_TTL_SECONDS (a killed `docker push` leaves its data behind). Cheap to call often:
    it sweeps at daemon start and then at most every SWEEP_EVERY seconds. Returns (files, bytes) removed."""
    now = time.monotonic()
    if not force and _last_sweep[0] is not None and now - _last_sweep[0] < SWEEP_EVERY:
        return 0, 0
    _last_sweep[0] = now
    ttl = settings.upload_ttl_seconds()
    files = freed = 0
    for doc in registries.list_registries():
        root = registries.storage_root(doc["name"])
        if not (root / "uploads").is_dir():
            continue  # never create a deleted registry's folder again
        removed, size = sweep_uploads(root, ttl)
        files, freed = files + removed, freed + size
    if files:
        log.info("removed %d stale upload file(s), %d bytes, untouched for %d s", files, freed, ttl)
    return files, freed
