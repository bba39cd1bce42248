"""A request resolved to its registry: its storage, who is asking, and what they may do."""

import base64
import json

from aiohttp import web

from azlocal.acr.dataplane import aad, auth
from azlocal.acr.dataplane.errors import API_HEADER, RegistryError
from azlocal.acr.dataplane.storage import storage_for


def basic_credentials(value):
    """(user, password) from a Basic authorization value; empty strings when it is malformed."""
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
        return user, password
    except (ValueError, UnicodeDecodeError):
        return "", ""


def json_response(data, status=200, headers=None):
    return web.Response(status=status, text=json.dumps(data), content_type="application/json",
                        headers=dict(API_HEADER, **(headers or {})))


def _scope(resource_type, name, action):
    return f"{resource_type}:{name}:{'*' if resource_type == 'registry' else action}"


def resolve_view(resolver, request):
    view = resolver(request.host)
    if view is None:
        raise RegistryError("NAME_UNKNOWN", "registry not found", {"host": request.host})
    if view.check_client is not None:
        view.check_client(request.remote or "")
    return view


class Request:
    """A request resolved to its registry, with its storage and its authorisation."""

    def __init__(self, request, view):
        self.http, self.view = request, view
        self.storage = storage_for(view.root)
        self.claims = None
        self.principal = None
        self._authenticate()

    def _authenticate(self):
        header = self.http.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            self.claims = auth.verify(self.view, value.strip(), "access")
            if self.claims is None:
                raise self.unauthorized(None, "authentication required")
            sub = self.claims["sub"]
            tokens = getattr(self.view, "tokens", None)
            if auth.is_token(sub) and not (tokens is not None and tokens.live(sub)):
                # An access token of an ACR token that has since been disabled or deleted.
                raise self.unauthorized(None, auth.AUTH_REQUIRED)
        elif scheme.lower() == "basic":
            user, password = basic_credentials(value)
            self.principal = auth.principal_from_basic(self.view, user, password)
            if self.principal is None:
                raise self.unauthorized(None, auth.AUTH_REQUIRED)

    def unauthorized(self, scope, message="authentication required"):
        scheme = self.http.scheme
        headers = dict(API_HEADER, **{"WWW-Authenticate": auth.challenge(self.view, scheme, self.http.host, scope)})
        detail = [{"Type": s["type"], "Name": s["name"], "Action": a}
                  for s in auth.parse_scope(scope) for a in s["actions"]] if scope else None
        return RegistryError("UNAUTHORIZED", message, detail, headers=headers)

    def require(self, resource_type, name, action):
        if not self.view.auth_required:
            return
        if self.claims is not None:
            if auth.allows(self.claims, resource_type, name, action):
                return
            if auth.is_token(self.claims["sub"]) or "tenant" in self.claims:
                # as ACR: an ACR token's or an AAD principal's missing permission is a 401
                raise self.unauthorized(_scope(resource_type, name, action), auth.AUTH_REQUIRED)
            raise RegistryError("DENIED", "requested access to the resource is denied",
                                {"Type": resource_type, "Name": name, "Action": action})
        if auth.is_token(self.principal):  # an ACR token over Basic: its scope map decides
            if auth.token_allows(self.view, self.principal, resource_type, name, action):
                return
            raise self.unauthorized(_scope(resource_type, name, action), auth.AUTH_REQUIRED)
        if aad.is_aad(self.principal):  # an AAD principal's refresh token over Basic: its roles decide
            if aad.allows(self.view, self.principal, "catalog" if resource_type == "registry" else action,
                          name if resource_type == "repository" else None):
                return
            raise self.unauthorized(_scope(resource_type, name, action), auth.AUTH_REQUIRED)
        if self.principal:
            return
        if self.view.anonymous_pull and resource_type == "repository" and action == "pull":
            return
        raise self.unauthorized(_scope(resource_type, name, action))

    def may(self, resource_type, name, action):
        try:
            self.require(resource_type, name, action)
            return True
        except RegistryError:
            return False

    def authenticated(self):
        return not self.view.auth_required or self.principal or self.claims is not None

    def event(self, action, name, *, tag=None, digest=None, media_type=None, size=None):
        """Tells the registry's owner (webhooks, triggers); a notification never fails the operation."""
        if self.view.on_event:
            try:
                self.view.on_event(action, name, tag, digest, media_type, size)
            except Exception:
                pass
