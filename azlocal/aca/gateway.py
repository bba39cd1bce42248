"""The container-apps ingress gateway: routes `<app>.<env domain>` to the app's revisions by their
traffic weights, then to a ready replica, and proxies the request there (streams, keep-alive,
large bodies and websockets pass through). It keeps no state of its own: routes come from the
state store and replica addresses from Docker, each cached for a moment. Scaling decisions (waking a
scaled-to-zero revision, adding a replica, scaling in) are asked of `scaling`.

Each app's ingress policies (CORS, IP access restrictions, sticky sessions; see ingress_policies) are
compiled when the routes reload, not per request: an app without any pays one dictionary lookup.
TCP apps are not routed here but listed for tcp_ingress, which serves their ports."""

import asyncio
import random
import time

from aiohttp import ClientSession, ClientTimeout, TCPConnector, WSMsgType, web

from azlocal.aca import ingress_policies
from azlocal.aca.scaling import Scaler
from azlocal.aca.tcp_ingress import listen_port

SUFFIX = ".azurecontainerapps.io"
ROUTE_TTL = 0.5
SMALL_BODY = 64 * 1024  # answers up to this size are read whole and sent in one write
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}


def is_gateway_host(host):
    return (host or "").split(":")[0].lower().endswith(SUFFIX)


