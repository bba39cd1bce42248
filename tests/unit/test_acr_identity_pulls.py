"""Pulls by managed identity, without the engine: which principal a registry identity is on an app, the text Azure
gives when it may not pull, the AcrPull az assigns on create, and the identity's exchange at the registry."""

import pytest

from azlocal.aca import registry_identity
from azlocal.core.errors import AzLocalError
from azlocal.identity import registry_pull
from tests.unit.test_validation_hardening import _seed_registry

UAMI = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/puller"
SYSTEM = {"type": "SystemAssigned", "principalId": "aaaaaaaa-0000-0000-0000-000000000001", "tenantId": "t"}
USER = {"type": "UserAssigned", "userAssignedIdentities": {
    UAMI: {"principalId": "bbbbbbbb-0000-0000-0000-000000000002", "clientId": "cccccccc-0000-0000-0000-000000000003"}}}
APP = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/app"
IMAGE = "myreg.azurecr.io/web:v1"
GROUP = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/grp"


def test_the_registry_identity_is_one_of_the_apps_own():
    from azlocal.identity import principals

    principal, client, rid = registry_identity.principal_of({"identity": SYSTEM}, "system")
    assert (principal, client, rid) == (SYSTEM["principalId"], principals.system_client_id(SYSTEM["principalId"]),
                                        None)
    assert registry_identity.principal_of({"identity": USER}, UAMI.upper().replace("PROVIDERS", "providers")) == \
        ("bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-000000000003", UAMI)
    for block, identity in ((USER, "system"), (SYSTEM, UAMI), ({}, "system"), (None, UAMI)):
        with pytest.raises(AzLocalError, match="is not assigned to the container app"):
            registry_identity.principal_of({"identity": block}, identity)


def _app(identity_block, identity):
    return {"id": APP, "identity": identity_block,
            "properties": {"configuration": {"registries": [{"server": "myreg.azurecr.io", "identity": identity,
                                                             "passwordSecretRef": "", "username": ""}]}}}


def test_a_denied_pull_is_azures_error_and_an_allowed_one_the_refresh_token(monkeypatch):
    calls = []

    def credentials(image, principal, client, identity_id):
        calls.append((image, principal, client, identity_id))
        if principal == SYSTEM["principalId"]:
            raise registry_pull.PullDenied("no AcrPull")
        return {"username": registry_pull.NULL_USER, "password": "refresh"}

    monkeypatch.setattr(registry_pull, "credentials", credentials)
    app = _app(SYSTEM, "system")
    with pytest.raises(AzLocalError) as caught:
        registry_identity.pull_auth(app, app["properties"]["configuration"]["registries"][0], IMAGE, "containers.web")
    assert str(caught.value) == (
        "(InvalidParameterValueInContainerTemplate) The following field(s) are either invalid or missing. Field "
        "'template.containers.web.image' is invalid with details: 'Invalid value: \"myreg.azurecr.io/web:v1\": "
        "unable to pull image using Managed identity system for registry myreg.azurecr.io';.")
    app = _app(USER, UAMI)
    assert registry_identity.pull_auth(app, app["properties"]["configuration"]["registries"][0], IMAGE,
                                       "containers.web") == \
        {"username": "00000000-0000-0000-0000-000000000000", "password": "refresh"}
    assert calls[-1] == (IMAGE, "bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-000000000003", UAMI)


def test_revisions_pull_registry_images_as_the_identity(monkeypatch):
    from azlocal.aca import revisions

    seen = {}
    monkeypatch.setattr(registry_pull, "credentials", lambda image, p, c, i: {"username": "u", "password": p})
    monkeypatch.setattr(revisions.images, "ensure_image", lambda image, auth=None, **k: seen.__setitem__(image, auth))
    app = _app(SYSTEM, "system")
    revisions.ensure_images(app, {"containers": [{"name": "web", "image": IMAGE},
                                                 {"name": "side", "image": "busybox:latest"}]})
    assert seen == {IMAGE: {"username": "u", "password": SYSTEM["principalId"]}, "busybox:latest": None}

    def denied(*a):
        raise registry_pull.PullDenied("no role")

    monkeypatch.setattr(registry_pull, "credentials", denied)
    with pytest.raises(AzLocalError, match=r"Field 'template.initContainers.setup.image' is invalid"):
        revisions.ensure_images(app, {"initContainers": [{"name": "setup", "image": IMAGE}],
                                      "containers": [{"name": "side", "image": "busybox:latest"}]})


