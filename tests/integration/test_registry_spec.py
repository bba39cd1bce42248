"""OCI Distribution Spec conformance of azlocal's registry, with a plain HTTP client.

The registry runs as its own process (`python -m azlocal.acr.dataplane`) on a loopback port: pull,
push (monolithic, POST-PUT, chunked), cross-repository mount, discovery with pagination,
referrers, deletes, ACR's metadata API, and the failure paths, plus authentication.
"""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

pytestmark = pytest.mark.integration

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(root, *extra):
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "azlocal.acr.dataplane", "--root", str(root), "--port", str(port),
                             *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("registry did not start")


@pytest.fixture
def registry(tmp_path):
    proc, base = _start(tmp_path / "root")
    yield base
    proc.kill()
    proc.wait()


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _push_blob(base, repo, data):
    digest = _digest(data)
    r = requests.post(f"{base}/v2/{repo}/blobs/uploads/", params={"digest": digest}, data=data)
    assert r.status_code == 201, r.text
    return digest


def _location(base, response):
    location = response.headers["Location"]
    return location if location.startswith("http") else base + location


def _image(base, repo, tag, layer=b"layer-data", media_type=DOCKER_MANIFEST, subject=None, artifact_type=None):
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}}).encode()
    config_digest = _push_blob(base, repo, config)
    layer_digest = _push_blob(base, repo, layer)
    manifest = {"schemaVersion": 2, "mediaType": media_type,
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                           "digest": config_digest},
                "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                            "digest": layer_digest}]}
    if subject:
        manifest["subject"] = subject
    if artifact_type:
        manifest["artifactType"] = artifact_type
    body = json.dumps(manifest).encode()
    r = requests.put(f"{base}/v2/{repo}/manifests/{tag}", data=body, headers={"Content-Type": media_type})
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == _digest(body)
    return _digest(body), body, layer_digest


# Pull ----------------------------------------------------------------------------------------

def test_base_endpoint(registry):
    r = requests.get(f"{registry}/v2/")
    assert r.status_code == 200
    assert r.headers["Docker-Distribution-API-Version"] == "registry/2.0"


