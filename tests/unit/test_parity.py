"""Parity with the real az 2.91's command table (issue 10, item 2), as a ratchet.

tests/data/az-2.91-commands.json is the real az's table for azlocal's groups (regenerate it with
tools/az_snapshot.py under a venv holding azure-cli==2.91.0). For every command azlocal has, each
real option must exist in azlocal with the same option strings, arity (flag / optional value / one
value / list), choices (case-insensitively) and required-ness, and azlocal must have no option the
real az lacks. Commands azlocal lacks are reported, not failed.

Today's mismatches are recorded in tests/data/parity-baseline.json; the test fails on a mismatch
that is neither there nor in the reviewed tests/data/parity-exceptions.txt, and on a baseline or
exceptions entry that no longer happens (delete it: both files only shrink).
Counts: `pytest -s tests/unit/test_parity.py`, or `python3 tools/az_snapshot.py --report`.
"""

import argparse
import json
import sys
from collections import Counter

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))

import parity  # noqa: E402

# Arguments the CLI core gives every command (knack's and az's), counted apart in the summary.
CORE_DESTS = set(parity.GLOBAL_DESTS) | {"_acquire_policy_token", "_change_reference"}


def load_azlocal():
    """(cli, root parser, {command: parser}, {command: error}) of azlocal's whole table, built in-process
    the way the invoker builds it for one command, but for all of them (nothing is executed)."""
    from knack.events import (
        EVENT_INVOKER_CMD_TBL_LOADED,
        EVENT_INVOKER_POST_CMD_TBL_CREATE,
        EVENT_INVOKER_PRE_CMD_TBL_CREATE,
    )

    from azlocal.cli import get_cli

    cli = get_cli()
    invoker = cli.invocation_cls(cli_ctx=cli, parser_cls=cli.parser_cls,
                                 commands_loader_cls=cli.commands_loader_cls, help_cls=cli.help_cls)
    cli.invocation = invoker
    cli.data["completer_active"] = False
    loader = invoker.commands_loader
    # The steps of knack's CommandInvoker.execute up to the parser, events included.
    cli.raise_event(EVENT_INVOKER_PRE_CMD_TBL_CREATE, args=[])
    table = loader.load_command_table([])  # no first word: every command module
    for name in table:
        invoker.data["command_string"] = name
        loader.load_arguments(name)
    cli.raise_event(EVENT_INVOKER_POST_CMD_TBL_CREATE, cmd_tbl=table)

    class One:  # the parser is built one command at a time, so one broken command can't hide the rest
        command_group_table = loader.command_group_table

    errors = {}
    for name, command in table.items():
        one = One()
        one.command_table = {name: command}
        try:
            invoker.parser.load_command_table(one)
        except (argparse.ArgumentError, ValueError, TypeError) as ex:
            errors[name] = str(ex)
    cli.raise_event(EVENT_INVOKER_CMD_TBL_LOADED, parser=invoker.parser)
    parsers = parity.command_parsers(invoker.parser)
    return cli, invoker.parser, {n: p for n, p in parsers.items() if n not in errors}, errors


def _visible(description):
    return {"options": {d: o for d, o in description["options"].items() if not o.get("hidden")}}


def read_snapshot():
    return json.loads((ROOT / parity.SNAPSHOT).read_text())["commands"]


def read_exceptions():
    """{(command, option): reason} from the reviewed exceptions file; command `*` means every one."""
    found = {}
    path = ROOT / parity.PARITY_EXCEPTIONS
    for raw in path.read_text().splitlines() if path.exists() else []:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        at = next((i for i, w in enumerate(words) if w.startswith(("-", "<"))), None)
        assert at, f"{parity.PARITY_EXCEPTIONS}: expected `command option reason`, got: {raw}"
        reason = " ".join(words[at + 1:])
        assert reason, f"{parity.PARITY_EXCEPTIONS}: every exception needs a reason: {raw}"
        found[(" ".join(words[:at]), words[at])] = reason
    return found


def _excepted(exceptions, command, option):
    return (command, option) in exceptions or ("*", option) in exceptions


