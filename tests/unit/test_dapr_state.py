"""Dapr's state API on the sidecar (api_state + state + state_backends) with a fake sidecar context, no Docker:
ETags, concurrency, bulk, transactions, key prefixes, TTL and Dapr's errors, on each backend azlocal keeps in
the home (state.in-memory, state.sqlite, state.redis on the home's own redis-server)."""

import asyncio
import json
import time

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from azlocal.aca.dapr import api_state, redis_server, state_backends

BACKENDS = ("state.in-memory", "state.sqlite", "state.redis")


class Comp:
    def __init__(self, name, type, metadata=None, version="v1"):
        self.name, self.type, self.metadata, self.version, self.scopes = name, type, metadata or {}, version, []


class FakeCtx:
    """What api_state/state use of a SidecarContext."""

    def __init__(self, components, app_id="nodeapp"):
        self.app_id, self.app, self.env = app_id, {"name": app_id}, {"id": "/subscriptions/s/env1"}
        self._components, self.extras = list(components), {}

    def components(self):
        return self._components

    def component(self, name, family):
        for c in self._components:
            if c.name == name and c.type.split(".", 1)[0] == family:
                return c
        raise LookupError(name)

    async def run_blocking(self, fn, *args):
        return await asyncio.to_thread(fn, *args)


@pytest.fixture
def redis_home(home):
    yield home
    redis_server.stop()