def test_pull_manifest_by_tag_and_digest_and_blob_with_range(registry):
    digest, body, layer = _image(registry, "app/web", "v1", layer=b"0123456789" * 100)
    by_tag = requests.get(f"{registry}/v2/app/web/manifests/v1")
    assert by_tag.status_code == 200 and by_tag.content == body
    assert by_tag.headers["Content-Type"] == DOCKER_MANIFEST
    assert by_tag.headers["Docker-Content-Digest"] == digest
    head = requests.head(f"{registry}/v2/app/web/manifests/{digest}")
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(body)) and head.content == b""
    blob = requests.get(f"{registry}/v2/app/web/blobs/{layer}")
    assert blob.content == b"0123456789" * 100
    part = requests.get(f"{registry}/v2/app/web/blobs/{layer}", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == b"0123456789"


def test_unknown_manifest_and_blob(registry):
    _image(registry, "app/web", "v1")
    r = requests.get(f"{registry}/v2/app/web/manifests/nope")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"
    r = requests.get(f"{registry}/v2/app/web/blobs/{_digest(b'missing')}")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "BLOB_UNKNOWN"
    # A blob of another repository is not reachable through this one.
    _, _, layer = _image(registry, "other", "v1", layer=b"private")
    assert requests.get(f"{registry}/v2/app/web/blobs/{layer}").status_code == 404


# Push ----------------------------------------------------------------------------------------

def test_post_then_put(registry):
    data = b"post-put" * 1000
    r = requests.post(f"{registry}/v2/repo/blobs/uploads/")
    assert r.status_code == 202 and r.headers["Docker-Upload-UUID"]
    r = requests.put(_location(registry, r), params={"digest": _digest(data)}, data=data)
    assert r.status_code == 201
    assert r.headers["Location"].endswith(_digest(data))
    assert requests.head(f"{registry}/v2/repo/blobs/{_digest(data)}").status_code == 200


def test_chunked_upload_with_ranges(registry):
    data = os.urandom(3 * 1024 * 1024 + 17)
    r = requests.post(f"{registry}/v2/repo/blobs/uploads/")
    url = _location(registry, r)
    offset = 0
    for size in (1024 * 1024, 2 * 1024 * 1024):
        chunk = data[offset:offset + size]
        r = requests.patch(url, data=chunk, headers={"Content-Range": f"{offset}-{offset + len(chunk) - 1}",
                                                     "Content-Type": "application/octet-stream"})
        assert r.status_code == 202, r.text
        offset += len(chunk)
        assert r.headers["Range"] == f"0-{offset - 1}"
        url = _location(registry, r)
    status = requests.get(url)
    assert status.status_code == 204 and status.headers["Range"] == f"0-{offset - 1}"
    # out of order: 416, and nothing appended
    bad = requests.patch(url, data=b"x", headers={"Content-Range": "5-5"})
    assert bad.status_code == 416
    r = requests.put(url, params={"digest": _digest(data)}, data=data[offset:])
    assert r.status_code == 201, r.text
    assert requests.get(f"{registry}/v2/repo/blobs/{_digest(data)}").content == data


def test_digest_mismatch_is_refused_and_leaves_nothing(registry, tmp_path):
    data = b"actual"
    wrong = _digest(b"something else")
    r = requests.post(f"{registry}/v2/repo/blobs/uploads/", params={"digest": wrong}, data=data)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "DIGEST_INVALID"
    assert requests.head(f"{registry}/v2/repo/blobs/{wrong}").status_code == 404
    assert list((tmp_path / "root" / "uploads").iterdir()) == []
    assert not any(p.is_file() for p in (tmp_path / "root" / "blobs").rglob("*"))


def test_cancel_and_unknown_upload(registry):
    r = requests.post(f"{registry}/v2/repo/blobs/uploads/")
    url = _location(registry, r)
    assert requests.delete(url).status_code == 204
    r = requests.get(url)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "BLOB_UPLOAD_UNKNOWN"


def test_cross_repository_mount(registry):
    _, _, layer = _image(registry, "source", "v1", layer=b"shared-layer")
    r = requests.post(f"{registry}/v2/target/blobs/uploads/", params={"mount": layer, "from": "source"})
    assert r.status_code == 201 and r.headers["Location"].endswith(layer)
    assert requests.get(f"{registry}/v2/target/blobs/{layer}").content == b"shared-layer"
    # Unknown blob: falls back to a new upload session.
    r = requests.post(f"{registry}/v2/target/blobs/uploads/", params={"mount": _digest(b"nope"), "from": "source"})
    assert r.status_code == 202


def test_manifest_referencing_missing_blob_is_refused(registry):
    manifest = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
                "config": {"mediaType": "x", "size": 1, "digest": _digest(b"missing")}, "layers": []}
    r = requests.put(f"{registry}/v2/repo/manifests/v1", data=json.dumps(manifest),
                     headers={"Content-Type": DOCKER_MANIFEST})
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    r = requests.put(f"{registry}/v2/repo/manifests/v1", data=b"not json", headers={"Content-Type": DOCKER_MANIFEST})
    assert r.json()["errors"][0]["code"] == "MANIFEST_INVALID"
    assert requests.get(f"{registry}/v2/repo/manifests/v1").status_code == 404


def test_put_by_wrong_digest_is_refused(registry):
    digest, body, _ = _image(registry, "repo", "v1")
    r = requests.put(f"{registry}/v2/repo/manifests/{_digest(b'other')}", data=body,
                     headers={"Content-Type": DOCKER_MANIFEST})
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "DIGEST_INVALID"


