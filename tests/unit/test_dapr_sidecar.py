"""The Dapr sidecar's runtime (azlocal.aca.dapr.context/sidecar/api_meta/supervisor) with a fake app and no
Docker: health and metadata as Dapr answers them, the API modules mounted, the replica's Dapr variables, and
the supervisor's decisions (which replicas get a sidecar, restart when the container's pid changed, stop when
the replica is gone, 'unavailable' without root)."""

import asyncio
import json

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from azlocal.aca.dapr import api_meta, sidecar, supervisor
from azlocal.aca.dapr.context import DAPR_RUNTIME_VERSION, SidecarContext

ENV_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env1"


def app_doc(name="orders", enabled=True, app_id="orders", port=3000, protocol="http"):
    return {"id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/{name}", "name": name,
            "properties": {"managedEnvironmentId": ENV_ID, "configuration": {"dapr": {
                "enabled": enabled, "appId": app_id, "appPort": port, "appProtocol": protocol}}}}


class Comp:
    def __init__(self, name, type, version="v1"):
        self.name, self.type, self.version = name, type, version


def make_ctx(app=None, components=()):
    app = app or app_doc()
    ctx = SidecarContext(app, {"id": ENV_ID, "name": "env1"}, "orders--abc-123-xyz",
                         loader=lambda rid: {app["id"]: app}.get(rid))
    ctx._components = list(components)
    ctx._components_at = float("inf")  # the fake components stay cached
    return ctx


async def _request(ctx, method, path, **kw):
    server = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as s:
            async with s.request(method, f"http://127.0.0.1:{server.port}{path}", **kw) as r:
                return r.status, dict(r.headers), await r.read()
    finally:
        await server.close()
        await ctx.close()


def call(ctx, method, path, **kw):
    return asyncio.run(_request(ctx, method, path, **kw))


def test_healthz_answers_204_with_no_body():
    for path in ("/v1.0/healthz", "/v1.0/healthz/outbound"):
        status, _, body = call(make_ctx(), "GET", path)
        assert (status, body) == (204, b"")


def test_metadata_is_daprs_document():
    ctx = make_ctx(components=[Comp("statestore", "state.redis"), Comp("pubsub", "pubsub.redis")])
    status, headers, body = call(ctx, "GET", "/v1.0/metadata")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    doc = json.loads(body)
    assert doc["id"] == "orders" and doc["runtimeVersion"] == DAPR_RUNTIME_VERSION
    names = {c["name"]: c for c in doc["components"]}
    assert names["statestore"]["type"] == "state.redis" and names["statestore"]["version"] == "v1"
    assert "ETAG" in names["statestore"]["capabilities"] and "TRANSACTIONAL" in names["statestore"]["capabilities"]
    assert doc["appConnectionProperties"]["port"] == 3000
    assert doc["appConnectionProperties"]["protocol"] == "http"
    assert isinstance(doc["subscriptions"], list)


