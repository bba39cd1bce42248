"""The sidecar process: `python -m azlocal.aca.dapr.sidecar --app <app resource id> --replica <name> ...`.

Started by the daemon (supervisor.py) inside the replica's network namespace, it serves Dapr's HTTP API on
127.0.0.1:3500: every api_* module that exists mounts its `routes(ctx)` (api_invoke last: its `dapr-app-id`
header routing takes any other path). Pub/sub delivery (pubsub.start_delivery) and the gRPC API
(grpc_api.start on 127.0.0.1:50001) start when their modules exist. Once a second it re-reads the app, and it
exits when the replica's container stops, its network namespace changes, the app is deleted or Dapr is
disabled on it. Its state file (supervisor.state_path) says "up" once it listens.
"""

import argparse
import asyncio
import datetime
import importlib
import inspect
import logging
import os
import signal
import sys
import time

from aiohttp import web

from azlocal.aca.dapr.context import DAPR_RUNTIME_VERSION, SidecarContext

API_MODULES = ("api_meta", "api_state", "api_pubsub", "api_secrets", "api_invoke")  # api_invoke last
MB = 1024 * 1024
CTX = web.AppKey("ctx", SidecarContext)
log = logging.getLogger("azlocal.dapr")


class DaprFormatter(logging.Formatter):
    """daprd's log line: time="…" level=info msg="…" app_id=… instance=… scope=… type=log ver=…"""

    def __init__(self, app_id, instance):
        super().__init__()
        self.app_id, self.instance = app_id, instance

    def format(self, record):
        when = datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(timespec="microseconds")
        level = {"WARNING": "warning", "ERROR": "error", "DEBUG": "debug"}.get(record.levelname, "info")
        msg = record.getMessage().replace('"', '\\"')
        return (f'time="{when.replace("+00:00", "Z")}" level={level} msg="{msg}" app_id={self.app_id} '
                f"instance={self.instance} scope=dapr.runtime type=log ver={DAPR_RUNTIME_VERSION}")


def _optional(name):
    """azlocal.aca.dapr.<name>, or None while that module does not exist (or cannot load: logged, the other
    APIs still serve)."""
    try:
        return importlib.import_module(f"azlocal.aca.dapr.{name}")
    except ModuleNotFoundError as ex:
        if ex.name != f"azlocal.aca.dapr.{name}":
            log.error("the Dapr API module %s cannot load: %s", name, ex)
        return None
    except Exception as ex:
        log.error("the Dapr API module %s cannot load: %s", name, ex)
        return None


def api_logging(ctx):
    """With `enableApiLogging`, one line per API call, as daprd's "HTTP API Called"."""
    @web.middleware
    async def middleware(request, handler):
        start = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as ex:
            status = ex.status
            raise
        finally:
            if ctx.dapr.get("enableApiLogging"):
                log.info('HTTP API Called" method="%s %s" code=%d duration=%d useragent="%s', request.method,
                         request.path, status, int((time.perf_counter() - start) * 1000),
                         request.headers.get("User-Agent", ""))
    return middleware


def build_app(ctx):
    """The sidecar's aiohttp application: every present API module's routes, api_invoke's last."""
    max_mb = ctx.dapr.get("httpMaxRequestSize") or 4
    app = web.Application(client_max_size=int(max_mb) * MB, middlewares=[api_logging(ctx)])
    app[CTX] = ctx
    for name in API_MODULES:
        module = _optional(name)
        if module is not None:
            try:
                app.add_routes(module.routes(ctx))
            except Exception as ex:
                log.error("the Dapr API module %s failed to mount: %s", name, ex)
    return app


async def start_optional(ctx, grpc_address):
    """pubsub.start_delivery(ctx) and grpc_api.start(ctx, address), each if its module exists; coroutines run
    as tasks (kept in ctx.extras["tasks"]), failures are logged, never fatal."""
    tasks = ctx.extras.setdefault("tasks", [])
    for module_name, fn_name, args in (("pubsub", "start_delivery", (ctx,)),
                                       ("grpc_api", "start", (ctx, grpc_address))):
        try:
            module = _optional(module_name)
            fn = getattr(module, fn_name, None) if module else None
            if fn is None:
                continue
            result = fn(*args)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                task.add_done_callback(lambda t, n=module_name: _report(t, n))
                tasks.append(task)
        except Exception as ex:  # one API's failure must not take the sidecar down
            log.error("%s.%s failed: %s", module_name, fn_name, ex)


