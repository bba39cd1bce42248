"""The files commands through the CLI in-process (arguments, output shapes, exit codes), against an account row
written as account create writes it (no daemon needed: the commands work on the home's folders)."""

import pytest

ACCOUNT = "clifiles1"


@pytest.fixture
def env(home, monkeypatch):
    from azlocal.core import arm
    from azlocal.platform import secrets
    from azlocal.platform.store import store
    from azlocal.resources import groups
    from azlocal.storage import accounts

    groups.create("rg1", "eastus")
    rid = arm.resource_id("rg1", accounts.ACCOUNT_TYPE, ACCOUNT)
    store().put(accounts.document(rid, ACCOUNT, location="eastus", sku="Standard_LRS", kind="StorageV2",
                                  created=arm.utc_now()))
    secrets.set_secret(accounts._key_secret(rid, "key1"), "a2V5MQ==")
    secrets.set_secret(accounts._key_secret(rid, "key2"), "a2V5Mg==")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", accounts.connection_string(ACCOUNT, "a2V5MQ=="))
    for var in ("AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_AUTH_MODE"):
        monkeypatch.delenv(var, raising=False)
    return home


def test_share_commands_and_exit_codes(cli, env):
    first = cli("storage", "share", "create", "-n", "sh1")
    assert first.code == 0 and first.json() == {"created": True}, first
    assert cli("storage", "share", "create", "-n", "sh1").json() == {"created": False}
    r = cli("storage", "share", "create", "-n", "sh1", "--fail-on-exist")
    assert r.code == 1 and "ErrorCode:ShareAlreadyExists" in r.err
    assert "True" in cli("storage", "share", "exists", "-n", "sh1", "-o", "table").out
    assert cli("storage", "share", "update", "-n", "sh1", "--quota", "10").code == 0
    assert cli("storage", "share", "show", "-n", "sh1").json()["properties"]["quota"] == 10
    assert cli("storage", "share", "metadata", "update", "-n", "sh1", "--metadata", "a=1").json() == {"updated": True}
    assert cli("storage", "share", "metadata", "show", "-n", "sh1").json() == {"a": "1"}
    assert cli("storage", "share", "url", "-n", "sh1").json() == f"https://{ACCOUNT}.file.core.windows.net/sh1"
    assert cli("storage", "share", "url", "-n", "sh1", "--unc").json() == f"//{ACCOUNT}.file.core.windows.net/sh1"
    assert cli("storage", "share", "stats", "-n", "sh1").json() == "1"
    r = cli("storage", "share", "show", "-n", "nope")
    assert r.code == 3 and "ErrorCode:ShareNotFound" in r.err
    r = cli("storage", "share", "delete", "-n", "nope", "--fail-not-exist")
    assert r.code == 3
    assert cli("storage", "share", "delete", "-n", "nope").json() == {"deleted": False}
    r = cli("storage", "share", "create", "-n", "sh2", "--metadata", "novalue")
    assert r.code == 1 and not (env / "storage" / ACCOUNT / "files" / "sh2").exists()


def test_batch_commands_round_trip(cli, env, tmp_path):
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "top.txt").write_text("top")
    (src / "a" / "b" / "deep.md").write_text("deep")
    cli("storage", "share", "create", "-n", "sh1")
    r = cli("storage", "file", "upload-batch", "-d", "sh1", "-s", str(src), "--destination-path", "up")
    assert r.code == 0, r.err
    assert sorted(r.json()) == [f"https://{ACCOUNT}.file.core.windows.net/sh1/up/a/b/deep.md",
                                f"https://{ACCOUNT}.file.core.windows.net/sh1/up/top.txt"]
    dry = cli("storage", "file", "upload-batch", "-d", "sh1", "-s", str(src), "--pattern", "*.md", "--dryrun").json()
    assert [d["Type"] for d in dry] == ["text/markdown"]
    out = tmp_path / "out"
    r = cli("storage", "file", "download-batch", "-s", "sh1", "-d", str(out), "--pattern", "up/a/*")
    assert r.code == 0, r.err
    assert (out / "up" / "a" / "b" / "deep.md").read_text() == "deep" and not (out / "up" / "top.txt").exists()
    assert cli("storage", "file", "delete-batch", "-s", "sh1", "--pattern", "*.txt").code == 0
    names = [f["name"] for f in cli("storage", "file", "list", "-s", "sh1", "-p", "up").json()]
    assert names == ["a"]
    assert cli("storage", "directory", "list", "-s", "sh1", "-n", "up/a").json()[0]["name"] == "b"
    assert "b/" in cli("storage", "directory", "list", "-s", "sh1", "-n", "up/a", "-o", "table").out


