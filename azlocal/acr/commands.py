"""az acr: the command table. Handlers are in custom_registries, custom_runs and custom_repositories,
arguments in _params, help in _help, table formats in _format."""

from knack.commands import CommandGroup

from azlocal.acr import _help  # noqa: F401 - registers the help entries
from azlocal.acr._format import (
    credential_table,
    registry_table,
    replication_table,
    run_table,
    task_table,
    usage_table,
    webhook_table,
)

REGISTRIES = "azlocal.acr.custom_registries#{}"
RUNS = "azlocal.acr.custom_runs#{}"
REPOSITORIES = "azlocal.acr.custom_repositories#{}"
# Areas with a command table of their own: azlocal.acr.commands_<area> (load_commands, load_arguments,
# and its help in _help_<area>.yaml), with the words after `az acr` (or the first word) of their commands.
AREAS = {
    "tokens": ("scope-map", "token"),
    "artifacts": ("config", "manifest", "repository"),
    "network": ("check-health", "encryption", "identity", "network-rule", "private-endpoint-connection",
                "private-link-resource", "show-endpoints"),
    "tasks_more": ("agentpool", "task", "taskrun"),
    "sources": ("git", "helm", "pack"),
    "cache": ("artifact-streaming", "cache", "connected-registry", "credential-set"),
}
# The words of the commands in this module's own table.
CORE_WORDS = ("build", "check-name", "create", "credential", "delete", "import", "list", "login", "manifest",
              "replication", "repository", "run", "show", "show-usage", "task", "update", "webhook")


def _areas(words=None):
    """The area modules a command line needs: those holding its second word (its first for `git`), or all of
    them when the words name no command yet (`az acr -h`, a misspelling to match against every command)."""
    import importlib

    words = list(words or [])
    key = words[1] if len(words) > 1 and words[0] == "acr" else words[0] if words and words[0] != "acr" else None
    known = key in CORE_WORDS or any(key in area_words for area_words in AREAS.values())
    chosen = [a for a, area_words in AREAS.items() if key in area_words] if known else list(AREAS)
    return [importlib.import_module(f"azlocal.acr.commands_{area}") for area in chosen]


def load_commands(loader):
    with CommandGroup(loader, "acr", REGISTRIES) as g:
        g.command("create", "acr_create", table_transformer=registry_table)
        g.command("show", "acr_show", table_transformer=registry_table)
        g.command("list", "acr_list", table_transformer=registry_table)
        g.command("update", "acr_update", table_transformer=registry_table)
        g.command("delete", "acr_delete")
        g.command("check-name", "acr_check_name")
        g.command("show-usage", "acr_show_usage", table_transformer=usage_table)
    with CommandGroup(loader, "acr", REPOSITORIES) as g:
        g.command("login", "acr_login")
    with CommandGroup(loader, "acr", RUNS) as g:
        g.command("build", "acr_build", table_transformer=run_table)
        g.command("run", "acr_run", table_transformer=run_table)
    with CommandGroup(loader, "acr", REGISTRIES) as g:
        g.command("import", "acr_import")
    with CommandGroup(loader, "acr manifest", REPOSITORIES, is_preview=True) as g:
        g.command("list-metadata", "manifest_list_metadata")
        g.command("show", "manifest_show")
        g.command("delete", "manifest_delete")
    with CommandGroup(loader, "acr task", RUNS) as g:
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
    with CommandGroup(loader, "acr webhook", REGISTRIES) as g:
        g.command("create", "webhook_create", table_transformer=webhook_table)
        g.command("list", "webhook_list", table_transformer=webhook_table)
        g.command("show", "webhook_show", table_transformer=webhook_table)
        g.command("update", "webhook_update", table_transformer=webhook_table)
        g.command("delete", "webhook_delete")
        g.command("get-config", "webhook_get_config")
        g.command("list-events", "webhook_list_events")
        g.command("ping", "webhook_ping")
    with CommandGroup(loader, "acr replication", REGISTRIES) as g:
        g.command("create", "replication_create", table_transformer=replication_table)
        g.command("list", "replication_list", table_transformer=replication_table)
        g.command("show", "replication_show", table_transformer=replication_table)
        g.command("update", "replication_update", table_transformer=replication_table)
        g.command("delete", "replication_delete")
    with CommandGroup(loader, "acr credential", REGISTRIES) as g:
        g.command("show", "credential_show", table_transformer=credential_table)
        g.command("renew", "credential_renew", table_transformer=credential_table)
    with CommandGroup(loader, "acr repository", REPOSITORIES) as g:
        g.command("list", "repository_list")
        g.command("show-tags", "repository_show_tags")
        g.command("show-manifests", "repository_show_manifests")
        g.command("show", "repository_show")
        g.command("update", "repository_update")
        g.command("delete", "repository_delete")
        g.command("untag", "repository_untag")
    for area in _areas(getattr(loader, "command_words", None)):
        area.load_commands(loader)


def load_arguments(loader, command):
    from azlocal.acr import _params

    _params.load_arguments(loader, command)
    for area in _areas(command.split()):
        area.load_arguments(loader, command)
