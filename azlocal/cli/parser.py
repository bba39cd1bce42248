"""argparse with az's wording for unknown commands and bad arguments (exit 2)."""

import sys

from knack.parser import CLICommandParser

from azlocal.core import helpdata

DOCS_POINTER = "\nhttps://aka.ms/cli_ref\nRead more about the command in reference docs"


class AzLocalParser(CLICommandParser):
    """argparse with az's wording for unknown commands and bad arguments (exit 2)."""

    def _check_value(self, action, value):
        if action.choices is None or value in action.choices:
            return
        if action.dest in ("_command", "_subcommand"):
            import difflib

            print(f"ERROR: '{value}' is misspelled or not recognized by the system.", file=sys.stderr)
            close = difflib.get_close_matches(value, list(action.choices), n=1, cutoff=0.6)
            if close:
                print(f"Did you mean '{close[0]}' ?", file=sys.stderr)
        else:
            name = "/".join(action.option_strings) if action.option_strings else action.dest
            allowed = ", ".join(str(c) for c in action.choices)
            print(f"ERROR: {self.prog}: '{value}' is not a valid value for '{name}'. "
                  f"Allowed values: {allowed}.", file=sys.stderr)
            self._print_examples()
        print(DOCS_POINTER, file=sys.stderr)
        self.exit(2)

    def error(self, message):
        print(f"ERROR: {message}", file=sys.stderr)
        if "the following arguments are required" in message:
            self._print_examples()
        print(DOCS_POINTER, file=sys.stderr)
        self.exit(2)

    def validation_error(self, message):
        print(f"ERROR: {message}", file=sys.stderr)
        self.exit(2)

    def _print_examples(self):
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        examples = helpdata.examples(command)
        if examples:
            print("\nExamples from command's help:", file=sys.stderr)
            for text, summary in examples:
                print(f"{text}\n{summary}\n", file=sys.stderr)
