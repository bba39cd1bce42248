"""az role assignment / role definition in-process: az's JSON shapes, filters, errors and exit codes."""

import json

from azlocal.core import settings
from azlocal.platform.store import store

SUB = f"/subscriptions/{settings.SUBSCRIPTION_ID}"
RG = f"{SUB}/resourceGroups/rg1"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/kv1"
SP = "11111111-2222-3333-4444-555555555555"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"


def _setup(cli):
    assert cli("group", "create", "-n", "rg1", "-l", "eastus", "-o", "none").code == 0
    with store().transaction():
        store().put({"id": VAULT, "name": "kv1", "type": "Microsoft.KeyVault/vaults", "location": "eastus"})


def _create(cli, *extra, role="Key Vault Secrets User", scope=VAULT):
    return cli("role", "assignment", "create", "--role", role, "--scope", scope, *extra)


def test_create_prints_the_service_shape_and_list_az_projection(cli):
    _setup(cli)
    r = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                "--description", "app reads secrets")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["id"] == f"{VAULT}/providers/Microsoft.Authorization/roleAssignments/{doc['name']}"
    assert doc["roleDefinitionId"] == f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_USER}"
    assert doc["principalId"] == SP and doc["principalType"] == "ServicePrincipal" and doc["scope"] == VAULT
    assert doc["type"] == "Microsoft.Authorization/roleAssignments" and doc["resourceGroup"] == "rg1"
    assert doc["condition"] is None and doc["systemData"] is None and "createdOn" in doc and "updatedBy" in doc
    assert "roleDefinitionName" not in doc
    assert doc["createdBy"] is None and doc["updatedBy"] == settings.USER_OBJECT_ID  # as ARM's PUT answers
    listed = cli("role", "assignment", "list", "--scope", VAULT).json()
    assert len(listed) == 1 and listed[0]["name"] == doc["name"]
    assert listed[0]["roleDefinitionName"] == "Key Vault Secrets User" and listed[0]["principalName"] == ""
    assert "condition" not in listed[0] and "systemData" not in listed[0]  # az's flat view drops nulls
    assert listed[0]["description"] == "app reads secrets" and listed[0]["createdBy"] == settings.USER_OBJECT_ID


def test_create_twice_returns_the_existing_assignment(cli):
    _setup(cli)
    first = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal").json()
    again = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                    role=SECRETS_USER)
    assert again.code == 0 and again.json()["name"] == first["name"]
    assert again.json()["roleDefinitionName"] == "Key Vault Secrets User"  # az lists it back
    assert len(cli("role", "assignment", "list", "--all", "--assignee-object-id", SP).json()) == 1


def test_assignee_by_user_name_and_the_signed_in_owner(cli):
    _setup(cli)
    r = _create(cli, "--assignee", settings.USER_NAME, role="Key Vault Secrets Officer")
    assert r.code == 0, r.err
    assert r.json()["principalId"] == settings.USER_OBJECT_ID and r.json()["principalType"] == "User"
    mine = cli("role", "assignment", "list", "--all", "--assignee", settings.USER_NAME,
               "--query", "[].[roleDefinitionName, scope, principalName]").json()
    assert [x[0] for x in mine] == ["Owner", "Key Vault Secrets Officer"]
    assert {x[2] for x in mine} == {settings.USER_NAME}
    table = cli("role", "assignment", "list", "-o", "table").out
    assert "Principal" in table and "Owner" in table and settings.USER_NAME in table