class Client:
    def __init__(self, session, base):
        self.session, self.base = session, base

    async def call(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        async with self.session.request(method, self.base + path, data=data, headers=headers or {}) as r:
            return r.status, r.headers, await r.read()


def run(ctx, scenario):
    async def main():
        app = web.Application()
        app.add_routes(api_state.routes(ctx))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                return await scenario(Client(session, f"http://127.0.0.1:{server.port}/v1.0/state"))
        finally:
            await server.close()
    return asyncio.run(main())


def err(body):
    doc = json.loads(body)
    return doc["errorCode"], doc["message"]


@pytest.mark.parametrize("kind", BACKENDS)
def test_etags_and_concurrency(redis_home, kind):
    ctx = FakeCtx([Comp("statestore", kind)])

    async def scenario(c):
        assert (await c.call("POST", "/statestore", [{"key": "order", "value": {"orderId": 1}}]))[0] == 204
        status, headers, body = await c.call("GET", "/statestore/order")
        assert status == 200 and json.loads(body) == {"orderId": 1} and headers["Content-Type"] == "application/json"
        etag = headers["ETag"]
        status, _, body = await c.call("POST", "/statestore", [{"key": "order", "value": 2, "etag": "12345"}])
        assert status == 409 and err(body)[0] == "ERR_STATE_SAVE"
        assert err(body)[1].startswith("failed saving state in state store statestore: possible etag mismatch")
        assert json.loads((await c.call("GET", "/statestore/order"))[2]) == {"orderId": 1}  # unchanged
        assert (await c.call("POST", "/statestore", [{"key": "order", "value": 2, "etag": etag}]))[0] == 204
        status, headers, body = await c.call("GET", "/statestore/order")
        assert body == b"2" and headers["ETag"] != etag
        # the old ETag is stale now; first-write without an ETag refuses an existing key, accepts a new one
        assert (await c.call("POST", "/statestore", [{"key": "order", "value": 3, "etag": etag}]))[0] == 409
        first = {"concurrency": "first-write", "consistency": "strong"}
        assert (await c.call("POST", "/statestore", [{"key": "order", "value": 3, "options": first}]))[0] == 409
        assert (await c.call("POST", "/statestore", [{"key": "fresh", "value": 1, "options": first}]))[0] == 204
        assert (await c.call("POST", "/statestore", [{"key": "order", "value": 4,
                                                      "options": {"concurrency": "last-write"}}]))[0] == 204
        # delete: If-Match must match; an ETag for an absent key is a mismatch
        current = (await c.call("GET", "/statestore/order"))[1]["ETag"]
        stale = "999" if kind == "state.redis" else "stale"
        status, _, body = await c.call("DELETE", "/statestore/order", headers={"If-Match": stale})
        assert status == 409 and err(body)[1].startswith("failed deleting state with key order: possible etag")
        assert (await c.call("DELETE", "/statestore/order", headers={"If-Match": current}))[0] == 204
        assert (await c.call("GET", "/statestore/order"))[0] == 204
        assert (await c.call("DELETE", "/statestore/order"))[0] == 204  # absent, no ETag: nothing to do
        status, _, _ = await c.call("POST", "/statestore", [{"key": "ghost", "value": 1, "etag": current}])
        assert status == 409

    run(ctx, scenario)


@pytest.mark.parametrize("kind", BACKENDS)
def test_bulk_and_transactions(redis_home, kind):
    ctx = FakeCtx([Comp("statestore", kind)])

    async def scenario(c):
        await c.call("POST", "/statestore", [{"key": "a", "value": "x"}, {"key": "b", "value": [1, 2]}])
        status, _, body = await c.call("POST", "/statestore/bulk", {"keys": ["b", "missing", "a"], "parallelism": 2})
        items = json.loads(body)
        assert status == 200 and [i["key"] for i in items] == ["b", "missing", "a"]
        assert items[0]["data"] == [1, 2] and items[2]["data"] == "x" and items[0]["etag"]
        assert items[1] == {"key": "missing"}
        etag_a = items[2]["etag"]
        # one stale ETag fails the whole transaction: nothing written, nothing deleted
        ops = [{"operation": "upsert", "request": {"key": "c", "value": 3}},
               {"operation": "delete", "request": {"key": "b"}},
               {"operation": "upsert", "request": {"key": "a", "value": "y", "etag": "1" + etag_a}}]
        status, _, body = await c.call("POST", "/statestore/transaction", {"operations": ops})
        assert status == 500 and err(body)[0] == "ERR_STATE_TRANSACTION"
        assert err(body)[1].startswith("error while executing state transaction: ")
        assert (await c.call("GET", "/statestore/c"))[0] == 204 and (await c.call("GET", "/statestore/b"))[0] == 200
        ops[2]["request"]["etag"] = etag_a
        assert (await c.call("POST", "/statestore/transaction", {"operations": ops}))[0] == 204
        assert (await c.call("GET", "/statestore/c"))[2] == b"3" and (await c.call("GET", "/statestore/b"))[0] == 204
        assert (await c.call("GET", "/statestore/a"))[2] == b'"y"'
        status, _, body = await c.call("POST", "/statestore/transaction",
                                       {"operations": [{"operation": "merge", "request": {"key": "a"}}]})
        assert status == 400
        assert err(body) == ("ERR_NOT_SUPPORTED_STATE_OPERATION", "operation type merge not supported")

    run(ctx, scenario)


def test_values_are_kept_as_daprd_writes_them_and_keys_are_prefixed(home):
    comps = [Comp("statestore", "state.sqlite"), Comp("byname", "state.sqlite", {"keyPrefix": "name"}),
             Comp("bare", "state.sqlite", {"keyPrefix": "none"}),
             Comp("shared", "state.sqlite", {"keyPrefix": "orders"})]
    ctx = FakeCtx(comps)

    async def scenario(c):
        await c.call("POST", "/statestore", b'[{"key": "k", "value": {"b": 1, "a": "<&>"}},'
                                            b' {"key": "s", "value": "hi"}]')
        assert (await c.call("GET", "/statestore/k"))[2] == b'{"a":"\\u003c\\u0026\\u003e","b":1}'
        assert (await c.call("GET", "/statestore/s"))[2] == b'"hi"'
        for store in ("byname", "bare", "shared"):
            await c.call("POST", f"/{store}", [{"key": "k", "value": 1}])
        return ctx

    run(ctx, scenario)
    backends = ctx.extras["state_backends"]
    assert backends["statestore"][1].get("nodeapp||k") is not None and backends["statestore"][1].get("k") is None
    assert backends["byname"][1].get("byname||k") is not None
    assert backends["bare"][1].get("k") is not None
    assert backends["shared"][1].get("orders||k") is not None


def test_state_survives_a_new_sidecar_and_replicas_share_it(home):
    async def save(c):
        return await c.call("POST", "/statestore", [{"key": "order", "value": {"orderId": 7}}])

    async def read(c):
        return await c.call("GET", "/statestore/order")

    for kind in ("state.sqlite", "state.in-memory"):
        assert run(FakeCtx([Comp("statestore", kind)]), save)[0] == 204
        status, _, body = run(FakeCtx([Comp("statestore", kind)]), read)  # another sidecar process's context
        assert status == 200 and json.loads(body) == {"orderId": 7}
    # another environment's store of the same name is another database
    other = FakeCtx([Comp("statestore", "state.sqlite")])
    other.env = {"id": "/subscriptions/s/env2"}
    assert run(other, read)[0] == 204


def test_ttl_in_seconds(redis_home):
    ctx = FakeCtx([Comp(kind, kind) for kind in BACKENDS])

    async def scenario(c):
        for kind in BACKENDS:
            await c.call("POST", f"/{kind}", [{"key": "t", "value": 1, "metadata": {"ttlInSeconds": "1"}},
                                               {"key": "kept", "value": 1}])
            status, headers, _ = await c.call("GET", f"/{kind}/t")
            assert status == 200 and headers["metadata.ttlExpireTime"].endswith("Z")
        await asyncio.sleep(2.1)
        for kind in BACKENDS:
            assert (await c.call("GET", f"/{kind}/t"))[0] == 204 and (await c.call("GET", f"/{kind}/kept"))[0] == 200
        status, _, body = await c.call("POST", "/state.sqlite?metadata.ttlInSeconds=soon", [{"key": "t", "value": 1}])
        assert status == 500 and 'parsing "soon"' in err(body)[1]

    run(ctx, scenario)


def test_errors_as_dapr(home):
    ctx = FakeCtx([Comp("statestore", "state.in-memory"), Comp("orders", "pubsub.redis")])

    async def scenario(c):
        status, _, body = await c.call("GET", "/nostore/k")
        doc = json.loads(body)
        assert status == 400 and doc["errorCode"] == "ERR_STATE_STORE_NOT_FOUND"
        assert doc["message"] == "state store nostore is not found"
        assert doc["details"][0]["reason"] == "DAPR_STATE_NOT_FOUND"
        assert (await c.call("POST", "/orders", []))[0] == 400  # a pubsub component is no state store
        status, _, body = await c.call("POST", "/statestore", b'{"key": "k"}')
        assert status == 400 and err(body) == ("ERR_MALFORMED_REQUEST",
                                               "json: cannot unmarshal object into Go value of type []state.SetRequest")
        assert (await c.call("POST", "/statestore", b"[{"))[0] == 400
        status, _, body = await c.call("POST", "/statestore", [{"value": 1}])
        assert status == 400 and err(body) == ("ERR_MALFORMED_REQUEST", '"key" is a required field')
        status, _, body = await c.call("POST", "/statestore", [{"key": "a||b", "value": 1}])
        assert status == 400 and err(body)[1] == "input key/keyPrefix 'a||b' can't contain '||'"
        status, _, body = await c.call("POST", "/statestore", [{"key": "k", "value": 1,
                                                                "options": {"concurrency": "second-write"}}])
        assert status == 500 and err(body)[1].endswith("unrecognized concurrency model 'second-write'")
        status, _, body = await c.call("DELETE", "/statestore/k?consistency=sometimes")
        assert status == 500 and err(body)[0] == "ERR_STATE_DELETE"
        assert (await c.call("POST", "/statestore", []))[0] == 204
        assert (await c.call("GET", "/statestore/k"))[0] == 204  # nothing was saved by the refused requests
        alpha = Client(c.session, c.base.replace("/v1.0/", "/v1.0-alpha1/"))
        status, _, body = await alpha.call("POST", "/statestore/query", {"filter": {}})
        assert status == 500 and err(body) == ("ERR_STATE_STORE_NOT_SUPPORTED", "state store does not support querying")

    run(ctx, scenario)

    async def unconfigured(c):
        return await c.call("GET", "/statestore/k")

    status, _, body = run(FakeCtx([Comp("orders", "pubsub.redis")]), unconfigured)
    assert status == 500 and err(body) == ("ERR_STATE_STORE_NOT_CONFIGURED", "state store statestore is not configured")


def test_redis_keeps_dapr_layout_on_the_home_socket(redis_home):
    ctx = FakeCtx([Comp("statestore", "state.redis", {"redisHost": "redis-master:6379", "redisDB": "2"})])

    async def scenario(c):
        await c.call("POST", "/statestore", [{"key": "order", "value": {"orderId": 1}}])
        await c.call("POST", "/statestore", [{"key": "order", "value": {"orderId": 2}}])
        return await c.call("GET", "/statestore/order")

    status, headers, _ = run(ctx, scenario)
    assert status == 200 and headers["ETag"] == "2"
    raw = redis_server.client(db=2).hgetall("nodeapp||order")
    assert raw == {b"data": b'{"orderId":2}', b"version": b"2"}
    assert redis_server.client(db=0).exists("nodeapp||order") == 0
    assert redis_server.socket_path().exists() and str(redis_home) in redis_server.ensure()


def test_sqlite_files_are_named_by_digest_inside_the_home(home):
    path = state_backends.file_for("/subscriptions/s/env1", "../../etc/x", "state.sqlite")
    assert path.parent == home / "dapr" / "state" and path.name.endswith(".db") and ".." not in path.name
    start = time.time()
    back = state_backends.SqliteBackend(path)
    back.apply([state_backends.Op("upsert", "k", b"1")])
    assert back.get("k").data == b"1" and time.time() - start < 1
