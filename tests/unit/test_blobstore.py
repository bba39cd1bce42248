"""The Blob store: names never become paths, every write is one commit, and the rules Azure applies."""

import base64
import os
import time

import pytest

from azlocal.storage.blobstore import BlobStore
from azlocal.storage.storage_errors import StorageError


@pytest.fixture
def store(tmp_path):
    s = BlobStore("acct", root=tmp_path / "blobs")
    s.create_container("box")
    yield s
    s.close()


def put(store, name, data, **kw):
    upload = store.new_upload()
    upload.write(data)
    return store.put_blob("box", name, upload, **kw)


def read(store, name):
    doc, f = store.open_blob("box", name)
    with f:
        return f.read(doc["size"])


def files(store):
    out = []
    for folder in ("data", "blocks", "staging"):
        for dirpath, _, names in os.walk(os.path.join(store.root, folder)):
            out += names
    return sorted(out)


def bid(n):
    return base64.b64encode(f"{n:06d}".encode()).decode()


def test_names_are_never_paths(store, tmp_path):
    for name in ("../../escape", "/abs/path", "a/b/c.txt", "dots/../..", "ü n i c o d e ?#"):
        put(store, name, name.encode())
        assert read(store, name) == name.encode()
    assert not (tmp_path / "escape").exists() and not os.path.exists("/abs/path")
    assert all(len(f) == 32 for f in files(store))  # content files are named by random ids only
    with pytest.raises(StorageError) as ex:
        store.create_container("../up")
    assert ex.value.code == "InvalidResourceName"


def test_failed_writes_leave_nothing(store):
    upload = store.new_upload()
    upload.write(b"data")
    with pytest.raises(StorageError) as ex:
        store.put_blob("box", "x", upload, content_md5=base64.b64encode(b"0" * 16).decode())
    assert ex.value.code == "Md5Mismatch"
    upload = store.new_upload()
    upload.write(b"data")
    with pytest.raises(StorageError) as ex:
        store.put_blob("nobox", "x", upload)
    assert ex.value.code == "ContainerNotFound"
    assert files(store) == [] and not store.blob_exists("box", "x")
    put(store, "x", b"one")
    with pytest.raises(StorageError) as ex:
        put(store, "x", b"two", overwrite=False)
    assert ex.value.code == "BlobAlreadyExists"
    assert read(store, "x") == b"one" and len(files(store)) == 1


def test_blocks_commit_reuse_and_discard(store):
    for n, data in enumerate((b"aa", b"bb", b"cc")):
        upload = store.new_upload()
        upload.write(data)
        store.stage_block("box", "big", bid(n), upload)
    assert [b for b, _ in store.block_list("box", "big", "uncommitted")["uncommitted"]] == [bid(0), bid(1), bid(2)]
    store.commit_blocks("box", "big", [("latest", bid(2)), ("latest", bid(0))])
    assert read(store, "big") == b"ccaa"
    assert store.block_list("box", "big", "all") == {"committed": [(bid(2), 2), (bid(0), 2)], "uncommitted": []}
    upload = store.new_upload()
    upload.write(b"dd")
    store.stage_block("box", "big", bid(3), upload)
    store.commit_blocks("box", "big", [("committed", bid(0)), ("uncommitted", bid(3))])
    assert read(store, "big") == b"aadd"
    with pytest.raises(StorageError) as ex:
        store.commit_blocks("box", "big", [("uncommitted", bid(9))])
    assert ex.value.code == "InvalidBlockList"
    assert read(store, "big") == b"aadd" and len(files(store)) == 1


def test_conditions_and_leases(store):
    doc = put(store, "x", b"v1")
    put(store, "x", b"v2", conditions={"if_match": doc["etag"]}, overwrite=True)
    with pytest.raises(StorageError) as ex:
        put(store, "x", b"v3", conditions={"if_match": doc["etag"]})
    assert ex.value.code == "ConditionNotMet" and ex.value.status == 412
    current = store.blob("box", "x")
    with pytest.raises(StorageError) as ex:
        store.blob("box", "x", conditions={"if_none_match": current["etag"]})
    assert ex.value.status == 304
    with pytest.raises(StorageError) as ex:
        store.blob("box", "x", conditions={"if_modified_since": time.time() + 60})
    assert ex.value.status == 304
    lease = store.blob_lease("box", "x", "acquire", duration=15)["lease_id"]
    for kwargs in ({}, {"lease_id": "00000000-0000-0000-0000-000000000000"}):
        with pytest.raises(StorageError) as ex:
            store.delete_blob("box", "x", **kwargs)
        assert ex.value.code in ("LeaseIdMissing", "LeaseIdMismatchWithBlobOperation")
    with pytest.raises(StorageError) as ex:
        store.blob_lease("box", "x", "acquire", duration=15)
    assert ex.value.code == "LeaseAlreadyPresent"
    assert store.blob("box", "x")["lease"]["state"] == "leased"
    assert store.set_blob("box", "x", metadata={"held": "yes"}, lease_id=lease)["metadata"] == {"held": "yes"}
    store.blob_lease("box", "x", "break", break_period=0)
    store.delete_blob("box", "x")
    assert files(store) == []


def test_append_listing_and_container_delete(store):
    put(store, "log", b"", blob_type="AppendBlob")
    for part in (b"one,", b"two"):
        upload = store.new_upload()
        upload.write(part)
        store.append_block("box", "log", upload)
    assert read(store, "log") == b"one,two"
    with pytest.raises(StorageError) as ex:
        upload = store.new_upload()
        upload.write(b"x")
        store.append_block("box", "log", upload, max_size=7)
    assert ex.value.status == 412 and read(store, "log") == b"one,two"
    for name in ("a/1", "a/2", "b", "c/d/e"):
        put(store, name, b"x")
    items, marker = store.list_blobs("box", delimiter="/")
    assert [i["name"] for i in items] == ["a/", "b", "c/", "log"] and marker is None
    page, marker = store.list_blobs("box", max_results=2)
    assert [i["name"] for i in page] == ["a/1", "a/2"] and marker == "b"
    page, marker = store.list_blobs("box", marker=marker, max_results=2)
    assert [i["name"] for i in page] == ["b", "c/d/e"]
    assert [c["name"] for c in store.list_containers(prefix="bo")[0]] == ["box"]
    store.set_container("box", metadata={"k": "v"})
    assert store.container("box")["metadata"] == {"k": "v"}
    store.delete_container("box")
    assert files(store) == [] and store.list_containers() == ([], None)


def test_stale_uploads_are_swept(store):
    left = os.path.join(store.root, "staging", "0" * 32)
    with open(left, "wb") as f:
        f.write(b"killed mid-upload")
    os.utime(left, (time.time() - 2 * 86400,) * 2)
    fresh = store.new_upload()
    assert not os.path.exists(left) and os.path.exists(fresh.path)
    fresh.abort()
