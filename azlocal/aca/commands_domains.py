"""az containerapp hostname, ssl, env certificate, env http-route-config, show-custom-domain-verification-id:
custom domains and certificates.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_domains.yaml.
Handlers are custom_domains; behaviour in hostnames, certificates and http_routes."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type

helpdata.register(__file__, "_help_domains.yaml")

DOMAINS = "azlocal.aca.custom_domains#{}"
_LOCATION = "The location of the resource (filters, or must match, the resource's own)."


def load_commands(loader):
    with CommandGroup(loader, "containerapp hostname", DOMAINS) as g:
        g.command("add", "hostname_add")
        g.command("bind", "hostname_bind")
        g.command("list", "hostname_list")
        g.command("delete", "hostname_delete", confirmation=True)
    with CommandGroup(loader, "containerapp ssl", DOMAINS) as g:
        g.command("upload", "ssl_upload")
    with CommandGroup(loader, "containerapp", DOMAINS) as g:
        g.command("show-custom-domain-verification-id", "show_verification_id")
    with CommandGroup(loader, "containerapp env certificate", DOMAINS) as g:
        g.command("upload", "certificate_upload")
        g.command("create", "certificate_create")
        g.command("list", "certificate_list")
        g.command("delete", "certificate_delete", confirmation=True)
    with CommandGroup(loader, "containerapp env http-route-config", DOMAINS) as g:
        g.command("create", "route_create")
        g.command("update", "route_update")
        g.command("list", "route_list")
        g.command("show", "route_show")
        g.command("delete", "route_delete", confirmation=True)


def _common(c, name_help):
    c.argument("name", options_list=["--name", "-n"], help=name_help)
    c.argument("location", options_list=["--location", "-l"], help=_LOCATION)


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp hostname") as c:
        _common(c, "The name of the container app.")
        c.argument("hostname", help="The custom domain name, e.g. www.contoso.com.")
        c.argument("environment", options_list=["--environment", "-e"],
                   help="Name or resource ID of the container app's environment (where its certificates are).")
        c.argument("certificate", options_list=["--certificate", "-c"],
                   help="Name or resource ID of a certificate of the environment to bind.")
        c.argument("thumbprint", options_list=["--thumbprint", "-t"],
                   help="Thumbprint of an uploaded certificate of the environment to bind.")
        c.argument("validation_method", options_list=["--validation-method", "-v"],
                   help="Without a certificate: a managed certificate is made, validated by CNAME, HTTP or TXT "
                   "(not checked offline; issued by azlocal's local CA).")
    with ArgumentsContext(loader, "containerapp ssl upload") as c:
        _common(c, "The name of the container app.")
        c.argument("hostname", help="The custom domain name the certificate is for.")
        c.argument("environment", options_list=["--environment", "-e"],
                   help="Name or resource ID of the container app's environment.")
        _certificate_file(c)
    with ArgumentsContext(loader, "containerapp env certificate") as c:
        _common(c, "Name of the Container Apps environment.")
        c.argument("certificate", options_list=["--certificate", "-c"],
                   help="Name or resource ID of the certificate.")
        c.argument("thumbprint", options_list=["--thumbprint", "-t"], help="Thumbprint of the certificate.")
        c.argument("managed_certificates_only", options_list=["--managed-certificates-only", "-m"],
                   action="store_true", help="List managed certificates only.")
        c.argument("private_key_certificates_only", options_list=["--private-key-certificates-only", "-p"],
                   action="store_true", help="List uploaded (private key) certificates only.")
        c.argument("hostname", options_list=["--hostname"], help="The custom domain name of the managed certificate.")
        c.argument("validation_method", enum_type(["CNAME", "HTTP", "TXT"]),
                   options_list=["--validation-method", "-v"],
                   help="How domain control would be validated (not checked offline).")
        _certificate_file(c)
        c.argument("prompt", options_list=["--show-prompt"], action="store_true",
                   help="Ask before overwriting a certificate of the same name.")
    with ArgumentsContext(loader, "containerapp env http-route-config") as c:
        c.argument("name", options_list=["--name", "-n"], help="Name of the Container Apps environment.")
        c.argument("http_route_config_name", options_list=["--http-route-config-name", "-r"],
                   help="The name of the http route configuration.")
        c.argument("yaml", help="Path to a .yaml file with the http route configuration's properties (customDomains, "
                   "rules).")


def _certificate_file(c):
    c.argument("certificate_file", options_list=["--certificate-file", "-f"],
               help="The path of a .pfx file (certificate and private key) or .pem file (both, as PEM).")
    c.argument("certificate_password", options_list=["--password", "-p"], help="The certificate file's password.")
    c.argument("certificate_name", options_list=["--certificate-name", "-c"],
               help="Name of the certificate in the environment (generated when not given).")
