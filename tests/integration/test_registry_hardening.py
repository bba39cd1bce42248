"""Registry hardening over real HTTP (`python -m azlocal.acr.dataplane` on a loopback port):
uploads that cannot lie about their digest (issue 9, item 5) and malformed or foreign-blob
manifests that are refused without side effects (item 6)."""

import hashlib
import http.client
import json
import threading
import time
import uuid

import pytest
import requests

from tests.integration.test_registry_spec import _location, _push_blob, _start

pytestmark = pytest.mark.integration

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar"


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "root"
    proc, base = _start(root)
    yield base, root
    proc.kill()
    proc.wait()


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _error(response):
    return response.status_code, response.json()["errors"][0]["code"]


def _open(base, repo):
    r = requests.post(f"{base}/v2/{repo}/blobs/uploads/")
    assert r.status_code == 202
    return _location(base, r)


# Item 5: uploads -----------------------------------------------------------------------------

@pytest.mark.parametrize("commit_as", ["ABC", "ACB"])
def test_interleaved_patches_cannot_poison_a_digest(served, commit_as):
    """A streams A*100, pauses, streams C*100; B sends B*100 meanwhile. B must wait for A."""
    base, _ = served
    url = _open(base, "repo")
    first_sent, release, results = threading.Event(), threading.Event(), {}

    def body_a():
        yield b"A" * 100
        first_sent.set()
        release.wait(10)
        yield b"C" * 100

    a = threading.Thread(target=lambda: results.setdefault("a", requests.patch(url, data=body_a())))
    b = threading.Thread(target=lambda: results.setdefault("b", requests.patch(url, data=b"B" * 100)))
    a.start()
    assert first_sent.wait(10)
    time.sleep(0.3)  # A's first bytes have reached the registry
    b.start()
    b.join(1.0)
    answered_while_a_was_writing = not b.is_alive()
    release.set()
    a.join(10)
    b.join(10)
    assert results["a"].status_code == 202 and results["b"].status_code == 202
    data = {"ABC": b"A" * 100 + b"B" * 100 + b"C" * 100, "ACB": b"A" * 100 + b"C" * 100 + b"B" * 100}[commit_as]
    r = requests.put(url, params={"digest": _digest(data)})
    if commit_as == "ABC":  # what a running hash over interleaved writes would have said
        assert _error(r) == (400, "DIGEST_INVALID")
        assert requests.head(f"{base}/v2/repo/blobs/{_digest(data)}").status_code == 404
    else:  # what is really on disk
        assert r.status_code == 201, r.text
        assert requests.get(f"{base}/v2/repo/blobs/{_digest(data)}").content == data
    assert not answered_while_a_was_writing
    assert results["b"].headers["Range"] == "0-299"


def test_content_range_must_match_offset_and_body_length(served):
    base, _ = served
    url = _open(base, "repo")
    refused = [
        ({"Content-Range": "0-99"}, b"x" * 200),  # body longer than its range
        ({"Content-Range": "0-199"}, b"x" * 100),  # body shorter than its range
        ({"Content-Range": "5-104"}, b"x" * 100),  # does not start at the offset
        ({"Content-Range": "99-0"}, b"x" * 100),
        ({"Content-Range": "bytes"}, b"x"),
        ({"Content-Range": "0-99", "Transfer-Encoding": "chunked"}, iter([b"x" * 60, b"x" * 60])),  # streamed, long
        ({"Content-Range": "0-99", "Transfer-Encoding": "chunked"}, iter([b"x" * 60])),  # streamed, short
    ]
    for headers, body in refused:
        r = requests.patch(url, data=body, headers=headers)
        assert r.status_code == 416, (headers, r.status_code, r.text)
        assert r.headers["Docker-Upload-UUID"] and r.headers["Range"] == "0-0"
    assert requests.get(url).headers["Range"] == "0-0"  # nothing was appended
    r = requests.patch(url, data=b"a" * 100, headers={"Content-Range": "0-99"})
    assert r.status_code == 202 and r.headers["Range"] == "0-99"
    r = requests.patch(url, data=b"b" * 50, headers={"Content-Range": "100-160"})
    assert r.status_code == 416 and r.headers["Range"] == "0-99"
    r = requests.put(url, params={"digest": _digest(b"a" * 100 + b"b" * 50)}, data=b"b" * 50,
                     headers={"Content-Range": "100-149"})
    assert r.status_code == 201, r.text
    assert requests.get(f"{base}/v2/repo/blobs/{_digest(b'a' * 100 + b'b' * 50)}").content == b"a" * 100 + b"b" * 50