def test_metadata_extended_attributes_are_set_by_put():
    async def run():
        ctx = make_ctx()
        server = TestServer(sidecar.build_app(ctx), host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as s:
                base = f"http://127.0.0.1:{server.port}"
                async with s.put(f"{base}/v1.0/metadata/myDemoAttribute", data=b"myDemoAttributeValue") as r:
                    assert r.status == 204
                async with s.get(f"{base}/v1.0/metadata") as r:
                    return await r.json()
        finally:
            await server.close()
    doc = asyncio.run(run())
    assert doc["extended"]["myDemoAttribute"] == "myDemoAttributeValue"
    assert doc["extended"]["daprRuntimeVersion"] == DAPR_RUNTIME_VERSION


def test_app_id_defaults_to_the_app_name_and_settings_are_read():
    ctx = make_ctx(app_doc(name="checkout", app_id=None, port=None, protocol="grpc"))
    assert (ctx.app_id, ctx.app_port, ctx.app_protocol) == ("checkout", None, "grpc")


def test_refresh_rereads_the_app():
    app = app_doc()
    ctx = make_ctx(app)
    changed = json.loads(json.dumps(app))
    changed["properties"]["configuration"]["dapr"]["appPort"] = 8080
    ctx._loader = lambda rid: changed if rid == app["id"] else None
    ctx.refresh()
    assert ctx.app_port == 8080


def test_call_app_without_port_is_a_connection_error():
    ctx = make_ctx(app_doc(port=None))
    with pytest.raises(ConnectionError):
        asyncio.run(ctx.call_app("GET", "/"))


def test_missing_api_modules_are_skipped_and_others_mounted(monkeypatch):
    real = sidecar._optional

    def optional(name):
        return None if name in ("api_state", "api_pubsub", "api_secrets") else real(name)
    monkeypatch.setattr(sidecar, "_optional", optional)
    status, _, _ = call(make_ctx(), "GET", "/v1.0/healthz")
    assert status == 204


def test_start_optional_runs_present_starters_as_tasks(monkeypatch):
    started = []

    class Fake:
        @staticmethod
        async def start_delivery(ctx):
            started.append("pubsub")

        @staticmethod
        def start(ctx, address):
            started.append(("grpc", address))

    monkeypatch.setattr(sidecar, "_optional", lambda name: Fake if name in ("pubsub", "grpc_api") else None)

    async def run():
        ctx = make_ctx()
        await sidecar.start_optional(ctx, "127.0.0.1:50001")
        await asyncio.gather(*ctx.extras["tasks"])
    asyncio.run(run())
    assert ("grpc", "127.0.0.1:50001") in started and "pubsub" in started


def test_replica_alive_follows_the_containers_namespace():
    import os

    assert sidecar.replica_alive(os.getpid())  # same namespace as ours
    assert not sidecar.replica_alive(2 ** 22 + 12345)  # no such process
    assert sidecar.replica_alive(None)


def test_dapr_variables_only_with_dapr_enabled():
    assert supervisor.environment_values(app_doc()) == {"DAPR_HTTP_PORT": "3500", "DAPR_GRPC_PORT": "50001"}
    assert supervisor.environment_values(app_doc(enabled=False)) == {}
    assert supervisor.environment_values({"name": "x", "properties": {"configuration": {}}}) == {}


def test_log_lines_have_daprds_shape():
    import logging

    line = sidecar.DaprFormatter("orders", "r1").format(logging.LogRecord("x", logging.INFO, "", 0, 'a "b"', (), None))
    assert line.startswith('time="') and 'level=info msg="a \\"b\\"" app_id=orders instance=r1' in line


# Supervisor --------------------------------------------------------------------------------------------

class FakeChild:
    def __init__(self, pid):
        self.pid = pid

    def poll(self):
        return None

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def sup(home, monkeypatch):
    """The supervisor with a fake world: `world` replicas wanted, Popen recorded, sidecars 'alive' by pid."""
    world, started, killed, alive = [], [], [], set()
    monkeypatch.setattr(supervisor, "wanted", lambda: list(world))
    monkeypatch.setattr(supervisor, "unavailable_reason", lambda: None)
    monkeypatch.setattr(supervisor, "_is_sidecar", lambda pid, replica: pid in alive)
    monkeypatch.setattr(supervisor, "RESTART_PAUSE", 0)
    supervisor._children.clear()
    supervisor._last_start.clear()

    def popen(cmd, **kw):
        child = FakeChild(1000 + len(started))
        started.append(cmd)
        alive.add(child.pid)
        return child
    monkeypatch.setattr(supervisor.subprocess, "Popen", popen)
    monkeypatch.setattr(supervisor.os, "kill", lambda pid, sig: (killed.append(pid), alive.discard(pid)))
    return world, started, killed, alive


def test_sync_starts_one_sidecar_per_replica_in_its_namespace(sup):
    world, started, killed, alive = sup
    world.append(supervisor.Want(app_doc(), "orders--abc", "orders--abc-123-xyz", 4242))
    supervisor.sync()
    supervisor.sync()  # already running: nothing new
    assert len(started) == 1
    cmd = started[0]
    assert cmd[1] == "--net=/proc/4242/ns/net" and "azlocal.aca.dapr.sidecar" in cmd
    assert cmd[cmd.index("--replica") + 1] == "orders--abc-123-xyz"
    assert supervisor.read_state("orders--abc-123-xyz")["state"] == "starting"


def test_sync_restarts_when_the_container_pid_changed_and_stops_when_gone(sup):
    world, started, killed, alive = sup
    world.append(supervisor.Want(app_doc(), "orders--abc", "orders--abc-123-xyz", 4242))
    supervisor.sync()
    first = supervisor.read_state("orders--abc-123-xyz")["pid"]
    world[0] = supervisor.Want(app_doc(), "orders--abc", "orders--abc-123-xyz", 5151)  # replica restarted
    supervisor.sync()
    assert killed == [first] and len(started) == 2
    assert supervisor.read_state("orders--abc-123-xyz")["container_pid"] == 5151
    world.clear()
    supervisor.sync()
    assert len(killed) == 2 and supervisor.read_state("orders--abc-123-xyz") is None


def test_sync_starts_again_a_sidecar_that_died(sup):
    world, started, killed, alive = sup
    world.append(supervisor.Want(app_doc(), "orders--abc", "orders--abc-123-xyz", 4242))
    supervisor.sync()
    alive.clear()  # the sidecar exited
    supervisor.sync()
    assert len(started) == 2


def test_without_root_the_replica_is_unavailable_with_the_reason(sup, monkeypatch):
    world, started, killed, alive = sup
    monkeypatch.setattr(supervisor, "unavailable_reason", lambda: "no root here")
    world.append(supervisor.Want(app_doc(), "orders--abc", "orders--abc-123-xyz", 4242))
    supervisor.sync()
    supervisor.sync()
    assert started == []
    state = supervisor.read_state("orders--abc-123-xyz")
    assert state["state"] == "unavailable" and state["reason"] == "no root here"


class Head:
    def __init__(self, name, pid):
        self.name = name
        self.attrs = {"State": {"Status": "running", "Pid": pid}}


def test_replica_ready_waits_for_the_sidecar_of_the_same_container(home, monkeypatch):
    from azlocal.platform import lifecycle

    monkeypatch.setattr(lifecycle, "ensure_running", lambda timeout=None: None)
    monkeypatch.setattr(supervisor, "_daemon_checked", None)
    heads = [Head("orders--abc-123-xyz", 4242)]
    assert supervisor.replica_ready(app_doc(enabled=False), heads)
    assert not supervisor.replica_ready(app_doc(), heads)
    supervisor.write_state("orders--abc-123-xyz", state="starting", pid=1, container_pid=4242)
    assert not supervisor.replica_ready(app_doc(), heads)
    supervisor.write_state("orders--abc-123-xyz", state="up", pid=1, container_pid=1111)  # an older container's
    assert not supervisor.replica_ready(app_doc(), heads)
    supervisor.write_state("orders--abc-123-xyz", state="up", pid=1, container_pid=4242)
    assert supervisor.replica_ready(app_doc(), heads)


def test_state_paths_refuse_odd_replica_names(home):
    with pytest.raises(ValueError):
        supervisor.state_path("../etc")
    assert api_meta.capabilities(Comp("s", "state.sqlite"))


def test_a_sidecar_that_keeps_dying_is_failed_with_its_last_log_line(sup, monkeypatch):
    world, started, killed, alive = sup
    world.append(supervisor.Want(app_doc(), "orders--abc", "orders--abc-123-xyz", 4242))
    clock = [0.0]
    monkeypatch.setattr(supervisor.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(supervisor, "RESTART_PAUSE", 2.0)
    for _ in range(supervisor.MAX_ATTEMPTS + 1):
        supervisor.sync()
        supervisor.state_path("orders--abc-123-xyz", ".log").write_text("boom: port 3500 in use\n")
        alive.clear()  # it exits at once
        clock[0] += 3
    supervisor.sync()
    assert len(started) == supervisor.MAX_ATTEMPTS
    state = supervisor.read_state("orders--abc-123-xyz")
    assert state["state"] == "failed" and state["reason"] == "boom: port 3500 in use"
    clock[0] += supervisor.FAILED_PAUSE
    supervisor.sync()  # tried again, slowly
    assert len(started) == supervisor.MAX_ATTEMPTS + 1


def test_components_that_cannot_load_keep_the_last_list(monkeypatch):
    from azlocal.aca.dapr import components

    ctx = make_ctx(components=[Comp("statestore", "state.redis")])
    ctx._components_at = 0.0

    def broken(env, app_id):
        raise components.ComponentError("secret gone")
    monkeypatch.setattr(components, "for_app", broken)
    assert [c.name for c in ctx.components()] == ["statestore"]


def test_api_logging_writes_one_line_per_call_when_enabled(caplog):
    import logging

    app = app_doc()
    app["properties"]["configuration"]["dapr"]["enableApiLogging"] = True
    with caplog.at_level(logging.INFO, logger="azlocal.dapr"):
        call(make_ctx(app), "GET", "/v1.0/healthz")
    assert any("HTTP API Called" in r.getMessage() and "GET /v1.0/healthz" in r.getMessage() and "code=204"
               in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="azlocal.dapr"):
        call(make_ctx(), "GET", "/v1.0/healthz")
    assert not any("HTTP API Called" in r.getMessage() for r in caplog.records)
