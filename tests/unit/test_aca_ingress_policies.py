"""Ingress policies: CORS, IP access restrictions and sticky sessions as documents (the az commands, on a
seeded app: no Docker) and as the gateway enforces them (real sockets on loopback: an aiohttp upstream
stands for the replicas), and the TCP ingress proxy over a local echo server."""

import asyncio

import pytest
from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer

from azlocal.aca import ingress_policies as policies
from azlocal.aca.gateway import Gateway
from azlocal.core.errors import ValidationError
from tests.unit.test_aca_parity import _get, _seed

APP = ["-n", "app1", "-g", "rg"]


@pytest.fixture
def app_with_ingress(cli):
    from azlocal.aca.ingress import ingress_doc
    from azlocal.platform.store import store

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _, app = _seed()
    app["properties"]["configuration"]["ingress"] = ingress_doc("app1", "x.eastus.azurecontainerapps.io",
                                                                "external", 80, "auto", False)
    store().put(app)
    return app


def _ingress(app):
    return _get(app["id"])["properties"]["configuration"]["ingress"]


# The commands: documents as the service answers them ---------------------------------------------

def test_cors_enable_update_show_disable(cli, app_with_ingress):
    r = cli("containerapp", "ingress", "cors", "enable", *APP, "--allowed-origins", "http://www.contoso.com",
            "https://www.contoso.com")
    assert r.code == 0, r.err
    assert r.json() == {"allowCredentials": False, "allowedHeaders": ["*"], "allowedMethods": None,
                        "allowedOrigins": ["http://www.contoso.com", "https://www.contoso.com"],
                        "exposeHeaders": None, "maxAge": None}
    r = cli("containerapp", "ingress", "cors", "enable", *APP, "-r", "https://a.com", "-m", "GET", "POST", "-a", "h1",
            "-e", "h3", "h4", "--allow-credentials", "true", "--max-age", "100")
    assert r.json()["allowedMethods"] == ["GET", "POST"] and r.json()["maxAge"] == 100
    r = cli("containerapp", "ingress", "cors", "update", *APP, "-r", "*", "--expose-headers", "--allow-credentials",
            "false", "--max-age", "0")
    doc = r.json()
    assert doc["exposeHeaders"] is None and doc["maxAge"] == 0 and doc["allowedHeaders"] == ["h1"]
    assert doc["allowCredentials"] is False and doc["allowedOrigins"] == ["*"]
    r = cli("containerapp", "ingress", "cors", "enable", *APP, "-r", "*", "--allow-credentials", "--max-age", "")
    assert r.json()["maxAge"] is None and r.json()["allowCredentials"] is True
    assert cli("containerapp", "ingress", "cors", "show", *APP).json() == _ingress(app_with_ingress)["corsPolicy"]
    r = cli("containerapp", "ingress", "cors", "disable", *APP)
    assert r.code == 0 and r.json()["corsPolicy"] is None
    assert cli("containerapp", "ingress", "cors", "show", *APP).json() == {}


@pytest.mark.parametrize("args, message", [
    (["update", "--allowed-origins"], "allowed-origins must be specified if provided."),
    (["enable", "-r", "*", "--max-age", "ten"], "max-age must be an integer."),
    (["enable", "-r", "*", "--max-age", "-1"], "max-age must be a positive integer."),
])
def test_cors_bad_input_changes_nothing(cli, app_with_ingress, args, message):
    r = cli("containerapp", "ingress", "cors", *args[:1], *APP, *args[1:])
    assert r.code == 1 and message in r.err
    assert _ingress(app_with_ingress)["corsPolicy"] is None