def test_create_gives_the_registry_identity_acrpull_once(cli):
    from azlocal.role import assignments

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    doc = _seed_registry("myreg", "Basic")
    principal = SYSTEM["principalId"]
    registry_identity.grant_for({"identity": SYSTEM}, {"server": "myreg.azurecr.io", "identity": "system"})
    registry_identity.grant_for({"identity": SYSTEM}, {"server": "MyReg.azurecr.io", "identity": "system"})
    made = assignments.list_for(principal_id=principal, everywhere=True)
    assert len(made) == 1 and made[0]["scope"].lower() == doc["id"].lower()
    assert made[0]["roleDefinitionId"].endswith("7f951dda-4ed3-4680-a7ca-43fe172d538d")  # AcrPull
    assert assignments.allowed(principal, doc["id"], "Microsoft.ContainerRegistry/registries/pull/read")
    # no registry identity, or a registry that is not here: nothing assigned (a warning for the latter)
    assert registry_identity.grant_for({"identity": SYSTEM}, {"server": "myreg.azurecr.io"}) is None
    assert registry_identity.grant_for({"identity": SYSTEM}, {"server": "gone.azurecr.io", "identity": "system"}) \
        is None
    assert len(assignments.list_for(principal_id=principal, everywhere=True)) == 1


class _FakeRegistry:
    """The registry's answers, as registry_pull sees them over HTTP."""
    answers = {}

    def __init__(self, login_server):
        self.login_server = login_server

    def post(self, path, data):
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer(data) if callable(answer) else answer

    def manifest_status(self, repository, reference, token):
        return self.answers["manifest"]


@pytest.mark.parametrize("status, denied", [(200, False), (404, False), (401, True), (403, True)])
def test_the_identity_exchanges_its_aad_token_and_is_checked_before_the_pull(home, monkeypatch, status, denied):
    from azlocal.identity import tokens

    posted = {}

    def exchange(data):
        posted["exchange"] = data
        return {"refresh_token": "refresh"}

    def token(data):
        posted["token"] = data
        return {"access_token": "access"}

    monkeypatch.setattr(registry_pull, "_Registry", _FakeRegistry)
    _FakeRegistry.answers = {"/oauth2/exchange": exchange, "/oauth2/token": token, "manifest": status}
    if denied:
        with pytest.raises(registry_pull.PullDenied, match="AcrPull"):
            registry_pull.credentials(IMAGE, "pid", "cid", UAMI)
    else:
        assert registry_pull.credentials(IMAGE, "pid", "cid", UAMI) == {
            "username": "00000000-0000-0000-0000-000000000000", "password": "refresh"}
    claims = tokens.verify(posted["exchange"]["access_token"], ["https://management.azure.com"])
    assert (claims["oid"], claims["appid"], claims["xms_mirid"]) == ("pid", "cid", UAMI)
    assert posted["exchange"]["grant_type"] == "access_token"
    assert posted["token"] == {"grant_type": "refresh_token", "refresh_token": "refresh",
                               "scope": "repository:web:pull"}


def test_only_acr_images_are_pulled_by_identity(home):
    for image in ("busybox:latest", "ghcr.io/org/app:v1"):
        with pytest.raises(registry_pull.PullDenied, match="not an Azure Container Registry"):
            registry_pull.credentials(image, "pid", "cid")


# Container groups (--acr-identity) ----------------------------------------------------------------

def _group(identity_block, identity):
    return {"name": "grp", "id": GROUP, "identity": identity_block,
            "imageRegistryCredentials": [{"server": "myreg.azurecr.io", "identity": identity, "username": None}]}


def test_a_group_pulls_as_one_of_its_user_assigned_identities(monkeypatch):
    from azlocal.aci import registry_identity as aci_identity
    from azlocal.aci import runtime

    calls = []
    monkeypatch.setattr(registry_pull, "credentials", lambda *a: calls.append(a) or {"username": "u", "password": "r"})
    doc = _group(USER, UAMI.upper())
    aci_identity.check(doc)
    assert runtime._registry_auth(doc, IMAGE) == {"username": "u", "password": "r"}
    assert calls == [(IMAGE, "bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-000000000003", UAMI)]
    assert runtime._registry_auth(doc, "other.azurecr.io/x:1") is None


@pytest.mark.parametrize("block, identity", [(SYSTEM, "[system]"), (SYSTEM, UAMI), (None, UAMI),
                                             (USER, UAMI.replace("puller", "other"))])
def test_a_group_identity_that_is_not_the_groups_is_refused_as_aci_does(block, identity):
    from azlocal.aci import registry_identity as aci_identity

    with pytest.raises(AzLocalError) as caught:
        aci_identity.check(_group(block, identity))
    assert str(caught.value) == ("(InvalidImageRegistryIdentity) The identity in the 'imageRegistryCredentials' of "
                                 "container group 'grp' not found in container group identity list.")


def test_a_group_identity_without_acrpull_is_acis_inaccessible_image(monkeypatch):
    from azlocal.aci import runtime

    def denied(*a):
        raise registry_pull.PullDenied("no role")

    monkeypatch.setattr(registry_pull, "credentials", denied)
    with pytest.raises(AzLocalError) as caught:
        runtime._registry_auth(_group(USER, UAMI), IMAGE)
    assert str(caught.value) == ("(InaccessibleImage) The image 'myreg.azurecr.io/web:v1' in container group 'grp' "
                                 "is not accessible. Please check the image and registry credential.")


# ACR tasks (credential add --use-identity) ---------------------------------------------------------

class _Log:
    def __init__(self):
        self.lines = []

    def line(self, text):
        self.lines.append(text)


