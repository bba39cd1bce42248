"""az acr: registries, credentials, login and repositories."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup
from knack.help_files import helps

from azlocal.commands.conventions import as_bool, enum_type, three_state_flag

helps["acr"] = """
type: group
short-summary: Manage private registries with Azure Container Registry, served locally.
"""
helps["acr create"] = """
type: command
short-summary: Create a container registry served at <name>.azurecr.io on this machine.
examples:
  - name: Create a Basic registry.
    text: az acr create -n myregistry -g MyResourceGroup --sku Basic
  - name: Create a registry with the admin user enabled.
    text: az acr create -n myregistry -g MyResourceGroup --sku Standard --admin-enabled true
"""
helps["acr show"] = """
type: command
short-summary: Show a container registry.
examples:
  - name: Print a registry's login server.
    text: az acr show -n myregistry --query loginServer -o tsv
"""
helps["acr list"] = """
type: command
short-summary: List container registries.
examples:
  - name: List the registries of a group as a table.
    text: az acr list -g MyResourceGroup -o table
"""
helps["acr update"] = """
type: command
short-summary: Update a container registry.
examples:
  - name: Enable the admin user.
    text: az acr update -n myregistry --admin-enabled true
  - name: Move to the Premium tier.
    text: az acr update -n myregistry --sku Premium
"""
helps["acr delete"] = """
type: command
short-summary: Delete a container registry and everything stored in it.
examples:
  - name: Delete a registry without a prompt.
    text: az acr delete -n myregistry --yes
"""
helps["acr check-name"] = """
type: command
short-summary: Check whether a registry name is valid and free.
examples:
  - name: Check a name.
    text: az acr check-name -n myregistry
"""
helps["acr show-usage"] = """
type: command
short-summary: Show a registry's storage and webhook usage against its SKU's limits.
examples:
  - name: Show usage as a table.
    text: az acr show-usage -n myregistry -o table
"""
helps["acr login"] = """
type: command
short-summary: Log the Docker CLI in to a registry, or print a token for it.
examples:
  - name: Log docker in.
    text: az acr login -n myregistry
  - name: Print a refresh token instead of running docker.
    text: az acr login -n myregistry --expose-token
"""
helps["acr build"] = """
type: command
short-summary: Build an image from a local context on the Docker Engine and push it to the registry, as a quick task.
examples:
  - name: Build and push the Dockerfile in the current folder.
    text: az acr build -r myregistry -t sample/hello-world:v1 .
  - name: Build with a build argument, without pushing.
    text: az acr build -r myregistry -t app:{{.Run.ID}} --build-arg VERSION=2 --no-push .
"""
helps["acr run"] = """
type: command
short-summary: Run a command in a container as a quick run, with the registry's images at hand.
examples:
  - name: Run an image from the registry.
    text: az acr run -r myregistry --cmd '$Registry/sample/hello-world:v1' /dev/null
"""
helps["acr import"] = """
type: command
short-summary: Import an image into a registry from another local registry or the Docker Engine.
examples:
  - name: Import an image from the Docker Engine.
    text: az acr import -n myregistry --source docker.io/library/hello-world:latest -t hello-world:v1
  - name: Import from another registry of this machine.
    text: az acr import -n myregistry --source sample/app:v1 -r otherregistry
"""
helps["acr manifest"] = """
type: group
short-summary: Manage artifact manifests in a registry.
"""
helps["acr manifest list-metadata"] = """
type: command
short-summary: List the manifests of a repository with their metadata.
examples:
  - name: List manifests, newest first.
    text: az acr manifest list-metadata -r myregistry -n hello-world --orderby time_desc
"""
helps["acr manifest show"] = """
type: command
short-summary: Show an artifact's manifest.
examples:
  - name: Show a manifest by its fully qualified name.
    text: az acr manifest show myregistry.azurecr.io/hello-world:v1
"""
helps["acr manifest delete"] = """
type: command
short-summary: Delete a manifest and the tags that point at it.
examples:
  - name: Delete by tag without a prompt.
    text: az acr manifest delete -r myregistry -n hello-world:v1 --yes
