"""Dapr's state management, apart from HTTP: the HTTP API (api_state.py) and the gRPC API (grpc_api.py) call
these functions with the sidecar's context and raise nothing but StateError.

    await get(ctx, store, key, consistency="", metadata=None) -> Item | None
    await save(ctx, store, items, metadata=None)          items: [SetItem]
    await delete(ctx, store, key, etag=None, concurrency="", consistency="", metadata=None)
    await bulk_get(ctx, store, keys, metadata=None) -> [{"key", "data" (bytes), "etag", "metadata"} | {"key"}]
    await transaction(ctx, store, operations, metadata=None)   operations: [("upsert", SetItem) | ("delete", SetItem)]

Keys are prefixed as Dapr does (`<app-id>||<key>`; the component's `keyPrefix` metadata: appid (default),
name (the store's name), none, or any other text used as the prefix); a key or prefix containing `||` is
ERR_MALFORMED_REQUEST. `concurrency` is first-write or last-write (default), `consistency` eventual or strong
(accepted: every azlocal backend is strongly consistent); anything else fails the operation as Dapr's stores
do. `metadata.ttlInSeconds` expires a key (in-memory, sqlite, redis). Errors carry Dapr's HTTP status, error
code and message, and the gRPC status code Dapr uses (StateError.grpc).
"""

from azlocal.aca.dapr import state_backends
from azlocal.aca.dapr.state_backends import BackendError, ETagMismatch, Op

SEPARATOR = "||"


class StateError(Exception):
    """Dapr's error: HTTP status, errorCode, message (and details, for the newer errors)."""

    def __init__(self, status, code, message, grpc="INTERNAL", details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.grpc, self.details = status, code, message, grpc, details

    def body(self):
        out = {"errorCode": self.code, "message": self.message}
        if self.details:
            out["details"] = self.details
        return out


def _info(reason, metadata=None):
    return [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "dapr.io",
             "metadata": metadata}]


def malformed(message):
    return StateError(400, "ERR_MALFORMED_REQUEST", message, "INVALID_ARGUMENT")


class SetItem:
    """One state item of a save or an upsert: `value` is the bytes to store (the HTTP API's JSON text, gRPC's
    raw bytes)."""

    __slots__ = ("key", "value", "etag", "concurrency", "consistency", "metadata")

    def __init__(self, key, value=b"", etag=None, concurrency="", consistency="", metadata=None):
        self.key, self.value, self.etag = key, value, etag
        self.concurrency, self.consistency, self.metadata = concurrency or "", consistency or "", metadata or {}


# stores and keys -----------------------------------------------------------------------------------------
def _component(ctx, store):
    if not any(str(c.type).lower().startswith("state.") for c in ctx.components()):
        raise StateError(500, "ERR_STATE_STORE_NOT_CONFIGURED", f"state store {store} is not configured",
                         "FAILED_PRECONDITION", _info("DAPR_STATE_NOT_CONFIGURED", {"appID": ctx.app_id}))
    try:
        return ctx.component(store, "state")
    except LookupError:
        raise StateError(400, "ERR_STATE_STORE_NOT_FOUND", f"state store {store} is not found",
                         "INVALID_ARGUMENT", _info("DAPR_STATE_NOT_FOUND", {"appID": ctx.app_id})) from None


def backend(ctx, store):
    """(component, backend) of the app's state store `store`; backends are kept per sidecar while the
    component's type and metadata stay the same."""
    component = _component(ctx, store)
    cache = ctx.extras.setdefault("state_backends", {})
    fingerprint = (component.type, str(component.version), tuple(sorted((component.metadata or {}).items())))
    entry = cache.get(store)
    if entry is None or entry[0] != fingerprint:
        try:
            made = state_backends.make(component, (ctx.env or {}).get("id", ""), ctx)
        except LookupError:
            raise StateError(500, "ERR_STATE_STORE_NOT_FOUND", f"state store {store} has the type "
                             f"{component.type}, which azlocal does not back (it backs state.in-memory, state.sqlite, "
                             "state.redis and state.azure.blobstorage)") from None
        except BackendError as ex:
            raise StateError(500, "ERR_STATE_STORE_NOT_FOUND", f"state store {store} failed to initialize: {ex}")
        entry = cache[store] = (fingerprint, made)
    return component, entry[1]


def modified_key(key, store, app_id, component):
    """The key as the store keeps it (Dapr's GetModifiedStateKey)."""
    def illegal(text):
        return malformed(f"input key/keyPrefix '{text}' can't contain '{SEPARATOR}'")

    if SEPARATOR in key:
        raise illegal(key)
    strategy = (component.metadata or {}).get("keyPrefix") or "appid"
    if SEPARATOR in strategy:
        raise illegal(strategy)
    lowered = strategy.lower()
    if lowered == "none":
        return key
    if lowered == "name":
        return f"{store}{SEPARATOR}{key}"
    if lowered in ("appid", "namespace"):
        return f"{app_id}{SEPARATOR}{key}" if app_id else key
    return f"{strategy}{SEPARATOR}{key}"


