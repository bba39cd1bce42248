"""The daemon's edge: listeners on loopback (HTTP, and HTTPS with per-name certificates), routed by Host.

`*.azurecr.io` goes to the registry, `*.azurecontainerapps.io` to the container-apps gateway.
The daemon keeps no state of its own: each request is answered from the state store, the secret
store and Docker, so a daemon killed at any moment and started again serves exactly what the
store says.
"""

import json
import logging
import os

from aiohttp import web

from azlocal import settings
from azlocal.daemon import lifecycle

log = logging.getLogger("azlocal.daemon")


async def _status(request):
    return web.json_response({"home": settings.label_value(), "pid": os.getpid()})


def build_app():
    from azlocal.daemon.registry_views import make_resolver
    from azlocal.gateway import Gateway, is_gateway_host
    from azlocal.registry import build_app as build_registry_app

    gateway = Gateway()

    @web.middleware
    async def by_host(request, handler):
        if is_gateway_host(request.host):
            return await gateway.handle(request)
        return await handler(request)

    app = build_registry_app(make_resolver())
    app.middlewares.append(by_host)
    app["gateway"] = gateway
    app.router.add_get(lifecycle.STATUS_PATH, _status)

    async def close_gateway(_app):
        await gateway.close()

    app.on_cleanup.append(close_gateway)
    return app


def serve(port):
    import asyncio

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(port))


async def _serve(port):
    import asyncio
    import signal

    app = build_app()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    host = settings.daemon_host()
    await web.TCPSite(runner, host, port).start()
    https_port = settings.https_port()
    try:
        from azlocal.daemon.tls import Issuer

        await web.TCPSite(runner, host, https_port, ssl_context=Issuer().server_context()).start()
    except OSError as ex:
        log.warning("HTTPS on %s:%d is not available (%s); container apps answer on HTTP only", host, https_port, ex)
        https_port = None
    # Written only once the sockets listen: `ensure_running` trusts this file plus /azlocal/status.
    info = {"home": settings.label_value(), "https_port": https_port, "pid": os.getpid(), "port": port}
    tmp = lifecycle.info_path().with_suffix(".tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, lifecycle.info_path())
    log.info("azlocal daemon for %s listening on %s:%d (https %s)", settings.home(), host, port, https_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    timers = asyncio.create_task(_task_timers(stop))
    scaler = asyncio.create_task(_scale_in(app["gateway"], stop))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    timers.cancel()
    scaler.cancel()
    await runner.cleanup()


async def _scale_in(gateway, stop):
    """Periodic housekeeping: idle container-app revisions scale in; failed ACI liveness probes restart."""
    import asyncio

    from azlocal.services.containergroups import restart_unhealthy

    while not stop.is_set():
        try:
            await gateway.scale_in()
            await asyncio.get_running_loop().run_in_executor(None, restart_unhealthy)
        except Exception as ex:
            log.warning("housekeeping: %s", ex)
        await asyncio.sleep(2)


async def _task_timers(stop):
    """ACR task timers: once a minute, start the runs whose schedule matches that minute."""
    import asyncio
    import datetime

    from azlocal.services import tasks

    last = None
    while not stop.is_set():
        now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
        if now != last:
            last = now
            try:
                await asyncio.get_running_loop().run_in_executor(None, tasks.fire_timers, now)
            except Exception as ex:  # a bad row must not stop the timers
                log.warning("task timers: %s", ex)
        await asyncio.sleep(5)
