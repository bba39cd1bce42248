"""TCP ingress: an app with `transport: Tcp` gets a listener of its own on the daemon's address, at its
exposed port (or its target port when it has none, as an internal TCP app is reached in Azure), and
each connection is piped to a ready replica (asyncio streams, both directions, half-close kept).

The set of listeners follows the store: `TcpIngress.run` re-reads it every few seconds (through the
gateway's route table), opening listeners for new TCP apps and closing those of apps gone or changed,
without a daemon restart. The app's IP access restrictions apply to its connections (a denied client
is closed at once); its tcp scale rule (`concurrentConnections`) is evaluated here: more open
connections per replica than that asks `scaling.Scaler` for another replica.
"""

import asyncio
import logging
import random

log = logging.getLogger("azlocal.daemon.tcp")
SYNC_SECONDS = 2.0
CHUNK = 64 * 1024


def listen_port(ingress):
    """The port an app's TCP ingress is served on, or None (not TCP)."""
    if not ingress or (ingress.get("transport") or "").lower() != "tcp":
        return None
    return ingress.get("exposedPort") or ingress.get("targetPort") or None


def tcp_concurrency(app, revision_template):
    for rule in (revision_template.get("scale") or {}).get("rules") or []:
        if isinstance(rule, dict) and isinstance(rule.get("tcp"), dict):
            try:
                return int((rule["tcp"].get("metadata") or {}).get("concurrentConnections", 10))
            except (TypeError, ValueError):
                return 10
    return None


class TcpIngress:
    def __init__(self, gateway, host):
        self.gateway, self.host = gateway, host
        self.servers = {}  # port -> (asyncio server, app id)
        self.failed = set()  # ports that could not be bound (warned once)

    async def run(self):
        try:
            while True:
                try:
                    await self.sync()
                except Exception:  # the store may be busy: next round
                    log.exception("tcp ingress: could not sync listeners")
                await asyncio.sleep(SYNC_SECONDS)
        finally:
            for server, _ in self.servers.values():
                server.close()

    async def sync(self):
        self.gateway.refresh_routes()
        wanted = {port: entry[0] for port, entry in self.gateway.tcp_apps.items()}
        for port, (server, app_id) in list(self.servers.items()):
            if wanted.get(port) != app_id:
                server.close()
                del self.servers[port]
        for port, app_id in wanted.items():
            if port in self.servers:
                continue
            try:
                server = await asyncio.start_server(lambda r, w, p=port: self._serve(p, r, w), self.host, port)
            except OSError as ex:
                if port not in self.failed:
                    log.warning("tcp ingress: cannot listen on %s:%d (%s)", self.host, port, ex.strerror or ex)
                    self.failed.add(port)
                continue
            self.failed.discard(port)
            self.servers[port] = (server, app_id)
            log.info("tcp ingress: %s:%d serves %s", self.host, port, app_id)

    async def _serve(self, port, reader, writer):
        try:
            await self._proxy(port, reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.CancelledError):
            pass  # a reset, an unreachable replica, or the daemon stopping: the connection ends
        finally:
            writer.close()

    async def _proxy(self, port, reader, writer):
        entry = self.gateway.tcp_apps.get(port)
        if entry is None:
            return
        _, app, env, policy = entry
        peer = (writer.get_extra_info("peername") or ("",))[0]
        if policy is not None and policy.access is not None and not policy.access.permits(peer):
            return
        gateway, scaler = self.gateway, self.gateway.scaler
        revision = gateway._revision_for("app", app, None)
        if not revision:
            return
        targets = await gateway.addresses_of(app, env, revision)
        if not targets and scaler.should_wake(app, revision):
            targets = await scaler.wake(app, env, revision, gateway.addresses_of)
        if not targets:
            return
        ip, target_port = random.choice(targets)
        up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(ip, target_port), 5)
        scaler.begin(app, env, revision)
        try:
            limit = tcp_concurrency(app, app["properties"]["template"])
            if limit:
                scaler.maybe_scale_out(app, env, revision, len(targets), gateway._forget_addresses, limit=limit)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            scaler.end(app, revision)
            up_writer.close()


async def _pipe(source, sink):
    try:
        while True:
            data = await source.read(CHUNK)
            if not data:
                break
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()
    except (OSError, RuntimeError):
        sink.close()
