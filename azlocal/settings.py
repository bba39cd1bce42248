"""Settings with defaults. Every machine-specific value is read from the environment here."""

import os
from pathlib import Path

SUBSCRIPTION_ID = os.environ.get("AZLOCAL_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000a21c")
TENANT_ID = os.environ.get("AZLOCAL_TENANT_ID", "00000000-0000-0000-0000-0000000a1ca1")
SUBSCRIPTION_NAME = "azlocal"
USER_NAME = "learner@azlocal.local"


def home() -> Path:
    """The folder that holds all of one azlocal's state (AZLOCAL_HOME, default ~/.azlocal)."""
    path = Path(os.environ.get("AZLOCAL_HOME") or Path.home() / ".azlocal")
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    return home() / "state.db"


def config_path() -> Path:
    return home() / "config"


def label_value() -> str:
    """Docker objects azlocal creates carry azlocal.home=<this value>, so two homes never
    touch each other's containers."""
    return str(home().resolve())


def busybox_path() -> str:
    """The static busybox that stand-in and test images are built from."""
    return os.environ.get("AZLOCAL_BUSYBOX", "/bin/busybox")


def http_port() -> int:
    """The daemon's HTTP port: 80 when it can bind it (root), else a documented fallback."""
    value = os.environ.get("AZLOCAL_HTTP_PORT")
    if value:
        return int(value)
    return 80 if os.geteuid() == 0 else 5080


def daemon_host() -> str:
    return os.environ.get("AZLOCAL_DAEMON_HOST", "127.0.0.1")


def https_port() -> int:
    """The daemon's HTTPS port for container apps: 443 when it can bind it (root), else 5443."""
    value = os.environ.get("AZLOCAL_HTTPS_PORT")
    if value:
        return int(value)
    return 443 if os.geteuid() == 0 else 5443
