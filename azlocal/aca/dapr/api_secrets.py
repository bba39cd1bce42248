"""Dapr's secrets HTTP API on the sidecar: `GET /v1.0/secrets/<store>/<key>[?metadata.version_id=…]` -> `{key:
value}` and `GET /v1.0/secrets/<store>/bulk` -> `{name: {key: value}}`; Dapr's JSON errors otherwise
(secretstore.SecretStoreError)."""

from aiohttp import web

from azlocal.aca.dapr import secretstore


def _metadata(query):
    return {k[len("metadata."):]: v for k, v in query.items() if k.startswith("metadata.") and len(k) > 9}


def routes(ctx):
    async def bulk(request):
        try:
            values = await secretstore.bulk(ctx, request.match_info["store"], _metadata(request.query))
        except secretstore.SecretStoreError as err:
            return web.json_response(err.body(), status=err.status)
        return web.json_response(values)

    async def get(request):
        try:
            value = await secretstore.get(ctx, request.match_info["store"], request.match_info["key"],
                                          _metadata(request.query))
        except secretstore.SecretStoreError as err:
            return web.json_response(err.body(), status=err.status)
        return web.json_response(value)

    return [web.get("/v1.0/secrets/{store}/bulk", bulk), web.get("/v1.0/secrets/{store}/{key}", get)]
