"""OCI distribution error bodies: {"errors": [{"code", "message", "detail"}]} with the spec's statuses."""

import json

from aiohttp import web

STATUS = {
    "BLOB_UNKNOWN": 404, "BLOB_UPLOAD_INVALID": 400, "BLOB_UPLOAD_UNKNOWN": 404, "DIGEST_INVALID": 400,
    "MANIFEST_BLOB_UNKNOWN": 400, "MANIFEST_INVALID": 400, "MANIFEST_UNKNOWN": 404, "NAME_INVALID": 400,
    "NAME_UNKNOWN": 404, "SIZE_INVALID": 400, "UNAUTHORIZED": 401, "DENIED": 403, "UNSUPPORTED": 405,
    "TOOMANYREQUESTS": 429, "RANGE_INVALID": 416,
}


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