def test_index_and_oci_manifests(registry):
    child, _, _ = _image(registry, "multi", "amd64", media_type=OCI_MANIFEST)
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "manifests": [{"mediaType": OCI_MANIFEST, "digest": child, "size": 1,
                            "platform": {"architecture": "amd64", "os": "linux"}}]}
    r = requests.put(f"{registry}/v2/multi/manifests/latest", data=json.dumps(index),
                     headers={"Content-Type": OCI_INDEX})
    assert r.status_code == 201
    assert requests.get(f"{registry}/v2/multi/manifests/latest").headers["Content-Type"] == OCI_INDEX
    index["manifests"][0]["digest"] = _digest(b"unknown")
    r = requests.put(f"{registry}/v2/multi/manifests/bad", data=json.dumps(index), headers={"Content-Type": OCI_INDEX})
    assert r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"


# Discovery -----------------------------------------------------------------------------------

def test_tags_and_catalog_pagination(registry):
    for tag in ("a", "b", "c", "d", "e"):
        _image(registry, "paged", tag)
    r = requests.get(f"{registry}/v2/paged/tags/list", params={"n": 2})
    assert r.json() == {"name": "paged", "tags": ["a", "b"]}
    assert r.headers["Link"] == '</v2/paged/tags/list?n=2&last=b>; rel="next"'
    r = requests.get(f"{registry}/v2/paged/tags/list", params={"n": 2, "last": "b"})
    assert r.json()["tags"] == ["c", "d"]
    r = requests.get(f"{registry}/v2/paged/tags/list", params={"n": 2, "last": "d"})
    assert r.json()["tags"] == ["e"] and "Link" not in r.headers
    _image(registry, "another", "v1")
    r = requests.get(f"{registry}/v2/_catalog", params={"n": 1})
    assert r.json() == {"repositories": ["another"]} and "last=another" in r.headers["Link"]
    assert requests.get(f"{registry}/v2/nothing/tags/list").json()["errors"][0]["code"] == "NAME_UNKNOWN"


def test_referrers(registry):
    subject, body, _ = _image(registry, "signed", "v1")
    descriptor = {"mediaType": DOCKER_MANIFEST, "digest": subject, "size": len(body)}
    r_digest, _, _ = _image(registry, "signed", _digest(b"x")[-8:], media_type=OCI_MANIFEST, subject=descriptor,
                            artifact_type="application/vnd.example.signature")
    r = requests.get(f"{registry}/v2/signed/referrers/{subject}")
    assert r.status_code == 200
    doc = r.json()
    assert doc["mediaType"] == OCI_INDEX
    assert [m["digest"] for m in doc["manifests"]] == [r_digest]
    assert doc["manifests"][0]["artifactType"] == "application/vnd.example.signature"
    r = requests.get(f"{registry}/v2/signed/referrers/{subject}", params={"artifactType": "other/type"})
    assert r.json()["manifests"] == [] and r.headers["OCI-Filters-Applied"] == "artifactType"


# Deletes -------------------------------------------------------------------------------------

def test_delete_tag_manifest_and_blob(registry):
    digest, _, layer = _image(registry, "gone", "v1")
    requests.put(f"{registry}/v2/gone/manifests/v2", data=requests.get(f"{registry}/v2/gone/manifests/v1").content,
                 headers={"Content-Type": DOCKER_MANIFEST})
    assert requests.delete(f"{registry}/v2/gone/manifests/v2").status_code == 202  # by tag: untag
    assert requests.get(f"{registry}/v2/gone/tags/list").json()["tags"] == ["v1"]
    assert requests.delete(f"{registry}/v2/gone/manifests/{digest}").status_code == 202
    assert requests.get(f"{registry}/v2/gone/manifests/v1").status_code == 404
    assert requests.delete(f"{registry}/v2/gone/blobs/{layer}").status_code == 202
    assert requests.get(f"{registry}/v2/gone/blobs/{layer}").status_code == 404


