"""The managed block in the hosts file that makes Azure host names resolve to loopback.

One clearly marked block per AZLOCAL_HOME:

    # BEGIN azlocal <home> (managed by azlocal; do not edit)
    127.0.0.1 myreg.azurecr.io
    # END azlocal <home>

Edits are atomic (write a temporary file, then rename) where the file may be replaced; a
bind-mounted hosts file (as in containers) cannot be renamed over, so it is rewritten in place
under a lock. Where azlocal may not write the file at all, it says once what to run and
everything that does not need the name keeps working.
"""

import fcntl
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from azlocal.core import settings


def hosts_path():
    return Path(os.environ.get("AZLOCAL_HOSTS_FILE", "/etc/hosts"))


def _markers():
    home = settings.label_value()
    return f"# BEGIN azlocal {home} (managed by azlocal; do not edit)", f"# END azlocal {home}"


@contextmanager
def _locked():
    with open(settings.home() / "hosts.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _split(text):
    """(lines before the block, entries in the block, lines after)."""
    begin, end = _markers()
    lines = text.splitlines()
    if begin not in lines:
        return lines, {}, []
    start = lines.index(begin)
    stop = lines.index(end, start) if end in lines[start:] else len(lines) - 1
    entries = {}
    for line in lines[start + 1:stop]:
        parts = line.split()
        if len(parts) >= 2:
            entries[parts[1]] = parts[0]
    return lines[:start], entries, lines[stop + 1:]


def entries():
    """hostname -> address, as the managed block says now."""
    path = hosts_path()
    if not path.exists():
        return {}
    return _split(path.read_text())[1]


def set_entries(add=None, remove=()):
    """Adds hostname -> address entries and removes hostnames, in one atomic edit.

    Returns False (after a one-time notice) where the hosts file may not be written.
    """
    path = hosts_path()
    with _locked():
        try:
            text = path.read_text() if path.exists() else ""
        except OSError:
            text = ""
        before, current, after = _split(text)
        wanted = dict(current)
        for name in remove:
            wanted.pop(name.lower(), None)
        for name, address in (add or {}).items():
            wanted[name.lower()] = address
        if wanted == current:
            return True
        lines = list(before)
        if wanted:
            begin, end = _markers()
            lines += [begin] + [f"{address} {name}" for name, address in sorted(wanted.items())] + [end]
        lines += after
        try:
            _write(path, "\n".join(lines) + "\n")
        except OSError:
            _notice_once(add or {})
            return False
    return True


def _write(path, text):
    tmp = path.with_name(f".{path.name}.azlocal-{os.getpid()}")
    try:
        tmp.write_text(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        # A bind-mounted file cannot be replaced: rewrite it in place (we hold the lock).
        with open(path, "r+") as f:
            f.seek(0)
            f.write(text)
            f.truncate()


def remove_all():
    set_entries(remove=list(entries()))


def _notice_once(add):
    flag = settings.home() / "hosts-notice-shown"
    if flag.exists():
        return
    flag.touch()
    lines = " ".join(f"{a} {n}" for n, a in add.items())
    print(
        f"WARNING: azlocal may not edit {hosts_path()}; host names such as "
        f"'{next(iter(add), '<name>')}' will not resolve. To allow it, run azlocal as root, or add "
        f"the names yourself (e.g. echo '{lines}' | sudo tee -a {hosts_path()}).",
        file=sys.stderr,
    )
