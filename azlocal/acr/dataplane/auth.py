"""Authentication as ACR does it: Bearer challenges, the OAuth2 exchange/token endpoints,
the admin user over Basic, anonymous pull where enabled.

Tokens are JWTs (HS256, signed and checked with PyJWT) under the registry's own key,
so a token of one registry is worthless at another, and a renewed key voids them all.

ACR tokens (`az acr token`: a name and password, with a scope map) are principals `token:<name>`:
what they may do is what their scope map's actions allow (`TokenTable`, built once per view). Azure AD
principals (an identity's or a user's AAD token exchanged at /oauth2/exchange) are `aad:<object id>`: their
role assignments decide (aad.py).
"""

import base64
import hmac
import os
import time

import jwt

from azlocal.acr.dataplane import aad

NULL_USER = "00000000-0000-0000-0000-000000000000"
AUTH_REQUIRED = "authentication required, visit https://aka.ms/acr/authorization for more information."
TOKEN_PREFIX = "token:"
# Scope map action -> the registry action it allows.
SCOPE_MAP_ACTIONS = {"content/read": "pull", "content/write": "push", "content/delete": "delete",
                     "metadata/read": "metadata_read", "metadata/write": "metadata_write"}
REPOSITORY_ACTIONS = tuple(SCOPE_MAP_ACTIONS.values())
REFRESH_TTL = 3 * 3600
ACCESS_TTL = 3600


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def issue(view, kind, subject, access=None, ttl=None, extra=None):
    """A `kind` token ("refresh" or "access") of this registry for `subject`, signed HS256 with the registry's
    key (PyJWT). `extra`: further claims (an AAD principal's tenant and app id)."""
    now = int(time.time())
    claims = {"aud": view.login_server, "exp": now + (ttl or (REFRESH_TTL if kind == "refresh" else ACCESS_TTL)),
              "grant_type": kind, "iat": now, "iss": "Azure Container Registry", "jti": _b64(os.urandom(9)),
              "sub": subject}
    claims.update(extra or {})
    if access is not None:
        claims["access"] = access
    return jwt.encode(claims, view.token_key, algorithm="HS256", headers={"typ": "JWT"})


def verify(view, token, kind):
    """The token's claims if it is a valid, unexpired `kind` token of this registry, else None.

    PyJWT checks the signature (HS256 only), `exp`, `iat` and `nbf`; then a token whose claims are not what
    `issue` writes (no `exp`, an `access` that is not a list of scopes, ...) is refused as well: nothing
    downstream ever sees a claim of the wrong type."""
    if not isinstance(token, str) or not view.token_key:
        return None
    try:
        claims = jwt.decode(token, view.token_key, algorithms=["HS256"],
                            options={"verify_aud": False, "require": ["exp"]})
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, RecursionError):
        return None
    if not _well_formed(claims):
        return None
    if claims["aud"] != view.login_server or claims["grant_type"] != kind or claims["exp"] < time.time():
        return None
    return claims


def _number(value):
    return type(value) in (int, float) and value == value and abs(value) != float("inf")


def _well_formed(claims):
    """The claims `issue` writes, with their types: aud, grant_type, sub strings; exp (and iat, nbf if
    present) finite numbers; access, if present, a list of {type, name: str, actions: [str]}."""
    if not isinstance(claims, dict) or not _number(claims.get("exp")):
        return False
    if not all(isinstance(claims.get(k), str) for k in ("aud", "grant_type", "sub")):
        return False
    if any(k in claims and not _number(claims[k]) for k in ("iat", "nbf")):
        return False
    if "nbf" in claims and claims["nbf"] > time.time() + 60:
        return False
    access = claims.get("access", [])
    if not isinstance(access, list):
        return False
    for entry in access:
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str) or \
                not isinstance(entry.get("name"), str) or not isinstance(entry.get("actions"), list) or \
                not all(isinstance(a, str) for a in entry["actions"]):
            return False
    return True


def parse_scope(scope):
    """'repository:app:pull,push' -> {"type", "name", "actions"}; several scopes are space-separated."""
    out = []
    for item in (scope or "").split():
        parts = item.split(":")
        if len(parts) < 3:
            continue
        out.append({"type": parts[0], "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")})
    return out


def principal_from_basic(view, username, password):
    """Who a username/password is: the admin user, an ACR token, or the null user with a refresh token."""
    if username == NULL_USER:
        claims = verify(view, password, "refresh")
        return aad.principal_of(claims) if claims else None
    service_principal = _service_principal(username, password)
    if service_principal:  # an Entra service principal (appId and password): its roles decide, as an AAD one's
        return service_principal
    if view.admin_enabled and view.check_password and view.check_password(username, password):
        return "admin"
    tokens = getattr(view, "tokens", None)
    if tokens is not None:
        return tokens.principal(username, password)
    return None


