"""The published docs' `az` lines parse in azlocal (issue 10, item 3), as a ratchet.

Each line of ../shared/reference/docs-commands.tsv whose command azlocal has is parsed by azlocal's
own parser (argparse on the whole table; nothing runs). A line the real az 2.91 parses
(tests/data/az-2.91-docs-parse.json, written by tools/az_snapshot.py) and azlocal refuses fails
the test, unless it is in tests/data/docs-baseline.txt, which only shrinks: a baseline line that
azlocal now parses fails too, until it is deleted.

Values the docs leave to the reader ($VAR, <placeholder>, $(...), @file) count as valid for any
option, on both sides.
"""

import io
import json
from collections import Counter, defaultdict
from contextlib import redirect_stderr, redirect_stdout

import pytest

from tests.conftest import ROOT, SHARED
from tests.unit.test_parity import load_azlocal, parity

TIERS = ("az204", "quickstart", "tutorial", "howto", "advanced")


def read_baseline():
    path = ROOT / parity.DOCS_BASELINE
    if not path.exists():
        return set()
    return {line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


def azlocal_parse(cli, parser, args):
    """None when azlocal's parser accepts args, else what it printed (its first ERROR line)."""
    from knack.events import EVENT_INVOKER_PRE_PARSE_ARGS

    from azlocal.cli import ids as common  # expand_ids lives in azlocal.cli.ids
    from azlocal.core.errors import AzLocalError

    try:
        runs = common.expand_ids(args)  # as AzLocalInvoker.execute does before parsing
    except AzLocalError:
        runs = [args]
    for run in runs:
        err = io.StringIO()
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(err):
                cli.raise_event(EVENT_INVOKER_PRE_PARSE_ARGS, args=run)
                parser.parse_args(run)
        except SystemExit as ex:
            lines = [s for s in err.getvalue().splitlines() if s.strip()]
            return next((s for s in lines if s.startswith("ERROR")), lines[0] if lines else f"exit {ex.code}")
        except Exception as ex:  # a type conversion raising the project's own error
            return f"{type(ex).__name__}: {ex}"
    return None


def compute():
    real = json.loads((ROOT / parity.DOCS_SNAPSHOT).read_text())
    cli, parser, parsers, errors = load_azlocal()
    commands = set(parsers) | set(errors)
    rows = parity.read_docs_tsv(SHARED / parity.DOCS_TSV)
    counts = defaultdict(Counter)
    refused, unknown, cache = [], [], {}
    with parity.tolerant_values(parser):
        for number, tier, _, line in rows:
            counts[tier]["lines"] += 1
            args = parity.docs_args(line)
            if args is None or any(a in ("-h", "--help") for a in args):
                counts[tier]["not a command"] += 1
                continue
            command = parity.command_of(args, commands)
            if command is None or command.split()[0] not in parity.GROUPS:
                counts[tier]["command azlocal lacks"] += 1
                continue
            counts[tier]["azlocal has the command"] += 1
            if line not in real:
                unknown.append(line)
                continue
            if real[line] is not None:
                counts[tier]["real az refuses"] += 1
                continue
            counts[tier]["real az parses"] += 1
            if line not in cache:
                cache[line] = azlocal_parse(cli, parser, args)
            if cache[line] is None:
                counts[tier]["azlocal parses"] += 1
            else:
                refused.append({"number": number, "tier": tier, "line": line, "error": cache[line]})
    return {"counts": counts, "refused": refused, "unknown": unknown}


def print_summary(report):
    print()
    for tier in TIERS:
        c = report["counts"][tier]
        print(f"docs {tier:<10}: {c['lines']} lines, azlocal has the command in {c['azlocal has the command']}; "
              f"of those the real az parses {c['real az parses']}, azlocal parses {c['azlocal parses']}"
              f"/{c['real az parses']} (real az refuses {c['real az refuses']})")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("AZLOCAL_HOME", str(tmp_path_factory.mktemp("docs-home")))
    for var in ("AZURE_DEFAULTS_GROUP", "AZURE_DEFAULTS_LOCATION", "AZURE_DEFAULTS_ACR"):
        mp.delenv(var, raising=False)
    try:
        yield compute()
    finally:
        mp.undo()


def test_docs_tsv_matches_the_snapshot(report):
    assert not report["unknown"], (
        f"{len(report['unknown'])} docs line(s) the real-az snapshot has not seen; regenerate it with "
        "tools/az_snapshot.py under azure-cli 2.91:\n  " + "\n  ".join(report["unknown"][:20]))


def test_docs_lines_the_real_az_parses_parse_in_azlocal(report):
    print_summary(report)
    baseline = read_baseline()
    new = [f"line {r['number']} ({r['tier']}): {r['line']}\n      {r['error']}"
           for r in report["refused"] if r["line"] not in baseline]
    assert not new, (f"{len(new)} published line(s) the real az parses and azlocal refuses:\n  " + "\n  ".join(new))


def test_docs_baseline_only_shrinks(report):
    still = {r["line"] for r in report["refused"]}
    fixed = sorted(read_baseline() - still)
    assert not fixed, (f"{len(fixed)} line(s) in {parity.DOCS_BASELINE} now parse (or are no longer checked) - "
                       "delete them:\n  " + "\n  ".join(fixed))
