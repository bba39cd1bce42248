"""The sidecar's Dapr gRPC API (azlocal.aca.dapr.grpc_api) in process, no Docker: a grpc.aio server on a
loopback port over a fake sidecar context with real components (state.sqlite, pubsub.in-memory,
secretstores.local.env, all kept in the test's home), called through the `dapr` package's own stub
(dapr_pb2_grpc.DaprStub) as the SDKs call it; the invoked app is an aiohttp test server."""

import asyncio
import json

import grpc
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import dapr_pb2_grpc, invoke_pb2, metadata_pb2, pubsub_pb2, secret_pb2, state_pb2
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from azlocal.aca.dapr import grpc_api, invoke
from azlocal.aca.dapr.components import Component
from tests.unit.test_dapr_sidecar import make_ctx

COMPONENTS = [Component("statestore", "state.sqlite", "v1", {}, []),
              Component("orders", "pubsub.in-memory", "v1", {}, []),
              Component("envsecrets", "secretstores.local.env", "v1", {"prefix": "S_"}, [])]


def _ctx():
    ctx = make_ctx(components=COMPONENTS)
    ctx.app["properties"]["template"] = {"containers": [{"name": "c", "env": [
        {"name": "S_DB_PASSWORD", "value": "hunter2"}, {"name": "OTHER", "value": "x"}]}]}
    return ctx


async def _scenario(steps, ctx):
    seen = []

    async def app_handler(request):
        seen.append({"method": request.method, "path": request.raw_path, "headers": dict(request.headers),
                     "body": await request.read()})
        if request.path == "/missing":
            return web.Response(status=404, text="no such order " * 10)
        return web.Response(body=b"ok:" + seen[-1]["body"], content_type="application/json",
                            headers={"X-Served-By": "nodeapp-1"})

    target = web.Application()
    target.router.add_route("*", "/{tail:.*}", app_handler)
    server = TestServer(target, host="127.0.0.1")
    await server.start_server()
    ctx.extras["invoke.targets"] = invoke.Targets(
        lambda env_id, app_id: (server.port, ["127.0.0.1"]) if app_id == "nodeapp" else None)
    grpc_server = asyncio.ensure_future(grpc_api.start(ctx, "127.0.0.1:0"))
    while "grpc_api.server" not in ctx.extras:
        await asyncio.sleep(0.01)
    port = ctx.extras["grpc_api.port"]
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            return await steps(dapr_pb2_grpc.DaprStub(channel), seen)
    finally:
        await grpc_api.stop(ctx)
        await grpc_server
        await server.close()
        await ctx.close()


def run(steps, ctx=None):
    return asyncio.run(_scenario(steps, ctx or _ctx()))


def _error_info(err):
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            info = error_details_pb2.ErrorInfo()
            status.details[0].Unpack(info)
            return info
    return None


def test_invoke_service_reaches_the_app_by_app_id_with_verb_query_headers_and_body(home):
    async def steps(stub, seen):
        request = invoke_pb2.InvokeServiceRequest(id="nodeapp", message=common_pb2.InvokeRequest(
            method="neworder", data=any_pb2.Any(value=b'{"orderId": 1}'), content_type="application/json",
            http_extension=common_pb2.HTTPExtension(verb=common_pb2.HTTPExtension.PUT, querystring="a=1&b=2")))
        call = stub.InvokeService(request, metadata=(("x-custom", "v"),))
        answer = await call
        headers = dict(await call.initial_metadata())
        assert answer.data.value == b'ok:{"orderId": 1}' and answer.content_type.startswith("application/json")
        assert headers["x-served-by"] == "nodeapp-1" and headers["dapr-content-type"].startswith("application/json")
        no_verb = invoke_pb2.InvokeServiceRequest(id="nodeapp", message=common_pb2.InvokeRequest(method="ping"))
        await stub.InvokeService(no_verb)
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.InvokeService(invoke_pb2.InvokeServiceRequest(
                id="nodeapp", message=common_pb2.InvokeRequest(method="missing")))
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await stub.InvokeService(invoke_pb2.InvokeServiceRequest(
                id="ghost", message=common_pb2.InvokeRequest(method="x")))
        return seen, missing.value, unknown.value

    seen, missing, unknown = run(steps)
    assert seen[0]["method"] == "PUT" and seen[0]["path"] == "/neworder?a=1&b=2" and seen[0]["body"] == \
        b'{"orderId": 1}'
    assert seen[0]["headers"]["x-custom"] == "v" and seen[0]["headers"]["Content-Type"] == "application/json"
    assert seen[0]["headers"]["dapr-caller-app-id"] == "orders"
    assert seen[1]["method"] == "POST" and seen[1]["path"] == "/ping"  # no verb: daprd posts
    # the app's 404 is daprd's NOT_FOUND "Not Found" with http.code and the body's first 63 characters
    assert missing.code() == grpc.StatusCode.NOT_FOUND and missing.details() == "Not Found"
    info = _error_info(missing)
    assert info.domain == "dapr.io" and info.metadata["http.code"] == "404"
    assert info.metadata["http.error_message"] == ("no such order " * 10)[:63]
    assert unknown.code() == grpc.StatusCode.INTERNAL and "failed to invoke, id: ghost" in unknown.details()
    assert _error_info(unknown).reason == "ERR_DIRECT_INVOKE"


