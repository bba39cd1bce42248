"""Deny assignments (az role deny-assignment) and the signed-in user's own right to change role assignments."""

from azlocal.core import settings
from azlocal.role import assignments
from tests.unit.test_role_commands import RG, SP, SUB, VAULT, _create, _setup

WRITE = "Microsoft.KeyVault/vaults/write"
OTHER = "99999999-2222-3333-4444-555555555555"


def _deny(cli, *extra, scope=RG):
    return cli("role", "deny-assignment", "create", "--scope", scope, "--name", "No vault writes", *extra)


def test_a_deny_assignment_overrides_the_roles_at_and_below_its_scope(cli):
    _setup(cli)
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal", role="Contributor",
            scope=SUB)
    assert assignments.allowed(SP, VAULT, WRITE)
    r = _deny(cli, "--actions", "Microsoft.KeyVault/vaults/*", "--not-actions", "Microsoft.KeyVault/vaults/delete",
              "--principal-object-id", SP, "--principal-type", "ServicePrincipal", "--description", "freeze")
    assert r.code == 0, r.err
    deny = r.json()
    assert deny["id"] == f"{RG}/providers/Microsoft.Authorization/denyAssignments/{deny['name']}"
    assert deny["principals"] == [{"id": SP, "type": "ServicePrincipal"}] and deny["isSystemProtected"] is False
    assert deny["denyAssignmentEffect"] is None  # create prints the service's shape, nulls and all
    assert not assignments.allowed(SP, VAULT, WRITE)
    assert assignments.allowed(SP, VAULT, "Microsoft.KeyVault/vaults/delete")  # excluded by --not-actions
    assert assignments.allowed(SP, f"{SUB}/resourceGroups/rg2", WRITE)  # outside the deny's scope
    shown = cli("role", "deny-assignment", "show", "--id", deny["id"]).json()
    assert shown["denyAssignmentName"] == "No vault writes" and "denyAssignmentEffect" not in shown
    assert cli("role", "deny-assignment", "list", "--scope", VAULT, "--query", "[].name").json() == [deny["name"]]
    assert cli("role", "deny-assignment", "list", "--filter", f"principalId eq '{OTHER}'").json() == []
    assert "No vault writes" in cli("role", "deny-assignment", "list", "-o", "table").out
    assert cli("role", "deny-assignment", "delete", "--scope", RG, "--name", deny["name"], "--yes").code == 0
    assert assignments.allowed(SP, VAULT, WRITE)


def test_everyone_mode_spares_the_excluded_principals(cli):
    _setup(cli)
    for principal in (SP, OTHER):
        _create(cli, "--assignee-object-id", principal, "--assignee-principal-type", "User", role="Owner", scope=RG)
    r = _deny(cli, "--actions", WRITE, "--exclude-principal-ids", OTHER, "--exclude-principal-types", "User")
    assert r.code == 0, r.err
    assert r.json()["principals"] == [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}]
    assert not assignments.allowed(SP, VAULT, WRITE) and assignments.allowed(OTHER, VAULT, WRITE)


def test_deny_assignment_errors_as_az(cli):
    _setup(cli)
    cases = [
        (("--actions", "Microsoft.KeyVault/vaults/read", "--principal-object-id", SP, "--principal-type", "User"),
         "Read actions are not permitted for user-assigned deny assignments"),
        (("--actions", WRITE), "At least one excluded principal is required via --exclude-principal-ids"),
        (("--actions", WRITE, "--principal-object-id", SP), "--principal-type is required when --principal-object-id"),
        (("--actions", WRITE, "--exclude-principal-ids", SP, OTHER, "--exclude-principal-types", "User"),
         "--exclude-principal-types must have the same number of entries as --exclude-principal-ids."),
        (("--principal-object-id", SP, "--principal-type", "User"), "At least one action is required via --actions."),
    ]
    for args, text in cases:
        r = _deny(cli, *args)
        assert r.code == 1 and text in r.err, (args, r)
    r = cli("role", "deny-assignment", "create", "--name", "x", "--actions", WRITE)
    assert r.code == 1 and "--scope is required for creating a deny assignment." in r.err
    r = _deny(cli, "--actions", WRITE, "--exclude-principal-ids", SP, scope=f"{SUB}/resourceGroups/nope")
    assert r.code == 3 and "ResourceGroupNotFound" in r.err
    r = cli("role", "deny-assignment", "show", "--name", SP)
    assert r.code == 1 and "Please provide --id, or both --name and --scope." in r.err
    r = cli("role", "deny-assignment", "show", "--scope", RG, "--name", SP)
    assert r.code == 3 and "DenyAssignmentNotFound" in r.err
    r = cli("role", "deny-assignment", "delete", "--id", f"{RG}/providers/Microsoft.Authorization/locks/x", "--yes")
    assert r.code == 1 and "Invalid deny assignment ID" in r.err
    assert cli("role", "deny-assignment", "list").json() == []


def test_the_user_needs_the_right_to_change_role_assignments(cli):
    _setup(cli)
    r = _deny(cli, "--actions", "Microsoft.Authorization/roleAssignments/write", "--principal-object-id",
              settings.USER_OBJECT_ID, "--principal-type", "User")
    assert r.code == 0, r.err
    r = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal")
    assert r.code == 1 and "(AuthorizationFailed) The client 'learner@azlocal.local' with object id" in r.err
    assert "Microsoft.Authorization/roleAssignments/write" in r.err
    assert _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                   scope=f"{SUB}/resourceGroups/rg1x").code == 3  # a missing group is still not found
    owner = cli("role", "assignment", "list", "--query", "[0].id", "-o", "tsv").out.strip()
    assert cli("role", "assignment", "delete", "--ids", owner).code == 0  # deleting is not denied
    r = cli("role", "assignment", "create", "--role", "Owner", "--assignee", settings.USER_NAME, "--scope", SUB)
    assert r.code == 1 and "AuthorizationFailed" in r.err  # no Owner left to grant it back
