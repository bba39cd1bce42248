"""Dapr components as a sidecar loads them (azlocal.aca.dapr.components): Dapr's scoping, secretRefs resolved
from the component's secrets or its secret store component (Key Vault as the app's identity), and `env
dapr-component set` refusing what no sidecar could load (nothing stored). No Docker."""

import json

import pytest

from tests.unit.test_aca_parity import _seed

ENV = ("-g", "rg", "-n", "env1")
DC = ("containerapp", "env", "dapr-component")


@pytest.fixture
def env(cli, monkeypatch):
    from azlocal.keyvault import vaults

    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    monkeypatch.setattr(vaults, "unpublish", lambda doc: None)
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    env_doc, app = _seed()
    return env_doc


def _set(cli, tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return cli(*DC, "set", *ENV, "--dapr-component-name", name, "--yaml", str(path))


def _ok(r):
    assert r.code == 0, r.err
    return json.loads(r.out) if r.out.strip() else None


STATE = """componentType: state.redis
version: v1
metadata:
- name: redisHost
  value: localhost:6379
- name: redisPassword
  secretRef: redis-password
secrets:
- name: redis-password
  value: p@ss
"""


def test_a_component_without_scopes_is_loaded_by_every_app_and_scoped_ones_only_by_theirs(cli, env, tmp_path):
    from azlocal.aca.dapr import components

    _ok(_set(cli, tmp_path, "statestore", STATE))
    _ok(_set(cli, tmp_path, "orders", "componentType: pubsub.in-memory\nversion: v1\nscopes: [publisher, Reader]\n"))
    assert [c.name for c in components.for_app(env, "anyapp")] == ["statestore"]
    assert [c.name for c in components.for_app(env, "publisher")] == ["orders", "statestore"]
    assert [c.name for c in components.for_app(env, "reader")] == ["statestore"]  # app ids match exactly
    assert components.get(env, "Reader", "orders", "pubsub").type == "pubsub.in-memory"
    with pytest.raises(components.ComponentNotFound):
        components.get(env, "anyapp", "orders", "pubsub")
    with pytest.raises(components.ComponentNotFound):
        components.get(env, "publisher", "orders", "state")  # another family
    with pytest.raises(components.ComponentNotFound):
        components.get(env, "publisher", "nothing", "state")
    comp = components.get(env, "x", "statestore", "state")
    assert comp.family == "state" and comp.kind == "redis" and comp.version == "v1" and comp.scopes == []
    assert comp.metadata == {"redisHost": "localhost:6379", "redisPassword": "p@ss"}
    assert components.in_scope([], "a") and components.in_scope(None, "a") and not components.in_scope(["b"], "a")


def test_secret_refs_of_a_secret_store_component_are_read_from_that_store(cli, env, tmp_path):
    from azlocal.aca.dapr import components

    _ok(_set(cli, tmp_path, "vault", "componentType: secretstores.azure.keyvault\nversion: v1\nmetadata:\n"
                                     "- name: vaultName\n  value: kv1\nscopes: [app-a]\n"))
    _ok(_set(cli, tmp_path, "blobs", "componentType: state.azure.blobstorage\nversion: v1\n"
                                     "secretStoreComponent: vault\nmetadata:\n- name: accountKey\n"
                                     "  secretRef: storage-key\n- name: containerName\n  value: orders\n"))
    asked = []
    comp = components.get(env, "app-a", "blobs", "state",
                          secret_lookup=lambda store, key: asked.append((store.name, store.metadata, key)) or "K3Y")
    assert comp.metadata == {"accountKey": "K3Y", "containerName": "orders"} and comp.secret_store == "vault"
    assert asked == [("vault", {"vaultName": "kv1"}, "storage-key")]
    with pytest.raises(components.ComponentError, match="secret store vault is not found"):
        components.get(env, "app-b", "blobs", "state", secret_lookup=lambda store, key: "K3Y")  # vault scoped away
    assert [c.name for c in components.for_app(env, "app-b")] == []  # a component that cannot init is left out


def test_the_built_in_key_vault_lookup_reads_as_the_apps_identity_and_the_vault_decides(cli, env, tmp_path):
    from azlocal.aca.dapr import components
    from azlocal.platform.store import store

    app = store().get(env["id"].replace("managedEnvironments/env1", "containerApps/app1"))
    app["identity"] = {"type": "SystemAssigned", "principalId": "5e1f0000-0000-0000-0000-000000000001",
                       "tenantId": "t"}
    app["properties"]["configuration"]["dapr"] = {"enabled": True, "appId": "app-a"}
    with store().transaction():
        store().put(app)
    _ok(cli("keyvault", "create", "-n", "kv1", "-g", "rg", "--enable-rbac-authorization", "false"))
    _ok(cli("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "storage-key", "--value", "from-the-vault"))
    _ok(_set(cli, tmp_path, "vault", "componentType: secretstores.azure.keyvault\nversion: v1\nmetadata:\n"
                                     "- name: vaultName\n  value: kv1\n"))
    _ok(_set(cli, tmp_path, "blobs", "componentType: state.azure.blobstorage\nversion: v1\n"
                                     "secretStoreComponent: vault\nmetadata:\n- name: accountKey\n"
                                     "  secretRef: storage-key\n"))
    with pytest.raises(components.ComponentError, match="does not have secrets get permission"):
        components.get(env, "app-a", "blobs", "state")
    _ok(cli("keyvault", "set-policy", "-n", "kv1", "--object-id", app["identity"]["principalId"],
            "--secret-permissions", "get"))
    assert components.get(env, "app-a", "blobs", "state").metadata == {"accountKey": "from-the-vault"}
    with pytest.raises(components.ComponentError, match="No managed identity"):
        components.get(env, "app-without-identity", "blobs", "state")


def test_set_stores_a_backed_component_without_the_old_no_sidecar_warning(cli, env, tmp_path):
    r = _set(cli, tmp_path, "statestore", STATE)
    doc = _ok(r)
    assert "no Dapr sidecar" not in r.err and r.err == ""
    assert doc["properties"]["componentType"] == "state.redis" and "p@ss" not in r.out


@pytest.mark.parametrize("ctype", ["bindings.kafka", "state.cosmosdb", "pubsub.azure.servicebus.topics", "x"])
def test_a_type_azlocal_cannot_back_is_refused_naming_it_and_nothing_is_stored(cli, env, tmp_path, ctype):
    from azlocal.platform import secrets
    from azlocal.platform.store import store

    before = sorted(d["id"] for d in store().list())
    r = _set(cli, tmp_path, "c1", STATE.replace("state.redis", ctype))
    assert r.code == 1 and f"The Dapr component type '{ctype}' has no backend in azlocal" in r.err
    assert "state.azure.blobstorage" in r.err and "pubsub.redis" in r.err and "secretstores.azure.keyvault" in r.err
    assert sorted(d["id"] for d in store().list()) == before
    from azlocal.aca import dapr_components

    assert secrets.get_secret(dapr_components.secret_key(env["id"] + "/daprComponents/c1", "redis-password")) is None


@pytest.mark.parametrize("text, message", [
    ("- just\n- a list\n", "Invalid YAML provided."),
    ("version: v1\n", "componentType is required"),
    ("componentType: state.redis\n", "version is required"),
    ("componentType: state.redis\nversion: v1\nmetadata:\n- value: x\n", "each metadata entry needs a name"),
    ("componentType: state.redis\nversion: v1\nscopes: app1\n", "scopes must be a list"),
])
def test_bad_component_yaml_is_azs_error_and_changes_nothing(cli, env, tmp_path, text, message):
    from azlocal.platform.store import store

    before = sorted(d["id"] for d in store().list())
    r = _set(cli, tmp_path, "c1", text)
    assert r.code == 1 and message in r.err
    assert sorted(d["id"] for d in store().list()) == before


def test_dapr_enable_starts_the_daemon_that_keeps_the_sidecars_and_disable_does_not(cli, env, monkeypatch):
    from azlocal.aca.dapr import supervisor
    from azlocal.platform import lifecycle

    started = []
    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: started.append(1))
    monkeypatch.setattr(supervisor, "_daemon_checked", False)
    r = cli("containerapp", "dapr", "disable", "-n", "app1", "-g", "rg")
    assert r.code == 0 and started == []
    r = cli("containerapp", "dapr", "enable", "-n", "app1", "-g", "rg", "--dapr-app-id", "orders",
            "--dapr-app-port", "3000", "--dapr-app-protocol", "grpc")
    assert r.code == 0, r.err
    assert _ok(r)["appProtocol"] == "grpc" and started == [1] and "no Dapr sidecar" not in r.err
    assert r.err == ""  # a gRPC app is reached through Dapr's AppCallback service (app_grpc)


def test_a_secret_store_component_of_the_apps_own_secrets_resolves_secret_refs(cli, env, tmp_path):
    from azlocal.aca import revisions
    from azlocal.aca.dapr import components
    from azlocal.platform import secrets
    from azlocal.platform.store import store

    app = store().get(env["id"].replace("managedEnvironments/env1", "containerApps/app1"))
    app["properties"]["configuration"]["dapr"] = {"enabled": True}  # no appId: the app's name is its app id
    with store().transaction():
        store().put(app)
    secrets.set_secret(revisions.secret_key(app, "s1"), "the-app-secret")
    _ok(_set(cli, tmp_path, "own", "componentType: secretstores.kubernetes\nversion: v1\n"))
    _ok(_set(cli, tmp_path, "cache", "componentType: state.redis\nversion: v1\nsecretStoreComponent: own\n"
                                     "metadata:\n- name: redisPassword\n  secretRef: s1\n"))
    assert components.get(env, "app1", "cache", "state").metadata == {"redisPassword": "the-app-secret"}
    _ok(_set(cli, tmp_path, "cache", "componentType: state.redis\nversion: v1\nsecretStoreComponent: own\n"
                                     "metadata:\n- name: redisPassword\n  secretRef: nope\n"))
    with pytest.raises(components.ComponentError, match="secret nope not found"):
        components.get(env, "app1", "cache", "state")


def test_a_missing_or_unparsable_yaml_file_is_azs_error(cli, env, tmp_path):
    r = cli(*DC, "set", *ENV, "--dapr-component-name", "c1", "--yaml", str(tmp_path / "none.yaml"))
    assert r.code == 1 and r.err.strip() == f"ERROR: {tmp_path / 'none.yaml'} does not exist"
    r = _set(cli, tmp_path, "c1", "componentType: [state.redis\nversion: v1\n")
    assert r.code == 1 and r.err.startswith(f"ERROR: Error parsing {tmp_path / 'c1.yaml'} (")


@pytest.mark.parametrize("group", ["rg", "nogroup"])
def test_dapr_enable_and_disable_on_an_app_that_does_not_exist_are_azs_error(cli, env, group):
    for cmd in (("enable", "--dapr-app-id", "a"), ("disable",)):
        r = cli("containerapp", "dapr", *cmd, "-n", "ghost", "-g", group)
        assert r.code == 3 and r.err.strip() == "ERROR: The containerapp 'ghost' does not exist"
