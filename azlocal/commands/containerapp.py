"""az containerapp: environments, apps, revisions, ingress and traffic, secrets, replicas."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup
from knack.help_files import helps

from azlocal.commands.conventions import as_bool, enum_type, three_state_flag

helps["containerapp"] = """
type: group
short-summary: Manage Azure Container Apps, run locally on Docker behind azlocal's ingress gateway.
"""
helps["containerapp create"] = """
type: command
short-summary: Create a container app and its first revision.
examples:
  - name: Create an app with external ingress.
    text: >
      az containerapp create -n my-app -g MyResourceGroup --environment MyEnv
      --image mcr.microsoft.com/azuredocs/containerapps-helloworld:latest --target-port 80 --ingress external
  - name: Create an app that reads a secret through an environment variable.
    text: >
      az containerapp create -n reader -g MyResourceGroup --environment MyEnv
      --secrets conn=s3cr3t --env-vars ConnectionString=secretref:conn
"""
helps["containerapp update"] = """
type: command
short-summary: Update a container app; template changes create a new revision.
examples:
  - name: Deploy a new image.
    text: az containerapp update -n my-app -g MyResourceGroup --image mcr.microsoft.com/k8se/quickstart:latest
  - name: Add or change environment variables.
    text: az containerapp update -n my-app -g MyResourceGroup --set-env-vars MODE=debug
"""
helps["containerapp show"] = """
type: command
short-summary: Show a container app.
examples:
  - name: Print the app's address.
    text: az containerapp show -n my-app -g MyResourceGroup --query properties.configuration.ingress.fqdn -o tsv
"""
helps["containerapp list"] = """
type: command
short-summary: List container apps.
examples:
  - name: List the apps of a group as a table.
    text: az containerapp list -g MyResourceGroup -o table
"""
helps["containerapp delete"] = """
type: command
short-summary: Delete a container app and its revisions' containers.
examples:
  - name: Delete without a prompt.
    text: az containerapp delete -n my-app -g MyResourceGroup --yes
"""
helps["containerapp browse"] = """
type: command
short-summary: Open the app's address in a browser (or print it).
"""
helps["containerapp exec"] = """
type: command
short-summary: Run a command in a replica of the app (interactive on a terminal).
examples:
  - name: Open a shell.
    text: az containerapp exec -n my-app -g MyResourceGroup --command sh
"""
helps["containerapp logs"] = """
type: group
short-summary: Show the logs of a container app.
"""
helps["containerapp logs show"] = """
type: command
short-summary: Show the console logs of a replica.
examples:
  - name: Follow the logs as text.
    text: az containerapp logs show -n my-app -g MyResourceGroup --follow --format text
"""
helps["containerapp up"] = """
type: command
short-summary: Create or update a container app, with its resource group, environment and registry as needed.
examples:
  - name: Deploy an image.
    text: az containerapp up -n my-app --image mcr.microsoft.com/k8se/quickstart:latest
  - name: Build a local folder with a Dockerfile and deploy it.
    text: az containerapp up -n my-app --source .
"""
helps["containerapp env"] = """
type: group
short-summary: Manage Container Apps environments.
"""
helps["containerapp env create"] = """
type: command
short-summary: Create a Container Apps environment (a Docker network and a default domain).
examples:
  - name: Create an environment.
    text: az containerapp env create -n MyEnv -g MyResourceGroup -l eastus
"""
helps["containerapp env show"] = """
type: command
short-summary: Show an environment.
"""
helps["containerapp env list"] = """
type: command
short-summary: List environments.
"""
helps["containerapp env update"] = """
type: command
short-summary: Update an environment's tags.
"""
helps["containerapp env delete"] = """
type: command
short-summary: Delete an environment that has no apps left.
examples:
  - name: Delete an environment.
    text: az containerapp env delete -n MyEnv -g MyResourceGroup --yes
