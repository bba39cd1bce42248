"""Dapr's secrets building block in the sidecar (azlocal.aca.dapr.secretstore, api_secrets) with a real
SidecarContext over the home's store: Key Vault read as the app's identity (system-assigned, or the
user-assigned one azureClientId names; the vault's policy decides, its refusal is ERR_SECRET_GET), the app's
own secrets (secretstores.kubernetes), its plain environment (secretstores.local.env), scopes and Dapr's
errors, over HTTP as daprd answers. No Docker."""

import asyncio
import json

import pytest

from tests.unit.test_aca_parity import _seed

DC = ("containerapp", "env", "dapr-component", "set", "-g", "rg", "-n", "env1")


def _ok(r):
    assert r.code == 0, r.err
    return json.loads(r.out) if r.out.strip() else None


@pytest.fixture
def app(cli, monkeypatch, tmp_path):
    from azlocal.keyvault import vaults
    from azlocal.platform import secrets
    from azlocal.platform.store import store

    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    monkeypatch.setattr(vaults, "unpublish", lambda doc: None)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    env_doc, app_doc = _seed()
    app_doc = store().get(app_doc["id"])
    app_doc["identity"] = {"type": "SystemAssigned", "principalId": "5e1f0000-0000-0000-0000-000000000001",
                           "tenantId": "t"}
    props = app_doc["properties"]
    props["configuration"]["dapr"] = {"enabled": True, "appId": "app-a", "appPort": 8080}
    props["configuration"]["secrets"] = [{"name": "db-password"}]
    props["template"]["containers"][0]["env"] = [{"name": "APP_MODE", "value": "test"},
                                                 {"name": "APP_TOKEN", "secretRef": "db-password"},
                                                 {"name": "OTHER", "value": "x"}]
    with store().transaction():
        store().put(app_doc)
    from azlocal.aca import revisions

    secrets.set_secret(revisions.secret_key(app_doc, "db-password"), "s3cret")
    return app_doc


