"""Dapr's health and metadata API: /v1.0/healthz, /v1.0/healthz/outbound and /v1.0/metadata.

Health answers 204 with no body once the sidecar serves (Dapr's healthy answer). Metadata is Dapr's document:
the app id, the runtime version, the components the app may use (name, type, version, capabilities), the
subscriptions (from the pub/sub module when it exists), the app connection's properties, and the extended
attributes set by PUT /v1.0/metadata/<key>.
"""

import importlib

from aiohttp import web

from azlocal.aca.dapr.context import DAPR_RUNTIME_VERSION

# Dapr's capabilities by component type, for types whose module does not say (its `capabilities(component)`).
STATE_CAPABILITIES = {
    "state.redis": ["ETAG", "TRANSACTIONAL", "QUERY_API", "ACTOR"],
    "state.in-memory": ["ETAG", "TRANSACTIONAL", "TTL", "DELETE_WITH_PREFIX", "ACTOR"],
    "state.sqlite": ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"],
    "state.azure.blobstorage": ["ETAG"],
}


def capabilities(component):
    """The component's capabilities as Dapr lists them in metadata."""
    family = str(component.type).split(".", 1)[0]
    module = {"state": "state", "pubsub": "pubsub", "secretstores": "secretstore"}.get(family)
    if module:
        try:
            fn = getattr(importlib.import_module(f"azlocal.aca.dapr.{module}"), "capabilities", None)
        except ImportError:
            fn = None
        if fn is not None:
            try:
                return list(fn(component))
            except Exception:
                pass
    if family == "state":
        return list(STATE_CAPABILITIES.get(component.type, ["ETAG"]))
    if family == "pubsub":
        return ["SUBSCRIBE_WILDCARDS"] if component.type in ("pubsub.redis", "pubsub.in-memory") else []
    return []


def subscriptions(ctx):
    """The app's subscriptions in metadata's shape, as the pub/sub module reports them ([] without it)."""
    try:
        fn = getattr(importlib.import_module("azlocal.aca.dapr.pubsub"), "subscriptions_metadata", None)
    except ImportError:
        return []
    if fn is None:
        return []
    try:
        return list(fn(ctx))
    except Exception:
        return []


def metadata(ctx):
    """Dapr's GET /v1.0/metadata document."""
    components = []
    for c in ctx.components():
        components.append({"name": c.name, "type": c.type, "version": c.version or "",
                           "capabilities": capabilities(c)})
    connection = {"protocol": ctx.app_protocol, "channelAddress": "127.0.0.1", "maxConcurrency": -1}
    if ctx.app_port:
        connection["port"] = ctx.app_port
    extended = dict(ctx.extras.get("metadata", {}))
    extended.setdefault("appCommand", "")
    extended["daprRuntimeVersion"] = DAPR_RUNTIME_VERSION
    return {"id": ctx.app_id, "runtimeVersion": DAPR_RUNTIME_VERSION, "enabledFeatures": [], "actors": [],
            "components": components, "extended": extended, "subscriptions": subscriptions(ctx),
            "httpEndpoints": [], "appConnectionProperties": connection,
            "actorRuntime": {"runtimeStatus": "DISABLED", "hostReady": False, "placement": ""}}


def routes(ctx):
    async def healthz(request):
        return web.Response(status=204)

    async def get_metadata(request):
        doc = await ctx.run_blocking(metadata, ctx)
        return web.json_response(doc)

    async def put_metadata(request):
        key = request.match_info["key"]
        ctx.extras.setdefault("metadata", {})[key] = (await request.read()).decode("utf-8", "replace")
        return web.Response(status=204)

    return [web.get("/v1.0/healthz", healthz), web.get("/v1.0/healthz/outbound", healthz),
            web.get("/v1.0/metadata", get_metadata), web.put("/v1.0/metadata/{key}", put_metadata)]