"""
helps["containerapp revision"] = """
type: group
short-summary: Manage the revisions of a container app.
"""
for _verb, _summary in (("list", "List the active revisions (all with --all)."), ("show", "Show a revision."),
                        ("activate", "Activate a revision."), ("deactivate", "Deactivate a revision."),
                        ("restart", "Restart a revision's replicas (they pick up current secret values)."),
                        ("copy", "Create a revision from an existing one, with changes."),
                        ("set-mode", "Set single or multiple revision mode.")):
    helps[f"containerapp revision {_verb}"] = f"""
type: command
short-summary: {_summary}
examples:
  - name: An example.
    text: az containerapp revision {_verb} -n my-app -g MyResourceGroup{' --revision my-app--v2' if _verb in (
        'show', 'activate', 'deactivate', 'restart') else ' --mode multiple' if _verb == 'set-mode' else ''}
"""
helps["containerapp revision label"] = """
type: group
short-summary: Manage revision labels (a stable address for one revision).
"""
helps["containerapp revision label add"] = """
type: command
short-summary: Add a label to a revision.
examples:
  - name: Label a revision blue.
    text: az containerapp revision label add -n my-app -g MyResourceGroup --revision my-app--v2 --label blue
"""
helps["containerapp revision label remove"] = """
type: command
short-summary: Remove a label.
"""
helps["containerapp revision label swap"] = """
type: command
short-summary: Swap the revisions of two labels.
"""
helps["containerapp ingress"] = """
type: group
short-summary: Manage a container app's ingress.
"""
helps["containerapp ingress enable"] = """
type: command
short-summary: Enable ingress.
examples:
  - name: Expose port 80 externally.
    text: az containerapp ingress enable -n my-app -g MyResourceGroup --type external --target-port 80
"""
helps["containerapp ingress disable"] = """
type: command
short-summary: Disable ingress.
"""
helps["containerapp ingress update"] = """
type: command
short-summary: Update ingress settings.
"""
helps["containerapp ingress show"] = """
type: command
short-summary: Show ingress settings.
"""
helps["containerapp ingress traffic"] = """
type: group
short-summary: Manage traffic weights across revisions.
"""
helps["containerapp ingress traffic set"] = """
type: command
short-summary: Set traffic weights (multiple revision mode).
examples:
  - name: Split traffic evenly.
    text: az containerapp ingress traffic set -n my-app -g MyResourceGroup --revision-weight my-app--v1=50 latest=50
"""
helps["containerapp ingress traffic show"] = """
type: command
short-summary: Show traffic weights.
"""
helps["containerapp secret"] = """
type: group
short-summary: Manage a container app's secrets (values live in the secret store).
"""
helps["containerapp secret list"] = """
type: command
short-summary: List secret names (values with --show-values).
"""
helps["containerapp secret show"] = """
type: command
short-summary: Show a secret with its value.
examples:
  - name: Print a secret's value.
    text: az containerapp secret show -n my-app -g MyResourceGroup --secret-name conn --query value -o tsv
"""
helps["containerapp secret set"] = """
type: command
short-summary: Add or change secrets (running revisions see new values after a restart).
examples:
  - name: Set a secret.
    text: az containerapp secret set -n my-app -g MyResourceGroup --secrets conn=new-value
"""
helps["containerapp secret remove"] = """
type: command
short-summary: Remove secrets no active revision uses.
"""
helps["containerapp replica"] = """
type: group
short-summary: Show the replicas of a revision.
"""
helps["containerapp replica list"] = """
type: command
short-summary: List replicas.
"""
helps["containerapp replica show"] = """
type: command
short-summary: Show a replica.
"""
helps["containerapp registry"] = """
type: group
short-summary: Manage the registries a container app pulls from.
"""
for _verb in ("set", "list", "show", "remove"):
    helps[f"containerapp registry {_verb}"] = f"""