def test_bad_input_gets_az_errors_and_changes_nothing(cli):
    _setup(cli)
    cases = [
        ((("--assignee-object-id", SP, "--assignee-principal-type", "User"), {"role": "Key Vault Wizard"}), 1,
         "Role 'Key Vault Wizard' doesn't exist."),
        ((("--assignee", "nobody@contoso.com"), {}), 1, "Cannot find user or service principal in graph database"),
        ((("--assignee-object-id", SP), {}), 1, "PrincipalNotFound"),
        ((("--assignee-object-id", SP, "--assignee-principal-type", "User"),
          {"scope": f"{RG}/providers/Microsoft.KeyVault/vaults/nope"}), 3,
         "(ResourceNotFound) The Resource 'Microsoft.KeyVault/vaults/nope' under resource group 'rg1' was not found."),
        ((("--assignee-object-id", SP, "--assignee-principal-type", "User"),
          {"scope": f"{SUB}/resourceGroups/nope"}), 3, "(ResourceGroupNotFound) Resource group 'nope' could not be"),
        ((("--assignee-object-id", SP, "--assignee-principal-type", "User"), {"scope": RG + "/providers"}), 1,
         "Invalid scope. Please use --help to view the valid format."),
        ((("--assignee-object-id", SP, "--assignee", settings.USER_NAME), {}), 1,
         "usage error: --assignee STRING | --assignee-object-id GUID"),
        ((("--assignee", settings.USER_NAME, "--assignee-principal-type", "User"), {}), 1,
         "usage error: --assignee-object-id GUID --assignee-principal-type TYPE"),
        ((("--assignee", ""), {}), 1, "usage error: --assignee can't be an empty string."),
        ((("--assignee", settings.USER_NAME, "--condition-version", "2.0"), {}), 1,
         "When --condition-version is set, --condition must be set as well."),
        ((("--assignee-object-id", SP, "--assignee-principal-type", "Robot"), {}), 2,
         "is not a valid value for '--assignee-principal-type'"),
    ]
    for (args, kwargs), code, text in cases:
        r = _create(cli, *args, **kwargs)
        assert r.code == code and text in r.err, (args, kwargs, r)
    assert cli("role", "assignment", "list", "--all", "--query", "length(@)").json() == 1  # the owner only


def test_list_filters_scope_inherited_all_and_role(cli):
    _setup(cli)
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal", role="Reader",
            scope=RG)
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal")

    def names(*args):
        return sorted(cli("role", "assignment", "list", "--assignee-object-id", SP, *args,
                          "--query", "[].roleDefinitionName").json())

    assert names() == []  # the subscription scope by default
    assert names("-g", "rg1") == ["Reader"]
    assert names("--scope", VAULT) == ["Key Vault Secrets User"]
    assert names("--scope", VAULT, "--include-inherited") == ["Key Vault Secrets User", "Reader"]
    assert names("--all") == ["Key Vault Secrets User", "Reader"]
    assert names("--all", "--role", "reader") == ["Reader"]
    r = cli("role", "assignment", "list", "--all", "-g", "rg1")
    assert r.code == 1 and "group or scope are not required when --all is used" in r.err
    r = cli("role", "assignment", "list", "--scope", VAULT, "-g", "rg1")
    assert r.code == 1 and 'Resource group "rg1" is redundant because scope is supplied' in r.err
    r = cli("role", "assignment", "list", "--all", "--role", "Nope")
    assert r.code == 1 and "Role 'Nope' doesn't exist." in r.err
    assert names("--all", "--role", SP) == []  # a GUID is compared as given, as az builds the id without asking
    bare = cli("role", "assignment", "list", "--all", "--assignee-object-id", SP, "--fill-principal-name", "false",
               "--fill-role-definition-name", "false").json()
    assert bare and all("principalName" not in a and "roleDefinitionName" not in a for a in bare)


def test_delete_by_filters_and_ids(cli):
    _setup(cli)
    reader = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                     role="Reader", scope=RG).json()
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal")
    r = cli("role", "assignment", "delete")
    assert r.code == 1 and "Please provide at least one of these arguments" in r.err
    r = cli("role", "assignment", "delete", "--assignee-object-id", SP, "--role", "AcrPull", "-g", "rg1")
    assert r.code == 1 and "No matched assignments were found to delete" in r.err
    assert cli("role", "assignment", "delete", "--assignee-object-id", SP, "--scope", VAULT).code == 0
    assert cli("role", "assignment", "list", "--all", "--assignee-object-id", SP,
               "--query", "[].roleDefinitionName").json() == ["Reader"]
    r = cli("role", "assignment", "delete", "--ids", reader["id"], "--role", "Reader")
    assert r.code == 0 and "option '--role' will be ignored due to use of '--ids'." in r.err
    assert cli("role", "assignment", "list", "--all", "--assignee-object-id", SP).json() == []


def test_group_delete_removes_the_assignments_at_or_under_it(cli):
    _setup(cli)
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal", role="Reader",
            scope=RG)
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal")
    _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal", role="Reader",
            scope=SUB)
    assert cli("group", "delete", "-n", "rg1", "--yes").code == 0
    left = cli("role", "assignment", "list", "--all", "--assignee-object-id", SP, "--query", "[].scope").json()
    assert left == [SUB]


