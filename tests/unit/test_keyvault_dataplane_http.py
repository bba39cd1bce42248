"""The Key Vault data plane over HTTP, in process (an aiohttp server on loopback routing every request to
`dataplane.handle`, the Host header naming the vault): the challenge, the token check, the REST shapes of the
secret and key operations over the real service layer, paging by nextLink, errors and refusals."""

import asyncio
import base64
import json

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from azlocal.keyvault import dataplane

VAULT = "kvunit1"
RBAC = "kvunit2"
HOST = f"{VAULT}.vault.azure.net"


@pytest.fixture
def vaults(cli, monkeypatch):
    from azlocal.keyvault import vaults as kv

    monkeypatch.setattr(kv, "publish", lambda doc: None)  # no daemon, no hosts file: the test serves the vault
    assert cli("group", "create", "-n", "kv-rg", "-l", "eastus").code == 0
    kv.create("kv-rg", VAULT, enable_rbac_authorization=False)
    kv.create("kv-rg", RBAC, enable_rbac_authorization=True)


def _token(principal=None, resource="https://vault.azure.net"):
    from azlocal.core import settings
    from azlocal.identity import tokens

    return tokens.issue(principal or settings.USER_OBJECT_ID, "cid", resource)["access_token"]


def run(scenario):
    """scenario(call) with call(method, path, host=HOST, token=..., body=None, query=None) -> (status, headers,
    json|None)."""
    async def main():
        @web.middleware
        async def to_vault(request, handler):
            return await dataplane.handle(request)

        server = TestServer(web.Application(middlewares=[to_vault]), host="127.0.0.1")
        await server.start_server()
        try:
            async with ClientSession() as session:
                async def call(method, path, host=HOST, token="user", body=None, query=None, raw=None):
                    headers = {"Host": host}
                    if token:
                        headers["Authorization"] = f"Bearer {_token() if token == 'user' else token}"
                    params = {"api-version": "7.4"} if query is None else query
                    url = path if path.startswith("http") else f"http://127.0.0.1:{server.port}{path}"
                    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
                    async with session.request(method, url, headers=headers, params=params, data=data) as r:
                        text = await r.text()
                        return r.status, r.headers, (json.loads(text) if text else None)

                return await scenario(call, server.port)
        finally:
            await server.close()

    return asyncio.run(main())


def test_a_request_without_a_token_gets_the_challenge(vaults):
    from azlocal.core import settings

    async def scenario(call, port):
        return await call("PUT", "/secrets/a", token=None, raw=b"")

    status, headers, body = run(scenario)
    assert status == 401 and body["error"]["code"] == "Unauthorized"
    assert body["error"]["message"] == "AKV10000: Request is missing a Bearer or PoP token."
    assert headers["WWW-Authenticate"] == (f'Bearer authorization="https://login.microsoftonline.com/'
                                           f'{settings.TENANT_ID}", resource="https://vault.azure.net"')
    assert headers["x-ms-request-id"]


def test_tokens_for_another_audience_or_forged_are_refused(vaults):
    async def scenario(call, port):
        other = await call("GET", "/secrets", token=_token(resource="https://management.azure.com"))
        forged = await call("GET", "/secrets", token=_token()[:-6] + "abcdef")
        return other, forged

    other, forged = run(scenario)
    assert other[0] == 401 and other[2]["error"]["message"].startswith("AKV10022: Invalid audience")
    assert "WWW-Authenticate" in other[1]
    assert forged[0] == 401 and forged[2]["error"]["code"] == "Unauthorized"


