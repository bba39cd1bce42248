"""Exit 0 when every requirement in setup.cfg (install_requires and the test extra) is installed and
azlocal itself is importable from this checkout; 1 otherwise (then .ci/setup runs pip)."""

import configparser
import importlib.metadata
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
cfg = configparser.ConfigParser()
cfg.read(root / "setup.cfg")
names = cfg["options"]["install_requires"].split() + cfg["options.extras_require"]["test"].split()
for requirement in filter(None, names):
    name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(1)
try:
    import azlocal
except ImportError:
    sys.exit(1)
sys.exit(0 if Path(azlocal.__file__).resolve().is_relative_to(root) else 1)