def _component(cli, tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    _ok(cli(*DC, "--dapr-component-name", name, "--yaml", str(path)))


def _ctx(app_doc, app_id=None):
    from azlocal.aca.dapr.context import SidecarContext
    from azlocal.platform.store import store

    doc = json.loads(json.dumps(app_doc))
    if app_id:
        doc["properties"]["configuration"]["dapr"]["appId"] = app_id
    return SidecarContext(doc, store().get(doc["properties"]["managedEnvironmentId"]), "app1--rev1-replica")


def _get(ctx, store_name, key, metadata=None):
    from azlocal.aca.dapr import secretstore

    return asyncio.run(secretstore.get(ctx, store_name, key, metadata))


def _bulk(ctx, store_name):
    from azlocal.aca.dapr import secretstore

    return asyncio.run(secretstore.bulk(ctx, store_name))


def _error(fn, *args):
    from azlocal.aca.dapr import secretstore

    with pytest.raises(secretstore.SecretStoreError) as err:
        fn(*args)
    return err.value


def test_key_vault_is_read_as_the_apps_identity_and_the_vaults_refusal_is_err_secret_get(cli, app, tmp_path):
    _ok(cli("keyvault", "create", "-n", "kv1", "-g", "rg", "--enable-rbac-authorization", "false"))
    first = _ok(cli("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "db-conn", "--value", "v1"))
    _ok(cli("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "db-conn", "--value", "v2"))
    _component(cli, tmp_path, "vault", "componentType: secretstores.azure.keyvault\nversion: v1\nmetadata:\n"
                                       "- name: vaultName\n  value: kv1\n")
    ctx = _ctx(app)
    err = _error(_get, ctx, "vault", "db-conn")
    assert (err.status, err.code) == (500, "ERR_SECRET_GET")
    assert err.message.startswith("failed getting secret with key db-conn from secret store vault: ")
    assert "does not have secrets get permission" in err.message
    _ok(cli("keyvault", "set-policy", "-n", "kv1", "--object-id", app["identity"]["principalId"],
            "--secret-permissions", "get"))
    assert _get(ctx, "vault", "db-conn") == {"db-conn": "v2"}
    version = first["id"].rsplit("/", 1)[1]
    assert _get(ctx, "vault", "db-conn", {"version_id": version}) == {"db-conn": "v1"}
    assert "was not found" in _error(_get, ctx, "vault", "missing").message
    err = _error(_bulk, ctx, "vault")  # listing needs list as well
    assert err.code == "ERR_SECRET_GET" and err.message.startswith("failed getting secrets from secret store vault")
    _ok(cli("keyvault", "set-policy", "-n", "kv1", "--object-id", app["identity"]["principalId"],
            "--secret-permissions", "get", "list"))
    _ok(cli("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "api-key", "--value", "k"))
    assert _bulk(ctx, "vault") == {"db-conn": {"db-conn": "v2"}, "api-key": {"api-key": "k"}}


def test_azure_client_id_selects_a_user_assigned_identity(cli, app, tmp_path):
    from azlocal.platform.store import store

    ident = _ok(cli("identity", "create", "-g", "rg", "-n", "reader-id"))
    app["identity"] = {"type": "SystemAssigned, UserAssigned", "principalId": app["identity"]["principalId"],
                       "tenantId": "t", "userAssignedIdentities": {
                           ident["id"]: {"principalId": ident["principalId"], "clientId": ident["clientId"]}}}
    with store().transaction():
        store().put(app)
    _ok(cli("keyvault", "create", "-n", "kv2", "-g", "rg", "--enable-rbac-authorization", "false"))
    _ok(cli("keyvault", "secret", "set", "--vault-name", "kv2", "-n", "token", "--value", "t0k"))
    _ok(cli("keyvault", "set-policy", "-n", "kv2", "--object-id", ident["principalId"], "--secret-permissions", "get"))
    _component(cli, tmp_path, "by-user", "componentType: secretstores.azure.keyvault\nversion: v1\nmetadata:\n"
                                         "- name: vaultName\n  value: https://kv2.vault.azure.net/\n"
                                         f"- name: azureClientId\n  value: {ident['clientId']}\n")
    _component(cli, tmp_path, "by-system", "componentType: secretstores.azure.keyvault\nversion: v1\nmetadata:\n"
                                           "- name: vaultName\n  value: kv2\n")
    ctx = _ctx(app)
    assert _get(ctx, "by-user", "token") == {"token": "t0k"}
    assert "does not have secrets get permission" in _error(_get, ctx, "by-system", "token").message


def test_the_apps_own_secrets_and_its_plain_environment(cli, app, tmp_path):
    _component(cli, tmp_path, "appsecrets", "componentType: secretstores.kubernetes\nversion: v1\n")
    _component(cli, tmp_path, "envstore", "componentType: secretstores.local.env\nversion: v1\nmetadata:\n"
                                          "- name: prefix\n  value: APP_\n")
    ctx = _ctx(app)
    assert _get(ctx, "appsecrets", "db-password") == {"db-password": "s3cret"}
    assert _bulk(ctx, "appsecrets") == {"db-password": {"db-password": "s3cret"}}
    assert "secret nope not found" in _error(_get, ctx, "appsecrets", "nope").message
    assert _get(ctx, "envstore", "MODE") == {"MODE": "test"}
    assert _bulk(ctx, "envstore") == {"MODE": {"MODE": "test"}}  # secretRef variables are not listed
    assert _error(_get, ctx, "envstore", "TOKEN").code == "ERR_SECRET_GET"


def test_unknown_and_scoped_away_stores_are_daprs_not_found_and_none_is_not_configured(cli, app, tmp_path):
    ctx = _ctx(app)
    err = _error(_get, ctx, "anything", "k")
    assert (err.status, err.code, err.message) == (500, "ERR_SECRET_STORES_NOT_CONFIGURED",
                                                   "secret store is not configured")
    _component(cli, tmp_path, "mine", "componentType: secretstores.kubernetes\nversion: v1\nscopes: [app-a]\n")
    assert _get(ctx, "mine", "db-password") == {"db-password": "s3cret"}
    other = _ctx(app, app_id="app-b")
    err = _error(_get, other, "mine", "db-password")
    assert (err.status, err.code) == (500, "ERR_SECRET_STORES_NOT_CONFIGURED")
    _component(cli, tmp_path, "shared", "componentType: secretstores.kubernetes\nversion: v1\n")
    err = _error(_get, _ctx(app, app_id="app-b"), "mine", "db-password")
    assert (err.status, err.code, err.message) == (401, "ERR_SECRET_STORE_NOT_FOUND",
                                                   "failed finding secret store with key mine")


def test_the_http_api_answers_as_daprd(cli, app, tmp_path):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from azlocal.aca.dapr import api_secrets

    _component(cli, tmp_path, "appsecrets", "componentType: secretstores.kubernetes\nversion: v1\n")
    ctx = _ctx(app)

    async def scenario():
        web_app = web.Application()
        web_app.add_routes(api_secrets.routes(ctx))
        async with TestClient(TestServer(web_app)) as client:
            one = await client.get("/v1.0/secrets/appsecrets/db-password")
            every = await client.get("/v1.0/secrets/appsecrets/bulk")
            missing = await client.get("/v1.0/secrets/nostore/x")
            return [(r.status, await r.json()) for r in (one, every, missing)]
    one, every, missing = asyncio.run(scenario())
    assert one == (200, {"db-password": "s3cret"})
    assert every == (200, {"db-password": {"db-password": "s3cret"}})
    assert missing == (401, {"errorCode": "ERR_SECRET_STORE_NOT_FOUND",
                             "message": "failed finding secret store with key nostore"})
