"""Arguments of az acr, as az 2.91 declares them (options, arity, choices, required-ness)."""

from knack.arguments import ArgumentsContext, CLIArgumentType

from azlocal.core.conventions import enum_type, three_state_flag

bool_type = three_state_flag()
registry_flag_type = CLIArgumentType(
    options_list=["--registry", "-r"], configured_default="acr",
    help="The name of the container registry. You can configure the default registry name using "
    "`az configure --defaults acr=<registry name>`.",
)
dnl_scope_type = enum_type(["NoReuse", "ResourceGroupReuse", "SubscriptionReuse", "TenantReuse", "Unsecure"],
                           help="Domain name label scope: adds a hash to the login server name, "
                           "<name>-<hash>.azurecr.io. Default is Unsecure (no hash).")
registry_name_type = CLIArgumentType(
    options_list=["--name", "-n"], configured_default="acr",
    help="The name of the container registry. It should be specified in lower case. You can configure the "
    "default registry name using `az configure --defaults acr=<registry name>`.",
)
# Arguments that az acr build, run and task share.
agent_pool_type = CLIArgumentType(
    options_list=["--agent-pool"],
    help="An agent pool (not available offline: runs use the local Docker Engine; refused).")
auth_mode_type = enum_type(["Default", "None"], help="Auth mode of the source registry (recorded; None is warned "
                           "about).")
log_template_type = CLIArgumentType(help="The repository and tag template for run log artifacts (recorded; logs "
                                    "stay on this machine).")
no_logs_type = CLIArgumentType(options_list=["--no-logs"], action="store_true",
                               help="Do not show logs after successfully queuing the run.")
no_format_type = CLIArgumentType(options_list=["--no-format"], action="store_true",
                                 help="Indicates whether the logs should be displayed in raw format.")
timeout_type = CLIArgumentType(type=int, help="The timeout in seconds.")
cmd_type = CLIArgumentType(options_list=["--cmd"], help="Commands to execute.")
values_type = CLIArgumentType(help="The task values file path relative to the source context.")
target_type = CLIArgumentType(help="The name of the target build stage.")
image_names_type = CLIArgumentType(
    options_list=["--image", "-t"], action="append",
    help="The name and tag of the image using the format: '-t repo/image:tag'. Multiple tags are supported by "
    "passing -t multiple times.")
set_value_type = CLIArgumentType(options_list=["--set"], action="append", help="Value in 'name[=value]' format.")
set_secret_type = CLIArgumentType(options_list=["--set-secret"], action="append",
                                  help="Secret value in 'name[=value]' format; its value is not shown.")
file_type = CLIArgumentType(options_list=["--file", "-f"])


def load_arguments(loader, command):
    _common_arguments(loader)
    _registry_arguments(loader)
    _run_arguments(loader)
    _manifest_arguments(loader)
    _task_arguments(loader)
    _other_arguments(loader)


def _common_arguments(loader):
    """Arguments every az acr command names the same way."""
    with ArgumentsContext(loader, "acr") as c:
        c.argument("registry_name", registry_name_type)
        c.argument("sku", enum_type(["Basic", "Standard", "Premium"]), help="The SKU of the container registry.")
        c.argument("admin_enabled", bool_type, help="Indicates whether the admin user is enabled.")
        c.argument("username", options_list=["--username", "-u"],
                   help="The username used to log into a container registry.")
        c.argument("password", options_list=["--password", "-p"],
                   help="The password used to log into a container registry.")
        c.argument("suffix", help="The tenant suffix in registry login server (accepted for compatibility).")
        c.argument("repository", help="The name of the repository.")
        c.argument("image", options_list=["--image", "-t"],
                   help="The name of the image. May include a tag in the format 'name:tag' or digest in the "
                   "format 'name@digest'.")
        c.argument("top", type=int, help="Limit the number of items in the results.")
        c.argument("orderby", enum_type(["time_asc", "time_desc"]),
                   help="Order the items in the results. Default to alphabetical order of names.")
        c.argument("detail", action="store_true", help="Show detailed information.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")


