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
    with CommandGroup(loader, "local", "azlocal.commands.local#{}") as g:
        g.command("status", "status")
        g.command("reset", "reset", confirmation=True)
    with CommandGroup(loader, "local images", "azlocal.commands.local#{}") as g:
        g.command("prepare", "images_prepare")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "local") as c:
        c.argument("cmd", help=None)


def status():
    from azlocal.services import local

    return local.status()


def reset():
    from azlocal.services import local

    return local.reset()


def images_prepare():
    from azlocal.engine import standins
    from azlocal.engine.docker_client import client

    return {"built": standins.prepare_all(client())}
