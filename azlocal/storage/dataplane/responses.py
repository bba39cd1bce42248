"""Response helpers of the Blob data plane: the common headers and Azure's XML error body."""

import datetime
import uuid
from xml.sax.saxutils import escape

from aiohttp import web

SERVICE_VERSION = "2026-04-06"


def now_http():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def common_headers(request, request_id=None):
    headers = {"x-ms-request-id": request_id or str(uuid.uuid4()),
               "x-ms-version": request.headers.get("x-ms-version") or SERVICE_VERSION,
               "Date": now_http(), "Server": "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0"}
    client_id = request.headers.get("x-ms-client-request-id")
    if client_id:
        headers["x-ms-client-request-id"] = client_id
    return headers


def error_response(request, error):
    """Azure's error: status, x-ms-error-code, and `<Error><Code>…</Code><Message>…</Message></Error>`
    (no body for HEAD, as the service)."""
    headers = common_headers(request, error.request_id)
    headers["x-ms-error-code"] = error.code
    if error.status == 401:
        from azlocal.core import settings

        tenant = settings.TENANT_ID
        headers["WWW-Authenticate"] = (f"Bearer authorization_uri=https://login.microsoftonline.com/{tenant}/oauth2/"
                                       "authorize resource_id=https://storage.azure.com")
    if error.status == 416:
        headers["Content-Range"] = f"bytes */{getattr(error, 'size', 0)}"
    if request.method == "HEAD" or error.status == 304:
        return web.Response(status=error.status, headers=headers)
    body = ('<?xml version="1.0" encoding="utf-8"?><Error><Code>' + escape(error.code) + "</Code><Message>" +
            escape(error.service_message()) + "</Message></Error>")
    headers["Content-Type"] = "application/xml"
    return web.Response(status=error.status, body=body.encode(), headers=headers)


def xml_response(request, body, status=200, headers=None):
    out = common_headers(request)
    out.update(headers or {})
    out["Content-Type"] = "application/xml"
    return web.Response(status=status, body=('<?xml version="1.0" encoding="utf-8"?>' + body).encode(), headers=out)


def empty_response(request, status=200, headers=None):
    out = common_headers(request)
    out.update(headers or {})
    return web.Response(status=status, headers=out)
