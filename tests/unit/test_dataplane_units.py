"""The registry's pure parts: Content-Range parsing, name/digest/upload-id checks, pagination, the
changeable attributes a PATCH sets, and the errors middleware."""

import asyncio
import json

import pytest
from aiohttp import web

from azlocal.acr.dataplane import paging, repository, uploads
from azlocal.acr.dataplane.errors import SERVED, RegistryError, registry_errors
from azlocal.acr.dataplane.names import check_digest, check_name, valid_upload_id

GOOD_DIGEST = "sha256:" + "a" * 64
UPLOAD = "0f3a9c2e-7b1d-4e8f-a6c5-d2b4e1f09a7c"


@pytest.mark.parametrize("value, expected", [
    ("0-99", (0, 99)), ("bytes=0-99", (0, 99)), ("bytes 5-10/200", (5, 10)), ("bytes 5-10/*", (5, 10)),
    (" 1-2 ", (1, 2)), ("0-", None), ("-5", None), ("a-b", None), ("bytes:0-1", None), ("0-1/x", None),
    ("1" * 20 + "-1", None),
])
def test_content_range_parsing(value, expected):
    assert uploads.parse_content_range(value) == expected


class FakeSession:
    def __init__(self, offset):
        self.offset, self.id, self.repo = offset, "u-1", "team/app"


@pytest.mark.parametrize("offset, content_range, content_length, expected", [
    (0, None, None, None),
    (0, "0-9", None, 10),
    (0, "0-9", 10, 10),
    (10, "10-10", 1, 1),
    (0, "0-9", 9, "the chunk's Content-Length does not match its Content-Range"),
    (5, "0-9", None, "the chunk does not continue the upload"),
    (0, "9-0", None, "the chunk does not continue the upload"),
    (0, "junk", None, "the Content-Range is malformed"),
])
def test_chunk_length_or_416(offset, content_range, content_length, expected):
    session = FakeSession(offset)
    if not isinstance(expected, str):
        assert uploads.chunk_length(session, content_range, content_length) == expected
        return
    with pytest.raises(RegistryError) as caught:
        uploads.chunk_length(session, content_range, content_length)
    error = caught.value
    assert (error.status, error.code, error.message) == (416, "BLOB_UPLOAD_INVALID", expected)
    assert error.headers["Location"] == "/v2/team/app/blobs/uploads/u-1"
    assert error.headers["Range"] == f"0-{max(offset - 1, 0)}"
    assert error.headers["Docker-Distribution-API-Version"] == "registry/2.0"


@pytest.mark.parametrize("name, ok", [
    ("app", True), ("team/app", True), ("a.b_c__d--e", True), ("a/b/c", True),
    ("", False), ("App", False), ("a..b", False), ("-a", False), ("a/", False), ("/a", False),
    ("a" * 257, False), ("a_", False), ("a\n", False),
])
def test_repository_names(name, ok):
    if ok:
        check_name(name)
    else:
        with pytest.raises(RegistryError) as caught:
            check_name(name)
        assert caught.value.code == "NAME_INVALID" and caught.value.status == 400


@pytest.mark.parametrize("digest, ok", [
    (GOOD_DIGEST, True), ("sha256:" + "A" * 64, False), ("sha256:" + "a" * 63, False),
    ("sha512:" + "a" * 128, False), (GOOD_DIGEST + "\n", False), ("", False), (None, False),
])
def test_digests(digest, ok):
    if ok:
        check_digest(digest)
    else:
        with pytest.raises(RegistryError) as caught:
            check_digest(digest)
        assert caught.value.code == "DIGEST_INVALID"


@pytest.mark.parametrize("upload_id, ok", [
    (UPLOAD, True), (UPLOAD.upper(), False), (UPLOAD.replace("-", ""), False), ("../x", False), (None, False),
    (UPLOAD + ".repo", False), (UPLOAD + "\n", False), ("{%s}" % UPLOAD, False),
])
def test_upload_ids(upload_id, ok):
    assert valid_upload_id(upload_id) is ok