def _registry_arguments(loader):
    """The arguments of az acr create, update, check-name and login."""
    for command_name in ("acr create", "acr update"):
        with ArgumentsContext(loader, command_name) as c:
            c.argument("public_network_enabled", bool_type,
                       help="Allow public network access for the container registry.")
            c.argument("default_action", enum_type(["Allow", "Deny"]),
                       help="Default action to apply when no rule matches. Only applicable to Premium SKU.")
            c.argument("allow_trusted_services", bool_type, help="Allow trusted Azure services to reach a network "
                       "restricted registry (recorded; there are no such services offline).")
            c.argument("allow_exports", bool_type, help="Allow or forbid exporting artifacts from this registry "
                       "(by az acr import into another registry).")
            c.argument("allow_metadata_search", bool_type,
                       help="Enable or disable metadata search (recorded; not served offline).")
            c.argument("data_endpoint_enabled", bool_type, help="Serve the registry also at its dedicated data "
                       "endpoints, <name>.<region>.data.azurecr.io (Premium).")
            c.argument("regional_endpoints", enum_type(["Disabled", "Enabled"]), help="Serve the registry also at "
                       "its regional endpoints, <name>.<region>.geo.azurecr.io (Premium).")
            c.argument("role_assignment_mode", enum_type(["rbac", "rbac-abac"]), help="Role assignment mode of "
                       "the registry (recorded; role assignments are not evaluated offline).")
            c.argument("endpoint_protocol", enum_type(["IPv4", "IPv4AndIPv6"]),
                       help="The endpoint protocol of the registry (recorded; the local registry is IPv4 only).")
            c.argument("writable_cache_repos", enum_type(["Disabled", "Enabled"]), help="Allow writing to "
                       "repositories backed by cache rules (recorded; pushes to them are not refused).")
    with ArgumentsContext(loader, "acr create") as c:
        c.argument("registry_name", registry_name_type, configured_default=None)
        c.argument("zone_redundancy", enum_type(["Disabled", "Enabled"]), help="Indicates whether zone redundancy is "
                   "enabled.")
        c.argument("dnl_scope", dnl_scope_type)
        c.argument("workspace", help="Name or ID of a Log Analytics workspace for diagnostic settings (not sent "
                   "offline; a warning says so).")
        c.argument("identity", help="The name or resource ID of the user-assigned identity that reads the "
                   "customer-managed key (Premium; give --key-encryption-key too).")
        c.argument("key_encryption_key", help="The Key Vault key URI whose key wraps the registry's data key: every "
                   "blob is then encrypted on disk. A versionless URI follows the key's rotation.")
    with ArgumentsContext(loader, "acr update") as c:
        c.argument("anonymous_pull_enabled", bool_type,
                   help="Enable registry-wide pull from unauthenticated clients (Standard and Premium).")
    with ArgumentsContext(loader, "acr check-name") as c:
        c.argument("registry_name", options_list=["--name", "-n"],
                   help="The name of the container registry.", configured_default=None)
        c.argument("dnl_scope", dnl_scope_type)
        c.argument("resource_group_name", options_list=["--resource-group", "-g"],
                   help="Name of resource group (needed for the ResourceGroupReuse scope).")
    with ArgumentsContext(loader, "acr login") as c:
        c.argument("expose_token", options_list=["--expose-token", "-t"], action="store_true",
                   help="Expose access token instead of automatically logging in through Docker CLI.")
        c.argument("endpoint", help="Log in to the regional endpoint of this region (regional endpoints must be "
                   "enabled).")


