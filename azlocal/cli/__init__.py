"""The knack CLI object: the one place where arguments, output, errors and config meet.

Entry points `az` and `azlocal` both run `main()`.
"""

import argparse
import functools
import sys

from knack.cli import CLI
from knack.commands import CLICommandsLoader
from knack.completion import CLICompletion
from knack.help import CLIHelp
from knack.invocation import CommandInvoker
from knack.log import get_logger
from knack.util import CLIError

from azlocal import __version__
from azlocal.cli.parser import AzLocalParser
from azlocal.cli.query import QUERY_REFERENCE, AzLocalQuery, _compile_query, check_query
from azlocal.core import helpdata, settings
from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

CLI_NAME = "az"

# Command modules, each with load_commands(loader) and load_arguments(loader, command).
COMMAND_MODULES = (
    "azlocal.resources.account_commands",
    "azlocal.acr.commands",
    "azlocal.aci.commands",
    "azlocal.aca.commands",
    "azlocal.storage.commands",
    "azlocal.identity.commands",
    "azlocal.keyvault.commands",
    "azlocal.role.commands",
    "azlocal.resources.group_commands",
    "azlocal.resources.local_commands",
)


# The module that holds each top-level word's commands; any other word loads them all.
MODULE_OF_WORD = {
    "account": "azlocal.resources.account_commands", "configure": "azlocal.resources.account_commands",
    "extension": "azlocal.resources.account_commands", "login": "azlocal.resources.account_commands",
    "logout": "azlocal.resources.account_commands", "provider": "azlocal.resources.account_commands",
    "version": "azlocal.resources.account_commands", "acr": "azlocal.acr.commands",
    "container": "azlocal.aci.commands", "containerapp": "azlocal.aca.commands",
    "storage": "azlocal.storage.commands", "identity": "azlocal.identity.commands",
    "keyvault": "azlocal.keyvault.commands", "role": "azlocal.role.commands", "ad": "azlocal.role.commands",
    "group": "azlocal.resources.group_commands", "local": "azlocal.resources.local_commands",
    "git": "azlocal.acr.commands",  # azlocal-only: clones standing for remote git contexts
}


# argparse translates its fixed strings ("usage: ", "options", ...) through gettext for every parser and
# argument group it builds, and each lookup searches the locale folders again; the language cannot change
# within one process, so one lookup per string is enough.
argparse._ = functools.lru_cache(maxsize=None)(argparse._)


def _words(args):
    """The words of a command line before its first option."""
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return words


def _trim(table, args):
    """Keeps, as az's command index does, only the commands argparse needs for these words: the command
    they name, or every command of the group they name (its help lists them, a misspelling is matched
    against them). Building a parser per command is most of a command's start-up otherwise."""
    words = _words(args)
    prefix = None
    for k in range(1, len(words) + 1):
        name = " ".join(words[:k])
        if name in table:
            prefix = name
            break
        if any(c.startswith(name + " ") for c in table):
            prefix = name + " "
        else:
            break
    if prefix is None:
        return
    for name in [c for c in table if not (c == prefix or c.startswith(prefix))]:
        del table[name]


