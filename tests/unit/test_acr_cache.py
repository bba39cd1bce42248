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
