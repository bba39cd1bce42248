"""Dapr's gRPC proxying through the sidecar's gRPC port (azlocal.aca.dapr.grpc_proxy): a call to a service
the app defines, with `dapr-app-id` metadata, reaches that app's gRPC server (another app by app id, or the
own app), unary and server streaming, metadata and error statuses passed through. No Docker."""

import asyncio

import grpc
import pytest

from azlocal.aca.dapr import grpc_api, invoke
from tests.unit.test_dapr_sidecar import app_doc, make_ctx


def _identity(x):
    return x


class Echo(grpc.GenericRpcHandler):
    def __init__(self, label):
        self.label, self.seen = label, []

    def service(self, details):
        meta = dict(details.invocation_metadata)

        async def say(request, context):
            self.seen.append((details.method, request, meta))
            if request == b"fail":
                await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not like that")
            await context.send_initial_metadata((("x-label", self.label),))
            return self.label.encode() + b":" + request

        async def count(request, context):
            for i in range(int(request)):
                yield str(i).encode()

        if details.method == "/test.Echo/Say":
            return grpc.unary_unary_rpc_method_handler(say, _identity, _identity)
        if details.method == "/test.Echo/Count":
            return grpc.unary_stream_rpc_method_handler(count, _identity, _identity)
        return None


async def _scenario(steps):
    target, own = Echo("nodeapp"), Echo("self")
    servers, ports = [], []
    for handler in (target, own):
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
        servers.append(server)
    ctx = make_ctx(app_doc(port=ports[1], protocol="grpc"))
    ctx.extras["invoke.targets"] = invoke.Targets(
        lambda env_id, app_id: (ports[0], ["127.0.0.1"]) if app_id == "nodeapp" else None)
    task = asyncio.ensure_future(grpc_api.start(ctx, "127.0.0.1:0"))
    while "grpc_api.server" not in ctx.extras:
        await asyncio.sleep(0.01)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{ctx.extras['grpc_api.port']}") as channel:
            return await steps(channel, target, own)
    finally:
        await grpc_api.stop(ctx)
        await task
        for s in servers:
            await s.stop(0)
        await ctx.close()


def test_calls_with_dapr_app_id_are_proxied_to_the_apps_grpc_server():
    async def steps(channel, target, own):
        say = channel.unary_unary("/test.Echo/Say", request_serializer=_identity, response_deserializer=_identity)
        call = say(b"hi", metadata=(("dapr-app-id", "nodeapp"), ("x-trace", "t1")))
        answer = await call
        label = dict(await call.initial_metadata()).get("x-label")
        mine = await say(b"me", metadata=(("dapr-app-id", "orders"),))
        count = channel.unary_stream("/test.Echo/Count", request_serializer=_identity,
                                     response_deserializer=_identity)
        streamed = [m async for m in count(b"3", metadata=(("dapr-app-id", "nodeapp"),))]
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await say(b"fail", metadata=(("dapr-app-id", "nodeapp"),))
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await say(b"x", metadata=(("dapr-app-id", "ghost"),))
        with pytest.raises(grpc.aio.AioRpcError) as no_id:
            await say(b"x")
        return (answer, label, mine, streamed, failed.value, unknown.value, no_id.value, target.seen, own.seen)

    answer, label, mine, streamed, failed, unknown, no_id, seen, own_seen = asyncio.run(_scenario(steps))
    assert answer == b"nodeapp:hi" and label == "nodeapp" and mine == b"self:me"
    assert streamed == [b"0", b"1", b"2"]
    method, request, meta = seen[0]
    assert (method, request) == ("/test.Echo/Say", b"hi") and meta["x-trace"] == "t1"
    assert meta["dapr-caller-app-id"] == "orders" and meta["dapr-callee-app-id"] == "nodeapp"
    assert own_seen[0][1] == b"me"
    assert failed.code() == grpc.StatusCode.FAILED_PRECONDITION and failed.details() == "not like that"
    assert unknown.code() == grpc.StatusCode.UNAVAILABLE and "ghost" in unknown.details()
    assert no_id.code() == grpc.StatusCode.UNIMPLEMENTED