class AzLocalLoader(CLICommandsLoader):
    """Loads only the command module the first word names (as az's command index does), so
    argparse builds a few dozen subparsers instead of every command's."""

    def _modules(self, args):
        first = args[0].lower() if args else None
        if first in MODULE_OF_WORD and not self.cli_ctx.data.get("completer_active"):
            return (MODULE_OF_WORD[first],)
        return COMMAND_MODULES

    def load_command_table(self, args):
        import importlib

        self._loaded = self._modules(args)
        # The command's words, for a command module that loads parts of its table only when needed.
        self.command_words = None if self.cli_ctx.data.get("completer_active") else _words(args or [])
        for name in self._loaded:
            importlib.import_module(name).load_commands(self)
        # Trimmed once the command's arguments are registered (registering a positional needs its command
        # in the table); the parser is built after that.
        self._trim_args = args if args and not self.cli_ctx.data.get("completer_active") else None
        return super().load_command_table(args)

    def create_command(self, name, operation, **kwargs):
        """As knack's, but a command's description comes from its help data when it has an entry: a group's
        `-h` then lists its commands without importing every handler module (and what they import)."""
        command = super().create_command(name, operation, **kwargs)
        from_handler = command.description

        def description():
            from azlocal.core import helpdata

            entry = helpdata.entry(" ".join(name.split())) or {}
            if entry.get("short-summary"):
                return entry["short-summary"]
            return from_handler() if callable(from_handler) else from_handler

        command.description = description
        return command

    def load_arguments(self, command):
        import importlib

        from azlocal.core import common, conventions

        common.load_common_arguments(self, command)
        for name in getattr(self, "_loaded", COMMAND_MODULES):
            importlib.import_module(name).load_arguments(self, command)
        super().load_arguments(command)
        if command in self.command_table:
            conventions.add_global_arguments(self.command_table[command])
        if getattr(self, "_trim_args", None):
            _trim(self.command_table, self._trim_args)
            self._trim_args = None


class AzLocalCompletion(CLICompletion):
    """knack's default completer breaks on argcomplete 3's keyword arguments; use az's."""

    def enable_autocomplete(self, parser):
        if self.cli_ctx.data["completer_active"]:
            import argcomplete

            argcomplete.autocomplete = argcomplete.CompletionFinder()
            argcomplete.autocomplete(parser, validator=lambda c, p: c.lower().startswith(p.lower()),
                                     default_completer=lambda *args, **kwargs: ())


class AzLocalInvoker(CommandInvoker):
    def execute(self, args):
        from azlocal.cli.checks import check_subscriptions_of_ids
        from azlocal.cli.ids import expand_ids

        check_subscriptions_of_ids(args)
        # az resolves `--ids` into names before parsing; several ids run the command once each and
        # the results form one list, to which --query then applies.
        runs = expand_ids(args)
        if len(runs) == 1:
            return super().execute(runs[0])
        return self._execute_each(runs)

    def _execute_each(self, runs):
        from knack.util import CommandResultItem

        query = None
        results, last = [], None
        for run_args in runs:
            if "--query" in run_args:
                at = run_args.index("--query")
                query, run_args = run_args[at + 1], run_args[:at] + run_args[at + 2:]
                check_query(_compile_query(query))
            # A fresh invoker per id: argparse cannot load the command table twice.
            invoker = type(self)(cli_ctx=self.cli_ctx, parser_cls=self.cli_ctx.parser_cls,
                                 commands_loader_cls=self.cli_ctx.commands_loader_cls,
                                 help_cls=self.cli_ctx.help_cls)
            self.cli_ctx.invocation = invoker
            last = CommandInvoker.execute(invoker, run_args)
            if last.result is not None:
                results.append(last.result)
        self.cli_ctx.invocation = self
        self.data["output"] = invoker.data["output"]
        if not results:
            return CommandResultItem(None, exit_code=0)  # e.g. delete: nothing to print, as az
        if query:
            from collections import OrderedDict

            import jmespath

            results = jmespath.search(query, results, jmespath.Options(dict_cls=OrderedDict))
        return CommandResultItem(results, exit_code=0, table_transformer=last.table_transformer,
                                 is_query_active=bool(query))


