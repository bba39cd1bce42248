"""Cache rules as pure logic: names, source and target repositories, wildcard overlap, which rule serves a
repository and the upstream it maps to (issue 12, item 7)."""

import pytest

from azlocal.acr import cache_rules
from azlocal.core.errors import ValidationError


def _rule(name, source, target):
    return {"name": name, "sourceRepository": source, "targetRepository": target}


RULES = [
    _rule("hub-nginx", "docker.io/library/nginx", "nginx"),
    _rule("dotnet", "mcr.microsoft.com/dotnet/*", "dotnet/*"),
    _rule("pinned", "docker.io/library/dotnet-runtime", "dotnet/runtime"),
    _rule("k8s", "registry.k8s.io/*", "k8s/*"),
]


@pytest.mark.parametrize("repository, rule, upstream", [
    ("nginx", "hub-nginx", "docker.io/library/nginx"),
    ("dotnet/sdk", "dotnet", "mcr.microsoft.com/dotnet/sdk"),
    ("dotnet/sdk/nightly", "dotnet", "mcr.microsoft.com/dotnet/sdk/nightly"),
    ("dotnet/runtime", "pinned", "docker.io/library/dotnet-runtime"),  # a static rule wins over a wildcard one
    ("k8s/ingress-nginx/controller", "k8s", "registry.k8s.io/ingress-nginx/controller"),
])
def test_rule_for_and_upstream(repository, rule, upstream):
    found = cache_rules.rule_for(RULES, repository)
    assert found["name"] == rule
    assert cache_rules.upstream_of(found, repository) == upstream


@pytest.mark.parametrize("repository", ["nginx2", "dotnet", "mynginx", "other/app", "k8s"])
def test_no_rule_covers(repository):
    assert cache_rules.rule_for(RULES, repository) is None


def test_registry_level_wildcard_maps_everything():
    rule = _rule("all", "mcr.microsoft.com/*", "*")
    assert cache_rules.rule_for([rule], "azuredocs/aci-helloworld") is rule
    assert cache_rules.upstream_of(rule, "azuredocs/aci-helloworld") == "mcr.microsoft.com/azuredocs/aci-helloworld"


@pytest.mark.parametrize("existing, target, clash", [
    ("*", "library/*", True),               # the docs' example 1
    ("library/*", "library/dotnet/*", True),  # example 2
    ("library/dotnet/*", "library/*", True),
    ("*", "library/dotnet", False),         # a static rule may sit under a wildcard one
    ("library/*", "libraryx/*", False),
    ("nginx", "nginx", True),               # one rule per target repository
    ("nginx", "nginx/*", False),
])
def test_overlap(existing, target, clash):
    found = cache_rules.overlap([_rule("r1", "docker.io/" + existing if existing != "*" else "docker.io/*", existing)],
                                target)
    assert (found is not None) == clash


@pytest.mark.parametrize("name", ["rule1", "My-Rule-01", "a" * 50])
def test_good_names(name):
    cache_rules.check_name(name)


@pytest.mark.parametrize("name", ["", "abc", "a" * 51, "my_rule", "my rule", "rule/1", "rülé1"])
def test_bad_names(name):
    with pytest.raises(ValidationError, match="cache rule name"):
        cache_rules.check_name(name)


@pytest.mark.parametrize("source, target", [
    ("docker.io/library/ubuntu", "ubuntu"),
    ("docker.io/library/ubuntu", "library/ubuntu"),
    ("mcr.microsoft.com/dotnet/*", "dotnet/*"),
    ("mcr.microsoft.com/*", "*"),
    ("myregistry.azurecr.io/team/app", "mirror/app"),
])
def test_good_repositories(source, target):
    cache_rules.check_target(target)
    cache_rules.check_source(source, target)


@pytest.mark.parametrize("target", ["", "Ubuntu", "ubuntu/", "/ubuntu", "a*b", "dotnet/*/x", "**", "a//b",
                                    "ubuntu:latest"])
def test_bad_targets(target):
    with pytest.raises(ValidationError, match="target repository"):
        cache_rules.check_target(target)


@pytest.mark.parametrize("source, target, message", [
    ("ubuntu", "ubuntu", "source repository"),              # no login server
    ("library/ubuntu", "ubuntu", "source repository"),      # 'library' is no host
    ("docker.io/", "ubuntu", "source repository"),
    ("docker.io/Library/Ubuntu", "ubuntu", "source repository"),
    ("docker.io/library/ubuntu:22.04", "ubuntu", "source repository"),
    ("docker.io/library/*", "ubuntu", "wildcard"),          # a wildcard on one side only
    ("docker.io/library/ubuntu", "ubuntu/*", "wildcard"),
])
def test_bad_sources(source, target, message):
    with pytest.raises(ValidationError, match=message):
        cache_rules.check_source(source, target)


# Through the CLI, in-process, on registries seeded in the store (no daemon) ---------------------------

@pytest.fixture
def acr(cli):
    from tests.unit.test_validation_hardening import _seed_registry

    assert cli("group", "create", "-n", "rg", "-l", "eastus").code == 0
    _seed_registry("basicreg1", "Basic")
    _seed_registry("premreg1", "Premium")
    return cli


def _rules(acr):
    r = acr("acr", "cache", "list", "-r", "basicreg1")
    assert r.code == 0, r.err
    return sorted(x["name"] for x in r.json())


