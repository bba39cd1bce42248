"""Dapr's service invocation HTTP API: /v1.0/invoke/<app-id>/method/<path> with any HTTP method, and any other
path carrying a `dapr-app-id` header (Dapr's header routing). Query string, headers, body and the target's
status pass through; errors are Dapr's JSON."""

from aiohttp import web

from azlocal.aca.dapr import invoke

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")  # GET answers HEAD too


def _error(err):
    return web.json_response(err.body(), status=err.status)


def _raw_method(request):
    """The method path after /v1.0/invoke/<app-id>/method/, as the caller encoded it (forwarded as written)."""
    raw = request.raw_path.split("?", 1)[0]
    index = raw.find("/method/", len("/v1.0/invoke/"))
    return raw[index + len("/method/"):] if index >= 0 else ""


async def _forward(ctx, request, app_id, path):
    body = await request.read()
    try:
        status, headers, data = await invoke.invoke(ctx, app_id, path, request.method, request.headers, body,
                                                    request.query_string)
    except invoke.InvokeError as err:
        return _error(err)
    resp = web.Response(status=status, body=data)
    for name, value in headers:
        if name.lower() != "content-type":
            resp.headers.add(name, value)
        else:
            resp.headers["Content-Type"] = value
    return resp


def routes(ctx):
    async def by_path(request):
        return await _forward(ctx, request, request.match_info["app_id"], _raw_method(request))

    async def by_header(request):
        app_id = request.headers.get("dapr-app-id")
        if not app_id:
            return web.Response(status=404, text="404 page not found")
        return await _forward(ctx, request, app_id, request.raw_path.split("?", 1)[0])

    out = []
    for method in METHODS:
        out.append(web.route(method, "/v1.0/invoke/{app_id}/method/{path:.*}", by_path))
    out.append(web.route("*", "/{tail:.*}", by_header))
    return out
