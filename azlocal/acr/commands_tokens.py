"""az acr: the commands of one area (tokens and scope maps): table, arguments; help in _help_tokens.yaml.
Handlers in custom_tokens; behaviour in tokens and scope_maps."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag

helpdata.register(__file__, "_help_tokens.yaml")

TOKENS = "azlocal.acr.custom_tokens#{}"
_REPO_ACTIONS = "Valid actions are ['content/delete', 'content/read', 'content/write', 'metadata/read', " \
    "'metadata/write']"
_GATEWAY_ACTIONS = "Valid actions are ['config/read', 'config/write', 'message/read', 'message/write']"


def _table(name):
    def transform(result):
        from azlocal.acr import custom_tokens

        return getattr(custom_tokens, name)(result)

    return transform


def load_commands(loader):
    scope_map_table, token_table = _table("scope_map_table"), _table("token_table")
    with CommandGroup(loader, "acr scope-map", TOKENS) as g:
        g.command("create", "scope_map_create", table_transformer=scope_map_table)
        g.command("delete", "scope_map_delete")
        g.command("update", "scope_map_update", table_transformer=scope_map_table)
        g.command("show", "scope_map_show", table_transformer=scope_map_table)
        g.command("list", "scope_map_list", table_transformer=scope_map_table)
    with CommandGroup(loader, "acr token", TOKENS) as g:
        g.command("create", "token_create", table_transformer=token_table)
        g.command("delete", "token_delete")
        g.command("update", "token_update", table_transformer=token_table)
        g.command("show", "token_show", table_transformer=token_table)
        g.command("list", "token_list", table_transformer=token_table)
        g.command("credential delete", "credential_delete", table_transformer=token_table)
    with CommandGroup(loader, "acr token credential", TOKENS) as g:
        g.command("generate", "credential_generate", table_transformer=_table("token_credential_table"))


def _permissions(c, dest, option, what, valid, deprecated=None):
    options = [option] + ([c.deprecate(target=deprecated, redirect=option, hide=True)] if deprecated else [])
    c.argument(dest, options_list=options, nargs="+", action="append",
               help=f'{what} permissions. Use the format "{option} NAME [ACTION1 ACTION2 ...]" per flag. {valid}.')


def load_arguments(loader, command):
    if not command.startswith(("acr token", "acr scope-map")):
        return
    registry = dict(options_list=["--registry", "-r"], configured_default=None, required=True,
                    help="The name of the container registry.")
    with ArgumentsContext(loader, "acr scope-map") as c:
        c.argument("registry_name", **registry)
        c.argument("description", options_list=["--description"],
                   help="Description for the scope map. Maximum 256 characters are allowed.")
        c.argument("scope_map_name", options_list=["--name", "-n"], required=True, help="The name of the scope map.")
    with ArgumentsContext(loader, "acr scope-map create") as c:
        _permissions(c, "repository_actions_list", "--repository", "Repository", _REPO_ACTIONS)
        _permissions(c, "gateway_actions_list", "--gateway", "Connected registry gateway (recorded)",
                     _GATEWAY_ACTIONS)
    with ArgumentsContext(loader, "acr scope-map update") as c:
        _permissions(c, "add_repository", "--add-repository", "Repository", _REPO_ACTIONS, "--add")
        _permissions(c, "remove_repository", "--remove-repository", "Repository", _REPO_ACTIONS, "--remove")
        _permissions(c, "add_gateway", "--add-gateway", "Gateway", _GATEWAY_ACTIONS)
        _permissions(c, "remove_gateway", "--remove-gateway", "Gateway", _GATEWAY_ACTIONS)
    with ArgumentsContext(loader, "acr token") as c:
        c.argument("registry_name", **registry)
        c.argument("token_name", options_list=["--name", "-n"], required=True, help="The name of the token.")
        c.argument("scope_map_name", options_list=["--scope-map"],
                   help="The name of the scope map giving the token its permissions.")
        c.argument("status", enum_type(["disabled", "enabled"]), options_list=["--status"], default="enabled",
                   help="The status of the token: a disabled token cannot authenticate.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    with ArgumentsContext(loader, "acr token create") as c:
        c.argument("scope_map_name", options_list=["--scope-map"],
                   help="An existing scope map for the token. Or give --repository/--gateway and a scope map "
                   "named <token>-scope-map is made for it.")
        _permissions(c, "repository_actions_list", "--repository", "Repository", _REPO_ACTIONS)
        _permissions(c, "gateway_actions_list", "--gateway", "Connected registry gateway (recorded)",
                     _GATEWAY_ACTIONS)
        c.argument("no_passwords", three_state_flag(),
                   help="Create the token without passwords (make them later with az acr token credential generate).")
    with ArgumentsContext(loader, "acr token update") as c:
        c.argument("scope_map_name", options_list=["--scope-map"],
                   help="The name of the scope map to give the token.")
    for scope in ("acr token create", "acr token credential generate"):
        with ArgumentsContext(loader, scope) as c:
            c.argument("expiration", help="The UTC time the new passwords stop working, in the format "
                       "%Y-%m-%dT%H:%M:%SZ, e.g. 2030-12-31T12:59:59Z.")
            c.argument("expiration_in_days", type=int, help="The number of days the new passwords work. "
                       "Without it (or --expiration) they never expire (9999-12-31T23:59:59.999999+00:00).")
    with ArgumentsContext(loader, "acr token credential generate") as c:
        c.argument("expiration_in_days", type=int, options_list=[
            "--expiration-in-days", c.deprecate(target="--days", redirect="--expiration-in-days", hide=True)],
            help="The number of days the new passwords work. Without it (or --expiration) they never expire.")
        c.argument("password1", options_list=["--password1"], action="store_true",
                   help="Generate password1 (with neither flag, both are generated).")
        c.argument("password2", options_list=["--password2"], action="store_true",
                   help="Generate password2 (with neither flag, both are generated).")
    with ArgumentsContext(loader, "acr token credential delete") as c:
        c.argument("password1", options_list=["--password1"], action="store_true", help="Delete password1.")
        c.argument("password2", options_list=["--password2"], action="store_true", help="Delete password2.")
