"""Arguments and conventions shared by every command group, as az has them."""

from knack.arguments import ArgumentsContext, CLIArgumentType

# Re-exported for the command modules that still import them from here; new code imports them from
# azlocal.core.console.
from azlocal.core.console import Progress, require_confirmation  # noqa: F401
from azlocal.core.parsing import pairs_dict

resource_group_type = CLIArgumentType(
    options_list=["--resource-group", "-g"],
    help="Name of resource group. You can configure the default group using "
    "`az configure --defaults group=<name>`.",
    configured_default="group",
)
location_type = CLIArgumentType(
    options_list=["--location", "-l"],
    help="Location. Values from: `az account list-locations`. You can configure the default "
    "location using `az configure --defaults location=<location>`.",
    configured_default="location",
)
tags_type = CLIArgumentType(
    nargs="*",
    help="Space-separated tags: key[=value] [key[=value] ...]. Use '' to clear existing tags.",
)
no_wait_type = CLIArgumentType(
    options_list=["--no-wait"], action="store_true", help="Do not wait for the long-running operation to finish."
)
ids_type = CLIArgumentType(
    options_list=["--ids"],
    nargs="+",
    arg_group="Resource Id",
    help="One or more resource IDs (space-delimited). It should be a complete resource ID containing "
    "all information of 'Resource Id' arguments. You should provide either --ids or other "
    "'Resource Id' arguments.",
)


def load_common_arguments(loader, command):
    with ArgumentsContext(loader, "") as c:
        c.argument("resource_group_name", resource_group_type)
        c.argument("location", location_type)
        c.argument("tags", tags_type)
        c.argument("no_wait", no_wait_type)
        c.argument("ids", ids_type)
    if command.endswith(" update"):
        with ArgumentsContext(loader, command) as c:
            c.argument("set_", options_list=["--set"], nargs="+", action="append", arg_group="Generic Update",
                       help="Update an object by specifying a property path and value to set. "
                       "Example: --set property1.property2=<value>.")
            c.argument("add", options_list=["--add"], nargs="+", action="append", arg_group="Generic Update",
                       help="Add an object to a list of objects by specifying a path and key value pairs. "
                       "Example: --add property.listProperty <key=value, string or JSON string>.")
            c.argument("remove", options_list=["--remove"], nargs="+", action="append", arg_group="Generic Update",
                       help="Remove a property or an element from a list. "
                       "Example: --remove property.list <indexToRemove> OR --remove propertyToRemove.")
            c.argument("force_string", options_list=["--force-string"], action="store_true",
                       arg_group="Generic Update",
                       help="When using 'set' or 'add', preserve string literals instead of attempting "
                       "to convert to JSON.")


def parse_tags(tags):
    """`--tags a=1 b` → {"a": "1", "b": ""}; `--tags ''` → {}; not given → None."""
    if tags is None:
        return None
    return pairs_dict([item for item in tags if item])
