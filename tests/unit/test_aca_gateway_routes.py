"""The gateway's routes are a snapshot of the store, reloaded at most every ROUTE_TTL: a request that finds
no ready revision in the snapshot reads the routes again before it answers 503 (real sockets on loopback;
an aiohttp upstream stands for the replica)."""

import asyncio
import time

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from azlocal.aca.gateway import Gateway

HOST = "web.example.eastus.azurecontainerapps.io"


def _app(port, ready):
    return {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/containerapps/web", "name": "web",
            "properties": {"latestReadyRevisionName": "web--v1" if ready else None,
                           "configuration": {"activeRevisionsMode": "Single", "ingress": {
                               "external": True, "allowInsecure": True, "targetPort": port,
                               "traffic": [{"latestRevision": True, "weight": 100}]}},
                           "template": {"scale": {"minReplicas": 1}}}}


async def _scenario():
    async def ok(request):
        return web.Response(text="ok")

    upstream = TestServer(web.Application(), host="127.0.0.1")
    upstream.app.router.add_route("*", "/{tail:.*}", ok)
    await upstream.start_server()
    gateway = Gateway()
    # The snapshot was taken while the app was being created: no revision was ready yet.
    gateway.routes = {HOST: ("app", _app(upstream.port, ready=False), {}, None)}
    gateway.routes_at = time.monotonic()  # fresh: the first look is at the snapshot
    gateway.http_rules = set()

    def load():
        return {HOST: ("app", _app(upstream.port, ready=True), {}, None)}

    gateway._load_routes = load

    async def addresses(app, env, revision, fresh=False):
        return [("127.0.0.1", upstream.port)] if revision == "web--v1" else []

    gateway.addresses_of = addresses

    @web.middleware
    async def all_to_gateway(request, handler):
        return await gateway.handle(request)

    front = TestServer(web.Application(middlewares=[all_to_gateway]), host="127.0.0.1")
    await front.start_server()
    try:
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{front.port}/", headers={"Host": HOST}) as r:
                return r.status, await r.text()
    finally:
        await gateway.close()
        await front.close()
        await upstream.close()


def test_a_stale_snapshot_without_a_ready_revision_is_read_again_before_503(home):
    assert asyncio.run(_scenario()) == (200, "ok")
