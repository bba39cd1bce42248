"""Azure Files kept as folders: name rules, confinement, the sidecar, quota and the documents az prints
(no daemon, no Docker: shares and files take an account name and work on the home directly)."""

import os

import pytest

from azlocal.storage.storage_errors import StorageError

ACCOUNT = "acct1"


@pytest.fixture
def share(home):
    from azlocal.storage import shares

    assert shares.create(ACCOUNT, "share1", quota=1, metadata={"a": "1"}) is True
    return "share1"


@pytest.fixture
def local(tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello world\n")
    return path


@pytest.mark.parametrize("path", ["../x", "a/../../x", "a/./b", "bad:name", "star*", 'q"uote', "a|b", "ctl\x01",
                                  "x" * 256, "a/" * 251 + "b", ""])
def test_names_that_break_azures_rules_are_invalid_resource_names(path):
    from azlocal.storage import paths

    with pytest.raises(StorageError) as info:
        paths.split_path(path)
    assert info.value.code == "InvalidResourceName" and info.value.status == 400


def test_backslashes_separate_segments_as_in_azure():
    from azlocal.storage import paths

    assert paths.split_path("a\\b/c.txt") == ["a", "b", "c.txt"]


@pytest.mark.parametrize("name", ["ab", "UPPER", "a--b", "-ab", "ab-", "a" * 64, "a/b", ".."])
def test_share_names_follow_azures_rule(home, name):
    from azlocal.core.errors import ValidationError
    from azlocal.storage import shares

    with pytest.raises(ValidationError):
        shares.create(ACCOUNT, name)
    assert not (home / "storage" / ACCOUNT / "files").exists() or not list((home / "storage" / ACCOUNT /
                                                                           "files").iterdir())


def test_sidecar_is_outside_the_share_folder(home, share):
    from azlocal.storage import paths

    folder = paths.share_dir(ACCOUNT, share)
    meta = paths.share_meta(ACCOUNT, share)
    assert meta.is_file() and folder not in meta.parents
    assert list(folder.iterdir()) == []


def test_create_twice_reports_false_and_keeps_the_first(share):
    from azlocal.storage import shares

    assert shares.create(ACCOUNT, share, quota=7) is False
    assert shares.share_properties(ACCOUNT, share)["properties"]["quota"] == 1


def test_upload_show_list_download_round_trip(share, local, tmp_path):
    from azlocal.storage import files, paths

    files.create_directory(ACCOUNT, share, "dir1", metadata={"k": "v"})
    reply = files.upload(ACCOUNT, share, "dir1/hello.txt", local, content_settings={"contentType": "text/plain"},
                         metadata={"m": "1"})
    assert reply["etag"].startswith('"0x8D') and reply["content_md5"].startswith("0x")
    assert (paths.share_dir(ACCOUNT, share) / "dir1" / "hello.txt").read_bytes() == b"hello world\n"
    show = files.file_show(ACCOUNT, share, "dir1/hello.txt")
    assert show["properties"]["contentLength"] == 12 and show["metadata"] == {"m": "1"}
    assert show["properties"]["contentSettings"]["contentType"] == "text/plain"
    assert (show["name"], show["path"], show["share"]) == ("hello.txt", "dir1/hello.txt", share)
    root = files.list_items(ACCOUNT, share)
    assert [(r["name"], r["type"]) for r in root] == [("dir1", "dir")]
    inner = files.list_items(ACCOUNT, share, "dir1")
    assert inner[0]["type"] == "file" and inner[0]["properties"]["contentLength"] == 12
    out = tmp_path / "out.bin"
    files.download(ACCOUNT, share, "dir1/hello.txt", out, start=0, end=4)
    assert out.read_bytes() == b"hello"
    assert files.directory_show(ACCOUNT, share, "dir1")["metadata"] == {"k": "v"}


def test_a_file_a_container_wrote_is_listed_without_a_sidecar_entry(share):
    from azlocal.storage import files, paths

    (paths.share_dir(ACCOUNT, share) / "from-container.log").write_text("x")
    assert files.file_show(ACCOUNT, share, "from-container.log")["metadata"] == {}


def test_symlinks_out_of_the_share_are_neither_listed_nor_followed(share, tmp_path):
    from azlocal.core.safepath import PathEscape
    from azlocal.storage import files, paths

    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, paths.share_dir(ACCOUNT, share) / "link.txt")
    assert files.list_items(ACCOUNT, share) == []
    with pytest.raises((PathEscape, StorageError)):
        files.file_show(ACCOUNT, share, "link.txt")


def test_upload_needs_the_parent_and_the_share(share, local):
    from azlocal.storage import files

    with pytest.raises(StorageError) as info:
        files.upload(ACCOUNT, share, "nodir/x.txt", local)
    assert info.value.code == "ParentNotFound" and info.value.exit_code == 3
    with pytest.raises(StorageError) as info:
        files.upload(ACCOUNT, "noshare", "x.txt", local)
    assert info.value.code == "ShareNotFound"


def test_quota_is_enforced_and_a_refused_upload_writes_nothing(share, tmp_path):
    from azlocal.storage import files, paths, shares

    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(1024 ** 3 + 1)  # sparse: one byte more than the 1 GiB quota
    with pytest.raises(StorageError) as info:
        files.upload(ACCOUNT, share, "big.bin", big)
    assert info.value.code == "ShareSizeLimitReached"
    assert list(paths.share_dir(ACCOUNT, share).iterdir()) == []
    assert shares.load(ACCOUNT, share)["entries"] == {}


