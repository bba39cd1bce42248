"""ACR credential sets without Docker: the resource (its own system-assigned identity, the secret URIs, health
as the identity can read them now), cache rules that use one, and the pull-through's reading of the
credentials through the Key Vault service layer as the set's principal."""

import pytest

from azlocal.core import settings

U = "https://credvault.vault.azure.net/secrets/hub-user"
P = "https://credvault.vault.azure.net/secrets/hub-pass"


@pytest.fixture
def acr(cli, monkeypatch):
    from azlocal.keyvault import secrets, vaults
    from tests.unit.test_validation_hardening import _seed_registry

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_registry("basicreg1", "Basic")
    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    monkeypatch.setattr(vaults, "unpublish", lambda doc: None)
    vaults.create("rg", "credvault", enable_rbac_authorization=False)
    secrets.set("credvault", "hub-user", "alice", principal=settings.USER_OBJECT_ID)
    secrets.set("credvault", "hub-pass", "pa55word", principal=settings.USER_OBJECT_ID)
    return cli


def _create(acr, *extra):
    return acr("acr", "credential-set", "create", "-r", "basicreg1", "-n", "dockerhub", "-l", "docker.io",
               "-u", U, "-p", P, *extra)


def _grant(principal):
    from azlocal.keyvault import vaults

    vaults.set_policy(vaults.find("credvault"), principal, secrets=["get"])


def test_a_credential_set_has_its_own_identity_and_is_healthy_once_it_may_read(acr):
    r = _create(acr)
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["identity"]["type"] == "SystemAssigned" and len(doc["identity"]["principalId"]) == 36
    assert doc["identity"]["tenantId"] == settings.TENANT_ID and doc["loginServer"] == "docker.io"
    cred = doc["authCredentials"][0]
    assert (cred["name"], cred["usernameSecretIdentifier"], cred["passwordSecretIdentifier"]) == ("Credential1", U, P)
    assert cred["credentialHealth"]["status"] == "Unhealthy"  # no access yet, as right after create on Azure
    assert doc["id"].endswith("/registries/basicreg1/credentialSets/dockerhub")
    _grant(doc["identity"]["principalId"])
    shown = acr("acr", "credential-set", "show", "-r", "basicreg1", "-n", "dockerhub").json()
    assert shown["authCredentials"][0]["credentialHealth"] == {"errorCode": None, "errorMessage": None,
                                                              "status": "Healthy"}
    assert "pa55word" not in acr("acr", "credential-set", "list", "-r", "basicreg1").out
    # A second PUT keeps the principal; update changes one identifier.
    assert _create(acr).json()["identity"]["principalId"] == doc["identity"]["principalId"]
    other = "https://credvault.vault.azure.net/secrets/other"
    r = acr("acr", "credential-set", "update", "-r", "basicreg1", "-n", "dockerhub", "-p", other)
    assert r.code == 0 and r.json()["authCredentials"][0]["passwordSecretIdentifier"] == other
    assert r.json()["authCredentials"][0]["credentialHealth"]["status"] == "Unhealthy"  # no such secret
    assert acr("acr", "credential-set", "delete", "-r", "basicreg1", "-n", "dockerhub", "-y").code == 0
    assert acr("acr", "credential-set", "list", "-r", "basicreg1").json() == []


def test_the_pull_through_reads_the_credentials_as_the_sets_identity_each_time(acr):
    from azlocal.acr import cache_rules, credential_sets
    from azlocal.acr.dataplane import cache
    from azlocal.acr.dataplane.errors import RegistryError
    from azlocal.keyvault import secrets

    principal = _create(acr).json()["identity"]["principalId"]
    r = acr("acr", "cache", "create", "-r", "basicreg1", "-n", "hub-rule", "-s", "docker.io/library/nginx", "-t",
            "nginx", "-c", "dockerhub")
    assert r.code == 0, r.err
    rule = r.json()
    assert rule["credentialSetResourceId"].endswith("/credentialSets/dockerhub")
    with pytest.raises(RegistryError, match="credential set 'dockerhub' is unhealthy"):
        cache._credentials(rule, {})
    _grant(principal)
    assert cache._credentials(rule, {}) == ("alice", "pa55word")
    secrets.set("credvault", "hub-pass", "rotated", principal=settings.USER_OBJECT_ID)  # versionless: latest
    assert cache._credentials(rule, {}) == ("alice", "rotated")
    assert credential_sets.resolve(credential_sets.find_by_id(rule["credentialSetResourceId"]))[1] == "rotated"
    # In use: the set cannot go; the rule lets go of it with --remove-cred-set.
    r = acr("acr", "credential-set", "delete", "-r", "basicreg1", "-n", "dockerhub", "-y")
    assert r.code == 1 and "(CredentialSetInUse)" in r.err
    r = acr("acr", "cache", "update", "-r", "basicreg1", "-n", "hub-rule", "--remove-cred-set")
    assert r.code == 0 and r.json()["credentialSetResourceId"] is None
    assert cache_rules.get("basicreg1", "hub-rule")["credentialSetResourceId"] is None
    r = acr("acr", "cache", "update", "-r", "basicreg1", "-n", "hub-rule", "-c", "dockerhub")
    assert r.code == 0 and r.json()["credentialSetResourceId"].endswith("/dockerhub")


@pytest.mark.parametrize("args, code, text", [
    (["credential-set", "create", "-r", "basicreg1", "-n", "dockerhub", "-l", "docker.io", "-u", "not-a-uri",
      "-p", P], 1, "Key Vault secret identifier"),
    (["credential-set", "create", "-r", "basicreg1", "-n", "ab", "-l", "docker.io", "-u", U, "-p", P], 1,
     "(InvalidResourceName)"),
    (["credential-set", "create", "-r", "basicreg1", "-n", "dockerhub", "-l", "docker.io/x", "-u", U, "-p", P], 1,
     "is not a registry login server"),
    (["credential-set", "show", "-r", "basicreg1", "-n", "nosuchset"], 3, "(ResourceNotFound)"),
    (["cache", "create", "-r", "basicreg1", "-n", "hub-rule", "-s", "docker.io/library/nginx", "-t", "nginx", "-c",
      "nosuchset"], 1, "credential set 'nosuchset' was not found"),
])
def test_bad_input_changes_nothing(acr, args, code, text):
    r = acr("acr", *args)
    assert r.code == code and text in r.err, (r.code, r.err)
    assert acr("acr", "credential-set", "list", "-r", "basicreg1").json() == []
    assert acr("acr", "cache", "list", "-r", "basicreg1").json() == []
