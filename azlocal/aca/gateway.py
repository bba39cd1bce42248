"""The container-apps ingress gateway: routes `<app>.<env domain>` to the app's revisions by their
traffic weights, then to a ready replica, and proxies the request there (streams, keep-alive,
large bodies and websockets pass through). It keeps no state of its own: routes come from the
state store and replica addresses from Docker, each cached for a moment."""

import asyncio
import random
import time

from aiohttp import ClientSession, ClientTimeout, TCPConnector, WSMsgType, web

SUFFIX = ".azurecontainerapps.io"
ROUTE_TTL = 0.5
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}


def is_gateway_host(host):
    return (host or "").split(":")[0].lower().endswith(SUFFIX)


def idle_seconds():
    """How long a revision with minReplicas 0 may go without requests before it scales to zero."""
    import os

    return float(os.environ.get("AZLOCAL_SCALE_TO_ZERO_SECONDS", "300"))


class Gateway:
    def __init__(self):
        self.routes = {}
        self.routes_at = 0.0
        self.addresses = {}  # (app id, revision) -> (time, [(ip, port)])
        self.session = None
        self.inflight = {}  # (app id, revision) -> requests being served now
        self.last_seen = {}  # (app id, revision) -> (time of the last request, app, env)
        self.scaling = {}  # (app id, revision) -> asyncio.Lock while replicas are being started

    async def _session(self):
        if self.session is None:
            self.session = ClientSession(connector=TCPConnector(limit=0, ttl_dns_cache=None),
                                         timeout=ClientTimeout(total=None, connect=5), auto_decompress=False)
        return self.session

    async def close(self):
        if self.session:
            await self.session.close()

    # Routing ----------------------------------------------------------------------------------

    def _load_routes(self):
        """host -> (kind, app, env, key): the app's fqdn, a revision's, or a label's."""
        from azlocal.aca import revisions
        from azlocal.platform.store import store

        routes = {}
        s = store()
        envs = {e["id"].lower(): e for e in s.list(type="Microsoft.App/managedEnvironments")}
        for app in s.list(type="Microsoft.App/containerApps"):
            ingress = app["properties"]["configuration"].get("ingress")
            env = envs.get(app["properties"]["managedEnvironmentId"].lower())
            if not ingress or env is None:
                continue
            domain = env["properties"]["defaultDomain"]
            routes[ingress["fqdn"].lower()] = ("app", app, env, None)
            for rev in revisions.all_revisions(app):
                if rev["properties"]["active"]:
                    routes[f"{rev['name']}.{domain}".lower()] = ("revision", app, env, rev["name"])
            for entry in ingress.get("traffic") or []:
                if entry.get("label"):
                    routes[f"{app['name']}---{entry['label']}.{domain}".lower()] = ("label", app, env, entry)
        return routes

    def route(self, host):
        now = time.monotonic()
        if now - self.routes_at > ROUTE_TTL:
            self.routes, self.routes_at = self._load_routes(), now
        return self.routes.get(host)

    def _revision_for(self, kind, app, key):
        from azlocal.aca import revisions

        if kind == "revision":
            return key
        if kind == "label":
            return app["properties"].get("latestReadyRevisionName") if key.get("latestRevision") else \
                key.get("revisionName")
        weights = [(name, w) for name, w in revisions.weights(app).items() if w > 0]
        if not weights:
            return None
        total = sum(w for _, w in weights)
        pick = random.uniform(0, total)
        for name, w in weights:
            pick -= w
            if pick <= 0:
                return name
        return weights[-1][0]

    def _lookup_addresses(self, app, env, revision):
        from azlocal.aca import revisions

        port = app["properties"]["configuration"]["ingress"]["targetPort"]
        out = []
        for head in revisions.pod_heads(app["id"], revision):
            if head.attrs["State"]["Status"] == "running":
                ip = revisions.address(head, env)
                if ip:
                    out.append((ip, port))
        return out

    async def addresses_of(self, app, env, revision, fresh=False):
        key = (app["id"], revision)
        cached = self.addresses.get(key)
        if cached and not fresh and time.monotonic() - cached[0] < 1.0:
            return cached[1]
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(None, self._lookup_addresses, app, env, revision)
        self.addresses[key] = (time.monotonic(), found)
        return found

    # Proxying ----------------------------------------------------------------------------------

    async def handle(self, request):
        host = request.host.split(":")[0].lower()
        route = self.route(host)
        if route is None:
            return _error(404, f"No container app answers at {host}.")
        kind, app, env, key = route
        ingress = app["properties"]["configuration"]["ingress"]
        if not ingress.get("external"):
            return _error(404, f"The app {app['name']} has internal ingress only.")
        if request.scheme == "http" and not ingress.get("allowInsecure"):
            raise web.HTTPMovedPermanently(f"https://{request.host}{request.path_qs}")
        body = None
        if request.can_read_body and request.headers.get("Upgrade", "").lower() != "websocket":
            # Small bodies are read so a failed first try can be replayed; large ones stream through.
            length = request.content_length
            body = await request.read() if length is not None and length <= 1 << 20 else request.content
        for attempt in range(3):
            revision = self._revision_for(kind, app, key)
            targets = await self.addresses_of(app, env, revision, fresh=attempt > 0) if revision else []
            if not targets and revision and _min_replicas(app, revision) == 0:
                targets = await self._wake(app, env, revision)  # scaled to zero: start a replica, hold the request
            if not targets:
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            ip, port = random.choice(targets)
            slot = (app["id"], revision)
            self.last_seen[slot] = (time.monotonic(), app, env)
            self.inflight[slot] = self.inflight.get(slot, 0) + 1
            try:
                self._maybe_scale_out(app, env, revision, len(targets))
                if request.headers.get("Upgrade", "").lower() == "websocket":
                    return await self._websocket(request, ip, port)
                return await self._forward(request, ip, port, body, revision)
            except (OSError, asyncio.TimeoutError) as ex:
                # Nothing reached the client yet: try another replica (a revision switch may be under way).
                if not isinstance(body, (bytes, type(None))):
                    return _error(502, f"The replica could not be reached: {ex}")
                self.routes_at = 0.0
                await asyncio.sleep(0.1)
            finally:
                self.inflight[slot] -= 1
        return _error(503, f"The app {app['name']} has no ready replica.")

    # Scale -------------------------------------------------------------------------------------

    async def _wake(self, app, env, revision):
        from azlocal.aca import revisions

        slot = (app["id"], revision)
        lock = self.scaling.setdefault(slot, asyncio.Lock())
        async with lock:
            found = await self.addresses_of(app, env, revision, fresh=True)
            if found:
                return found
            loop = asyncio.get_running_loop()
            rev = await loop.run_in_executor(None, revisions.get, app, revision)
            await loop.run_in_executor(None, revisions.start_replicas, app, rev, env, 1)
            await loop.run_in_executor(None, revisions.wait_ready, app, revision, env, 60.0)
            return await self.addresses_of(app, env, revision, fresh=True)

    def _maybe_scale_out(self, app, env, revision, replicas):
        """An http scale rule adds a replica when in-flight requests exceed its concurrency per replica."""
        limit = _http_concurrency(app, revision)
        slot = (app["id"], revision)
        if not limit or self.inflight.get(slot, 0) <= limit * replicas:
            return
        maximum = (app["properties"]["template"].get("scale") or {}).get("maxReplicas") or 10
        if replicas >= maximum or self.scaling.get(slot, asyncio.Lock()).locked():
            return
        asyncio.get_running_loop().create_task(self._add_replica(app, env, revision))

    async def _add_replica(self, app, env, revision):
        from azlocal.aca import revisions

        slot = (app["id"], revision)
        lock = self.scaling.setdefault(slot, asyncio.Lock())
        if lock.locked():
            return
        async with lock:
            loop = asyncio.get_running_loop()
            rev = await loop.run_in_executor(None, revisions.get, app, revision)
            await loop.run_in_executor(None, revisions.start_replicas, app, rev, env, 1)
            await loop.run_in_executor(None, revisions.wait_ready, app, revision, env, 60.0)
            self.addresses.pop(slot, None)

    async def scale_in(self):
        """Idle revisions go back to their minimum: zero for minReplicas 0, else min (at least 1)."""
        from azlocal.aca import revisions

        loop = asyncio.get_running_loop()
        now = time.monotonic()
        for slot, (seen, app, env) in list(self.last_seen.items()):
            if self.inflight.get(slot) or now - seen < idle_seconds():
                continue
            revision = slot[1]
            heads = await loop.run_in_executor(None, revisions.pod_heads, app["id"], revision)
            keep = _min_replicas(app, revision)
            keep = 1 if keep is None else keep
            for head in heads[keep:] if keep else heads:
                await loop.run_in_executor(None, lambda h=head: h.remove(force=True))
            self.addresses.pop(slot, None)
            del self.last_seen[slot]


    async def _forward(self, request, ip, port, body, revision):
        session = await self._session()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = request.host
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        url = f"http://{ip}:{port}{request.raw_path}"
        async with session.request(request.method, url, headers=headers, data=body, allow_redirects=False) as up:
            response = web.StreamResponse(status=up.status, reason=up.reason)
            for k, v in up.headers.items():
                if k.lower() not in HOP_BY_HOP:
                    response.headers.add(k, v)
            if up.headers.get("Content-Length") is not None and request.method != "HEAD":
                response.content_length = int(up.headers["Content-Length"])
            await response.prepare(request)
            if request.method != "HEAD":
                async for chunk in up.content.iter_any():
                    await response.write(chunk)
            await response.write_eof()
            return response

    async def _websocket(self, request, ip, port):
        session = await self._session()
        async with session.ws_connect(f"http://{ip}:{port}{request.raw_path}",
                                      headers={"Host": request.host}) as upstream:
            client = web.WebSocketResponse()
            await client.prepare(request)

            async def pump(source, sink):
                async for msg in source:
                    if msg.type == WSMsgType.TEXT:
                        await sink.send_str(msg.data)
                    elif msg.type == WSMsgType.BINARY:
                        await sink.send_bytes(msg.data)
                    elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                        break
                await sink.close()

            await asyncio.gather(pump(client, upstream), pump(upstream, client), return_exceptions=True)
            return client


def _error(status, message):
    return web.Response(status=status, text=message + "\n", content_type="text/plain")


def _template_of(app, revision):
    from azlocal.aca import revisions

    rev = revisions.get(app, revision)
    return (rev or {}).get("properties", {}).get("template") or app["properties"]["template"]


def _min_replicas(app, revision):
    return (_template_of(app, revision).get("scale") or {}).get("minReplicas")


def _http_concurrency(app, revision):
    for rule in (_template_of(app, revision).get("scale") or {}).get("rules") or []:
        if "http" in rule:
            return int(rule["http"].get("metadata", {}).get("concurrentRequests", 10))
    return None
