"""azlocal's own commands: `azlocal status|reset|images prepare` (also `az local …`)."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.resources import _help  # noqa: F401  (registers the help entries)

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
        g.command("list", "images_list", table_transformer=images_table)


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


def images_list():
    from azlocal.platform.engine import standins

    return standins.listing()


def images_table(rows):
    return [{"Name": ", ".join(r["names"]), "StandIn": "yes" if r["standIn"] else "no",
             "Reason": r["reason"] or ""} for r in rows]


def images_prepare():
    from azlocal.platform.engine import standins
    from azlocal.platform.engine.docker_client import client

    return {"built": standins.prepare_all(client())}