def test_state_save_get_bulk_delete_with_etags_and_a_transaction(home):
    async def steps(stub, seen):
        S = "statestore"
        await stub.SaveState(state_pb2.SaveStateRequest(store_name=S, states=[
            common_pb2.StateItem(key="order-1", value=b'{"orderId":1}'),
            common_pb2.StateItem(key="order-2", value=b"raw bytes")]))
        got = await stub.GetState(state_pb2.GetStateRequest(store_name=S, key="order-1"))
        assert got.data == b'{"orderId":1}' and got.etag
        stale = got.etag
        await stub.SaveState(state_pb2.SaveStateRequest(store_name=S, states=[common_pb2.StateItem(
            key="order-1", value=b'{"orderId":11}', etag=common_pb2.Etag(value=got.etag))]))
        with pytest.raises(grpc.aio.AioRpcError) as conflict:
            await stub.SaveState(state_pb2.SaveStateRequest(store_name=S, states=[common_pb2.StateItem(
                key="order-1", value=b"lost", etag=common_pb2.Etag(value=stale))]))
        with pytest.raises(grpc.aio.AioRpcError) as first_write:
            await stub.SaveState(state_pb2.SaveStateRequest(store_name=S, states=[common_pb2.StateItem(
                key="order-1", value=b"lost", options=common_pb2.StateOptions(
                    concurrency=common_pb2.StateOptions.CONCURRENCY_FIRST_WRITE))]))
        assert (await stub.GetState(state_pb2.GetStateRequest(store_name=S, key="order-1"))).data == \
            b'{"orderId":11}'
        empty = await stub.GetState(state_pb2.GetStateRequest(store_name=S, key="never"))
        assert empty.data == b"" and empty.etag == ""
        bulk = await stub.GetBulkState(state_pb2.GetBulkStateRequest(store_name=S,
                                                                      keys=["order-1", "order-2", "never"]))
        assert [(i.key, i.data) for i in bulk.items] == [("order-1", b'{"orderId":11}'), ("order-2", b"raw bytes"),
                                                         ("never", b"")]
        await stub.ExecuteStateTransaction(state_pb2.ExecuteStateTransactionRequest(storeName=S, operations=[
            state_pb2.TransactionalStateOperation(operationType="upsert", request=common_pb2.StateItem(
                key="order-3", value=b"3")),
            state_pb2.TransactionalStateOperation(operationType="delete", request=common_pb2.StateItem(
                key="order-2"))]))
        assert (await stub.GetState(state_pb2.GetStateRequest(store_name=S, key="order-3"))).data == b"3"
        assert (await stub.GetState(state_pb2.GetStateRequest(store_name=S, key="order-2"))).data == b""
        with pytest.raises(grpc.aio.AioRpcError) as delete_conflict:
            await stub.DeleteState(state_pb2.DeleteStateRequest(store_name=S, key="order-1",
                                                                etag=common_pb2.Etag(value=stale)))
        await stub.DeleteState(state_pb2.DeleteStateRequest(store_name=S, key="order-1"))
        assert (await stub.GetState(state_pb2.GetStateRequest(store_name=S, key="order-1"))).etag == ""
        with pytest.raises(grpc.aio.AioRpcError) as no_store:
            await stub.GetState(state_pb2.GetStateRequest(store_name="nostore", key="k"))
        return conflict.value, first_write.value, delete_conflict.value, no_store.value

    conflict, first_write, delete_conflict, no_store = run(steps)
    for err in (conflict, first_write, delete_conflict):
        assert err.code() == grpc.StatusCode.ABORTED, err
    assert "failed saving state in state store statestore" in conflict.details()
    assert no_store.code() == grpc.StatusCode.INVALID_ARGUMENT and no_store.details() == \
        "state store nostore is not found"