def test_an_upload_session_belongs_to_its_repository(tmp_path):
    root = tmp_path / "root"
    proc, base = _start(root)
    try:
        url = _open(base, "team/app")
        session = url.rsplit("/", 1)[1]
        requests.patch(url, data=b"mine")
        foreign = f"{base}/v2/other/blobs/uploads/{session}"
        for method, kwargs in (("GET", {}), ("PATCH", {"data": b"theirs"}), ("DELETE", {}),
                               ("PUT", {"params": {"digest": _digest(b"mine")}})):
            r = requests.request(method, foreign, **kwargs)
            assert _error(r) == (404, "BLOB_UPLOAD_UNKNOWN"), method
        assert requests.head(f"{base}/v2/other/blobs/{_digest(b'mine')}").status_code == 404
        proc.kill()
        proc.wait()
        proc, base = _start(root)  # ownership survives a restart
        assert requests.patch(f"{base}/v2/other/blobs/uploads/{session}", data=b"x").status_code == 404
        r = requests.put(f"{base}/v2/team/app/blobs/uploads/{session}", params={"digest": _digest(b"mine")})
        assert r.status_code == 201, r.text
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("upload_id", ["..", "%2e%2e", ".", "meta.db", "%2e%2e%2fmeta.db", "direct-x",
                                       "{%s}" % uuid.uuid4(), uuid.uuid4().hex, "%s.repo" % uuid.uuid4()])
def test_upload_ids_that_are_not_the_registrys_uuids_name_nothing(served, upload_id):
    base, root = served
    host, port = base.rsplit("/", 1)[1].split(":")
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        conn = http.client.HTTPConnection(host, int(port))  # sends the path exactly as written
        conn.request(method, f"/v2/repo/blobs/uploads/{upload_id}?digest={_digest(b'x')}", body=b"x")
        response = conn.getresponse()
        code = json.loads(response.read())["errors"][0]["code"]
        conn.close()
        # an id with a '/' in it does not even reach the upload handler
        expected = (404, "UNSUPPORTED") if "%2f" in upload_id else (404, "BLOB_UPLOAD_UNKNOWN")
        assert (response.status, code) == expected, method
    assert (root / "meta.db").is_file() and (root / "meta.db").stat().st_size > 0


def test_a_symlink_planted_as_an_upload_never_writes_outside(served, tmp_path):
    base, root = served
    outside = tmp_path / "host-file"
    outside.write_bytes(b"host")
    session = str(uuid.uuid4())
    (root / "uploads" / session).symlink_to(outside)
    (root / "uploads" / f"{session}.repo").write_text("repo")
    r = requests.patch(f"{base}/v2/repo/blobs/uploads/{session}", data=b"appended")
    assert _error(r) == (404, "BLOB_UPLOAD_UNKNOWN")
    assert outside.read_bytes() == b"host"


# Item 6: manifests ---------------------------------------------------------------------------