def _run_arguments(loader):
    """The arguments of az acr build and az acr run."""
    for command_name in ("acr build", "acr run"):
        with ArgumentsContext(loader, command_name) as c:
            c.argument("registry_name", registry_flag_type)
            c.positional("source_location",
                         help="The source: a local directory (e.g., './src'), a git URL (file://…, or a "
                         "GitHub / Azure Repos URL registered with `azlocal git add`) with an optional "
                         "#branch:folder, or /dev/null for no context.")
            c.argument("agent_pool_name", agent_pool_type)
            c.argument("auth_mode", auth_mode_type)
            c.argument("log_template", log_template_type)
            c.argument("source_acr_auth_id", enum_type(["[caller]", "none"]),
                       help="The identity the run authenticates to the source registry with (recorded).")
            c.argument("no_logs", no_logs_type)
            c.argument("no_format", no_format_type)
            c.argument("timeout", timeout_type)
            c.argument("platform", help="The platform where the run is scheduled, e.g. linux/amd64.")
            c.argument("file", file_type,
                       help="The relative path of the Dockerfile (build) or task file (run) to the source location.")
    with ArgumentsContext(loader, "acr build") as c:
        c.argument("image_names", image_names_type)
        c.argument("build_arg", options_list=["--build-arg"], action="append",
                   help="Build argument in 'name[=value]' format. Multiples supported by passing multiple times.")
        c.argument("secret_build_arg", options_list=["--secret-build-arg"], action="append",
                   help="Secret build argument in 'name[=value]' format; its value is not logged.")
        c.argument("no_push", options_list=["--no-push"], action="store_true",
                   help="Indicates whether the image built should be pushed to the registry.")
        c.argument("target", target_type)
    with ArgumentsContext(loader, "acr run") as c:
        c.argument("cmd_value", cmd_type)
        c.argument("set_value", set_value_type,
                   help="Value in 'name[=value]' format. Multiples supported by passing --set multiple times.")
        c.argument("set_secret", set_secret_type,
                   help="Secret value in 'name[=value]' format. Multiples supported by passing --set-secret "
                   "multiple times.")
        c.argument("values", values_type)


def _manifest_arguments(loader):
    """The arguments of az acr manifest."""
    with ArgumentsContext(loader, "acr manifest") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"],
                   help="The name of the artifact. May include a tag in the format 'name:tag' or digest in the "
                   "format 'name@digest'.")
        c.argument("raw", action="store_true", help="Output the raw manifest text with no formatting.")
    for command_name, dest in (("acr manifest list-metadata", "repo_id"), ("acr manifest show", "manifest_id"),
                               ("acr manifest delete", "manifest_id")):
        with ArgumentsContext(loader, command_name) as c:
            c.positional(dest, nargs="*", help="A fully qualified specifier such as "
                         "'myregistry.azurecr.io/hello-world:latest'.")


def _task_arguments(loader):
    """The arguments of az acr task."""
    with ArgumentsContext(loader, "acr task") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"], help="The name of the task.")
        c.argument("context", options_list=["--context", "-c"],
                   help="The context: a local directory, a git URL (file://…, or a GitHub / Azure Repos URL "
                   "registered with `azlocal git add`) with an optional #branch:folder, or /dev/null for none.")
        c.argument("file", file_type, help="The task file or Dockerfile, relative to the context.")
        c.argument("cmd_value", cmd_type)
        c.argument("image_names", image_names_type,
                   help="The name and tag of the image using the format: '-t repo/image:tag'.")
        c.argument("values", values_type)
        c.argument("set_value", set_value_type)
        c.argument("no_push", bool_type, help="Indicates whether the image built should be pushed to the registry.")
        c.argument("status", enum_type(["Disabled", "Enabled"]), help="The current status of task.")
        c.argument("timeout", timeout_type)
        c.argument("schedule", action="append",
                   help="Schedule for a timer trigger: a cron expression, optionally 'name:cron'.")
        c.argument("base_image_trigger_enabled", bool_type,
                   help="Indicates whether the base image trigger is enabled.")
        c.argument("commit_trigger_enabled", bool_type, help="Run the task on each new commit to the git "
                   "context's branch (the daemon watches the local clone).")
        c.argument("git_access_token", help="The git access token az requires for source triggers (accepted and "
                   "not stored: a local clone needs none).")
        c.argument("arg", action="append", help="Build argument in 'name[=value]' format.")
        c.argument("target", target_type)
        c.argument("platform", help="The platform where build/task is run, e.g. linux/amd64.")
        c.argument("cpu", type=int, help="The CPU configuration in terms of number of cores required for the run.")
        c.argument("run_id", help="The unique run identifier.")
        c.argument("run_status", enum_type(["Canceled", "Error", "Failed", "Queued", "Running", "Started",
                                          "Succeeded", "Timeout"]), help="The current status of run.")
        c.argument("no_logs", no_logs_type)
        c.argument("no_format", no_format_type, help="Show the logs in raw format (they are never reformatted here).")
        c.argument("agent_pool_name", agent_pool_type)
        c.argument("auth_mode", auth_mode_type)
        c.argument("log_template", log_template_type)
        c.argument("source_acr_auth_id", help="The managed identity the task logs in to its own registry with: "
                   "'[system]' or a user-assigned identity's resource ID ('none' clears it); it takes effect on an "
                   "ABAC-enabled registry, as ACR's.")
        c.argument("assign_identity", nargs="*", help="Managed identities for the task: '[system]' and/or "
                   "user-assigned identities' resource IDs (runs log in to registries as them with --use-identity).")
        c.argument("is_system_task", action="store_true", help="Create a system task ('quicktask').")
        c.argument("no_cache", bool_type, help="Build without the image cache.")
        c.argument("pull_request_trigger_enabled", bool_type,
                   help="Accepted; git pull-request triggers are not available offline.")
        c.argument("source_trigger_name", help="The name of the source trigger.")
        c.argument("base_image_trigger_name", help="The name of the base image trigger.")
        c.argument("base_image_trigger_type", enum_type(["All", "Runtime"]),
                   help="Which base images trigger a rebuild: those of every stage (All) or the final one (Runtime).")
        c.argument("update_trigger_endpoint", help="A URL notified when a base image trigger runs the task "
                   "(recorded; not called offline).")
        c.argument("update_trigger_payload_type", enum_type(["Default", "Token"]),
                   help="The payload type of the base image update notification.")
        c.argument("update_trigger_token", help="The token of a base image update notification (recorded).")
        c.argument("secret_arg", action="append", help="Secret build argument in 'name[=value]' format; its value "
                   "is not shown.")
        c.argument("set_secret", set_secret_type)
        c.argument("with_secure_properties", action="store_true", help="Show the secret values too.")
    with ArgumentsContext(loader, "acr task run") as c:
        c.argument("context", options_list=["--context", "-c"], help="A context for this run in place of the "
                   "task's: a local directory or a git URL with an optional #branch:folder.")
        c.argument("file", file_type, help="The task file or Dockerfile of this run, in place of the task's.")