type: command
short-summary: {_verb.capitalize()} registry credentials of a container app.
"""
helps["containerapp dapr"] = """
type: group
short-summary: Record Dapr settings (no Dapr sidecar runs offline).
"""
helps["containerapp dapr enable"] = """
type: command
short-summary: Enable Dapr (recorded only).
"""
helps["containerapp dapr disable"] = """
type: command
short-summary: Disable Dapr.
"""

name_type = CLIArgumentType(options_list=["--name", "-n"], help="The name of the Containerapp.")
bool_type = three_state_flag()


def _bool(value):
    return as_bool(value)


def load_commands(loader):
    with CommandGroup(loader, "containerapp", "azlocal.commands.containerapp#{}") as g:
        g.command("create", "app_create", table_transformer=app_table)
        g.command("update", "app_update", table_transformer=app_table)
        g.command("show", "app_show", table_transformer=app_table)
        g.command("list", "app_list", table_transformer=app_table)
        g.command("delete", "app_delete", confirmation=True)
        g.command("browse", "app_browse")
        g.command("exec", "app_exec")
        g.command("up", "app_up")
    with CommandGroup(loader, "containerapp logs", "azlocal.commands.containerapp#{}") as g:
        g.command("show", "logs_show")
    with CommandGroup(loader, "containerapp env", "azlocal.commands.containerapp#{}") as g:
        g.command("create", "env_create")
        g.command("show", "env_show")
        g.command("list", "env_list")
        g.command("update", "env_update")
        g.command("delete", "env_delete", confirmation=True)
    with CommandGroup(loader, "containerapp revision", "azlocal.commands.containerapp#{}") as g:
        g.command("list", "revision_list", table_transformer=revision_table)
        g.command("show", "revision_show", table_transformer=revision_table)
        g.command("activate", "revision_activate")
        g.command("deactivate", "revision_deactivate")
        g.command("restart", "revision_restart")
        g.command("copy", "revision_copy", table_transformer=app_table)
        g.command("set-mode", "revision_set_mode")
    with CommandGroup(loader, "containerapp revision label", "azlocal.commands.containerapp#{}") as g:
        g.command("add", "label_add", table_transformer=traffic_table)
        g.command("remove", "label_remove", table_transformer=traffic_table)
        g.command("swap", "label_swap", table_transformer=traffic_table)
    with CommandGroup(loader, "containerapp ingress", "azlocal.commands.containerapp#{}") as g:
        g.command("enable", "ingress_enable")
        g.command("disable", "ingress_disable")
        g.command("update", "ingress_update")
        g.command("show", "ingress_show")
    with CommandGroup(loader, "containerapp ingress traffic", "azlocal.commands.containerapp#{}") as g:
        g.command("set", "traffic_set", table_transformer=traffic_table)
        g.command("show", "traffic_show", table_transformer=traffic_table)
    with CommandGroup(loader, "containerapp secret", "azlocal.commands.containerapp#{}") as g:
        g.command("list", "secret_list")
        g.command("show", "secret_show")
        g.command("set", "secret_set")
        g.command("remove", "secret_remove")
    with CommandGroup(loader, "containerapp replica", "azlocal.commands.containerapp#{}") as g:
        g.command("list", "replica_list")
        g.command("show", "replica_show")
    with CommandGroup(loader, "containerapp registry", "azlocal.commands.containerapp#{}") as g:
        g.command("set", "registry_set")
        g.command("list", "registry_list")
        g.command("show", "registry_show")
        g.command("remove", "registry_remove")
    with CommandGroup(loader, "containerapp dapr", "azlocal.commands.containerapp#{}") as g:
        g.command("enable", "dapr_enable")
        g.command("disable", "dapr_disable")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp") as c:
        c.argument("name", name_type)
        c.argument("environment", help="Name or resource ID of the container app's environment.")
        c.argument("image", options_list=["--image", "-i"], help="Container image, e.g. publisher/image-name:tag.")
        c.argument("container_name", help="Name of the container.")
        c.argument("cpu", type=float, help="Required CPU in cores from 0.25 - 2.0, e.g. 0.5")
        c.argument("memory", help="Required memory from 0.5 - 4.0 ending with \"Gi\", e.g. 1.0Gi")
        c.argument("env_vars", nargs="*", help="A list of environment variable(s) for the container. Space-separated "
                   "values in 'key=value' format. Empty string to clear existing values. Prefix value with "
                   "'secretref:' to reference a secret.")
        c.argument("secrets", options_list=["--secrets", "-s"], nargs="*",
                   help="A list of secret(s) for the container app. Space-separated values in 'key=value' format.")
        c.argument("command", nargs="*", help="A list of supported commands on the container that will executed "
                   "during startup. Space-separated values e.g. \"/bin/queue\" \"mycommand\".")
        c.argument("args", nargs="*", help="A list of container startup command argument(s).")
        c.argument("revision_suffix", help="User friendly suffix that is appended to the revision name.")
        c.argument("revisions_mode", enum_type(["single", "multiple"]), help="The active revisions mode.")
        c.argument("ingress", enum_type(["internal", "external"]), help="The ingress type.")
        c.argument("target_port", type=int, help="The application port used for ingress traffic.")
        c.argument("transport", enum_type(["auto", "http", "http2", "tcp"]), help="The transport protocol.")
        c.argument("allow_insecure", bool_type, help="Allow insecure connections for ingress traffic.")
        c.argument("min_replicas", type=int, help="The minimum number of replicas.")
        c.argument("max_replicas", type=int, help="The maximum number of replicas.")
        c.argument("registry_server", help="The container registry server hostname, e.g. myregistry.azurecr.io.")
        c.argument("registry_username", help="The username to log in to container registry.")
        c.argument("registry_password", help="The password to log in to container registry.")
        c.argument("secret_volume_mount", help="Path to mount all secrets e.g. mnt/secrets")
        c.argument("scale_rule_name", options_list=["--scale-rule-name", "--srn"], help="The name of the scale rule.")
        c.argument("scale_rule_type", options_list=["--scale-rule-type", "--srt"], help="The type of the scale rule.")
        c.argument("scale_rule_http_concurrency", type=int,
                   options_list=["--scale-rule-http-concurrency", "--srhc", "--srtc", "--scale-rule-tcp-concurrency"],
                   help="The maximum number of concurrent requests before scale out.")
        c.argument("yaml", help="Path to a .yaml file with the configuration of a container app. All other "
                   "parameters will be ignored.")
        c.argument("revision", help="The name of the revision.")
        c.argument("show_secrets", action="store_true", help="Show Containerapp secrets.")
        c.argument("all_", options_list=["--all"], action="store_true", help="Show inactive revisions.")
        c.argument("set_env_vars", nargs="*", help="Add or update environment variable(s) in container.")
        c.argument("remove_env_vars", nargs="*", help="Remove environment variable(s) from container.")
        c.argument("replace_env_vars", nargs="*", help="Replace environment variable(s) in container.")
        c.argument("remove_all_env_vars", action="store_true", help="Remove all environment variable(s).")
        c.argument("logs_destination", enum_type(["azure-monitor", "log-analytics", "none"]), help="Logs destination.")
        c.argument("logs_workspace_id", help="Workspace ID of the Log Analytics workspace.")
        c.argument("logs_workspace_key", help="Log Analytics workspace key.")
        c.argument("mode", enum_type(["single", "multiple"]), help="The active revisions mode for the container app.")
        c.argument("label", help="The name of the label.")
        c.argument("source", help="The source label.")
        c.argument("target", help="The target label.")
        c.argument("from_revision", help="Revision to copy from. Default: latest revision.")
        c.argument("kind", enum_type(["internal", "external"]), options_list=["--type"], help="The ingress type.")
        c.argument("revision_weight", options_list=["--revision-weight", "--traffic-weight"], nargs="+",
                   help="A list of revision weight(s): 'revision=weight' or 'latest=weight'.")
        c.argument("label_weight", nargs="+", help="A list of label weight(s): 'label=weight'.")
        c.argument("secret_name", help="The name of the secret to show.")
        c.argument("secret_names", nargs="+", help="A list of secret(s) for the container app.")
        c.argument("show_values", action="store_true", help="Show the secret values.")
        c.argument("replica", help="The name of the replica.")
        c.argument("follow", bool_type, help="Print logs in real time if present.")
        c.argument("tail", type=int, help="The number of past logs to print (0-300).")
        c.argument("format", enum_type(["json", "text"]), options_list=["--format"], help="Log output format.")
        c.argument("log_type", enum_type(["console", "system"]), options_list=["--type", "-t"], help="Type of logs.")
        c.argument("container", help="The name of the container.")
        c.argument("exec_command", options_list=["--command"], help="The startup command (bash, zsh, sh, etc.).")
        c.argument("server", help="The container registry server, e.g. myregistry.azurecr.io")
        c.argument("username", help="The username of the registry.")
        c.argument("password", help="The password of the registry.")
        c.argument("dapr_app_id", help="The Dapr application identifier.")
        c.argument("dapr_app_port", type=int, help="The port Dapr uses to talk to the application.")
        c.argument("dapr_app_protocol", enum_type(["http", "grpc"]), help="The protocol Dapr uses to talk to the app.")
        c.argument("dapr_log_level", enum_type(["debug", "error", "info", "warn"]), help="The log level for Dapr.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    with ArgumentsContext(loader, "containerapp up") as c:
        c.argument("source", help="Local directory path containing the application source and Dockerfile.")
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], configured_default="group",
                   required=False, help="Name of resource group (created if missing).")
    with ArgumentsContext(loader, "containerapp env") as c:
        c.argument("name", options_list=["--name", "-n"], help="Name of the Container Apps environment.")


# Table formats -----------------------------------------------------------------------------------

def app_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("Name", a["name"]), ("Location", a["location"]),
                         ("ResourceGroup", a.get("resourceGroup", "")),
                         ("Fqdn", ((a["properties"]["configuration"].get("ingress") or {}).get("fqdn") or ""))])
            for a in rows]


def revision_table(result):
    rows = result if isinstance(result, list) else [result]
    return [OrderedDict([("CreatedTime", r["properties"]["createdTime"]), ("Active", r["properties"]["active"]),
                         ("Replicas", r["properties"]["replicas"]),
                         ("TrafficWeight", r["properties"]["trafficWeight"]),
                         ("HealthState", r["properties"]["healthState"]),
                         ("ProvisioningState", r["properties"]["provisioningState"]), ("Name", r["name"])])
            for r in rows]


def traffic_table(result):
    return [OrderedDict([("LatestRevision", t.get("latestRevision", False)), ("Weight", t.get("weight")),
                         ("Label", t.get("label") or ""), ("RevisionName", t.get("revisionName") or "")])
            for t in result or []]


# Handlers ----------------------------------------------------------------------------------------

def _svc():
    from azlocal.services import containerapps

    return containerapps


def _scale_rule(name, kind, concurrency):
    if not name:
        return None
    kind = kind or "http"
    if kind in ("http", "tcp"):
        key = "concurrentRequests" if kind == "http" else "concurrentConnections"
        return [{"name": name, kind: {"metadata": {key: str(concurrency or 10)}}}]
    return [{"name": name, "custom": {"type": kind, "metadata": {}}}]


def app_create(name, resource_group_name, environment=None, image=None, container_name=None, cpu=None, memory=None,
               env_vars=None, secrets=None, command=None, args=None, revision_suffix=None, revisions_mode="single",
               ingress=None, target_port=None, transport="auto", allow_insecure=None, min_replicas=None,
               max_replicas=None, registry_server=None, registry_username=None, registry_password=None,
               secret_volume_mount=None, scale_rule_name=None, scale_rule_type=None,
               scale_rule_http_concurrency=None, yaml=None, tags=None, no_wait=False):
    from azlocal.commands.common import Progress, parse_tags
    from azlocal.errors import AzLocalError

    svc = _svc()
    if yaml:
        from knack.log import get_logger

        try:
            with open(yaml) as f:
                definition = svc.definition_from_yaml(f.read())
        except OSError as ex:
            raise AzLocalError(f"Cannot read '{yaml}': {ex.strerror}") from ex
        get_logger(__name__).warning("Additional flags were passed along with --yaml. These flags will be ignored, "
                                     "and the configuration defined in the yaml will be used instead")
        with Progress():
            app = svc.create(resource_group_name, name, environment or definition["environment"],
                             secrets_=definition["secrets"], revisions_mode=definition["revisions_mode"],
                             ingress=definition["ingress"], target_port=definition["target_port"],
                             transport=definition["transport"], allow_insecure=definition["allow_insecure"],
                             tags=parse_tags(tags), template_override=definition["template"])
        return svc.hide_env_values(app)
    with Progress():
        app = svc.create(resource_group_name, name, environment, image, container_name, cpu, memory, env_vars,
                         secrets, command, args, revision_suffix, revisions_mode or "single", ingress, target_port,
                         transport, _bool(allow_insecure), min_replicas, max_replicas, registry_server,
                         registry_username, registry_password, secret_volume_mount,
                         _scale_rule(scale_rule_name, scale_rule_type, scale_rule_http_concurrency),
                         parse_tags(tags))
    return svc.hide_env_values(app)


def app_update(name, resource_group_name, image=None, container_name=None, cpu=None, memory=None,
               set_env_vars=None, remove_env_vars=None, replace_env_vars=None, remove_all_env_vars=False,
               command=None, args=None, revision_suffix=None, min_replicas=None, max_replicas=None,
               scale_rule_name=None, scale_rule_type=None, scale_rule_http_concurrency=None, tags=None, yaml=None,
               no_wait=False, set_=None, add=None, remove=None, force_string=False):
    from azlocal.commands.common import Progress, parse_tags

    svc = _svc()
    with Progress():
        app = svc.update(resource_group_name, name, image, container_name, cpu, memory, set_env_vars,
                         remove_env_vars, replace_env_vars, remove_all_env_vars, command, args, revision_suffix,
                         min_replicas, max_replicas,
                         _scale_rule(scale_rule_name, scale_rule_type, scale_rule_http_concurrency),
                         parse_tags(tags), set_, add, remove, force_string)
    return svc.hide_env_values(app)


def app_show(name, resource_group_name, show_secrets=False):
    svc = _svc()
    app = svc.get(resource_group_name, name)
    return svc.with_secrets(app) if show_secrets else app


def app_list(resource_group_name=None, environment=None):
    return _svc().list_apps(resource_group_name, environment)


def app_delete(name, resource_group_name, no_wait=False):
    _svc().delete(resource_group_name, name)


def app_browse(name, resource_group_name):
    _svc().browse(resource_group_name, name)


def app_exec(name, resource_group_name, exec_command="sh", container=None, replica=None, revision=None):
    _svc().exec_command(resource_group_name, name, exec_command, container, replica, revision)


def app_up(name, resource_group_name=None, location=None, environment=None, image=None, source=None, ingress=None,
           target_port=None, env_vars=None, registry_server=None, registry_username=None, registry_password=None):
    from azlocal.services import containerapp_up

    containerapp_up.up(name, resource_group_name, location, environment, image, source, ingress, target_port,
                       env_vars, registry_server, registry_username, registry_password)


def logs_show(name, resource_group_name, container=None, replica=None, revision=None, follow="false", tail=20,
              format="json", log_type="console"):
    _svc().logs_show(resource_group_name, name, container, replica, revision, _bool(follow), tail, format, log_type)


def env_create(name, resource_group_name, location=None, logs_destination="log-analytics", logs_workspace_id=None,
               logs_workspace_key=None, tags=None, no_wait=False):
    from azlocal.commands.common import Progress, parse_tags
    from azlocal.services import environments

    with Progress():
        return environments.create(resource_group_name, name, location, parse_tags(tags), logs_destination,
                                   logs_workspace_id)


def env_show(name, resource_group_name):
    from azlocal.services import environments

    return environments.get(resource_group_name, name)


def env_list(resource_group_name=None):
    from azlocal.services import environments

    return environments.list_environments(resource_group_name)


def env_update(name, resource_group_name, tags=None, no_wait=False):
    from azlocal.commands.common import parse_tags
    from azlocal.services import environments

    return environments.update(resource_group_name, name, parse_tags(tags))


def env_delete(name, resource_group_name, no_wait=False):
    from azlocal.services import environments

    environments.delete(resource_group_name, name)


def revision_list(name, resource_group_name, all_=False):
    return _svc().revision_list(resource_group_name, name, all_)


def revision_show(revision, resource_group_name, name=None):
    return _svc().revision_show(resource_group_name, name, revision)


def revision_activate(revision, resource_group_name, name=None):
    return _svc().revision_activate(resource_group_name, name, revision)


def revision_deactivate(revision, resource_group_name, name=None):
    return _svc().revision_deactivate(resource_group_name, name, revision)


def revision_restart(revision, resource_group_name, name=None):
    return _svc().revision_restart(resource_group_name, name, revision)


def revision_copy(resource_group_name, name=None, from_revision=None, image=None, container_name=None, cpu=None,
                  memory=None, set_env_vars=None, remove_env_vars=None, revision_suffix=None, min_replicas=None,
                  max_replicas=None):
    svc = _svc()
    app = svc.revision_copy(resource_group_name, name, from_revision, image=image, container_name=container_name,
                            cpu=cpu, memory=memory, set_env_vars=set_env_vars, remove_env_vars=remove_env_vars,
                            revision_suffix=revision_suffix, min_replicas=min_replicas, max_replicas=max_replicas)
    return svc.hide_env_values(app)


def revision_set_mode(name, resource_group_name, mode):
    return _svc().revision_set_mode(resource_group_name, name, mode)


def label_add(revision, label, resource_group_name, name=None, yes=False):
    return _svc().label_add(resource_group_name, name, revision, label, yes)


def label_remove(name, resource_group_name, label):
    return _svc().label_remove(resource_group_name, name, label)


def label_swap(name, resource_group_name, source, target):
    return _svc().label_swap(resource_group_name, name, source, target)


def ingress_enable(name, resource_group_name, kind, target_port=None, transport="auto", allow_insecure=None):
    return _svc().ingress_enable(resource_group_name, name, kind, target_port, transport, _bool(allow_insecure))


def ingress_disable(name, resource_group_name):
    _svc().ingress_disable(resource_group_name, name)


def ingress_update(name, resource_group_name, kind=None, target_port=None, transport=None, allow_insecure=None):
    return _svc().ingress_update(resource_group_name, name, kind, target_port, transport, _bool(allow_insecure))


def ingress_show(name, resource_group_name):
    return _svc().ingress_show(resource_group_name, name)


def traffic_set(name, resource_group_name, revision_weight=None, label_weight=None):
    return _svc().traffic_set(resource_group_name, name, revision_weight, label_weight)


def traffic_show(name, resource_group_name):
    return _svc().traffic_show(resource_group_name, name)


def secret_list(name, resource_group_name, show_values=False):
    return _svc().secret_list(resource_group_name, name, show_values)


def secret_show(name, resource_group_name, secret_name):
    return _svc().secret_show(resource_group_name, name, secret_name)


def secret_set(name, resource_group_name, secrets):
    return _svc().secret_set(resource_group_name, name, secrets)


def secret_remove(name, resource_group_name, secret_names):
    return _svc().secret_remove(resource_group_name, name, secret_names)


def replica_list(name, resource_group_name, revision=None):
    return _svc().replica_list(resource_group_name, name, revision)


def replica_show(name, resource_group_name, replica, revision=None):
    return _svc().replica_show(resource_group_name, name, replica, revision)


def registry_set(name, resource_group_name, server, username=None, password=None):
    return _svc().registry_set(resource_group_name, name, server, username, password)


def registry_list(name, resource_group_name):
    return _svc().registry_list(resource_group_name, name)


def registry_show(name, resource_group_name, server):
    return _svc().registry_show(resource_group_name, name, server)


def registry_remove(name, resource_group_name, server):
    return _svc().registry_remove(resource_group_name, name, server)


def dapr_enable(name, resource_group_name, dapr_app_id=None, dapr_app_port=None, dapr_app_protocol=None,
                dapr_log_level=None):
    return _svc().dapr_set(resource_group_name, name, True, dapr_app_id, dapr_app_port, dapr_app_protocol,
                           dapr_log_level)


def dapr_disable(name, resource_group_name):
    return _svc().dapr_set(resource_group_name, name, False)
