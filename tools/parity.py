"""Shared by tools/az_snapshot.py (run under the real Azure CLI's Python) and the parity/docs tests
(run under azlocal's): how an argparse command parser is described, how two descriptions are
compared, and how a published `az` command line becomes an argument list.

Only the standard library here: this module must import under either interpreter.
"""

import argparse
import re
import shlex

# The groups azlocal covers (the first word of a command).
GROUPS = ("acr", "container", "containerapp", "group", "account", "configure", "extension",
          "provider", "version", "login", "logout", "storage",
          "identity", "keyvault", "role")

# Arguments every command gets from the CLI itself (knack / az core), not from its command module.
GLOBAL_DESTS = ("help", "_log_verbosity_verbose", "_log_verbosity_debug", "_log_verbosity_only_show_errors",
                "_output_format", "_jmespath_query", "_subscription")

SNAPSHOT = "tests/data/az-2.91-commands.json"
DOCS_SNAPSHOT = "tests/data/az-2.91-docs-parse.json"
PARITY_BASELINE = "tests/data/parity-baseline.json"
PARITY_EXCEPTIONS = "tests/data/parity-exceptions.txt"
DOCS_BASELINE = "tests/data/docs-baseline.txt"
DOCS_TSV = "reference/docs-commands.tsv"  # under the shared folder


# ---- describing a command's parser -------------------------------------------------------------

def command_parsers(parser):
    """{command name: its argparse parser} for every leaf command under a knack root parser."""
    found = {}
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    command = sub._defaults.get("command")
                    if command:
                        found[command] = sub
                    else:
                        stack.append(sub)
    return found


def _nargs(action):
    nargs = action.nargs
    if nargs is None and isinstance(action, argparse._AppendAction):
        return "append"
    if isinstance(action, (argparse._AppendAction, argparse._ExtendAction)) and nargs in ("+", "*"):
        return "append" + nargs
    return nargs


def describe_action(action):
    choices = None
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        choices = sorted({str(c) for c in action.choices}, key=str.lower)
    entry = {
        "strings": list(action.option_strings),
        "required": bool(action.required),
        "nargs": _nargs(action),
        "choices": choices,
    }
    if action.help == argparse.SUPPRESS:
        entry["hidden"] = True
    deprecate = getattr(action, "deprecate_info", None)
    if deprecate is not None:
        entry["deprecated"] = True
    return entry


def describe_parser(parser):
    """{"options": {dest: {strings, required, nargs, choices[, hidden, deprecated]}}} of one command."""
    options = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        options[action.dest] = describe_action(action)
    return {"options": options}


# ---- comparing ---------------------------------------------------------------------------------

def arity(option):
    """What a user can type after the option: a bare flag, an optional value, one value, a list."""
    nargs = option["nargs"]
    if nargs == 0:
        return "flag"
    if nargs == "?":
        return "optional value"
    if nargs in (None, 1):
        return "one value"
    return "list"


def key_of(dest, option):
    """The name an option is known by: its first long option string (positionals: <DEST>)."""
    longs = [s for s in option["strings"] if s.startswith("--")]
    if longs:
        return longs[0]
    if option["strings"]:
        return option["strings"][0]
    return f"<{dest}>"


def _by_key(options):
    return {key_of(dest, opt): opt for dest, opt in options.items()}


def _find(local_options, key, real):
    """The azlocal option a real option corresponds to: same primary string, else any shared string."""
    if key in local_options:
        return key, local_options[key]
    for local_key, opt in local_options.items():
        if set(opt["strings"]) & set(real["strings"]):
            return local_key, opt
    if not real["strings"]:  # a positional: the one positional of the same arity
        positionals = [(k, o) for k, o in local_options.items() if not o["strings"]]
        if len(positionals) == 1:
            return positionals[0]
    return None, None


