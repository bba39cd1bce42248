"""Dapr service invocation through the sidecar's HTTP API (azlocal.aca.dapr.invoke/api_invoke), with the
target apps as aiohttp test servers on two loopback addresses and no Docker: method, path, query string,
headers, body and status pass through, round robin over replicas, retry on a dead replica, the own app via
the app channel, `dapr-app-id` header routing, `<id>.<namespace>`, and Dapr's errors."""

import asyncio
import json

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from azlocal.aca.dapr import invoke, sidecar
from tests.unit.test_dapr_sidecar import app_doc, make_ctx


def target_app(label, seen):
    async def echo(request):
        body = await request.read()
        seen.append({"label": label, "method": request.method, "path": request.raw_path,
                     "headers": dict(request.headers), "body": body})
        if request.path.startswith("/fail"):
            return web.json_response({"error": "nope"}, status=418, headers={"X-Why": "teapot"})
        return web.Response(body=label.encode() + b":" + body, headers={"X-Served-By": label},
                            content_type="text/plain")
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


async def scenario(steps, ctx, addresses=("127.0.0.1", "127.0.0.2"), own=False):
    """Targets `nodeapp` on `addresses` (one port), the sidecar of `ctx`; runs steps(session, base, seen)."""
    seen = []
    servers = []
    port = None
    for i, ip in enumerate(addresses):
        server = TestServer(target_app(f"r{i}", seen), host=ip, port=port or 0)
        await server.start_server()
        port = server.port
        servers.append(server)
    if own:
        ctx.app["properties"]["configuration"]["dapr"]["appPort"] = port

    def resolver(env_id, app_id):
        return (port, list(addresses)) if app_id == "nodeapp" else None
    ctx.extras["invoke.targets"] = invoke.Targets(resolver)
    side = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
    await side.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            return await steps(session, f"http://127.0.0.1:{side.port}", seen)
    finally:
        await side.close()
        for s in servers:
            await s.close()
        await ctx.close()


def run(steps, **kw):
    return asyncio.run(scenario(steps, make_ctx(), **kw))


def test_invoke_passes_method_path_query_headers_body_and_status():
    async def steps(s, base, seen):
        async with s.put(f"{base}/v1.0/invoke/nodeapp/method/neworder/items?x=1&y=two",
                         data=b'{"orderId": 7}', headers={"X-Custom": "v", "Content-Type": "application/json"}) as r:
            assert r.status == 200 and r.headers["X-Served-By"] in ("r0", "r1")
            assert (await r.read()).endswith(b':{"orderId": 7}')
        async with s.post(f"{base}/v1.0/invoke/nodeapp/method/fail") as r:
            assert r.status == 418 and r.headers["X-Why"] == "teapot"
            assert await r.json() == {"error": "nope"}
        return seen
    seen = run(steps)
    first = seen[0]
    assert first["method"] == "PUT" and first["path"] == "/neworder/items?x=1&y=two"
    assert first["headers"]["X-Custom"] == "v" and first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["dapr-caller-app-id"] == "orders" and first["headers"]["dapr-callee-app-id"] == "nodeapp"


def test_invoke_round_robins_over_the_replicas():
    async def steps(s, base, seen):
        for _ in range(6):
            async with s.get(f"{base}/v1.0/invoke/nodeapp/method/ping") as r:
                assert r.status == 200
        return seen
    seen = run(steps)
    labels = [e["label"] for e in seen]
    assert labels.count("r0") == 3 and labels.count("r1") == 3


def test_a_dead_replica_is_skipped():
    async def steps(s, base, seen):
        for _ in range(4):
            async with s.get(f"{base}/v1.0/invoke/nodeapp/method/ping") as r:
                assert r.status == 200, await r.text()
        return seen

    async def with_dead():
        ctx = make_ctx()
        dead = "127.0.0.3"  # nothing listens there
        seen = []
        server = TestServer(target_app("r0", seen), host="127.0.0.1")
        await server.start_server()
        ctx.extras["invoke.targets"] = invoke.Targets(lambda e, a: (server.port, ["127.0.0.1", dead]))
        side = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
        await side.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                return await steps(session, f"http://127.0.0.1:{side.port}", seen)
        finally:
            await side.close()
            await server.close()
            await ctx.close()
    assert len(asyncio.run(with_dead())) == 4