def test_secret_operations_have_the_rest_shapes(vaults):
    async def scenario(call, port):
        out = {}
        out["set"] = await call("PUT", "/secrets/db", body={"value": "v1", "contentType": "text/plain",
                                                            "tags": {"a": "b"}, "attributes": {"enabled": True}})
        out["set2"] = await call("PUT", "/secrets/db", body={"value": "v2"})
        out["latest"] = await call("GET", "/secrets/db/")
        version = out["set"][2]["id"].rsplit("/", 1)[1]
        out["v1"] = await call("GET", f"/secrets/db/{version}")
        out["patch"] = await call("PATCH", f"/secrets/db/{version}", body={"attributes": {"enabled": False}})
        out["disabled"] = await call("GET", f"/secrets/db/{version}")
        out["versions"] = await call("GET", "/secrets/db/versions")
        out["delete"] = await call("DELETE", "/secrets/db")
        out["gone"] = await call("GET", "/secrets/db/")
        out["deleted"] = await call("GET", "/deletedsecrets/db")
        out["conflict"] = await call("PUT", "/secrets/db", body={"value": "v3"})
        out["recover"] = await call("POST", "/deletedsecrets/db/recover")
        out["back"] = await call("GET", "/secrets/db")
        await call("DELETE", "/secrets/db")
        out["purge"] = await call("DELETE", "/deletedsecrets/db")
        out["purged"] = await call("GET", "/deletedsecrets/db")
        return out

    out = run(scenario)
    status, _, bundle = out["set"]
    assert status == 200 and bundle["value"] == "v1" and bundle["contentType"] == "text/plain"
    assert bundle["id"].startswith(f"https://{HOST}/secrets/db/") and bundle["tags"] == {"a": "b"}
    assert bundle["attributes"]["enabled"] is True and bundle["attributes"]["recoveryLevel"]
    assert out["latest"][2]["value"] == "v2" and out["v1"][2]["value"] == "v1"
    assert out["patch"][0] == 200 and "value" not in out["patch"][2]
    assert out["patch"][2]["attributes"]["enabled"] is False
    assert out["disabled"][0] == 403 and out["disabled"][2]["error"]["code"] == "Forbidden"
    versions = out["versions"][2]
    assert len(versions["value"]) == 2 and versions["nextLink"] is None
    assert all("value" not in item for item in versions["value"])
    assert out["delete"][2]["recoveryId"] == f"https://{HOST}/deletedsecrets/db"
    assert out["gone"][0] == 404 and out["gone"][2]["error"]["code"] == "SecretNotFound"
    assert out["deleted"][0] == 200 and out["deleted"][2]["scheduledPurgeDate"]
    assert out["conflict"][0] == 409 and out["conflict"][2]["error"]["code"] == "Conflict"
    assert out["recover"][0] == 200 and out["back"][2]["value"] == "v2"
    assert out["purge"][0] == 204 and out["purge"][2] is None
    assert out["purged"][0] == 404


def test_lists_are_paged_by_next_link(vaults):
    async def scenario(call, port):
        for i in range(7):
            assert (await call("PUT", f"/secrets/s{i}", body={"value": "x"}))[0] == 200
        names, link, pages = [], None, 0
        while True:
            if link:  # the next link names the vault's host; the test server listens on loopback
                link = link.replace(f"http://{HOST}", f"http://127.0.0.1:{port}")
                status, _, page = await call("GET", link, query={})
            else:
                status, _, page = await call("GET", "/secrets", query={"api-version": "7.4", "maxresults": "3"})
            assert status == 200
            pages += 1
            names += [item["id"].rsplit("/", 1)[1] for item in page["value"]]
            link = page["nextLink"]
            if not link:
                return names, pages, await call("GET", "/secrets", query={"api-version": "7.4", "maxresults": "30"})

    names, pages, too_many = run(scenario)
    assert pages == 3 and names == [f"s{i}" for i in range(7)]
    assert too_many[0] == 400 and too_many[2]["error"]["code"] == "BadParameter"


def test_bad_requests_get_the_services_errors(vaults):
    async def scenario(call, port):
        return {
            "name": await call("PUT", "/secrets/bad_name", body={"value": "x"}),
            "json": await call("PUT", "/secrets/ok", raw=b"{not json"),
            "value": await call("PUT", "/secrets/ok", body={"value": 5}),
            "version": await call("GET", "/secrets", query={}),
            "unknown": await call("GET", "/secrets/nope/"),
            "certs": await call("GET", "/certificates"),
            "no_vault": await call("GET", "/secrets", host="nosuchvault.vault.azure.net"),
            "big": await call("PUT", "/secrets/ok", raw=b'{"value": "' + b"x" * (300 * 1024) + b'"}'),
            "list": await call("GET", "/secrets"),
        }

    out = run(scenario)
    assert out["name"][0] == 400 and out["name"][2]["error"] == {
        "code": "BadParameter", "message": "The request URI contains an invalid name: bad_name"}
    assert out["json"][0] == 400 and out["value"][0] == 400 and out["version"][0] == 400
    assert out["unknown"][0] == 404 and "was not found in this key vault" in out["unknown"][2]["error"]["message"]
    assert out["certs"][0] == 501 and "offline" in out["certs"][2]["error"]["message"]
    assert out["no_vault"][0] == 404
    assert out["big"][0] == 413 and out["big"][2]["error"]["code"] == "BadParameter"
    assert out["list"][2] == {"value": [], "nextLink": None}  # nothing was written by the bad requests


def test_an_rbac_vault_refuses_a_principal_without_a_role(vaults):
    async def scenario(call, port):
        return await call("GET", "/secrets/x/", host=f"{RBAC}.vault.azure.net", token=_token("stranger-oid"))

    status, _, body = run(scenario)
    assert status == 403 and body["error"]["code"] == "Forbidden"
    assert body["error"]["innererror"] == {"code": "ForbiddenByRbac"}
    assert "oid=stranger-oid" in body["error"]["message"]
    assert "Microsoft.KeyVault/vaults/secrets/getSecret/action" in body["error"]["message"]


