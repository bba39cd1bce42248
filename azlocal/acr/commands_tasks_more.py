"""az acr: the commands of one area (tasks_more): task timers, credentials, identities, update-run, taskrun and
agentpool — table, arguments; help in _help_tasks_more.yaml, handlers in custom_tasks_more."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.acr._format import agentpool_table, run_table, task_identity_table, task_table, taskrun_table
from azlocal.acr._params import bool_type, no_format_type, registry_flag_type
from azlocal.core import helpdata

helpdata.register(__file__, "_help_tasks_more.yaml")

HANDLERS = "azlocal.acr.custom_tasks_more#{}"


def load_commands(loader):
    with CommandGroup(loader, "acr task", HANDLERS) as g:
        for verb in ("add", "update", "remove"):
            g.command(f"timer {verb}", f"timer_{verb}", table_transformer=task_table)
        g.command("timer list", "timer_list")
        for verb in ("add", "update", "remove", "list"):
            g.command(f"credential {verb}", f"credential_{verb}")
        g.command("identity assign", "identity_assign", table_transformer=task_table)
        g.command("identity remove", "identity_remove", table_transformer=task_table)
        g.command("identity show", "identity_show", table_transformer=task_identity_table)
        g.command("update-run", "update_run", table_transformer=run_table)
    with CommandGroup(loader, "acr taskrun", HANDLERS, is_preview=True) as g:
        g.command("list", "taskrun_list", table_transformer=taskrun_table)
        g.command("show", "taskrun_show", table_transformer=taskrun_table)
        g.command("logs", "taskrun_logs")
        g.command("delete", "taskrun_delete")
    with CommandGroup(loader, "acr agentpool", HANDLERS, is_preview=True) as g:
        g.command("create", "agentpool_create", table_transformer=agentpool_table)
        g.command("update", "agentpool_update", table_transformer=agentpool_table)
        g.command("delete", "agentpool_delete")
        g.command("list", "agentpool_list", table_transformer=agentpool_table)
        g.command("show", "agentpool_show", table_transformer=agentpool_table)


def load_arguments(loader, command):
    with ArgumentsContext(loader, "acr task timer") as c:
        c.argument("timer_name", options_list=["--timer-name"], help="The name of the timer trigger.")
        c.argument("timer_schedule", options_list=["--schedule"],
                   help="The timer's schedule: a cron expression of five fields, in UTC.")
        c.argument("enabled", bool_type, help="Whether the timer trigger is enabled.")
    with ArgumentsContext(loader, "acr task credential") as c:
        c.argument("login_server", options_list=["--login-server"],
                   help="The login server of the custom registry, e.g. 'myregistry.azurecr.io'.")
        c.argument("username", options_list=["--username", "-u"],
                   help="The username the task's runs log in to the custom registry with.")
        c.argument("password", options_list=["--password", "-p"],
                   help="The password the task's runs log in to the custom registry with (kept in the secret "
                   "store; Key Vault secret URIs are not available offline).")
        c.argument("use_identity", options_list=["--use-identity"],
                   help="The task's managed identity for this credential, '[system]' or a client id (recorded; "
                   "managed identities issue no tokens offline yet).")
    with ArgumentsContext(loader, "acr task identity") as c:
        c.argument("identities", options_list=["--identities"], nargs="*",
                   help="Managed identities: '[system]' for the system-assigned one, or user-assigned identity "
                   "resource IDs ('[all]' with remove: every identity).")
    with ArgumentsContext(loader, "acr task update-run") as c:
        c.argument("no_archive", bool_type, help="Whether the run should not be archived.")
    with ArgumentsContext(loader, "acr taskrun") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"], help="The name of the taskrun.")
        c.argument("no_format", no_format_type)
    with ArgumentsContext(loader, "acr agentpool") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("name", options_list=["--name", "-n"], help="The name of the agent pool.")
        c.argument("count", options_list=["--count", "-c"], type=int, help="The number of agents in the pool.")
        c.argument("tier", help="The VM size of the pool's agents: S1, S2, S3 or I6.")
        c.argument("subnet_id", options_list=["--subnet-id"],
                   help="The resource ID of the virtual network subnet the agents join.")
        c.argument("os_type", options_list=["--os"], help="The OS of the agents (deprecated: Linux only).")
        c.argument("no_wait", options_list=["--no-wait"], action="store_true",
                   help="Do not wait for the operation to finish.")
        c.argument("queue_count", options_list=["--queue-count"], action="store_true",
                   help="Show only the number of runs waiting in the pool's queue.")