def _image(base, repo, config=b'{"architecture":"amd64","os":"linux"}', layer=b"layer"):
    config_digest, layer_digest = _push_blob(base, repo, config), _push_blob(base, repo, layer)
    return {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": CONFIG_TYPE, "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": LAYER_TYPE, "digest": layer_digest, "size": len(layer)}]}


def _put(base, repo, tag, doc, media_type=OCI_MANIFEST):
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return requests.put(f"{base}/v2/{repo}/manifests/{tag}", data=body, headers={"Content-Type": media_type})


def _bad_manifests(good):
    def changed(**fields):
        doc = json.loads(json.dumps(good))
        for key, value in fields.items():
            target, _, leaf = key.rpartition("__")
            (doc[target] if target else doc)[leaf] = value
        return doc

    deep = b'{"schemaVersion":2,"config":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    return [
        ("layers: 5", changed(layers=5), OCI_MANIFEST),
        ('config: "x"', changed(config="x"), OCI_MANIFEST),
        ('layers: ["x"]', changed(layers=["x"]), OCI_MANIFEST),
        ('config.size: "big"', changed(config__size="big"), OCI_MANIFEST),
        ("index manifests: 3", {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": 3}, OCI_INDEX),
        ('subject: "x"', changed(subject="x"), OCI_MANIFEST),
        ("100k-deep JSON", deep, OCI_MANIFEST),
        ("100k-deep object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, OCI_MANIFEST),
        ("layers: [5]", changed(layers=[5]), OCI_MANIFEST),
        ("layer digest 5", changed(layers=[dict(good["layers"][0], digest=5)]), OCI_MANIFEST),
        ("config.size -1", changed(config__size=-1), OCI_MANIFEST),
        ("config without mediaType", changed(config={"digest": good["config"]["digest"], "size": 1}), OCI_MANIFEST),
        ("annotations: 1", changed(annotations=1), OCI_MANIFEST),
        ("schemaVersion: []", changed(schemaVersion=[]), OCI_MANIFEST),
        ("mediaType: {} and no Content-Type", changed(mediaType={}), "text/plain"),
        ("index manifests: [1]", {"schemaVersion": 2, "manifests": [1]}, OCI_INDEX),
        ("a JSON array", b"[1, 2]", OCI_MANIFEST),
        ("invalid UTF-8", b'{"\xff": 1}', OCI_MANIFEST),
    ]


def test_malformed_manifests_are_400_and_link_nothing(served):
    base, _ = served
    good = _image(base, "src")  # its blobs are linked in `src` only
    cases = _bad_manifests(good)
    for label, doc, media_type in cases:
        r = _put(base, "dst", "v1", doc, media_type)
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == "MANIFEST_INVALID", (label, r.status_code)
    for d in (good["config"]["digest"], good["layers"][0]["digest"]):
        assert requests.head(f"{base}/v2/dst/blobs/{d}").status_code == 404
    assert requests.get(f"{base}/v2/dst/manifests/v1").status_code == 404
    assert _put(base, "src", "v1", good).status_code == 201  # the registry still takes a good one


def test_a_refused_manifest_links_no_blob_into_the_repository(served):
    base, _ = served
    good = _image(base, "src")
    missing = {"mediaType": LAYER_TYPE, "digest": _digest(b"never pushed"), "size": 12}
    doc = dict(good, layers=good["layers"] + [missing])
    assert _error(_put(base, "dst", "v1", doc)) == (400, "MANIFEST_BLOB_UNKNOWN")
    assert requests.head(f"{base}/v2/dst/blobs/{good['config']['digest']}").status_code == 404
    assert requests.head(f"{base}/v2/dst/blobs/{good['layers'][0]['digest']}").status_code == 404


def test_a_manifest_may_reference_only_blobs_of_its_own_repository(served):
    base, _ = served
    good = _image(base, "src")
    assert _error(_put(base, "dst", "v1", good)) == (400, "MANIFEST_BLOB_UNKNOWN")
    assert requests.get(f"{base}/v2/dst/manifests/v1").status_code == 404
    # as docker push does: mount the blobs from the repository that has them, then push the manifest
    for d in (good["config"]["digest"], good["layers"][0]["digest"]):
        r = requests.post(f"{base}/v2/dst/blobs/uploads/", params={"mount": d, "from": "src"})
        assert r.status_code == 201
    r = _put(base, "dst", "v1", good)
    assert r.status_code == 201, r.text
    # an index may name only manifests of its own repository
    child = r.headers["Docker-Content-Digest"]
    size = len(json.dumps(good).encode())
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "manifests": [{"mediaType": OCI_MANIFEST, "digest": child, "size": size}]}
    assert _error(_put(base, "third", "v1", index, OCI_INDEX)) == (400, "MANIFEST_BLOB_UNKNOWN")
    assert _put(base, "dst", "all", index, OCI_INDEX).status_code == 201
