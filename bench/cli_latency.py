"""Wall-clock latency of azlocal's `az`, optionally side by side with the real Azure CLI.

    python bench/cli_latency.py [--runs N] [--real-az PATH] [--az PATH]

Each command runs as a fresh subprocess (as a user's shell runs it), once to warm up and then --runs
times; the table shows the median and p90 of those runs. azlocal runs against a throwaway AZLOCAL_HOME
holding 100 resource groups; the real az runs against a throwaway AZURE_CONFIG_DIR (logged out, so it
can't list groups offline: that row shows n/a). See bench/README.md.
"""

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GROUP_LIST_TARGET = 0.12  # seconds, median of `az group list` with 100 groups
HELP_SPEEDUP_TARGET = 4.0  # real az median / azlocal median, on the -h commands
GROUPS = 100

# (label, arguments, measured with the real az too?)
COMMANDS = [
    ("az --version", ["--version"], True),
    (f"az group list ({GROUPS} groups)", ["group", "list"], False),
    ("az group -h", ["group", "-h"], True),
    ("az acr -h", ["acr", "-h"], True),
    ("az acr create -h", ["acr", "create", "-h"], True),
]


def default_az():
    """azlocal's console script beside this Python (skips shims such as pyenv's), else `az` on PATH."""
    local = Path(sys.executable).parent / "az"
    return str(local) if local.exists() else shutil.which("az")


def default_real_az():
    if Path("/tmp/realaz/bin/az").exists():
        return "/tmp/realaz/bin/az"
    return os.environ.get("AZLOCAL_REAL_AZ")


def seed_groups(az, env, count):
    """Create `count` groups in the bench's AZLOCAL_HOME, in one Python process (fast)."""
    code = (
        "from azlocal.resources import groups\n"
        f"for i in range({count}):\n"
        "    groups.create(f'bench-rg-{i:03d}', 'eastus')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    # Sanity check: the CLI sees them all.
    out = subprocess.run([az, "group", "list", "--query", "length(@)", "-o", "tsv"], env=env,
                         check=True, capture_output=True, text=True).stdout.strip()
    if out != str(count):
        sys.exit(f"expected {count} groups in the bench home, `az group list` saw {out!r}")


def time_command(exe, args, env, runs):
    """Run `exe args` once to warm up, then `runs` times. Returns the wall times, or None if it fails."""
    def once():
        start = time.perf_counter()
        proc = subprocess.run([exe, *args], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start, proc.returncode

    _, code = once()  # warm-up: page cache, .pyc files, the real az's command index
    if code != 0:
        return None
    times = []
    for _ in range(runs):
        elapsed, code = once()
        if code != 0:
            return None
        times.append(elapsed)
    return times


def p90(values):
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def fmt(seconds):
    return f"{seconds:.3f}s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    parser.add_argument("--az", default=default_az(), help="azlocal's az (default: the one beside this Python)")
    parser.add_argument("--real-az", default=default_real_az(),
                        help="the real Azure CLI (default /tmp/realaz/bin/az if present, else $AZLOCAL_REAL_AZ)")
    parser.add_argument("--no-pyc", action="store_true",
                        help="keep the environment's bytecode settings (e.g. PYTHONDONTWRITEBYTECODE=1) as they are")
    opts = parser.parse_args()
    if not opts.az:
        parser.error("azlocal's az is not installed (pip install -e .)")
    real_az = opts.real_az if opts.real_az and Path(opts.real_az).exists() else None

    with tempfile.TemporaryDirectory(prefix="azlocal-bench-") as tmp:
        # Isolated state for both CLIs; never the user's ~/.azlocal or ~/.azure.
        base_env = dict(os.environ)
        if not opts.no_pyc:
            # Measure what an installed CLI costs: with .pyc files. They go to a private cache (the warm-up
            # run fills it), so the bench writes nothing into the source tree or the venvs.
            base_env.pop("PYTHONDONTWRITEBYTECODE", None)
            base_env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        local_env = dict(base_env, AZLOCAL_HOME=str(Path(tmp) / "azlocal"))
        real_env = dict(base_env, AZURE_CONFIG_DIR=str(Path(tmp) / "azure"),
                        AZURE_CORE_COLLECT_TELEMETRY="no", AZURE_CORE_SURVEY_MESSAGE="no")
        seed_groups(opts.az, local_env, GROUPS)

        print(f"azlocal az : {opts.az}")
        print(f"real az    : {real_az or 'not found (use --real-az PATH)'}")
        print(f"python     : {sys.version.split()[0]}   runs per command: {opts.runs} (+1 warm-up)")
        pyc = "environment's settings" if opts.no_pyc else "on, in a private PYTHONPYCACHEPREFIX"
        print(f".pyc cache : {pyc}\n")

        rows = []
        for label, args, with_real in COMMANDS:
            local = time_command(opts.az, args, local_env, opts.runs)
            real = time_command(real_az, args, real_env, opts.runs) if real_az and with_real else None
            rows.append((label, args, with_real, local, real))

    header = ["command", "azlocal median", "azlocal p90", "real az median", "real az p90", "real/azlocal",
              "target", "met?"]
    table = []
    acr_help_failed = any(args == ["acr", "-h"] and local is None for _, args, _, local, _ in rows)
    for label, args, with_real, local, real in rows:
        is_help = "-h" in args
        if local is None:
            no_acr = args[0] == "acr" and acr_help_failed
            missing = "n/a (no acr group yet)" if no_acr else "n/a (command failed)"
            cells = [label, missing, "", "", "", "", "", ""]
        else:
            cells = [label, fmt(statistics.median(local)), fmt(p90(local))]
            if real is not None:
                ratio = statistics.median(real) / statistics.median(local)
                cells += [fmt(statistics.median(real)), fmt(p90(real)), f"{ratio:.1f}x"]
            elif not with_real:
                cells += ["n/a (needs login)", "", ""]
            else:
                cells += ["n/a", "", ""]
            # The two targets: group list latency, and the speed-up over real az on help commands.
            if args == ["group", "list"]:
                cells += [f"<= {GROUP_LIST_TARGET:.2f}s", "yes" if statistics.median(local) <= GROUP_LIST_TARGET
                          else "NO"]
            elif is_help and real is not None:
                cells += [f">= {HELP_SPEEDUP_TARGET:.0f}x", "yes" if ratio >= HELP_SPEEDUP_TARGET else "NO"]
            elif is_help:
                cells += [f">= {HELP_SPEEDUP_TARGET:.0f}x", "n/a"]
            else:
                cells += ["", ""]
        table.append(cells)

    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print(line)
    for cells in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip())
    print(line)
    print(f"Targets: `az group list` <= {GROUP_LIST_TARGET}s median; help commands >= {HELP_SPEEDUP_TARGET:.0f}x "
          "faster than the real az (ratio = real az median / azlocal median).")


if __name__ == "__main__":
    main()
