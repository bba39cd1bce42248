"""ACR's OAuth2 endpoints: /oauth2/exchange (AAD access token -> refresh token) and /oauth2/token."""

from azlocal.acr.dataplane import aad, auth
from azlocal.acr.dataplane.context import basic_credentials, json_response
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.core import settings

GRANT_TYPE_UNSUPPORTED = ("UNSUPPORTED", "unsupported grant_type")


async def exchange(view, request):
    """AAD access token -> ACR refresh token of its principal (`grant_type=access_token`, `service`, `tenant`,
    `access_token`), as ACR's exchange answers: `{"refresh_token": ...}`. The token must be this home's
    issuer's, for the ARM or the registry audience, and of the tenant named (when one is)."""
    form = await request.post()
    if form.get("grant_type") not in ("access_token", "access_token_refresh_token"):
        raise RegistryError(*GRANT_TYPE_UNSUPPORTED, status=400)
    service = form.get("service")
    if service and service.lower() != view.login_server.lower():
        raise RegistryError("UNAUTHORIZED", f"the service '{service}' is not this registry ({view.login_server})")
    try:
        principal, extra = aad.principal_of_aad_token(view, form.get("access_token", ""))
    except aad.InvalidToken as ex:
        if view.auth_required:
            raise RegistryError("UNAUTHORIZED", f"invalid access token: {ex}") from None
        principal, extra = "user", {}  # a registry that asks nobody to sign in
    tenant = form.get("tenant")
    if tenant and extra.get("tenant") and tenant.lower() != extra["tenant"].lower():
        raise RegistryError("UNAUTHORIZED", f"invalid access token: it is not a token of tenant '{tenant}'")
    refresh = auth.issue(view, "refresh", aad.subject(principal), extra=extra)
    return json_response({"refresh_token": refresh})


async def _posted(view, request):
    """(principal, scope) of a POST with a refresh token or a password."""
    form = await request.post()
    grant_type = form.get("grant_type")
    if grant_type == "refresh_token":
        claims = auth.verify(view, form.get("refresh_token", ""), "refresh")
        principal = aad.principal_of(claims) if claims else None
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
    extra = {"tenant": settings.TENANT_ID} if aad.is_aad(principal) else None
    access = auth.issue(view, "access", aad.subject(principal or "anonymous"), access=scopes, extra=extra)
    return json_response({"access_token": access, "token": access, "expires_in": auth.ACCESS_TTL})