def test_publish_event_lands_in_the_environments_broker_as_a_cloud_event(home):
    from azlocal.aca.dapr import pubsub

    ctx = _ctx()

    async def steps(stub, seen):
        await stub.PublishEvent(pubsub_pb2.PublishEventRequest(
            pubsub_name="orders", topic="new", data=b'{"orderId": 5}', data_content_type="application/json"))
        bulk = await stub.BulkPublishEvent(pubsub_pb2.BulkPublishRequest(pubsub_name="orders", topic="bulk", entries=[
            pubsub_pb2.BulkPublishRequestEntry(entry_id="1", event=b"one", content_type="text/plain"),
            pubsub_pb2.BulkPublishRequestEntry(entry_id="2", event=b'{"n":2}', content_type="application/json")]))
        assert list(bulk.failedEntries) == []
        with pytest.raises(grpc.aio.AioRpcError) as bulk_missing:
            await stub.BulkPublishEvent(pubsub_pb2.BulkPublishRequest(pubsub_name="nope", topic="t"))
        assert bulk_missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.PublishEvent(pubsub_pb2.PublishEventRequest(pubsub_name="nope", topic="new", data=b"x"))
        with pytest.raises(grpc.aio.AioRpcError) as no_topic:
            await stub.PublishEvent(pubsub_pb2.PublishEventRequest(pubsub_name="orders", data=b"x"))
        return missing.value, no_topic.value

    missing, no_topic = run(steps, ctx)
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT and "pubsub nope" in missing.details()
    assert no_topic.code() == grpc.StatusCode.INVALID_ARGUMENT
    messages = pubsub.backend(ctx, COMPONENTS[1]).claim("new", "reader", "reader-1")
    assert len(messages) == 1
    bulk = pubsub.backend(ctx, COMPONENTS[1]).claim("bulk", "reader", "reader-1")
    assert [json.loads(m.body)["data"] for m in bulk] == ["one", {"n": 2}]
    event = json.loads(messages[0].body)
    assert event["data"] == {"orderId": 5} and event["source"] == "orders" and event["topic"] == "new"
    assert event["pubsubname"] == "orders" and event["specversion"] == "1.0"


def test_secrets_and_metadata(home):
    async def steps(stub, seen):
        one = await stub.GetSecret(secret_pb2.GetSecretRequest(store_name="envsecrets", key="DB_PASSWORD"))
        every = await stub.GetBulkSecret(secret_pb2.GetBulkSecretRequest(store_name="envsecrets"))
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.GetSecret(secret_pb2.GetSecretRequest(store_name="envsecrets", key="NOPE"))
        with pytest.raises(grpc.aio.AioRpcError) as no_store:
            await stub.GetSecret(secret_pb2.GetSecretRequest(store_name="vault", key="x"))
        meta = await stub.GetMetadata(metadata_pb2.GetMetadataRequest())
        await stub.SetMetadata(metadata_pb2.SetMetadataRequest(key="k", value="v"))
        again = await stub.GetMetadata(metadata_pb2.GetMetadataRequest())
        return one, every, missing.value, no_store.value, meta, again

    one, every, missing, no_store, meta, again = run(steps)
    assert dict(one.data) == {"DB_PASSWORD": "hunter2"}
    assert {k: dict(v.secrets) for k, v in every.data.items()} == {"DB_PASSWORD": {"DB_PASSWORD": "hunter2"}}
    assert missing.code() == grpc.StatusCode.INTERNAL and "failed getting secret with key NOPE" in missing.details()
    assert no_store.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert meta.id == "orders" and meta.runtime_version
    assert [(c.name, c.type) for c in meta.registered_components] == [
        ("statestore", "state.sqlite"), ("orders", "pubsub.in-memory"), ("envsecrets", "secretstores.local.env")]
    assert meta.app_connection_properties.port == 3000 and meta.app_connection_properties.protocol == "http"
    assert again.extended_metadata["k"] == "v"


def test_methods_it_does_not_serve_are_unimplemented(home):
    async def steps(stub, seen):
        from dapr.proto.runtime.v1 import binding_pb2

        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.InvokeBinding(binding_pb2.InvokeBindingRequest(name="b", operation="create"))
        return err.value

    assert run(steps).code() == grpc.StatusCode.UNIMPLEMENTED


def test_api_logging_logs_each_grpc_call_only_when_enabled(home, caplog):
    ctx = _ctx()

    async def steps(stub, seen):
        await stub.GetState(state_pb2.GetStateRequest(store_name="statestore", key="quiet"))
        ctx.app["properties"]["configuration"]["dapr"]["enableApiLogging"] = True
        await stub.GetState(state_pb2.GetStateRequest(store_name="statestore", key="k"))
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.GetState(state_pb2.GetStateRequest(store_name="nostore", key="k"))

    with caplog.at_level("INFO", logger="azlocal.dapr"):
        run(steps, ctx)
    lines = [r.getMessage() for r in caplog.records if "gRPC API Called" in r.getMessage()]
    assert len(lines) == 2
    assert lines[0].startswith("gRPC API Called method=/dapr.proto.runtime.v1.Dapr/GetState code=OK duration=")
    assert "code=INVALID_ARGUMENT" in lines[1] and "grpc-python" in lines[1]
