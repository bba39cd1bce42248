"""az storage account and Azure Files end to end, through the real `az` entry point as a subprocess: the account's
daemon is really started, the share is really a folder, the bytes really round-trip."""

import pytest

pytestmark = pytest.mark.integration

GROUP = "st-rg"
ACCOUNT = "azlocalstfiles1"


@pytest.fixture
def account(az, home):
    assert az("group", "create", "-n", GROUP, "-l", "eastus", "-o", "none").code == 0
    r = az("storage", "account", "create", "-n", ACCOUNT, "-g", GROUP, "--sku", "Standard_LRS")
    assert r.code == 0, r.err
    yield r.json()
    az("group", "delete", "-n", GROUP, "--yes")


def _key(az, which=0):
    r = az("storage", "account", "keys", "list", "-n", ACCOUNT, "-g", GROUP)
    assert r.code == 0, r.err
    return r.json()[which]["value"]


def _share_folder(home, share="share1"):
    return home / "storage" / ACCOUNT / "files" / share


def test_account_share_file_round_trip_with_a_connection_string(az, home, account, tmp_path):
    assert account["primaryEndpoints"]["file"] == f"https://{ACCOUNT}.file.core.windows.net/"
    assert account["sku"] == {"name": "Standard_LRS", "tier": "Standard"} and account["secondaryLocation"] is None
    key = _key(az)
    r = az("storage", "share", "create", "-n", "share1", "--account-name", ACCOUNT, "--account-key", key,
           "--quota", "1", "--metadata", "team=a")
    assert r.code == 0 and r.json() == {"created": True}, r.err
    cs = az("storage", "account", "show-connection-string", "-n", ACCOUNT, "-g", GROUP).json()["connectionString"]
    assert cs.startswith(f"DefaultEndpointsProtocol=https;EndpointSuffix=core.windows.net;AccountName={ACCOUNT};"
                         f"AccountKey={key};BlobEndpoint=")
    az.env["AZURE_STORAGE_CONNECTION_STRING"] = cs
    source = tmp_path / "data.bin"
    source.write_bytes(bytes(range(256)) * 100)
    assert az("storage", "directory", "create", "-s", "share1", "-n", "site").json() == {"created": True}
    r = az("storage", "file", "upload", "-s", "share1", "--source", str(source), "-p", "site/data.bin",
           "--metadata", "k=v")
    assert r.code == 0, r.err
    assert (_share_folder(home) / "site" / "data.bin").read_bytes() == source.read_bytes()  # what ACI mounts
    listed = az("storage", "file", "list", "-s", "share1", "-p", "site").json()
    assert [(f["name"], f["type"], f["properties"]["contentLength"]) for f in listed] == [("data.bin", "file",
                                                                                           25600)]
    shown = az("storage", "file", "show", "-s", "share1", "-p", "site/data.bin").json()
    assert shown["metadata"] == {"k": "v"} and shown["properties"]["contentLength"] == 25600
    table = az("storage", "file", "list", "-s", "share1", "-o", "table").out
    assert "site/" in table and "dir" in table
    out = tmp_path / "out.bin"
    r = az("storage", "file", "download", "-s", "share1", "-p", "site/data.bin", "--dest", str(out))
    assert r.code == 0, r.err
    assert out.read_bytes() == source.read_bytes()
    rm = az("storage", "share-rm", "show", "-g", GROUP, "--storage-account", ACCOUNT, "-n", "share1").json()
    assert rm["shareQuota"] == 1 and rm["name"] == "share1"
    assert az("storage", "share-rm", "stats", "-g", GROUP, "--storage-account", ACCOUNT, "-n",
              "share1").json() == 25600
    assert az("storage", "file", "delete", "-s", "share1", "-p", "site/data.bin").json() == {"deleted": True}
    assert az("storage", "file", "exists", "-s", "share1", "-p", "site/data.bin").json() == {"exists": False}
    r = az("storage", "file", "show", "-s", "share1", "-p", "site/data.bin")
    assert r.code == 3 and "ErrorCode:ResourceNotFound" in r.err
    assert az("storage", "share", "delete", "-n", "share1").json() == {"deleted": True}
    assert not _share_folder(home).exists()