"""
helps["acr task"] = """
type: group
short-summary: Manage saved builds and runs (tasks) of a registry, with timer and base-image triggers.
"""
helps["acr task create"] = """
type: command
short-summary: Create a task from a local context (a build, a task file, or a command).
examples:
  - name: A build task that reruns when its base image is pushed.
    text: az acr task create -r myregistry -n buildapp -c ./src -f Dockerfile -t app:{{.Run.ID}}
  - name: A command that runs every hour.
    text: az acr task create -r myregistry -n hourly --cmd '$Registry/app:v1' -c /dev/null --schedule "0 * * * *"
"""
helps["acr task update"] = """
type: command
short-summary: Update a task.
examples:
  - name: Disable a task.
    text: az acr task update -r myregistry -n buildapp --status Disabled
"""
helps["acr task show"] = """
type: command
short-summary: Show a task.
"""
helps["acr task list"] = """
type: command
short-summary: List a registry's tasks.
"""
helps["acr task delete"] = """
type: command
short-summary: Delete a task.
"""
helps["acr task run"] = """
type: command
short-summary: Run a task now, streaming its log.
examples:
  - name: Run a task.
    text: az acr task run -r myregistry -n buildapp
"""
helps["acr task list-runs"] = """
type: command
short-summary: List runs, newest first.
examples:
  - name: The last five runs of a task, as a table.
    text: az acr task list-runs -r myregistry -n buildapp --top 5 -o table
"""
helps["acr task show-run"] = """
type: command
short-summary: Show a run.
"""
helps["acr task logs"] = """
type: command
short-summary: Show a run's log (the last run's without --run-id).
examples:
  - name: Replay the log of a run.
    text: az acr task logs -r myregistry --run-id ca1
"""
helps["acr task cancel-run"] = """
type: command
short-summary: Cancel a run that is still going, stopping its containers.
"""
helps["acr webhook"] = """
type: group
short-summary: Manage webhooks that are notified of pushes and deletes.
"""
helps["acr webhook create"] = """
type: command
short-summary: Create a webhook.
examples:
  - name: Notify a local service of pushes.
    text: az acr webhook create -r myregistry -n hook1 --uri http://127.0.0.1:9000/hook --actions push
"""
helps["acr webhook list"] = """
type: command
short-summary: List a registry's webhooks.
"""
helps["acr webhook show"] = """
type: command
short-summary: Show a webhook.
"""
helps["acr webhook update"] = """
type: command
short-summary: Update a webhook.
examples:
  - name: Disable a webhook.
    text: az acr webhook update -r myregistry -n hook1 --status disabled
"""
helps["acr webhook delete"] = """
type: command
short-summary: Delete a webhook.
"""
helps["acr webhook get-config"] = """
type: command
short-summary: Show a webhook's service URI and custom headers.
"""
helps["acr webhook list-events"] = """
type: command
short-summary: List the events a webhook sent, newest first.
"""
helps["acr webhook ping"] = """
type: command
short-summary: Send a ping event to a webhook.
"""
helps["acr replication"] = """
type: group
short-summary: Manage geo-replicated regions of Premium registries (emulated data endpoints).
"""
helps["acr replication create"] = """
type: command
short-summary: Replicate a Premium registry to another region.
examples:
  - name: Replicate to West Europe.
    text: az acr replication create -r myregistry -l westeurope
"""
helps["acr replication list"] = """
type: command
short-summary: List a registry's replications.
"""
helps["acr replication show"] = """
type: command
short-summary: Show a replication.
"""
helps["acr replication delete"] = """
type: command
short-summary: Delete a replication.
"""
helps["acr credential"] = """
type: group
short-summary: Manage a registry's admin credentials.
"""
helps["acr credential show"] = """
type: command
short-summary: Show the admin user name and passwords.
examples:
  - name: Print the first password.
    text: az acr credential show -n myregistry --query "passwords[0].value" -o tsv
"""
helps["acr credential renew"] = """
type: command
short-summary: Generate a new admin password.
examples:
  - name: Renew the second password.
    text: az acr credential renew -n myregistry --password-name password2
