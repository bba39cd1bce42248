"""Arguments and conventions shared by every command group, as az has them."""

import sys

from knack.arguments import ArgumentsContext, CLIArgumentType

from azlocal.core.errors import ArgumentUsageError

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
    result = {}
    for item in tags:
        if not item:
            continue
        key, _, value = item.partition("=")
        result[key] = value
    return result


def expand_ids(args):
    """Turns `--ids <arm id> [<arm id> …]` into the name arguments az derives from each id: one
    argument list per id (the arguments as they are when there is no --ids)."""
    from azlocal.core.conventions import IDS_COMMANDS

    if "--ids" not in args or any(a in ("-h", "--help") for a in args):
        return [args]
    words = []
    for a in args:
        if a.startswith("-"):
            break
        words.append(a.lower())
    if " ".join(words) not in IDS_COMMANDS:
        return [args]  # the parser refuses --ids, as az does for commands without it
    start = args.index("--ids")
    end = start + 1
    while end < len(args) and not args[end].startswith("-"):
        end += 1
    ids = args[start + 1:end]
    if not ids:
        return [args]
    return [args[:start] + _names_of(rid) + args[end:] for rid in ids]


def _names_of(rid):
    parts = rid.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" not in lowered or len(parts) < 4:
        raise ArgumentUsageError(f"invalid resource ID: {rid}")
    group = parts[lowered.index("resourcegroups") + 1]
    if "providers" not in lowered:
        return ["--name", group]
    # .../providers/<ns>/<type>/<name>[/<child type>/<child name>]
    names = parts[lowered.index("providers") + 2:]
    resource_names = names[1::2]
    extra = ["--resource-group", group]
    if len(resource_names) == 1:
        extra += ["--name", resource_names[0]]
    elif len(resource_names) >= 2:
        extra += _child_args(names, resource_names)
    return extra


def _child_args(names, resource_names):
    # A child resource: the parent's name goes to the parent's argument (e.g. --registry).
    parent_types = {"registries": "--registry", "containerapps": "--name", "managedenvironments": "--name"}
    parent_flag = parent_types.get(names[0].lower(), "--name")
    return [parent_flag, resource_names[0], "--name", resource_names[-1]]


def require_confirmation(message, yes):
    """az's prompt for destructive commands whose confirmation text is their own."""
    from knack.log import get_logger
    from knack.prompting import NoTTYException, prompt_y_n

    from azlocal.core.errors import AzLocalError

    if yes:
        return
    try:
        if prompt_y_n(message):
            return
    except NoTTYException:
        get_logger("cli.azlocal").warning("Unable to prompt for confirmation as no tty available. Use --yes.")
    raise AzLocalError("Operation cancelled.")


class Progress:
    """az's spinner on stderr while a long operation runs — only on a terminal."""

    FRAMES = "|/-\\"

    def __init__(self, message="Running"):
        self.message = message
        self._thread = None
        self._stop = None

    def __enter__(self):
        if sys.stderr.isatty():
            import threading

            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def _spin(self):
        i = 0
        while not self._stop.wait(0.2):
            sys.stderr.write(f"\r{self.FRAMES[i % 4]} {self.message} ..")
            sys.stderr.flush()
            i += 1

    def __exit__(self, *exc):
        if self._thread:
            self._stop.set()
            self._thread.join()
            sys.stderr.write("\r" + " " * (len(self.message) + 6) + "\r")
            sys.stderr.flush()
