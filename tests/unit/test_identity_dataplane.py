"""The managed-identity token endpoints (no Docker): the IDENTITY_HEADER's MAC, which identity a request
selects, the answers' shapes (App Service's and IMDS's) and their refusals, served by an aiohttp test server;
the environment a replica gets and the IMDS rule a container group's namespace gets."""

import asyncio
import uuid

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from azlocal.core import settings
from azlocal.identity import dataplane, endpoints, imds, principals, tokens
from azlocal.platform.store import store

SUB = settings.SUBSCRIPTION_ID
APP_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.App/containerApps/app1"
GROUP_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/cg1"
USER_ID = principals.identity_id("rg", "id1")
USER_ID2 = principals.identity_id("rg", "id2")
VAULT = "https://vault.azure.net"


def _ids():
    return {"system": str(uuid.uuid4()), "user": str(uuid.uuid4()), "client": str(uuid.uuid4()),
            "user2": str(uuid.uuid4()), "client2": str(uuid.uuid4())}


def _put(rid, kind, identity):
    doc = {"id": rid, "type": kind, "name": rid.rsplit("/", 1)[1], "identity": identity}
    with store().transaction():
        store().put(doc)
    return doc


def _app(ids, system=True, users=(USER_ID,)):
    entries = {USER_ID: {"clientId": ids["client"], "principalId": ids["user"]},
               USER_ID2: {"clientId": ids["client2"], "principalId": ids["user2"]}}
    for uid in users:  # the user-assigned identities exist (a deleted one gets no token)
        _put(uid, "Microsoft.ManagedIdentity/userAssignedIdentities", None)
    kinds = (["SystemAssigned"] if system else []) + (["UserAssigned"] if users else [])
    block = {"type": ", ".join(kinds) or "None", "principalId": ids["system"] if system else None,
             "tenantId": settings.TENANT_ID, "userAssignedIdentities": {u: entries[u] for u in users} or None}
    return _put(APP_ID, "Microsoft.App/containerApps", block)