def _report(task, name):
    if not task.cancelled() and task.exception() is not None:
        log.error("%s stopped: %s", name, task.exception())


def _net_ns(pid):
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None


def replica_alive(container_pid, own_ns=None):
    """The replica's container still runs in the namespace this sidecar lives in."""
    if not container_pid:
        return True
    theirs = _net_ns(container_pid)
    return theirs is not None and theirs == (own_ns if own_ns is not None else _net_ns("self"))


async def watch(ctx, container_pid, stop):
    """Once a second: the replica is still there and the app still wants Dapr, else `stop` is set."""
    own = _net_ns("self")
    while not stop.is_set():
        await asyncio.sleep(1)
        if not replica_alive(container_pid, own):
            log.info("the replica's container stopped; the sidecar exits")
            stop.set()
            break
        try:
            app = await ctx.run_blocking(ctx._load, ctx.app["id"])
        except Exception as ex:
            log.warning("reading the app: %s", ex)
            continue
        if app is None or not ((app["properties"]["configuration"].get("dapr") or {}).get("enabled")):
            log.info("Dapr is no longer enabled on the app; the sidecar exits")
            stop.set()
            break
        ctx.app = app
        env = await ctx.run_blocking(ctx._load, app["properties"]["managedEnvironmentId"])
        if env is not None:
            ctx.env = env


async def serve(ctx, container_pid=None, host="127.0.0.1"):
    """Listens, reports itself up, runs until the replica is gone or SIGTERM."""
    from azlocal.aca.dapr import supervisor

    buffer_kb = int(ctx.dapr.get("httpReadBufferSize") or 0)  # the largest request line / header, in KB
    limits = {"max_line_size": buffer_kb * 1024, "max_field_size": buffer_kb * 1024} if buffer_kb else {}
    runner = web.AppRunner(build_app(ctx), access_log=None, handle_signals=False, **limits)
    await runner.setup()
    await web.TCPSite(runner, host, ctx.http_port, reuse_address=True).start()
    log.info("HTTP server is running on port %d", ctx.http_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await start_optional(ctx, f"{host}:{ctx.grpc_port}")
    supervisor.write_state(ctx.replica, state="up", pid=os.getpid(), container_pid=container_pid)
    log.info("dapr initialized. Status: Running.")
    watcher = asyncio.ensure_future(watch(ctx, container_pid, stop))
    await stop.wait()
    watcher.cancel()
    for task in ctx.extras.get("tasks", []):
        task.cancel()
    stopper = _optional("grpc_api")
    if stopper is not None and hasattr(stopper, "stop"):
        try:
            result = stopper.stop(ctx)
            if inspect.isawaitable(result):
                await result
        except Exception as ex:
            log.warning("stopping the gRPC API: %s", ex)
    await runner.cleanup()
    await ctx.close()
    log.info("dapr shut down.")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="azlocal.aca.dapr.sidecar")
    parser.add_argument("--app", required=True, help="the container app's resource id")
    parser.add_argument("--replica", required=True)
    parser.add_argument("--revision")
    parser.add_argument("--container-pid", type=int)
    parser.add_argument("--http-port", type=int, default=3500)
    parser.add_argument("--grpc-port", type=int, default=50001)
    args = parser.parse_args(argv)
    from azlocal.platform.store import store

    app = store().get(args.app)
    if app is None:
        print(f"the app {args.app} does not exist", file=sys.stderr)
        return 1
    env = store().get(app["properties"]["managedEnvironmentId"])
    ctx = SidecarContext(app, env, args.replica, revision=args.revision, http_port=args.http_port,
                         grpc_port=args.grpc_port)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(DaprFormatter(ctx.app_id, args.replica))
    root = logging.getLogger()
    root.addHandler(handler)
    level = {"debug": logging.DEBUG, "warn": logging.WARNING, "error": logging.ERROR}
    root.setLevel(level.get(str(ctx.dapr.get("logLevel") or "info").lower(), logging.INFO))
    log.info("starting Dapr Runtime -- version %s (azlocal)", DAPR_RUNTIME_VERSION)
    asyncio.run(serve(ctx, args.container_pid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
