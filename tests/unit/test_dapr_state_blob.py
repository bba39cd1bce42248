"""Dapr's state.azure.blobstorage store on the local Blob service (no Docker): keys become blobs that `az storage
blob list` shows, authenticated by the app's managed identity (its Storage Blob Data role decides) or by the
account key; refusals are the SDK's 403 wrapped in Dapr's ERR_STATE_* errors, with nothing written."""

import json

import pytest

from tests.unit.test_dapr_state import Comp, FakeCtx, err, run


@pytest.fixture
def blob_env(cli, monkeypatch):
    from azlocal.platform import hosts, lifecycle

    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: None)
    monkeypatch.setattr(hosts, "set_entries", lambda *a, **k: None)
    assert cli("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    assert cli("storage", "account", "create", "-g", "rg", "-n", "ordersstore", "-o", "none").code == 0
    identity = cli("identity", "create", "-g", "rg", "-n", "nodeapp-id").json()
    key = cli("storage", "account", "keys", "list", "-g", "rg", "-n", "ordersstore").json()[0]["value"]
    account_id = cli("storage", "account", "show", "-g", "rg", "-n", "ordersstore", "--query", "id", "-o", "tsv").out
    return identity, key, account_id.strip()


def blob_ctx(identity, **metadata):
    meta = {"accountName": "ordersstore", "containerName": "mycontainer", **metadata}
    ctx = FakeCtx([Comp("statestore", "state.azure.blobstorage", meta)])
    ctx.app = {"name": "nodeapp", "identity": {"type": "UserAssigned", "userAssignedIdentities": {
        identity["id"]: {"principalId": identity["principalId"], "clientId": identity["clientId"]}}}}
    return ctx


async def save_and_read(c):
    save = await c.call("POST", "/statestore", [{"key": "order", "value": {"orderId": 42}}])
    return save, await c.call("GET", "/statestore/order")


def blobs(cli, key):
    r = cli("storage", "blob", "list", "--account-name", "ordersstore", "--account-key", key, "-c", "mycontainer",
            "--query", "[].name")
    return r.json() if r.code == 0 else r


def test_identity_without_a_data_role_is_refused_and_nothing_is_made(cli, blob_env):
    identity, key, account_id = blob_env
    # Owner of the account's group grants no blob data actions (as in Azure)
    assert cli("role", "assignment", "create", "--role", "Owner", "--assignee-object-id", identity["principalId"],
               "--assignee-principal-type", "ServicePrincipal", "--scope", account_id, "-o", "none").code == 0
    ctx = blob_ctx(identity, azureClientId=identity["clientId"])
    (status, _, body), _ = run(ctx, save_and_read)
    assert status == 500
    code, message = err(body)
    assert code == "ERR_STATE_SAVE" and message.startswith("failed saving state in state store statestore: ")
    assert "RESPONSE 403" in message and "AuthorizationPermissionMismatch" in message
    # as Dapr's component does when it starts, the container was made (Owner may create containers)
    assert blobs(cli, key) == []  # but no blob was written
    bare = dict(identity, principalId="11111111-2222-3333-4444-555555555555")
    (status, _, body), _ = run(blob_ctx(bare), save_and_read)
    assert status == 500 and "AuthorizationPermissionMismatch" in err(body)[1]


def test_the_tutorial_store_writes_blobs_the_learner_lists(cli, blob_env):
    identity, key, account_id = blob_env
    assert cli("role", "assignment", "create", "--role", "Storage Blob Data Contributor", "--assignee-object-id",
               identity["principalId"], "--assignee-principal-type", "ServicePrincipal", "--scope", account_id,
               "-o", "none").code == 0
    ctx = blob_ctx(identity, azureClientId=identity["clientId"])
    (status, _, _), (got, headers, body) = run(ctx, save_and_read)
    assert status == 204 and got == 200 and json.loads(body) == {"orderId": 42}
    assert blobs(cli, key) == ["order"]  # version v1: the app id's prefix is not in the blob's name
    shown = cli("storage", "blob", "show", "--account-name", "ordersstore", "--account-key", key, "-c",
                "mycontainer", "-n", "order").json()
    assert shown["properties"]["etag"] == headers["ETag"]

    async def etags(c):
        stale = await c.call("POST", "/statestore", [{"key": "order", "value": 1, "etag": '"0x1"'}])
        fresh = await c.call("POST", "/statestore", [{"key": "order", "value": 2, "etag": headers["ETag"]}])
        first = await c.call("POST", "/statestore", [{"key": "order", "value": 3,
                                                      "options": {"concurrency": "first-write"}}])
        tx = await c.call("POST", "/statestore/transaction", {"operations": []})
        gone = await c.call("DELETE", "/statestore/order")
        return stale, fresh, first, tx, gone, await c.call("GET", "/statestore/order")

    stale, fresh, first, tx, gone, after = run(ctx, etags)
    assert stale[0] == 409 and "ConditionNotMet" in err(stale[2])[1]
    assert fresh[0] == 204 and first[0] == 409
    assert tx[0] == 500 and err(tx[2]) == ("ERR_STATE_STORE_NOT_SUPPORTED",
                                           "state store statestore doesn't support transactions")
    assert gone[0] == 204 and after[0] == 204 and blobs(cli, key) == []


def test_version_2_keeps_the_whole_key_and_the_account_key_authenticates(cli, blob_env):
    identity, key, _ = blob_env
    ctx = blob_ctx(identity, accountKey=key, prefix="orders/")
    ctx._components[0].version = "v2"
    (status, _, _), (got, _, _) = run(ctx, save_and_read)
    assert status == 204 and got == 200
    assert blobs(cli, key) == ["orders/nodeapp||order"]
    wrong = blob_ctx(identity, accountKey="d3Jvbmc=")
    (status, _, body), _ = run(wrong, save_and_read)
    assert status == 500 and "AuthenticationFailed" in err(body)[1]


def test_an_unknown_account_or_missing_identity_fails_as_the_sdk_would(cli, blob_env):
    identity, _, _ = blob_env
    (status, _, body), _ = run(blob_ctx(identity, accountName="nosuchaccount"), save_and_read)
    assert status == 500 and "no such host" in err(body)[1]
    ctx = blob_ctx(identity)
    ctx.app = {"name": "nodeapp"}
    (status, _, body), _ = run(ctx, save_and_read)
    assert status == 500 and "ManagedIdentityCredential" in err(body)[1]
