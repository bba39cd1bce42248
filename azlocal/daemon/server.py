"""The daemon's HTTP edge: one listener on loopback, routed by the request's Host.

It keeps no state of its own: each request is answered from the state store, the secret store
and the files under AZLOCAL_HOME, so a daemon killed at any moment and started again serves
exactly what the store says.
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
    from azlocal.registry import build_app as build_registry_app

    app = build_registry_app(make_resolver())
    app.router.add_get(lifecycle.STATUS_PATH, _status)
    return app


def serve(port):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app()

    async def announce(_app):
        # Written only once the socket listens: `ensure_running` trusts this file plus /azlocal/status.
        info = {"home": settings.label_value(), "pid": os.getpid(), "port": port}
        tmp = lifecycle.info_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(info))
        os.replace(tmp, lifecycle.info_path())
        log.info("azlocal daemon for %s listening on %s:%d", settings.home(), settings.daemon_host(), port)

    app.on_startup.append(announce)
    web.run_app(app, host=settings.daemon_host(), port=port, print=None, access_log=None,
                handle_signals=True, shutdown_timeout=2)
