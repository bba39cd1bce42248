"""The daemon's edge: listeners on loopback (HTTP, and HTTPS with per-name certificates), routed by Host.

`*.azurecr.io` goes to the registry, `*.azurecontainerapps.io` to the container-apps gateway,
`<account>.blob.core.windows.net` to the Blob service (azlocal.storage.dataplane), `<vault>.vault.azure.net`
to the Key Vault data plane (azlocal.keyvault.dataplane), and the managed-identity token paths to the token
endpoints (azlocal.identity.dataplane).
The daemon keeps no state of its own: each request is answered from the state store, the secret
store and Docker, so a daemon killed at any moment and started again serves exactly what the
store says.

The edge is hardened against what a loopback client can do to it: the soft descriptor limit is
raised to the hard one at start; a connection without a complete request for
`daemon_idle_timeout()` seconds (idle keep-alive, or headers sent too slowly) is closed; at most
`daemon_max_connections()` connections are held (the oldest idle ones make room for new ones,
else a new one gets 503); TLS handshakes time out; the HTTPS listener refuses names no resource
of this home owns. Logs never carry credentials (query strings, Authorization values and
user:password@ are redacted) and identical messages beyond a few a second are counted, not written.
"""

import asyncio
import fcntl
import logging
import os
import sys

from aiohttp import web

from azlocal.core import settings
from azlocal.daemon import housekeeping
from azlocal.daemon.logfilters import RedactFilter, RepeatFilter
from azlocal.platform import lifecycle

log = logging.getLogger("azlocal.daemon")
FD_RESERVE = 128  # descriptors kept free of client connections: store, Docker, upstreams, logs
# asyncio accepts up to `backlog` sockets per wake-up of a listener, before the cap sees them: two
# listeners, and up to two batches in flight before the refused ones are closed.
BACKLOG = 128  # as aiohttp's default
ACCEPT_BURST = 4 * BACKLOG


async def _status(request):
    doc = dict(request.app["info"])
    cap = request.app.get("cap")
    if cap is not None:
        doc["connections"] = {"held": cap.held(), "limit": cap.limit, "evicted": cap.evicted, "refused": cap.refused}
    return web.json_response(doc)


def build_app():
    from azlocal.aca.gateway import Gateway, is_gateway_host
    from azlocal.acr.dataplane import build_app as build_registry_app
    from azlocal.acr.dataplane.views import make_resolver
    from azlocal.identity import dataplane as token_dataplane
    from azlocal.keyvault import dataplane as vault_dataplane
    from azlocal.storage import dataplane as blob_dataplane

    gateway = Gateway()

    @web.middleware
    async def by_host(request, handler):
        if blob_dataplane.is_blob_host(request.host):
            return await blob_dataplane.handle(request)
        if vault_dataplane.is_vault_host(request.host):
            return await vault_dataplane.handle(request)
        if token_dataplane.is_token_request(request):
            return await token_dataplane.handle(request)
        if _on_bridge(request):  # containers reach the data planes and token endpoints only, nothing else
            return web.Response(status=403, text="azlocal serves only data planes and token endpoints on this "
                                "address.\n")
        if is_gateway_host(request.host) or gateway.route(request.host.split(":")[0].lower()) is not None:
            return await gateway.handle(request)  # an app's names, or a custom domain bound to one
        return await handler(request)

    app = build_registry_app(make_resolver())
    app.middlewares.append(by_host)
    app["gateway"] = gateway
    app["info"] = {"home": settings.label_value(), "https_port": None, "pid": os.getpid(), "port": None,
                   "ready": False}
    app.router.add_get(lifecycle.STATUS_PATH, _status)

    async def close_gateway(_app):
        await gateway.close()

    app.on_cleanup.append(close_gateway)
    return app


def _on_bridge(request):
    """Whether the request came in on the extra bridge-gateway listener (neither loopback nor the daemon's own
    address, which may itself be the gateway when AZLOCAL_DAEMON_HOST says so)."""
    import ipaddress

    sock = request.transport.get_extra_info("sockname") if request.transport else None
    if not sock:
        return False
    try:
        return not ipaddress.ip_address(sock[0]).is_loopback and sock[0] != settings.daemon_host()
    except ValueError:
        return True


def serves(gateway, host):
    """Whether a TLS client asking for `host` (SNI) names something this home serves."""
    from azlocal.acr import registries
    from azlocal.acr.dataplane.views import registry_name_of

    host = host.lower().rstrip(".")
    if host == "azlocal.local":
        return True
    if gateway.route(host) is not None:
        return True
    from azlocal.storage import dataplane as blob_dataplane

    if blob_dataplane.is_blob_host(host):
        return blob_dataplane.serves(host)
    from azlocal.keyvault import dataplane as vault_dataplane

    if vault_dataplane.is_vault_host(host):
        return vault_dataplane.serves(host)
    name = registry_name_of(host)
    return bool(name) and registries.find(name) is not None


# Process set-up ---------------------------------------------------------------------------------

def setup_logging():
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    repeats = RepeatFilter(settings.daemon_log_repeats())
    handler.addFilter(repeats)
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    return repeats


