"""az containerapp: the command table. The core commands are here (handlers in custom_apps, custom_env and
custom_config, arguments in _params, help in _help.yaml, table formats in _format); every other part of the
service is an area, azlocal.aca.commands_<area> (load_commands, load_arguments; help in _help_<area>.yaml),
holding the command groups whose words after `az containerapp` start with one of the prefixes AREAS lists.
Only the areas a command line needs are imported: all of them for `az containerapp -h`, for a group that
several areas share (`az containerapp env -h`), or for a word no area has (to suggest the right one)."""

import importlib

from knack.commands import CommandGroup

from azlocal.aca import (
    _help,  # noqa: F401  (registers the help entries)
    _params,
)
from azlocal.aca._format import app_table, revision_table, traffic_table

AREAS = {
    "jobs": (("job",),),
    "compose": (("compose",),),
    "ingress": (("ingress", "cors"), ("ingress", "access-restriction"), ("ingress", "sticky-sessions")),
    "domains": (("hostname",), ("ssl",), ("env", "certificate"), ("show-custom-domain-verification-id",),
                ("env", "http-route-config")),
    "platform": (("env", "workload-profile"), ("env", "storage"), ("env", "list-usages"), ("list-usages",),
                 ("env", "premium-ingress"), ("env", "dapr-component"), ("github-action",)),
    "logs": (("env", "logs"),),
    "identity": (("identity",), ("job", "identity")),
}


CORE_WORDS = {"create", "update", "show", "list", "delete", "browse", "exec", "up", "logs", "env", "revision",
              "ingress", "secret", "replica", "registry", "dapr"}


def _areas(words=None):
    words = list(words or [])
    rest = tuple(words[1:]) if words[:1] == ["containerapp"] else ()
    chosen = [area for area, prefixes in AREAS.items()
              if any(rest[:len(p)] == p or p[:len(rest)] == rest for p in prefixes)]
    if not chosen and rest and rest[0] not in CORE_WORDS:
        chosen = list(AREAS)  # a word no table has: every area, so the error can suggest the right command
    return [importlib.import_module(f"azlocal.aca.commands_{area}") for area in chosen]


def load_arguments(loader, command):
    _params.load_arguments(loader, command)
    for area in _areas(command.split()):
        area.load_arguments(loader, command)

APPS = "azlocal.aca.custom_apps#{}"
ENVS = "azlocal.aca.custom_env#{}"
CONFIG = "azlocal.aca.custom_config#{}"


def load_commands(loader):
    _core_commands(loader)
    for area in _areas(getattr(loader, "command_words", None)):
        area.load_commands(loader)


def _core_commands(loader):
    with CommandGroup(loader, "containerapp", APPS) as g:
        g.command("create", "app_create", table_transformer=app_table)
        g.command("update", "app_update", table_transformer=app_table)
        g.command("show", "app_show", table_transformer=app_table)
        g.command("list", "app_list", table_transformer=app_table)
        g.command("delete", "app_delete", confirmation=True)
        g.command("browse", "app_browse")
        g.command("exec", "app_exec")
        g.command("up", "app_up")
    with CommandGroup(loader, "containerapp logs", APPS) as g:
        g.command("show", "logs_show")
    with CommandGroup(loader, "containerapp env", ENVS) as g:
        g.command("create", "env_create")
        g.command("show", "env_show")
        g.command("list", "env_list")
        g.command("update", "env_update")
        g.command("delete", "env_delete", confirmation=True)
    with CommandGroup(loader, "containerapp revision", CONFIG) as g:
        g.command("list", "revision_list", table_transformer=revision_table)
        g.command("show", "revision_show", table_transformer=revision_table)
        g.command("activate", "revision_activate")
        g.command("deactivate", "revision_deactivate")
        g.command("restart", "revision_restart")
        g.command("copy", "revision_copy", table_transformer=app_table)
        g.command("set-mode", "revision_set_mode")
    with CommandGroup(loader, "containerapp revision label", CONFIG) as g:
        g.command("add", "label_add", table_transformer=traffic_table)
        g.command("remove", "label_remove", table_transformer=traffic_table)
        g.command("swap", "label_swap", table_transformer=traffic_table)
    with CommandGroup(loader, "containerapp ingress", CONFIG) as g:
        g.command("enable", "ingress_enable")
        g.command("disable", "ingress_disable")
        g.command("update", "ingress_update")
        g.command("show", "ingress_show")
    with CommandGroup(loader, "containerapp ingress traffic", CONFIG) as g:
        g.command("set", "traffic_set", table_transformer=traffic_table)
        g.command("show", "traffic_show", table_transformer=traffic_table)
    with CommandGroup(loader, "containerapp secret", CONFIG) as g:
        g.command("list", "secret_list")
        g.command("show", "secret_show")
        g.command("set", "secret_set")
        g.command("remove", "secret_remove")
    with CommandGroup(loader, "containerapp replica", CONFIG) as g:
        g.command("list", "replica_list")
        g.command("show", "replica_show")
    with CommandGroup(loader, "containerapp registry", CONFIG) as g:
        g.command("set", "registry_set")
        g.command("list", "registry_list")
        g.command("show", "registry_show")
        g.command("remove", "registry_remove")
    with CommandGroup(loader, "containerapp dapr", CONFIG) as g:
        g.command("enable", "dapr_enable")
        g.command("disable", "dapr_disable")