"""
helps["acr repository"] = """
type: group
short-summary: Manage the repositories (image names) of a registry.
"""
helps["acr repository list"] = """
type: command
short-summary: List the repositories of a registry.
examples:
  - name: List repositories as a table.
    text: az acr repository list -n myregistry -o table
"""
helps["acr repository show-tags"] = """
type: command
short-summary: Show the tags of a repository.
examples:
  - name: Show tags, newest first.
    text: az acr repository show-tags -n myregistry --repository hello-world --orderby time_desc
"""
helps["acr repository show-manifests"] = """
type: command
short-summary: Show the manifests of a repository.
examples:
  - name: Show manifests with details.
    text: az acr repository show-manifests -n myregistry --repository hello-world --detail
"""
helps["acr repository show"] = """
type: command
short-summary: Show the attributes of a repository or an image.
examples:
  - name: Show a tag.
    text: az acr repository show -n myregistry --image hello-world:v1
"""
helps["acr repository update"] = """
type: command
short-summary: Lock or unlock a repository or an image.
examples:
  - name: Make an image read-only.
    text: az acr repository update -n myregistry --image hello-world:v1 --write-enabled false
"""
helps["acr repository delete"] = """
type: command
short-summary: Delete a repository, or an image and every tag that points at it.
examples:
  - name: Delete a repository.
    text: az acr repository delete -n myregistry --repository hello-world --yes
  - name: Delete an image.
    text: az acr repository delete -n myregistry --image hello-world:v1 --yes
"""
helps["acr repository untag"] = """
type: command
short-summary: Remove a tag, keeping the image.
examples:
  - name: Untag an image.
    text: az acr repository untag -n myregistry --image hello-world:v1
