"""How the acr commands render a run's progress: the engine's log streams to stdout, the CLI's own
status lines (queued, waiting for an agent …) to stderr, as ACR's CLI shows them."""

import sys


def render(kind, text):
    """The progress callback of runs: `kind` "log" is run-log text (already with its line ends),
    "status" one status line."""
    stream = sys.stdout if kind == "log" else sys.stderr
    stream.write(text if kind == "log" else text + "\n")
    stream.flush()


def write_stdout(text):
    sys.stdout.write(text)


def print_line(text):
    print(text)
