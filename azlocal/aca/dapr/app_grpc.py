"""The app channel to an app whose Dapr app protocol is grpc (`--dapr-app-protocol grpc`): Dapr's AppCallback
service (the `dapr` package's appcallback_pb2_grpc) on the app's port, behind the same HTTP-shaped call the
rest of the sidecar makes (`call(address, method, path, headers, body, query) -> (status, headers, body)`), so
invocation and pub/sub delivery need not know the app's protocol:

- `GET /dapr/subscribe` is ListTopicSubscriptions, answered as Dapr's JSON subscription list (pubsubname,
  topic, route or routes {rules, default}, metadata, deadLetterTopic);
- a pub/sub delivery (a POST carrying the `pubsubname` header and a CloudEvent) is OnTopicEvent with the
  event's fields and the route as `path`; its SUCCESS / RETRY / DROP comes back as `{"status": …}` (200);
- anything else is OnInvoke: the path (without its leading /) as the method, the body as `data`, the HTTP verb
  and query string in `http_extension`, the headers as gRPC metadata. Its answer is 200 with the response's
  data and content type; a gRPC error is daprd's HTTP status for it (HTTPStatusFromCode: NOT_FOUND 404,
  INVALID_ARGUMENT 400, …) with the error's message as the body.

A transport failure is ConnectionError, as the HTTP channel raises it.
"""

import asyncio
import json
import time

import grpc
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import appcallback_pb2, appcallback_pb2_grpc
from google.protobuf import any_pb2, empty_pb2

PROTOCOL_TTL = 1.0
_channels = {}
_protocols = {}
# daprd's HTTPStatusFromCode.
HTTP_FROM_CODE = {grpc.StatusCode.OK: 200, grpc.StatusCode.CANCELLED: 408, grpc.StatusCode.UNKNOWN: 500,
                  grpc.StatusCode.INVALID_ARGUMENT: 400, grpc.StatusCode.DEADLINE_EXCEEDED: 504,
                  grpc.StatusCode.NOT_FOUND: 404, grpc.StatusCode.ALREADY_EXISTS: 409,
                  grpc.StatusCode.PERMISSION_DENIED: 403, grpc.StatusCode.UNAUTHENTICATED: 401,
                  grpc.StatusCode.RESOURCE_EXHAUSTED: 429, grpc.StatusCode.FAILED_PRECONDITION: 400,
                  grpc.StatusCode.ABORTED: 409, grpc.StatusCode.OUT_OF_RANGE: 400,
                  grpc.StatusCode.UNIMPLEMENTED: 501, grpc.StatusCode.INTERNAL: 500,
                  grpc.StatusCode.UNAVAILABLE: 503, grpc.StatusCode.DATA_LOSS: 500}
_NOT_METADATA = {"content-type", "content-length", "host", "connection", "keep-alive", "transfer-encoding", "te",
                 "upgrade", "accept-encoding", "user-agent"}


def _stub(address):
    key = (id(asyncio.get_running_loop()), address)  # a grpc.aio channel belongs to its event loop
    channel = _channels.get(key)
    if channel is None:
        channel = _channels[key] = grpc.aio.insecure_channel(address)
    return appcallback_pb2_grpc.AppCallbackStub(channel)


def _pairs(headers):
    return list(headers.items() if hasattr(headers, "items") else headers or [])


def _metadata(headers):
    out = []
    for key, value in _pairs(headers):
        key = key.lower()
        if key in _NOT_METADATA or key.startswith(":") or not value.isascii():
            continue
        out.append((key, value))
    return tuple(out)


def subscriptions_json(response):
    """ListTopicSubscriptionsResponse -> Dapr's /dapr/subscribe JSON list."""
    out = []
    for sub in response.subscriptions:
        entry = {"pubsubname": sub.pubsub_name, "topic": sub.topic}
        if sub.HasField("routes") and sub.routes.rules:
            entry["routes"] = {"rules": [{"match": r.match, "path": r.path} for r in sub.routes.rules],
                               "default": sub.routes.default}
        else:
            entry["route"] = sub.routes.default if sub.HasField("routes") and sub.routes.default else sub.topic
        if sub.metadata:
            entry["metadata"] = dict(sub.metadata)
        if sub.dead_letter_topic:
            entry["deadLetterTopic"] = sub.dead_letter_topic
        out.append(entry)
    return out