# Names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Upper/case", "a/../b", "x" * 257, "bad__-name", "-lead"])
def test_invalid_repository_names(registry, name):
    import http.client

    # http.client sends the path as written (requests would resolve the `..` itself).
    host, port = registry.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port))
    conn.request("POST", f"/v2/{name}/blobs/uploads/")
    response = conn.getresponse()
    body = json.loads(response.read())
    assert response.status == 400
    assert body["errors"][0]["code"] == "NAME_INVALID"


def test_invalid_tag_is_refused(registry):
    _, body, _ = _image(registry, "repo", "ok")
    r = requests.put(f"{registry}/v2/repo/manifests/.bad", data=body, headers={"Content-Type": DOCKER_MANIFEST})
    assert r.status_code == 400


# ACR's metadata API -----------------------------------------------------------------------------

def test_acr_metadata_and_locking(registry):
    digest, body, _ = _image(registry, "locked", "v1")
    r = requests.get(f"{registry}/acr/v1/locked")
    doc = r.json()
    assert doc["imageName"] == "locked" and doc["tagCount"] == 1 and doc["manifestCount"] == 1
    assert doc["changeableAttributes"]["writeEnabled"] is True
    tags = requests.get(f"{registry}/acr/v1/locked/_tags").json()["tags"]
    assert tags[0]["name"] == "v1" and tags[0]["digest"] == digest and tags[0]["createdTime"].endswith("Z")
    manifests = requests.get(f"{registry}/acr/v1/locked/_manifests").json()["manifests"]
    assert manifests[0]["tags"] == ["v1"] and manifests[0]["architecture"] == "amd64"
    r = requests.patch(f"{registry}/acr/v1/locked", json={"writeEnabled": False})
    assert r.json()["changeableAttributes"]["writeEnabled"] is False
    r = requests.put(f"{registry}/v2/locked/manifests/v2", data=body, headers={"Content-Type": DOCKER_MANIFEST})
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "DENIED"
    requests.patch(f"{registry}/acr/v1/locked", json={"writeEnabled": True, "deleteEnabled": False})
    assert requests.delete(f"{registry}/acr/v1/locked").status_code in (403, 405)
    # Protected from deletion, the repository stays; its images can still be untagged and deleted (the docs).
    assert requests.delete(f"{registry}/acr/v1/locked/_tags/v1").status_code == 202
    r = requests.put(f"{registry}/v2/locked/manifests/v1", data=body, headers={"Content-Type": DOCKER_MANIFEST})
    assert r.status_code == 201
    requests.patch(f"{registry}/acr/v1/locked", json={"deleteEnabled": True})
    r = requests.delete(f"{registry}/acr/v1/locked")
    assert r.status_code == 202 and r.json() == {"manifestsDeleted": [digest], "tagsDeleted": ["v1"]}


# Authentication --------------------------------------------------------------------------------

@pytest.fixture
def secured(tmp_path):
    proc, base = _start(tmp_path / "secure", "--admin-user", "admin", "--admin-password", "s3cret")
    yield base
    proc.kill()
    proc.wait()