def test_cache_rule_shape_and_idempotent_create(acr):
    r = acr("acr", "cache", "create", "-r", "basicreg1", "-n", "Ubuntu-Rule", "-s", "docker.io/library/ubuntu",
            "-t", "ubuntu")
    assert r.code == 0, r.err
    rule = r.json()
    assert set(rule) == {"additionalAuthenticationProperties", "creationDate", "credentialSetResourceId", "id",
                         "identity", "name", "provisioningState", "resourceGroup", "sourceRepository", "systemData",
                         "targetRepository", "type"}
    assert rule["id"].endswith("/registries/basicreg1/cacheRules/Ubuntu-Rule") and rule["resourceGroup"] == "rg"
    again = acr("acr", "cache", "create", "-r", "basicreg1", "-n", "ubuntu-rule", "-s", "docker.io/library/ubuntu",
                "-t", "ubuntu")
    assert again.code == 0 and again.json()["id"] == rule["id"]  # the same PUT changes nothing
    changed = acr("acr", "cache", "create", "-r", "basicreg1", "-n", "ubuntu-rule", "-s", "docker.io/library/debian",
                  "-t", "ubuntu")
    assert changed.code == 1 and "cannot be changed" in changed.err
    assert acr("acr", "cache", "show", "-r", "basicreg1", "-n", "UBUNTU-RULE").json()["name"] == "Ubuntu-Rule"
    assert _rules(acr) == ["Ubuntu-Rule"]


def test_cache_rule_limit(acr, monkeypatch):
    from azlocal.acr import cache_rules

    monkeypatch.setattr(cache_rules, "MAX_RULES", 2)
    for i in range(2):
        assert acr("acr", "cache", "create", "-r", "basicreg1", "-n", f"rule{i}x", "-s", f"docker.io/library/a{i}",
                   "-t", f"a{i}").code == 0
    r = acr("acr", "cache", "create", "-r", "basicreg1", "-n", "rule2x", "-s", "docker.io/library/a2", "-t", "a2")
    assert r.code == 1 and "2 cache rules" in r.err
    assert _rules(acr) == ["rule0x", "rule1x"]


@pytest.mark.parametrize("args, code, text", [
    (["cache", "show", "-r", "basicreg1", "-n", "nosuchrule"], 3, "(ResourceNotFound)"),
    (["cache", "delete", "-r", "basicreg1", "-n", "nosuchrule", "-y"], 3, "(ResourceNotFound)"),
    (["cache", "update", "-r", "basicreg1", "-n", "nosuchrule", "--remove-cred-set"], 3, "(ResourceNotFound)"),
    (["cache", "create", "-r", "basicreg1", "-n", "rule1", "-s", "docker.io/library/a", "-t", "a", "--identity",
      "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"],
     1, "managed identities"),
    (["cache", "list", "-r", "nosuchregistry"], 1, "could not be found"),
    (["credential-set", "create", "-r", "basicreg1", "-n", "creds1", "-l", "docker.io", "-u", "not-a-uri", "-p",
      "https://v.vault.azure.net/secrets/p"], 1, "Key Vault secret identifier"),
    (["credential-set", "update", "-r", "basicreg1", "-n", "creds1"], 1, "username secret ID, password secret ID"),
    (["credential-set", "update", "-r", "basicreg1", "-n", "creds1", "-p", "https://v.vault.azure.net/secrets/p"],
     3, "(ResourceNotFound)"),
    (["credential-set", "delete", "-r", "basicreg1", "-n", "creds1", "-y"], 3, "(ResourceNotFound)"),
    (["connected-registry", "create", "-r", "premreg1", "-n", "myedge", "--repository", "app", "--auth-type",
      "ManagedIdentity"], 1, "--identity <user-assigned-managed-identity-resource-id> is required"),
    (["connected-registry", "create", "-r", "premreg1", "-n", "myedge", "--sync-token", "t", "--repository", "app"],
     1, "but not both"),
    (["connected-registry", "create", "-r", "basicreg1", "-n", "myedge", "--repository", "app", "-y"], 1,
     "Premium SKU"),
    (["connected-registry", "list", "-r", "premreg1", "--parent", "myedge"], 1, "doesn't exist"),
    (["connected-registry", "get-settings", "-r", "premreg1", "-n", "myedge", "--parent-protocol", "https"], 3,
     "(ResourceNotFound)"),
    (["connected-registry", "permissions", "update", "-r", "premreg1", "-n", "myedge"], 1,
     "No repository permissions"),
    (["connected-registry", "permissions", "update", "-r", "premreg1", "-n", "myedge", "--add", "a", "--remove", "a"],
     1, "Update ambiguity"),
    (["artifact-streaming", "show", "-n", "basicreg1", "--repository", "app"], 1, "Premium SKU"),
    (["artifact-streaming", "update", "-n", "premreg1", "--repository", "app", "--enable-streaming", "true"], 1,
     "not available offline"),
])
def test_errors_and_nothing_created(acr, args, code, text):
    r = acr("acr", *args)
    assert r.code == code and text in r.err, (r.code, r.err)
    assert "Traceback" not in r.err
    assert _rules(acr) == []
    assert acr("acr", "credential-set", "list", "-r", "basicreg1").json() == []
    assert acr("acr", "connected-registry", "list", "-r", "premreg1").json() == []
