"""The registry's URL map: OCI Distribution v1.1 under /v2, ACR's /acr/v1 metadata API and /oauth2 tokens.

Each request is resolved to a registry by its Host and authenticated (`context.Request`), then the
first pattern of its table that matches the path picks the handler (`v2`, `acr_routes`, `oauth`).
Handlers parse the request, call storage (`storage`, `uploads`, `repository`) and build the
response; whatever they raise, the `errors.registry_errors` middleware answers.
"""

import re

from aiohttp import web

from azlocal.acr.dataplane import acr_routes, oauth, v2
from azlocal.acr.dataplane.context import Request, resolve_view
from azlocal.acr.dataplane.errors import registry_errors, served, unsupported
from azlocal.acr.dataplane.repository import MAX_MANIFEST

V2_ROUTES = [
    (re.compile(r"^_catalog$"), v2.catalog),
    (re.compile(r"^(?P<name>.+)/tags/list$"), v2.tags_list),
    (re.compile(r"^(?P<name>.+)/manifests/(?P<ref>[^/]+)$"), v2.manifest),
    (re.compile(r"^(?P<name>.+)/blobs/uploads/?$"), v2.upload_start),
    (re.compile(r"^(?P<name>.+)/blobs/uploads/(?P<upload>[^/]+)$"), v2.upload),
    (re.compile(r"^(?P<name>.+)/blobs/(?P<digest>[^/]+)$"), v2.blob),
    (re.compile(r"^(?P<name>.+)/referrers/(?P<digest>[^/]+)$"), v2.referrers),
    (re.compile(r"^(?P<name>.+)/_trust/(?P<path>.*)$"), v2.notary),
]
ACR_ROUTES = [
    (re.compile(r"^_catalog$"), acr_routes.catalog),
    (re.compile(r"^(?P<name>.+)/_tags/(?P<tag>[^/]+)$"), acr_routes.tag),
    (re.compile(r"^(?P<name>.+)/_tags$"), acr_routes.tags),
    (re.compile(r"^(?P<name>.+)/_manifests/(?P<digest>[^/]+)$"), acr_routes.manifest),
    (re.compile(r"^(?P<name>.+)/_manifests$"), acr_routes.manifests),
    (re.compile(r"^(?P<name>.+)$"), acr_routes.repo),
]


async def dispatch(ctx, routes, tail):
    for pattern, handler in routes:
        match = pattern.match(tail)
        if match:
            return await handler(ctx, **match.groupdict())
    raise unsupported(status=404)


def build_app(resolver):
    async def v2_entry(request):
        ctx = Request(request, resolve_view(resolver, request))
        tail = request.match_info.get("tail", "")
        return await (v2.root(ctx) if tail == "" else dispatch(ctx, V2_ROUTES, tail))

    async def acr_entry(request):
        ctx = Request(request, resolve_view(resolver, request))
        return await dispatch(ctx, ACR_ROUTES, request.match_info.get("tail", ""))

    async def token(request):
        return await oauth.token(resolve_view(resolver, request), request)

    async def exchange(request):
        return await oauth.exchange(resolve_view(resolver, request), request)

    app = web.Application(client_max_size=MAX_MANIFEST * 2, middlewares=[registry_errors])
    app.router.add_route("*", "/v2", served(v2_entry))
    app.router.add_route("*", "/v2/{tail:.*}", served(v2_entry))
    app.router.add_route("*", "/acr/v1/{tail:.*}", served(acr_entry))
    app.router.add_route("*", "/oauth2/token", served(token))
    app.router.add_route("*", "/oauth2/exchange", served(exchange))
    return app
