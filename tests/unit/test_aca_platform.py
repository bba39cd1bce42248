"""Issue 14, the platform of Container Apps without Docker: workload profiles (catalogue, an environment's
profiles, resource totals per profile, Docker limits), environment storages (checked as a mount checks
them, key kept in the secret store, refused while in use), usages, managed identities, Dapr components,
premium ingress and GitHub Actions (refused). Apps, jobs and environments are seeded in the store; bad
input changes nothing."""

import json
import os

import pytest

from tests.unit.test_aca_parity import _seed

ENV = ("-g", "rg", "-n", "env1")


@pytest.fixture
def seeded(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    return _seed()


def _env_doc():
    from azlocal.core import arm
    from azlocal.platform.store import store

    return store().get(arm.resource_id("rg", "Microsoft.App/managedEnvironments", "env1"))


def _ok(r):
    assert r.code == 0, r.err
    return json.loads(r.out) if r.out.strip() else None


# Workload profiles ------------------------------------------------------------------------------

def test_list_supported_has_azures_types_and_gpus_only_where_offered(cli):
    north = _ok(cli("containerapp", "env", "workload-profile", "list-supported", "-l", "northeurope"))
    by_name = {p["name"]: p for p in north}
    assert {"D4", "D8", "D16", "D32", "E4", "E8", "E16", "E32", "Consumption", "NC48-A100"} <= set(by_name)
    assert by_name["NC96-A100"]["properties"]["gpus"] == 4
    assert by_name["D4"]["properties"] == {"applicability": "LocationDefault", "category": "GeneralPurpose",
                                           "cores": 4, "displayName": "Dedicated-D4", "memoryGiB": 16}
    east = _ok(cli("containerapp", "env", "workload-profile", "list-supported", "-l", "East US"))
    assert "NC48-A100" not in {p["name"] for p in east} and "E32" in {p["name"] for p in east}
    r = cli("containerapp", "env", "workload-profile", "list-supported", "-l", "atlantis")
    assert r.code == 1 and "atlantis" in r.err


def test_profiles_add_show_update_delete_as_az(cli, seeded):
    wp = ("containerapp", "env", "workload-profile")
    _ok(cli(*wp, "add", *ENV, "-w", "my-d4", "--workload-profile-type", "d4", "--min-nodes", "2", "--max-nodes", "3"))
    shown = _ok(cli(*wp, "show", *ENV, "-w", "MY-D4"))
    assert shown["properties"] == {"name": "my-d4", "workloadProfileType": "D4", "minimumCount": 2,
                                   "maximumCount": 3, "currentCount": 2}
    listed = _ok(cli(*wp, "list", *ENV))
    assert [p["properties"]["name"] for p in listed] == ["Consumption", "my-d4"]
    _ok(cli(*wp, "update", *ENV, "-w", "my-d4", "--min-nodes", "1", "--max-nodes", "2"))
    assert _ok(cli(*wp, "show", *ENV, "-w", "my-d4"))["properties"]["maximumCount"] == 2
    before = _env_doc()
    for args, text in [
        (("add", *ENV, "-w", "my-d4", "--workload-profile-type", "D8"), "already exists"),
        (("add", *ENV, "-w", "x", "--workload-profile-type", "Q9"), "Invalid workload profile type 'Q9'"),
        (("add", *ENV, "-w", "x"), "--workload-profile-type is required"),
        (("add", *ENV, "-w", "x", "--workload-profile-type", "E4", "--min-nodes", "3", "--max-nodes", "2"),
         "--min-nodes <= --max-nodes"),
        (("update", *ENV, "-w", "nope", "--max-nodes", "2"), "does not exist in this environment"),
        (("show", *ENV, "-w", "nope"), "No such workload profile found on the environment"),
        (("delete", *ENV, "-w", "Consumption"), "Cannot delete the 'Consumption' workload profile"),
    ]:
        r = cli(*wp, *args)
        assert r.code == 1 and text in r.err, (args, r.err)
    assert _env_doc() == before
    _ok(cli(*wp, "delete", *ENV, "-w", "my-d4"))
    assert [p["name"] for p in _env_doc()["properties"]["workloadProfiles"]] == ["Consumption"]


def test_a_consumption_only_environment_has_no_profiles_to_add(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed(workload_profiles=False)
    r = cli("containerapp", "env", "workload-profile", "add", *ENV, "-w", "wp", "--workload-profile-type", "D4")
    assert r.code == 1 and "Cannot add workload profile because the environment doesn't enable workload " \
                           "profile.\nIf you want to use" in r.err
    r = cli("containerapp", "env", "workload-profile", "update", *ENV, "-w", "wp", "--max-nodes", "2")
    assert r.code == 1 and "Cannot update workload profile" in r.err
    assert _env_doc()["properties"]["workloadProfiles"] is None


def test_a_profile_in_use_is_not_deleted(cli, seeded):
    from azlocal.platform.store import store

    _, app = seeded
    _ok(cli("containerapp", "env", "workload-profile", "add", *ENV, "-w", "big", "--workload-profile-type", "E4"))
    app["properties"]["workloadProfileName"] = "big"
    with store().transaction():
        store().put(app)
    r = cli("containerapp", "env", "workload-profile", "delete", *ENV, "-w", "big")
    assert r.code == 1 and "WorkloadProfileInUse" in r.err and "app1" in r.err
    assert any(p["name"] == "big" for p in _env_doc()["properties"]["workloadProfiles"])


def _template(cpu, memory):
    return {"containers": [{"name": "a", "image": "i", "resources": {"cpu": cpu, "memory": memory}}]}


def test_resource_totals_are_checked_per_profile():
    from azlocal.aca import workload_profiles as wp
    from azlocal.core.errors import AzLocalError

    env = {"id": "/e", "name": "e", "properties": {"workloadProfiles": [
        {"name": "Consumption", "workloadProfileType": "Consumption"},
        {"name": "d4", "workloadProfileType": "D4", "minimumCount": 1, "maximumCount": 1}]}}
    only = {"id": "/o", "name": "o", "properties": {"workloadProfiles": None}}
    wp.check_resources(env, None, _template(4.0, "8Gi"))  # Consumption of a profiles environment: up to 4/8
    wp.check_resources(env, "d4", _template(3.3, "10Gi"))  # dedicated: anything up to the node
    wp.check_resources(only, None, _template(2.0, "4Gi"))
    for doc, profile, template in [(env, None, _template(1.5, "5Gi")), (env, "d4", _template(4.5, "1Gi")),
                                   (env, "d4", _template(1, "17Gi")), (only, None, _template(2.25, "4.5Gi"))]:
        with pytest.raises(AzLocalError, match="ContainerAppInvalidResourceTotal"):
            wp.check_resources(doc, profile, template)
    with pytest.raises(AzLocalError, match="does not exist"):
        wp.check_resources(env, "nope", _template(0.5, "1Gi"))
    assert wp.resolve(env, "D4") == {"name": "d4", "type": "D4", "cores": 4, "memoryGiB": 16}
    assert wp.resolve(only, None) is None


def test_docker_limits_are_the_containers_capped_by_the_node_and_the_host():
    from azlocal.aca import workload_profiles as wp

    env = {"id": "/e", "name": "e", "properties": {"workloadProfiles": [
        {"name": "Consumption", "workloadProfileType": "Consumption"}, {"name": "d4", "workloadProfileType": "D4"}]}}
    container = {"resources": {"cpu": 3.5, "memory": "12Gi"}}
    assert wp.docker_limits(env, "d4", container, host_cpus=8) == (3_500_000_000, 12 * 1024 ** 3)
    assert wp.docker_limits(env, "d4", container, host_cpus=2) == (2_000_000_000, 12 * 1024 ** 3)
    assert wp.docker_limits(env, "d4", {"resources": {"cpu": 6, "memory": "20Gi"}}, host_cpus=8) == \
        (4_000_000_000, 16 * 1024 ** 3)
    assert wp.docker_limits(env, None, {"resources": {"cpu": 0.5, "memory": "1Gi"}}, host_cpus=8) == \
        (500_000_000, 1024 ** 3)


def test_an_app_is_refused_a_total_its_profile_cannot_hold(cli, seeded):
    _ok(cli("containerapp", "env", "workload-profile", "add", *ENV, "-w", "d4", "--workload-profile-type", "D4"))
    before = _env_doc()
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "--cpu", "1.5", "--memory", "5Gi")
    assert r.code == 1 and "ContainerAppInvalidResourceTotal" in r.err
    r = cli("containerapp", "update", "-n", "app1", "-g", "rg", "-w", "d4", "--cpu", "5", "--memory", "5Gi")
    assert r.code == 1 and "exceed what a node of workload profile 'd4'" in r.err
    assert _env_doc() == before


# Environment storages ---------------------------------------------------------------------------

@pytest.fixture
def share(cli, seeded, monkeypatch):
    """A storage account (its endpoints unpublished: no daemon here) with a file share 'data'; its key."""
    from azlocal.platform import hosts, lifecycle

    monkeypatch.setattr(lifecycle, "ensure_running", lambda *a, **k: None)
    monkeypatch.setattr(hosts, "set_entries", lambda *a, **k: None)
    assert cli("storage", "account", "create", "-g", "rg", "-n", "stplat", "-o", "none").code == 0
    assert cli("storage", "share-rm", "create", "-g", "rg", "--storage-account", "stplat", "-n", "data",
               "-o", "none").code == 0
    return _ok(cli("storage", "account", "keys", "list", "-g", "rg", "-n", "stplat"))[0]["value"]


def _set(cli, key, name="files", share="data", mode="ReadWrite"):
    return cli("containerapp", "env", "storage", "set", *ENV, "--storage-name", name, "-a", "stplat", "-k", key,
               "-f", share, "--access-mode", mode)


def test_storage_set_show_list_remove_keeps_the_key_secret(cli, share):
    from azlocal.aca import env_storage
    from azlocal.platform import secrets

    doc = _ok(_set(cli, share))
    assert doc["type"] == "Microsoft.App/managedEnvironments/storages" and doc["name"] == "files"
    assert doc["properties"]["azureFile"] == {"accessMode": "ReadWrite", "accountKey": None,
                                              "accountName": "stplat", "shareName": "data"}
    assert share not in json.dumps(_ok(cli("containerapp", "env", "storage", "show", *ENV, "--storage-name",
                                           "files")))
    assert secrets.get_secret(env_storage._key_secret(doc["id"])) == share
    assert [s["name"] for s in _ok(cli("containerapp", "env", "storage", "list", *ENV))] == ["files"]
    _ok(cli("containerapp", "env", "storage", "remove", *ENV, "--storage-name", "files", "--yes"))
    assert _ok(cli("containerapp", "env", "storage", "list", *ENV)) == []
    assert secrets.get_secret(env_storage._key_secret(doc["id"])) is None
    r = cli("containerapp", "env", "storage", "show", *ENV, "--storage-name", "files")
    assert r.code == 3


def test_storage_that_would_not_mount_is_refused_and_nothing_is_written(cli, share):
    from azlocal.platform import secrets

    keys_before = secrets.list_keys("aca/")
    for r, text in [(_set(cli, "bm90LWEta2V5"), "is not a key of storage account 'stplat'"),
                    (_set(cli, share, share="nope"), "file share 'nope' was not found"),
                    (_set(cli, share, name="Bad_Name"), "Invalid storage name"),
                    (_set(cli, share, share="ab"), "File share name must be longer than 2 characters.")]:
        assert r.code == 1 and text in r.err, r.err
    r = cli("containerapp", "env", "storage", "set", *ENV, "--storage-name", "x", "-a", "nosuchacct", "-k", share,
            "-f", "data", "--access-mode", "ReadOnly")
    assert r.code == 1 and "storage account 'nosuchacct' was not found" in r.err
    assert _ok(cli("containerapp", "env", "storage", "list", *ENV)) == []
    assert secrets.list_keys("aca/") == keys_before


def test_storage_in_use_is_not_removed_and_read_only_mounts_read_only(cli, share, seeded):
    from azlocal.aca import env_storage
    from azlocal.core.errors import AzLocalError
    from azlocal.platform.store import store

    _, app = seeded
    _ok(_set(cli, share, mode="ReadOnly"))
    app["properties"]["template"]["volumes"] = [{"name": "v", "storageType": "AzureFile", "storageName": "files"}]
    with store().transaction():
        store().put(app)
    r = cli("containerapp", "env", "storage", "remove", *ENV, "--storage-name", "files", "--yes")
    assert r.code == 1 and "ManagedEnvironmentStorageInUse" in r.err and "app1" in r.err
    source = env_storage.volume_source(_env_doc(), app["properties"]["template"]["volumes"][0])
    assert source.mode == "ro" and source.endswith("/storage/stplat/files/data")
    nested = env_storage.sub_path(source, "a/b")
    assert nested.mode == "ro" and nested.endswith("/storage/stplat/files/data/a/b") and os.path.isdir(nested)
    with pytest.raises(AzLocalError, match="subPath '../up' is not a valid folder name"):
        env_storage.sub_path(source, "../up")
    bad = dict(app["properties"]["template"], containers=[{"name": "c", "image": "i", "volumeMounts": [
        {"volumeName": "v", "mountPath": "/m", "subPath": "x:y"}]}])
    with pytest.raises(AzLocalError, match="subPath 'x:y'"):
        env_storage.check_template(_env_doc(), bad)
    with pytest.raises(AzLocalError, match="has no such storage"):
        env_storage.volume_source(_env_doc(), {"name": "w", "storageType": "AzureFile", "storageName": "other"})


def test_yaml_volumes_are_canonical_and_azure_files_name_a_storage():
    from azlocal.aca.definition import yaml_document
    from azlocal.core.errors import ValidationError

    text = """
properties:
  workloadProfileName: d4
  template:
    containers: [{name: a, image: i}]
    volumes:
    - {name: files, storageType: azurefile, storageName: files}
    - {name: scratch}
"""
    doc = yaml_document(text)
    assert doc["workload_profile_name"] == "d4"
    assert doc["template"]["volumes"] == [{"name": "files", "storageType": "AzureFile", "storageName": "files"},
                                          {"name": "scratch", "storageType": "EmptyDir"}]
    with pytest.raises(ValidationError, match="needs a storageName"):
        yaml_document(text.replace(", storageName: files", ""))
    with pytest.raises(ValidationError, match="storageType of volume 'files'"):
        yaml_document(text.replace("azurefile", "Blob"))


# Usages -----------------------------------------------------------------------------------------

def test_usages_count_environments_and_cores(cli, seeded, monkeypatch):
    from azlocal.aca import usages

    result = _ok(cli("containerapp", "list-usages", "-l", "eastus"))
    assert result["value"] == [{"limit": 15, "name": {"localizedValue": "Managed Environment Count",
                                                      "value": "ManagedEnvironmentCount"},
                                "unit": "Count", "usage": 1}]
    assert _ok(cli("containerapp", "list-usages", "-l", "westus"))["value"][0]["usage"] == 0
    _ok(cli("containerapp", "env", "workload-profile", "add", *ENV, "-w", "e", "--workload-profile-type", "E8",
            "--min-nodes", "2", "--max-nodes", "2"))
    monkeypatch.setattr(usages, "_running_cpus", lambda rid: 0.5 if rid.endswith("app1") else 0)
    values = {u["name"]["value"]: u["usage"] for u in _ok(cli("containerapp", "env", "list-usages", *ENV))["value"]}
    assert values == {"ManagedEnvironmentConsumptionCores": 0.5, "ManagedEnvironmentGeneralPurposeCores": 0,
                      "ManagedEnvironmentMemoryOptimizedCores": 16}
    table = cli("containerapp", "env", "list-usages", *ENV, "-o", "table")
    assert "ManagedEnvironmentMemoryOptimizedCores" in table.out and "Limit" in table.out


# Identities -------------------------------------------------------------------------------------

def test_app_identity_assign_remove_show_as_azure_shows_them(cli, seeded):
    ident = ("containerapp", "identity")
    app = ("-g", "rg", "-n", "app1")
    system = _ok(cli(*ident, "assign", *app, "--system-assigned"))
    assert system["type"] == "SystemAssigned" and system["principalId"] and system["tenantId"]
    r = cli(*ident, "assign", *app, "--user-assigned", "id1")  # a user-assigned identity must exist
    assert r.code == 1 and "FailedIdentityOperation" in r.err and _ok(cli(*ident, "show", *app)) == system
    id1 = _ok(cli("identity", "create", "-g", "rg", "-n", "id1"))
    _ok(cli("identity", "create", "-g", "rg", "-n", "id2"))
    both = _ok(cli(*ident, "assign", *app, "--user-assigned", "id1", "id2"))
    assert both["type"] == "SystemAssigned, UserAssigned" and both["principalId"] == system["principalId"]
    ids = sorted(both["userAssignedIdentities"])
    assert ids[0].endswith("/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1")
    assert both["userAssignedIdentities"][ids[0]] == {"clientId": id1["clientId"], "principalId": id1["principalId"]}
    assert _ok(cli(*ident, "show", *app)) == both
    assert _ok(cli(*ident, "remove", *app, "--user-assigned", "id1"))["type"] == "SystemAssigned, UserAssigned"
    assert _ok(cli(*ident, "remove", *app, "--user-assigned", "id2"))["type"] == "SystemAssigned"
    r = cli(*ident, "remove", *app, "--user-assigned", "id9")
    assert r.code == 1 and "does not have specified user identity 'id9'" in r.err
    assert _ok(cli(*ident, "remove", *app, "--system-assigned")) == {"type": "None"}
    r = cli(*ident, "remove", *app, "--system-assigned")
    assert r.code == 1 and "has no system or user assigned identities" in r.err
    r = cli(*ident, "assign", "-g", "rg", "-n", "ghost", "--system-assigned")
    assert r.code == 3 and "The containerapp 'ghost' does not exist" in r.err
    r = cli(*ident, "assign", *app, "--user-assigned", "/subscriptions/x/bad")
    assert r.code == 1 and "Invalid user-assigned identity" in r.err
    assert _ok(cli(*ident, "show", *app)) == {"type": "None"}


def test_job_identity_on_a_job_document(cli, seeded):
    from azlocal.core import arm
    from azlocal.platform.store import store

    env, _ = seeded
    rid = arm.resource_id("rg", "Microsoft.App/jobs", "job1")
    with store().transaction():
        store().put({"id": rid, "name": "job1", "type": "Microsoft.App/jobs", "location": "East US",
                     "properties": {"environmentId": env["id"]}})
    job = ("containerapp", "job", "identity")
    _ok(cli("identity", "create", "-g", "rg", "-n", "uid1"))
    doc = _ok(cli(*job, "assign", "-g", "rg", "-n", "job1", "--system-assigned", "--user-assigned", "uid1"))
    assert doc["type"] == "SystemAssigned, UserAssigned"
    assert store().get(rid)["identity"] == doc
    assert _ok(cli(*job, "remove", "-g", "rg", "-n", "job1", "--user-assigned", "--yes"))["type"] == "SystemAssigned"
    assert _ok(cli(*job, "show", "-g", "rg", "-n", "job1"))["type"] == "SystemAssigned"
    assert cli(*job, "show", "-g", "rg", "-n", "nojob").code == 3


# Dapr components, premium ingress, GitHub Actions ------------------------------------------------

DAPR = """
componentType: state.azure.blobstorage
version: v1
metadata:
- name: accountName
  secretRef: storage-account-name
- name: containerName
  value: state
secrets:
- name: storage-account-name
  value: the-secret-value
scopes: [app1]
"""


def test_dapr_components_are_recorded_with_their_secrets_in_the_store(cli, seeded, tmp_path):
    from azlocal.aca import dapr_components
    from azlocal.platform import secrets

    path = tmp_path / "c.yaml"
    path.write_text(DAPR)
    dc = ("containerapp", "env", "dapr-component")
    r = cli(*dc, "set", "-g", "rg", "-n", "env1", "--dapr-component-name", "statestore", "--yaml", str(path))
    doc = _ok(r)
    assert "no Dapr sidecar runs here" not in r.err
    assert doc["properties"]["secrets"] == [{"name": "storage-account-name"}]
    assert doc["properties"]["metadata"][0] == {"name": "accountName", "secretRef": "storage-account-name"}
    assert "the-secret-value" not in json.dumps(doc)
    assert secrets.get_secret(dapr_components._secret_key(doc["id"], "storage-account-name")) == "the-secret-value"
    shown = _ok(cli(*dc, "show", "-g", "rg", "-n", "env1", "--dapr-component-name", "statestore"))
    assert shown["properties"]["version"] == "v1" and shown["properties"]["scopes"] == ["app1"]
    assert [c["name"] for c in _ok(cli(*dc, "list", "-g", "rg", "-n", "env1"))] == ["statestore"]
    path.write_text(DAPR.replace("secretRef: storage-account-name", "secretRef: missing"))
    r = cli(*dc, "set", "-g", "rg", "-n", "env1", "--dapr-component-name", "other", "--yaml", str(path))
    assert r.code == 1 and "DaprComponentSecretNotFound" in r.err
    _ok(cli(*dc, "remove", "-g", "rg", "-n", "env1", "--dapr-component-name", "statestore"))
    assert _ok(cli(*dc, "list", "-g", "rg", "-n", "env1")) == []
    assert secrets.get_secret(dapr_components._secret_key(doc["id"], "storage-account-name")) is None
    r = cli(*dc, "remove", "-g", "rg", "-n", "env1", "--dapr-component-name", "statestore")
    assert r.code == 3 and "Dapr component not found." in r.err


def test_premium_ingress_is_recorded_on_a_dedicated_profile_of_its_own(cli, seeded):
    pi = ("containerapp", "env", "premium-ingress")
    assert _ok(cli(*pi, "show", *ENV)) == {"message": "No premium ingress configuration found for this environment, "
                                                      "using default values."}
    r = cli(*pi, "add", *ENV, "-w", "Consumption")
    assert r.code == 1 and "dedicated" in r.err
    _ok(cli("containerapp", "env", "workload-profile", "add", *ENV, "-w", "ing", "--workload-profile-type", "D4"))
    r = cli(*pi, "add", *ENV, "-w", "ing", "--request-idle-timeout", "2")
    assert r.code == 1 and "--request-idle-timeout must be at least 4" in r.err
    assert _env_doc()["properties"].get("ingressConfiguration") is None
    r = cli(*pi, "add", *ENV, "-w", "ing", "--header-count-limit", "50")
    assert _ok(r) == {"headerCountLimit": 50, "requestIdleTimeout": 4, "terminationGracePeriodSeconds": 500,
                      "workloadProfileName": "ing"}
    assert "do not change how requests are handled offline" in r.err
    assert _ok(cli(*pi, "update", *ENV, "-t", "30"))["terminationGracePeriodSeconds"] == 30
    _ok(cli(*pi, "remove", *ENV, "--yes"))
    assert _env_doc()["properties"]["ingressConfiguration"] is None


def test_github_actions_are_refused_offline(cli, seeded):
    r = cli("containerapp", "github-action", "add", "-g", "rg", "-n", "app1", "--repo-url", "https://github.com/a/b")
    assert r.code == 1 and "need GitHub" in r.err and "containerapp up --source" in r.err
    r = cli("containerapp", "github-action", "delete", "-g", "rg", "-n", "app1")
    assert r.code == 1 and "need GitHub" in r.err
    r = cli("containerapp", "github-action", "show", "-g", "rg", "-n", "app1")
    assert r.code == 3 and "SourceControlNotFound" in r.err
    assert cli("containerapp", "github-action", "show", "-g", "rg", "-n", "ghost").code == 3


def test_deleting_an_environment_removes_its_storages_and_components(cli, share, tmp_path, monkeypatch):
    from azlocal.aca import dapr_components, env_storage, environments
    from azlocal.core import arm
    from azlocal.platform import secrets
    from azlocal.platform.store import store

    storage = _ok(_set(cli, share))
    path = tmp_path / "c.yaml"
    path.write_text(DAPR)
    component = _ok(cli("containerapp", "env", "dapr-component", "set", *ENV, "--dapr-component-name", "c1",
                        "--yaml", str(path)))
    with store().transaction():
        store().delete(arm.resource_id("rg", "Microsoft.App/containerApps", "app1"))
    monkeypatch.setattr(environments, "cleanup_environment", lambda doc: None)  # its Docker network: none here
    _ok(cli("containerapp", "env", "delete", *ENV, "--yes"))
    assert store().list(parent_id=arm.resource_id("rg", "Microsoft.App/managedEnvironments", "env1")) == []
    assert secrets.get_secret(env_storage._key_secret(storage["id"])) is None
    assert secrets.get_secret(dapr_components._secret_key(component["id"], "storage-account-name")) is None
