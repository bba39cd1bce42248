"""Arguments of az acr, as az 2.91 declares them (options, arity, choices, required-ness)."""

from knack.arguments import ArgumentsContext, CLIArgumentType

from azlocal.commands.conventions import enum_type, three_state_flag

bool_type = three_state_flag()
registry_flag_type = CLIArgumentType(
    options_list=["--registry", "-r"], configured_default="acr",
    help="The name of the container registry. You can configure the default registry name using "
    "`az configure --defaults acr=<registry name>`.",
)
registry_name_type = CLIArgumentType(
    options_list=["--name", "-n"], configured_default="acr",
    help="The name of the container registry. It should be specified in lower case. You can configure the "
    "default registry name using `az configure --defaults acr=<registry name>`.",
)


def load_arguments(loader, command):
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
    with ArgumentsContext(loader, "acr create") as c:
        c.argument("registry_name", registry_name_type, configured_default=None)
        c.argument("public_network_enabled", bool_type,
                   help="Allow public network access for the container registry.")
        c.argument("zone_redundancy", enum_type(["Disabled", "Enabled"]), help="Indicates whether zone redundancy is "
                   "enabled.")
        c.argument("default_action", enum_type(["Allow", "Deny"]),
                   help="Default action to apply when no rule matches. Only applicable to Premium SKU.")
    with ArgumentsContext(loader, "acr update") as c:
        c.argument("anonymous_pull_enabled", bool_type,
                   help="Enable registry-wide pull from unauthenticated clients (Standard and Premium).")
        c.argument("public_network_enabled", bool_type,
                   help="Allow public network access for the container registry.")
    with ArgumentsContext(loader, "acr check-name") as c:
        c.argument("registry_name", options_list=["--name", "-n"],
                   help="The name of the container registry.", configured_default=None)
    with ArgumentsContext(loader, "acr login") as c:
        c.argument("expose_token", options_list=["--expose-token", "-t"], action="store_true",
                   help="Expose access token instead of automatically logging in through Docker CLI.")
    for command_name in ("acr build", "acr run"):
        with ArgumentsContext(loader, command_name) as c:
            c.argument("registry_name", registry_flag_type)
            c.positional("source_location", nargs="?",
                         help="The local source code directory path (e.g., './src'), or /dev/null for no "
                         "context. Remote contexts are not available offline.")
            c.argument("no_logs", options_list=["--no-logs"], action="store_true",
                       help="Do not show logs after successfully queuing the run.")
            c.argument("no_format", options_list=["--no-format"], action="store_true",
                       help="Indicates whether the logs should be displayed in raw format.")
            c.argument("timeout", type=int, help="The timeout in seconds.")
            c.argument("platform", help="The platform where the run is scheduled, e.g. linux/amd64.")
            c.argument("file", options_list=["--file", "-f"],
                       help="The relative path of the Dockerfile (build) or task file (run) to the source location.")
    with ArgumentsContext(loader, "acr build") as c:
        c.argument("image_names", options_list=["--image", "-t"], action="append",
                   help="The name and tag of the image using the format: '-t repo/image:tag'. Multiple tags are "
                   "supported by passing -t multiple times.")
        c.argument("build_arg", options_list=["--build-arg"], action="append",
                   help="Build argument in 'name[=value]' format. Multiples supported by passing multiple times.")
        c.argument("secret_build_arg", options_list=["--secret-build-arg"], action="append",
                   help="Secret build argument in 'name[=value]' format; its value is not logged.")
        c.argument("no_push", options_list=["--no-push"], action="store_true",
                   help="Indicates whether the image built should be pushed to the registry.")
        c.argument("target", help="The name of the target build stage.")
    with ArgumentsContext(loader, "acr run") as c:
        c.argument("cmd_value", options_list=["--cmd"], help="Commands to execute.")
        c.argument("set_value", options_list=["--set"], action="append",
                   help="Value in 'name[=value]' format. Multiples supported by passing --set multiple times.")
        c.argument("set_secret", options_list=["--set-secret"], action="append",
                   help="Secret value in 'name[=value]' format. Multiples supported by passing --set-secret "
                   "multiple times.")
        c.argument("values", help="The task values file path relative to the source context.")
    with ArgumentsContext(loader, "acr manifest") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"],
                   help="The name of the artifact. May include a tag in the format 'name:tag' or digest in the "
                   "format 'name@digest'.")
        c.argument("raw", action="store_true", help="Output the raw manifest text with no formatting.")
    for command_name, dest in (("acr manifest list-metadata", "repo_id"), ("acr manifest show", "manifest_id"),
                               ("acr manifest delete", "manifest_id")):
        with ArgumentsContext(loader, command_name) as c:
            c.positional(dest, nargs="?", help="A fully qualified specifier such as "
                         "'myregistry.azurecr.io/hello-world:latest'.")
    with ArgumentsContext(loader, "acr task") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"], help="The name of the task.")
        c.argument("context", options_list=["--context", "-c"],
                   help="The local context directory, or /dev/null for none. Git contexts are not available "
                   "offline.")
        c.argument("file", options_list=["--file", "-f"], help="The task file or Dockerfile, relative to the context.")
        c.argument("cmd_value", options_list=["--cmd"], help="Commands to execute.")
        c.argument("image_names", options_list=["--image", "-t"], action="append",
                   help="The name and tag of the image using the format: '-t repo/image:tag'.")
        c.argument("values", help="The task values file path relative to the source context.")
        c.argument("set_value", options_list=["--set"], action="append", help="Value in 'name[=value]' format.")
        c.argument("no_push", bool_type, help="Indicates whether the image built should be pushed to the registry.")
        c.argument("status", enum_type(["Disabled", "Enabled"]), help="The current status of task.")
        c.argument("timeout", type=int, help="The timeout in seconds.")
        c.argument("schedule", action="append",
                   help="Schedule for a timer trigger: a cron expression, optionally 'name:cron'.")
        c.argument("base_image_trigger_enabled", bool_type,
                   help="Indicates whether the base image trigger is enabled.")
        c.argument("commit_trigger_enabled", bool_type, help="Accepted; git triggers are not available offline.")
        c.argument("git_access_token", help="Accepted; git contexts are not available offline.")
        c.argument("arg", action="append", help="Build argument in 'name[=value]' format.")
        c.argument("target", help="The name of the target build stage.")
        c.argument("platform", help="The platform where build/task is run, e.g. linux/amd64.")
        c.argument("cpu", type=int, help="The CPU configuration in terms of number of cores required for the run.")
        c.argument("run_id", help="The unique run identifier.")
        c.argument("run_status", enum_type(["Canceled", "Error", "Failed", "Queued", "Running", "Started",
                                          "Succeeded", "Timeout"]), help="The current status of run.")
        c.argument("no_logs", action="store_true", help="Do not show logs after successfully queuing the run.")
    with ArgumentsContext(loader, "acr import") as c:
        c.argument("source", help="Source image name or fully qualified source containing the registry login "
                   "server.")
        c.argument("image_names", options_list=["--image", "-t"], action="append",
                   help="The name and tag of the image using the format: '-t repo/image:tag'. Multiple tags are "
                   "supported by passing -t multiple times.")
        c.argument("source_registry", options_list=["--registry", "-r"],
                   help="The source container registry: a name, login server or resource ID.")
        c.argument("force", action="store_true", help="Overwrite the existing tag of the image to be imported.")
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
