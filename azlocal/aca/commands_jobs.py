"""az containerapp job …: jobs (Manual, Schedule, Event triggers), their executions, secrets and registries.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_jobs.yaml.
Handlers in custom_jobs; behaviour in jobs, job_spec, job_yaml, job_config, job_executions, job_runtime."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.tables import table

helpdata.register(__file__, "_help_jobs.yaml")

JOBS = "azlocal.aca.custom_jobs#{}"


def execution_table(result):
    rows = result if isinstance(result, list) else [result]
    return table(rows, {"Name": lambda e: e["name"], "StartTime": lambda e: e["properties"].get("startTime"),
                        "Status": lambda e: e["properties"].get("status")})


def load_commands(loader):
    with CommandGroup(loader, "containerapp job", JOBS) as g:
        g.command("create", "job_create")
        g.command("update", "job_update")
        g.command("show", "job_show")
        g.command("list", "job_list")
        g.command("delete", "job_delete", confirmation=True)
        g.command("start", "job_start")
        g.command("stop", "job_stop")
    with CommandGroup(loader, "containerapp job execution", JOBS) as g:
        g.command("list", "execution_list", table_transformer=execution_table)
        g.command("show", "execution_show", table_transformer=execution_table)
    with CommandGroup(loader, "containerapp job secret", JOBS) as g:
        g.command("list", "secret_list")
        g.command("show", "secret_show")
        g.command("set", "secret_set")
        g.command("remove", "secret_remove", confirmation=True)
    with CommandGroup(loader, "containerapp job registry", JOBS) as g:
        g.command("list", "registry_list")
        g.command("show", "registry_show")
        g.command("set", "registry_set")
        g.command("remove", "registry_remove")


def load_arguments(loader, command):
    _job_arguments(loader)
    _create_arguments(loader)
    _other_arguments(loader)


def _job_arguments(loader):
    with ArgumentsContext(loader, "containerapp job") as c:
        c.argument("name", options_list=["--name", "-n"],
                   help="The job's name: 1 to 32 lower-case letters, digits and single hyphens, starting with a "
                   "letter and ending with a letter or digit.")
        c.argument("image", options_list=["--image"], help="The image the job's container runs, e.g. "
                   "myregistry.azurecr.io/batch:v1.")
        c.argument("container_name", options_list=["--container-name"], help="Name of the container.")
        c.argument("cron_expression", options_list=["--cron-expression"],
                   help='Cron expression (five fields, UTC). Only for trigger type "Schedule".')
        c.argument("replica_timeout", type=int, options_list=["--replica-timeout"],
                   help="Maximum number of seconds an execution's replicas may run.")
        c.argument("replica_retry_limit", type=int, options_list=["--replica-retry-limit"],
                   help="How many failed replicas an execution replaces before it fails.")
        c.argument("replica_completion_count", type=int, options_list=["--replica-completion-count", "--rcc"],
                   help="How many replicas must succeed for an execution to succeed.")
        c.argument("parallelism", type=int, options_list=["--parallelism"],
                   help="How many replicas of an execution may run at once.")
        c.argument("min_executions", type=int, options_list=["--min-executions"], arg_group="Scale",
                   help="Executions an Event job keeps running at least, each polling interval.")
        c.argument("max_executions", type=int, options_list=["--max-executions"], arg_group="Scale",
                   help="Most executions an Event job runs at once (default 100).")
        c.argument("polling_interval", type=int, options_list=["--polling-interval"], arg_group="Scale",
                   help="Seconds between two checks of an Event job's scale rules (default 30).")
        c.argument("scale_rule_name", options_list=["--scale-rule-name", "--srn"], arg_group="Scale",
                   help="The name of the scale rule.")
        c.argument("scale_rule_type", options_list=["--scale-rule-type", "--srt"], arg_group="Scale",
                   help="The KEDA scaler of the rule (cron fires here; other types are recorded only).")
        c.argument("scale_rule_metadata", options_list=["--scale-rule-metadata", "--srm"], nargs="+",
                   arg_group="Scale", help="The rule's metadata: space-separated 'key=value' pairs.")
        c.argument("scale_rule_auth", options_list=["--scale-rule-auth", "--sra"], nargs="+", arg_group="Scale",
                   help="The rule's auth: space-separated 'triggerParameter=secretRef' pairs.")
        c.argument("workload_profile_name", options_list=["--workload-profile-name", "-w"],
                   help="The environment's workload profile to run the job on.")
        c.argument("yaml", options_list=["--yaml"],
                   help="Path to a .yaml file with the job's definition. All other parameters are ignored.")
        c.argument("cpu", options_list=["--cpu"], arg_group="Container",
                   help="CPU cores of the container, from 0.25 to 2.0, e.g. 0.5.")
        c.argument("memory", options_list=["--memory"], arg_group="Container",
                   help='Memory of the container, from 0.5 to 4.0 ending with "Gi", e.g. 1.0Gi.')
        c.argument("env_vars", options_list=["--env-vars"], nargs="*", arg_group="Container",
                   help="Environment variables of the container: space-separated 'key=value' pairs; "
                   "'secretref:<name>' as a value references a secret.")
        c.argument("startup_command", options_list=["--command"], nargs="*", arg_group="Container",
                   help="The container's command (its entrypoint), space-separated words.")
        c.argument("args", options_list=["--args"], nargs="*", arg_group="Container",
                   help="The arguments of the container's command, space-separated words.")
        c.argument("registry_identity", options_list=["--registry-identity"], arg_group="Configuration",
                   help="A managed identity to pull from the registry with: a resource ID, or 'system'.")


def _create_arguments(loader):
    with ArgumentsContext(loader, "containerapp job create") as c:
        c.argument("managed_env", options_list=["--environment"],
                   help="Name or resource ID of the job's Container Apps environment.")
        c.argument("trigger_type", options_list=["--trigger-type"], help="Trigger type: Schedule, Event or Manual.")
        c.argument("parallelism", type=int, options_list=["--parallelism"], default=1,
                   help="How many replicas of an execution may run at once.")
        c.argument("replica_completion_count", type=int, options_list=["--replica-completion-count", "--rcc"],
                   default=1, help="How many replicas must succeed for an execution to succeed.")
        c.argument("secrets", options_list=["--secrets", "-s"], nargs="*", arg_group="Configuration",
                   help="Secrets of the job: space-separated 'key=value' pairs.")
        c.argument("registry_server", options_list=["--registry-server"], arg_group="Configuration",
                   help="The container registry server, e.g. myregistry.azurecr.io.")
        c.argument("registry_user", options_list=["--registry-username"], arg_group="Configuration",
                   help="The username to log in to the container registry.")
        c.argument("registry_pass", options_list=["--registry-password"], arg_group="Configuration",
                   help="The password to log in to the container registry.")
        c.argument("system_assigned", options_list=["--mi-system-assigned", "--system-assigned"],
                   action="store_true", help="Assign a system-assigned identity to the job.")
        c.argument("user_assigned", options_list=["--mi-user-assigned", "--user-assigned"], nargs="+",
                   help="Space-separated user-assigned identities (resource IDs) to assign.")


def _other_arguments(loader):
    with ArgumentsContext(loader, "containerapp job update") as c:
        c.argument("set_env_vars", options_list=["--set-env-vars"], nargs="*", arg_group="Container",
                   help="Add or update environment variables of the container: 'key=value' pairs.")
        c.argument("remove_env_vars", options_list=["--remove-env-vars"], nargs="*", arg_group="Container",
                   help="Remove environment variables of the container, by name.")
        c.argument("replace_env_vars", options_list=["--replace-env-vars"], nargs="*", arg_group="Container",
                   help="Replace every environment variable of the container with these 'key=value' pairs.")
        c.argument("remove_all_env_vars", options_list=["--remove-all-env-vars"], action="store_true",
                   arg_group="Container", help="Remove every environment variable of the container.")
    with ArgumentsContext(loader, "containerapp job stop") as c:
        c.argument("job_execution_name", options_list=["--job-execution-name"],
                   help="The execution to stop (default: every running one).")
        c.argument("execution_name_list", options_list=["--execution-name-list"],
                   help="Deprecated: use --job-execution-name.")
    with ArgumentsContext(loader, "containerapp job execution") as c:
        c.argument("job_execution_name", options_list=["--job-execution-name"], help="The name of the execution.")
    with ArgumentsContext(loader, "containerapp job secret") as c:
        c.argument("secrets", options_list=["--secrets", "-s"], nargs="+",
                   help="Secrets to add or update: space-separated 'key=value' pairs.")
        c.argument("secret_name", options_list=["--secret-name"], help="The name of the secret to show.")
        c.argument("secret_names", options_list=["--secret-names"], nargs="+",
                   help="The names of the secrets to remove, space-separated.")
        c.argument("show_values", options_list=["--show-values"], action="store_true", help="Show the values too.")
    with ArgumentsContext(loader, "containerapp job registry") as c:
        c.argument("server", options_list=["--server"], help="The container registry server, e.g. "
                   "myregistry.azurecr.io.")
        c.argument("username", options_list=["--username"],
                   help="The registry's username (looked up for an Azure Container Registry of this machine).")
        c.argument("password", options_list=["--password"],
                   help="The registry's password (looked up for an Azure Container Registry of this machine).")
        c.argument("identity", options_list=["--identity"],
                   help="A managed identity to pull with instead of a password: 'system' or a resource ID.")
