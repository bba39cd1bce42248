"""az group: resource groups."""

from operator import itemgetter

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import tables
from azlocal.core.conventions import enum_type
from azlocal.resources import _help  # noqa: F401  (registers the help entries)

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
    return tables.table(result, {"Name": itemgetter("name"), "Location": itemgetter("location"),
                                 "Status": lambda g: g["properties"]["provisioningState"]})


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
