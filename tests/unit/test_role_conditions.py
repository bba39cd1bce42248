"""Role assignment conditions (Azure ABAC) as the registry and vault docs write them: parsed when made,
evaluated per request with the attributes the request supplies."""

import pytest

from azlocal.core.errors import ValidationError
from azlocal.role import assignments, conditions
from tests.unit.test_role_commands import RG, SP, _create, _setup

REPO = "Microsoft.ContainerRegistry/registries/repositories:name"
READ = "Microsoft.ContainerRegistry/registries/repositories/content/read"
WRITE = "Microsoft.ContainerRegistry/registries/repositories/content/write"
ONE_REPO = ("((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND "
            "!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR "
            f"(@Request[{REPO}] StringEqualsIgnoreCase 'myrepo'))")
PREFIXES = ("((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR "
            f"(@Request[{REPO}] StringStartsWithIgnoreCase 'team1/' OR @Request[{REPO}] StringStartsWith 'team2/'))")
GUIDS = ("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
         "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals"
         "{00482a5a-887f-4fb3-b363-3b7fe8e74483, 4633458b-17de-408a-b874-0445c86b69e6}))")


def test_the_docs_conditions_evaluate_as_azure():
    assert conditions.evaluate(ONE_REPO, READ, {REPO: "MyRepo"})
    assert not conditions.evaluate(ONE_REPO, READ, {REPO: "other"})
    assert not conditions.evaluate(ONE_REPO, READ)  # the request has no repository: the comparison is false
    assert conditions.evaluate(ONE_REPO, WRITE)  # another action: the condition does not restrict it
    assert conditions.evaluate(PREFIXES, READ, {REPO: "TEAM1/api"}) and conditions.evaluate(PREFIXES, READ,
                                                                                               {REPO: "team2/x"})
    assert not conditions.evaluate(PREFIXES, READ, {REPO: "Team2/x"}) and not conditions.evaluate(
        PREFIXES, READ, {REPO: "team3/x"})
    rid = "Microsoft.Authorization/roleAssignments:RoleDefinitionId"
    write = "Microsoft.Authorization/roleAssignments/write"
    assert conditions.evaluate(GUIDS, write, {rid: "4633458B-17DE-408A-B874-0445C86B69E6"})
    assert not conditions.evaluate(GUIDS, write, {rid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"})
    like = f"@Resource[{REPO}] StringLike 'team?/*' AND NOT @Resource[{REPO}] StringEquals 'team1/secret'"
    assert conditions.evaluate(like, READ, {REPO: "team1/app"})
    assert not conditions.evaluate(like, READ, {REPO: "team1/secret"})
    assert not conditions.evaluate("SubOperationMatches{'Blob.List'}", READ)


@pytest.mark.parametrize("bad", ["(ActionMatches{'x'}", "@Request[a] StringEquals", "ActionMatches{'x'} AND",
                                 "@Request[a] Bogus 'x'", "'x' StringEquals @Request[a]"])
def test_malformed_conditions_are_refused(bad):
    with pytest.raises(ValidationError, match="InvalidConditionSyntax"):
        conditions.parse(bad)


def test_a_conditional_assignment_grants_only_where_its_condition_holds(cli):
    _setup(cli)
    r = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                "--condition", ONE_REPO, role="Container Registry Repository Reader", scope=RG)
    assert r.code == 0, r.err
    assert r.json()["condition"] == ONE_REPO and r.json()["conditionVersion"] == "2.0"  # az's default version
    registry = f"{RG}/providers/Microsoft.ContainerRegistry/registries/reg1"
    assert assignments.allowed(SP, registry, READ, attributes={REPO: "myrepo"})
    assert not assignments.allowed(SP, registry, READ, attributes={REPO: "yourrepo"})
    assert not assignments.allowed(SP, registry, READ)
    bad = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                  "--condition", "(ActionMatches{'x'}", role="AcrPull", scope=RG)
    assert bad.code == 1 and "InvalidConditionSyntax" in bad.err
    assert cli("role", "assignment", "list", "-g", "rg1", "--query", "length(@)").json() == 1
