"""Assigning managed identities takes the identities' own ids (container apps and jobs, registries, ACR tasks,
container groups); a missing user-assigned identity is refused and changes nothing; a system identity keeps its
principal; `container create --assign-identity --scope` makes the role assignment. The engine is faked."""

import pytest

from azlocal.core.errors import AzLocalError
from azlocal.identity import principals
from azlocal.platform.store import store
from tests.unit.test_aca_jobs import _create, env  # noqa: F401 - the jobs' fake-engine fixture


@pytest.fixture
def ids(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    return {n: cli("identity", "create", "-n", n, "-g", "rg").json() for n in ("web-id", "job-id")}


def test_aca_merge_takes_the_identities_own_ids(ids):
    from azlocal.aca import identities

    web = ids["web-id"]
    block = identities.merge(None, True, [web["id"].replace("resourcegroups", "resourceGroups")])
    assert block["type"] == "SystemAssigned, UserAssigned" and block["principalId"]
    assert list(block["userAssignedIdentities"].values()) == [{"clientId": web["clientId"],
                                                               "principalId": web["principalId"]}]
    again = identities.merge(block, False, [ids["job-id"]["id"]])
    assert again["principalId"] == block["principalId"] and len(again["userAssignedIdentities"]) == 2
    missing = principals.identity_id("rg", "ghost")
    with pytest.raises(AzLocalError) as ex:
        identities.merge(block, False, [missing], target="/subscriptions/s/resourceGroups/rg/providers/x/y/app")
    assert "FailedIdentityOperation" in str(ex.value) and missing in str(ex.value) and ex.value.exit_code == 1
    assert identities.merge(None, False, ["[system]"])["type"] == "SystemAssigned"


def test_aca_yaml_and_flag_paths_use_merge(ids):
    from azlocal.aca import containerapps_options

    doc = containerapps_options.identity_doc(None, False, [ids["job-id"]["id"]])
    assert doc["userAssignedIdentities"][ids["job-id"]["id"]]["clientId"] == ids["job-id"]["clientId"]
    with pytest.raises(AzLocalError):
        containerapps_options.identity_doc(None, False, [principals.identity_id("rg", "ghost")])


def test_acr_build_takes_the_identities_own_ids_and_keeps_the_system_principal(ids):
    from azlocal.acr import identities

    web = ids["web-id"]
    doc = identities.build(["[system]", web["id"]])
    assert doc["userAssignedIdentities"] == {web["id"]: {"clientId": web["clientId"],
                                                         "principalId": web["principalId"]}}
    again = identities.build([ids["job-id"]["id"]], doc)
    assert again["principalId"] == doc["principalId"] and len(again["userAssignedIdentities"]) == 2
    with pytest.raises(AzLocalError) as ex:
        identities.build([principals.identity_id("rg", "ghost")], doc, target="/subscriptions/s/reg")
    assert "'/subscriptions/s/reg'" in str(ex.value)


@pytest.fixture
def fake_engine(monkeypatch):
    from azlocal.aci import containergroups

    monkeypatch.setattr(containergroups, "_start_group", lambda doc, props, created: None)
    monkeypatch.setattr(containergroups, "_wait_started", lambda doc: None)
    monkeypatch.setattr(containergroups, "preflight_images", lambda doc, definition: None)
    monkeypatch.setattr(containergroups, "cleanup", lambda old: None)


def _groups():
    return [d["name"] for d in store().list(type="Microsoft.ContainerInstance/containerGroups")]


def test_container_group_identity_ids_role_and_refusals(cli, ids, fake_engine):
    from azlocal.role import assignments

    web = ids["web-id"]
    base = ("container", "create", "-g", "rg", "--image", "busybox", "--os-type", "Linux")
    r = cli(*base, "-n", "cg1", "--assign-identity", principals.identity_id("rg", "ghost"))
    assert r.code == 1 and "FailedIdentityOperation" in r.err, r
    r = cli(*base, "-n", "cg1", "--assign-identity", "[system]", "--scope", "/subscriptions/nope", "--role", "Reader")
    assert r.code == 3 and "SubscriptionNotFound" in r.err and _groups() == []
    r = cli(*base, "-n", "cg1", "--assign-identity", "[system]", "--scope",
            f"/subscriptions/{web['id'].split('/')[2]}/resourceGroups/rg", "--role", "No Such Role")
    assert r.code == 1 and "Role 'No Such Role' doesn't exist." in r.err and _groups() == []
    scope = web["id"].split("/providers/")[0].replace("resourcegroups", "resourceGroups")
    r = cli(*base, "-n", "cg1", "--assign-identity", "[system]", web["id"], "--scope", scope)
    assert r.code == 0, r.err
    identity = r.json()["identity"]
    assert identity["type"] == "SystemAssigned, UserAssigned"
    assert identity["userAssignedIdentities"] == {web["id"]: {"clientId": web["clientId"],
                                                              "principalId": web["principalId"]}}
    made = assignments.list_for(identity["principalId"], scope=scope)
    assert len(made) == 1 and made[0]["roleDefinitionId"].endswith("b24988ac-6180-42a0-ab88-20f7382dd24c")
    assert principals.find_principal(identity["principalId"])["kind"] == "system"
    redeployed = cli(*base, "-n", "cg1", "--assign-identity", "[system]").json()["identity"]
    assert redeployed["principalId"] == identity["principalId"]
    listed = cli("identity", "list-resources", "-n", "web-id", "-g", "rg").json()
    assert listed == []  # the redeploy dropped the user-assigned identity
    cli(*base, "-n", "cg2", "--assign-identity", web["id"], "-o", "none")
    assert [x["name"] for x in cli("identity", "list-resources", "-n", "web-id", "-g", "rg").json()] == ["cg2"]


def test_first_identity_of_a_running_app_says_its_replicas_need_a_restart(cli, ids):
    from azlocal.core import arm

    rid = arm.resource_id("rg", "Microsoft.App/containerApps", "app1")
    with store().transaction():
        store().put({"id": rid, "name": "app1", "type": "Microsoft.App/containerApps", "location": "eastus",
                     "identity": {"type": "None"}, "properties": {}})
    r = cli("containerapp", "identity", "assign", "-g", "rg", "-n", "app1", "--user-assigned", "web-id")
    assert r.code == 0 and "restart its revisions" in r.err, r
    assert r.json()["userAssignedIdentities"][principals.identity_id("rg", "web-id").replace(
        "resourcegroups", "resourceGroups")]["clientId"] == ids["web-id"]["clientId"]
    r = cli("containerapp", "identity", "assign", "-g", "rg", "-n", "app1", "--system-assigned")
    assert r.code == 0 and "restart" not in r.err  # it had an identity: its replicas have the endpoint


def test_app_create_takes_identity_names_of_its_group(ids):
    from azlocal.aca import custom_apps

    got = custom_apps._user_ids({"resource_group_name": "rg", "user_assigned": ["web-id", ids["job-id"]["id"]]})
    assert [g.lower() for g in got] == [ids["web-id"]["id"].lower(), ids["job-id"]["id"].lower()]
    assert custom_apps._user_ids({"resource_group_name": "rg", "user_assigned": None}) is None


def test_job_create_takes_identity_names_and_refuses_missing_ones(cli, env):  # noqa: F811 - the fixture
    r = _create(cli, "job1", "--trigger-type", "Manual", "--mi-user-assigned", "web-id")
    assert r.code == 1 and "FailedIdentityOperation" in r.err, r  # env's group has no such identity yet
    assert cli("containerapp", "job", "show", "-n", "job1", "-g", "rg").code == 3
    web = cli("identity", "create", "-n", "web-id", "-g", "rg").json()
    r = _create(cli, "job1", "--trigger-type", "Manual", "--mi-user-assigned", "web-id")
    assert r.code == 0, r.err
    assert list(r.json()["identity"]["userAssignedIdentities"].values()) == [
        {"clientId": web["clientId"], "principalId": web["principalId"]}]


def test_a_group_with_only_a_user_assigned_identity_shows_the_tenant(ids):
    from azlocal.aci import options
    from azlocal.core import settings

    block = options.identity_block({"type": "UserAssigned",
                                    "userAssignedIdentities": {ids["web-id"]["id"]: {}}}, None, "/t")
    assert block["principalId"] is None and block["tenantId"] == settings.TENANT_ID  # as az container show has it
    assert block["userAssignedIdentities"][ids["web-id"]["id"]]["principalId"] == ids["web-id"]["principalId"]
