"""Access tokens for this home's principals: JWTs signed RS256 by the home's issuer, checked by every data
plane that takes a bearer token (Key Vault, the registry's token exchange). One JOSE library: PyJWT.

The issuer's RSA key lives in the secret store (created on first use); its public half is published as a
JWKS (`jwks()`), its `kid` is the key's RFC 7638 thumbprint. Claims follow Azure AD v1 access tokens for
managed identities: `aud` is the resource asked for (`https://vault.azure.net`, …, without `/.default`),
`iss` `https://sts.windows.net/<tenant>/`, `oid`/`sub` the principal id, `appid` the client id, `tid` the
tenant, `xms_mirid` the identity's resource id. A token for one resource is refused by another (`verify`)."""

import base64
import hashlib
import json
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from azlocal.core import settings
from azlocal.core.errors import AzLocalError
from azlocal.platform import secrets

KEY_SECRET = "identity/issuer-key"
LIFETIME = 24 * 3600  # managed identity tokens live about a day
LEEWAY = 300  # clock skew tolerated on nbf/exp, as Azure's validators do
_LOADED = {}  # the stored PEM -> its parsed key (the store stays the truth: another home's key is another PEM)


class TokenError(AzLocalError):
    """A bearer token that is malformed, expired, not ours, or for another resource (the reason says which)."""


def issuer():
    return f"https://sts.windows.net/{settings.TENANT_ID}/"


def _private_key():
    def make():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()

    pem = secrets.get_or_create(KEY_SECRET, make)  # one key, however many processes ask first
    key = _LOADED.get(pem)
    if key is None:  # parsing (and checking) an RSA key costs ~40 ms: once per key, not per token
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        _LOADED.clear()
        _LOADED[pem] = key
    return key


def _b64(number):
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _public_jwk(key):
    numbers = key.public_key().public_numbers()
    jwk = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    kid = base64.urlsafe_b64encode(hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True)
                                                  .encode()).digest()).rstrip(b"=").decode()
    return dict(jwk, kid=kid, use="sig", alg="RS256")


def jwks():
    """The issuer's public keys, as `<issuer>/discovery/keys` publishes them."""
    return {"keys": [_public_jwk(_private_key())]}


def normalize_resource(resource):
    """`https://vault.azure.net/.default` or `https://vault.azure.net/` -> `https://vault.azure.net`."""
    resource = (resource or "").strip()
    if resource.endswith("/.default"):
        resource = resource[: -len("/.default")]
    return resource.rstrip("/")


def issue(principal_id, client_id, resource, *, identity_id=None, lifetime=LIFETIME, now=None):
    """An access token for the principal, for `resource`: the token endpoint's JSON answer (strings, as the
    App Service / IMDS endpoints answer: access_token, expires_on, expires_in, not_before, resource,
    token_type, client_id)."""
    resource = normalize_resource(resource)
    if not resource:
        raise TokenError("A resource (or scope) is required to issue a token.")
    key = _private_key()
    now = int(now if now is not None else time.time())
    claims = {"aud": resource, "iss": issuer(), "iat": now, "nbf": now, "exp": now + lifetime,
              "oid": principal_id, "sub": principal_id, "appid": client_id, "tid": settings.TENANT_ID,
              "idtyp": "app", "ver": "1.0"}
    if identity_id:
        claims["xms_mirid"] = identity_id
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": _public_jwk(key)["kid"]})
    return {"access_token": token, "client_id": client_id, "expires_in": str(lifetime),
            "expires_on": str(now + lifetime), "ext_expires_in": str(lifetime), "not_before": str(now),
            "resource": resource, "token_type": "Bearer"}


def verify(token, audiences):
    """The claims of a token this home's issuer signed for one of `audiences` (compared without trailing
    slashes or `/.default`, case-insensitively); TokenError otherwise."""
    key = _private_key().public_key()
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer(), leeway=LEEWAY,
                            options={"verify_aud": False, "require": ["exp", "iss", "aud", "oid"]})
    except jwt.ExpiredSignatureError:
        raise TokenError("The access token expired.") from None
    except jwt.InvalidTokenError as ex:
        raise TokenError(f"The access token is not valid: {ex}.") from None
    wanted = {normalize_resource(a).lower() for a in audiences}
    audience = claims.get("aud")
    given = audience if isinstance(audience, list) else [audience]
    if not any(normalize_resource(str(a)).lower() in wanted for a in given):
        raise TokenError(f"The access token's audience '{audience}' is not valid for this resource.")
    return claims
