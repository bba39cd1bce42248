"""Dapr's state HTTP API on the sidecar (behaviour in state.py):

    POST|PUT /v1.0/state/<store>                [{"key", "value", "etag", "options": {concurrency, consistency},
                                                  "metadata"}]  -> 204
    GET      /v1.0/state/<store>/<key>          -> 200 value (ETag header, metadata.* headers), 204 when absent
    DELETE   /v1.0/state/<store>/<key>          If-Match; ?concurrency=&consistency= -> 204
    POST|PUT /v1.0/state/<store>/bulk           {"keys": [...], "parallelism", "metadata"} -> [{key, data, etag}]
    POST|PUT /v1.0/state/<store>/transaction    {"operations": [{"operation": upsert|delete, "request": {...}}],
                                                 "metadata"} -> 204
    POST|PUT /v1.0-alpha1/state/<store>/query   Dapr's "state store does not support querying" (no azlocal store
                                                 has the query API)

`metadata.<name>` query parameters join each request's metadata. A value is kept as the JSON text Go's
encoding/json writes for it (what daprd stores: compact, object keys sorted, <>& escaped), and GET answers it
as it was kept. Errors are Dapr's JSON bodies with Dapr's status codes.
"""

import json

from aiohttp import web

from azlocal.aca.dapr import state
from azlocal.aca.dapr.state import SetItem, StateError, malformed

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value):
    """The bytes Go's json.Marshal writes for a decoded JSON value."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text.encode()


def error_response(ex):
    return web.Response(status=ex.status, body=json.dumps(ex.body(), separators=(",", ":")).encode(),
                        content_type="application/json")


def _query_metadata(request):
    return {k[len("metadata."):]: v for k, v in request.query.items() if k.startswith("metadata.")}


async def _json(request, expect, go_type):
    raw = await request.read()
    try:
        body = json.loads(raw or b"null")
    except ValueError as ex:
        raise malformed(f"invalid character looking for beginning of value: {ex.msg}") from None
    if body is None:
        return expect()
    if not isinstance(body, expect):
        kind = {dict: "object", list: "array", str: "string", bool: "bool"}.get(type(body), "number")
        raise malformed(f"json: cannot unmarshal {kind} into Go value of type {go_type}")
    return body


def _string_map(value, where):
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise malformed(f"json: cannot unmarshal {where} into Go value of type map[string]string")
    return value


def _set_item(entry):
    if not isinstance(entry, dict):
        raise malformed("json: cannot unmarshal into Go value of type state.SetRequest")
    options = entry.get("options") or {}
    etag = entry.get("etag")
    if not isinstance(entry.get("key", ""), str) or not isinstance(options, dict) or \
            (etag is not None and not isinstance(etag, str)):
        raise malformed("json: cannot unmarshal into Go struct field of type state.SetRequest")
    return SetItem(entry.get("key") or "", go_json(entry.get("value")), etag or None,
                   options.get("concurrency") or "", options.get("consistency") or "",
                   _string_map(entry.get("metadata"), "metadata"))


def routes(ctx):
    def guarded(handler):
        async def wrapper(request):
            try:
                return await handler(request)
            except StateError as ex:
                return error_response(ex)
        return wrapper

    async def save(request):
        store = request.match_info["store"]
        state.backend(ctx, store)  # the store is checked before the body, as daprd does
        body = await _json(request, list, "[]state.SetRequest")
        await state.save(ctx, store, [_set_item(e) for e in body], _query_metadata(request))
        return web.Response(status=204)

    async def get(request):
        store, key = request.match_info["store"], request.match_info["key"]
        item = await state.get(ctx, store, key, request.query.get("consistency", ""), _query_metadata(request))
        if item is None:
            return web.Response(status=204)
        headers = {"ETag": item.etag} if item.etag else {}
        headers.update({f"metadata.{k}": v for k, v in (item.metadata or {}).items()})
        return web.Response(status=200, body=item.data, headers=headers, content_type="application/json")

    async def delete(request):
        store, key = request.match_info["store"], request.match_info["key"]
        await state.delete(ctx, store, key, request.headers.get("If-Match") or None,
                           request.query.get("concurrency", ""), request.query.get("consistency", ""),
                           _query_metadata(request))
        return web.Response(status=204)

    async def bulk(request):
        store = request.match_info["store"]
        state.backend(ctx, store)
        body = await _json(request, dict, "http.BulkGetRequest")
        keys = body.get("keys") or []
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise malformed("json: cannot unmarshal into Go struct field BulkGetRequest.keys of type []string")
        metadata = dict(_string_map(body.get("metadata"), "metadata"), **_query_metadata(request))
        items = await state.bulk_get(ctx, store, keys, metadata)
        out = b"[" + b",".join(_bulk_entry(i) for i in items) + b"]\n"
        return web.Response(status=200, body=out, content_type="application/json")

    async def transaction(request):
        store = request.match_info["store"]
        state.require_transactional(ctx, store)
        body = await _json(request, dict, "http.stateTransactionRequestBody")
        operations = []
        for op in body.get("operations") or []:
            if not isinstance(op, dict):
                raise malformed("json: cannot unmarshal into Go value of type "
                                "http.stateTransactionRequestBodyOperation")
            kind = op.get("operation")
            if kind not in ("upsert", "delete"):
                operations.append((str(kind), SetItem("")))
                continue
            operations.append((kind, _set_item(op.get("request") or {})))
        metadata = dict(_string_map(body.get("metadata"), "metadata"), **_query_metadata(request))
        await state.transaction(ctx, store, operations, metadata)
        return web.Response(status=204)

    async def query(request):
        state.backend(ctx, request.match_info["store"])
        raise StateError(500, "ERR_STATE_STORE_NOT_SUPPORTED", "state store does not support querying")

    return [
        web.post("/v1.0-alpha1/state/{store}/query", guarded(query)),
        web.put("/v1.0-alpha1/state/{store}/query", guarded(query)),
        web.post("/v1.0/state/{store}/bulk", guarded(bulk)),
        web.put("/v1.0/state/{store}/bulk", guarded(bulk)),
        web.post("/v1.0/state/{store}/transaction", guarded(transaction)),
        web.put("/v1.0/state/{store}/transaction", guarded(transaction)),
        web.post("/v1.0/state/{store}", guarded(save)),
        web.put("/v1.0/state/{store}", guarded(save)),
        web.get("/v1.0/state/{store}/{key}", guarded(get), allow_head=False),
        web.delete("/v1.0/state/{store}/{key}", guarded(delete)),
    ]


def _bulk_entry(item):
    parts = [b'"key":' + json.dumps(item["key"]).encode()]
    if "error" in item:
        parts.append(b'"error":' + json.dumps(item["error"]).encode())
    elif "data" in item:
        parts.append(b'"data":' + _raw_json(item["data"]))
        if item.get("etag"):
            parts.append(b'"etag":' + json.dumps(item["etag"]).encode())
        if item.get("metadata"):
            parts.append(b'"metadata":' + json.dumps(item["metadata"]).encode())
    return b"{" + b",".join(parts) + b"}"


def _raw_json(data):
    """Stored bytes as a JSON value: as they are when they are JSON (what the HTTP API stores), else as a string."""
    try:
        json.loads(data)
        return bytes(data)
    except ValueError:
        return json.dumps(bytes(data).decode("utf-8", "replace")).encode()