def test_keys_create_and_crypto_operations(vaults):
    data = base64.urlsafe_b64encode(b"k" * 32).rstrip(b"=").decode()

    async def scenario(call, port):
        out = {"create": await call("POST", "/keys/cmk/create", body={"kty": "RSA", "key_size": 2048})}
        out["wrap"] = await call("POST", "/keys/cmk//wrapkey", body={"alg": "RSA-OAEP-256", "value": data})
        wrapped = out["wrap"][2]["value"]
        version = out["create"][2]["key"]["kid"].rsplit("/", 1)[1]
        out["unwrap"] = await call("POST", f"/keys/cmk/{version}/unwrapkey", body={"alg": "RSA-OAEP-256",
                                                                                  "value": wrapped})
        out["badalg"] = await call("POST", "/keys/cmk//encrypt", body={"alg": "nope", "value": data})
        out["bad64"] = await call("POST", "/keys/cmk//encrypt", body={"alg": "RSA-OAEP", "value": "***"})
        out["kty"] = await call("POST", "/keys/k2/create", body={"kty": "DSA"})
        out["list"] = await call("GET", "/keys")
        return out

    out = run(scenario)
    key = out["create"][2]["key"]
    assert out["create"][0] == 200 and key["kty"] == "RSA" and key["kid"].startswith(f"https://{HOST}/keys/cmk/")
    assert "d" not in key and "p" not in key  # no private part
    assert out["wrap"][0] == 200 and out["wrap"][2]["kid"] == key["kid"]
    assert out["unwrap"][0] == 200 and out["unwrap"][2]["value"] == data
    assert out["badalg"][0] == 400 and out["bad64"][0] == 400 and out["kty"][0] == 400
    assert [k["kid"].rsplit("/", 1)[1] for k in out["list"][2]["value"]] == ["cmk"]


def test_the_tls_listener_serves_only_this_homes_active_vaults(vaults):
    from azlocal.keyvault import vaults as kv

    assert dataplane.serves(HOST) and dataplane.serves(f"{RBAC.upper()}.vault.azure.net")
    assert not dataplane.serves("other1.vault.azure.net") and not dataplane.serves("kvunit1.vault.azure.com")
    kv.soft_delete(kv.find(VAULT))
    assert not dataplane.serves(HOST)  # a deleted vault's name does not resolve in Azure either


def test_concurrent_writes_all_land(vaults):
    """Store code runs in the loop's executor, many requests at once: every version is kept."""
    async def scenario(call, port):
        results = await asyncio.gather(*[call("PUT", "/secrets/busy", body={"value": f"v{i}"}) for i in range(20)],
                                       *[call("PUT", f"/secrets/s{i}", body={"value": "x"}) for i in range(10)])
        versions = await call("GET", "/secrets/busy/versions")
        listed = await call("GET", "/secrets")
        return results, versions, listed

    results, versions, listed = run(scenario)
    statuses = [r[0] for r in results]
    assert statuses == [200] * 30, [r[2] for r in results if r[0] != 200]
    assert len(versions[2]["value"]) == 20 and len(listed[2]["value"]) == 11


def test_network_rules_refuse_after_authentication(vaults):
    from azlocal.keyvault import vaults as kv

    doc = kv.find(VAULT)

    def rules(public="Enabled", action="Allow", ips=()):
        doc["properties"]["publicNetworkAccess"] = public
        doc["properties"]["networkAcls"] = {"bypass": "AzureServices", "defaultAction": action,
                                            "ipRules": [{"value": ip} for ip in ips], "virtualNetworkRules": []}
        kv.save(doc)

    async def scenario(call, port):
        out = {}
        rules(action="Deny", ips=["10.0.0.0/8"])
        out["challenge"] = await call("GET", "/secrets", token=None)
        out["firewall"] = await call("GET", "/secrets")
        rules(action="Deny", ips=["127.0.0.1"])
        out["allowed"] = await call("GET", "/secrets")
        rules(public="Disabled")
        out["private"] = await call("GET", "/secrets")
        return out

    out = run(scenario)
    assert out["challenge"][0] == 401  # the challenge comes first, as the service's
    status, headers, body = out["firewall"]
    assert status == 403 and body["error"]["innererror"] == {"code": "ForbiddenByFirewall"}
    assert "Client address: 127.0.0.1" in body["error"]["message"]
    assert "addr=127.0.0.1" in headers["x-ms-keyvault-network-info"]
    assert out["allowed"][0] == 200
    assert out["private"][0] == 403 and out["private"][2]["error"]["innererror"]["code"] == "ForbiddenByConnection"
