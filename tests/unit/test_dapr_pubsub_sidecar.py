"""Pub/sub through the sidecar's real pieces in one process (no Docker): the sidecar application of
sidecar.build_app for a publisher (its HTTP API on a test server), real SidecarContexts over the home's store,
an aiohttp app as the subscriber on a loopback port (its `/dapr/subscribe` and route), the delivery loop that
the sidecar starts (pubsub.start_delivery), and the component set by `az containerapp env dapr-component set`."""

import asyncio
import json

from tests.unit.test_aca_parity import _seed


def _app_doc(base, name, app_id, port):
    doc = json.loads(json.dumps(base))
    doc["id"] = base["id"].rsplit("/", 1)[0] + "/" + name
    doc["name"] = name
    doc["properties"]["configuration"]["dapr"] = {"enabled": True, "appId": app_id, "appPort": port}
    return doc


def test_publish_through_the_sidecar_api_reaches_the_subscribing_app(cli, tmp_path):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer, unused_port

    from azlocal.aca.dapr import pubsub, sidecar
    from azlocal.aca.dapr.context import SidecarContext
    from azlocal.platform.store import store

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    env_doc, base = _seed()
    path = tmp_path / "pubsub.yaml"
    path.write_text("componentType: pubsub.in-memory\nversion: v1\nscopes: [publisher, subscriber]\n")
    r = cli("containerapp", "env", "dapr-component", "set", "-g", "rg", "-n", "env1", "--dapr-component-name",
            "orders-bus", "--yaml", str(path))
    assert r.code == 0, r.err
    port = unused_port()
    pub_doc, sub_doc = _app_doc(base, "pub", "publisher", None), _app_doc(base, "sub", "subscriber", port)
    with store().transaction():
        store().put(pub_doc)
        store().put(sub_doc)
    received = []

    async def subscribe(request):
        return web.json_response([{"pubsubname": "orders-bus", "topic": "orders", "route": "orders"}])

    async def orders(request):
        received.append((request.headers.get("Content-Type"), await request.json()))
        return web.json_response({"status": "SUCCESS"})

    async def scenario():
        subscriber = web.Application()
        subscriber.add_routes([web.get("/dapr/subscribe", subscribe), web.post("/orders", orders)])
        runner = web.AppRunner(subscriber)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        pub_ctx = SidecarContext(pub_doc, env_doc, "pub--r1")
        sub_ctx = SidecarContext(sub_doc, env_doc, "sub--r1")
        delivery = asyncio.ensure_future(pubsub.start_delivery(sub_ctx))
        try:
            async with TestClient(TestServer(sidecar.build_app(pub_ctx))) as client:
                for n in range(3):
                    resp = await client.post("/v1.0/publish/orders-bus/orders", json={"orderId": n})
                    assert resp.status == 204, await resp.text()
                for _ in range(100):
                    if len(received) >= 3:
                        break
                    await asyncio.sleep(0.05)
        finally:
            delivery.cancel()
            await asyncio.gather(delivery, return_exceptions=True)
            await pub_ctx.close()
            await sub_ctx.close()
            await runner.cleanup()
        return pubsub.subscriptions_metadata(sub_ctx)

    subs = asyncio.run(scenario())
    assert sorted(event["data"]["orderId"] for _ct, event in received) == [0, 1, 2]
    assert {ct for ct, _e in received} == {"application/cloudevents+json"}
    assert {event["source"] for _ct, event in received} == {"publisher"}
    assert subs == [{"pubsubname": "orders-bus", "topic": "orders", "rules": [{"path": "/orders"}],
                     "type": "PROGRAMMATIC"}]
