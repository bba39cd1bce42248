"""az's cross-cutting argument conventions, in one place for every command module.

- `three_state_flag()`: `--admin-enabled`, `--admin-enabled true|false|yes|no|on|off|1|0` (any case);
  the handler gets True/False (None when absent).
- `enum_type(values)`: choices matched case-insensitively, handed over in their canonical casing.
- Global arguments az adds to whole classes of commands, added here the same way after a command's
  own arguments are loaded (`add_global_arguments`), and checked after parsing (`check_parsed`):
  `--subscription` (every command but account/configure/extension/login/logout), the Azure Policy
  arguments `--change-reference` and `--acquire-policy-token` (every command that is not `list` or
  `show`), and az's `--ids` rule: where `--ids` can stand in for the names, the names are optional to
  the parser and a missing one is reported as `(--resource-group --name | --ids) are required`.
"""

import argparse

from knack.arguments import CLIArgumentType
from knack.log import get_logger

from azlocal.core.errors import AzLocalError

logger = get_logger(__name__)

TRUE_WORDS = ("true", "t", "yes", "y", "on", "1", "enable", "enabled")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0", "disable", "disabled")


class CaseInsensitiveList(list):
    """Choices that argparse checks case-insensitively (`--sku premium` is `Premium`)."""

    def __contains__(self, other):
        return isinstance(other, str) and any(other.lower() == str(x).lower() for x in self)


