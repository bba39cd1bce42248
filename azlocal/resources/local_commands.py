"""azlocal's own commands: `azlocal status|reset|images prepare` (also `az local …`)."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup
from knack.help_files import helps

helps["local"] = """
type: group
short-summary: Manage azlocal itself (also reachable as `azlocal <command>`).
"""
helps["local status"] = """
type: command
short-summary: Show where state lives, whether Docker is reachable and what azlocal runs.
examples:
  - name: Show the status.
    text: azlocal status
"""
helps["local reset"] = """
type: command
short-summary: Remove all of this home's state and every Docker object azlocal labelled for it.
examples:
  - name: Start over without a prompt.
    text: azlocal reset --yes
"""
helps["local start"] = """
type: command
short-summary: Start this home's daemon (the registry and the ingress gateway) if it is not running.
examples:
  - name: Start the daemon.
    text: azlocal start
"""
helps["local stop"] = """
type: command
short-summary: Stop this home's daemon. Commands that need it start it again.
examples:
  - name: Stop the daemon.
    text: azlocal stop
"""
helps["local logs"] = """
type: command
short-summary: Print the daemon's log.
examples:
  - name: Print the last 50 lines.
    text: azlocal logs --tail 50
"""
helps["local images"] = """
type: group
short-summary: Manage the offline stand-ins for the course's sample images.
"""
helps["local images prepare"] = """
type: command
short-summary: Build every stand-in sample image that Docker lacks.
examples:
  - name: Build the stand-ins before an offline class.
    text: azlocal images prepare
"""

# `azlocal <verb>` is `az local <verb>` for these verbs.
LOCAL_VERBS = ("status", "reset", "images", "start", "stop", "logs")


def load_commands(loader):
    with CommandGroup(loader, "local", "azlocal.resources.local_commands#{}") as g:
        g.command("status", "status")
        g.command("reset", "reset", confirmation=True)
        g.command("start", "start")
        g.command("stop", "stop")
        g.command("logs", "logs")
    with CommandGroup(loader, "local images", "azlocal.resources.local_commands#{}") as g:
        g.command("prepare", "images_prepare")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "local logs") as c:
        c.argument("tail", type=int, help="Print only the last N lines.")


def status():
    from azlocal.resources import local

    return local.status()


def reset():
    from azlocal.resources import local

    return local.reset()


def start():
    from azlocal.platform import lifecycle

    return lifecycle.ensure_running()


def stop():
    from azlocal.platform import lifecycle

    pid = lifecycle.stop()
    return {"stopped": pid is not None, "pid": pid}


def logs(tail=None):
    import sys

    from azlocal.platform import lifecycle

    sys.stdout.write(lifecycle.logs(tail))


def images_prepare():
    from azlocal.platform.engine import standins
    from azlocal.platform.engine.docker_client import client

    return {"built": standins.prepare_all(client())}
