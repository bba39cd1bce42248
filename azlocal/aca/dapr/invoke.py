"""Dapr service invocation: a call by app id to a Dapr-enabled app of the same environment.

`invoke(ctx, app_id, method_path, http_method, headers, body, query)` -> (status, [(name, value)], body) is
shared by the HTTP API (api_invoke) and the gRPC API. The own app id goes through the app channel
(ctx.call_app); another app is found by its `dapr.appId` among the environment's Dapr-enabled apps, and the
call goes to one of its running replicas (round robin) at its address on the environment's network and its
Dapr app port. Targets are cached for about a second. A transport failure tries the next replica (Dapr's
default resiliency retries too); the target's own status, headers and body pass through unchanged. An app id
that names no such app is Dapr's ERR_DIRECT_INVOKE (500) with its message. `<app-id>.<namespace>` is accepted:
an environment is one namespace.
"""

import itertools
import time

from azlocal.aca.dapr.context import app_id_of, dapr_settings, http_call

TARGET_TTL = 1.0
NAMESPACE = "k8se-apps"  # the Kubernetes namespace Container Apps run their apps in


class InvokeError(Exception):
    """A Dapr API error: HTTP status, errorCode, message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self):
        return {"errorCode": self.code, "message": self.message}


def direct_invoke_error(app_id, err):
    return InvokeError(500, "ERR_DIRECT_INVOKE", f"failed to invoke, id: {app_id}, err: {err}")


def no_app_id():
    return InvokeError(404, "ERR_DIRECT_INVOKE",
                       "failed getting app id either from the URL path or the header dapr-app-id")


def split_app_id(value):
    """`<app-id>[.<namespace>]` -> (app id, namespace or None)."""
    app_id, _, namespace = value.partition(".")
    return app_id, namespace or None


# Targets -----------------------------------------------------------------------------------------

def find_targets(env_id, app_id):
    """(app port, [replica addresses]) of the environment's Dapr-enabled app with that app id, or None."""
    from azlocal.aca import revisions
    from azlocal.aca.appstore import APP_TYPE
    from azlocal.platform.engine import labels, objects
    from azlocal.platform.store import store

    env_doc = store().get(env_id)
    for app in store().list(type=APP_TYPE):
        if app["properties"]["managedEnvironmentId"].lower() != env_id.lower():
            continue
        if not dapr_settings(app).get("enabled") or app_id_of(app) != app_id:
            continue
        port = dapr_settings(app).get("appPort")
        addresses = []
        for c in objects.containers(resource_id=app["id"]):
            if c.name == c.labels.get(labels.ACA_REPLICA) and objects.is_running(c):
                ip = revisions.address(c, env_doc) if env_doc else None
                if ip:
                    addresses.append(ip)
        return (int(port) if port else None), sorted(addresses)
    return None


def _store_protocol(env_id, app_id):
    from azlocal.aca.dapr import app_grpc

    return app_grpc.protocol_of(env_id, app_id)


class Targets:
    """Resolved targets by app id, cached for TARGET_TTL seconds, with a round-robin cursor each."""

    def __init__(self, resolver=find_targets, protocol=None):
        self.resolver = resolver
        # (env id, app id) -> the target's app protocol, "http" or "grpc" (app_grpc: the AppCallback channel)
        self.protocol = protocol or (_store_protocol if resolver is find_targets else (lambda env_id, app_id: "http"))
        self._cache = {}
        self._cursors = {}

    async def resolve(self, ctx, app_id):
        now = time.monotonic()
        hit = self._cache.get(app_id)
        if hit is None or now - hit[0] > TARGET_TTL:
            found = await ctx.run_blocking(self.resolver, ctx.app["properties"]["managedEnvironmentId"], app_id)
            hit = (now, found)
            self._cache[app_id] = hit
        return hit[1]

    def order(self, app_id, addresses):
        """The addresses starting at the next one in turn (round robin), the others after it for retries."""
        if not addresses:
            return []
        cursor = self._cursors.setdefault(app_id, itertools.count())
        start = next(cursor) % len(addresses)
        return addresses[start:] + addresses[:start]

    def forget(self, app_id):
        self._cache.pop(app_id, None)


def targets_of(ctx):
    targets = ctx.extras.get("invoke.targets")
    if targets is None:
        targets = ctx.extras["invoke.targets"] = Targets()
    return targets


# Invocation --------------------------------------------------------------------------------------

def _outgoing_headers(ctx, headers, target):
    out = [(k, v) for k, v in (headers.items() if hasattr(headers, "items") else headers or [])
           if k.lower() not in ("dapr-app-id", "dapr-caller-app-id", "dapr-callee-app-id")]
    out += [("dapr-caller-app-id", ctx.app_id), ("dapr-callee-app-id", target)]
    return out


async def invoke(ctx, app_id, method_path, http_method="POST", headers=None, body=b"", query=""):
    """Invokes `method_path` on the app `app_id` -> (status, headers, body); InvokeError when it cannot."""
    if not app_id:
        raise no_app_id()
    target, _namespace = split_app_id(app_id)
    path = "/" + method_path.lstrip("/")
    sent = _outgoing_headers(ctx, headers, target)
    if target == ctx.app_id:
        try:
            return await ctx.call_app(http_method, path, sent, body, query)
        except ConnectionError as ex:
            raise direct_invoke_error(app_id, ex) from ex
    targets = targets_of(ctx)
    found = await targets.resolve(ctx, target)
    if found is None:
        host = f"{target}-dapr.{NAMESPACE}.svc.cluster.local"
        raise direct_invoke_error(app_id, f"failed to resolve address for '{host}': lookup {host}: no such host")
    port, addresses = found
    if not port:
        raise direct_invoke_error(app_id, "app channel not initialized: the app has no Dapr app port")
    if not addresses:
        raise direct_invoke_error(app_id, f"no running replica of the app '{target}'")
    from azlocal.aca.dapr import app_grpc

    grpc_app = await ctx.run_blocking(targets.protocol, ctx.app["properties"]["managedEnvironmentId"], target) == "grpc"
    last = None
    for ip in targets.order(target, addresses):
        try:
            if grpc_app:
                return await app_grpc.call(f"{ip}:{port}", http_method, path, sent, body, query)
            return await http_call(ctx.session(), http_method, f"http://{ip}:{port}", path, sent, body, query)
        except ConnectionError as ex:
            last = ex
    targets.forget(target)
    raise direct_invoke_error(app_id, last)