async def _get(path, params, headers, remote_patch=None):
    app = web.Application()
    app.router.add_route("*", path, dataplane.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as session:
            async with session.get(server.make_url(path), params=params, headers=headers) as resp:
                return resp.status, await resp.json()
    finally:
        await server.close()


def msi(params, header):
    headers = {"X-IDENTITY-HEADER": header} if header is not None else {}
    return asyncio.run(_get(dataplane.MSI_PATH, params, headers))


def imds_get(params, metadata="true"):
    return asyncio.run(_get(dataplane.IMDS_PATH, params, {"Metadata": metadata} if metadata else {}))


Q = {"resource": VAULT, "api-version": "2019-08-01"}


# The header's MAC ------------------------------------------------------------------------------------

def test_the_header_names_its_resource_and_cannot_be_forged(home):
    header = endpoints.header_for(APP_ID)
    assert endpoints.header_for(APP_ID.upper()) == header  # ARM ids compare without case
    assert endpoints.resource_of(header) == APP_ID.lower()
    body, mac = header.split(".")
    other = endpoints.header_for(GROUP_ID).split(".")[0]
    for bad in (f"{other}.{mac}", f"{body}.{mac[:-2]}AA", body, "", None, "a.b", "%%%.!!!", "." * 5000):
        assert endpoints.resource_of(bad) is None


def test_another_homes_header_is_not_this_ones(home, tmp_path, monkeypatch):
    header = endpoints.header_for(APP_ID)
    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("AZLOCAL_HOME", str(other))
    from azlocal.platform import secrets

    secrets._backend = None
    endpoints.header_for(APP_ID)  # that home's own key
    assert endpoints.resource_of(header) is None


# App Service answers ---------------------------------------------------------------------------------

def test_a_token_for_the_system_identity_with_the_strings_the_endpoint_answers(home):
    ids = _ids()
    _app(ids)
    status, body = msi(Q, endpoints.header_for(APP_ID))
    assert status == 200
    assert body["token_type"] == "Bearer" and body["resource"] == VAULT
    for key in ("expires_on", "expires_in", "not_before"):
        assert isinstance(body[key], str) and body[key].isdigit()
    claims = tokens.verify(body["access_token"], [VAULT])
    assert claims["oid"] == ids["system"] and claims["appid"] == body["client_id"]
    assert body["client_id"] == principals.system_client_id(ids["system"])
    with pytest.raises(tokens.TokenError):
        tokens.verify(body["access_token"], ["https://management.azure.com"])


def test_selectors_choose_the_user_assigned_identity(home):
    ids = _ids()
    _app(ids, users=(USER_ID, USER_ID2))
    header = endpoints.header_for(APP_ID)
    for params in ({"client_id": ids["client2"]}, {"principal_id": ids["user2"]}, {"object_id": ids["user2"]},
                   {"mi_res_id": USER_ID2.upper()}):
        status, body = msi(dict(Q, **params), header)
        assert status == 200, (params, body)
        claims = tokens.verify(body["access_token"], [VAULT])
        assert (claims["oid"], claims["appid"], claims["xms_mirid"]) == (ids["user2"], ids["client2"], USER_ID2)
    status, body = msi(dict(Q, client_id=str(uuid.uuid4())), header)
    assert status == 400 and body["statusCode"] == 400 and "Managed Identity" in body["message"]
    status, body = msi(dict(Q, client_id=ids["client"], mi_res_id=USER_ID), header)
    assert status == 400 and "Only one" in body["message"]


def test_the_only_user_assigned_identity_without_selector(home):
    ids = _ids()
    _app(ids, system=False)
    status, body = msi(dict(Q, resource=VAULT + "/.default"), endpoints.header_for(APP_ID))
    assert status == 200 and tokens.verify(body["access_token"], [VAULT])["oid"] == ids["user"]


def test_a_deleted_user_assigned_identity_gets_no_token(home):
    ids = _ids()
    _app(ids, system=False)
    with store().transaction():
        store().delete(USER_ID)
    status, body = msi(Q, endpoints.header_for(APP_ID))
    assert status == 400 and "access_token" not in body


def test_wrong_or_missing_header_is_401(home):
    _app(_ids())
    endpoints.header_for(APP_ID)
    for header in (None, "", "nope", endpoints.header_for(GROUP_ID) + "x"):
        status, body = msi(Q, header)
        assert status == 401 and body["statusCode"] == 401 and "X-IDENTITY-HEADER" in body["message"]
        assert "access_token" not in body


def test_bad_queries_are_400(home):
    _app(_ids())
    header = endpoints.header_for(APP_ID)
    assert msi({"resource": VAULT}, header)[1]["statusCode"] == 400
    status, body = msi(dict(Q, **{"api-version": "2017-09-01"}), header)
    assert status == 400 and "2017-09-01" in body["message"]
    status, body = msi({"api-version": "2019-08-01"}, header)
    assert status == 400 and "resource" in body["message"]


def test_a_removed_identity_stops_getting_tokens_at_once(home):
    ids = _ids()
    _app(ids)
    header = endpoints.header_for(APP_ID)
    assert msi(Q, header)[0] == 200
    _app(ids, system=False, users=())  # identity remove: the store is read per request
    status, body = msi(Q, header)
    assert status == 400 and "no managed identity" in body["message"]
    with store().transaction():
        store().delete(APP_ID)
    status, body = msi(Q, header)
    assert status == 400 and "no longer exists" in body["message"]


def test_only_get(home):
    async def post():
        app = web.Application()
        app.router.add_route("*", dataplane.MSI_PATH, dataplane.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            async with ClientSession() as session:
                async with session.post(server.make_url(dataplane.MSI_PATH)) as resp:
                    return resp.status
        finally:
            await server.close()

    assert asyncio.run(post()) == 405


# IMDS answers ----------------------------------------------------------------------------------------

def test_imds_needs_the_metadata_header(home, monkeypatch):
    monkeypatch.setattr(imds, "resource_at", lambda address: GROUP_ID.lower())
    _put(GROUP_ID, "Microsoft.ContainerInstance/containerGroups",
         {"type": "SystemAssigned", "principalId": str(uuid.uuid4()), "tenantId": settings.TENANT_ID})
    params = {"resource": VAULT, "api-version": "2018-02-01"}
    for metadata in (None, "false"):
        status, body = imds_get(params, metadata)
        assert (status, body) == (400, {"error": "invalid_request",
                                        "error_description": "Required metadata header not specified"})
    assert imds_get({"resource": VAULT})[1]["error_description"] == "Required query variable 'api-version' is missing"
    assert imds_get({"api-version": "2018-02-01"})[0] == 400
    relayed = asyncio.run(_get(dataplane.IMDS_PATH, params, {"Metadata": "true", "X-Forwarded-For": "10.0.0.1"}))
    assert relayed[0] == 400 and "X-Forwarded-For" in relayed[1]["error_description"]
    assert imds_get(params)[0] == 200


def test_imds_answers_for_the_callers_group(home, monkeypatch):
    seen = []
    monkeypatch.setattr(imds, "resource_at", lambda address: seen.append(address) or GROUP_ID.lower())
    principal = str(uuid.uuid4())
    _put(GROUP_ID, "Microsoft.ContainerInstance/containerGroups",
         {"type": "SystemAssigned", "principalId": principal, "tenantId": settings.TENANT_ID})
    status, body = imds_get({"resource": VAULT, "api-version": "2018-02-01"})
    assert status == 200 and seen == ["127.0.0.1"]
    assert body["expires_in"].isdigit() and tokens.verify(body["access_token"], [VAULT])["oid"] == principal
    status, body = imds_get({"resource": VAULT, "api-version": "2018-02-01", "client_id": str(uuid.uuid4())})
    assert (status, body["error_description"]) == (400, "Identity not found")


def test_imds_without_identity_or_group_is_identity_not_found(home, monkeypatch):
    _put(GROUP_ID, "Microsoft.ContainerInstance/containerGroups", None)
    params = {"resource": VAULT, "api-version": "2018-02-01"}
    for found in (GROUP_ID.lower(), None):
        monkeypatch.setattr(imds, "resource_at", lambda address, found=found: found)
        assert imds_get(params) == (400, {"error": "invalid_request", "error_description": "Identity not found"})


class _Container:
    def __init__(self, address, resource, pid=4242):
        self.attrs = {"NetworkSettings": {"Networks": {"n": {"IPAddress": address}}}, "State": {"Pid": pid}}
        self.labels = {"azlocal.resource": resource}

    def reload(self):
        pass


def test_the_caller_is_found_by_its_address(monkeypatch):
    from azlocal.platform.engine import objects

    monkeypatch.setattr(objects, "containers", lambda **kw: [_Container("172.18.0.2", "a"),
                                                             _Container("172.18.0.3", "b")])
    assert imds.resource_at("172.18.0.3") == "b"
    assert imds.resource_at("10.0.0.1") is None and imds.resource_at(None) is None


# The environment and the namespace rule ----------------------------------------------------------------

def test_a_replica_gets_the_endpoint_only_with_an_identity(home, monkeypatch):
    from azlocal.platform import lifecycle
    from azlocal.platform.engine import objects

    monkeypatch.setattr(lifecycle, "ensure_running", lambda: {"port": 5080})
    monkeypatch.setattr(objects, "bridge_gateway", lambda: "172.17.0.1")
    ids = _ids()
    doc = _app(ids)
    env = endpoints.app_environment(doc)
    assert env["IDENTITY_ENDPOINT"] == "http://172.17.0.1:5080/msi/token"
    assert endpoints.resource_of(env["IDENTITY_HEADER"]) == APP_ID.lower()
    assert endpoints.app_environment(dict(doc, identity={"type": "None"})) == {}
    assert endpoints.app_environment(dict(doc, identity=None)) == {}
    warnings = []
    monkeypatch.setattr(endpoints.logger, "warning", lambda text, *a: warnings.append(text % a))
    monkeypatch.setattr(objects, "bridge_gateway", lambda: None)
    assert endpoints.app_environment(doc) == {} and "bridge" in warnings[0]


def _route_env(monkeypatch, euid=0, which=True):
    from azlocal.platform import lifecycle
    from azlocal.platform.engine import objects

    monkeypatch.setattr(lifecycle, "ensure_running", lambda: {"port": 80})
    monkeypatch.setattr(objects, "bridge_gateway", lambda: "172.17.0.1")
    monkeypatch.setattr(imds.os, "geteuid", lambda: euid)
    monkeypatch.setattr(imds.shutil, "which", lambda tool, path=None: f"/usr/sbin/{tool}" if which else None)
    warnings = []
    monkeypatch.setattr(imds.logger, "warning", lambda text, *a: warnings.append(text % a))
    return warnings


def test_the_rule_goes_into_the_pods_namespace_once(monkeypatch):
    warnings = _route_env(monkeypatch)
    calls = []
    present = {"value": False}

    class Done:
        def __init__(self, code):
            self.returncode, self.stderr, self.stdout = code, "", ""

    def run(argv, **kw):
        calls.append(argv)
        if "-C" in argv:
            return Done(0 if present["value"] else 1)
        present["value"] = True
        return Done(0)

    monkeypatch.setattr(imds.subprocess, "run", run)
    assert imds.route(_Container("172.18.0.2", "a"), "cg1") is True
    assert imds.route(_Container("172.18.0.2", "a"), "cg1") is True
    adds = [c for c in calls if "-A" in c]
    assert len(adds) == 1 and not warnings
    assert adds[0][:4] == ["/usr/sbin/nsenter", "-t", "4242", "-n"]
    assert adds[0][-8:] == ["-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", "172.17.0.1:80"]
    assert "169.254.169.254/32" in adds[0]


def test_without_root_or_tools_the_group_runs_with_a_warning(monkeypatch):
    warnings = _route_env(monkeypatch, euid=1000)
    assert imds.route(_Container("172.18.0.2", "a"), "cg1") is False
    assert "needs root" in warnings[0] and "cg1" in warnings[0]
    warnings = _route_env(monkeypatch, which=False)
    assert imds.route(_Container("172.18.0.2", "a"), "cg1") is False and "nsenter and iptables not found" in warnings[0]

    class Refused:
        returncode, stdout, stderr = 4, "", "iptables: Permission denied"

    warnings = _route_env(monkeypatch)
    monkeypatch.setattr(imds.subprocess, "run", lambda argv, **kw: Refused())
    assert imds.route(_Container("172.18.0.2", "a"), "cg1") is False and "Permission denied" in warnings[0]


def test_a_group_without_identity_gets_the_rule_quietly_and_starts_no_daemon(monkeypatch):
    from azlocal.platform import lifecycle

    warnings = _route_env(monkeypatch)
    monkeypatch.setattr(lifecycle, "ensure_running", lambda: pytest.fail("the daemon was started"))
    monkeypatch.setattr(settings, "http_port", lambda: 5080)
    calls = []

    class Done:
        returncode, stdout, stderr = 1, "", ""

    monkeypatch.setattr(imds.subprocess, "run", lambda argv, **kw: calls.append(argv) or Done())
    assert imds.route(_Container("172.18.0.2", "a"), "plain", warn=False) is False  # iptables said no: quietly
    assert calls[-1][-1] == "172.17.0.1:5080" and not warnings


def test_token_paths_are_served_on_addresses_not_on_an_apps_names():
    class Request:
        def __init__(self, host, path=dataplane.MSI_PATH):
            self.host, self.path = host, path

    for host in ("172.17.0.1:80", "169.254.169.254", "127.0.0.1:5080", "localhost", "[::1]:80"):
        assert dataplane.is_token_request(Request(host))
        assert dataplane.is_token_request(Request(host, dataplane.IMDS_PATH))
    for host in ("web.happy-1.eastus.azurecontainerapps.io", "reg.azurecr.io:80", ""):
        assert not dataplane.is_token_request(Request(host))
    assert not dataplane.is_token_request(Request("172.17.0.1", "/msi/tokens"))


@pytest.mark.parametrize("identity", [{"type": "SystemAssigned", "principalId": "p"}, None])
def test_a_group_with_an_identity_gets_a_pod_routed_before_its_containers_start(monkeypatch, identity):
    from azlocal.aci import runtime

    steps = []
    monkeypatch.setattr(runtime.volumes, "check", lambda props, name: None)
    monkeypatch.setattr(runtime.volumes, "volume_binds", lambda doc, props, created: {})
    monkeypatch.setattr(runtime, "_ensure_image", lambda doc, image: None)
    monkeypatch.setattr(runtime.objects, "create_network", lambda name, object_labels: "net")
    monkeypatch.setattr(runtime.pods, "start_infra", lambda *a, **kw: steps.append("infra") or "infra-container")
    monkeypatch.setattr(runtime, "_group_labels", lambda doc, role: {})
    monkeypatch.setattr(runtime, "_run", lambda group, c, role, ports=None: steps.append(f"run {role}") or "app")
    monkeypatch.setattr(imds, "route", lambda container, name, warn=True: steps.append(("route", container, warn)))
    doc = {"id": GROUP_ID, "name": "cg1", "identity": identity,
           "ipAddress": {"ip": "127.0.0.9", "ports": [{"port": 80, "protocol": "TCP"}]}}
    props = {"containers": [{"name": "c", "properties": {"image": "i"}}], "initContainers": [], "volumes": []}
    runtime._start_group(doc, props, [])
    if identity:
        assert steps == ["infra", ("route", "infra-container", True), "run app"]
    else:  # one container owns its namespace; a group without identity gets IMDS's refusal, quietly
        assert steps == ["run app", ("route", "app", False)]