def topic_event(path, headers, body):
    """A delivery's CloudEvent -> TopicEventRequest."""
    try:
        event = json.loads(body or b"{}")
    except ValueError:
        event = {}
    if not isinstance(event, dict):
        event = {}
    data = event.get("data")
    if "data_base64" in event:
        import base64

        raw = base64.b64decode(event["data_base64"])
    elif isinstance(data, str):
        raw = data.encode()
    else:
        raw = b"" if data is None else json.dumps(data, separators=(",", ":")).encode()
    pubsub = next((v for k, v in _pairs(headers) if k.lower() == "pubsubname"), event.get("pubsubname", ""))
    return appcallback_pb2.TopicEventRequest(
        id=str(event.get("id", "")), source=str(event.get("source", "")), type=str(event.get("type", "")),
        spec_version=str(event.get("specversion", "")), data_content_type=str(event.get("datacontenttype", "")),
        data=raw, topic=str(event.get("topic", "")), pubsub_name=str(pubsub), path=path)


async def call(address, method, path, headers=None, body=b"", query=""):
    """One HTTP-shaped call to the gRPC app at `address` -> (status, [(name, value)], body)."""
    stub = _stub(address)
    pairs = _pairs(headers)
    try:
        if method == "GET" and path.split("?", 1)[0] == "/dapr/subscribe":
            response = await stub.ListTopicSubscriptions(empty_pb2.Empty())
            return 200, [("Content-Type", "application/json")], json.dumps(subscriptions_json(response)).encode()
        if method == "POST" and any(k.lower() == "pubsubname" for k, _ in pairs):
            response = await stub.OnTopicEvent(topic_event(path, pairs, body), metadata=_metadata(pairs))
            name = appcallback_pb2.TopicEventResponse.TopicEventResponseStatus.Name(response.status)
            return 200, [("Content-Type", "application/json")], json.dumps({"status": name}).encode()
        content_type = next((v for k, v in pairs if k.lower() == "content-type"), "")
        verb = getattr(common_pb2.HTTPExtension, method.upper(), common_pb2.HTTPExtension.POST)
        request = common_pb2.InvokeRequest(method=path.lstrip("/"), data=any_pb2.Any(value=body or b""),
                                           content_type=content_type,
                                           http_extension=common_pb2.HTTPExtension(verb=verb, querystring=query or ""))
        response = await stub.OnInvoke(request, metadata=_metadata(pairs))
    except grpc.aio.AioRpcError as ex:
        if ex.code() == grpc.StatusCode.UNAVAILABLE and "connect" in (ex.details() or "").lower():
            raise ConnectionError(ex.details()) from ex
        return HTTP_FROM_CODE.get(ex.code(), 500), [("Content-Type", "text/plain")], (ex.details() or "").encode()
    answer = [("Content-Type", response.content_type)] if response.content_type else []
    return 200, answer, response.data.value


def protocol_of(env_id, app_id):
    """The app protocol ("http" or "grpc") of the environment's Dapr app `app_id`, cached about a second."""
    from azlocal.aca.dapr.context import app_id_of, dapr_settings

    key = (env_id.lower(), app_id)
    hit = _protocols.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < PROTOCOL_TTL:
        return hit[1]
    from azlocal.aca.appstore import APP_TYPE
    from azlocal.platform.store import store

    found = "http"
    for app in store().list(type=APP_TYPE):
        if app["properties"]["managedEnvironmentId"].lower() == env_id.lower() and app_id_of(app) == app_id:
            found = str(dapr_settings(app).get("appProtocol") or "http").lower()
            break
    _protocols[key] = (now, found)
    return found