def _other_arguments(loader):
    """The arguments of az acr import, webhook, replication, credential and repository."""
    with ArgumentsContext(loader, "acr import") as c:
        c.argument("source", help="Source image name or fully qualified source containing the registry login "
                   "server.")
        c.argument("image_names", image_names_type)
        c.argument("source_registry", options_list=["--registry", "-r"],
                   help="The source container registry: a name, login server or resource ID.")
        c.argument("force", action="store_true", help="Overwrite the existing tag of the image to be imported.")
        c.argument("repository", action="append", help="A repository to import the image into without a tag. "
                   "Multiples supported by passing --repository multiple times.")
    for group_name in ("acr webhook", "acr replication"):
        with ArgumentsContext(loader, group_name) as c:
            c.argument("registry_name", registry_flag_type)
            c.argument("name", options_list=["--name", "-n"], help="The name of the resource.")
    with ArgumentsContext(loader, "acr webhook") as c:
        c.argument("uri", help="The service URI for the webhook to post notifications.")
        c.argument("actions", enum_type(["chart_delete", "chart_push", "delete", "push", "quarantine"]), nargs="+",
                   help="Space-separated list of actions that trigger the webhook to post notifications.")
        c.argument("headers", nargs="*", help="Space-separated custom headers in 'key[=value]' format.")
        c.argument("scope", help="The scope of repositories where the event can be triggered, e.g. 'foo:*'.")
        c.argument("status", enum_type(["disabled", "enabled"]), help="Indicates whether the webhook is enabled.")
    with ArgumentsContext(loader, "acr replication") as c:
        c.argument("global_endpoint_routing", bool_type,
                   help="Allow routing to this replication via the registry global endpoint.")
        c.argument("zone_redundancy", enum_type(["Disabled", "Enabled"]),
                   help="Indicates whether zone redundancy is enabled.")
    with ArgumentsContext(loader, "acr credential renew") as c:
        c.argument("password_name", enum_type(["password", "password2"]), help="The name of password to regenerate.")
    with ArgumentsContext(loader, "acr repository update") as c:
        for flag in ("delete_enabled", "list_enabled", "read_enabled", "write_enabled"):
            c.argument(flag, bool_type, help=f"Indicates whether {flag.split('_')[0]} is allowed.")