def test_access_restrictions_set_list_remove(cli, app_with_ingress):
    r = cli("containerapp", "ingress", "access-restriction", "set", *APP, "--rule-name", "name", "--ip-address",
            "192.168.1.1/32", "--description", "Description here.", "--action", "Allow")
    assert r.code == 0 and r.json() == [{"action": "Allow", "description": "Description here.",
                                         "ipAddressRange": "192.168.1.1/32", "name": "name"}]
    cli("containerapp", "ingress", "access-restriction", "set", *APP, "--rule-name", "name2", "--ip-address",
        "192.168.1.1/8", "--action", "Allow")
    assert [x["name"] for x in cli("containerapp", "ingress", "access-restriction", "list", *APP).json()] == \
        ["name", "name2"]
    # mixing Allow and Deny is refused, nothing changes
    r = cli("containerapp", "ingress", "access-restriction", "set", *APP, "--rule-name", "d", "--ip-address",
            "10.0.0.0/8", "--action", "Deny")
    assert r.code == 1 and "either all 'Allow' or all 'Deny'" in r.err
    r = cli("containerapp", "ingress", "access-restriction", "set", *APP, "--rule-name", "x", "--ip-address",
            "300.1.1.1/8", "--action", "Allow")
    assert r.code == 1 and "is not valid" in r.err
    assert len(_ingress(app_with_ingress)["ipSecurityRestrictions"]) == 2
    r = cli("containerapp", "ingress", "access-restriction", "remove", *APP, "--rule-name", "NAME")
    assert [x["name"] for x in r.json()] == ["name2"]
    r = cli("containerapp", "ingress", "access-restriction", "remove", *APP, "--rule-name", "nope")
    assert r.code == 1 and "Ip restriction name 'nope' does not exist." in r.err
    assert cli("containerapp", "ingress", "access-restriction", "remove", *APP, "--rule-name", "name2").json() == []
    assert cli("containerapp", "ingress", "access-restriction", "list", *APP).json() == []


def test_sticky_sessions_single_mode_http_only(cli, app_with_ingress):
    from azlocal.platform.store import store

    r = cli("containerapp", "ingress", "sticky-sessions", "set", *APP, "--affinity", "sticky")
    assert r.code == 0 and r.json()["stickySessions"] == {"affinity": "sticky"}
    assert cli("containerapp", "ingress", "sticky-sessions", "show", *APP).json()["stickySessions"]["affinity"] == \
        "sticky"
    app = _get(app_with_ingress["id"])
    app["properties"]["configuration"]["activeRevisionsMode"] = "Multiple"
    app["properties"]["configuration"]["ingress"]["stickySessions"] = None
    store().put(app)
    r = cli("containerapp", "ingress", "sticky-sessions", "set", *APP, "--affinity", "sticky")
    assert r.code == 1 and "single revision mode" in r.err
    assert _ingress(app)["stickySessions"] is None
    app["properties"]["configuration"]["ingress"]["transport"] = "Tcp"
    store().put(app)
    r = cli("containerapp", "ingress", "cors", "enable", *APP, "-r", "*")
    assert r.code == 1 and "only supported for HTTP ingress" in r.err


