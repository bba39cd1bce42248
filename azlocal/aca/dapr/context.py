"""What a sidecar knows about its replica: the app, its environment, its components and its app channel.

A SidecarContext is made once per sidecar process (sidecar.py) and handed to every API module. It reads
this home's state store directly; the app's document is re-read by `refresh()` (the sidecar does so about
once a second), components are cached for about a second. `call_app` is the app channel: HTTP to
127.0.0.1:<appPort> (the sidecar lives in the replica's network namespace).
"""

import asyncio
import logging
import time

DAPR_RUNTIME_VERSION = "1.13.6"  # the Dapr version Azure Container Apps' sidecars report
COMPONENT_TTL = 1.0
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length", "host"}


def dapr_settings(app):
    """The app's `configuration.dapr` block ({} when none)."""
    return (app.get("properties", {}).get("configuration") or {}).get("dapr") or {}


def app_id_of(app):
    """The app's Dapr app id: `dapr.appId`, else the app's name (as Container Apps defaults it)."""
    return dapr_settings(app).get("appId") or app["name"]


class SidecarContext:
    """The sidecar's view of its replica. `loader`: a function (resource id) -> document or None (the
    store's get by default); tests give their own."""

    def __init__(self, app, env, replica, revision=None, loader=None, http_port=3500, grpc_port=50001):
        self.app = app
        self.env = env
        self.replica = replica
        self.revision = revision
        self.http_port = http_port
        self.grpc_port = grpc_port
        self._loader = loader
        self._components = None
        self._components_at = 0.0
        self._session = None
        self.started = time.time()
        self.extras = {}  # per-module state (e.g. pubsub subscriptions), by module name

    # The app and its settings ---------------------------------------------------------------------------

    @property
    def app_id(self):
        return app_id_of(self.app)

    @property
    def dapr(self):
        return dapr_settings(self.app)

    @property
    def app_port(self):
        port = self.dapr.get("appPort")
        return int(port) if port else None

    @property
    def app_protocol(self):
        return (self.dapr.get("appProtocol") or "http").lower()

    @property
    def enabled(self):
        return bool(self.dapr.get("enabled"))

    def _load(self, rid):
        if self._loader is not None:
            return self._loader(rid)
        from azlocal.platform.store import store

        return store().get(rid)

    def refresh(self):
        """Re-reads the app's and the environment's documents (kept as they were if gone)."""
        app = self._load(self.app["id"])
        if app is not None:
            self.app = app
        env = self._load(self.app["properties"]["managedEnvironmentId"]) if self.app.get("properties") else None
        if env is not None:
            self.env = env
        return self.app

    # Components -----------------------------------------------------------------------------------------

    def components(self):
        """The environment's Dapr components this app may use (Dapr's scoping), cached ~1 s; [] until the
        components module exists."""
        now = time.monotonic()
        if self._components is None or now - self._components_at > COMPONENT_TTL:
            try:
                from azlocal.aca.dapr import components
            except ImportError:
                self._components = []
            else:
                try:
                    self._components = list(components.for_app(self.env, self.app_id))
                except Exception as ex:  # a component that cannot load now (a secret gone): keep the last list
                    logging.getLogger("azlocal.dapr").warning("loading the components: %s", ex)
                    self._components = self._components or []
            self._components_at = now
        return self._components

    def component(self, name, family):
        """The component of that name and family ("state", "pubsub", "secretstores", "bindings");
        components.ComponentNotFound (a LookupError) when there is none."""
        from azlocal.aca.dapr import components

        for c in self.components():
            if c.name == name and components.family_of(c.type) == family:
                return c
        return components.get(self.env, self.app_id, name, family)

    # Identity -------------------------------------------------------------------------------------------

    def principal(self):
        """(principal_id, client_id) of the app's managed identity (system-assigned, else the only
        user-assigned one); LookupError when it has none."""
        from azlocal.identity import principals

        chosen = principals.select(self.app.get("identity"), require_existing=True)
        return chosen[0], chosen[1]

    # The app channel ------------------------------------------------------------------------------------

    def session(self):
        """The sidecar's shared HTTP client session (keep-alive to the app and to other replicas)."""
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=60, force_close=False),
                auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None, sock_connect=5))
        return self._session

    async def close(self):
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def call_app(self, method, path, headers=None, body=b"", query=""):
        """One HTTP request to the own app on 127.0.0.1:<appPort> -> (status, headers, body).
        ConnectionError when the app has no port or does not answer."""
        if not self.app_port:
            raise ConnectionError(f"the app '{self.app_id}' has no Dapr app port")
        if self.app_protocol == "grpc":  # Dapr's AppCallback service behind the same call (app_grpc)
            from azlocal.aca.dapr import app_grpc

            return await app_grpc.call(f"127.0.0.1:{self.app_port}", method, path, headers, body, query)
        return await http_call(self.session(), method, f"http://127.0.0.1:{self.app_port}", path, headers, body,
                               query)

    async def run_blocking(self, fn, *args):
        """fn(*args) on a worker thread (store reads, Docker, redis clients), awaited."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


async def http_call(session, method, base, path, headers=None, body=b"", query=""):
    """An HTTP request -> (status, [(name, value)], body bytes); hop-by-hop headers are not forwarded."""
    import aiohttp
    from yarl import URL

    path = path if path.startswith("/") else "/" + path
    url = URL(base + path + (f"?{query}" if query else ""), encoded=True)  # as the caller wrote it
    sent = [(k, v) for k, v in (headers.items() if hasattr(headers, "items") else headers or [])
            if k.lower() not in HOP_BY_HOP]
    try:
        async with session.request(method, url, headers=sent, data=body or None, allow_redirects=False) as resp:
            data = await resp.read()
            return resp.status, [(k, v) for k, v in resp.headers.items() if k.lower() not in HOP_BY_HOP], data
    except (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError) as ex:
        raise ConnectionError(str(ex) or type(ex).__name__) from ex