def test_directory_rules(share, local):
    from azlocal.storage import files

    assert files.create_directory(ACCOUNT, share, "d") is True
    assert files.create_directory(ACCOUNT, share, "d") is False
    files.upload(ACCOUNT, share, "d/f.txt", local)
    with pytest.raises(StorageError) as info:
        files.delete_directory(ACCOUNT, share, "d")
    assert info.value.code == "DirectoryNotEmpty"
    with pytest.raises(StorageError) as info:
        files.create_directory(ACCOUNT, share, "x/y")
    assert info.value.code == "ParentNotFound"
    files.delete_file(ACCOUNT, share, "d/f.txt")
    files.delete_directory(ACCOUNT, share, "d")
    assert files.exists(ACCOUNT, share, "d", kind="dir") is False


def test_metadata_replace_and_share_delete(share, local):
    from azlocal.storage import files, paths, shares

    files.upload(ACCOUNT, share, "f.txt", local, metadata={"a": "1"})
    files.set_metadata(ACCOUNT, share, "f.txt", {"b": "2"}, kind="file")
    assert files.metadata(ACCOUNT, share, "f.txt", kind="file") == {"b": "2"}
    assert shares.delete(ACCOUNT, share) is True
    assert not paths.share_dir(ACCOUNT, share).exists() and not paths.share_meta(ACCOUNT, share).exists()
    assert shares.delete(ACCOUNT, share) is False


def test_share_documents(share):
    from azlocal.storage import shares

    shown = shares.share_properties(ACCOUNT, share)
    assert shown["metadata"] == {"a": "1"} and shown["protocols"] == ["SMB"]
    assert set(shown["properties"]) == {"etag", "lastModified", "quota"}
    doc = {"name": ACCOUNT, "id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Storage/"
                                  "storageAccounts/acct1"}
    arm = shares.arm_document(doc, share, stats=True)
    assert arm["id"].endswith("/fileServices/default/shares/share1")
    assert arm["shareQuota"] == 1 and arm["shareUsageBytes"] == 0 and arm["resourceGroup"] == "rg1"
    assert None not in arm.values()


def test_table_transformers():
    from azlocal.storage import _format

    rows = _format.file_table([
        {"name": "b.txt", "type": "file", "properties": {"contentLength": 3, "lastModified": "t"}},
        {"name": "a", "type": "dir", "properties": {"lastModified": "t"}}])
    assert [r["Name"] for r in rows] == ["a/", "b.txt"] and rows[0]["Content Length"] == " "
    assert _format.boolean_table({"created": True}) == {"created": "True"}


def test_share_list_items_are_flat_as_the_sdk_lists_them(share):
    from azlocal.storage import _format, shares

    item = shares.list_item(ACCOUNT, share)
    assert item["quota"] == 1 and "properties" not in item and item["metadata"] is None
    assert _format.share_list_table([item])[0]["Quota"] == 1


@pytest.mark.parametrize("name, code", [("ab", "OutOfRangeInput"), ("a" * 64, "OutOfRangeInput"),
                                        ("Upper", "InvalidResourceName"), ("a--b", "InvalidResourceName"),
                                        ("../x", "InvalidResourceName")])
def test_data_plane_share_names_fail_as_the_service_answers(name, code):
    from azlocal.storage import shares

    with pytest.raises(StorageError) as info:
        shares.check_name(name)
    assert info.value.code == code and info.value.status == 400


def test_names_are_case_insensitive_and_case_preserving(share, local):
    from azlocal.storage import files, paths

    files.create_directory(ACCOUNT, share, "Docs")
    assert files.create_directory(ACCOUNT, share, "docs") is False
    files.upload(ACCOUNT, share, "docs/Read.ME", local)
    files.upload(ACCOUNT, share, "DOCS/read.me", local, metadata={"v": "2"})
    assert [p.name for p in (paths.share_dir(ACCOUNT, share) / "Docs").iterdir()] == ["Read.ME"]
    assert files.file_show(ACCOUNT, share, "docs/READ.me")["metadata"] == {"v": "2"}


def test_an_uploads_temporary_file_is_not_listed(share):
    from azlocal.storage import files, paths

    (paths.share_dir(ACCOUNT, share) / ".azlocal-upload-x1").write_text("partial")
    assert files.list_items(ACCOUNT, share) == [] and files.walk_files(ACCOUNT, share) == []


def test_file_changes_do_not_move_the_shares_etag(share, local):
    from azlocal.storage import files, shares

    before = shares.share_properties(ACCOUNT, share)["properties"]
    files.upload(ACCOUNT, share, "f.txt", local)
    assert shares.share_properties(ACCOUNT, share)["properties"] == before


def test_parallel_uploads_keep_every_files_metadata(share, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from azlocal.storage import files, shares

    sources = []
    for i in range(12):
        path = tmp_path / f"f{i}.txt"
        path.write_text(str(i))
        sources.append(path)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda p: files.upload(ACCOUNT, share, p.name, p, metadata={"n": p.stem}), sources))
    entries = shares.load(ACCOUNT, share)["entries"]
    assert {k: v["metadata"]["n"] for k, v in entries.items()} == {p.name: p.stem for p in sources}
