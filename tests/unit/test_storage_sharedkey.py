"""Shared Key: requests the real SDK signs verify; a changed byte, header, key or account does not."""

import base64
import os

import pytest

from azlocal.storage import sharedkey
from azlocal.storage.storage_errors import StorageError

KEY = base64.b64encode(os.urandom(64)).decode()


def _signed(method, url, headers, account="acct", key=KEY):
    """What azure-storage-blob's SharedKeyCredentialPolicy puts on a request."""
    from azure.core.pipeline import PipelineContext, PipelineRequest
    from azure.core.rest import HttpRequest
    from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy

    request = HttpRequest(method, url, headers=dict(headers))
    SharedKeyCredentialPolicy(account, key).on_request(PipelineRequest(request, PipelineContext(None)))
    return request


def _verify(request, keys=(KEY,), account="acct"):
    from urllib.parse import parse_qsl, urlparse

    parsed = urlparse(request.url)
    return sharedkey.verify(account, request.method, [parsed.path], request.headers,
                            parse_qsl(parsed.query, keep_blank_values=True), list(keys))


HEADERS = {"x-ms-version": "2026-04-06", "x-ms-date": "Thu, 03 Dec 2026 10:00:00 GMT", "Content-Length": "5",
           "Content-Type": "text/plain", "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": "text/plain",
           "x-ms-meta-Team": "blue", "If-None-Match": "*"}


def test_sdk_signed_requests_verify():
    url = "https://acct.blob.core.windows.net/box/a%20b/c.txt?comp=block&blockid=MDA%3D&timeout=30"
    assert _verify(_signed("PUT", url, HEADERS)) == "SharedKey"
    listing = _signed("GET", "https://acct.blob.core.windows.net/?comp=list&prefix=x&include=metadata",
                      {"x-ms-version": "2026-04-06", "x-ms-date": HEADERS["x-ms-date"]})
    assert _verify(listing) == "SharedKey"
    assert _verify(_signed("PUT", url, HEADERS), keys=("", KEY)) == "SharedKey"  # key2 works too


def test_changes_break_the_signature():
    url = "https://acct.blob.core.windows.net/box/x"
    request = _signed("PUT", url, HEADERS)
    request.headers["x-ms-meta-Team"] = "red"
    with pytest.raises(StorageError) as ex:
        _verify(request)
    assert ex.value.code == "AuthenticationFailed" and ex.value.status == 403
    with pytest.raises(StorageError):
        _verify(_signed("PUT", url, HEADERS), keys=(base64.b64encode(b"other").decode(),))
    with pytest.raises(StorageError) as ex:
        _verify(_signed("PUT", url, HEADERS, account="acct2"))
    assert "not the account" in str(ex.value)


def test_malformed_authorization_and_lite():
    with pytest.raises(StorageError) as ex:
        sharedkey.parse_authorization("SharedKey nocolon")
    assert ex.value.code == "InvalidAuthenticationInfo"
    assert sharedkey.parse_authorization("Bearer abc") is None
    headers = {"x-ms-date": HEADERS["x-ms-date"], "x-ms-version": "2026-04-06", "Content-Type": "text/plain"}
    sts = sharedkey.strings_to_sign("SharedKeyLite", "acct", "GET", "/box/x", headers, [("comp", "metadata")])[0]
    assert sts.endswith("x-ms-version:2026-04-06\n/acct/box/x?comp=metadata")
    from azlocal.storage.sas import sign

    headers["Authorization"] = f"SharedKeyLite acct:{sign(KEY, sts)}"
    assert sharedkey.verify("acct", "GET", ["/box/x"], headers, [("comp", "metadata")], [KEY]) == "SharedKeyLite"
