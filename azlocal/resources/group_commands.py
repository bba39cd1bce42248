"""az group: resource groups."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup
from knack.help_files import helps

from azlocal.core.conventions import enum_type

helps["group"] = """
type: group
short-summary: Manage resource groups.
"""
helps["group create"] = """
type: command
short-summary: Create a resource group, or update the tags of an existing one.
examples:
  - name: Create a resource group in East US.
    text: az group create -l eastus -n MyResourceGroup
"""
helps["group show"] = """
type: command
short-summary: Show a resource group.
examples:
  - name: Show a group's location.
    text: az group show -n MyResourceGroup --query location -o tsv
"""
helps["group list"] = """
type: command
short-summary: List resource groups.
examples:
  - name: List the groups tagged env=dev, as a table.
    text: az group list --tag env=dev -o table
"""
helps["group update"] = """
type: command
short-summary: Update a resource group's tags or properties.
examples:
  - name: Replace the tags of a group.
    text: az group update -n MyResourceGroup --tags owner=me env=dev
  - name: Set one tag with the generic update syntax.
    text: az group update -n MyResourceGroup --set tags.team=web
  - name: Remove one tag.
    text: az group update -n MyResourceGroup --remove tags.team
"""
helps["group delete"] = """
type: command
short-summary: Delete a resource group and every resource in it.
long-summary: >
  Registries, container groups and container apps in the group are removed with their
  containers, networks, stored images and secrets.
examples:
  - name: Delete a group without a prompt.
    text: az group delete -n MyResourceGroup --yes
  - name: Start deleting and return at once.
    text: az group delete -n MyResourceGroup --yes --no-wait
"""
helps["group exists"] = """
type: command
short-summary: Print true if the resource group exists, false otherwise.
examples:
  - name: Check for a group.
    text: az group exists -n MyResourceGroup
"""
helps["group wait"] = """
type: command
short-summary: Wait until a condition of the resource group is met.
examples:
  - name: Wait for a group's deletion to finish.
    text: az group wait -n MyResourceGroup --deleted
"""

_NAME_OPTIONS = ["--name", "--resource-group", "-g", "-n"]


def load_commands(loader):
    with CommandGroup(loader, "group", "azlocal.resources.group_commands#{}") as g:
        g.command("create", "create_group")
        g.command("show", "show_group")
        g.command("list", "list_groups", table_transformer=group_table)
        g.command("update", "update_group")
        g.command("delete", "delete_group", confirmation=True)
        g.command("exists", "group_exists")
        g.command("wait", "wait_group")


def load_arguments(loader, command):
    with ArgumentsContext(loader, "group") as c:
        c.argument("resource_group_name", options_list=_NAME_OPTIONS,
                   help="Name of resource group. You can configure the default group using "
                   "`az configure --defaults group=<name>`.")
    with ArgumentsContext(loader, "group create") as c:
        c.argument("resource_group_name", options_list=_NAME_OPTIONS, configured_default=None,
                   help="Name of the new resource group.")
        c.argument("managed_by", options_list=["--managed-by"],
                   help="The ID of the resource that manages this resource group.")
    with ArgumentsContext(loader, "group list") as c:
        c.argument("tag", nargs="?", help="A single tag in 'key[=value]' format.")
    with ArgumentsContext(loader, "group delete") as c:
        c.argument("force_deletion_types", enum_type(["Microsoft.Compute/virtualMachines",
                                                      "Microsoft.Compute/virtualMachineScaleSets",
                                                      "Microsoft.Databricks/workspaces"]),
                   options_list=["--force-deletion-types", "-f"],
                   help="The resource types to force delete (azlocal hosts none of them; its resources are "
                   "always deleted).")
    with ArgumentsContext(loader, "group wait") as c:
        for name, text in (
            ("created", "Wait until created with 'provisioningState' at 'Succeeded'."),
            ("deleted", "Wait until deleted."),
            ("exists", "Wait until the resource exists."),
            ("updated", "Wait until updated with provisioningState at 'Succeeded'."),
        ):
            c.argument(name, options_list=[f"--{name}"], action="store_true", arg_group="Wait Condition",
                       help=text)
        c.argument("custom", arg_group="Wait Condition",
                   help="Wait until the condition satisfies a custom JMESPath query.")
        c.argument("interval", type=int, arg_group="Wait Condition", help="Polling interval in seconds.")
        c.argument("timeout", type=int, arg_group="Wait Condition", help="Maximum wait in seconds.")


def group_table(result):
    return [
        OrderedDict([("Name", g["name"]), ("Location", g["location"]),
                     ("Status", g["properties"]["provisioningState"])])
        for g in result
    ]


def create_group(resource_group_name, location, tags=None, managed_by=None):
    from azlocal.core.common import parse_tags
    from azlocal.resources import groups

    return groups.create(resource_group_name, location, parse_tags(tags), managed_by)


def show_group(resource_group_name):
    from azlocal.resources import groups

    return groups.get(resource_group_name)


def list_groups(tag=None):
    from azlocal.resources import groups

    return groups.list_groups(tag)


def update_group(resource_group_name, tags=None, set_=None, add=None, remove=None, force_string=False):
    from azlocal.core.common import parse_tags
    from azlocal.resources import groups

    return groups.update(resource_group_name, parse_tags(tags), set_, add, remove, force_string)


def delete_group(resource_group_name, no_wait=False, force_deletion_types=None):
    from azlocal.core.common import Progress
    from azlocal.resources import groups

    # Deleting locally is quick, so --no-wait still deletes before returning: a later
    # `az group wait --deleted` then returns at once, as it would once Azure finished.
    with Progress():
        groups.delete(resource_group_name)


def group_exists(resource_group_name):
    from azlocal.resources import groups

    return groups.exists(resource_group_name)


def wait_group(resource_group_name, created=False, deleted=False, exists=False, updated=False, custom=None,
               interval=30, timeout=3600):
    from azlocal.resources import groups

    groups.wait(resource_group_name, created, deleted, exists, updated, custom, interval, timeout)
