"""The one way a user-supplied name becomes a path on the host.

Every name that came from the user (a volume, a secret file, a share, a storage account, a
repository, a run id, ...) reaches the filesystem only through `home_path`: each such name is
first checked against Azure's naming rule for its kind (refused with az's error, exit 1, before
anything is created), then the joined path is resolved (symlinks included) and must stay inside
AZLOCAL_HOME. Fixed segments chosen by azlocal itself are plain strings.

    home_path("fileshares", ("storage account", account), ("file share", share))
"""

import re
from pathlib import Path

from azlocal.core import settings
from azlocal.core.errors import ValidationError

# kind -> (pattern the whole name must match, what the rule says)
RULES = {
    "volume": (r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?",
               "It must be 1-63 lower case letters, digits or '-', starting and ending with a letter or digit."),
    "secret file": (r"(?!\.{1,2}$)[-._a-zA-Z0-9]{1,253}",
                    "It must be 1-253 letters, digits, '-', '_' or '.', and not '.' or '..'."),
    "file share": (r"(?!.*--)[a-z0-9][-a-z0-9]{1,61}[a-z0-9]",
                   "It must be 3-63 lower case letters, digits or '-', start and end with a letter or digit, "
                   "and not contain '--'."),
    "storage account": (r"[a-z0-9]{3,24}", "It must be 3-24 lower case letters or digits."),
    "container app secret": (r"[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?",
                             "It must consist of lower case alphanumeric characters, '-' or '.', and must start "
                             "and end with an alphanumeric character."),
    "registry": (r"[a-zA-Z0-9]{5,50}", "It must be 5-50 letters or digits."),
    "run id": (r"[a-zA-Z0-9][-a-zA-Z0-9]{0,63}", "It must be letters, digits or '-'."),
    "digest": (r"[a-z0-9]+:[a-f0-9]{32,128}", "It must be an algorithm and a hex value."),
    "repository": (r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*",
                   "It must be lower case path components of letters and digits, separated by '/'."),
}
_COMPILED = {kind: re.compile(pattern) for kind, (pattern, _) in RULES.items()}


class PathEscape(ValidationError):
    """A path that would resolve outside the home (a symlink, or a rule that let something through)."""


def check_name(kind, value):
    """Azure's naming rule for this kind of name; returns the value, or raises az's validation error."""
    if not isinstance(value, str) or not _COMPILED[kind].fullmatch(value) or len(value) > 1024:
        raise ValidationError(f"The {kind} name '{value}' is invalid. {RULES[kind][1]}")
    return value


def confine(path, base=None):
    """The resolved path, if it lies inside base (default: the home); else PathEscape."""
    root = Path(base or settings.home()).resolve()
    resolved = Path(path).resolve()
    if resolved != root and root not in resolved.parents:
        raise PathEscape(f"The path '{path}' is outside azlocal's home and was refused.")
    return resolved


def home_path(*parts, base=None):
    """Joins fixed segments and (kind, name) pairs under base (default: the home), confined."""
    root = Path(base or settings.home())
    path = root
    for part in parts:
        if isinstance(part, tuple):
            kind, value = part
            check_name(kind, value)
            segment = value
        else:
            segment = str(part)
            if not segment or segment.startswith("/") or ".." in Path(segment).parts or "\0" in segment:
                raise PathEscape(f"The path segment '{segment}' is not allowed.")
        path = path / segment
    confine(path, root)
    return path
