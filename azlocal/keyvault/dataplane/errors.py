"""Key Vault's error bodies: `{"error": {"code", "message", "innererror"?}}` with the service's status codes.

`VaultError` is what the data plane itself raises (bad requests, authentication); the service layer's
exceptions (azlocal.keyvault: they carry an HTTP status, a code and a message) are rendered the same way by
`from_exception`. A message never carries a secret value or key material: the texts come from the request's
names and the service's own messages, and the body is never echoed."""

from aiohttp import web

from azlocal.core import settings

RESOURCE = "https://vault.azure.net"


class VaultError(Exception):
    def __init__(self, status, code, message, inner=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.inner, self.headers = status, code, message, inner, headers


def challenge():
    """The WWW-Authenticate header of every 401: where to get a token (this home's tenant) and for what."""
    return (f'Bearer authorization="https://login.microsoftonline.com/{settings.TENANT_ID}", '
            f'resource="{RESOURCE}"')


def unauthorized(message):
    return VaultError(401, "Unauthorized", message, headers={"WWW-Authenticate": challenge()})


def bad_parameter(message, status=400):
    return VaultError(status, "BadParameter", message)


def from_exception(ex):
    """A VaultError for an exception of the service layer (status/code/message attributes, however named), or
    None for anything else (a bug: the dispatcher answers 500 without its text)."""
    if isinstance(ex, VaultError):
        return ex
    status = _first(ex, ("status", "status_code", "http_status"))
    code = _first(ex, ("code", "error_code"))
    if not isinstance(status, int) or not code:
        from azlocal.core.errors import AzLocalError

        if isinstance(ex, AzLocalError):  # a validation of the service layer without an HTTP shape
            return VaultError(400, "BadParameter", str(ex))
        return None
    message = _first(ex, ("text", "message")) or (ex.args[0] if ex.args else "")
    inner = _first(ex, ("inner", "innererror", "inner_code"))
    return VaultError(status, str(code), str(message), inner=inner,
                      headers={"WWW-Authenticate": challenge()} if status == 401 else None)


def _first(obj, names):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def response(err):
    body = {"code": err.code, "message": err.message}
    if err.inner:
        body["innererror"] = err.inner if isinstance(err.inner, dict) else {"code": str(err.inner)}
    return web.json_response({"error": body}, status=err.status, headers=err.headers)