def compute():
    real = read_snapshot()
    _, _, parsers, errors = load_azlocal()
    ours = {n for n in list(parsers) + list(errors) if n.split()[0] in parity.GROUPS}
    mismatches, counts = {}, Counter()
    for name in sorted(ours):
        if name not in real:
            mismatches[name] = {"<command>": ["extra command: the real az 2.91 has no such command"]}
            continue
        if name in errors:
            mismatches[name] = {"<parser>": [f"azlocal cannot build its parser: {errors[name]}"]}
            continue
        local = _visible(parity.describe_parser(parsers[name]))
        problems = parity.compare_command(_visible(real[name]), local)
        if problems:
            mismatches[name] = problems
        core_keys = {parity.key_of(d, o) for d, o in local["options"].items() if d in CORE_DESTS}
        for dest, option in _visible(real[name])["options"].items():
            scope = "core" if dest in CORE_DESTS else "command"
            key = parity.key_of(dest, option)
            found = problems.get(key, [])
            counts[scope, "real"] += 1
            if not found:
                counts[scope, "matched"] += 1
            for problem in found:
                counts[scope, problem.split(":")[0]] += 1
        for key, found in problems.items():
            if found == ["extra"]:
                counts["core" if key in core_keys else "command", "extra"] += 1
    return {"real": real, "ours": ours, "mismatches": mismatches, "counts": counts}


def print_summary(report):
    real, ours, counts = report["real"], report["ours"], report["counts"]
    common = ours & set(real)
    lacking = Counter(n.split()[0] for n in set(real) - ours)
    print(f"\nparity: commands real az {len(real)}, azlocal {len(ours)}, in common {len(common)}; "
          f"azlocal lacks {sum(lacking.values())} ({', '.join(f'{g} {c}' for g, c in lacking.most_common())})")
    for scope, title in (("command", "command options"), ("core", "global options (core)")):
        print(f"parity: {title} on common commands: real {counts[scope, 'real']}, "
              f"matched {counts[scope, 'matched']}, missing {counts[scope, 'missing']}, "
              f"wrong arity {counts[scope, 'arity']}, wrong required {counts[scope, 'required']}, "
              f"wrong choices {counts[scope, 'choices']}, wrong strings {counts[scope, 'strings']}, "
              f"extra {counts[scope, 'extra']}")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("AZLOCAL_HOME", str(tmp_path_factory.mktemp("parity-home")))
    for var in ("AZURE_DEFAULTS_GROUP", "AZURE_DEFAULTS_LOCATION", "AZURE_DEFAULTS_ACR"):
        mp.delenv(var, raising=False)  # a configured default makes -g/-l/-r optional
    try:
        yield compute()
    finally:
        mp.undo()


def test_snapshot_is_the_real_az_291():
    data = json.loads((ROOT / parity.SNAPSHOT).read_text())
    assert data["_az_version"] == "2.91.0"
    assert set(data["_groups"]) == set(parity.GROUPS)
    assert "containerapp create" in data["commands"] and "acr create" in data["commands"]


def test_no_mismatch_beyond_the_baseline_and_exceptions(report):
    print_summary(report)
    baseline = json.loads((ROOT / parity.PARITY_BASELINE).read_text())
    exceptions = read_exceptions()
    new = []
    for command, options in report["mismatches"].items():
        for option, problems in options.items():
            if _excepted(exceptions, command, option):
                continue
            known = set(baseline.get(command, {}).get(option, []))
            new += [f"az {command} {option}: {p}" for p in problems if p not in known]
    assert not new, (f"{len(new)} option mismatch(es) with the real az 2.91 (fix them; a deliberate one goes in "
                     f"{parity.PARITY_EXCEPTIONS} with its reason):\n  " + "\n  ".join(new))


def test_baseline_only_shrinks(report):
    baseline = json.loads((ROOT / parity.PARITY_BASELINE).read_text())
    fixed = []
    for command, options in baseline.items():
        for option, problems in options.items():
            now = set(report["mismatches"].get(command, {}).get(option, []))
            fixed += [f"{command} {option}: {p}" for p in problems if p not in now]
    assert not fixed, (f"{len(fixed)} baseline entr(y/ies) fixed - delete them from {parity.PARITY_BASELINE} "
                       "(or regenerate it: python3 tools/az_snapshot.py --baseline, and review the diff):\n  "
                       + "\n  ".join(fixed))


def test_exceptions_are_still_needed(report):
    stale = [f"{c} {o}" for (c, o) in read_exceptions()
             if not any(o in opts for cmd, opts in report["mismatches"].items() if c in ("*", cmd))]
    assert not stale, f"exceptions no longer needed - delete them from {parity.PARITY_EXCEPTIONS}:\n  " + \
        "\n  ".join(stale)
