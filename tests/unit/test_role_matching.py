"""Role matching as Azure RBAC decides it: wildcards, notActions, the data/control split, scope inheritance,
and the assignments' store (pure logic over a home's state store; no Docker)."""

import pytest

from azlocal.core import settings
from azlocal.core.errors import AzLocalError, ResourceNotFound, ValidationError
from azlocal.platform.store import store
from azlocal.role import assignments, builtin, definitions, matching, scopes

SUB = f"/subscriptions/{settings.SUBSCRIPTION_ID}"
RG = f"{SUB}/resourceGroups/rg1"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/kv1"
REGISTRY = f"{RG}/providers/Microsoft.ContainerRegistry/registries/reg1"
GET_SECRET = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
SET_SECRET = "Microsoft.KeyVault/vaults/secrets/setSecret/action"
PULL = "Microsoft.ContainerRegistry/registries/pull/read"
PUSH = "Microsoft.ContainerRegistry/registries/push/write"
PRINCIPAL = "11111111-2222-3333-4444-555555555555"


def test_wildcards_match_any_run_of_characters_ignoring_case():
    assert matching.matches("*", "Microsoft.Storage/storageAccounts/write")
    assert matching.matches("*/read", "microsoft.keyvault/vaults/read")
    assert not matching.matches("*/read", "Microsoft.KeyVault/vaults/write")
    assert matching.matches("Microsoft.KeyVault/vaults/*", GET_SECRET)
    assert matching.matches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/keys/read")
    assert not matching.matches("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/keys/read")
    assert matching.matches("Microsoft.Authorization/*/Write", "microsoft.authorization/roleassignments/write")
    assert not matching.matches("Microsoft.KeyVault/vaults/secrets/getSecret/action", "x" + GET_SECRET)


def test_not_actions_are_subtracted():
    contributor = definitions.find("Contributor")
    assert matching.permits(contributor, "Microsoft.KeyVault/vaults/write")
    assert not matching.permits(contributor, "Microsoft.Authorization/roleAssignments/write")
    assert not matching.permits(contributor, "Microsoft.Authorization/roleAssignments/delete")
    assert matching.permits(contributor, "Microsoft.Authorization/roleAssignments/read")
    custom = {"permissions": [{"actions": [], "dataActions": ["Microsoft.KeyVault/vaults/secrets/*"],
                               "notDataActions": [SET_SECRET]}]}
    assert matching.permits(custom, GET_SECRET) and not matching.permits(custom, SET_SECRET)


def test_control_actions_never_grant_data_actions():
    owner = definitions.find("Owner")
    assert matching.permits(owner, PULL)  # a control-plane action of the registry
    assert not matching.permits(owner, GET_SECRET)  # Owner reads no secret of an RBAC vault
    assert matching.permits(owner, GET_SECRET, data=False)  # told it is a control action, * grants it
    assert matching.is_data_action("Microsoft.ContainerRegistry/registries/repositories/content/read")
    assert not matching.is_data_action("Microsoft.KeyVault/vaults/secrets/read")  # ARM's secret read
    assert matching.is_data_action("Microsoft.KeyVault/vaults/keys/wrap/action")