class _Client:
    def __init__(self):
        self.logins = []

    def login(self, **kwargs):
        self.logins.append(kwargs)


TASK_IDENTITY = {"type": "SystemAssigned, UserAssigned", "principalId": SYSTEM["principalId"],
                 "userAssignedIdentities": USER["userAssignedIdentities"]}


@pytest.mark.parametrize("use_identity, principal", [
    ("[system]", SYSTEM["principalId"]),
    ("CCCCCCCC-0000-0000-0000-000000000003", "bbbbbbbb-0000-0000-0000-000000000002")])
def test_a_task_run_logs_in_as_its_identity(monkeypatch, use_identity, principal):
    from azlocal.acr import task_credentials

    asked = []
    monkeypatch.setattr(registry_pull, "refresh_token", lambda server, p, c, i: asked.append((server, p)) or "rt")
    task = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myreg/tasks/t",
            "identity": TASK_IDENTITY, "credentials": {"customRegistries": {
                "other.azurecr.io": {"identity": use_identity, "password": None, "userName": None},
                "ghcr.io": {"identity": "[system]", "password": None, "userName": None}}}}
    client, log = _Client(), _Log()
    with task_credentials.activated(task):
        task_credentials.login(client, log)
        assert task_credentials.active_auth("other.azurecr.io") == {"username": registry_pull.NULL_USER,
                                                                   "password": "rt"}
        assert task_credentials.logged_in() == ["other.azurecr.io"]
    assert asked == [("other.azurecr.io", principal)]
    assert client.logins == [{"username": registry_pull.NULL_USER, "password": "rt", "registry": "other.azurecr.io",
                              "reauth": True}]
    assert any("ghcr.io" in line and "only to an Azure Container Registry" in line for line in log.lines)


def test_a_task_credential_naming_an_identity_the_task_lacks_fails_the_run(monkeypatch):
    from azlocal.acr import task_credentials

    monkeypatch.setattr(registry_pull, "refresh_token", lambda *a: "rt")
    task = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myreg/tasks/t",
            "identity": USER, "credentials": {"customRegistries": {
                "other.azurecr.io": {"identity": "[system]", "password": None, "userName": None}}}}
    with task_credentials.activated(task), pytest.raises(AzLocalError, match="the task has no managed identity"):
        task_credentials.login(_Client(), _Log())


def test_a_group_identity_given_by_name_is_the_one_in_the_groups_resource_group(cli):
    from azlocal.aci import registry_identity as aci_identity
    from azlocal.identity import principals

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    made = cli("identity", "create", "-n", "puller", "-g", "rg")
    assert made.code == 0, made.err
    ident = made.json()
    block = {"type": "UserAssigned", "userAssignedIdentities": {
        ident["id"]: {"principalId": ident["principalId"], "clientId": ident["clientId"]}}}
    doc = _group(block, "puller")
    aci_identity.check(doc)
    assert doc["imageRegistryCredentials"][0]["identity"] == ident["id"]
    with pytest.raises(AzLocalError, match="userAssignedIdentities/nosuch' under resource group 'rg' was not found"):
        aci_identity.check(_group(block, "nosuch"))
    assert principals.is_user_id(ident["id"])


def test_the_source_registry_identity_is_recorded_and_used_only_on_an_abac_registry(cli, monkeypatch):
    from azlocal.acr import task_credentials

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    plain, abac = _seed_registry("plainreg1", "Basic"), _seed_registry("abacreg1", "Basic")
    abac["roleAssignmentMode"] = "AbacRepositoryPermissions"
    ident = cli("identity", "create", "-n", "src-id", "-g", "rg").json()
    monkeypatch.setattr(registry_pull, "refresh_token", lambda server, p, c, i: f"rt:{server}:{p}")
    for doc in (plain, abac):
        task = {"id": f"{doc['id']}/tasks/t1", "identity": TASK_IDENTITY, "credentials": None}
        task_credentials.set_source_identity(task, "[system]")
        assert task["credentials"]["sourceRegistry"] == {"loginMode": None, "identity": "[system]"}
        with task_credentials.activated(task):
            auth = task_credentials.source_auth(doc)
        if doc is abac:
            assert auth == {"username": registry_pull.NULL_USER,
                            "password": f"rt:abacreg1.azurecr.io:{SYSTEM['principalId']}"}
        else:
            assert auth is None  # no effect on a registry without ABAC, as ACR
        task_credentials.set_source_identity(task, ident["id"])
        assert task["credentials"]["sourceRegistry"]["identity"] == ident["clientId"]
        task_credentials.set_source_identity(task, "none")
        assert task["credentials"]["sourceRegistry"]["identity"] is None
    task = {"id": f"{plain['id']}/tasks/t2", "credentials": None}
    with pytest.raises(AzLocalError, match="Conflicting Authentication Parameters"):
        task_credentials.set_source_identity(task, "[system]", auth_mode="None")
    with pytest.raises(AzLocalError, match="Invalid value for --source-acr-auth-id"):
        task_credentials.set_source_identity(task, "somebody")