def test_policies_need_ingress(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed()
    r = cli("containerapp", "ingress", "cors", "enable", *APP, "-r", "*")
    assert r.code == 1 and "does not have ingress enabled" in r.err
    assert cli("containerapp", "ingress", "access-restriction", "list", *APP).json() == []


def test_tcp_flags_refused_as_az_does(cli, app_with_ingress):
    r = cli("containerapp", "ingress", "update", *APP, "--transport", "tcp", "--allow-insecure")
    assert r.code == 1 and "--allow-insecure is not supported for TCP ingress" in r.err
    assert _ingress(app_with_ingress)["transport"] == "Auto"
    r = cli("containerapp", "create", "-n", "tcp1", "-g", "rg", "--environment", "env1", "--ingress", "external",
            "--transport", "tcp", "--target-port", "6379", "--allow-insecure")
    assert r.code == 1 and "--allow-insecure is not supported for TCP ingress" in r.err
    assert cli("containerapp", "show", "-n", "tcp1", "-g", "rg").code == 3


# Pure parts ------------------------------------------------------------------------------------

def test_cors_matching_and_headers():
    cors = policies.Cors({"allowedOrigins": ["https://a.com", "https://*.b.com"], "allowedMethods": ["GET", "PUT"],
                          "allowedHeaders": ["x-h"], "exposeHeaders": ["x-e"], "allowCredentials": True,
                          "maxAge": 60})
    assert cors.allows("https://A.com") and cors.allows("https://x.b.com") and not cors.allows("https://c.com")
    assert cors.preflight_headers("https://a.com") == {
        "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Allow-Methods": "GET,PUT",
        "Access-Control-Allow-Headers": "x-h", "Access-Control-Max-Age": "60",
        "Access-Control-Allow-Credentials": "true"}
    assert cors.response_headers("https://a.com") == {
        "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Expose-Headers": "x-e",
        "Access-Control-Allow-Credentials": "true"}
    assert policies.Cors({"allowedOrigins": ["*"]}).allows("http://anything")


@pytest.mark.parametrize("action, address, permitted", [
    ("Allow", "10.1.2.3", True), ("Allow", "11.0.0.1", False), ("Deny", "10.1.2.3", False),
    ("Deny", "11.0.0.1", True), ("Allow", "::ffff:10.0.0.1", True), ("Allow", "garbage", False),
])
def test_access_rules(action, address, permitted):
    access = policies.Access([{"ipAddressRange": "10.0.0.0/8", "action": action}])
    assert access.permits(address) is permitted
    assert access.permits(address) is permitted  # cached verdict


def test_rules_checks():
    with pytest.raises(ValidationError, match="same action"):
        policies.check_rules([{"ipAddressRange": "1.0.0.0/8", "action": "Allow"},
                              {"ipAddressRange": "2.0.0.0/8", "action": "Deny"}])
    with pytest.raises(ValidationError, match="IPv4"):
        policies.check_address_range("::1/128")
    rules = policies.set_rule([{"name": "a", "ipAddressRange": "1.0.0.0/8", "action": "Allow"}], "A", "2.0.0.0/8",
                              "d", "Allow")
    assert rules == [{"name": "a", "ipAddressRange": "2.0.0.0/8", "action": "Allow", "description": "d"}]


def test_compile_policy_fast_path_and_modes():
    app = {"properties": {"configuration": {"activeRevisionsMode": "Single", "ingress": {"transport": "Auto"}}}}
    assert policies.compile_policy(app) is None
    app["properties"]["configuration"]["ingress"]["stickySessions"] = {"affinity": "sticky"}
    assert policies.compile_policy(app).sticky
    app["properties"]["configuration"]["activeRevisionsMode"] = "Multiple"
    assert policies.compile_policy(app) is None  # sticky only in single revision mode


# The gateway enforcing them ----------------------------------------------------------------------

def _app_doc(port, **ingress):
    return {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/containerapps/web", "name": "web",
            "properties": {"configuration": {"activeRevisionsMode": "Single",
                                             "ingress": dict({"external": True, "allowInsecure": True,
                                                              "targetPort": port}, **ingress)},
                           "template": {"scale": {"minReplicas": 1}}}}


async def _gateway_scenario(ingress, requests):
    async def who(request):
        return web.Response(text=str(request.url.port) + ":" + request.method)

    servers = []
    for _ in range(2):
        upstream = TestServer(web.Application(), host="127.0.0.1")
        upstream.app.router.add_route("*", "/{tail:.*}", who)
        await upstream.start_server()
        servers.append(upstream)
    app_doc = _app_doc(servers[0].port, **ingress)
    gateway = Gateway()
    gateway.route = lambda host: ("revision", app_doc, {}, "web--v1")
    gateway.policies = {app_doc["id"]: policies.compile_policy(app_doc)}

    async def addresses(app, env, revision, fresh=False):
        return [("127.0.0.1", s.port) for s in servers]

    gateway.addresses_of = addresses

    @web.middleware
    async def all_to_gateway(request, handler):
        return await gateway.handle(request)

    front = TestServer(web.Application(middlewares=[all_to_gateway]), host="127.0.0.1")
    await front.start_server()
    out = []
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:  # cookies for 127.0.0.1
            for method, headers in requests:
                async with session.request(method, f"http://127.0.0.1:{front.port}/", headers=headers) as r:
                    out.append((r.status, dict(r.headers), await r.text()))
    finally:
        await gateway.close()
        await front.close()
        for s in servers:
            await s.close()
    return out


def test_gateway_cors_preflight_simple_and_disallowed(home):
    cors = {"allowedOrigins": ["https://a.com"], "allowedMethods": ["GET", "POST"], "allowedHeaders": ["*"],
            "maxAge": 30, "allowCredentials": False, "exposeHeaders": ["x-e"]}
    pre = {"Origin": "https://a.com", "Access-Control-Request-Method": "POST"}
    out = asyncio.run(_gateway_scenario({"corsPolicy": cors}, [
        ("OPTIONS", pre), ("GET", {"Origin": "https://a.com"}), ("GET", {"Origin": "https://evil.com"}),
        ("OPTIONS", dict(pre, Origin="https://evil.com"))]))
    (s1, h1, b1), (s2, h2, b2), (s3, h3, _), (s4, h4, b4) = out
    assert s1 == 200 and b1 == "" and h1["Access-Control-Allow-Origin"] == "https://a.com"
    assert h1["Access-Control-Allow-Methods"] == "GET,POST" and h1["Access-Control-Max-Age"] == "30"
    assert s2 == 200 and b2.endswith(":GET") and h2["Access-Control-Allow-Origin"] == "https://a.com"
    assert h2["Access-Control-Expose-Headers"] == "x-e"
    assert s3 == 200 and not any(k.lower().startswith("access-control") for k in h3)
    assert s4 == 200 and b4.endswith(":OPTIONS")  # not answered by the gateway: the app got it


@pytest.mark.parametrize("rules, status", [
    ([{"ipAddressRange": "127.0.0.1/32", "action": "Allow"}], 200),
    ([{"ipAddressRange": "10.0.0.0/8", "action": "Allow"}], 403),
    ([{"ipAddressRange": "127.0.0.0/8", "action": "Deny"}], 403),
    ([{"ipAddressRange": "10.0.0.0/8", "action": "Deny"}], 200),
])
def test_gateway_access_restrictions(home, rules, status):
    [(code, _, body)] = asyncio.run(_gateway_scenario({"ipSecurityRestrictions": rules}, [("GET", {})]))
    assert code == status
    if status == 403:
        assert body == "RBAC: access denied"


def test_gateway_sticky_cookie_keeps_one_replica(home):
    requests = [("GET", {})] * 12
    out = asyncio.run(_gateway_scenario({"stickySessions": {"affinity": "sticky"}}, requests))
    # the client session keeps the cookie: one Set-Cookie, then every answer from the same replica
    assert "azlocal-affinity=" in out[0][1]["Set-Cookie"] and "HttpOnly" in out[0][1]["Set-Cookie"]
    assert all("Set-Cookie" not in h for _, h, _ in out[1:])
    assert len({body for _, _, body in out}) == 1


# TCP ingress ---------------------------------------------------------------------------------------

async def _tcp_scenario(rules):
    from azlocal.aca.tcp_ingress import TcpIngress

    async def echo(reader, writer):
        data = await reader.read(100)
        writer.write(b"echo:" + data)
        await writer.drain()
        writer.close()

    upstream = await asyncio.start_server(echo, "127.0.0.1", 0)
    up_port = upstream.sockets[0].getsockname()[1]
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    app = _app_doc(up_port, transport="Tcp", exposedPort=port, ipSecurityRestrictions=rules)
    gateway = Gateway()
    gateway.refresh_routes = lambda: None
    gateway.tcp_apps = {port: (app["id"], app, {}, policies.compile_policy(app))}
    gateway._revision_for = lambda kind, a, key: "web--v1"

    async def addresses(a, env, revision, fresh=False):
        return [("127.0.0.1", up_port)]

    gateway.addresses_of = addresses
    tcp = TcpIngress(gateway, "127.0.0.1")
    await tcp.sync()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping")
        await writer.drain()
        try:
            answer = await asyncio.wait_for(reader.read(100), 5)
        except ConnectionResetError:  # a denied client is closed before its data is read
            answer = b""
        writer.close()
    finally:
        for server, _ in tcp.servers.values():
            server.close()
        upstream.close()
    return answer


def test_tcp_ingress_pipes_and_restricts(home):
    assert asyncio.run(_tcp_scenario(None)) == b"echo:ping"
    assert asyncio.run(_tcp_scenario([{"ipAddressRange": "10.0.0.0/8", "action": "Allow"}])) == b""


async def _tcp_scale_scenario(connections):
    from azlocal.aca.tcp_ingress import TcpIngress

    held = asyncio.Event()

    async def hold(reader, writer):
        await held.wait()
        writer.close()

    upstream = await asyncio.start_server(hold, "127.0.0.1", 0)
    up_port = upstream.sockets[0].getsockname()[1]
    app = _app_doc(up_port, transport="Tcp", exposedPort=0)
    app["properties"]["template"]["scale"] = {"maxReplicas": 5, "rules": [
        {"name": "conns", "tcp": {"metadata": {"concurrentConnections": "2"}}}]}
    gateway = Gateway()
    added = []

    async def add_replica(a, env, revision, on_added, why=""):
        added.append((revision, why))

    gateway.scaler._add_replica = add_replica
    gateway._revision_for = lambda kind, a, key: "web--v1"

    async def addresses(a, env, revision, fresh=False):
        return [("127.0.0.1", up_port)]

    gateway.addresses_of = addresses
    tcp = TcpIngress(gateway, "127.0.0.1")
    server = await asyncio.start_server(lambda r, w: tcp._serve(1, r, w), "127.0.0.1", 0)
    gateway.tcp_apps = {1: (app["id"], app, {}, None)}
    port = server.sockets[0].getsockname()[1]
    clients = [await asyncio.open_connection("127.0.0.1", port) for _ in range(connections)]
    for _ in range(50):
        if gateway.scaler.inflight.get((app["id"], "web--v1"), 0) == connections:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)
    inflight = gateway.scaler.inflight.get((app["id"], "web--v1"))
    held.set()
    for _, writer in clients:
        writer.close()
    server.close()
    upstream.close()
    return inflight, added


