"""az containerapp env workload-profile, storage, list-usages, premium-ingress, dapr-component;
list-usages; github-action.
The commands of one area (see azlocal.aca.commands.AREAS): table and arguments; help in _help_platform.yaml.
Handlers are azlocal.aca.custom_platform."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type

helpdata.register(__file__, "_help_platform.yaml")

PLATFORM = "azlocal.aca.custom_platform#{}"


def usages_table(result):
    return [{"Name": u["name"]["value"], "Usage": u["usage"], "Limit": u["limit"]} for u in result["value"]]


def load_commands(loader):
    with CommandGroup(loader, "containerapp env workload-profile", PLATFORM) as g:
        g.command("list-supported", "workload_profile_list_supported")
        g.command("list", "workload_profile_list")
        g.command("show", "workload_profile_show")
        g.command("add", "workload_profile_add")
        g.command("update", "workload_profile_update")
        g.command("delete", "workload_profile_delete")
    with CommandGroup(loader, "containerapp env storage", PLATFORM) as g:
        g.command("show", "storage_show")
        g.command("list", "storage_list")
        g.command("set", "storage_set")
        g.command("remove", "storage_remove", confirmation=True)
    with CommandGroup(loader, "containerapp", PLATFORM) as g:
        g.command("list-usages", "list_usages", table_transformer=usages_table)
    with CommandGroup(loader, "containerapp env", PLATFORM) as g:
        g.command("list-usages", "env_list_usages", table_transformer=usages_table)
    with CommandGroup(loader, "containerapp env premium-ingress", PLATFORM) as g:
        g.command("show", "premium_ingress_show")
        g.command("add", "premium_ingress_add")
        g.command("update", "premium_ingress_update")
        g.command("remove", "premium_ingress_remove", confirmation=True)
    with CommandGroup(loader, "containerapp env dapr-component", PLATFORM) as g:
        g.command("list", "dapr_component_list")
        g.command("show", "dapr_component_show")
        g.command("set", "dapr_component_set")
        g.command("remove", "dapr_component_remove")
    with CommandGroup(loader, "containerapp github-action", PLATFORM) as g:
        g.command("add", "github_action_add")
        g.command("show", "github_action_show")
        g.command("delete", "github_action_delete")


def _env_name(c, dest="env_name", required=True):
    c.argument(dest, options_list=["--name", "-n"], required=required, help="Name of the Container Apps environment.")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "containerapp env workload-profile") as c:
        _env_name(c)
        c.argument("workload_profile_name", options_list=["--workload-profile-name", "-w"],
                   help="The friendly name of the workload profile.")
        c.argument("workload_profile_type", help="The type of the workload profile (D4, E8, ...; see list-supported).")
        c.argument("min_nodes", type=int, help="The minimum number of nodes of a dedicated profile (recorded).")
        c.argument("max_nodes", type=int, help="The maximum number of nodes of a dedicated profile (recorded).")
        c.argument("location", options_list=["--location", "-l"], help="The region to list the profile types of.")
    with ArgumentsContext(loader, "containerapp env storage") as c:
        _env_name(c, "name")
        c.argument("storage_name", help="Name of the storage.")
        c.argument("azure_file_account_name", options_list=["--azure-file-account-name", "--account-name", "-a"],
                   help="Name of the storage account of the Azure Files share.")
        c.argument("azure_file_account_key", options_list=["--azure-file-account-key", "--storage-account-key", "-k"],
                   help="A key of the storage account.")
        c.argument("azure_file_share_name", options_list=["--azure-file-share-name", "--file-share", "-f"],
                   help="Name of the Azure Files share.")
        c.argument("access_mode", enum_type(["ReadOnly", "ReadWrite"]), help="How the apps mount the share.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    with ArgumentsContext(loader, "containerapp list-usages") as c:
        c.argument("location", options_list=["--location", "-l"], help="The region to count the environments of.")
    with ArgumentsContext(loader, "containerapp env list-usages") as c:
        _env_name(c, "name", required=False)
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], required=False,
                   help="Name of resource group.")
    with ArgumentsContext(loader, "containerapp env premium-ingress") as c:
        _env_name(c, "name", required=False)
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], required=True, id_part=None,
                   help="Name of resource group.")
        c.argument("workload_profile_name", options_list=["--workload-profile-name", "-w"],
                   help="The dedicated workload profile the ingress would run on (one no app or job uses).")
        c.argument("termination_grace_period", options_list=["--termination-grace-period", "-t"], type=int,
                   help="Seconds to drain requests when the ingress shuts down (0-3600, default 500).")
        c.argument("request_idle_timeout", type=int, help="Minutes before an idle request times out (4-30, default 4).")
        c.argument("header_count_limit", type=int, help="Most HTTP headers a request may have (at least 1, default "
                   "100).")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    with ArgumentsContext(loader, "containerapp env premium-ingress add") as c:
        c.argument("workload_profile_name", options_list=["--workload-profile-name", "-w"], required=True,
                   help="The dedicated workload profile the ingress would run on (one no app or job uses).")
    with ArgumentsContext(loader, "containerapp env dapr-component") as c:
        _env_name(c, "environment_name")
        c.argument("dapr_component_name", help="The Dapr component name.")
        c.argument("yaml", help="Path to a .yaml file with the Dapr component's definition.")
    _github_arguments(loader)


def _github_arguments(loader):
    with ArgumentsContext(loader, "containerapp github-action") as c:
        c.argument("name", options_list=["--name", "-n"], required=False, help="The name of the Containerapp.")
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], required=False,
                   help="Name of resource group.")
        c.argument("repo_url", required=True, help="The GitHub repository the workflow would go to (not reachable "
                   "offline).")
        c.argument("token", help="A GitHub personal access token (GitHub is not reachable offline).")
        c.argument("login_with_github", action="store_true", help="Log in to GitHub interactively (not offline).")
        c.argument("branch", options_list=["--branch", "-b"], help="The branch of the GitHub repository.")
        c.argument("registry_url", help="The container registry server, e.g. myregistry.azurecr.io.")
        c.argument("registry_username", help="The username of the registry.")
        c.argument("registry_password", help="The password of the registry.")
        c.argument("context_path", help="Path in the repository from which to run the docker build.")
        c.argument("image", options_list=["--image", "-i"], help="Container image name for the workflow to build.")
        c.argument("service_principal_client_id", help="The service principal client ID.")
        c.argument("service_principal_client_secret", help="The service principal client secret.")
        c.argument("service_principal_tenant_id", help="The service principal tenant ID.")