def test_auth_challenge_token_flow_and_refusals(secured):
    r = requests.get(f"{secured}/v2/")
    assert r.status_code == 401
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="http://127.0.0.1:') and 'service="127.0.0.1"' in challenge
    r = requests.get(f"{secured}/v2/_catalog")
    assert 'scope="registry:catalog:*"' in r.headers["WWW-Authenticate"]
    # wrong password
    assert requests.get(f"{secured}/oauth2/token", auth=("admin", "wrong")).status_code == 401
    assert requests.get(f"{secured}/v2/", auth=("admin", "wrong")).status_code == 401
    # anonymous push
    assert requests.post(f"{secured}/v2/repo/blobs/uploads/").status_code == 401
    # token for a scope, then use it
    token = requests.get(f"{secured}/oauth2/token", auth=("admin", "s3cret"),
                         params={"service": "127.0.0.1", "scope": "repository:repo:pull,push"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    data = b"authorised"
    r = requests.post(f"{secured}/v2/repo/blobs/uploads/", params={"digest": _digest(data)}, data=data,
                      headers=headers)
    assert r.status_code == 201
    # the token does not reach another repository or the catalog
    assert requests.post(f"{secured}/v2/other/blobs/uploads/", headers=headers).status_code == 403
    assert requests.get(f"{secured}/v2/_catalog", headers=headers).status_code == 403
    # basic auth straight on /v2 works for the admin user
    assert requests.get(f"{secured}/v2/_catalog", auth=("admin", "s3cret")).status_code == 200
    # a forged token is refused
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert requests.get(f"{secured}/v2/", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_anonymous_pull_only_when_enabled(tmp_path):
    proc, base = _start(tmp_path / "anon", "--admin-user", "admin", "--admin-password", "pw", "--anonymous-pull")
    try:
        data = b"public layer"
        token = requests.get(f"{base}/oauth2/token", auth=("admin", "pw"),
                             params={"scope": "repository:pub:push,pull"}).json()["access_token"]
        requests.post(f"{base}/v2/pub/blobs/uploads/", params={"digest": _digest(data)}, data=data,
                      headers={"Authorization": f"Bearer {token}"})
        assert requests.post(f"{base}/v2/pub/blobs/uploads/").status_code == 401
        anon = requests.get(f"{base}/oauth2/token", params={"scope": "repository:pub:pull,push"}).json()
        claims_pull = requests.get(f"{base}/v2/pub/blobs/uploads/x",
                                   headers={"Authorization": f"Bearer {anon['access_token']}"})
        assert claims_pull.status_code == 403  # pull granted, push not
    finally:
        proc.kill()
        proc.wait()


# Reliability -----------------------------------------------------------------------------------

def test_kill_during_upload_leaves_no_blob_and_retry_succeeds(tmp_path):
    root = tmp_path / "crash"
    proc, base = _start(root)
    data = os.urandom(64 * 1024 * 1024)
    digest = _digest(data)
    r = requests.post(f"{base}/v2/big/blobs/uploads/")
    url = _location(base, r)
    requests.patch(url, data=data[:32 * 1024 * 1024], headers={"Content-Range": f"0-{32 * 1024 * 1024 - 1}"})
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc, base = _start(root)
    try:
        assert requests.head(f"{base}/v2/big/blobs/{digest}").status_code == 404
        r = requests.post(f"{base}/v2/big/blobs/uploads/", params={"digest": digest}, data=data)
        assert r.status_code == 201
        assert hashlib.sha256(requests.get(f"{base}/v2/big/blobs/{digest}").content).hexdigest() == digest[7:]
        import sqlite3

        assert sqlite3.connect(root / "meta.db").execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        proc.kill()
        proc.wait()


def test_quota_is_enforced(tmp_path):
    proc, base = _start(tmp_path / "quota", "--quota-bytes", "1000")
    try:
        r = requests.post(f"{base}/v2/q/blobs/uploads/", params={"digest": _digest(b"x" * 2000)}, data=b"x" * 2000)
        assert r.status_code == 403
        assert "quota" in r.json()["errors"][0]["message"]
        assert not any(p.is_file() for p in (tmp_path / "quota" / "blobs").rglob("*"))
    finally:
        proc.kill()
        proc.wait()


def test_manifest_sent_in_many_small_chunks(registry):
    """A manifest body may arrive in pieces (chunked transfer): the registry must read all of it."""
    digest, body, _ = _image(registry, "chunky", "v1")

    def pieces():
        for i in range(0, len(body), 7):
            yield body[i:i + 7]
            time.sleep(0.001)

    r = requests.put(f"{registry}/v2/chunky/manifests/v2", data=pieces(), headers={"Content-Type": DOCKER_MANIFEST})
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == digest
