"""az keyvault secret: table and arguments; help in _help_secrets.yaml. Handlers are custom_secrets; behaviour in
secrets (the service layer the data plane shares)."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag
from azlocal.keyvault._params import EXPIRES as _EXPIRES
from azlocal.keyvault._params import NOT_BEFORE as _NOT_BEFORE
from azlocal.keyvault._params import datetime_type

helpdata.register(__file__, "_help_secrets.yaml")

SECRETS = "azlocal.keyvault.custom_secrets#{}"
ENCODINGS = ["ascii", "base64", "hex", "utf-16be", "utf-16le", "utf-8"]
_ID = "Id"


def _table(result):
    from azlocal.keyvault import _format

    return _format.secret_table(result)


def load_commands(loader):
    with CommandGroup(loader, "keyvault secret", SECRETS) as g:
        g.command("list", "secret_list", table_transformer=_table)
        for name in ("set", "show", "list-versions", "list-deleted", "show-deleted", "set-attributes", "delete",
                     "recover", "purge", "download", "backup", "restore"):
            g.command(name, "secret_" + name.replace("-", "_"))


def _vault(c, required=False, arg_group=_ID):
    c.argument("vault_name", options_list=["--vault-name"], required=required,
               arg_group=None if required else arg_group, help="Name of the Key Vault.")


def _target(c, version=False):
    _vault(c)
    c.argument("name", options_list=["--name", "-n"], arg_group=_ID, help="Name of the secret.")
    c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Id of the secret. If specified all other "
               "'Id' arguments should be omitted.")
    if version:
        c.argument("version", options_list=["--version", "-v"], arg_group=_ID, help="The secret version. If "
                   "omitted, uses the latest version.")


def _listing(c, name=False):
    _vault(c)
    c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Full URI of the Vault. If specified all "
               "other 'Id' arguments should be omitted.")
    c.argument("maxresults", options_list=["--maxresults"], type=int, help="Maximum number of results to return.")
    if name:
        c.argument("name", options_list=["--name", "-n"], arg_group=_ID, help="Name of the secret.")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "keyvault secret set") as c:
        _vault(c, required=True)
        c.argument("name", options_list=["--name", "-n"], required=True, help="Name of the secret.")
        c.argument("value", options_list=["--value"], help="Plain text secret value. Cannot be used with '--file' "
                   "or '--encoding'.")
        c.argument("file_path", options_list=["--file", "-f"], arg_group="Content Source",
                   help="Source file for secret. Use in conjunction with '--encoding'.")
        c.argument("encoding", enum_type(ENCODINGS), options_list=["--encoding", "-e"], arg_group="Content Source",
                   help="Source file encoding. The value is saved as a tag (`file-encoding=<val>`) and used during "
                   "download to automatically encode the resulting file. Default: utf-8.")
        c.argument("content_type", options_list=["--description", "--content-type"], help="Description of the "
                   "secret contents (e.g. password, connection string, etc).")
        c.argument("disabled", three_state_flag(), help="Create secret in disabled state.")
        c.argument("expires_on", options_list=["--expires"], type=datetime_type,
               help=_EXPIRES)
        c.argument("not_before", options_list=["--not-before"], type=datetime_type,
               help=_NOT_BEFORE)
    for name in ("show", "download", "set-attributes"):
        with ArgumentsContext(loader, f"keyvault secret {name}") as c:
            _target(c, version=True)
    for name in ("delete", "recover", "purge", "show-deleted", "backup"):
        with ArgumentsContext(loader, f"keyvault secret {name}") as c:
            _target(c)
    with ArgumentsContext(loader, "keyvault secret list") as c:
        _listing(c)
        c.argument("include_managed", three_state_flag(), help="Include managed secrets. Default: false.")
    with ArgumentsContext(loader, "keyvault secret list-versions") as c:
        _listing(c, name=True)
    with ArgumentsContext(loader, "keyvault secret list-deleted") as c:
        _listing(c)
    with ArgumentsContext(loader, "keyvault secret download") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="File to receive the secret "
                   "contents.")
        c.argument("encoding", enum_type(ENCODINGS), options_list=["--encoding", "-e"], help="Encoding of the "
                   "secret. By default, will look for the 'file-encoding' tag on the secret. Otherwise will assume "
                   "'utf-8'.")
        c.argument("overwrite", action="store_true", help="Overwrite the file if it exists.")
    with ArgumentsContext(loader, "keyvault secret set-attributes") as c:
        c.argument("enabled", three_state_flag(), help="Enable the secret.")
        c.argument("expires", options_list=["--expires"], type=datetime_type,
               help=_EXPIRES)
        c.argument("not_before", options_list=["--not-before"], type=datetime_type,
               help=_NOT_BEFORE)
        c.argument("content_type", options_list=["--content-type"], help="Type of the secret value such as a "
                   "password.")
    with ArgumentsContext(loader, "keyvault secret backup") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="Local file path in which to "
                   "store secret backup.")
    with ArgumentsContext(loader, "keyvault secret restore") as c:
        _vault(c, required=True)
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="Local secret backup from which "
                   "to restore secret.")
