"""The gRPC app channel (azlocal.aca.dapr.app_grpc, `--dapr-app-protocol grpc`): a grpc.aio AppCallback server
stands for the app; the sidecar's invocation (HTTP API to the own app, gRPC InvokeService to another app by
app id) reaches its OnInvoke, and pub/sub's subscription load and delivery reach ListTopicSubscriptions and
OnTopicEvent through the same call. No Docker."""

import asyncio
import json

import aiohttp
import grpc
from aiohttp.test_utils import TestServer
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import appcallback_pb2, appcallback_pb2_grpc, dapr_pb2_grpc, invoke_pb2
from google.protobuf import any_pb2

from azlocal.aca.dapr import app_grpc, grpc_api, invoke, pubsub_subscriptions, sidecar
from tests.unit.test_dapr_sidecar import app_doc, make_ctx


class App(appcallback_pb2_grpc.AppCallbackServicer):
    def __init__(self):
        self.seen = []

    async def OnInvoke(self, request, context):
        self.seen.append(("invoke", request.method, request.data.value, request.content_type,
                          common_pb2.HTTPExtension.Verb.Name(request.http_extension.verb),
                          request.http_extension.querystring, dict(context.invocation_metadata())))
        if request.method == "missing":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such method")
        return common_pb2.InvokeResponse(data=any_pb2.Any(value=b"grpc:" + request.data.value),
                                         content_type="text/plain")

    async def ListTopicSubscriptions(self, request, context):
        return appcallback_pb2.ListTopicSubscriptionsResponse(subscriptions=[
            appcallback_pb2.TopicSubscription(pubsub_name="pubsub", topic="orders", dead_letter_topic="dead",
                                              routes=appcallback_pb2.TopicRoutes(default="/orders")),
            appcallback_pb2.TopicSubscription(pubsub_name="pubsub", topic="audit", routes=appcallback_pb2.TopicRoutes(
                rules=[appcallback_pb2.TopicRule(match='event.type == "big"', path="/big")], default="/small"))])

    async def OnTopicEvent(self, request, context):
        self.seen.append(("event", request.pubsub_name, request.topic, request.path, request.data, request.id))
        return appcallback_pb2.TopicEventResponse(status=appcallback_pb2.TopicEventResponse.RETRY)


async def _with_app(steps):
    app = App()
    server = grpc.aio.server()
    appcallback_pb2_grpc.add_AppCallbackServicer_to_server(app, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        return await steps(app, port)
    finally:
        await server.stop(0)


def test_the_own_grpc_app_is_invoked_through_the_http_api_and_its_errors_are_http_statuses():
    async def steps(app, port):
        ctx = make_ctx(app_doc(port=port, protocol="grpc"))
        side = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
        await side.start_server()
        try:
            async with aiohttp.ClientSession() as s:
                async with s.put(f"http://127.0.0.1:{side.port}/v1.0/invoke/orders/method/hello?x=1", data=b"hi",
                                 headers={"Content-Type": "text/plain", "X-Trace": "t1"}) as r:
                    ok = (r.status, await r.read(), r.headers["Content-Type"])
                async with s.post(f"http://127.0.0.1:{side.port}/v1.0/invoke/orders/method/missing") as r:
                    missing = (r.status, await r.read())
        finally:
            await side.close()
            await ctx.close()
        return app.seen, ok, missing

    seen, ok, missing = asyncio.run(_with_app(steps))
    assert ok == (200, b"grpc:hi", "text/plain")
    kind, method, data, ctype, verb, query, meta = seen[0]
    assert (kind, method, data, ctype, verb, query) == ("invoke", "hello", b"hi", "text/plain", "PUT", "x=1")
    assert meta["x-trace"] == "t1" and meta["dapr-caller-app-id"] == "orders"
    assert missing == (404, b"no such method")


def test_invoke_service_reaches_another_grpc_app_by_app_id():
    async def steps(app, port):
        ctx = make_ctx()
        ctx.extras["invoke.targets"] = invoke.Targets(
            lambda env_id, app_id: (port, ["127.0.0.1"]) if app_id == "grpcapp" else None,
            protocol=lambda env_id, app_id: "grpc")
        task = asyncio.ensure_future(grpc_api.start(ctx, "127.0.0.1:0"))
        while "grpc_api.server" not in ctx.extras:
            await asyncio.sleep(0.01)
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{ctx.extras['grpc_api.port']}") as channel:
                answer = await dapr_pb2_grpc.DaprStub(channel).InvokeService(invoke_pb2.InvokeServiceRequest(
                    id="grpcapp", message=common_pb2.InvokeRequest(method="neworder",
                                                                   data=any_pb2.Any(value=b"{}"))))
        finally:
            await grpc_api.stop(ctx)
            await task
            await ctx.close()
        return app.seen, answer

    seen, answer = asyncio.run(_with_app(steps))
    assert answer.data.value == b"grpc:{}" and answer.content_type == "text/plain"
    assert seen[0][:2] == ("invoke", "neworder") and seen[0][4] == "POST"


def test_subscriptions_and_deliveries_go_to_list_topic_subscriptions_and_on_topic_event():
    async def steps(app, port):
        address = f"127.0.0.1:{port}"
        status, _h, body = await app_grpc.call(address, "GET", "/dapr/subscribe")
        event = {"id": "e1", "source": "pub", "type": "com.dapr.event.sent", "specversion": "1.0",
                 "datacontenttype": "application/json", "data": {"orderId": 3}, "topic": "orders",
                 "pubsubname": "pubsub"}
        answer = await app_grpc.call(address, "POST", "/orders", {"Content-Type": "application/cloudevents+json",
                                                                  "pubsubname": "pubsub"}, json.dumps(event).encode())
        return app.seen, status, json.loads(body), answer

    seen, status, subs, answer = asyncio.run(_with_app(steps))
    assert status == 200 and subs[0] == {"pubsubname": "pubsub", "topic": "orders", "route": "/orders",
                                         "deadLetterTopic": "dead"}
    assert subs[1]["routes"] == {"rules": [{"match": 'event.type == "big"', "path": "/big"}], "default": "/small"}
    parsed = pubsub_subscriptions.parse(subs)  # what the delivery loop makes of them
    assert [(s.pubsub, s.topic) for s in parsed] == [("pubsub", "orders"), ("pubsub", "audit")]
    assert seen == [("event", "pubsub", "orders", "/orders", b'{"orderId":3}', "e1")]
    assert answer[0] == 200 and json.loads(answer[2]) == {"status": "RETRY"}


def test_an_app_that_does_not_listen_is_a_connection_error():
    async def steps():
        try:
            await app_grpc.call("127.0.0.1:9", "POST", "/x", {}, b"")
        except ConnectionError:
            return True
        return False

    assert asyncio.run(steps())
