"""OCI distribution error bodies: {"errors": [{"code", "message", "detail"}]} with the spec's statuses.

Handlers and storage raise `RegistryError`; the `registry_errors` middleware turns it into its
response, in one place. An unexpected exception of a registry handler becomes a 500 with an
`UNKNOWN` error body (and is logged); aiohttp's own HTTP exceptions pass through unchanged.
"""

import json
import logging

from aiohttp import web

STATUS = {
    "BLOB_UNKNOWN": 404, "BLOB_UPLOAD_INVALID": 400, "BLOB_UPLOAD_UNKNOWN": 404, "DIGEST_INVALID": 400,
    "MANIFEST_BLOB_UNKNOWN": 400, "MANIFEST_INVALID": 400, "MANIFEST_UNKNOWN": 404, "NAME_INVALID": 400,
    "NAME_UNKNOWN": 404, "SIZE_INVALID": 400, "UNAUTHORIZED": 401, "DENIED": 403, "UNSUPPORTED": 405,
    "TOOMANYREQUESTS": 429, "RANGE_INVALID": 416,
}
API_HEADER = {"Docker-Distribution-API-Version": "registry/2.0"}
# Set on a request a registry handler took (the app may serve others). RequestKey: aiohttp >= 3.11.
SERVED = web.RequestKey("azlocal_registry_served", bool) if hasattr(web, "RequestKey") else "azlocal_registry_served"
log = logging.getLogger("azlocal.acr.dataplane")


class RegistryError(Exception):
    def __init__(self, code, message, detail=None, status=None, headers=None):
        super().__init__(message)
        self.code, self.message, self.detail = code, message, detail
        self.status = status or STATUS.get(code, 400)
        self.headers = headers or {}

    def response(self):
        body = {"errors": [{"code": self.code, "message": self.message, "detail": self.detail}]}
        return web.Response(status=self.status, text=json.dumps(body), content_type="application/json",
                            headers=self.headers)


def unsupported(status=None):
    return RegistryError("UNSUPPORTED", "the operation is unsupported", status=status)


def served(handler):
    """Marks the requests `handler` takes as the registry's (the middleware answers their failures)."""
    async def serve(request):
        request[SERVED] = True
        return await handler(request)

    return serve


@web.middleware
async def registry_errors(request, handler):
    try:
        return await handler(request)
    except RegistryError as ex:
        return ex.response()
    except web.HTTPException:
        raise
    except Exception:
        if not request.get(SERVED):
            raise
        log.exception("registry request %s %s failed", request.method, request.path)
        return RegistryError("UNKNOWN", "unknown error", status=500).response()
