"""SAS tokens: ours are accepted by the SDK's rules and the SDK's by ours; each check refuses with Azure's code."""

import base64
import datetime
import os

import pytest

from azlocal.storage import sas
from azlocal.storage.storage_errors import StorageError

KEY = base64.b64encode(os.urandom(64)).decode()
OTHER = base64.b64encode(os.urandom(64)).decode()
LATER = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)


def _code(fn):
    with pytest.raises(StorageError) as ex:
        fn()
    return ex.value.code


def test_sdk_container_and_blob_sas_are_verified():
    from azure.storage.blob import generate_blob_sas, generate_container_sas

    token = generate_container_sas("acct", "box", account_key=KEY, permission="rwl", expiry=LATER, ip="10.0.0.1",
                                   protocol="https")
    q = sas.check("acct", token, ("w", "o"), resource=("box", "a/b.txt"), keys=[KEY], client_ip="10.0.0.1")
    assert q["sr"] == "c"
    token = generate_blob_sas("acct", "box", "a b/ü.txt", account_key=KEY, permission="r", expiry=LATER,
                              content_type="text/plain", cache_control="no-cache")
    assert sas.check("acct", token, ("r", "o"), resource=("box", "a b/ü.txt"), keys=[KEY])
    # another blob, another key, another account: the signature does not match
    assert _code(lambda: sas.check("acct", token, ("r", "o"), resource=("box", "other"), keys=[KEY])) == \
        "AuthenticationFailed"
    assert _code(lambda: sas.check("acct", token, ("r", "o"), resource=("box", "a b/ü.txt"), keys=[OTHER])) == \
        "AuthenticationFailed"
    assert _code(lambda: sas.check("acct2", token, ("r", "o"), resource=("box", "a b/ü.txt"), keys=[KEY])) == \
        "AuthenticationFailed"


def test_sdk_account_sas_is_verified_and_scoped():
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    token = generate_account_sas("acct", KEY, ResourceTypes(container=True, object=True),
                                 AccountSasPermissions(read=True, list=True), LATER)
    assert sas.check("acct", token, ("l", "c"), keys=[KEY])
    assert _code(lambda: sas.check("acct", token, ("l", "s"), keys=[KEY])) == "AuthorizationResourceTypeMismatch"
    assert _code(lambda: sas.check("acct", token, ("w", "o"), keys=[KEY])) == "AuthorizationPermissionMismatch"
    files_only = generate_account_sas("acct", KEY, ResourceTypes(object=True), AccountSasPermissions(read=True),
                                      LATER, services="f")
    assert _code(lambda: sas.check("acct", files_only, ("r", "o"), keys=[KEY])) == "AuthorizationServiceMismatch"


def test_our_tokens_match_the_sdk_signatures():
    from azure.storage.blob import generate_account_sas, generate_container_sas

    mine = sas.parse(sas.generate_service("acct", KEY, "box", permission="alrw", expiry="2027-01-01T00:00:00Z",
                                          protocol="https", version="2026-10-06"))
    theirs = sas.parse(generate_container_sas("acct", "box", account_key=KEY, permission="rawl",
                                              expiry="2027-01-01T00:00:00Z", protocol="https"))
    assert mine["sp"] == "rawl" and mine["sig"] == theirs["sig"]
    mine = sas.parse(sas.generate_account("acct", KEY, services="b", resource_types="sco", permission="rl",
                                          expiry="2027-01-01T00:00:00Z", version="2026-10-06"))
    theirs = sas.parse(generate_account_sas("acct", KEY, "sco", "rl", "2027-01-01T00:00:00Z", services="b"))
    assert mine["sig"] == theirs["sig"]


def test_window_protocol_ip_and_stored_policies():
    past = "2020-01-01T00:00:00Z"
    expired = sas.generate_service("acct", KEY, "box", permission="r", expiry=past)
    err = pytest.raises(StorageError, sas.check, "acct", expired, ("r", "o"), resource=("box", None), keys=[KEY])
    assert err.value.code == "AuthenticationFailed" and "time frame" in str(err.value)
    https = sas.generate_service("acct", KEY, "box", permission="r", expiry=LATER, protocol="https", ip="10.0.0.1")
    assert _code(lambda: sas.check("acct", https, ("r", "o"), resource=("box", None), keys=[KEY],
                                   https=False)) == "AuthorizationProtocolMismatch"
    assert _code(lambda: sas.check("acct", https, ("r", "o"), resource=("box", None), keys=[KEY],
                                   client_ip="10.0.0.2")) == "AuthorizationSourceIPMismatch"
    with_policy = sas.generate_service("acct", KEY, "box", policy_id="readers")
    policies = [{"id": "readers", "permission": "r", "expiry": LATER.strftime("%Y-%m-%dT%H:%M:%SZ"), "start": None}]
    assert sas.check("acct", with_policy, ("r", "o"), resource=("box", "x"), keys=[KEY], policies=policies)
    assert _code(lambda: sas.check("acct", with_policy, ("w", "o"), resource=("box", "x"), keys=[KEY],
                                   policies=policies)) == "AuthorizationPermissionMismatch"
    assert _code(lambda: sas.check("acct", with_policy, ("r", "o"), resource=("box", "x"), keys=[KEY],
                                   policies=[])) == "AuthenticationFailed"
    blob_only = sas.generate_service("acct", KEY, "box", "x", permission="rl", expiry=LATER)
    assert _code(lambda: sas.check("acct", blob_only, ("l", "c"), resource=("box", None), keys=[KEY])) in \
        ("AuthorizationResourceTypeMismatch", "AuthenticationFailed")


def test_missing_signature_and_user_delegation():
    assert _code(lambda: sas.check("acct", "se=2030-01-01&sp=r&sv=2026-04-06", ("r", "o"), keys=[KEY])) == \
        "AuthenticationFailed"
    assert _code(lambda: sas.check("acct", "skoid=x&sig=y&se=2030-01-01", ("r", "o"), keys=[KEY])) == \
        "AuthenticationFailed"
