"""`--ids`: az resolves each ARM id into the name arguments before parsing."""

from azlocal.core.conventions import IDS_COMMANDS
from azlocal.core.errors import ArgumentUsageError


def expand_ids(args):
    """Turns `--ids <arm id> [<arm id> …]` into the name arguments az derives from each id: one
    argument list per id (the arguments as they are when there is no --ids). `--id` is taken for `--ids`,
    as az's parser takes an unambiguous abbreviation."""
    flag = next((a for a in args if a in ("--ids", "--id")), None)
    if flag is None or any(a in ("-h", "--help") for a in args):
        return [args]
    words = []
    for a in args:
        if a.startswith("-"):
            break
        words.append(a.lower())
    if " ".join(words) not in IDS_COMMANDS:
        return [args]  # the parser refuses --ids, as az does for commands without it
    start = args.index(flag)
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
