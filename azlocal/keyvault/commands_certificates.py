"""az keyvault certificate: table and arguments; help in _help_certificates.yaml. Handlers are custom_certificates;
behaviour in certificates and certpolicy."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag

helpdata.register(__file__, "_help_certificates.yaml")

CERTS = "azlocal.keyvault.custom_certificates#{}"
_ID = "Id"


def load_commands(loader):
    with CommandGroup(loader, "keyvault certificate", CERTS) as g:
        for name in ("create", "show", "list", "list-versions", "list-deleted", "show-deleted", "set-attributes",
                     "delete", "recover", "purge", "download", "import", "get-default-policy", "backup", "restore"):
            g.command(name, "certificate_" + name.replace("-", "_"))


def _vault(c, required=False):
    c.argument("vault_name", options_list=["--vault-name"], required=required, arg_group=None if required else _ID,
               help="Name of the Key Vault.")


def _target(c, version=False):
    _vault(c)
    c.argument("name", options_list=["--name", "-n"], arg_group=_ID, help="Name of the certificate.")
    c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Id of the certificate. If specified all "
               "other 'Id' arguments should be omitted.")
    if version:
        c.argument("version", options_list=["--version", "-v"], arg_group=_ID, help="The certificate version. If "
                   "omitted, uses the latest version.")


def _listing(c, pending=True, name=False):
    _vault(c)
    c.argument("identifier", options_list=["--id"], arg_group=_ID, help="Full URI of the Vault. If specified all "
               "other 'Id' arguments should be omitted.")
    c.argument("maxresults", options_list=["--maxresults"], type=int, help="Maximum number of results to return.")
    if pending:
        c.argument("include_pending", three_state_flag(), help="Specifies whether to include certificates which are "
                   "not completely provisioned (none are: only the Self issuer is served).")
    if name:
        c.argument("name", options_list=["--name", "-n"], arg_group=_ID, help="Name of the certificate.")


def load_arguments(loader, command):
    for name in ("create", "import"):
        with ArgumentsContext(loader, f"keyvault certificate {name}") as c:
            _vault(c, required=True)
            c.argument("name", options_list=["--name", "-n"], required=True, help="Name of the certificate.")
            c.argument("disabled", three_state_flag(), help="Create the certificate in disabled state.")
            c.argument("policy", options_list=["--policy", "-p"], required=name == "create",
                       help="JSON encoded policy definition. Use @{file} to load from a file (e.g. @my_policy.json).")
    with ArgumentsContext(loader, "keyvault certificate create") as c:
        c.argument("validity", options_list=["--validity"], type=int, help="Number of months the certificate is "
                   "valid for. Overrides the value specified with --policy/-p.")
    with ArgumentsContext(loader, "keyvault certificate import") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="PKCS12 file or PEM file "
                   "containing the certificate and private key.")
        c.argument("password", options_list=["--password"], help="If the private key in certificate is encrypted, "
                   "the password used for encryption.")
    for name in ("show", "download", "set-attributes"):
        with ArgumentsContext(loader, f"keyvault certificate {name}") as c:
            _target(c, version=True)
    for name in ("delete", "recover", "purge", "show-deleted", "backup"):
        with ArgumentsContext(loader, f"keyvault certificate {name}") as c:
            _target(c)
    with ArgumentsContext(loader, "keyvault certificate backup") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="Local file path in which to "
                   "store certificate backup.")
    with ArgumentsContext(loader, "keyvault certificate restore") as c:
        c.argument("vault_name", options_list=["--vault-name"], help="Name of the Key Vault.")
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="Local certificate backup from "
                   "which to restore certificate.")
    with ArgumentsContext(loader, "keyvault certificate list") as c:
        _listing(c)
    with ArgumentsContext(loader, "keyvault certificate list-deleted") as c:
        _listing(c)
    with ArgumentsContext(loader, "keyvault certificate list-versions") as c:
        _listing(c, pending=False, name=True)
    with ArgumentsContext(loader, "keyvault certificate set-attributes") as c:
        c.argument("enabled", three_state_flag(), help="Enable the certificate.")
        c.argument("policy", options_list=["--policy", "-p"], help="JSON encoded policy definition. Use @{file} to "
                   "load from a file (e.g. @my_policy.json).")
    with ArgumentsContext(loader, "keyvault certificate download") as c:
        c.argument("file_path", options_list=["--file", "-f"], required=True, help="File to receive the binary "
                   "certificate contents.")
        c.argument("encoding", enum_type(["DER", "PEM"]), options_list=["--encoding", "-e"], help="Encoding of the "
                   "certificate. DER will create a binary DER formatted x509 certificate, and PEM will create a "
                   "base64 PEM x509 certificate. Default: PEM.")
    with ArgumentsContext(loader, "keyvault certificate get-default-policy") as c:
        c.argument("scaffold", options_list=["--scaffold"], action="store_true", help="Create a fully formed policy "
                   "structure with default values.")
