"""User-assigned identities on real Docker: one identity assigned to a container app and a container group shows
its own clientId/principalId on both, `identity list-resources` lists both, the group's token for it names its
principal; a missing identity or a bad name changes nothing (no resource, no container); `container create
--assign-identity --scope` makes the role assignment; deleting the group removes the identity."""

import json

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
RG = "idres-rg"
VAULT = "https://vault.azure.net"
IMDS_URL = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + VAULT


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, RG)


def _ok(r):
    assert r.code == 0, r.err
    return json.loads(r.out) if r.out.strip() else None


def _containers():
    from azlocal.platform.engine import labels
    from azlocal.platform.engine.docker_client import client

    return {c.name for c in client().containers.list(all=True, filters=labels.home_filters())}


def test_one_identity_on_an_app_and_a_group(az, rg):
    ident = _ok(az("identity", "create", "-g", rg, "-n", "shared-id"))
    entry = {"clientId": ident["clientId"], "principalId": ident["principalId"]}

    # Bad input first: nothing is made.
    before = _containers()
    r = az("identity", "create", "-g", rg, "-n", "x")
    assert r.code == 1 and "InvalidResourceName" in r.err
    missing = ident["id"].replace("shared-id", "ghost-id")
    _ok(az("containerapp", "env", "create", "-n", "idres-env", "-g", rg, "-l", "eastus", "-o", "none"))
    r = az("containerapp", "create", "-n", "ghostapp", "-g", rg, "--environment", "idres-env", "--image", BASE,
           "--command", "sleep", "--args", "3600", "--user-assigned", missing)
    assert r.code == 1 and "FailedIdentityOperation" in r.err and "ghost-id" in r.err, r.err
    assert az("containerapp", "show", "-n", "ghostapp", "-g", rg).code == 3
    r = az("container", "create", "-g", rg, "-n", "ghostgroup", "--image", BASE, "--command-line", "sleep 3600",
           "--assign-identity", missing)
    assert r.code == 1 and "FailedIdentityOperation" in r.err, r.err
    assert az("container", "show", "-g", rg, "-n", "ghostgroup").code == 3
    assert _containers() == before
    assert [i["name"] for i in _ok(az("identity", "list", "-g", rg))] == ["shared-id"]

    # The same identity on an app and on a group: its own ids on both.
    app = _ok(az("containerapp", "create", "-n", "idapp", "-g", rg, "--environment", "idres-env", "--image", BASE,
                 "--command", "sleep", "--args", "3600", "--user-assigned", "shared-id"))  # by name, as az takes it
    assert list(app["identity"]["userAssignedIdentities"].values()) == [entry]
    scope = ident["id"].split("/providers/")[0]
    group = _ok(az("container", "create", "-g", rg, "-n", "idgroup", "--image", BASE, "--command-line", "sleep 3600",
                   "--assign-identity", "[system]", ident["id"], "--scope", scope, "--role", "Reader"))
    assert group["identity"]["userAssignedIdentities"] == {ident["id"]: entry}
    system = group["identity"]["principalId"]
    assert system and system not in (ident["principalId"], app["identity"].get("principalId"))
    listed = _ok(az("identity", "list-resources", "-g", rg, "-n", "shared-id"))
    assert sorted((x["name"], x["type"]) for x in listed) == [
        ("idapp", "Microsoft.App/containerApps"), ("idgroup", "Microsoft.ContainerInstance/containerGroups")]
    roles = _ok(az("role", "assignment", "list", "--assignee", system, "--scope", scope))
    assert [a["roleDefinitionName"] for a in roles] == ["Reader"]

    # Inside the group, IMDS's token for the user-assigned identity names the identity's own principal.
    out = az("container", "exec", "-g", rg, "-n", "idgroup", "--exec-command",
             f"wget -q -O - --header 'Metadata: true' '{IMDS_URL}&client_id={ident['clientId']}'", input="")
    assert out.code == 0, out.err
    from azlocal.identity import tokens

    claims = tokens.verify(json.loads(out.out)["access_token"], [VAULT])
    assert (claims["oid"], claims["appid"]) == (ident["principalId"], ident["clientId"])

    # Removing it from the app leaves only the group; deleting the group removes the identity.
    _ok(az("containerapp", "identity", "remove", "-g", rg, "-n", "idapp", "--user-assigned", ident["id"]))
    assert [x["name"] for x in _ok(az("identity", "list-resources", "-g", rg, "-n", "shared-id"))] == ["idgroup"]
    _ok(az("group", "delete", "-n", rg, "--yes"))
    assert _ok(az("identity", "list")) == []