NAMES = ["a", "b", "c", "d"]


@pytest.mark.parametrize("query, page, link", [
    ({}, NAMES, None),
    ({"n": "2"}, ["a", "b"], '</v2/_catalog?n=2&last=b>; rel="next"'),
    ({"n": "2", "last": "b"}, ["c", "d"], None),
    ({"last": "a"}, ["b", "c", "d"], None),
    ({"n": "4"}, NAMES, None),
    ({"n": "0"}, [], None),
    ({"n": "-1"}, NAMES, None),
    ({"last": "z"}, [], None),
])
def test_spec_pagination(query, page, link):
    items, headers = paging.paginate(NAMES, query, "/v2/_catalog")
    assert items == page and headers.get("Link") == link


def test_spec_pagination_refuses_a_bad_n():
    with pytest.raises(RegistryError) as caught:
        paging.paginate(NAMES, {"n": "two"}, "/v2/_catalog")
    assert (caught.value.code, caught.value.status) == ("PAGINATION_NUMBER_INVALID", 400)


TAGS = [{"name": "v1", "lastUpdateTime": "3"}, {"name": "v2", "lastUpdateTime": "1"},
        {"name": "v3", "lastUpdateTime": "2"}]


@pytest.mark.parametrize("query, names, link", [
    ({}, ["v1", "v2", "v3"], None),
    ({"orderby": "timedesc"}, ["v1", "v3", "v2"], None),
    ({"orderby": "timeasc", "n": "1"}, ["v2"], '</acr/v1/app/_tags?orderby=timeasc&n=1&last=v2>; rel="next"'),
    ({"orderby": "timeasc", "last": "v2"}, ["v3", "v1"], None),
    ({"last": "nope"}, ["v1", "v2", "v3"], None),
    ({"n": "x"}, ["v1", "v2", "v3"], None),
])
def test_acr_ordered_pages(query, names, link):
    page, headers = paging.page_ordered(paging.ordered(TAGS, query), query, "/acr/v1/app/_tags")
    assert [t["name"] for t in page] == names and headers.get("Link") == link


@pytest.mark.parametrize("body, expected", [
    ({"writeEnabled": False, "teleportEnabled": True}, {"writeEnabled": False}),
    ({"deleteEnabled": 0, "readEnabled": 1, "listEnabled": None}, {"deleteEnabled": False, "readEnabled": True,
                                                                   "listEnabled": False}),
    (None, {}),
])
def test_changeable_attributes(body, expected):
    assert repository.changeable(body) == expected


class FakeRequest(dict):
    method, path = "GET", "/v2/app/tags/list"


def _run(handler, served=True):
    request = FakeRequest()
    if served:
        request[SERVED] = True

    async def call(req):
        return await handler(req)

    return asyncio.run(registry_errors(request, call))


def _raise(exc):
    async def handler(request):
        raise exc

    return handler


@pytest.mark.parametrize("exc, status, code, header", [
    (RegistryError("BLOB_UNKNOWN", "blob unknown to registry", {"digest": "d"}), 404, "BLOB_UNKNOWN", None),
    (RegistryError("UNAUTHORIZED", "authentication required", headers={"WWW-Authenticate": "Bearer x"}), 401,
     "UNAUTHORIZED", ("WWW-Authenticate", "Bearer x")),
    (RegistryError("TAG_INVALID", "manifest tag did not match URI", status=400), 400, "TAG_INVALID", None),
    (ZeroDivisionError("boom"), 500, "UNKNOWN", None),
])
def test_the_middleware_answers_registry_failures(exc, status, code, header):
    response = _run(_raise(exc))
    assert response.status == status and response.content_type == "application/json"
    assert json.loads(response.text)["errors"][0]["code"] == code
    if header:
        assert response.headers[header[0]] == header[1]


@pytest.mark.parametrize("exc, served", [(web.HTTPNotFound(), True), (ZeroDivisionError("boom"), False)])
def test_the_middleware_leaves_other_failures_alone(exc, served):
    with pytest.raises(type(exc)):
        _run(_raise(exc), served=served)
