"""az acr: the commands of one area (sources): git clones standing for remote contexts (azlocal-only
`azlocal git add|list|remove`), `az acr pack build` and the retired `az acr helm` group; help in
_help_sources.yaml, handlers in custom_sources."""

import argparse

from knack.arguments import ArgumentsContext, CLIArgumentType
from knack.commands import CommandGroup
from knack.deprecation import Deprecated

from azlocal.acr._params import (
    agent_pool_type,
    auth_mode_type,
    no_format_type,
    no_logs_type,
    registry_flag_type,
    registry_name_type,
    timeout_type,
)
from azlocal.core import helpdata

helpdata.register(__file__, "_help_sources.yaml")

SOURCES = "azlocal.acr.custom_sources#{}"
HELM_COMMANDS = ("list", "show", "delete", "push", "repo add", "install-cli")


def _helm_deprecation(loader):
    return Deprecated(loader.cli_ctx, object_type="command group", target="acr helm", redirect="Helm v3 commands",
                      hide=False)


def load_commands(loader):
    with CommandGroup(loader, "git", SOURCES) as g:
        g.command("add", "git_add")
        g.command("list", "git_list")
        g.command("remove", "git_remove")
    with CommandGroup(loader, "acr pack", SOURCES, is_preview=True) as g:
        g.command("build", "pack_build")
    with CommandGroup(loader, "acr helm", SOURCES, deprecate_info=_helm_deprecation(loader)) as g:
        for name in HELM_COMMANDS:
            g.command(name, "helm_" + name.replace(" ", "_").replace("-", "_"), is_preview=name == "install-cli")


def load_arguments(loader, command):
    for name in ("git add", "git remove"):
        with ArgumentsContext(loader, name) as c:
            c.positional("url", help="The remote repository's URL, as contexts name it (without #branch:folder).")
    with ArgumentsContext(loader, "git add") as c:  # knack allows one positional(); this is the second
        c.argument("path", options_list=[], metavar="PATH",
                   help="The local clone (working or bare) that stands for the repository.")
    with ArgumentsContext(loader, "acr pack build") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("image_name", options_list=["--image", "-t"], required=True,
                   help="The name and tag of the image using the format: '-t repo/image:tag'.")
        c.argument("builder", options_list=["--builder", "-b"], required=True,
                   help="The name and tag of a Buildpack builder image.")
        c.argument("pack_image_tag", help="The tag of the 'pack' runner image (mcr.microsoft.com/oryx/pack).",
                   is_preview=True)
        c.argument("pull", action="store_true", help="Pull the latest builder and run images before use.")
        c.positional("source_location", help="The local source code directory path (e.g., './src'), or a git URL "
                     "(see `azlocal git add`).")
        c.argument("agent_pool_name", agent_pool_type)
        c.argument("auth_mode", auth_mode_type)
        c.argument("no_logs", no_logs_type)
        c.argument("no_format", no_format_type)
        c.argument("timeout", timeout_type)
        c.argument("platform", help="The platform where build/task is run, e.g. 'linux/amd64'.")
    with ArgumentsContext(loader, "acr helm") as c:
        c.argument("registry_name", registry_name_type)
        c.argument("resource_group_name", CLIArgumentType(options_list=["--resource-group", "-g"]),
                   deprecate_info=c.deprecate(hide=True), help="Not used.")
        c.argument("repository", help=argparse.SUPPRESS)
        c.argument("tenant_suffix", options_list=["--suffix"], help="The tenant suffix in registry login server.")
        c.argument("version", help="The helm chart version.")
    for name in ("acr helm show", "acr helm delete"):
        with ArgumentsContext(loader, name) as c:
            c.positional("chart", help="The helm chart name.")
    with ArgumentsContext(loader, "acr helm delete") as c:
        c.argument("prov", action="store_true", help="Only delete the provenance file.")
    with ArgumentsContext(loader, "acr helm push") as c:
        c.positional("chart_package", help="The helm chart package.")
        c.argument("force", action="store_true", help="Overwrite the existing chart package.")
    with ArgumentsContext(loader, "acr helm install-cli") as c:
        c.argument("client_version", help="The Helm CLI version to install.")
        c.argument("install_location", help="Where to install the Helm CLI.")

