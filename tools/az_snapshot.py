"""Snapshots of the real Azure CLI's command table, and the ratchet baselines the parity tests use.

    # once, outside the project: a throwaway venv with the real az
    python3 -m venv /tmp/azcli && /tmp/azcli/bin/pip install -q azure-cli==2.91.0

    # the real az's table for azlocal's groups, and which published docs lines it parses:
    /tmp/azcli/bin/python tools/az_snapshot.py
        -> tests/data/az-2.91-commands.json, tests/data/az-2.91-docs-parse.json

    # azlocal's current mismatches, as the baselines the tests ratchet down from (project's Python):
    python3 tools/az_snapshot.py --baseline
        -> tests/data/parity-baseline.json, tests/data/docs-baseline.txt
    python3 tools/az_snapshot.py --report      # the counts only, nothing written

The snapshot is read through az's own loader, the way its reference docs are generated
(azure.cli.core.file_util.create_invoker_and_load_cmds_and_args): every command module's command
table and arguments, --ids and the global --subscription registered, then the argparse parser
built. Only names are written (commands, option strings, required-ness, nargs, choices), never
az's code or help text.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import parity  # noqa: E402


def shared_dir():
    return Path(os.environ.get("AZLOCAL_SHARED", ROOT.parent / "shared"))


# ---- under the real az -------------------------------------------------------------------------

class _ParseFailed(Exception):
    pass


def _clean_environment(home_var):
    """A fresh, empty config: a configured default (group, location, acr) would make -g/-l/-r optional."""
    os.environ[home_var] = tempfile.mkdtemp(prefix="az-snapshot-")
    for var in list(os.environ):
        if var.startswith("AZURE_DEFAULTS_"):
            del os.environ[var]


def _real_az_parser():
    _clean_environment("AZURE_CONFIG_DIR")
    os.environ["AZURE_CORE_COLLECT_TELEMETRY"] = "no"
    from azure.cli.core import get_default_cli
    from azure.cli.core.file_util import create_invoker_and_load_cmds_and_args

    cli = get_default_cli()
    create_invoker_and_load_cmds_and_args(cli)
    return cli, cli.invocation.parser


def _quiet_parser_errors(parser_cls):
    """az's parser errors ask the recommender and the extension installer (network); for a parse
    check the message is enough."""

    def error(self, message):
        raise _ParseFailed(message)

    def check_value(self, action, value):
        if action.choices is not None and value not in action.choices:
            raise _ParseFailed(f"'{value}' is not a valid value for "
                               f"'{'/'.join(action.option_strings) or action.dest}'")

    parser_cls.error = error
    parser_cls._check_value = check_value


def snapshot():
    import azure.cli.core

    cli, parser = _real_az_parser()
    version = getattr(azure.cli.core, "__version__", "?")
    commands = {}
    for name, sub in sorted(parity.command_parsers(parser).items()):
        if name.split()[0] in parity.GROUPS:
            options = parity.describe_parser(sub)["options"]
            # az's ignored arguments (ignore_type: hidden placeholders such as --__SITE, --cmd) are
            # no options a user can type.
            commands[name] = {"options": {d: o for d, o in options.items()
                                          if not (o.get("hidden") and (d == "cmd" or _placeholder(o)))}}
    (ROOT / parity.SNAPSHOT).write_text(_dump(version, commands))
    print(f"az {version}: {len(commands)} commands in {len(parity.GROUPS)} groups -> {parity.SNAPSHOT}")

    _quiet_parser_errors(type(parser))
    for sub in parity.command_parsers(parser).values():
        _quiet_parser_errors(type(sub))
    results = {}
    rows = parity.read_docs_tsv(shared_dir() / parity.DOCS_TSV)
    with parity.tolerant_values(parser):
        for _, _, _, line in rows:
            args = parity.docs_args(line)
            if args is None:
                results[line] = "not a command line"
                continue
            results[line] = _real_parse(parser, args)
    (ROOT / parity.DOCS_SNAPSHOT).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    accepted = sum(1 for v in results.values() if v is None)
    print(f"docs lines: {len(results)} distinct, the real az parses {accepted} -> {parity.DOCS_SNAPSHOT}")


def _placeholder(option):
    return any(s.startswith("--__") for s in option["strings"])


def _dump(version, commands):
    """JSON with one line per option, so that a new az version's snapshot diffs readably."""
    lines = ["{", f' "_az_version": {json.dumps(version)},', f' "_groups": {json.dumps(list(parity.GROUPS))},',
             ' "commands": {']
    for i, (name, command) in enumerate(sorted(commands.items())):
        lines.append(f'  {json.dumps(name)}: {{"options": {{')
        options = sorted(command["options"].items())
        for j, (dest, option) in enumerate(options):
            comma = "," if j < len(options) - 1 else ""
            lines.append(f'   {json.dumps(dest)}: {json.dumps(option, sort_keys=True)}{comma}')
        lines.append("  }}" + ("," if i < len(commands) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def _real_parse(parser, args):
    """None when the real az's parser accepts args, else argparse's complaint."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    if any(a in ("-h", "--help") for a in args):
        return "asks for help"
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            parser.parse_args(args)
    except _ParseFailed as ex:
        return str(ex).splitlines()[0] if str(ex) else "refused"
    except SystemExit as ex:
        return f"exit {ex.code}"
    except Exception as ex:  # a type conversion of az's that raises its own error
        return f"{type(ex).__name__}: {str(ex).splitlines()[0] if str(ex) else ''}"
    return None


# ---- under azlocal's Python --------------------------------------------------------------------

def _azlocal_reports():
    _clean_environment("AZLOCAL_HOME")
    sys.path.insert(0, str(ROOT))
    from tests.unit import test_docs_commands, test_parity

    return test_parity, test_parity.compute(), test_docs_commands, test_docs_commands.compute()


def report():
    test_parity, parity_report, test_docs_commands, docs_report = _azlocal_reports()
    test_parity.print_summary(parity_report)
    test_docs_commands.print_summary(docs_report)


def baseline():
    test_parity, report, test_docs_commands, docs = _azlocal_reports()
    entries = report["mismatches"]
    exceptions = test_parity.read_exceptions()
    kept = {cmd: {opt: probs for opt, probs in opts.items() if (cmd, opt) not in exceptions}
            for cmd, opts in entries.items()}
    kept = {cmd: opts for cmd, opts in kept.items() if opts}
    (ROOT / parity.PARITY_BASELINE).write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
    print(f"{sum(len(v) for v in kept.values())} option mismatches in {len(kept)} commands "
          f"-> {parity.PARITY_BASELINE}")
    test_parity.print_summary(report)

    refused = sorted({line for row in docs["refused"] for line in [row["line"]]})
    header = ("# Published az lines the real az 2.91 parses and azlocal refuses today (ratchet: only shrinks).\n"
              "# Regenerate with: python3 tools/az_snapshot.py --baseline\n")
    (ROOT / parity.DOCS_BASELINE).write_text(header + "".join(f"{line}\n" for line in refused))
    print(f"{len(refused)} refused docs lines -> {parity.DOCS_BASELINE}")
    test_docs_commands.print_summary(docs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", action="store_true",
                    help="regenerate the parity and docs baselines from azlocal's current table")
    ap.add_argument("--report", action="store_true",
                    help="print azlocal's parity and docs counts (writes nothing)")
    ns = ap.parse_args()
    if ns.baseline:
        baseline()
    elif ns.report:
        report()
    else:
        snapshot()


if __name__ == "__main__":
    main()