def test_update_changes_the_description_but_not_the_principal(cli, tmp_path):
    _setup(cli)
    doc = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal").json()
    doc["description"] = "now described"
    path = tmp_path / "ra.json"
    path.write_text(json.dumps(doc))
    r = cli("role", "assignment", "update", "--role-assignment", str(path))
    assert r.code == 0, r.err
    assert r.json()["description"] == "now described" and "condition" not in r.json()
    doc["principalId"] = "99999999-2222-3333-4444-555555555555"
    r = cli("role", "assignment", "update", "--role-assignment", json.dumps(doc))
    assert r.code == 1 and "RoleAssignmentUpdateNotPermitted" in r.err
    r = cli("role", "assignment", "update", "--role-assignment", "{not json")
    assert r.code == 1 and "Failed to parse string as JSON" in r.err
    r = cli("role", "assignment", "update", "--role-assignment", json.dumps({"scope": RG, "name": SP}))
    assert r.code == 3 and "RoleAssignmentNotFound" in r.err


def test_definition_list_and_show(cli):
    roles = cli("role", "definition", "list", "--query", "[].roleName").json()
    for name in ("Owner", "Contributor", "Reader", "Key Vault Secrets User", "AcrPull", "AcrPush", "AcrDelete",
                 "Key Vault Crypto Service Encryption User", "Container Registry Repository Reader"):
        assert name in roles
    [user] = cli("role", "definition", "list", "--name", "Key Vault Secrets User").json()
    assert user["name"] == SECRETS_USER and user["roleType"] == "BuiltInRole" and user["assignableScopes"] == ["/"]
    assert user["permissions"][0]["dataActions"] == ["Microsoft.KeyVault/vaults/secrets/getSecret/action",
                                                     "Microsoft.KeyVault/vaults/secrets/readMetadata/action"]
    assert cli("role", "definition", "list", "--name", "key vault secrets user").json() == []  # az: exact match
    assert cli("role", "definition", "list", "--name", OWNER, "--query", "[].roleName").json() == ["Owner"]
    assert cli("role", "definition", "list", "--custom-role-only").json() == []
    shown = cli("role", "definition", "show", "--id",
                f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}").json()
    assert shown["roleName"] == "Owner"
    assert cli("role", "definition", "show", "--scope", SUB, "--name", OWNER).json()["roleName"] == "Owner"
    r = cli("role", "definition", "show", "--name", OWNER)
    assert r.code == 1 and "Usage error: Provide both --scope and --name" in r.err
    r = cli("role", "definition", "show", "--scope", SUB, "--name", SP)
    assert r.code == 3 and "RoleDefinitionDoesNotExist" in r.err
    assert "Description" in cli("role", "definition", "list", "-o", "table").out


def test_a_managed_identity_is_assigned_by_client_id_and_shown_by_it(cli):
    _setup(cli)
    ident = cli("identity", "create", "-g", "rg1", "-n", "id1").json()
    r = _create(cli, "--assignee", ident["clientId"], role="Managed Identity Operator", scope=ident["id"])
    assert r.code == 0, r.err
    assert r.json()["principalId"] == ident["principalId"] and r.json()["principalType"] == "ServicePrincipal"
    r = _create(cli, "--assignee-object-id", ident["principalId"], role="AcrPull", scope=RG)
    assert r.code == 0 and r.json()["principalType"] == "ServicePrincipal"  # the type found as Graph finds it
    assert "Better to specify --assignee-principal-type manually." in r.err
    r = _create(cli, "--assignee-object-id", ident["clientId"], role="AcrPull", scope=RG)
    assert r.code == 1 and "PrincipalNotFound" in r.err  # a client id is no object id
    listed = cli("role", "assignment", "list", "--all", "--assignee", ident["principalId"]).json()
    assert {a["principalName"] for a in listed} == {ident["clientId"]}
    assert {a["roleDefinitionName"] for a in listed} == {"Managed Identity Operator", "AcrPull"}


