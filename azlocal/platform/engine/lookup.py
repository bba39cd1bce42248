"""dockerd resolves registry names through the hosts file, but Go's resolver re-reads that file at
most every 5 seconds: a name azlocal has just added may be unknown to it for that long. Calls
that make the engine reach a new registry name retry for a short while on that one error."""

import time

WINDOW = 12.0


def is_lookup_error(text):
    return "no such host" in str(text)


def retry_on_lookup(action, window=WINDOW):
    """Runs action(); while it fails only because the engine cannot resolve a name yet, tries again."""
    deadline = time.monotonic() + window
    while True:
        try:
            return action()
        except Exception as ex:
            if not is_lookup_error(ex) or time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def wait_until_engine_resolves(host, window=WINDOW):
    """Blocks until dockerd can resolve `host` (at most `window` seconds), so that a `docker` command
    typed right after azlocal added the name finds it."""
    from azlocal.platform.engine.docker_client import client

    docker = client()

    def probe():
        try:
            docker.api.inspect_distribution(f"{host}/azlocal-probe:latest")
        except Exception as ex:
            if is_lookup_error(ex):
                raise
    try:
        retry_on_lookup(probe, window)
    except Exception:
        pass  # the name still does not resolve: commands that need it will say so