def _service_principal(username, password):
    from azlocal.role import service_principals

    oid = service_principals.authenticate(username, password)
    return aad.PREFIX + oid if oid else None


def is_token(principal):
    return isinstance(principal, str) and principal.startswith(TOKEN_PREFIX)


def token_allows(view, principal, resource_type, name, action):
    """Whether an ACR token principal (still enabled, still there) may do `action` on the resource."""
    tokens = getattr(view, "tokens", None)
    return tokens is not None and tokens.allows(principal, resource_type, name, action)


def grant(view, principal, scopes):
    """What a principal may do: everything when authenticated (a token: what its scope map allows; an AAD
    principal: what its roles at the registry allow), pulls when anonymous pull is on."""
    granted = []
    for scope in scopes:
        if aad.is_aad(principal):
            allowed = aad.granted(view, principal, scope)
            if allowed:
                granted.append(allowed)
        elif is_token(principal):
            wanted = REPOSITORY_ACTIONS if "*" in scope["actions"] else scope["actions"]
            if scope["type"] == "registry":
                wanted = ["*"]
            actions = [a for a in wanted if token_allows(view, principal, scope["type"], scope["name"], a)]
            if actions:
                granted.append(dict(scope, actions=actions))
        elif principal:
            granted.append(scope)
        elif view.anonymous_pull and scope["type"] == "repository":
            actions = [a for a in scope["actions"] if a == "pull"]
            if actions:
                granted.append(dict(scope, actions=actions))
    return granted


def challenge(view, scheme, host, scope=None):
    realm = f"{scheme}://{host}/oauth2/token"
    value = f'Bearer realm="{realm}",service="{view.login_server}"'
    if scope:
        value += f',scope="{scope}"'
    return value


def allows(claims, resource_type, name, action):
    for entry in claims.get("access") or []:
        if entry["type"] != resource_type:
            continue
        if entry["name"] not in (name, "*"):
            continue
        if action in entry["actions"] or "*" in entry["actions"]:
            return True
    return False


class TokenTable:
    """A registry's ACR tokens as the data plane checks them: password digests with their expiry, and the
    scope map actions compiled to {registry action: (exact repository names, name prefixes, every repo)}.
    Built once per view (the view is rebuilt when the registry's credentials revision changes)."""

    def __init__(self, tokens):
        """tokens: {lower-cased name: {"name", "enabled", "actions": [...], "passwords": {name: (sha256, expiry)}}}."""
        self._tokens = {}
        for key, token in tokens.items():
            if token["enabled"]:
                passwords = [(d, _expiry_time(e)) for d, e in token["passwords"].values()]
                self._tokens[key] = (passwords, _compile(token["actions"]))

    def principal(self, username, password):
        import hashlib

        found = self._tokens.get((username or "").lower())
        if found is None or not password:
            return None
        wanted = hashlib.sha256(password.encode()).hexdigest()
        for digest, expiry in found[0]:
            if hmac.compare_digest(digest, wanted):
                return None if expiry <= time.time() else TOKEN_PREFIX + username.lower()
        return None

    def live(self, principal):
        return is_token(principal) and principal[len(TOKEN_PREFIX):] in self._tokens

    def allows(self, principal, resource_type, name, action):
        found = self._tokens.get(principal[len(TOKEN_PREFIX):]) if is_token(principal) else None
        if found is None:
            return False
        rules = found[1]
        if resource_type == "registry":
            # As ACR: only a token whose scope map reads the metadata of every repository ('*') lists the catalog.
            return name == "catalog" and rules.get("metadata_read", ((), (), False))[2]
        if resource_type != "repository" or action not in rules:
            return False
        exact, prefixes, everything = rules[action]
        name = name.lower()
        return everything or name in exact or any(name.startswith(p) for p in prefixes)


def _compile(actions):
    rules = {}
    for item in actions:
        kind, _, rest = item.partition("/")
        repository, _, verb = rest.rpartition("/")
        repository, _, group = repository.rpartition("/")
        granted = SCOPE_MAP_ACTIONS.get(f"{group}/{verb}")
        if kind != "repositories" or granted is None or not repository:
            continue
        exact, prefixes, everything = rules.get(granted, (set(), [], False))
        repository = repository.lower()
        if repository == "*":
            everything = True
        elif repository.endswith("/*"):
            prefixes.append(repository[:-1])
        else:
            exact.add(repository)
        rules[granted] = (exact, prefixes, everything)
    return rules


def _expiry_time(expiry):
    """A password's ARM expiry as epoch seconds (infinity: never; an unreadable one: already expired)."""
    if not expiry or expiry.startswith("9999-"):
        return float("inf")
    from datetime import datetime

    try:
        return datetime.fromisoformat(expiry).timestamp()
    except ValueError:
        return 0.0
