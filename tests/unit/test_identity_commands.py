"""az identity (user-assigned identities, federated credentials) in-process: shapes, ids fixed for life, errors,
exit codes, and bad input that changes nothing."""

import json

from azlocal.core import settings
from azlocal.platform.store import store


def _group(cli, name="rg1", location="westeurope"):
    assert cli("group", "create", "-n", name, "-l", location, "-o", "none").code == 0


def test_create_show_list_and_ids_fixed(cli):
    _group(cli)
    r = cli("identity", "create", "-n", "web-id", "-g", "rg1", "--tags", "team=web")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert doc["location"] == "westeurope"  # the group's
    assert doc["tenantId"] == settings.TENANT_ID and doc["tags"] == {"team": "web"}
    assert doc["id"].endswith("/resourcegroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web-id")
    assert len(doc["clientId"]) == 36 and len(doc["principalId"]) == 36 and doc["clientId"] != doc["principalId"]
    again = cli("identity", "create", "-n", "web-id", "-g", "rg1", "--tags", "team=api").json()
    assert (again["clientId"], again["principalId"]) == (doc["clientId"], doc["principalId"])
    assert again["tags"] == {"team": "api"}
    assert cli("identity", "show", "--ids", doc["id"]).json()["principalId"] == doc["principalId"]
    assert cli("identity", "show", "-n", "WEB-ID", "-g", "rg1").code == 0
    assert [i["name"] for i in cli("identity", "list", "-g", "rg1").json()] == ["web-id"]
    assert len(cli("identity", "list").json()) == 1
    east = cli("identity", "create", "-n", "east-id", "-g", "rg1", "-l", "eastus").json()
    assert east["location"] == "eastus"
    assert len(cli("identity", "list", "--max-items", "1").json()) == 1


def test_bad_names_and_missing(cli):
    _group(cli)
    for bad in ("ab", "_abc", "a" * 129, "has.dot", "sp ace"):
        r = cli("identity", "create", "-n", bad, "-g", "rg1")
        assert r.code == 1 and "InvalidResourceName" in r.err, (bad, r)
    assert cli("identity", "create", "-n", "a" * 128, "-g", "rg1", "-o", "none").code == 0
    assert [i["name"] for i in cli("identity", "list").json()] == ["a" * 128]
    r = cli("identity", "show", "-n", "nope", "-g", "rg1")
    assert r.code == 3
    assert ("(ResourceNotFound) The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/nope' under resource "
            "group 'rg1' was not found.") in r.err
    r = cli("identity", "create", "-n", "abc", "-g", "rg1", "-l", "marsnorth")
    assert r.code == 1 and "(LocationNotAvailableForResourceType)" in r.err and "userAssignedIdentities" in r.err
    r = cli("identity", "create", "-n", "abc", "-g", "nogroup")
    assert r.code == 3 and "ResourceGroupNotFound" in r.err
    assert cli("identity", "show", "-g", "rg1").code != 0
    r = cli("identity", "create", "-n", "abc", "-g", "rg1", "-l", "eastus")
    assert r.code == 0
    r = cli("identity", "create", "-n", "abc", "-g", "rg1", "-l", "westus")
    assert r.code == 1 and "InvalidResourceLocation" in r.err
    assert cli("identity", "show", "-n", "abc", "-g", "rg1").json()["location"] == "eastus"


def test_update_and_delete(cli):
    _group(cli)
    doc = cli("identity", "create", "-n", "id1", "-g", "rg1").json()
    r = cli("identity", "update", "-n", "id1", "-g", "rg1", "--set", "tags.env=dev", "--isolation-scope", "Regional",
            "--resource-restriction", '{"providers": ["Microsoft.App"]}')
    assert r.code == 0, r.err
    out = r.json()
    assert out["tags"] == {"env": "dev"} and out["isolationScope"] == "Regional"
    assert out["assignmentRestrictions"] == {"providers": ["Microsoft.App"]}
    assert "not restrict" in r.err
    r = cli("identity", "update", "-n", "id1", "-g", "rg1", "--set", "principalId=x", "clientId=y")
    assert (r.json()["principalId"], r.json()["clientId"]) == (doc["principalId"], doc["clientId"])
    r = cli("identity", "update", "-n", "id1", "-g", "rg1", "--resource-restriction", "bogus")
    assert r.code == 1
    assert cli("identity", "show", "-n", "id1", "-g", "rg1").json()["assignmentRestrictions"] == {
        "providers": ["Microsoft.App"]}
    assert cli("identity", "delete", "-n", "id1", "-g", "rg1").code == 0
    assert cli("identity", "show", "-n", "id1", "-g", "rg1").code == 3
    assert cli("identity", "delete", "-n", "id1", "-g", "rg1").code == 0  # ARM's DELETE of a missing one: 204


