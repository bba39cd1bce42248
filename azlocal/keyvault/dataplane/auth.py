"""Who is calling: Key Vault's challenge-based bearer authentication.

A request without `Authorization: Bearer <token>` gets 401 with the challenge (`WWW-Authenticate: Bearer
authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`), which the
SDKs' ChallengeAuthPolicy answers by getting a token for `https://vault.azure.net/.default` from that tenant
and sending the request again. A token is checked by this home's issuer (azlocal.identity.tokens: signature,
issuer, lifetime, audience); a bad one is refused with 401 and the challenge again, as the service does. The
token's `oid` is the principal the service layer authorizes (403 is the service layer's answer)."""

import asyncio
from dataclasses import dataclass

import jwt

from azlocal.identity import tokens
from azlocal.keyvault.dataplane.errors import RESOURCE, unauthorized


@dataclass(frozen=True)
class Caller:
    principal_id: str  # the token's oid
    app_id: str
    issuer: str

    def principal(self):
        """The acting principal as the service layer takes it (access.authorize: oid, and appid to name it)."""
        return {"oid": self.principal_id, "appid": self.app_id, "iss": self.issuer}


def bearer_of(header):
    """The token of an `Authorization: Bearer <token>` header; None when there is none (or another scheme)."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unverified(token):
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return {}


def check(token):
    """The Caller of a token for Key Vault, or the service's 401 (blocking: the issuer key is in the secret
    store; call through an executor)."""
    if not token:
        raise unauthorized("AKV10000: Request is missing a Bearer or PoP token.")
    try:
        claims = tokens.verify(token, [RESOURCE])
    except tokens.TokenError as ex:
        seen = _unverified(token)
        reason = str(ex)
        if "audience" in reason:
            raise unauthorized(f"AKV10022: Invalid audience. Expected {RESOURCE}, found: {seen.get('aud')}.") from None
        if seen.get("iss") and seen.get("iss") != tokens.issuer():
            raise unauthorized(f"AKV10032: Invalid issuer. Expected one of {tokens.issuer()}, found: "
                               f"{seen.get('iss')}.") from None
        if "expired" in reason:
            raise unauthorized("The access token expired: get a new one from the token endpoint.") from None
        raise unauthorized("The access token is not valid: it is malformed or was not signed by this tenant's "
                           "issuer.") from None
    return Caller(str(claims["oid"]), str(claims.get("appid") or claims.get("azp") or ""), str(claims["iss"]))


async def authenticate(request):
    token = bearer_of(request.headers.get("Authorization"))
    if not token:
        return check(None)
    return await asyncio.get_running_loop().run_in_executor(None, check, token)