class _ThreeState(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        value = (values or "true").lower()
        setattr(namespace, self.dest, value in TRUE_WORDS)


def three_state_flag(words=("false", "true"), **kwargs):
    """A flag that may stand bare (true) or take true/false (or the given words); the handler gets a bool."""
    return CLIArgumentType(action=_ThreeState, nargs="?", const="true", choices=CaseInsensitiveList(words), **kwargs)


def enum_type(values, **kwargs):
    """Choices matched in any case; the handler gets the canonical spelling."""
    values = list(values)

    def canonical(text):
        return next((v for v in values if v.lower() == text.lower()), text)

    canonical.__name__ = "enum"
    return CLIArgumentType(choices=CaseInsensitiveList(values), type=canonical, **kwargs)


def as_bool(value):
    """A three-state flag's value (or its older string form) as True/False/None."""
    if value is None or isinstance(value, bool):
        return value
    return str(value).lower() in TRUE_WORDS


# Global arguments -------------------------------------------------------------------------------

# As az: the commands about the account, the configuration and extensions take no --subscription
# (`account show` and `account set` have their own).
_NO_SUBSCRIPTION = ("account", "configure", "extension", "login", "logout")
# The names that `--ids` stands in for (see azlocal.cli.ids.expand_ids).
_ID_OPTIONS = ("--resource-group", "--name", "--registry")
# The commands that take --ids in az 2.91 (az adds it where a command's names are ARM id parts; the
# acr commands and `group show` have none). Prefix -> the rest of each command's name.
_IDS = {
    "account lock": ["delete", "show", "update"],
    "group lock": ["delete", "show", "update"],
    "container": ["attach", "delete", "exec", "export", "logs", "show"],
    "container container-group-profile": ["delete", "list-revisions", "show", "show-revision"],
    "containerapp": ["browse", "delete", "show", "update", "dapr disable", "dapr enable", "identity assign",
                     "identity remove", "identity show", "registry remove", "registry set", "registry show",
                     "revision activate", "revision copy", "revision deactivate", "revision restart",
                     "revision set-mode", "revision show", "secret remove", "secret set", "secret show",
                     "ssl upload", "github-action add", "github-action delete", "github-action show",
                     "hostname add", "hostname bind", "hostname delete"],
    "containerapp auth": ["show", "update", "openid-connect add", "openid-connect remove", "openid-connect show",
                          "openid-connect update"] + [f"{p} {v}" for p in ("apple", "facebook", "github", "google",
                                                                          "microsoft", "twitter")
                                                      for v in ("show", "update")],
    "containerapp env": ["delete", "list-usages", "show", "update", "certificate delete", "certificate upload",
                         "logs show", "premium-ingress add", "premium-ingress remove", "premium-ingress show",
                         "premium-ingress update"],
    "containerapp ingress": ["disable", "enable", "show", "update", "access-restriction remove",
                             "access-restriction set", "cors disable", "cors enable", "cors show", "cors update",
                             "sticky-sessions set", "sticky-sessions show", "traffic set", "traffic show"],
    "containerapp job": ["delete", "show", "start", "stop", "update", "identity assign", "identity remove",
                         "identity show", "registry remove", "registry set", "registry show"],
    "identity": ["delete", "list-resources", "show", "update"],
}
IDS_COMMANDS = frozenset(f"{prefix} {rest}" for prefix, rests in _IDS.items() for rest in rests)


def add_global_arguments(cmd):
    _add_subscription_argument(cmd)
    _add_policy_arguments(cmd)
    _relax_id_parts(cmd)


def _options(cmd):
    return {o for arg in cmd.arguments.values() for o in arg.type.settings.get("options_list") or ()}


def _add_subscription_argument(cmd):
    """As az: every other command takes --subscription, and an unknown one is refused."""
    if cmd.name.split()[0] in _NO_SUBSCRIPTION:
        return
    if "--subscription" not in _options(cmd) and "_subscription" not in cmd.arguments:
        cmd.add_argument("_subscription", "--subscription", arg_group="Global",
                         help="Name or ID of subscription. You can configure the default subscription "
                         "using `az account set -s NAME_OR_ID`.")


def _add_policy_arguments(cmd):
    if cmd.name.split()[-1] in ("list", "show") or "_change_reference" in cmd.arguments:
        return
    cmd.add_argument("_change_reference", "--change-reference", arg_group="Global Policy",
                     help="The related change reference ID for this resource operation.")
    cmd.add_argument("_acquire_policy_token", "--acquire-policy-token", arg_group="Global Policy", nargs=0,
                     action=_StoreTrue, help="Acquire an Azure Policy token automatically for this resource "
                     "operation.")


class _StoreTrue(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, True)


def _relax_id_parts(cmd):
    if cmd.name not in IDS_COMMANDS:
        return
    if "ids" not in cmd.arguments and "_ids" not in cmd.arguments:
        # Resolved into the names before parsing (azlocal.cli.ids.expand_ids); listed here for -h and parity.
        cmd.add_argument("_ids", "--ids", nargs="+", arg_group="Resource Id", metavar="ID",
                         help="One or more resource IDs (space-delimited). It should be a complete resource ID "
                         "containing all information of 'Resource Id' arguments. You should provide either --ids "
                         "or other 'Resource Id' arguments.")
    required = []
    for name, arg in cmd.arguments.items():
        options = arg.type.settings.get("options_list") or ()
        if any(o in _ID_OPTIONS for o in options) and arg.type.settings.get("id_part", "") is not None:  # az's None
            arg.type.settings["arg_group"] = "Resource Id"
            if arg.type.settings.get("required"):
                arg.type.settings["required"] = False
                required.append(name)
    cmd._id_required = required  # checked by check_parsed once parsing is done


def check_parsed(cli_ctx, args=None, **_):
    """After parsing: policy arguments are said to have no effect offline, and the names that --ids
    could have given are there. (The CLI checks the subscription first: azlocal.cli.checks.)"""
    if getattr(args, "_acquire_policy_token", None) or getattr(args, "_change_reference", None):
        logger.warning("Azure Policy is not evaluated offline: --change-reference and --acquire-policy-token "
                       "are accepted and have no effect.")
    cmd = getattr(args, "func", None)
    missing = [a for a in getattr(cmd, "_id_required", ()) if getattr(args, a, None) is None]
    if missing:
        shown = " ".join(cmd.arguments[a].type.settings["options_list"][0] for a in missing)
        raise AzLocalError(f"({shown} | --ids) are required")
