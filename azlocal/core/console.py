"""What the CLI shows while a command runs: az's confirmation prompt and its spinner."""

import sys


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