def test_custom_roles_are_made_enforced_and_deleted(cli, tmp_path):
    from azlocal.role import assignments

    _setup(cli)
    body = {"Name": "Secret Reader", "Description": "Reads secrets", "Actions": [],
            "DataActions": ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], "AssignableScopes": [RG]}
    path = tmp_path / "role.json"
    path.write_text(json.dumps(body))
    r = cli("role", "definition", "create", "--role-definition", str(path))
    assert r.code == 0, r.err
    role = r.json()
    assert role["roleType"] == "CustomRole" and role["roleName"] == "Secret Reader"
    assert role["permissions"][0]["dataActions"] == body["DataActions"] and role["assignableScopes"] == [RG]
    again = cli("role", "definition", "create", "--role-definition", json.dumps(body))
    assert again.code == 1 and "RoleDefinitionWithSameNameExists" in again.err
    assert cli("role", "definition", "list", "--custom-role-only", "--query", "[].roleName").json() == \
        ["Secret Reader"]
    r = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                role="Secret Reader", scope=SUB)
    assert r.code == 1 and "The role Secret Reader is not available for assignment at the requested scope." in r.err
    assert _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal",
                   role="Secret Reader").code == 0
    get = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
    assert assignments.allowed(SP, VAULT + "/secrets/db", get)
    assert not assignments.allowed(SP, VAULT, "Microsoft.KeyVault/vaults/secrets/setSecret/action")
    role["permissions"][0]["dataActions"].append("Microsoft.KeyVault/vaults/secrets/setSecret/action")
    r = cli("role", "definition", "update", "--role-definition", json.dumps(role))
    assert r.code == 0, r.err
    assert assignments.allowed(SP, VAULT, "Microsoft.KeyVault/vaults/secrets/setSecret/action")
    r = cli("role", "definition", "delete", "--name", "Secret Reader")
    assert r.code == 1 and "RoleDefinitionHasAssignments" in r.err
    assert cli("role", "assignment", "delete", "--assignee-object-id", SP, "--scope", VAULT).code == 0
    assert cli("role", "definition", "delete", "--name", "Secret Reader").code == 0
    assert cli("role", "definition", "list", "--custom-role-only").json() == []
    r = cli("role", "definition", "update", "--role-definition", json.dumps({"name": "Reader", "roleName": "R2"}))
    assert r.code == 1 and "cannot be changed" in r.err
    r = cli("role", "definition", "create", "--role-definition", json.dumps({"Name": "x", "Actions": ["*"]}))
    assert r.code == 1 and "please provide 'assignableScopes'" in r.err


def test_list_changelogs_reports_grants_and_revocations(cli):
    _setup(cli)
    doc = _create(cli, "--assignee-object-id", SP, "--assignee-principal-type", "ServicePrincipal").json()
    assert cli("role", "assignment", "delete", "--ids", doc["id"]).code == 0
    logs = cli("role", "assignment", "list-changelogs").json()
    assert [e["action"] for e in logs] == ["Granted", "Revoked"]
    assert logs[0]["roleName"] == "Key Vault Secrets User" and logs[0]["roleDefinitionId"] == SECRETS_USER
    assert logs[0]["scope"] == VAULT and logs[0]["scopeName"] == "kv1" and logs[0]["scopeType"] == "Resource"
    assert logs[0]["caller"] == settings.USER_NAME and logs[0]["principalId"] == SP
    assert cli("role", "assignment", "list-changelogs", "--end-time", "2000-12-31T12:59:59Z").json() == []
    r = cli("role", "assignment", "list-changelogs", "--start-time", "yesterday")
    assert r.code == 1 and "Input 'yesterday' is not valid datetime. Valid example: 2000-12-31T12:59:59Z" in r.err
    r = cli("role", "assignment", "list-changelogs", "--start-time", "2030-01-01T00:00:00Z",
            "--end-time", "2029-01-01T00:00:00Z")
    assert r.code == 1 and "Start time cannot be later than end time." in r.err


def test_signed_in_user_is_the_owner_the_docs_assign_roles_to(cli):
    user = cli("ad", "signed-in-user", "show").json()
    assert user["id"] == settings.USER_OBJECT_ID and user["userPrincipalName"] == settings.USER_NAME
    _setup(cli)
    r = _create(cli, "--assignee", user["id"], role="Key Vault Secrets Officer")
    assert r.code == 0 and r.json()["principalType"] == "User"


def test_every_role_command_has_help(home):
    from azlocal.cli import get_cli
    from azlocal.core import helpdata

    cli = get_cli()
    for word in ("role", "ad"):
        table = cli.commands_loader_cls(cli_ctx=cli).load_command_table([word])
        names = [n for n in table if n.split()[0] == word]
        assert names and all((helpdata.entry(n) or {}).get("short-summary") for n in names), word
        groups = {" ".join(n.split()[:k]) for n in names for k in range(1, len(n.split()))}
        assert all(helpdata.entry(g) for g in groups), word