def raise_file_limit():
    """Soft RLIMIT_NOFILE up to the hard limit (or to AZLOCAL_DAEMON_FILE_LIMIT); returns the soft limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = settings.daemon_file_limit() or hard
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    elif wanted == resource.RLIM_INFINITY:
        wanted = 1 << 20  # Linux refuses an infinite descriptor limit (fs.nr_open)
    if wanted != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as ex:
            log.warning("could not set the descriptor limit to %s: %s", wanted, ex)
    return soft


def connection_limit(file_limit):
    # Each proxied request can hold two descriptors (client and upstream).
    return max(16, min(settings.daemon_max_connections(), (file_limit - FD_RESERVE - ACCEPT_BURST) // 2))


def _hold_instance_lock():
    """One daemon per home: the lock lives as long as this process."""
    lock = open(lifecycle.instance_lock_path(), "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _fail(f"another azlocal daemon of {settings.home()} is running")
    return lock


def _fail(message):
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def serve(port):
    repeats = setup_logging()
    lock = _hold_instance_lock()
    file_limit = raise_file_limit()
    try:
        asyncio.run(_serve(port, connection_limit(file_limit), repeats))
    except _BindError as ex:
        _fail(str(ex))
    finally:
        lock.close()


# Listeners ---------------------------------------------------------------------------------------

class _BindError(Exception):
    pass


class _Busy(asyncio.Protocol):
    """A connection beyond the cap while every held one is busy: 503, closed."""

    def connection_made(self, transport):
        transport.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        transport.close()


class ConnectionCap:
    """The listeners' protocol factory: at most `limit` connections; the oldest idle ones make room."""

    def __init__(self, server, limit):
        self.server, self.limit = server, limit
        self.closing = set()
        self.evicted = self.refused = 0

    def held(self):
        connections = self.server._connections
        self.closing = {h for h in self.closing if h in connections}
        return len(connections) - len(self.closing)

    def __call__(self):
        held = self.held()
        if held >= self.limit:
            # Connections accepted in one burst are counted only once made: room for a batch.
            self._evict(held - self.limit + max(1, self.limit // 16))
            if self.held() >= self.limit:
                self.refused += 1
                return _Busy()
        return self.server()

    def _evict(self, count):
        for handler in list(self.server._connections):
            if count <= 0:
                break
            if handler in self.closing or getattr(handler, "_request_in_progress", True):
                continue
            transport = handler.transport
            if transport is not None:
                transport.abort()
            self.closing.add(handler)
            self.evicted += 1
            count -= 1


class EdgeSite(web.TCPSite):
    """A TCPSite whose connections pass the cap and whose TLS handshakes time out."""

    def __init__(self, runner, host, port, cap, ssl_context=None):
        super().__init__(runner, host, port, ssl_context=ssl_context, backlog=BACKLOG)
        self.cap = cap

    async def start(self):
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        extra = {"ssl_handshake_timeout": settings.daemon_tls_handshake_timeout()} if self._ssl_context else {}
        try:
            self._server = await loop.create_server(self.cap, self._host, self._port, ssl=self._ssl_context,
                                                    backlog=self._backlog, **extra)
        except OSError as ex:
            raise _BindError(f"cannot listen on {self._host}:{self._port}: {ex.strerror or ex}") from None
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port


async def _serve(port, limit, repeats):
    import signal

    app = build_app()
    runner = web.AppRunner(app, access_log=None, handle_signals=False,
                           keepalive_timeout=settings.daemon_idle_timeout())
    await runner.setup()
    info = app["info"]
    https_port = await _listen(app, runner, port, limit)
    # The handshake: daemon.json is written (atomically) only once every socket listens, then
    # /azlocal/status says ready. `ensure_running` waits for both.
    lifecycle.write_info({k: info[k] for k in ("home", "https_port", "pid", "port")})
    info["ready"] = True
    log.info("azlocal daemon for %s listening on %s:%d (https %s, at most %d connections)", settings.home(),
             settings.daemon_host(), port, https_port, limit)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    background = housekeeping.start(app["gateway"], repeats, stop)
    background.append(app["gateway"].start_tcp(settings.daemon_host()))  # TCP ingress listeners
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for task in background:
        task.cancel()
    await runner.cleanup()


async def _listen(app, runner, port, limit):
    """HTTP on `port` (or _BindError, the runner cleaned up), then HTTPS if it can; the HTTPS port or None."""
    cap = app["cap"] = ConnectionCap(runner.server, limit)
    host = settings.daemon_host()
    info = app["info"]
    try:
        await EdgeSite(runner, host, port, cap).start()
    except _BindError:
        await runner.cleanup()
        raise
    info["port"] = port  # /azlocal/status now answers: ours, not ready yet
    https_port = settings.https_port()
    context = None
    try:
        from azlocal.platform.tls import Issuer

        gateway = app["gateway"]
        from azlocal.aca.hostnames import tls_for

        context = Issuer().server_context(lambda name: serves(gateway, name),
                                          bound=lambda name: tls_for(name) if gateway.route(name) else None)
        await EdgeSite(runner, host, https_port, cap, ssl_context=context).start()
    except (OSError, _BindError) as ex:
        log.warning("HTTPS on %s:%d is not available (%s); container apps answer on HTTP only", host, https_port, ex)
        https_port = None
    info["https_port"] = https_port
    await _listen_on_bridge(runner, cap, port, https_port and context)
    return https_port


async def _listen_on_bridge(runner, cap, port, context):
    """Containers reach the storage data planes at the host's bridge gateway ('host-gateway' in their hosts
    file, see platform.engine.objects.daemon_route): the same ports there, when Docker and the address are."""
    from azlocal.platform.engine.objects import bridge_gateway

    loop = asyncio.get_running_loop()
    try:
        address = await asyncio.wait_for(loop.run_in_executor(None, bridge_gateway), 5)
    except Exception:
        address = None
    if not address or address == settings.daemon_host():
        return
    for listen_port, ssl_context in ((port, None), (settings.https_port(), context)):
        if listen_port is None or (ssl_context is None and listen_port != port):
            continue
        try:
            await EdgeSite(runner, address, listen_port, cap, ssl_context=ssl_context).start()
        except (OSError, _BindError) as ex:
            log.warning("containers cannot reach the daemon on %s:%d (%s)", address, listen_port, ex)
