"""az containerapp env logs show: an environment's system logs.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_logs.yaml.
The handler is here too (one call: the environment's event stream, printed as az prints it)."""

import sys

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import three_state_flag

helpdata.register(__file__, "_help_logs.yaml")

LOGS = "azlocal.aca.commands_logs#{}"


def load_commands(loader):
    with CommandGroup(loader, "containerapp env logs", LOGS) as g:
        g.command("show", "env_logs_show")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp env logs show") as c:
        c.argument("name", options_list=["--name", "-n"], help="Name of the Container Apps environment.")
        c.argument("follow", three_state_flag(), help="Print new events as they happen, until interrupted.")
        c.argument("tail", type=int, help="How many past events to print (0-300, default 20).")


def stream_line(entry):
    """One event as the environment's stream sends it and az prints it: compact JSON, with the quotes inside
    values shown as they are (az turns the stream's \\u0022 escapes back into quotes)."""
    import json

    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False).replace('\\"', '"')


def env_logs_show(name, resource_group_name, follow=None, tail=20):
    from azlocal.aca import environments, system_logs
    from azlocal.aca.custom_apps import check_tail
    from azlocal.core.conventions import as_bool

    check_tail(tail)
    env = environments.get(resource_group_name, name)
    try:
        for entry in system_logs.stream(env["id"], tail=20 if tail is None else tail, follow=as_bool(follow)):
            print(stream_line(entry))
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
