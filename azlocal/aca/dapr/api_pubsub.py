"""Dapr's pub/sub HTTP API on the sidecar: `POST /v1.0/publish/<pubsub>/<topic>[?metadata.<key>=<value>]` and
the bulk publish `POST /v1.0-alpha1/publish/bulk/<pubsub>/<topic>` (a JSON array of entries; 204, or 500 with
`failedEntries`).

204 on success; Dapr's JSON errors otherwise (pubsub.PubSubError). The body's Content-Type decides the
envelope's `datacontenttype` (pubsub.publish)."""

import json

from aiohttp import web

from azlocal.aca.dapr import pubsub


def metadata_of(query):
    """`metadata.<key>=<value>` query parameters -> {key: value}."""
    return {k[len("metadata."):]: v for k, v in query.items() if k.startswith("metadata.") and len(k) > 9}


def error_response(err):
    return web.json_response(err.body(), status=err.status)


def routes(ctx):
    async def publish(request):
        body = await request.read()
        try:
            await pubsub.publish(ctx, request.match_info["pubsub"], request.match_info.get("topic", ""), body,
                                 request.headers.get("Content-Type"), metadata_of(request.query))
        except pubsub.PubSubError as err:
            return error_response(err)
        return web.Response(status=204)

    async def bulk(request):
        name, topic = request.match_info["pubsub"], request.match_info.get("topic", "")
        try:
            try:
                entries = json.loads(await request.read() or b"null")
            except ValueError as ex:
                raise pubsub.PubSubError(400, "ERR_PUBSUB_EVENTS_SER", "error when unmarshaling the request for "
                                         f"topic {topic} pubsub {name}: {ex}") from None
            failed = await pubsub.bulk_publish(ctx, name, topic, entries, metadata_of(request.query))
        except pubsub.PubSubError as err:
            return error_response(err)
        if failed:
            return web.json_response({"failedEntries": failed, "errorCode": "ERR_PUBSUB_PUBLISH_MESSAGE"},
                                     status=500)
        return web.Response(status=204)

    async def missing_topic(request):
        name = request.match_info.get("pubsub", "")
        if not name:
            return error_response(pubsub.PubSubError(404, "ERR_PUBSUB_EMPTY", "pubsub name is empty"))
        return error_response(pubsub.PubSubError(404, "ERR_TOPIC_EMPTY", f"topic is empty in pubsub {name}"))

    return [web.post("/v1.0/publish/{pubsub}/{topic:.+}", publish),
            web.post("/v1.0-alpha1/publish/bulk/{pubsub}/{topic:.+}", bulk),
            web.post("/v1.0/publish/{pubsub}", missing_topic),
            web.post("/v1.0/publish/{pubsub}/", missing_topic)]
