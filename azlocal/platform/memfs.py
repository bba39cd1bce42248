"""This home's folder on a tmpfs: where secret files live in memory, never on the host's disk.

    <tmpfs>/azlocal-<first 16 hex of sha256(home label)>/<resource key prefix>/…

`/dev/shm` (or `$XDG_RUNTIME_DIR`) when it is a tmpfs this process may write; None otherwise (callers
fall back to the home, with a warning). Removing a resource (or the whole home) removes its folder here.
"""

import hashlib
import os
import shutil
from pathlib import Path

from azlocal.core import settings

CANDIDATES = ("/dev/shm",)


def tmpfs_mounts():
    """The mount points of tmpfs file systems, from /proc/mounts."""
    try:
        with open("/proc/mounts") as f:
            return {line.split()[1] for line in f if len(line.split()) > 2 and line.split()[2] == "tmpfs"}
    except OSError:
        return set()


def _tag():
    return hashlib.sha256(settings.label_value().encode()).hexdigest()[:16]


def root(create=True):
    """This home's folder on a tmpfs (made 0700 when `create`), or None when the machine offers none."""
    candidates = list(CANDIDATES)
    if os.environ.get("XDG_RUNTIME_DIR"):
        candidates.append(os.environ["XDG_RUNTIME_DIR"])
    mounts = tmpfs_mounts()
    for base in candidates:
        if base in mounts and os.access(base, os.W_OK):
            folder = Path(base) / f"azlocal-{_tag()}"
            if create:
                folder.mkdir(mode=0o700, exist_ok=True)
                folder.chmod(0o700)
            return folder
    return None


def remove(resource_prefix=None):
    """Removes one resource's folder (named by the first characters of its secret key), or with no
    prefix this home's whole folder."""
    folder = root(create=False)
    if folder is None:
        return
    shutil.rmtree(folder / resource_prefix if resource_prefix else folder, ignore_errors=True)
    try:
        folder.rmdir()  # the home's folder goes with its last resource: nothing is left on the tmpfs
    except OSError:
        pass
