"""az acr: the commands of one area (cache): cache rules, credential sets, connected registries and artifact
streaming. Table and arguments here; help in _help_cache.yaml; handlers in custom_cache (connected registries:
custom_connected)."""

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup

from azlocal.acr._params import bool_type, registry_flag_type
from azlocal.core import helpdata
from azlocal.core.conventions import enum_type

helpdata.register(__file__, "_help_cache.yaml")

CACHE = "azlocal.acr.custom_cache#{}"
CONNECTED = "azlocal.acr.custom_connected#{}"


def _connected_table(name, module="custom_connected"):
    def transform(result):
        import importlib

        return getattr(importlib.import_module(f"azlocal.acr.{module}"), name)(result)

    return transform


def load_commands(loader):
    with CommandGroup(loader, "acr cache", CACHE) as g:
        g.command("create", "cache_create")
        g.command("list", "cache_list")
        g.command("show", "cache_show")
        g.command("update", "cache_update")
        g.command("delete", "cache_delete", confirmation=True)
    with CommandGroup(loader, "acr credential-set", CACHE) as g:
        g.command("create", "credential_set_create")
        g.command("list", "credential_set_list")
        g.command("show", "credential_set_show")
        g.command("update", "credential_set_update")
        g.command("delete", "credential_set_delete", confirmation=True)
    connected, listed = _connected_table("connected_table"), _connected_table("connected_list_table")
    with CommandGroup(loader, "acr connected-registry", CONNECTED) as g:
        g.command("create", "connected_create", table_transformer=connected)
        g.command("update", "connected_update", table_transformer=connected)
        g.command("delete", "connected_delete")
        g.command("show", "connected_show", table_transformer=connected)
        g.command("list", "connected_list", table_transformer=listed)
        g.command("deactivate", "connected_deactivate")
        g.command("get-settings", "connected_get_settings")
        g.command("list-client-tokens", "connected_list_client_tokens",
                  table_transformer=_connected_table("token_table", "custom_tokens"))
        g.command("permissions show", "connected_permissions_show",
                  table_transformer=_connected_table("scope_map_table", "custom_tokens"))
        g.command("permissions update", "connected_permissions_update")
        g.command("repo", "connected_repo", deprecate_info=g.deprecate(redirect="permissions update", hide=True))
        g.command("resync", "connected_resync", is_preview=True, table_transformer=connected)
    with CommandGroup(loader, "acr connected-registry install", CONNECTED,
                      deprecate_info=loader.deprecate(redirect="acr connected-registry get-settings",
                                                      hide=True)) as g:
        g.command("info", "connected_install_info")
        g.command("renew-credentials", "connected_install_renew_credentials")
    with CommandGroup(loader, "acr artifact-streaming", CACHE, is_preview=True) as g:
        g.command("create", "streaming_create")
        g.command("show", "streaming_show")
        g.command("update", "streaming_update")
        g.command("operation show", "streaming_operation_show")
        g.command("operation cancel", "streaming_operation_cancel")


def load_arguments(loader, command):
    if command.startswith(("acr cache", "acr credential-set")):
        _cache_arguments(loader)
    elif command.startswith("acr connected-registry"):
        _connected_arguments(loader)
    elif command.startswith("acr artifact-streaming"):
        _streaming_arguments(loader)


def _cache_arguments(loader):
    with ArgumentsContext(loader, "acr cache") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"], help="The name of the cache rule.")
        c.argument("source_repo", options_list=["--source-repo", "-s"],
                   help="The full source repository path, e.g. 'docker.io/library/ubuntu' (or "
                   "'mcr.microsoft.com/dotnet/*' with a wildcard target).")
        c.argument("target_repo", options_list=["--target-repo", "-t"],
                   help="The repository of this registry that serves the source, e.g. 'ubuntu'; 'dotnet/*' or '*' "
                   "map every repository under it.")
        c.argument("cred_set", options_list=["--cred-set", "-c"],
                   help="The name of a credential set of the registry (az acr credential-set create).")
        c.argument("identity", help="A user-assigned managed identity for the upstream (not available offline yet: "
                   "refused).")
        c.argument("remove_cred_set", options_list=["--remove-cred-set"], action="store_true",
                   help="Remove the credential set from the cache rule.")
    with ArgumentsContext(loader, "acr credential-set") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"], help="The name of the credential set.")
        c.argument("login_server", options_list=["--login-server", "-l"],
                   help="The login server of the upstream registry, e.g. docker.io.")
        c.argument("username_id", options_list=["--username-id", "-u"],
                   help="The Key Vault secret identifier of the upstream username.")
        c.argument("password_id", options_list=["--password-id", "-p"],
                   help="The Key Vault secret identifier of the upstream password.")