def original_key(key):
    parts = key.split(SEPARATOR)
    return key if len(parts) <= 1 else parts[1]


def _check_options(concurrency, consistency):
    if consistency and consistency not in ("eventual", "strong"):
        raise BackendError(f"unrecognized consistency model '{consistency}'")
    if concurrency and concurrency not in ("first-write", "last-write"):
        raise BackendError(f"unrecognized concurrency model '{concurrency}'")


def _ttl(metadata):
    text = (metadata or {}).get("ttlInSeconds")
    if text in (None, ""):
        return None
    try:
        return max(int(text), 0)
    except ValueError:
        raise BackendError(f'strconv.Atoi: parsing "{text}": invalid syntax') from None


def _op(kind, item, key):
    _check_options(item.concurrency, item.consistency)
    return Op(kind, key, item.value if kind == "upsert" else b"", item.etag,
              item.concurrency == "first-write", _ttl(item.metadata) if kind == "upsert" else None)


def _merged(own, extra):
    out = dict(own or {})
    out.update(extra or {})
    return out


# the operations ---------------------------------------------------------------------------------------------
async def get(ctx, store, key, consistency="", metadata=None):
    component, back = backend(ctx, store)
    full = modified_key(key, store, ctx.app_id, component)
    try:
        return await ctx.run_blocking(back.get, full)
    except BackendError as ex:
        raise StateError(ex.status, "ERR_STATE_GET", f"fail to get {key} from state store {store}: {ex}") from ex


async def bulk_get(ctx, store, keys, metadata=None):
    component, back = backend(ctx, store)
    full = [modified_key(k, store, ctx.app_id, component) for k in keys]
    if not full:
        return []
    try:
        items = await ctx.run_blocking(back.bulk_get, full)
    except BackendError as ex:
        raise StateError(ex.status, "ERR_STATE_BULK_GET", str(ex)) from ex
    out = []
    for key, item in zip(keys, items):
        entry = {"key": key}
        if item is not None:
            entry.update(data=item.data, etag=item.etag)
            if item.metadata:
                entry["metadata"] = item.metadata
        out.append(entry)
    return out


async def save(ctx, store, items, metadata=None):
    component, back = backend(ctx, store)
    if not items:
        return
    ops = []
    for item in items:
        if not item.key:
            raise malformed('"key" is a required field')
        item.metadata = _merged(item.metadata, metadata)
        ops.append((item, modified_key(item.key, store, ctx.app_id, component)))
    try:
        built = [_op("upsert", item, key) for item, key in ops]
        await ctx.run_blocking(back.apply, built)
    except BackendError as ex:
        raise StateError(ex.status, "ERR_STATE_SAVE", f"failed saving state in state store {store}: {ex}",
                         _grpc(ex)) from ex


async def delete(ctx, store, key, etag=None, concurrency="", consistency="", metadata=None):
    component, back = backend(ctx, store)
    full = modified_key(key, store, ctx.app_id, component)
    item = SetItem(key, etag=etag, concurrency=concurrency, consistency=consistency, metadata=metadata)
    try:
        await ctx.run_blocking(back.apply, [_op("delete", item, full)])
    except BackendError as ex:
        raise StateError(ex.status, "ERR_STATE_DELETE", f"failed deleting state with key {key}: {ex}",
                         _grpc(ex)) from ex


def require_transactional(ctx, store):
    """(component, backend), or Dapr's error for a store without transactions."""
    component, back = backend(ctx, store)
    if not back.transactional:
        raise StateError(500, "ERR_STATE_STORE_NOT_SUPPORTED", f"state store {store} doesn't support transactions",
                         "UNIMPLEMENTED", _info("DAPR_STATE_TRANSACTIONS_NOT_SUPPORTED"))
    return component, back


async def transaction(ctx, store, operations, metadata=None):
    component, back = require_transactional(ctx, store)
    if not operations:
        return
    keyed = []
    for kind, item in operations:
        if kind not in ("upsert", "delete"):
            raise StateError(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", f"operation type {kind} not supported",
                             "INVALID_ARGUMENT")
        if metadata:
            item.metadata = _merged(item.metadata, metadata)
        keyed.append((kind, item, modified_key(item.key, store, ctx.app_id, component)))
    try:
        built = [_op(kind, item, key) for kind, item, key in keyed]
        await ctx.run_blocking(back.apply, built)
    except BackendError as ex:
        raise StateError(500, "ERR_STATE_TRANSACTION", f"error while executing state transaction: {ex}") from ex


def _grpc(ex):
    if isinstance(ex, ETagMismatch):
        return "INVALID_ARGUMENT" if ex.status == 400 else "ABORTED"
    return "INTERNAL"