def test_group_delete_removes_identities(cli):
    _group(cli)
    cli("identity", "create", "-n", "id1", "-g", "rg1", "-o", "none")
    assert cli("group", "delete", "-n", "rg1", "--yes").code == 0
    assert cli("identity", "list").json() == []


def test_federated_credentials_recorded(cli):
    _group(cli)
    cli("identity", "create", "-n", "id1", "-g", "rg1", "-o", "none")
    base = ("identity", "federated-credential")
    r = cli(*base, "create", "-g", "rg1", "--identity-name", "id1", "-n", "gh-main", "--issuer",
            "https://token.actions.githubusercontent.com", "--subject", "repo:o/r:ref:refs/heads/main")
    assert r.code == 0, r.err
    fic = r.json()
    assert fic["audiences"] == ["api://AzureADTokenExchange"]
    assert fic["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
    assert fic["id"].endswith("/userAssignedIdentities/id1/federatedIdentityCredentials/gh-main")
    assert "no token exchange" in r.err
    r = cli(*base, "update", "-g", "rg1", "--identity-name", "id1", "-n", "gh-main", "--audiences", "aud1", "aud2")
    assert r.json()["audiences"] == ["aud1", "aud2"]
    assert [f["name"] for f in cli(*base, "list", "-g", "rg1", "--identity-name", "id1").json()] == ["gh-main"]
    # both a subject and a claims expression, no subject at all, bad name, missing identity: refused, nothing kept
    r = cli(*base, "create", "-g", "rg1", "--identity-name", "id1", "-n", "both", "--issuer", "https://i", "--subject",
            "s", "--cme-value", "claims['sub'] matches 'x*'", "--cme-version", "1")
    assert r.code == 1
    assert cli(*base, "create", "-g", "rg1", "--identity-name", "id1", "-n", "nosub", "--issuer", "https://i").code == 1
    assert cli(*base, "create", "-g", "rg1", "--identity-name", "id1", "-n", "x", "--issuer", "https://i",
               "--subject", "s").code == 1
    assert cli(*base, "create", "-g", "rg1", "--identity-name", "nope", "-n", "abc", "--issuer", "https://i",
               "--subject", "s").code == 3
    assert len(cli(*base, "list", "-g", "rg1", "--identity-name", "id1").json()) == 1
    assert cli(*base, "show", "-g", "rg1", "--identity-name", "id1", "-n", "other").code == 3
    assert cli(*base, "delete", "-g", "rg1", "--identity-name", "id1", "-n", "gh-main", "--yes").code == 0
    assert cli(*base, "list", "-g", "rg1", "--identity-name", "id1").json() == []
    cli(*base, "create", "-g", "rg1", "--identity-name", "id1", "-n", "again", "--issuer", "https://i",
        "--subject", "s", "-o", "none")
    cli("identity", "delete", "-n", "id1", "-g", "rg1")
    rows = store().conn.execute("SELECT count(*) FROM resources WHERE type LIKE '%federated%'").fetchone()[0]
    assert rows == 0


def test_list_resources_and_operations(cli):
    _group(cli)
    doc = cli("identity", "create", "-n", "id1", "-g", "rg1").json()
    app = {"id": "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.App/containerApps/app1"
           % settings.SUBSCRIPTION_ID, "name": "app1", "type": "Microsoft.App/containerApps",
           "identity": {"type": "UserAssigned", "userAssignedIdentities": {
               doc["id"].replace("resourcegroups", "resourceGroups"): {"clientId": doc["clientId"],
                                                                        "principalId": doc["principalId"]}}}}
    with store().transaction():
        store().put(app)
    out = cli("identity", "list-resources", "-n", "id1", "-g", "rg1").json()
    assert out == [{"id": app["id"], "name": "app1", "resourceGroup": "rg1", "subscriptionDisplayName": "azlocal",
                    "subscriptionId": settings.SUBSCRIPTION_ID, "type": "Microsoft.App/containerApps"}]
    assert cli("identity", "list-resources", "-n", "nope", "-g", "rg1").code == 3
    ops = cli("identity", "list-operations").json()
    assert "Microsoft.ManagedIdentity/userAssignedIdentities/read" in json.dumps(ops)