def test_bad_credentials_and_bad_names_change_nothing(az, home, account, tmp_path):
    key = _key(az)
    assert az("storage", "share", "create", "-n", "share1", "--account-name", ACCOUNT, "--account-key",
              key).code == 0
    source = tmp_path / "x.txt"
    source.write_text("x")
    wrong = az("storage", "file", "upload", "-s", "share1", "--source", str(source), "--account-name", ACCOUNT,
               "--account-key", "d3Jvbmcga2V5")
    assert wrong.code == 1 and "ErrorCode:AuthenticationFailed" in wrong.err
    for path in ("../escape.txt", "a/../../escape.txt", "bad:name.txt", "..\\escape.txt"):
        r = az("storage", "file", "upload", "-s", "share1", "--source", str(source), "-p", path,
               "--account-name", ACCOUNT, "--account-key", key)
        assert r.code == 1 and "ErrorCode:InvalidResourceName" in r.err, (path, r)
    r = az("storage", "share", "create", "-n", "../evil", "--account-name", ACCOUNT, "--account-key", key)
    assert r.code == 1 and "ErrorCode:InvalidResourceName" in r.err
    assert list(_share_folder(home).iterdir()) == []
    assert not (home / "storage" / ACCOUNT / "escape.txt").exists()
    assert sorted(p.name for p in (home / "storage" / ACCOUNT / "files").iterdir()) == ["share1"]
    missing = az("storage", "file", "upload", "-s", "noshare", "--source", str(source), "--account-name", ACCOUNT,
                 "--account-key", key)
    assert missing.code == 3 and "ErrorCode:ShareNotFound" in missing.err


def test_renewed_key_and_shared_key_off_are_refused_and_group_delete_cleans_up(az, home, account):
    old = _key(az)
    assert az("storage", "account", "keys", "renew", "-n", ACCOUNT, "-g", GROUP, "--key", "key1",
              "-o", "none").code == 0
    r = az("storage", "share", "create", "-n", "share2", "--account-name", ACCOUNT, "--account-key", old)
    assert r.code == 1 and "ErrorCode:AuthenticationFailed" in r.err
    assert not _share_folder(home, "share2").exists()
    assert az("storage", "share", "create", "-n", "share2", "--account-name", ACCOUNT, "--account-key",
              _key(az)).code == 0
    r = az("storage", "account", "update", "-n", ACCOUNT, "-g", GROUP, "--allow-shared-key-access", "false")
    assert r.code == 0 and r.json()["allowSharedKeyAccess"] is False
    r = az("storage", "directory", "create", "-s", "share2", "-n", "d", "--account-name", ACCOUNT,
           "--account-key", _key(az))
    assert r.code == 1 and "KeyBasedAuthenticationNotPermitted" in r.err
    assert az("storage", "directory", "create", "-s", "share2", "-n", "d", "--account-name", ACCOUNT,
              "--auth-mode", "login", "--backup-intent").json() == {"created": True}
    taken = az("group", "create", "-n", "st-rg2", "-l", "eastus", "-o", "none")
    assert taken.code == 0
    r = az("storage", "account", "create", "-n", ACCOUNT, "-g", "st-rg2")
    assert r.code == 1 and "StorageAccountAlreadyTaken" in r.err
    from azlocal.platform import secrets

    assert len(secrets.list_keys("storage/")) >= 2  # key1 and key2 (and their times) while the account lives
    assert az("group", "delete", "-n", GROUP, "--yes").code == 0
    assert not (home / "storage" / ACCOUNT).exists()
    r = az("storage", "account", "show", "-n", ACCOUNT, "-g", "st-rg2")
    assert r.code == 3 and "(ResourceNotFound)" in r.err
    assert secrets.list_keys("storage/") == []  # the account's keys went with it


def test_a_container_sees_an_uploaded_file_and_its_writes_are_files_of_the_share(az, home, account, tmp_path):
    import time

    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    key = _key(az)
    creds = ("--account-name", ACCOUNT, "--account-key", key)
    assert az("storage", "share-rm", "create", "-g", GROUP, "--storage-account", ACCOUNT, "-n", "share1",
              "-o", "none").code == 0
    page = tmp_path / "index.html"
    page.write_text("<h1>uploaded</h1>")
    assert az("storage", "file", "upload", "-s", "share1", "--source", str(page), *creds, "-o", "none").code == 0
    r = az("container", "create", "-g", GROUP, "-n", "reader", "--image", "azlocal/busybox:latest",
           "--restart-policy", "Never", "--command-line",
           "sh -c 'cat /mnt/files/index.html; echo from-container > /mnt/files/out.txt'",
           "--azure-file-volume-account-name", ACCOUNT, "--azure-file-volume-account-key", key,
           "--azure-file-volume-share-name", "share1", "--azure-file-volume-mount-path", "/mnt/files")
    assert r.code == 0, r.err
    deadline = time.time() + 60
    while time.time() < deadline:
        state = az("container", "show", "-g", GROUP, "-n", "reader", "--query", "instanceView.state", "-o", "tsv")
        if state.out.strip() in ("Succeeded", "Failed"):
            break
        time.sleep(0.5)
    assert "<h1>uploaded</h1>" in az("container", "logs", "-g", GROUP, "-n", "reader").out
    names = [f["name"] for f in az("storage", "file", "list", "-s", "share1", *creds).json()]
    assert names == ["index.html", "out.txt"]
    out = tmp_path / "out.txt"
    assert az("storage", "file", "download", "-s", "share1", "-p", "out.txt", "--dest", str(out), *creds,
              "-o", "none").code == 0
    assert out.read_text().strip() == "from-container"