class Gateway:
    def __init__(self):
        self.routes = {}
        self.routes_at = 0.0
        self.policies = {}  # app id -> ingress_policies.Policy (apps that enforce something)
        self.http_rules = None  # (app id, revision) of revisions with an http scale rule; None: not known
        self.tcp_apps = {}  # port -> (app id, app, env, policy) of apps with TCP ingress
        self.addresses = {}  # (app id, revision) -> (time, [(ip, port)])
        self.lookups = {}  # (app id, revision) -> the lookup task under way
        self.session = None
        self.scaler = Scaler()  # decides on waking, scaling out and scaling in

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
        from azlocal.aca import hostnames, revisions
        from azlocal.platform.store import store

        routes, policies, tcp_apps, http_rules = {}, {}, {}, set()
        s = store()
        envs = {e["id"].lower(): e for e in s.list(type="Microsoft.App/managedEnvironments")}
        for app in s.list(type="Microsoft.App/containerApps"):
            ingress = app["properties"]["configuration"].get("ingress")
            env = envs.get(app["properties"]["managedEnvironmentId"].lower())
            if not ingress or env is None:
                continue
            port = listen_port(ingress)
            policy = ingress_policies.compile_policy(app)
            if port is not None:
                tcp_apps.setdefault(port, (app["id"], app, env, policy))
                continue
            if policy is not None:
                policies[app["id"]] = policy
            domain = env["properties"]["defaultDomain"]
            routes[ingress["fqdn"].lower()] = ("app", app, env, None)
            for hostname in hostnames.routes_of(app, env):
                routes[hostname] = ("app", app, env, None)
            for rev in revisions.all_revisions(app):
                if _has_http_rule(rev["properties"].get("template") or app["properties"]["template"]):
                    http_rules.add((app["id"], rev["name"]))
                if rev["properties"]["active"]:
                    routes[f"{rev['name']}.{domain}".lower()] = ("revision", app, env, rev["name"])
            for entry in ingress.get("traffic") or []:
                if entry.get("label"):
                    routes[f"{app['name']}---{entry['label']}.{domain}".lower()] = ("label", app, env, entry)
        self.policies, self.tcp_apps, self.http_rules = policies, tcp_apps, http_rules
        return routes

    def refresh_routes(self):
        now = time.monotonic()
        if now - self.routes_at > ROUTE_TTL:
            self.routes, self.routes_at = self._load_routes(), now

    def route(self, host):
        self.refresh_routes()
        return self.routes.get(host)

    def start_tcp(self, host):
        """The TCP ingress listeners, kept in step with the store (a task the daemon cancels at stop)."""
        from azlocal.aca.tcp_ingress import TcpIngress

        return asyncio.get_running_loop().create_task(TcpIngress(self, host).run())

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
        """The revision's ready replicas, cached for a second. An older non-empty answer is still served
        while one lookup (at most, whatever the concurrency) refreshes it; `fresh` waits for a new lookup."""
        key = (app["id"], revision)
        cached = self.addresses.get(key)
        if fresh:
            return await self._lookup(key, app, env, revision)
        if cached:
            if time.monotonic() - cached[0] < 1.0:
                return cached[1]
            if cached[1]:
                if key not in self.lookups:
                    self.lookups[key] = asyncio.ensure_future(self._lookup(key, app, env, revision))
                return cached[1]
        task = self.lookups.get(key)
        if task is None:
            task = self.lookups[key] = asyncio.ensure_future(self._lookup(key, app, env, revision))
        return await asyncio.shield(task)

    async def _lookup(self, key, app, env, revision):
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(None, self._lookup_addresses, app, env, revision)
        finally:
            if self.lookups.get(key) is asyncio.current_task():
                del self.lookups[key]
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
        policy = self.policies.get(app["id"])
        extra = None
        if policy is not None:
            if policy.access is not None and not policy.access.permits(request.remote):
                return web.Response(status=403, text=ingress_policies.DENIED_BODY, content_type="text/plain")
            origin = request.headers.get("Origin")
            if policy.cors is not None and origin and policy.cors.allows(origin):
                if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
                    return web.Response(status=200, headers=policy.cors.preflight_headers(origin))
                extra = policy.cors.response_headers(origin)
            if not policy.sticky:
                policy = None
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
            if not targets and revision and self.scaler.should_wake(app, revision):
                # scaled to zero: a replica is started while the request is held
                targets = await self.scaler.wake(app, env, revision, self.addresses_of)
            if not targets:
                await asyncio.sleep(0.2 * (attempt + 1))
                # The routes may be a snapshot taken while the app was being deployed: read them again.
                kind, app, env, key = self._reroute(host, (kind, app, env, key))
                continue
            if policy is None:
                ip, port = random.choice(targets)
            else:
                ip, port, extra = self._sticky(request, app, targets, extra)
            served = app
            self.scaler.begin(served, env, revision)
            try:
                if self.http_rules is None or (app["id"], revision) in self.http_rules:
                    self.scaler.maybe_scale_out(app, env, revision, len(targets), self._forget_addresses)
                if request.headers.get("Upgrade", "").lower() == "websocket":
                    return await self._websocket(request, ip, port)
                return await self._forward(request, ip, port, body, extra)
            except (OSError, asyncio.TimeoutError) as ex:
                # Nothing reached the client yet: try another replica (a revision switch may be under way).
                if not isinstance(body, (bytes, type(None))):
                    return _error(502, f"The replica could not be reached: {ex}")
                await asyncio.sleep(0.1)
                kind, app, env, key = self._reroute(host, (kind, app, env, key))
            finally:
                self.scaler.end(served, revision)
        return _error(503, f"The app {app['name']} has no ready replica.")

    def _reroute(self, host, route):
        """The host's route read again from the store (the one in hand if the host has none now)."""
        self.routes_at = 0.0
        return self.route(host) or route

    # Scale -------------------------------------------------------------------------------------

    def _forget_addresses(self, slot):
        self.addresses.pop(slot, None)

    async def scale_in(self):
        """Idle revisions go back to their minimum (see scaling.Scaler.scale_in)."""
        await self.scaler.scale_in(self._forget_addresses)

    def _sticky(self, request, app, targets, extra):
        """The replica the affinity cookie names while it lives; else a new pick and a cookie naming it."""
        target = ingress_policies.sticky_target(app["id"], request.cookies.get(ingress_policies.AFFINITY_COOKIE),
                                                targets)
        if target is None:
            target = random.choice(targets)
            extra = dict(extra or {})
            extra["Set-Cookie"] = ingress_policies.affinity_cookie(app["id"], target, request.scheme == "https")
        return target[0], target[1], extra

    async def _forward(self, request, ip, port, body, extra=None):
        session = await self._session()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = request.host
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        url = f"http://{ip}:{port}{request.raw_path}"
        async with session.request(request.method, url, headers=headers, data=body, allow_redirects=False) as up:
            length = up.headers.get("Content-Length")
            small = length is not None and length.isdigit() and int(length) <= SMALL_BODY and request.method != "HEAD" \
                and "Content-Type" in up.headers and up.status not in (204, 304)
            # A small answer goes out in one write (headers and body); others stream through.
            response = web.Response(status=up.status, reason=up.reason, body=await up.read()) if small else \
                web.StreamResponse(status=up.status, reason=up.reason)
            for k, v in up.headers.items():
                if k.lower() not in HOP_BY_HOP:
                    response.headers.add(k, v)
            if extra:
                for k, v in extra.items():
                    if k == "Set-Cookie":
                        response.headers.add(k, v)
                    else:
                        response.headers[k] = v
            if small:
                return response
            if length is not None and request.method != "HEAD":
                response.content_length = int(length)
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


def _has_http_rule(template):
    return any(isinstance(rule, dict) and "http" in rule for rule in (template.get("scale") or {}).get("rules") or [])


def _error(status, message):
    return web.Response(status=status, text=message + "\n", content_type="text/plain")
