"""az containerapp compose create: a docker-compose file becomes one container app per service.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_compose.yaml.
Handler in custom_compose; the mapping in compose (with compose_rules), the creation in compose_deploy."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata

helpdata.register(__file__, "_help_compose.yaml")

COMPOSE = "azlocal.aca.custom_compose#{}"
_REGISTRY = "Configuration"


def load_commands(loader):
    with CommandGroup(loader, "containerapp compose", COMPOSE) as g:
        g.command("create", "compose_create")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp compose create") as c:
        c.argument("managed_env", options_list=["--environment"], required=True,
                   help="Name or resource ID of the environment the apps run in (created when missing).")
        c.argument("compose_file_path", options_list=["--compose-file-path", "-f"],
                   help="Path of the Docker Compose file to turn into container apps.")
        c.argument("transport_mapping", nargs="+", action="append",
                   options_list=["--transport-mapping",
                                 c.deprecate(target="--transport", redirect="--transport-mapping")],
                   help="The ingress transport of a service's app: servicename=transportsetting "
                        "(auto, http, http2 or tcp).")
        c.argument("registry_server", arg_group=_REGISTRY,
                   help="The registry the apps pull from (and, for services with build:, the ACR that builds "
                        "them), e.g. myregistry.azurecr.io.")
        c.argument("registry_user", options_list=["--registry-username"], arg_group=_REGISTRY,
                   help="The username for the registry.")
        c.argument("registry_pass", options_list=["--registry-password"], arg_group=_REGISTRY,
                   help="The password for the registry (or secretref:<secret name>).")