@pytest.mark.parametrize("role, granted, refused", [
    ("Key Vault Secrets User", [GET_SECRET, "Microsoft.KeyVault/vaults/secrets/readMetadata/action"], [SET_SECRET]),
    ("Key Vault Secrets Officer", [GET_SECRET, SET_SECRET, "Microsoft.KeyVault/vaults/secrets/purge/action"],
     ["Microsoft.KeyVault/vaults/keys/read"]),
    ("Key Vault Reader", ["Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                          "Microsoft.KeyVault/vaults/keys/read"], [GET_SECRET]),
    ("Key Vault Administrator", [GET_SECRET, "Microsoft.KeyVault/vaults/keys/unwrap/action"], []),
    ("Key Vault Crypto User", ["Microsoft.KeyVault/vaults/keys/wrap/action"], [
        "Microsoft.KeyVault/vaults/keys/create/action", GET_SECRET]),
    ("Key Vault Crypto Officer", ["Microsoft.KeyVault/vaults/keys/create/action"], [GET_SECRET]),
    ("Key Vault Crypto Service Encryption User", ["Microsoft.KeyVault/vaults/keys/unwrap/action"], [
        "Microsoft.KeyVault/vaults/keys/sign/action"]),
    ("AcrPull", [PULL], [PUSH]),
    ("AcrPush", [PULL, PUSH], ["Microsoft.ContainerRegistry/registries/artifacts/delete"]),
    ("AcrDelete", ["Microsoft.ContainerRegistry/registries/artifacts/delete"], [PULL]),
    ("Reader", [PULL, "Microsoft.KeyVault/vaults/read"], [PUSH, GET_SECRET]),
    ("Container Registry Repository Reader", ["Microsoft.ContainerRegistry/registries/repositories/content/read"],
     ["Microsoft.ContainerRegistry/registries/repositories/content/write", PULL]),
])
def test_builtin_roles_grant_what_azure_grants(role, granted, refused):
    definition = definitions.find(role)
    for op in granted:
        assert matching.permits(definition, op), (role, op)
    for op in refused:
        assert not matching.permits(definition, op), (role, op)


def test_roles_are_found_by_name_guid_or_id_and_unknown_ones_refused():
    assert definitions.find("acrpull")["name"] == "7f951dda-4ed3-4680-a7ca-43fe172d538d"
    assert definitions.find("4633458b-17de-408a-b874-0445c86b69e6")["roleName"] == "Key Vault Secrets User"
    assert definitions.find(f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/"
                            "acdd72a7-3385-48ef-bd42-f606fba81ae7")["roleName"] == "Reader"
    assert definitions.find("/subscriptions/other/providers/Microsoft.Authorization/roleDefinitions/"
                            "acdd72a7-3385-48ef-bd42-f606fba81ae7") is None
    with pytest.raises(ValidationError, match="Role 'Key Vault Wizard' doesn't exist."):
        definitions.resolve("Key Vault Wizard")
    with pytest.raises(ValidationError, match="RoleDefinitionDoesNotExist"):
        definitions.resolve("00000000-1111-2222-3333-444444444444")
    assert len({r[0] for r in builtin.ROLES}) == len({r[1] for r in builtin.ROLES}) == len(builtin.ROLES)


def test_scope_inheritance_compares_segments_ignoring_case():
    assert scopes.covers(SUB, VAULT) and scopes.covers(RG, VAULT) and scopes.covers(VAULT, VAULT)
    assert scopes.covers(RG.upper(), VAULT.lower()) and scopes.covers(VAULT, VAULT + "/secrets/s1")
    assert not scopes.covers(VAULT, RG) and not scopes.covers(RG, f"{SUB}/resourceGroups/rg10")
    assert not scopes.covers(VAULT + "/secrets/s1", VAULT)


def _group(name="rg1"):
    doc = {"id": f"{SUB}/resourceGroups/{name}", "name": name, "type": "Microsoft.Resources/resourceGroups",
           "location": "eastus", "properties": {"provisioningState": "Succeeded"}}
    with store().transaction():
        store().put(doc, resource_group=name)


def _resource(rid, rtype):
    with store().transaction():
        store().put({"id": rid, "name": rid.rsplit("/", 1)[-1], "type": rtype})


def test_allowed_follows_assignments_at_or_above_the_scope(home):
    _group()
    _resource(VAULT, "Microsoft.KeyVault/vaults")
    _resource(REGISTRY, "Microsoft.ContainerRegistry/registries")
    assert not assignments.allowed(PRINCIPAL, VAULT, GET_SECRET)
    doc = assignments.create("Key Vault Secrets User", PRINCIPAL, RG, principal_type="ServicePrincipal")
    assert doc["id"] == f"{RG}/providers/Microsoft.Authorization/roleAssignments/{doc['name']}"
    assert assignments.allowed(PRINCIPAL, VAULT, GET_SECRET)
    assert assignments.allowed(PRINCIPAL.upper(), VAULT.lower() + "/secrets/db", GET_SECRET)
    assert not assignments.allowed(PRINCIPAL, VAULT, SET_SECRET)
    assert not assignments.allowed(PRINCIPAL, SUB, GET_SECRET)  # granted below the subscription only
    assert not assignments.allowed("99999999-2222-3333-4444-555555555555", VAULT, GET_SECRET)
    assert not assignments.allowed(PRINCIPAL, REGISTRY, PULL)
    assignments.create("AcrPull", PRINCIPAL, REGISTRY, principal_type="ServicePrincipal")
    assert assignments.allowed(PRINCIPAL, REGISTRY, PULL) and not assignments.allowed(PRINCIPAL, REGISTRY, PUSH)
    assert assignments.delete(doc) and not assignments.allowed(PRINCIPAL, VAULT, GET_SECRET)


def test_create_is_idempotent_and_checks_scope_and_principal(home):
    _group()
    first, created = assignments.put("AcrPull", PRINCIPAL, RG, principal_type="ServicePrincipal")
    again, created_again = assignments.put("acrpull", PRINCIPAL, RG.lower(), principal_type="ServicePrincipal")
    assert created and not created_again and again["id"] == first["id"]
    assert len(assignments.list_for(principal_id=PRINCIPAL, everywhere=True)) == 1
    with pytest.raises(ResourceNotFound, match="ResourceGroupNotFound"):
        assignments.create("AcrPull", PRINCIPAL, f"{SUB}/resourceGroups/nope", principal_type="User")
    with pytest.raises(ResourceNotFound, match="Microsoft.KeyVault/vaults/kv1"):
        assignments.create("AcrPull", PRINCIPAL, VAULT, principal_type="User")
    with pytest.raises(ResourceNotFound, match="SubscriptionNotFound"):
        assignments.create("AcrPull", PRINCIPAL, "/subscriptions/other", principal_type="User")
    with pytest.raises(ValidationError, match="Invalid scope"):
        assignments.create("AcrPull", PRINCIPAL, RG + "/providers/Microsoft.KeyVault/vaults", principal_type="User")
    with pytest.raises(ValidationError, match="PrincipalNotFound"):
        assignments.create("AcrPull", PRINCIPAL, RG)  # no type, and no such principal in this home
    with pytest.raises(ValidationError, match="must be a GUID"):
        assignments.create("AcrPull", PRINCIPAL, RG, principal_type="User", name="not-a-guid")
    assert len(assignments.list_for(everywhere=True, principal_id=PRINCIPAL)) == 1


def test_the_signed_in_user_owns_the_subscription_until_that_is_deleted(home):
    owner = assignments.list_for(principal_id=settings.USER_OBJECT_ID)
    assert [d["roleDefinitionId"].rsplit("/", 1)[-1] for d in owner] == [assignments.OWNER_GUID]
    assert assignments.allowed(settings.USER_OBJECT_ID, REGISTRY, PUSH)
    assert not assignments.allowed(settings.USER_OBJECT_ID, VAULT, GET_SECRET)
    assert assignments.delete(owner[0]["id"])
    assert assignments.list_for(principal_id=settings.USER_OBJECT_ID) == []
    assert not assignments.allowed(settings.USER_OBJECT_ID, REGISTRY, PUSH)


def test_list_for_scope_inherited_and_everywhere(home):
    _group()
    _resource(VAULT, "Microsoft.KeyVault/vaults")
    at_rg = assignments.create("Reader", PRINCIPAL, RG, principal_type="User")
    at_vault = assignments.create("Key Vault Secrets User", PRINCIPAL, VAULT, principal_type="User")
    ids = lambda docs: {d["id"] for d in docs if d["principalId"] == PRINCIPAL}  # noqa: E731
    assert ids(assignments.list_for()) == set()  # the subscription scope only
    assert ids(assignments.list_for(scope=RG)) == {at_rg["id"]}
    assert ids(assignments.list_for(scope=VAULT)) == {at_vault["id"]}
    assert ids(assignments.list_for(scope=VAULT, include_inherited=True)) == {at_rg["id"], at_vault["id"]}
    assert ids(assignments.list_for(everywhere=True)) == {at_rg["id"], at_vault["id"]}
    assert ids(assignments.list_for(everywhere=True, role="Reader")) == {at_rg["id"]}


def test_require_words_the_refusal_as_arm(home):
    with pytest.raises(AzLocalError, match="AuthorizationFailed"):
        assignments.require(PRINCIPAL, VAULT, GET_SECRET)
