"""Settings with defaults. Every machine-specific value is read from the environment here."""

import os
from pathlib import Path

SUBSCRIPTION_ID = os.environ.get("AZLOCAL_SUBSCRIPTION_ID", "00000000-0000-0000-0000-00000000a21c")
TENANT_ID = os.environ.get("AZLOCAL_TENANT_ID", "00000000-0000-0000-0000-0000000a1ca1")
SUBSCRIPTION_NAME = "azlocal"
USER_NAME = "learner@azlocal.local"
# The signed-in user's object id (the principal role assignments and Key Vault access policies name).
USER_OBJECT_ID = os.environ.get("AZLOCAL_USER_OBJECT_ID", "00000000-0000-0000-0000-0000000a1ce5")
# The Azure service packages, each a sibling under azlocal; platform.cleanup reads their CLEANERS.
SERVICE_PACKAGES = ("azlocal.resources", "azlocal.acr", "azlocal.aci", "azlocal.aca", "azlocal.storage",
                    "azlocal.identity", "azlocal.keyvault", "azlocal.role")


def home() -> Path:
    """The folder that holds all of one azlocal's state (AZLOCAL_HOME, default ~/.azlocal).

    It holds secrets, the CA's key and logs: azlocal creates it 0700 (owner only), and tightens
    its own default folder to 0700 if an older version left it open.
    """
    configured = os.environ.get("AZLOCAL_HOME")
    path = Path(configured or Path.home() / ".azlocal")
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass  # another process made it first (with the same mode)
        else:
            os.chmod(path, 0o700)  # whatever the umask
    elif not configured:
        _tighten(path)
    return path


def _tighten(path):
    try:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            os.chmod(path, 0o700)
    except OSError:
        pass


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


# The DNS domains azlocal serves (or will serve) over HTTPS with its local CA. The CA is
# name-constrained to exactly these subtrees (X.509 NameConstraints), so even its key could not
# vouch for any other name; the daemon also refuses the TLS handshake for a name under them that
# no resource of this home owns. The one list: the CA, the daemon and the docs read it from here.
SERVED_DNS_DOMAINS = (
    "azlocal.local",             # the daemon's own name (status, the default certificate)
    "azurecr.io",                # registries: <name>.azurecr.io, <name>.<region>.data.azurecr.io
    "azurecontainerapps.io",     # container apps: <app>.<env domain>, revisions, labels
    "azurecontainer.io",         # container groups: <label>.<region>.azurecontainer.io
    "vault.azure.net",           # key vaults (DESIGN: a later data plane)
    "blob.core.windows.net",     # storage accounts (DESIGN: later data planes)
    "file.core.windows.net",
    "queue.core.windows.net",
    "table.core.windows.net",
)
# IP addresses a certificate of the local CA may name: loopback only.
SERVED_IP_NETWORKS = ("127.0.0.0/8", "::1/128")


def _number(name, default, kind=float):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        return default


def daemon_start_timeout() -> float:
    """How long a command waits for the daemon of its home to be ready (including waiting for
    another command that is starting it)."""
    return _number("AZLOCAL_DAEMON_START_TIMEOUT", 60.0)


def daemon_file_limit():
    """The soft descriptor limit the daemon sets at start (AZLOCAL_DAEMON_FILE_LIMIT); default: the
    hard limit, so the common 1024 does not cap the connections it can hold."""
    return _number("AZLOCAL_DAEMON_FILE_LIMIT", None, int)


def daemon_max_connections() -> int:
    """At most this many client connections at once (fewer if the descriptor limit is lower)."""
    return _number("AZLOCAL_DAEMON_MAX_CONNECTIONS", 4096, int)


def daemon_idle_timeout() -> float:
    """Seconds a connection may sit without a complete request (an idle keep-alive connection, or
    a client that sends its headers too slowly) before the daemon closes it."""
    return _number("AZLOCAL_DAEMON_IDLE_TIMEOUT", 30.0)


def daemon_tls_handshake_timeout() -> float:
    return _number("AZLOCAL_DAEMON_TLS_HANDSHAKE_TIMEOUT", 10.0)


def daemon_cert_cache_size() -> int:
    """Server certificates the daemon keeps in memory (least recently used ones are dropped)."""
    return _number("AZLOCAL_DAEMON_CERT_CACHE", 256, int)


def daemon_log_repeats() -> int:
    """Identical log messages written per second at most; the rest are counted and reported."""
    return _number("AZLOCAL_DAEMON_LOG_REPEATS", 5, int)


def git_mirrors() -> str:
    """A folder of git clones that stand for remote repositories in ACR contexts (AZLOCAL_GIT_MIRRORS):
    https://github.com/<owner>/<repo>.git is the clone at <folder>/github.com/<owner>/<repo>.git. Unset: none."""
    return os.path.expanduser(os.environ.get("AZLOCAL_GIT_MIRRORS", ""))


def retention_sweep_seconds() -> float:
    """Seconds between two applications of the registries' retention policies by the daemon
    (AZLOCAL_RETENTION_SWEEP_SECONDS, default 30)."""
    return _number("AZLOCAL_RETENTION_SWEEP_SECONDS", 30.0)


def cmk_key_cache_seconds() -> float:
    """How long the daemon keeps a customer-managed-key registry's unwrapped data key before asking its vault
    again (AZLOCAL_CMK_KEY_CACHE_SECONDS, default 60): a disabled key or a removed role stops pushes and pulls
    after at most this long."""
    return max(_number("AZLOCAL_CMK_KEY_CACHE_SECONDS", 60.0), 0.0)


def upload_ttl_seconds() -> int:
    """How long a registry upload session may sit untouched before the daemon removes its data
    (AZLOCAL_UPLOAD_TTL_SECONDS, default one hour since its last write)."""
    try:
        return max(int(os.environ.get("AZLOCAL_UPLOAD_TTL_SECONDS") or 3600), 0)
    except ValueError:
        return 3600
