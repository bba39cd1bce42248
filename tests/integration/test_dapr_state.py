"""Dapr state management on Docker through azlocal's real sidecars: a Dapr-enabled busybox app saves and reads
state with wget on its own `localhost:3500` (sqlite and redis stores from component YAML files), an ETag
conflict is Dapr's 409, the state survives a restart of the app's replicas, and a state.azure.blobstorage
store writes the blobs `az storage blob list` shows once the app's identity holds Storage Blob Data
Contributor (refused before)."""

import json
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

G, ENV = "dapr-state-rg", "dapr-state-env"
STATE = "http://localhost:3500/v1.0/state"


@pytest.fixture
def env(az):
    yield from busybox.resource_group(az, G)


def _heads(home, app_name):
    out = subprocess.run(["docker", "ps", "--format", "{{.Names}} {{.Label \"azlocal.aca.replica\"}}", "--filter",
                          f"label=azlocal.home={home.resolve()}", "--filter", "label=azlocal.aca.replica"],
                         capture_output=True, text=True).stdout
    return sorted(name for name, replica in (line.split() for line in out.splitlines() if line.strip())
                  if name == replica and name.startswith(app_name + "--"))


def _sh(container, script):
    return subprocess.run(["docker", "exec", container, "sh", "-c", script], capture_output=True, text=True,
                          timeout=30)


def _post(container, path, body):
    """(ok, wget's output with the response headers) of a POST to the sidecar."""
    out = _sh(container, f"wget -S -q -O - --header 'Content-Type: application/json' "
                         f"--post-data '{json.dumps(body)}' {STATE}/{path} 2>&1")
    return out.returncode == 0, out.stdout


def _get(container, path):
    """(body, ETag or None) of a GET from the sidecar."""
    body = _sh(container, f"wget -q -O - {STATE}/{path}")
    headers = _sh(container, f"wget -S -O /dev/null {STATE}/{path} 2>&1").stdout
    etag = next((line.split(":", 1)[1].strip() for line in headers.splitlines()
                 if line.strip().lower().startswith("etag:")), None)
    return body.stdout.strip() or body.stderr + headers, etag


def _component(az, tmp_path, name, yaml_text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml_text)
    r = az("containerapp", "env", "dapr-component", "set", "-n", ENV, "-g", G, "--dapr-component-name", name,
           "--yaml", str(path), "-o", "none")
    assert r.code == 0, r.err


def _until(fn, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.25)


def test_state_through_the_sidecar(az, env, home, tmp_path):
    image = busybox.build(busybox.write_context(tmp_path / "app", ['CMD ["sleep", "3600"]']),
                          "azlocal-test/dapr-state:v1")
    r = az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none")
    assert r.code == 0, r.err
    _component(az, tmp_path, "statestore", "componentType: state.sqlite\nversion: v1\nmetadata:\n"
               "- name: connectionString\n  value: data.db\nscopes:\n- stateapp\n")
    _component(az, tmp_path, "cache", "componentType: state.redis\nversion: v1\nmetadata:\n"
               "- name: redisHost\n  value: redis-master:6379\n- name: redisPassword\n  value: ''\n")
    r = az("containerapp", "create", "-n", "stateapp", "-g", G, "--environment", ENV, "--image", image,
           "--enable-dapr", "--dapr-app-id", "stateapp", "-o", "none")
    assert r.code == 0, r.err
    [app] = _heads(home, "stateapp")

    for store in ("statestore", "cache"):
        ok, out = _post(app, store, [{"key": "order", "value": {"orderId": 1}}])
        assert ok and "204" in out, out
        body, etag = _get(app, f"{store}/order")
        assert etag and json.loads(body) == {"orderId": 1}, (body, etag)
        # an ETag conflict: Dapr's 409 ERR_STATE_SAVE, the value unchanged
        stale = "1" + etag if store == "cache" else "not-" + etag
        ok, out = _post(app, store, [{"key": "order", "value": {"orderId": 2}, "etag": stale}])
        assert not ok and "409" in out, out
        assert json.loads(_get(app, f"{store}/order")[0]) == {"orderId": 1}
        ok, out = _post(app, store, [{"key": "order", "value": {"orderId": 2}, "etag": etag}])
        assert ok, out
        ok, out = _post(app, f"{store}/transaction", {"operations": [
            {"operation": "upsert", "request": {"key": "line1", "value": "book"}},
            {"operation": "upsert", "request": {"key": "line2", "value": "pen"}}]})
        assert ok, out
        ok, out = _post(app, f"{store}/bulk", {"keys": ["order", "line1", "missing"]})
        bulk = json.loads(out[out.index("["):])
        assert [(i["key"], i.get("data")) for i in bulk] == [("order", {"orderId": 2}), ("line1", "book"),
                                                             ("missing", None)]
    # a store scoped to another app is not this app's
    ok, out = _post(app, "nosuchstore", [{"key": "k", "value": 1}])
    assert not ok and "400" in out

    # the replicas are replaced: the new replica's sidecar reads the same state
    revision = az("containerapp", "show", "-n", "stateapp", "-g", G).json()["properties"]["latestRevisionName"]
    r = az("containerapp", "revision", "restart", "-n", "stateapp", "-g", G, "--revision", revision)
    assert r.code == 0, r.err
    fresh = _until(lambda: [h for h in _heads(home, "stateapp") if h != app])
    assert fresh
    for store in ("statestore", "cache"):
        got = _until(lambda s=store: _get(fresh[0], f"{s}/order")[0])
        assert json.loads(got) == {"orderId": 2}


def test_blob_state_store_with_the_apps_identity(az, env, home, tmp_path):
    image = busybox.build(busybox.write_context(tmp_path / "app", ['CMD ["sleep", "3600"]']),
                          "azlocal-test/dapr-state:v1")
    assert az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none").code == 0
    assert az("storage", "account", "create", "-n", "daprstateorders", "-g", G, "-o", "none").code == 0
    identity = az("identity", "create", "-n", "nodeapp-identity", "-g", G).json()
    _component(az, tmp_path, "statestore", "componentType: state.azure.blobstorage\nversion: v1\nmetadata:\n"
               "- name: accountName\n  value: daprstateorders\n- name: containerName\n  value: mycontainer\n"
               f"- name: azureClientId\n  value: {identity['clientId']}\nscopes:\n- nodeapp\n")
    r = az("containerapp", "create", "-n", "nodeapp", "-g", G, "--environment", ENV, "--image", image,
           "--user-assigned", identity["id"], "--enable-dapr", "--dapr-app-id", "nodeapp", "-o", "none")
    assert r.code == 0, r.err
    [app] = _heads(home, "nodeapp")

    ok, out = _post(app, "statestore", [{"key": "order", "value": {"orderId": 1}}])
    assert not ok and "500" in out, out  # no Storage Blob Data role yet

    account_id = az("storage", "account", "show", "-n", "daprstateorders", "-g", G, "--query", "id", "-o", "tsv")
    r = az("role", "assignment", "create", "--assignee", identity["principalId"], "--role",
           "Storage Blob Data Contributor", "--scope", account_id.out.strip(), "-o", "none")
    assert r.code == 0, r.err
    ok, out = _post(app, "statestore", [{"key": "order", "value": {"orderId": 1}}])
    assert ok, out
    body, etag = _get(app, "statestore/order")
    assert json.loads(body) == {"orderId": 1} and etag
    blobs = az("storage", "blob", "list", "--account-name", "daprstateorders", "-c", "mycontainer", "--auth-mode",
               "key", "--query", "[].name")
    assert blobs.code == 0 and blobs.json() == ["order"], blobs.err