def test_tcp_scale_rule_asks_for_a_replica_beyond_its_connections(home):
    inflight, added = asyncio.run(_tcp_scale_scenario(2))
    assert inflight == 2 and added == []  # at the rule's limit: no scale-out
    inflight, added = asyncio.run(_tcp_scale_scenario(3))
    assert inflight == 3 and [r for r, _ in added] == ["web--v1"]
    assert "tcp scale rule 'conns'" in added[0][1]


def test_exposed_port_unique_in_the_environment(cli, app_with_ingress):
    import copy

    from azlocal.core import arm
    from azlocal.platform.store import store

    app = _get(app_with_ingress["id"])
    app["properties"]["configuration"]["ingress"].update(transport="Tcp", exposedPort=7000)
    other = copy.deepcopy(app_with_ingress)
    other.update(id=arm.resource_id("rg", "Microsoft.App/containerApps", "app2"), name="app2")
    other["properties"]["configuration"]["ingress"] = None
    store().put(app)
    store().put(other)
    r = cli("containerapp", "ingress", "enable", "-n", "app2", "-g", "rg", "--type", "external", "--transport",
            "tcp", "--target-port", "80", "--exposed-port", "7000")
    assert r.code == 1 and "already used by the container app 'app1'" in r.err
    assert _get(other["id"])["properties"]["configuration"]["ingress"] is None


def test_stale_addresses_are_served_while_one_lookup_refreshes_them(home):
    import time as clock

    calls = []

    def lookup(app, env, revision):
        calls.append(revision)
        clock.sleep(0.05)
        return [("10.0.0.9", 80)]

    async def scenario():
        gateway = Gateway()
        gateway._lookup_addresses = lookup
        app = {"id": "a"}
        gateway.addresses[("a", "r")] = (clock.monotonic() - 5, [("10.0.0.1", 80)])  # stale
        stale = await asyncio.gather(*(gateway.addresses_of(app, {}, "r") for _ in range(10)))
        await asyncio.sleep(0.2)
        refreshed = await gateway.addresses_of(app, {}, "r")
        cold = await asyncio.gather(*(gateway.addresses_of(app, {}, "other") for _ in range(10)))
        return stale, refreshed, cold

    stale, refreshed, cold = asyncio.run(scenario())
    assert all(x == [("10.0.0.1", 80)] for x in stale)
    assert refreshed == [("10.0.0.9", 80)] and all(x == [("10.0.0.9", 80)] for x in cold)
    assert calls == ["r", "other"]  # one lookup per revision, whatever the concurrency