def test_unknown_app_id_is_err_direct_invoke():
    async def steps(s, base, seen):
        async with s.post(f"{base}/v1.0/invoke/nosuchapp/method/neworder") as r:
            return r.status, await r.json()
    status, body = run(steps)
    assert status == 500 and body["errorCode"] == "ERR_DIRECT_INVOKE"
    assert body["message"].startswith("failed to invoke, id: nosuchapp, err: ")


def test_header_routing_and_namespace_suffix():
    async def steps(s, base, seen):
        async with s.post(f"{base}/neworder?a=b", data=b"x", headers={"dapr-app-id": "nodeapp"}) as r:
            assert r.status == 200
        async with s.get(f"{base}/v1.0/invoke/nodeapp.k8se-apps/method/orders") as r:
            assert r.status == 200
        async with s.get(f"{base}/somewhere") as r:  # no header: not an API path
            assert r.status == 404
        return seen
    seen = run(steps)
    assert seen[0]["path"] == "/neworder?a=b" and "dapr-app-id" not in {k.lower() for k in seen[0]["headers"]}
    assert seen[1]["path"] == "/orders"


def test_own_app_id_goes_through_the_app_channel():
    async def steps(s, base, seen):
        async with s.get(f"{base}/v1.0/invoke/orders/method/self") as r:
            return r.status, await r.read()
    ctx = make_ctx()
    status, body = asyncio.run(scenario(steps, ctx, addresses=("127.0.0.1",), own=True))
    assert status == 200 and body == b"r0:"


def test_own_app_not_answering_is_err_direct_invoke():
    async def steps(s, base, seen):
        async with s.get(f"{base}/v1.0/invoke/orders/method/self") as r:
            return r.status, await r.json()
    ctx = make_ctx(app_doc(port=1))  # nothing listens on port 1
    status, body = asyncio.run(scenario(steps, ctx))
    assert status == 500 and body["errorCode"] == "ERR_DIRECT_INVOKE"


def test_find_targets_reads_the_environments_dapr_apps(home, monkeypatch):
    from azlocal.aca import revisions
    from azlocal.platform.engine import objects
    from azlocal.platform.store import store

    node = app_doc(name="node", app_id="nodeapp", port=3000)
    other_env = app_doc(name="elsewhere", app_id="nodeapp")
    other_env["properties"]["managedEnvironmentId"] = other_env["properties"]["managedEnvironmentId"] + "x"
    off = app_doc(name="off", app_id="offapp", enabled=False)
    env = {"id": node["properties"]["managedEnvironmentId"], "name": "env1", "location": "eastus",
           "type": "Microsoft.App/managedEnvironments", "properties": {}}
    for doc in (env, node, other_env, off):
        store().put(dict({"type": "Microsoft.App/containerApps", "location": "eastus"}, **doc))

    class C:
        def __init__(self, name, replica, ip):
            self.name, self.labels, self.ip = name, {"azlocal.aca.replica": replica}, ip
            self.attrs = {"State": {"Status": "running"}}
    containers = {node["id"].lower(): [C("r1", "r1", "10.0.0.5"), C("r1-side", "r1", "10.0.0.5"),
                                       C("r2", "r2", "10.0.0.6")]}
    monkeypatch.setattr(objects, "containers", lambda resource_id=None, **kw: containers.get(resource_id.lower(), []))
    monkeypatch.setattr(revisions, "address", lambda c, env: c.ip)
    assert invoke.find_targets(node["properties"]["managedEnvironmentId"], "nodeapp") == (3000,
                                                                                           ["10.0.0.5", "10.0.0.6"])
    assert invoke.find_targets(node["properties"]["managedEnvironmentId"], "offapp") is None
    assert json.loads(json.dumps(invoke.no_app_id().body()))["errorCode"] == "ERR_DIRECT_INVOKE"
