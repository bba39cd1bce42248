"""az role: the command table (arguments and one call per command); help in _help.yaml. Handlers in custom;
behaviour in assignments, definitions, matching and scopes."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core.conventions import enum_type, three_state_flag
from azlocal.role import _help  # noqa: F401 - registers the help entries
from azlocal.role.assignments import PRINCIPAL_TYPES

CUSTOM = "azlocal.role.custom#{}"
DENY = "azlocal.role.custom_deny#{}"
AD = "azlocal.role.custom_ad#{}"
VIEWS = "azlocal.role.views"


def _table(name):
    def transform(result):
        import importlib

        return getattr(importlib.import_module(VIEWS), name)(result)

    return transform


def load_commands(loader):
    with CommandGroup(loader, "role assignment", CUSTOM) as g:
        g.command("create", "assignment_create")
        g.command("list", "assignment_list", table_transformer=_table("assignment_table"))
        g.command("delete", "assignment_delete")
        g.command("update", "assignment_update")
        g.command("list-changelogs", "assignment_list_changelogs")
    with CommandGroup(loader, "role definition", CUSTOM) as g:
        g.command("list", "definition_list", table_transformer=_table("definition_table"))
        g.command("show", "definition_show")
        g.command("create", "definition_create")
        g.command("update", "definition_update")
        g.command("delete", "definition_delete")
    with CommandGroup(loader, "ad signed-in-user", CUSTOM) as g:
        g.command("show", "signed_in_user_show")
    with CommandGroup(loader, "ad sp", AD) as g:
        g.command("create-for-rbac", "sp_create_for_rbac")
        g.command("list", "sp_list")
        g.command("show", "sp_show")
        g.command("delete", "sp_delete")
    with CommandGroup(loader, "ad sp credential", AD) as g:
        g.command("list", "sp_credential_list")
        g.command("reset", "sp_credential_reset")
    with CommandGroup(loader, "role deny-assignment", DENY) as g:
        g.command("list", "deny_list", table_transformer=_table("deny_table"))
        g.command("show", "deny_show")
        g.command("create", "deny_create")
        g.command("delete", "deny_delete")


_SCOPE = ("Scope at which the role assignment or definition applies to, e.g. /subscriptions/0b1f6471-1bf0-4dda-"
          "aec3-111122223333, /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myGroup, or "
          "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myGroup/providers/Microsoft.Compute/"
          "virtualMachines/myVM")
_ASSIGNEE = ("Represent a user or service principal. Supported format: object id, user sign-in name, or service "
             "principal name.")
_OBJECT_ID = ("Use this parameter instead of '--assignee' to bypass Graph API invocation in case of insufficient "
              "privileges. This parameter only works with object ids for users, groups, service principals, and "
              "managed identities. For managed identities use the principal id. For service principals, use the "
              "object id and not the app id.")


def _assignee(c):
    c.argument("assignee", help=_ASSIGNEE)
    c.argument("assignee_object_id", help=_OBJECT_ID)


def load_arguments(loader, command):
    with ArgumentsContext(loader, "role") as c:
        c.argument("scope", help=_SCOPE)
        c.argument("role", help="Role name or id.")
        c.argument("resource_group_name", options_list=["--resource-group", "-g"],
                   help="Use it only if the role or assignment was added at the level of a resource group.")
        c.argument("include_inherited", action="store_true",
                   help="Include assignments applied on parent scopes.")
    with ArgumentsContext(loader, "role assignment create") as c:
        _assignee(c)
        c.argument("role", required=True, help="Role name or id.")
        c.argument("scope", required=True, help=_SCOPE)
        c.argument("assignee_principal_type", enum_type(PRINCIPAL_TYPES),
                   help="Use with --assignee-object-id to avoid errors caused by propagation latency in Microsoft "
                   "Graph.")
        c.argument("description", help="Description of role assignment.")
        c.argument("condition", help="Condition under which the user can be granted permission (Azure ABAC, "
                   "evaluated on every request: ActionMatches, @Request/@Resource attributes, String and Guid "
                   "operators).")
        c.argument("condition_version", help="Version of the condition syntax. If --condition is specified "
                   "without --condition-version, default to 2.0.")
        c.argument("assignment_name", options_list=["--name", "-n"],
                   help="A GUID for the role assignment. It must be unique and different for each role assignment. "
                   "If omitted, a new GUID is generated.")
    with ArgumentsContext(loader, "role assignment list") as c:
        _assignee(c)
        c.argument("show_all", options_list=["--all"], action="store_true",
                   help="Show all assignments under the current subscription.")
        c.argument("include_groups", action="store_true",
                   help="Include extra assignments to the groups of which the user is a member (transitively).")
        c.argument("fill_role_definition_name", three_state_flag(),
                   help="Whether to fill roleDefinitionName property with the role's name (default true).")
        c.argument("fill_principal_name", three_state_flag(),
                   help="Whether to fill principalName property with the principal's name (default true).")
    with ArgumentsContext(loader, "role assignment delete") as c:
        _assignee(c)
        c.argument("ids", options_list=["--ids"], nargs="+",
                   help="Space-separated role assignment ids. You should provide either --ids or other arguments.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Currently no-op, as in az.")
    with ArgumentsContext(loader, "role assignment update") as c:
        c.argument("role_assignment", options_list=["--role-assignment"], required=True,
                   help="Description of an existing role assignment as JSON, or a path to a file containing a JSON "
                   "description.")
    with ArgumentsContext(loader, "role assignment list-changelogs") as c:
        c.argument("start_time", help="Start time of the query window in UTC, e.g. 2000-12-31T12:59:59Z. Defaults to "
                   "1 hour before end time.")
        c.argument("end_time", help="End time of the query window in UTC, e.g. 2000-12-31T12:59:59Z. Defaults to "
                   "the current time.")
    with ArgumentsContext(loader, "role definition list") as c:
        c.argument("name", options_list=["--name", "-n"], help="A role's name (roleName) or id (a GUID).")
        c.argument("custom_role_only", three_state_flag(), help="Custom roles only (vs. built-in ones).")
    for verb in ("create", "update"):
        with ArgumentsContext(loader, f"role definition {verb}") as c:
            c.argument("role_definition", options_list=["--role-definition"], required=True,
                       help="Description of a role as JSON, or a path to a file containing a JSON description.")
    with ArgumentsContext(loader, "role definition delete") as c:
        c.argument("name", options_list=["--name", "-n"], required=True, help="The role's name or id.")
        c.argument("custom_role_only", three_state_flag(), help="Custom roles only (vs. built-in ones).")
    _deny_arguments(loader)
    _sp_arguments(loader)
    with ArgumentsContext(loader, "role definition show") as c:
        c.argument("name", options_list=["--name", "-n"], help="The role definition's id (a GUID).")
        c.argument("role_id", options_list=["--id"],
                   help="The fully qualified role definition id, e.g. /subscriptions/{subscriptionId}/providers/"
                   "Microsoft.Authorization/roleDefinitions/{roleDefinitionId}.")
        c.argument("scope", help="The scope of the role definition.")


def _deny_arguments(loader):
    with ArgumentsContext(loader, "role deny-assignment") as c:
        c.argument("scope", help="Scope at which the deny assignment applies, e.g. /subscriptions/00000000-0000-0000-"
                   "0000-000000000000/resourceGroups/myGroup.")
        c.argument("deny_assignment_name", options_list=["--name", "-n"],
                   help="The display name of the deny assignment (its GUID for show and delete).")
        c.argument("deny_assignment_id", options_list=["--id"],
                   help="The fully qualified ID of the deny assignment, e.g. /subscriptions/{id}/providers/"
                   "Microsoft.Authorization/denyAssignments/{denyAssignmentId}.")
    with ArgumentsContext(loader, "role deny-assignment list") as c:
        c.argument("filter_str", options_list=["--filter"],
                   help="OData filter: \"atScope()\", \"principalId eq '{objectId}'\", \"gdprExportPrincipalId eq "
                   "'{objectId}'\" or \"denyAssignmentName eq '{name}'\".")
    with ArgumentsContext(loader, "role deny-assignment create") as c:
        c.argument("description", help="Description of the deny assignment.")
        c.argument("actions", nargs="+", help="Space-separated actions to deny, e.g. "
                   "\"Microsoft.Authorization/roleAssignments/write\" (read actions are not permitted).")
        c.argument("not_actions", nargs="+", help="Space-separated actions to exclude from the deny.")
        c.argument("principal_id", options_list=["--principal-object-id"],
                   help="The object ID of the User or ServicePrincipal to deny; Everyone (but the excluded "
                   "principals) when omitted.")
        c.argument("principal_type", enum_type(["User", "ServicePrincipal"]), options_list=["--principal-type"],
                   help="The type of --principal-object-id.")
        c.argument("exclude_principal_ids", nargs="+", options_list=["--exclude-principal-ids"],
                   help="Space-separated principal object IDs the deny does not apply to.")
        c.argument("exclude_principal_types", nargs="+", options_list=["--exclude-principal-types"],
                   help="The types of --exclude-principal-ids: User, Group or ServicePrincipal.")
        c.argument("assignment_name", options_list=["--assignment-name"],
                   help="A GUID for the deny assignment. If omitted, a new GUID is generated.")
    with ArgumentsContext(loader, "role deny-assignment delete") as c:
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")


_NO_CERT = " (not available offline: refused)"


def _sp_arguments(loader):
    with ArgumentsContext(loader, "ad sp") as c:
        c.argument("identifier", options_list=["--id"], required=True,
                   help="Service principal name (its appId), or object id.")
        c.argument("cert", help="Certificate to use for credentials" + _NO_CERT + ".")
        c.argument("create_cert", action="store_true", help="Create a self-signed certificate" + _NO_CERT + ".")
        c.argument("keyvault", help="Name or ID of a KeyVault for the certificate" + _NO_CERT + ".")
        c.argument("years", type=int, help="Number of years for which the credentials will be valid. Default: 1 "
                   "year.")
    with ArgumentsContext(loader, "ad sp create-for-rbac") as c:
        c.argument("display_name", options_list=["--display-name", "--name", "-n"],
                   help="Display name of the service principal. If not present, one is generated; an existing one "
                   "of that name gets a new password.")
        c.argument("service_management_reference", help="Set the serviceManagementReference property (recorded).")
        c.argument("create_password", three_state_flag(), help="Create a password credential (secret) on the "
                   "service principal (default true).")
        c.argument("scopes", nargs="+", help="Space-separated list of scopes the service principal's role "
                   "assignment applies to.")
        c.argument("role", help="Role of the service principal.")
        c.argument("show_auth_in_json", three_state_flag(), options_list=["--sdk-auth", "--json-auth"],
                   help="Output service principal credential along with cloud endpoints in JSON format "
                   "(deprecated, as in az).")
        c.argument("skip_assignment", three_state_flag(), help="No-op (deprecated, as in az).")
        c.argument("cert", help="Certificate to use for credentials" + _NO_CERT + ".")
    with ArgumentsContext(loader, "ad sp list") as c:
        c.argument("spn", help="Service principal name (an appId).")
        c.argument("display_name", help="Object's display name or its prefix.")
        c.argument("query_filter", options_list=["--filter"], help="OData filter (not available offline).")
        c.argument("show_mine", action="store_true", help="List entities owned by the current user.")
        c.argument("include_all", options_list=["--all"], action="store_true", help="List all entities.")
    with ArgumentsContext(loader, "ad sp credential list") as c:
        c.argument("cert", action="store_true", help="Operate on certificate credentials.")
    with ArgumentsContext(loader, "ad sp credential reset") as c:
        c.argument("end_date", help="Finer grain of expiry time if '--years' is insufficient, e.g. "
                   "'2017-12-31T11:59:59+00:00' or '2299-12-31'.")
        c.argument("append", action="store_true", help="Append the new credential instead of overwriting.")
        c.argument("display_name", help="Friendly name for the credential.")
