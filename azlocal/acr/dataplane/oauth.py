"""ACR's OAuth2 endpoints: /oauth2/exchange (AAD access token -> refresh token) and /oauth2/token."""

from azlocal.acr.dataplane import auth
from azlocal.acr.dataplane.context import basic_credentials, json_response
from azlocal.acr.dataplane.errors import RegistryError

GRANT_TYPE_UNSUPPORTED = ("UNSUPPORTED", "unsupported grant_type")


async def exchange(view, request):
    """AAD access token -> ACR refresh token."""
    form = await request.post()
    token = form.get("access_token", "")
    if form.get("grant_type") not in ("access_token", "access_token_refresh_token"):
        raise RegistryError(*GRANT_TYPE_UNSUPPORTED, status=400)
    if view.auth_required and not (view.check_aad_token and view.check_aad_token(token)):
        raise RegistryError("UNAUTHORIZED", "invalid access token")
    return json_response({"refresh_token": auth.issue(view, "refresh", "user")})


async def _posted(view, request):
    """(principal, scope) of a POST with a refresh token or a password."""
    form = await request.post()
    grant_type = form.get("grant_type")
    if grant_type == "refresh_token":
        principal = "user" if auth.verify(view, form.get("refresh_token", ""), "refresh") else None
    elif grant_type == "password":
        principal = auth.principal_from_basic(view, form.get("username", ""), form.get("password", ""))
    else:
        raise RegistryError(*GRANT_TYPE_UNSUPPORTED, status=400)
    if principal is None and view.auth_required:
        raise RegistryError("UNAUTHORIZED", auth.AUTH_REQUIRED)
    return principal, form.get("scope", "")


def _queried(view, request):
    """(principal, scope) of a GET, with Basic credentials or anonymous."""
    principal = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        user, password = basic_credentials(header[6:])
        principal = auth.principal_from_basic(view, user, password)
        if principal is None and view.auth_required:
            raise RegistryError("UNAUTHORIZED", auth.AUTH_REQUIRED)
    return principal, " ".join(request.query.getall("scope", []))


async def token(view, request):
    """Access tokens: GET with Basic (or anonymously), or POST with a refresh token or password."""
    if request.method == "POST":
        principal, scope = await _posted(view, request)
    else:
        principal, scope = _queried(view, request)
    if not view.auth_required:
        principal = principal or "anonymous"
    scopes = auth.grant(view, principal, auth.parse_scope(scope))
    if principal is None and not scopes:
        raise RegistryError("UNAUTHORIZED", "authentication required")
    access = auth.issue(view, "access", principal or "anonymous", access=scopes)
    return json_response({"access_token": access, "token": access, "expires_in": auth.ACCESS_TTL})
