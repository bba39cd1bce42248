"""identity.principals: user-assigned identities' own ids, system principals, token selection, principal lookup."""

import pytest

from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ResourceNotFound
from azlocal.identity import principals
from azlocal.platform.store import store


def _put_identity(name="id1", group="rg1", principal="11111111-1111-1111-1111-111111111111",
                  client="22222222-2222-2222-2222-222222222222"):
    doc = {"id": principals.identity_id(group, name), "name": name, "type": principals.TYPE,
           "principalId": principal, "clientId": client, "tenantId": settings.TENANT_ID, "location": "eastus",
           "resourceGroup": group, "tags": {}}
    with store().transaction():
        store().put(doc)
    return doc


def test_user_identity_and_entry_case_insensitive(home):
    doc = _put_identity()
    upper = doc["id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")
    assert principals.user_identity(upper)["clientId"] == doc["clientId"]
    assert principals.user_entry(doc["id"].replace("resourcegroups", "resourceGroups")) == {
        "clientId": doc["clientId"], "principalId": doc["principalId"]}


def test_missing_identity_errors(home):
    rid = principals.identity_id("rg1", "nope")
    with pytest.raises(ResourceNotFound) as ex:
        principals.user_identity(rid)
    assert ex.value.exit_code == 3
    assert "Microsoft.ManagedIdentity/userAssignedIdentities/nope" in str(ex.value)
    with pytest.raises(principals.IdentityNotFound) as ex:
        principals.user_entry(rid, target="/subscriptions/x/resourceGroups/rg1/providers/Microsoft.App/containerApps/a")
    assert ex.value.exit_code == 1
    assert "FailedIdentityOperation" in str(ex.value) and rid in str(ex.value)
    with pytest.raises(AzLocalError):
        principals.user_identity("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/a")


def test_select():
    users = {"/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a":
             {"clientId": "c-a", "principalId": "p-a"},
             "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/b":
             {"clientId": "c-b", "principalId": "p-b"}}
    both = {"type": "SystemAssigned, UserAssigned", "principalId": "p-sys", "userAssignedIdentities": users}
    assert principals.select(both) == ("p-sys", principals.system_client_id("p-sys"), None)
    assert principals.select(both, client_id="C-B")[:2] == ("p-b", "c-b")
    assert principals.select(both, object_id="p-a")[2].endswith("/a")
    assert principals.select(both, mi_res_id=next(iter(users)).upper())[0] == "p-a"
    with pytest.raises(LookupError):
        principals.select(both, client_id="other")
    only_users = {"type": "UserAssigned", "userAssignedIdentities": users}
    with pytest.raises(LookupError):
        principals.select(only_users)
    one = {"type": "UserAssigned", "userAssignedIdentities": dict([next(iter(users.items()))])}
    assert principals.select(one)[0] == "p-a"
    with pytest.raises(LookupError):
        principals.select({"type": "None"})
    with pytest.raises(LookupError):
        principals.select(None)


def test_system_client_id_is_stable():
    assert principals.system_client_id("ABC") == principals.system_client_id("abc")
    assert principals.system_client_id("abc") != principals.system_client_id("abd")


def test_find_principal(home):
    doc = _put_identity()
    assert principals.find_principal(doc["principalId"])["kind"] == "user"
    assert principals.find_principal(doc["clientId"].upper())["resourceId"] == doc["id"]
    system = principals.new_system_principal()
    app = {"id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.App/containerApps/app1", "name": "app1",
           "type": "Microsoft.App/containerApps",
           "identity": {"type": "SystemAssigned, UserAssigned", "principalId": system, "tenantId": "t",
                        "userAssignedIdentities": {doc["id"]: {"clientId": doc["clientId"],
                                                               "principalId": doc["principalId"]}}}}
    with store().transaction():
        store().put(app)
    found = principals.find_principal(system)
    assert found == {"principalId": system, "clientId": principals.system_client_id(system), "kind": "system",
                     "resourceId": app["id"]}
    assert principals.find_principal(principals.system_client_id(system))["kind"] == "system"
    assert principals.find_principal(settings.USER_OBJECT_ID)["kind"] == "human"
    assert principals.find_principal(settings.USER_NAME)["principalId"] == settings.USER_OBJECT_ID
    assert principals.find_principal("33333333-3333-3333-3333-333333333333") is None
    assert [d["id"] for d in principals.assigned_to(doc["id"].upper())] == [app["id"]]


def test_select_can_refuse_a_deleted_user_identity(home):
    doc = _put_identity()
    block = {"type": "UserAssigned", "userAssignedIdentities": {doc["id"]: {"clientId": doc["clientId"],
                                                                            "principalId": doc["principalId"]}}}
    assert principals.select(block, require_existing=True)[0] == doc["principalId"]
    with store().transaction():
        store().delete(doc["id"])
    assert principals.select(block)[0] == doc["principalId"]  # the entry stays on the resource
    with pytest.raises(LookupError):
        principals.select(block, client_id=doc["clientId"], require_existing=True)