def test_file_commands_metadata_url_and_errors(cli, env, tmp_path):
    src = tmp_path / "page.html"
    src.write_text("<p>hi</p>")
    cli("storage", "share", "create", "-n", "sh1")
    assert cli("storage", "directory", "create", "-s", "sh1", "-n", "web", "--metadata", "d=1").json() == \
        {"created": True}
    r = cli("storage", "file", "upload", "-s", "sh1", "--source", str(src), "-p", "web/")
    assert r.code == 0, r.err
    shown = cli("storage", "file", "show", "-s", "sh1", "-p", "web/page.html").json()
    assert shown["properties"]["contentSettings"]["contentType"] == "text/html"
    assert cli("storage", "file", "metadata", "update", "-s", "sh1", "-p", "web/page.html", "--metadata",
               "x=y").code == 0
    assert cli("storage", "file", "metadata", "show", "-s", "sh1", "-p", "web/page.html").json() == {"x": "y"}
    assert cli("storage", "directory", "metadata", "show", "-s", "sh1", "-n", "web").json() == {"d": "1"}
    assert cli("storage", "directory", "show", "-s", "sh1", "-n", "web").json()["name"] == "web"
    assert cli("storage", "file", "url", "-s", "sh1", "-p", "web/a b.html").json() == \
        f"https://{ACCOUNT}.file.core.windows.net/sh1/web/a%20b.html"
    r = cli("storage", "directory", "delete", "-s", "sh1", "-n", "web")
    assert r.code == 1 and "ErrorCode:DirectoryNotEmpty" in r.err
    assert cli("storage", "directory", "delete", "-s", "sh1", "-n", "gone").json() == {"deleted": False}
    assert cli("storage", "directory", "exists", "-s", "sh1", "-n", "web").json() == {"exists": True}
    r = cli("storage", "file", "download", "-s", "sh1", "-p", "web/none.html", "--dest", str(tmp_path / "x"))
    assert r.code == 3 and not (tmp_path / "x").exists()
    r = cli("storage", "file", "upload", "-s", "sh1", "--source", str(tmp_path / "missing.txt"))
    assert r.code == 1 and "No such file" in r.err
    r = cli("storage", "file", "list", "-s", "sh1", "--account-name", ACCOUNT, "--account-key", "eA==")
    assert r.code == 1 and "AuthenticationFailed" in r.err


def test_share_rm_commands(cli, env):
    base = ("-g", "rg1", "--storage-account", ACCOUNT)
    created = cli("storage", "share-rm", "create", *base, "-n", "rm-1", "--quota", "5", "--metadata", "a=b")
    assert created.code == 0, created.err
    doc = created.json()
    assert doc["shareQuota"] == 5 and doc["metadata"] == {"a": "b"} and doc["enabledProtocols"] == "SMB"
    assert doc["type"] == "Microsoft.Storage/storageAccounts/fileServices/shares"
    again = cli("storage", "share-rm", "create", *base, "-n", "rm-1")
    assert again.code == 1 and "ShareAlreadyExists" in again.err
    assert cli("storage", "share", "exists", "-n", "rm-1").json() == {"exists": True}  # one share, two views
    updated = cli("storage", "share-rm", "update", *base, "-n", "rm-1", "--quota", "7", "--access-tier", "Cool").json()
    assert updated["shareQuota"] == 7 and updated["accessTier"] == "Cool"
    assert cli("storage", "share-rm", "update", "--ids", doc["id"], "--set", "shareQuota=9").json()["shareQuota"] == 9
    assert [s["name"] for s in cli("storage", "share-rm", "list", *base).json()] == ["rm-1"]
    assert cli("storage", "share-rm", "exists", "--storage-account", ACCOUNT, "-n", "rm-1").json() == {"exists": True}
    assert cli("storage", "share-rm", "show", "--ids", doc["id"]).json()["name"] == "rm-1"
    missing = cli("storage", "share-rm", "show", *base, "-n", "nope")
    assert missing.code == 3 and "(ShareNotFound)" in missing.err
    assert cli("storage", "share-rm", "delete", *base, "-n", "rm-1", "--yes").code == 0
    assert cli("storage", "share-rm", "exists", "--storage-account", ACCOUNT, "-n", "rm-1").json() == \
        {"exists": False}


def test_login_needs_the_backup_intent_for_files(cli, env, monkeypatch):
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING")
    cli("storage", "share", "create", "-n", "sh1", "--account-name", ACCOUNT, "--account-key", "a2V5MQ==")
    r = cli("storage", "file", "list", "-s", "sh1", "--account-name", ACCOUNT, "--auth-mode", "login")
    assert r.code == 1 and "--enable-file-backup-request-intent is required" in r.err
    r = cli("storage", "file", "list", "-s", "sh1", "--account-name", ACCOUNT, "--auth-mode", "login",
            "--backup-intent")
    assert r.code == 0 and r.json() == []


def test_quota_limits_follow_large_file_shares(cli, env):
    r = cli("storage", "share", "create", "-n", "big", "--quota", "6000")
    assert r.code == 1 and "ErrorCode:InvalidHeaderValue" in r.err
    assert not (env / "storage" / ACCOUNT / "files" / "big").exists()
    r = cli("storage", "share-rm", "create", "-g", "rg1", "--storage-account", ACCOUNT, "-n", "big", "-q", "0")
    assert r.code == 1 and "InvalidRequestPropertyValue" in r.err
    assert cli("storage", "share", "create", "-n", "big").code == 0
    assert cli("storage", "share", "show", "-n", "big").json()["properties"]["quota"] == 5120


def test_share_rm_takes_the_account_by_resource_id(cli, env):
    from azlocal.storage import accounts

    rid = accounts.find(ACCOUNT)["id"]
    r = cli("storage", "share-rm", "create", "--storage-account", rid, "-n", "byid")
    assert r.code == 0, r.err
    assert r.json()["id"] == f"{rid}/fileServices/default/shares/byid"
    missing = cli("storage", "share-rm", "list", "-g", "rg1", "--storage-account", "nosuch1")
    assert missing.code == 3 and "Microsoft.Storage/storageAccounts/nosuch1" in missing.err