def compare_command(real, local):
    """{option key: [problem, ...]} between the real az's description and azlocal's of one command.
    Problems: "missing", "extra", "arity: ...", "required: ...", "choices: ...", "strings: ..."."""
    problems = {}
    real_options = _by_key(real["options"])
    local_options = _by_key(local["options"])
    matched = set()
    for key, ropt in real_options.items():
        local_key, lopt = _find(local_options, key, ropt)
        if lopt is None:
            problems[key] = ["missing"]
            continue
        matched.add(local_key)
        found = []
        if arity(ropt) != arity(lopt):
            found.append(f"arity: az {arity(ropt)}, azlocal {arity(lopt)}")
        if ropt["required"] != lopt["required"]:
            found.append(f"required: az {ropt['required']}, azlocal {lopt['required']}")
        rch = None if ropt["choices"] is None else sorted({c.lower() for c in ropt["choices"]})
        lch = None if lopt["choices"] is None else sorted({c.lower() for c in lopt["choices"]})
        if rch != lch:
            found.append(f"choices: az {rch}, azlocal {lch}")
        if sorted(ropt["strings"]) != sorted(lopt["strings"]):
            found.append(f"strings: az {sorted(ropt['strings'])}, azlocal {sorted(lopt['strings'])}")
        if found:
            problems[key] = found
    for key in local_options:
        if key not in matched:
            problems[key] = ["extra"]
    return problems


# ---- published command lines -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<[^<>\n]+>")
MARK = "ZZPH"  # what a `<placeholder>` or `$(...)` becomes: a value the reader fills in
_OPERATORS = {"|", "||", "&", "&&", ";", ";;", ">", ">>", "<", "<<", "(", ")", ">&", "&>", "|&"}


def _replace_substitutions(line):
    """`$(...)` and backticks become one placeholder word (nesting respected)."""
    out, i = [], 0
    while i < len(line):
        if line.startswith("$(", i):
            depth, j = 1, i + 2
            while j < len(line) and depth:
                depth += {"(": 1, ")": -1}.get(line[j], 0)
                j += 1
            out.append(MARK + "SUBST")
            i = j
        elif line[i] == "`":
            j = line.find("`", i + 1)
            out.append(MARK + "SUBST")
            i = len(line) if j < 0 else j + 1
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def docs_args(line):
    """The arguments after `az` of a published command line, as a shell would pass them (variables
    and `<placeholders>` stay single words; the line ends at a pipe, redirect, `;`, `&&` or comment).
    None if the line cannot be split (unbalanced quotes)."""
    text = _PLACEHOLDER.sub(lambda m: MARK + re.sub(r"\W+", "_", m.group(0)).strip("_"), line)
    text = _replace_substitutions(text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:
        return None
    if not tokens or tokens[0] != "az":
        return None
    args = []
    for token in tokens[1:]:
        if token in _OPERATORS or (token and set(token) <= set("|&;<>()")):
            if args and args[-1].isdigit() and token.startswith(">"):
                args.pop()  # `2>/dev/null`
            break
        args.append(token)
    return args


def read_docs_tsv(path):
    """[(line number, tier, source, command line)] of the published-commands table."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.startswith("#") or not raw.strip():
                continue
            tier, source, command_line = raw.rstrip("\n").split("\t", 2)
            rows.append((number, tier, source, command_line))
    return rows


def command_of(args, commands):
    """The longest known command the leading words of args name, or None."""
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n])
        if name in commands:
            return name
    return None


def is_wildcard(value):
    """A value the docs leave to the reader ($VAR, <placeholder>, $(...), @file): any value fits."""
    return isinstance(value, str) and ("$" in value or MARK in value or value.startswith("@"))


class tolerant_values:
    """While active, the command parsers accept a wildcard value for any option (its choices and
    type conversion are skipped for that value only); everything else parses as the parser would."""

    def __init__(self, root_parser):
        self.root = root_parser
        self.saved = []

    def __enter__(self):
        parsers = [self.root] + list(command_parsers(self.root).values())
        for cls in {type(p) for p in parsers}:
            original = cls.__dict__.get("_check_value")
            self.saved.append((cls, "_check_value", original))
            inherited = getattr(cls, "_check_value")

            def check_value(parser, action, value, _inherited=inherited):
                if is_wildcard(value):
                    return None
                return _inherited(parser, action, value)

            cls._check_value = check_value
        seen = set()
        for parser in parsers:
            for action in parser._actions:
                if id(action) in seen:  # the global arguments' actions are shared by every command
                    continue
                seen.add(id(action))
                if action.type is not None and callable(action.type):
                    self.saved.append((action, "type", action.type))
                    action.type = _tolerant_type(action.type)
        return self

    def __exit__(self, *exc):
        for obj, attr, value in reversed(self.saved):
            if value is None and isinstance(obj, type):
                delattr(obj, attr)
            else:
                setattr(obj, attr, value)
        self.saved = []


def _tolerant_type(func):
    def convert(value):
        if is_wildcard(value):
            return value
        return func(value)

    return convert