_connected_name = CLIArgumentType(options_list=["--name", "-n"], help="The name of the connected registry.")


def _connected_arguments(loader):
    with ArgumentsContext(loader, "acr connected-registry") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("connected_registry_name", _connected_name)
        c.argument("parent_name", options_list=["--parent", "-p"], help="The name of the parent connected registry.")
        c.argument("repositories", options_list=["--repository"], nargs="+",
                   help="Repositories the connected registry syncs: a sync token and scope map named after it are "
                   "created with the actions of its mode.")
        c.argument("sync_token_name", options_list=["--sync-token"], help="An existing token the connected "
                   "registry syncs with (instead of --repository).")
        c.argument("client_token_list", options_list=["--client-tokens"], nargs="+",
                   help="Names of the tokens clients use with the connected registry.")
        c.argument("mode", options_list=["--mode", "-m"], arg_type=enum_type(["ReadOnly", "ReadWrite"]),
                   help="The access mode of the connected registry.")
        c.argument("sync_schedule", options_list=["--sync-schedule", "-s"], help="When it syncs, as a cron expression "
                   "(default '* * * * *': always online, every minute).")
        c.argument("sync_message_ttl", options_list=["--sync-message-ttl"], help="How long sync messages are kept in "
                   "the cloud, an ISO 8601 duration (default P2D).")
        c.argument("sync_window", options_list=["--sync-window", "-w"], help="How long each scheduled sync may "
                   "last, an ISO 8601 duration such as PT4H (shown as 4:00:00).")
        c.argument("log_level", help="Debug, Information (the default), Warning, Error or None.")
        c.argument("sync_audit_logs_enabled", bool_type, options_list=["--audit-logs-enabled"],
                   help="Enable audit logs.")
        c.argument("notifications", nargs="+", help="Artifact patterns to notify about, such as "
                   "'hello-world:tag:push' or '*:*'.")
        c.argument("garbage_collection_enabled", bool_type, options_list=["--gc-enabled"],
                   help="Enable garbage collection.")
        c.argument("garbage_collection_schedule", options_list=["--gc-schedule"],
                   help="When garbage collection runs, as a cron expression (default '0 0 * * *').")
        c.argument("identity", help="A user-assigned managed identity for --auth-type ManagedIdentity "
                   "(managed identities are not available offline yet: refused).")
        c.argument("auth_type", arg_type=enum_type(["ManagedIdentity", "SyncToken"]),
                   help="How the connected registry authenticates to its parent.")
        c.argument("add_client_token_list", options_list=["--add-client-tokens"], nargs="*",
                   help="Client tokens to add.")
        c.argument("remove_client_token_list", options_list=["--remove-client-tokens"], nargs="*",
                   help="Client tokens to remove.")
        c.argument("add_notifications", options_list=["--add-notifications"], nargs="*",
                   help="Notifications to add.")
        c.argument("remove_notifications", options_list=["--remove-notifications"], nargs="*",
                   help="Notifications to remove.")
        c.argument("no_children", options_list=["--no-children"], action="store_true",
                   help="List only the direct children of --parent (or the top-level connected registries).")
        c.argument("cleanup", action="store_true", help="Also delete the sync token and scope map.")
        c.argument("parent_protocol", options_list=["--parent-protocol"], arg_type=enum_type(["http", "https"]),
                   help="The protocol the connected registry uses to reach its parent.")
        c.argument("generate_password", options_list=["--generate-password"], arg_type=enum_type(["1", "2"]),
                   help="Generate this sync token password.")
        c.argument("add_repos", options_list=["--add"], nargs="*", help="Repository permissions to add.")
        c.argument("remove_repos", options_list=["--remove"], nargs="*", help="Repository permissions to remove.")
    with ArgumentsContext(loader, "acr connected-registry update") as c:
        c.argument("auth_type", arg_type=enum_type(["ManagedIdentity"]),
                   help="Switch the connected registry to ManagedIdentity authentication.")


def _streaming_arguments(loader):
    with ArgumentsContext(loader, "acr artifact-streaming") as c:
        c.argument("tenant_suffix", options_list=["--suffix"], help="The tenant suffix in the registry login "
                   "server (accepted for compatibility).")
        c.argument("image", options_list=["--image", "-t"], help="The image, 'repository:tag' or "
                   "'repository@digest'.")
        c.argument("operation_id", options_list=["--id"], help="The id of the streaming operation.")
        c.argument("enable_streaming", bool_type, options_list=["--enable-streaming"],
                   help="Convert every image pushed to the repository to a streaming artifact.")
