"""The official `dapr` Python SDK (DaprClient, sync, on a worker thread) against an in-process sidecar: its HTTP
API (the SDK's health wait) and its gRPC API (grpc_api) on loopback ports, real state.sqlite and
pubsub.in-memory components in the test's home, the invoked app an aiohttp test server. No Docker."""

import asyncio
import json

import pytest
from aiohttp.test_utils import TestServer

from azlocal.aca.dapr import sidecar
from tests.unit.test_dapr_grpc import _ctx, _scenario


def _sdk(monkeypatch, http_port, grpc_port, fn):
    from dapr.clients import DaprClient

    monkeypatch.setenv("DAPR_HTTP_ENDPOINT", f"http://127.0.0.1:{http_port}")
    monkeypatch.setenv("DAPR_GRPC_ENDPOINT", f"127.0.0.1:{grpc_port}")
    monkeypatch.setenv("DAPR_API_METHOD_INVOCATION_PROTOCOL", "grpc")
    monkeypatch.setenv("DAPR_HEALTH_TIMEOUT", "10")
    with DaprClient() as client:
        return fn(client)


def test_the_sdk_invokes_keeps_state_with_etags_publishes_and_reads_secrets(home, monkeypatch):
    from dapr.clients.exceptions import DaprGrpcError

    ctx = _ctx()

    def calls(d):
        out = {}
        resp = d.invoke_method("nodeapp", "neworder", data=b'{"orderId": 9}', content_type="application/json",
                               http_verb="POST", http_querystring=(("n", "1"),))
        out["invoke"] = (resp.data, resp.content_type)
        d.save_state("statestore", "order", '{"orderId": 1}')
        first = d.get_state("statestore", "order")
        d.save_state("statestore", "order", '{"orderId": 2}', etag=first.etag)
        with pytest.raises(DaprGrpcError) as stale:
            d.save_state("statestore", "order", '{"orderId": 3}', etag=first.etag)
        out["stale"] = (stale.value.code().name, stale.value.error_code())
        out["state"] = d.get_state("statestore", "order").data
        items = d.get_bulk_state("statestore", keys=["order", "none"]).items
        out["bulk"] = [(i.key, i.data) for i in items]
        d.publish_event("orders", "new", json.dumps({"orderId": 5}), data_content_type="application/json")
        out["secret"] = dict(d.get_secret("envsecrets", "DB_PASSWORD").secret)
        meta = d.get_metadata()
        out["meta"] = (meta.application_id, sorted(c.name for c in meta.registered_components))
        return out

    async def steps(stub, seen):
        http = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
        await http.start_server()
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, _sdk, monkeypatch, http.port, ctx.extras["grpc_api.port"],
                                              calls), seen
        finally:
            await http.close()

    out, seen = asyncio.run(_scenario(steps, ctx))
    assert out["invoke"][0] == b'ok:{"orderId": 9}' and out["invoke"][1].startswith("application/json")
    assert seen[0]["method"] == "POST" and seen[0]["path"] == "/neworder?n=1"
    assert out["stale"] == ("ABORTED", "ERR_STATE_SAVE")
    assert out["state"] == b'{"orderId": 2}'
    assert out["bulk"] == [("order", b'{"orderId": 2}'), ("none", b"")]
    assert out["secret"] == {"DB_PASSWORD": "hunter2"}
    assert out["meta"] == ("orders", ["envsecrets", "orders", "statestore"])
    from azlocal.aca.dapr import pubsub

    [message] = pubsub.backend(ctx, ctx.components()[1]).claim("new", "reader", "r1")
    assert json.loads(message.body)["data"] == {"orderId": 5}