class AzLocalHelp(CLIHelp):
    """knack's help, its entries read from each package's help data file (azlocal.core.helpdata)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        import knack.help

        knack.help.HelpFile._load_help_file_from_string = staticmethod(_help_from_string)
        knack.help._load_help_file = helpdata.entry


def _help_from_string(text):
    # A help text given inline to a command (none of ours are): parsed as knack does, with libyaml.
    if not text:
        return None
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return text


class AzLocalCLI(CLI):
    def get_cli_version(self):
        return (
            f"azure-cli                         2.91.0 (azlocal {__version__})\n\n"
            "core                              2.91.0\n"
            "telemetry                          1.1.0\n\n"
            "Extensions:\n"
            f"{_extension_lines()}\n"
            "Dependencies:\n"
            f"knack                             {_dist_version('knack')}\n"
            f"azlocal                           {__version__}"
        )

    def get_runtime_version(self):
        import platform

        return (
            f"\n\nPython location '{sys.executable}'\n"
            f"Config directory '{settings.home()}'\n\n"
            f"Python ({platform.system()}) {sys.version}\n\n"
            "Legal docs and information: aka.ms/AzureCliLegal\n\n"
            "Your CLI is up-to-date.\n"
        )

    def exception_handler(self, ex):
        if isinstance(ex, BrokenPipeError):
            # The reader went away (e.g. `| head`): nothing left to say to it.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        if isinstance(ex, AzLocalError):
            logger.error(str(ex))
            return ex.exit_code
        from jmespath.exceptions import JMESPathError

        if isinstance(ex, JMESPathError):
            logger.error("Invalid jmespath query supplied for `--query`: %s", ex)
            print(QUERY_REFERENCE, file=sys.stderr)
            return 1
        if isinstance(ex, CLIError):
            logger.error(str(ex))
            return 1
        logger.error("The command failed with an unexpected error. Here is the traceback:")
        logger.exception(ex)
        return 1


def _extension_lines():
    from azlocal.resources.account import extension_list

    return "".join(f"{e['name']:<34}{e['version']}\n" for e in extension_list())


def _dist_version(name):
    import importlib

    return getattr(importlib.import_module(name), "__version__", "unknown")


def _add_resource_group(cli_ctx, event_data, **_):
    """az adds `resourceGroup` to every object that has an ARM id under a resource group."""
    event_data["result"] = add_resource_group(event_data["result"])


def add_resource_group(value):
    if isinstance(value, list):
        return [add_resource_group(v) for v in value]
    if isinstance(value, dict):
        out = {k: add_resource_group(v) for k, v in value.items()}
        group = _group_of_resource_id(value.get("id"))
        if group and not any(k.lower() == "resourcegroup" for k in value):
            out["resourceGroup"] = group
        return out
    return value


def _group_of_resource_id(rid):
    # As az: only ids of resources inside a group (/subscriptions/s/resourceGroups/g/providers/ns/t/n...),
    # not the group's own id.
    if not isinstance(rid, str):
        return None
    parts = rid.split("/")
    if len(parts) > 8 and parts[3].lower() == "resourcegroups":
        return parts[4]
    return None


def get_cli():
    from knack.events import EVENT_INVOKER_POST_PARSE_ARGS, EVENT_INVOKER_TRANSFORM_RESULT

    cli = AzLocalCLI(
        cli_name=CLI_NAME,
        config_dir=str(settings.home()),
        config_env_var_prefix="AZURE",
        commands_loader_cls=AzLocalLoader,
        invocation_cls=AzLocalInvoker,
        parser_cls=AzLocalParser,
        help_cls=AzLocalHelp,
        completion_cls=AzLocalCompletion,
        query_cls=AzLocalQuery,
    )
    cli.register_event(EVENT_INVOKER_TRANSFORM_RESULT, _add_resource_group)
    from azlocal.cli.checks import check_parsed

    cli.register_event(EVENT_INVOKER_POST_PARSE_ARGS, check_parsed)
    return cli


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cli = get_cli()
    try:
        code = cli.invoke(list(argv))
    except SystemExit as ex:
        code = ex.code if isinstance(ex.code, int) else (0 if ex.code is None else 1)
    sys.exit(code)


def azlocal_main():
    """`azlocal status` is `az local status`; anything else is passed through as `az …`."""
    from azlocal.resources.local_commands import LOCAL_VERBS

    argv = sys.argv[1:]
    if argv and argv[0] in LOCAL_VERBS:
        argv = ["local"] + argv
    main(argv)


if __name__ == "__main__":
    main()