"""

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


def _bool(value):
    return as_bool(value)


def load_commands(loader):
    with CommandGroup(loader, "acr", "azlocal.commands.acr#{}") as g:
        g.command("create", "acr_create", table_transformer=registry_table)
        g.command("show", "acr_show", table_transformer=registry_table)
        g.command("list", "acr_list", table_transformer=registry_table)
        g.command("update", "acr_update", table_transformer=registry_table)
        g.command("delete", "acr_delete")
        g.command("check-name", "acr_check_name")
        g.command("show-usage", "acr_show_usage", table_transformer=usage_table)
        g.command("login", "acr_login")
        g.command("build", "acr_build", table_transformer=run_table)
        g.command("run", "acr_run", table_transformer=run_table)
    with CommandGroup(loader, "acr", "azlocal.commands.acr#{}") as g:
        g.command("import", "acr_import")
    with CommandGroup(loader, "acr manifest", "azlocal.commands.acr#{}", is_preview=True) as g:
        g.command("list-metadata", "manifest_list_metadata")
        g.command("show", "manifest_show")
        g.command("delete", "manifest_delete")
    with CommandGroup(loader, "acr task", "azlocal.commands.acr#{}") as g:
        g.command("create", "task_create", table_transformer=task_table)
        g.command("update", "task_update", table_transformer=task_table)
        g.command("show", "task_show", table_transformer=task_table)
        g.command("list", "task_list", table_transformer=task_table)
        g.command("delete", "task_delete")
        g.command("run", "task_run", table_transformer=run_table)
        g.command("list-runs", "task_list_runs", table_transformer=run_table)
        g.command("show-run", "task_show_run", table_transformer=run_table)
        g.command("logs", "task_logs")
        g.command("cancel-run", "task_cancel_run")
    with CommandGroup(loader, "acr webhook", "azlocal.commands.acr#{}") as g:
        g.command("create", "webhook_create", table_transformer=webhook_table)
        g.command("list", "webhook_list", table_transformer=webhook_table)
        g.command("show", "webhook_show", table_transformer=webhook_table)
        g.command("update", "webhook_update", table_transformer=webhook_table)
        g.command("delete", "webhook_delete")
        g.command("get-config", "webhook_get_config")
        g.command("list-events", "webhook_list_events")
        g.command("ping", "webhook_ping")
    with CommandGroup(loader, "acr replication", "azlocal.commands.acr#{}") as g:
        g.command("create", "replication_create", table_transformer=replication_table)
        g.command("list", "replication_list", table_transformer=replication_table)
        g.command("show", "replication_show", table_transformer=replication_table)
        g.command("delete", "replication_delete")
    with CommandGroup(loader, "acr credential", "azlocal.commands.acr#{}") as g:
        g.command("show", "credential_show", table_transformer=credential_table)
        g.command("renew", "credential_renew", table_transformer=credential_table)
    with CommandGroup(loader, "acr repository", "azlocal.commands.acr#{}") as g:
        g.command("list", "repository_list")
        g.command("show-tags", "repository_show_tags")
        g.command("show-manifests", "repository_show_manifests")
        g.command("show", "repository_show")
        g.command("update", "repository_update")
        g.command("delete", "repository_delete")
        g.command("untag", "repository_untag")


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


# Table formats (az's column names) -----------------------------------------------------

def _format_date(value):
    return (value or "")[:19] + "Z" if value else " "


def registry_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([
        ("NAME", r["name"]), ("RESOURCE GROUP", r.get("resourceGroup", "")), ("LOCATION", r["location"]),
        ("SKU", r["sku"]["name"]), ("LOGIN SERVER", r["loginServer"]),
        ("CREATION DATE", _format_date(r["creationDate"])), ("ADMIN ENABLED", r["adminUserEnabled"]),
    ]) for r in rows]


def usage_table(result):
    return [OrderedDict([("NAME", u["name"]), ("LIMIT", u["limit"]), ("CURRENT VALUE", u["currentValue"]),
                         ("UNIT", u["unit"])]) for u in result["value"]]


def credential_table(result):
    return OrderedDict([("USERNAME", result["username"]), ("PASSWORD", result["passwords"][0]["value"]),
                        ("PASSWORD2", result["passwords"][1]["value"])])


# Registries --------------------------------------------------------------------------------

def acr_create(registry_name, resource_group_name, sku, location=None, admin_enabled="false", tags=None,
               public_network_enabled=None, zone_redundancy=None, default_action=None, no_wait=False):
    from azlocal.commands.common import Progress, parse_tags
    from azlocal.services import registries

    with Progress():
        return registries.create(resource_group_name, registry_name, sku, location, _bool(admin_enabled),
                                 parse_tags(tags), _bool(public_network_enabled), zone_redundancy, default_action)


def acr_show(registry_name, resource_group_name=None):
    from azlocal.services import registries

    return registries.get(registry_name, resource_group_name)


def acr_list(resource_group_name=None):
    from azlocal.services import registries

    return registries.list_registries(resource_group_name)


def acr_update(registry_name, resource_group_name=None, sku=None, admin_enabled=None, anonymous_pull_enabled=None,
               tags=None, public_network_enabled=None, set_=None, add=None, remove=None, force_string=False):
    from azlocal.commands.common import parse_tags
    from azlocal.services import registries

    return registries.update(registry_name, resource_group_name, sku, _bool(admin_enabled),
                             _bool(anonymous_pull_enabled), parse_tags(tags), _bool(public_network_enabled),
                             set_, add, remove, force_string)


def acr_delete(registry_name, resource_group_name=None, yes=False):
    from azlocal.commands.common import require_confirmation
    from azlocal.services import registries

    registries.get(registry_name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the registry '{registry_name}'?", yes)
    registries.delete(registry_name, resource_group_name)


def acr_check_name(registry_name):
    from azlocal.services import registries

    return registries.check_name(registry_name)


def acr_show_usage(registry_name, resource_group_name=None):
    from azlocal.services import registries

    return registries.show_usage(registry_name, resource_group_name)


def acr_login(registry_name, resource_group_name=None, expose_token=False, username=None, password=None,
              suffix=None):
    from azlocal.services import repositories

    return repositories.login(registry_name, expose_token, username, password)


def run_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("RUN ID", r["runId"]), ("TASK", r.get("task") or ""),
                         ("PLATFORM", (r.get("platform") or {}).get("os", "")), ("STATUS", r["status"]),
                         ("TRIGGER", "Timer" if r.get("timerTrigger") else
                          "Image Update" if r.get("imageUpdateTrigger") else "Manual"),
                         ("STARTED", _format_date(r.get("startTime"))),
                         ("DURATION", _duration(r))]) for r in rows]


def _duration(run):
    from datetime import datetime

    try:
        seconds = int((datetime.fromisoformat(run["finishTime"]) - datetime.fromisoformat(run["startTime"]))
                      .total_seconds())
    except (KeyError, TypeError, ValueError):
        return ""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def acr_build(registry_name, source_location=None, image_names=None, file=None, build_arg=None,
              secret_build_arg=None, no_push=False, no_logs=False, no_wait=False, no_format=False, timeout=None,
              target=None, platform=None, resource_group_name=None):
    from azlocal.services import runs

    return runs.build(registry_name, source_location, image_names or [], file or "Dockerfile", build_arg or [],
                      secret_build_arg or [], no_push, no_logs or no_wait, timeout, target, platform,
                      resource_group_name)


def acr_run(registry_name, source_location=None, cmd_value=None, file=None, set_value=None, set_secret=None,
            values=None, no_logs=False, no_wait=False, no_format=False, timeout=None, platform=None,
            resource_group_name=None):
    from azlocal.errors import AzLocalError
    from azlocal.services import runs

    if cmd_value and file:
        raise AzLocalError("Azure Container Registry can run with either --cmd myCommand /dev/null or "
                           "-f myFile mySourceLocation, but not both.")
    pairs = dict(v.split("=", 1) for v in (set_value or []) + (set_secret or []) if "=" in v)
    if cmd_value:
        return runs.run_cmd(registry_name, cmd_value, source_location, pairs, timeout, no_logs or no_wait,
                            resource_group_name)
    if not file and source_location in (None, "/dev/null"):
        raise AzLocalError("Please provide --cmd myCommand /dev/null, or -f myFile mySourceLocation.")
    return runs.run_file(registry_name, file or "acb.yaml", source_location, pairs, timeout, no_logs or no_wait,
                         resource_group_name)


def manifest_list_metadata(registry_name=None, name=None, repo_id=None, orderby=None, top=None, username=None,
                           password=None, suffix=None):
    from azlocal.services import repositories

    return repositories.manifest_list_metadata(registry_name, name, repo_id, orderby, top, username, password)


def manifest_show(registry_name=None, name=None, manifest_id=None, raw=False, username=None, password=None,
                  suffix=None):
    from azlocal.services import repositories

    return repositories.manifest_show(registry_name, name, manifest_id, raw, username, password)


def manifest_delete(registry_name=None, name=None, manifest_id=None, yes=False, username=None, password=None,
                    suffix=None):
    from azlocal.services import repositories

    repositories.manifest_delete(registry_name, name, manifest_id, yes, username, password)


def task_table(result):
    rows = result if isinstance(result, list) else [result]
    out = []
    for t in rows:
        trig = t.get("trigger") or {}
        triggers = [name for name, on in (("BASE_IMAGE", (trig.get("baseImageTrigger") or {}).get("status")
                                           == "Enabled"), ("TIMER", bool(trig.get("timerTriggers")))) if on]
        out.append(OrderedDict([("NAME", t["name"]), ("PLATFORM", t["platform"]["os"]), ("STATUS", t["status"]),
                                ("SOURCE REPOSITORY", t["step"].get("contextPath") or ""),
                                ("TRIGGERS", ", ".join(triggers))]))
    return out


def _pairs(items):
    return dict(i.split("=", 1) for i in items or [] if "=" in i)


def task_create(registry_name, name, context=None, file=None, cmd_value=None, image_names=None, values=None,
                set_value=None, no_push="false", status="Enabled", timeout=3600, schedule=None,
                base_image_trigger_enabled="true", commit_trigger_enabled=None, git_access_token=None, arg=None,
                target=None, platform=None, cpu=None, resource_group_name=None):
    from azlocal.services import tasks

    task = tasks.create(registry_name, name, context, file, cmd_value, image_names, resource_group_name, values,
                        _pairs(set_value), _bool(no_push), status, timeout, schedule,
                        _bool(base_image_trigger_enabled), arg, target)
    if schedule:
        from azlocal.daemon import lifecycle

        lifecycle.ensure_running()  # the daemon fires timers
    return task


def task_update(registry_name, name, status=None, timeout=None, image_names=None, context=None,
                base_image_trigger_enabled=None, resource_group_name=None):
    from azlocal.services import tasks

    return tasks.update(registry_name, name, resource_group_name, status, timeout, image_names, context,
                        _bool(base_image_trigger_enabled))


def task_show(registry_name, name, resource_group_name=None):
    from azlocal.services import tasks

    return tasks.get(registry_name, name, resource_group_name)


def task_list(registry_name, resource_group_name=None):
    from azlocal.services import tasks

    return tasks.list_tasks(registry_name, resource_group_name)


def task_delete(registry_name, name, yes=False, resource_group_name=None):
    from azlocal.commands.common import require_confirmation
    from azlocal.services import tasks

    tasks.get(registry_name, name, resource_group_name)
    require_confirmation(f"Are you sure you want to delete the task '{name}' ", yes)
    tasks.delete(registry_name, name, resource_group_name)


def task_run(registry_name, name, set_value=None, no_logs=False, no_wait=False, resource_group_name=None):
    from azlocal.services import tasks

    return tasks.run(registry_name, name, resource_group_name, no_logs or no_wait, _pairs(set_value))


def task_list_runs(registry_name, name=None, run_status=None, top=15, image_names=None, resource_group_name=None):
    from azlocal.services import tasks

    return tasks.list_runs(registry_name, name, run_status, top, (image_names or [None])[0], resource_group_name)


def task_show_run(registry_name, run_id, resource_group_name=None):
    from azlocal.services import tasks

    return tasks.show_run(registry_name, run_id, resource_group_name)


def task_logs(registry_name, run_id=None, name=None, resource_group_name=None):
    from azlocal.services import tasks

    tasks.logs(registry_name, run_id, name, resource_group_name)


def task_cancel_run(registry_name, run_id, resource_group_name=None):
    from azlocal.services import tasks

    tasks.cancel_run(registry_name, run_id, resource_group_name)


def webhook_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("NAME", w["name"]), ("LOCATION", w["location"]), ("ACTIONS", ", ".join(w["actions"])),
                         ("SCOPE", w["scope"]), ("STATUS", w["status"])]) for w in rows]


def replication_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("NAME", r["name"]), ("LOCATION", r["location"]),
                         ("PROVISIONING STATE", r["provisioningState"]), ("STATUS", r["status"]["displayStatus"]),
                         ("REGION ENDPOINT ENABLED", r["regionEndpointEnabled"])]) for r in rows]


def acr_import(registry_name, source, image_names=None, source_registry=None, force=False, username=None,
               password=None, no_wait=False, resource_group_name=None):
    from azlocal.commands.common import Progress
    from azlocal.services import registry_import

    with Progress():
        registry_import.import_image(registry_name, source, image_names, source_registry, force, username,
                                     password, resource_group_name)


def webhook_create(registry_name, name, uri, actions, resource_group_name=None, headers=None, scope=None,
                   status="enabled", location=None, tags=None):
    from azlocal.commands.common import parse_tags
    from azlocal.services import webhooks

    return webhooks.create(registry_name, name, uri, actions, resource_group_name, parse_tags(headers), scope,
                           status, location, parse_tags(tags))


def webhook_list(registry_name, resource_group_name=None):
    from azlocal.services import webhooks

    return webhooks.list_webhooks(registry_name, resource_group_name)


def webhook_show(registry_name, name, resource_group_name=None):
    from azlocal.services import webhooks

    return webhooks.get(registry_name, name, resource_group_name)


def webhook_update(registry_name, name, resource_group_name=None, uri=None, actions=None, headers=None, scope=None,
                   status=None, tags=None):
    from azlocal.commands.common import parse_tags
    from azlocal.services import webhooks

    return webhooks.update(registry_name, name, resource_group_name, uri, actions, parse_tags(headers), scope,
                           status, parse_tags(tags))


def webhook_delete(registry_name, name, resource_group_name=None):
    from azlocal.services import webhooks

    webhooks.delete(registry_name, name, resource_group_name)


def webhook_get_config(registry_name, name, resource_group_name=None):
    from azlocal.services import webhooks

    return webhooks.get_config(registry_name, name, resource_group_name)


def webhook_list_events(registry_name, name, resource_group_name=None):
    from azlocal.services import webhooks

    return webhooks.list_events(registry_name, name, resource_group_name)


def webhook_ping(registry_name, name, resource_group_name=None):
    from azlocal.services import webhooks

    return webhooks.ping(registry_name, name, resource_group_name)


def replication_create(registry_name, location, name=None, resource_group_name=None, tags=None,
                       global_endpoint_routing="true", zone_redundancy=None):
    from azlocal.commands.common import parse_tags
    from azlocal.services import replications

    return replications.create(registry_name, location, resource_group_name, name, parse_tags(tags),
                               _bool(global_endpoint_routing), zone_redundancy)


def replication_list(registry_name, resource_group_name=None):
    from azlocal.services import replications

    return replications.list_replications(registry_name, resource_group_name)


def replication_show(registry_name, name, resource_group_name=None):
    from azlocal.services import replications

    return replications.get(registry_name, name, resource_group_name)


def replication_delete(registry_name, name, resource_group_name=None):
    from azlocal.services import replications

    replications.delete(registry_name, name, resource_group_name)


def credential_show(registry_name, resource_group_name=None):
    from azlocal.services import registries

    return registries.credential_show(registry_name, resource_group_name)


def credential_renew(registry_name, password_name, resource_group_name=None):
    from azlocal.services import registries

    return registries.credential_renew(registry_name, password_name, resource_group_name)


# Repositories ----------------------------------------------------------------------------

def repository_list(registry_name, top=None, username=None, password=None, suffix=None, resource_group_name=None):
    from azlocal.services import repositories

    return repositories.list_repositories(registry_name, top, username, password)


def repository_show_tags(registry_name, repository, detail=False, orderby=None, top=None, username=None,
                         password=None, suffix=None, resource_group_name=None):
    from azlocal.services import repositories

    return repositories.show_tags(registry_name, repository, detail, orderby, top, username, password)


def repository_show_manifests(registry_name, repository, detail=False, orderby=None, top=None, username=None,
                              password=None, suffix=None, resource_group_name=None):
    from knack.log import get_logger

    from azlocal.services import repositories

    get_logger(__name__).warning("This command has been deprecated and will be removed in a future release. "
                                 "Use 'acr manifest list-metadata' instead.")
    return repositories.show_manifests(registry_name, repository, detail, orderby, top, username, password)


def repository_show(registry_name, image=None, repository=None, username=None, password=None, suffix=None,
                    resource_group_name=None):
    from azlocal.services import repositories

    return repositories.show(registry_name, image, repository, username, password)


def repository_update(registry_name, image=None, repository=None, delete_enabled=None, list_enabled=None,
                      read_enabled=None, write_enabled=None, username=None, password=None, suffix=None,
                      resource_group_name=None):
    from azlocal.services import repositories

    return repositories.update(registry_name, image, repository, _bool(delete_enabled), _bool(list_enabled),
                               _bool(read_enabled), _bool(write_enabled), username, password)


def repository_delete(registry_name, image=None, repository=None, yes=False, username=None, password=None,
                      suffix=None, resource_group_name=None):
    from azlocal.services import repositories

    return repositories.delete(registry_name, image, repository, yes, username, password)


def repository_untag(registry_name, image, username=None, password=None, suffix=None, resource_group_name=None):
    from azlocal.services import repositories

    repositories.untag(registry_name, image, username, password)
