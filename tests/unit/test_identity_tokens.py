"""The home's token issuer: RS256 JWTs (PyJWT) for a principal and a resource, refused for another resource,
after expiry, or when signed by another key."""

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from azlocal.identity import tokens


def test_a_token_is_for_its_resource_only(home):
    answer = tokens.issue("pid", "cid", "https://vault.azure.net/.default", identity_id="/subscriptions/s/x")
    assert answer["resource"] == "https://vault.azure.net" and answer["token_type"] == "Bearer"
    claims = tokens.verify(answer["access_token"], ["https://vault.azure.net/"])
    assert (claims["oid"], claims["appid"], claims["xms_mirid"]) == ("pid", "cid", "/subscriptions/s/x")
    with pytest.raises(tokens.TokenError, match="audience"):
        tokens.verify(answer["access_token"], ["https://management.azure.com"])


def test_expired_forged_and_malformed_tokens_are_refused(home):
    old = tokens.issue("pid", "cid", "https://vault.azure.net", now=1_000_000)["access_token"]
    with pytest.raises(tokens.TokenError, match="expired"):
        tokens.verify(old, ["https://vault.azure.net"])
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(tokens.issue("pid", "cid", "https://vault.azure.net")["access_token"],
                        options={"verify_signature": False})
    forged = jwt.encode(claims, other, algorithm="RS256")
    for bad in (forged, "not-a-token", ""):
        with pytest.raises(tokens.TokenError):
            tokens.verify(bad, ["https://vault.azure.net"])


def test_the_jwks_verifies_the_tokens(home):
    key = jwt.PyJWK(tokens.jwks()["keys"][0])
    token = tokens.issue("pid", "cid", "https://vault.azure.net")["access_token"]
    assert jwt.get_unverified_header(token)["kid"] == key.key_id
    assert jwt.decode(token, key.key, algorithms=["RS256"], audience="https://vault.azure.net")["sub"] == "pid"
