"""The home's own redis-server, for Dapr components of type state.redis and pubsub.redis.

Whatever a component's `redisHost` says, azlocal serves it with one Debian `redis-server` per home, started
on demand by the first sidecar that needs it and kept under the home:

    <home>/dapr/redis/redis.sock    the server's only listener (a unix socket, mode 0700: no TCP port at all;
                                    under the temporary folder when the home's path is too long for one)
    <home>/dapr/redis/appendonly*   its data (append-only file, fsynced every second: survives restarts)
    <home>/dapr/redis/redis.log     its log
    <home>/dapr/redis/lock          serialises starting it between sidecars

A unix socket is reached by path, so every sidecar (each in its replica's network namespace) and the host
reach the same server. The server runs under a small watchdog (`python -m azlocal.aca.dapr.redis_server
--watch <dir>`, its own session) that stops it when the home's folder disappears or on `stop()`.

    path = redis_server.ensure()                 # starts it if needed; the socket's path
    client = redis_server.client(db=0)           # a redis.Redis on that socket (the `redis` package)
"""

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from azlocal.core import safepath

START_TIMEOUT = 10.0
MAX_SOCKET_PATH = 100


class RedisUnavailable(RuntimeError):
    """redis-server is missing or did not come up."""


def folder():
    path = safepath.home_path("dapr", "redis")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def socket_path():
    """<home>/dapr/redis/redis.sock, or, when that path is too long for a unix socket (108 bytes), a folder of
    this home's own under the temporary directory (named by a digest of the home's path, mode 0700)."""
    path = folder() / "redis.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(folder()).encode()).hexdigest()[:16]
    short = Path(tempfile.gettempdir()) / f"azlocal-redis-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def _ping(path):
    import redis

    try:
        return redis.Redis(unix_socket_path=str(path), socket_timeout=1).ping()
    except (redis.RedisError, OSError):
        return False


def ensure():
    """The socket's path of the home's running redis-server, started (with its watchdog) when none answers."""
    sock = socket_path()
    if sock.exists() and _ping(sock):
        return str(sock)
    binary = shutil.which("redis-server")
    if not binary:
        raise RedisUnavailable("redis-server is not installed (Debian's redis-server package backs redis-typed "
                               "Dapr components in azlocal)")
    base = folder()
    with open(base / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if sock.exists() and _ping(sock):
            return str(sock)
        with open(base / "redis.log", "ab") as log:
            subprocess.Popen([sys.executable, "-m", "azlocal.aca.dapr.redis_server", "--watch", str(base), binary,
                              str(sock)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                             close_fds=True, cwd=str(base))
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if sock.exists() and _ping(sock):
                return str(sock)
            time.sleep(0.05)
    raise RedisUnavailable(f"redis-server did not start within {START_TIMEOUT:.0f} s (see {base / 'redis.log'})")


def client(db=0):
    import redis

    return redis.Redis(unix_socket_path=ensure(), db=int(db or 0), socket_timeout=10)


def stop():
    """Stops the home's redis-server (its watchdog shuts it down); False when none was running."""
    pid_file = folder() / "watchdog.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and pid_file.exists():  # the watchdog removes it as it exits
        time.sleep(0.05)
    return True


def _config(base, sock):
    return "\n".join([
        "port 0", f"unixsocket {sock}", "unixsocketperm 700", f"dir {base}", "daemonize no",
        "appendonly yes", "appendfsync everysec", 'save ""', "protected-mode no", "loglevel notice", ""])


def _watch(base, binary, sock):
    """The watchdog: runs redis-server, stops it on SIGTERM or when the folder is gone, exits with it."""
    with open(os.path.join(base, "watchdog.pid"), "w") as f:
        f.write(str(os.getpid()))
    conf = os.path.join(base, "redis.conf")
    with open(conf, "w") as f:
        f.write(_config(base, sock))
    child = subprocess.Popen([binary, conf], stdin=subprocess.DEVNULL)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    while child.poll() is None:
        if stopping or not os.path.isdir(base):
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
            break
        time.sleep(0.5)
    try:
        os.unlink(os.path.join(base, "watchdog.pid"))
    except OSError:
        pass


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--watch":
    _watch(sys.argv[2], sys.argv[3], sys.argv[4])
