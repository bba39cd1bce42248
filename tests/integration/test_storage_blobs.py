"""az storage container|blob round trips, SAS from the CLI used by the data plane and the SDK, public access
over curl, and bad input that changes nothing (no partial blobs after a refused or dropped upload)."""

import json
import os
import socket
import ssl
import subprocess

import pytest

pytestmark = pytest.mark.integration

SA = "azlblobcli"


@pytest.fixture
def sa(az, home):
    assert az("group", "create", "-n", "blobcli-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("storage", "account", "create", "-n", SA, "-g", "blobcli-rg", "-o", "none")
    assert r.code == 0, r.err
    yield SA
    az("group", "delete", "-n", "blobcli-rg", "--yes")


def _files(home):
    """Every file under the account's blob data except the index (content, staged blocks, uploads)."""
    root = home / "storage" / SA / "blobs"
    out = []
    for folder in ("data", "blocks", "staging"):
        for dirpath, _, names in os.walk(root / folder):
            out += [os.path.join(dirpath, n) for n in names]
    return sorted(out)


def test_container_and_blob_round_trips(az, sa, home, tmp_path):
    acct = ["--account-name", sa]
    r = az("storage", "container", "create", "-n", "docs", *acct, "--metadata", "team=blue")
    assert r.code == 0, r.err
    assert r.json() == {"created": True}
    assert "query for account key" in r.err  # az's warning when only the account name is given
    assert az("storage", "container", "create", "-n", "docs", *acct).json() == {"created": False}
    r = az("storage", "container", "create", "-n", "docs", *acct, "--fail-on-exist")
    assert r.code == 1 and "ErrorCode:ContainerAlreadyExists" in r.err
    assert az("storage", "container", "exists", "-n", "docs", *acct).json() == {"exists": True}
    shown = az("storage", "container", "show", "-n", "docs", *acct).json()
    assert shown["metadata"] == {"team": "blue"} and shown["properties"]["lease"]["status"] == "unlocked"
    r = az("storage", "container", "show", "-n", "nope", *acct)
    assert r.code == 3 and "The specified container does not exist." in r.err
    assert [c["name"] for c in az("storage", "container", "list", *acct).json()] == ["docs"]
    assert az("storage", "container", "metadata", "update", "-n", "docs", *acct, "--metadata", "a=1").code == 0
    assert az("storage", "container", "metadata", "show", "-n", "docs", *acct).json() == {"a": "1"}
    assert az("storage", "container", "show-permission", "-n", "docs", *acct).json() == {"publicAccess": "off"}

    src = tmp_path / "notes.txt"
    src.write_text("hello from the cli\n")
    r = az("storage", "blob", "upload", *acct, "-c", "docs", "-f", str(src), "-n", "a/notes.txt")
    assert r.code == 0, r.err
    up = r.json()
    assert up["etag"].startswith('"0x') and up["lastModified"] and up["content_md5"]
    r = az("storage", "blob", "upload", *acct, "-c", "docs", "-f", str(src), "-n", "a/notes.txt")
    assert r.code == 1 and "ErrorCode:BlobAlreadyExists" in r.err and "--overwrite" in r.err
    src.write_text("second version\n")
    assert az("storage", "blob", "upload", *acct, "-c", "docs", "-f", str(src), "-n", "a/notes.txt",
              "--overwrite").code == 0
    show = az("storage", "blob", "show", *acct, "-c", "docs", "-n", "a/notes.txt").json()
    assert show["properties"]["contentLength"] == 15
    assert show["properties"]["contentSettings"]["contentType"] == "text/plain"
    out = tmp_path / "out.txt"
    r = az("storage", "blob", "download", *acct, "-c", "docs", "-n", "a/notes.txt", "-f", str(out))
    assert r.code == 0, r.err
    assert out.read_text() == "second version\n"
    assert az("storage", "blob", "upload", *acct, "-c", "docs", "--data", "inline", "-n", "b.txt").code == 0
    table = az("storage", "blob", "list", *acct, "-c", "docs", "-o", "table")
    assert "a/notes.txt" in table.out and "BlockBlob" in table.out
    names = [b["name"] for b in az("storage", "blob", "list", *acct, "-c", "docs", "--delimiter", "/").json()]
    assert sorted(names) == ["a/", "b.txt"]
    assert az("storage", "blob", "metadata", "update", *acct, "-c", "docs", "-n", "b.txt", "--metadata",
              "k=v").code == 0
    assert az("storage", "blob", "metadata", "show", *acct, "-c", "docs", "-n", "b.txt").json() == {"k": "v"}
    assert az("storage", "blob", "update", *acct, "-c", "docs", "-n", "b.txt", "--content-type",
              "text/csv").code == 0
    assert az("storage", "blob", "show", *acct, "-c", "docs", "-n", "b.txt", "--query",
              "properties.contentSettings.contentType", "-o", "tsv").out.strip() == "text/csv"
    assert az("storage", "blob", "url", *acct, "-c", "docs", "-n", "a/notes.txt", "-o", "tsv").out.strip() == \
        f"https://{sa}.blob.core.windows.net/docs/a/notes.txt"
    r = az("storage", "blob", "show", *acct, "-c", "docs", "-n", "missing")
    assert r.code == 3 and "ErrorCode:BlobNotFound" in r.err

    # batches
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<h1>hi</h1>")
    (site / "css" / "main.css").write_text("h1{}")
    r = az("storage", "blob", "upload-batch", *acct, "-d", "docs", "-s", str(site), "--destination-path", "web")
    assert r.code == 0, r.err
    assert sorted(e["Blob"].rsplit("/docs/", 1)[1] for e in r.json()) == ["web/css/main.css", "web/index.html"]
    back = tmp_path / "back"
    back.mkdir()
    r = az("storage", "blob", "download-batch", *acct, "-s", "docs", "-d", str(back), "--pattern", "web/*")
    assert r.code == 0, r.err
    assert (back / "web" / "css" / "main.css").read_text() == "h1{}"
    assert az("storage", "blob", "delete-batch", *acct, "-s", "docs", "--pattern", "web/*").code == 0
    assert sorted(b["name"] for b in az("storage", "blob", "list", *acct, "-c", "docs").json()) == \
        ["a/notes.txt", "b.txt"]
    assert az("storage", "blob", "delete", *acct, "-c", "docs", "-n", "b.txt").code == 0
    assert az("storage", "blob", "exists", *acct, "-c", "docs", "-n", "b.txt").json() == {"exists": False}
    assert az("storage", "container", "delete", "-n", "docs", *acct).json() == {"deleted": True}
    assert _files(home) == []


def test_bad_input_changes_nothing(az, sa, home, tmp_path):
    acct = ["--account-name", sa]
    assert az("storage", "container", "create", "-n", "keep", *acct).code == 0
    before = _files(home)
    src = tmp_path / "x.bin"
    src.write_bytes(b"x" * 1000)
    r = az("storage", "blob", "upload", *acct, "-c", "nosuch", "-f", str(src), "-n", "x.bin")
    assert r.code == 3 and "ContainerNotFound" in r.err
    r = az("storage", "container", "create", "-n", "Bad_Name", *acct)
    assert r.code == 1 and "InvalidResourceName" in r.err
    r = az("storage", "blob", "upload", *acct, "-c", "keep", "-f", str(src), "-n", "x.bin", "--account-key",
           "d3Jvbmc=")
    assert r.code == 1 and "AuthenticationFailed" in r.err
    r = az("storage", "container", "create", "-n", "pub", *acct, "--public-access", "blob")
    assert r.code == 1 and "PublicAccessNotPermitted" in r.err
    r = az("storage", "blob", "upload", *acct, "-c", "keep", "-n", "x.bin")
    assert r.code == 1 and "--file" in r.err
    assert _files(home) == before
    assert az("storage", "blob", "list", *acct, "-c", "keep").json() == []
    assert [c["name"] for c in az("storage", "container", "list", *acct).json()] == ["keep"]

    # a connection dropped in the middle of a Put Blob leaves no blob and no file
    key = az("storage", "account", "keys", "list", "-n", sa, "-g", "blobcli-rg", "--query", "[0].value",
             "-o", "tsv").out.strip()
    from azure.storage.blob import generate_container_sas

    token = generate_container_sas(sa, "keep", account_key=key, permission="rwl", expiry="2030-01-01")
    host = f"{sa}.blob.core.windows.net"
    with socket.create_connection((host, 80), timeout=10) as conn:
        conn.sendall((f"PUT /keep/dropped.bin?{token} HTTP/1.1\r\nHost: {host}\r\nx-ms-version: 2021-08-06\r\n"
                      "x-ms-blob-type: BlockBlob\r\nContent-Length: 10000000\r\n\r\n").encode() + b"y" * 300000)
    r = az("storage", "blob", "exists", *acct, "-c", "keep", "-n", "dropped.bin")
    assert r.json() == {"exists": False}
    import time

    for _ in range(50):  # the daemon notices the closed connection and aborts the upload
        if _files(home) == before:
            break
        time.sleep(0.1)
    assert _files(home) == before


def test_cli_sas_works_with_the_data_plane_the_sdk_and_the_cli(az, sa, tmp_path):
    acct = ["--account-name", sa]
    assert az("storage", "container", "create", "-n", "transfer", *acct).code == 0
    r = az("storage", "container", "generate-sas", "--name", "transfer", "--account-name", sa, "--expiry",
           "2027-01-01", "--permissions", "alrw", "--https-only", "--output", "tsv")
    assert r.code == 0, r.err
    token = r.out.strip()
    assert "sp=rawl" in token and "spr=https" in token and "sr=c" in token

    from azure.storage.blob import ContainerClient

    ca = os.environ["AZLOCAL_HOME"] + "/ca.crt"
    bundle = tmp_path / "bundle.pem"
    system = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    bundle.write_text(open(system).read() + "\n" + open(ca).read())
    client = ContainerClient(f"https://{sa}.blob.core.windows.net", "transfer", credential=token,
                             connection_verify=str(bundle))
    client.upload_blob("from-sdk.txt", b"sdk with cli sas")
    r = az("storage", "blob", "list", "--account-name", sa, "--container-name", "transfer", "--sas-token", token,
           "--output", "json")
    assert r.code == 0, r.err
    assert [b["name"] for b in r.json()] == ["from-sdk.txt"]
    r = az("storage", "blob", "delete", *acct, "-c", "transfer", "-n", "from-sdk.txt", "--sas-token", token)
    assert r.code == 1 and "AuthorizationPermissionMismatch" in r.err
    # over plain HTTP the https-only token is refused
    r = subprocess.run(["curl", "-s", f"http://{sa}.blob.core.windows.net/transfer/from-sdk.txt?{token}"],
                       capture_output=True, text=True)
    assert "AuthorizationProtocolMismatch" in r.stdout
    r = subprocess.run(["curl", "-s", f"https://{sa}.blob.core.windows.net/transfer/from-sdk.txt?{token}"],
                       capture_output=True, text=True)
    assert r.stdout == "sdk with cli sas"
    blob_sas = az("storage", "blob", "generate-sas", *acct, "-c", "transfer", "-n", "from-sdk.txt", "--permissions",
                  "r", "--expiry", "2027-01-01", "--full-uri", "-o", "tsv").out.strip()
    r = subprocess.run(["curl", "-s", blob_sas], capture_output=True, text=True)
    assert r.stdout == "sdk with cli sas"


def test_public_container_read_anonymously_with_curl(az, sa):
    acct = ["--account-name", sa]
    r = az("storage", "account", "update", "-n", sa, "-g", "blobcli-rg", "--allow-blob-public-access", "true",
           "-o", "none")
    assert r.code == 0, r.err
    assert az("storage", "container", "create", "-n", "public", *acct, "--public-access", "blob").code == 0
    assert az("storage", "blob", "upload", *acct, "-c", "public", "--data", "open to all", "-n", "x").code == 0
    r = subprocess.run(["curl", "-sS", f"https://{sa}.blob.core.windows.net/public/x"], capture_output=True,
                       text=True)
    assert r.stdout == "open to all", r.stderr
    # blob level: the listing stays private
    r = subprocess.run(["curl", "-s", f"https://{sa}.blob.core.windows.net/public?restype=container&comp=list",
                        "-H", "x-ms-version: 2021-08-06"], capture_output=True, text=True)
    assert "NoAuthenticationInformation" in r.stdout
    assert az("storage", "container", "set-permission", "-n", "public", *acct, "--public-access", "off").code == 0
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        f"https://{sa}.blob.core.windows.net/public/x"], capture_output=True, text=True)
    assert r.stdout == "404"
    assert json.loads(az("storage", "container", "show-permission", "-n", "public", *acct).out) == \
        {"publicAccess": "off"}


def test_containers_reach_the_blob_endpoint(az, sa):
    """An ACI group's container resolves <account>.blob.core.windows.net to the daemon (bridge gateway)."""
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    acct = ["--account-name", sa]
    assert az("storage", "account", "update", "-n", sa, "-g", "blobcli-rg", "--allow-blob-public-access", "true",
              "-o", "none").code == 0
    assert az("storage", "container", "create", "-n", "shared", *acct, "--public-access", "blob").code == 0
    assert az("storage", "blob", "upload", *acct, "-c", "shared", "--data", "from the host", "-n", "x").code == 0
    url = f"http://{sa}.blob.core.windows.net/shared/x"
    r = az("container", "create", "-g", "blobcli-rg", "-n", "reader", "--image", "azlocal/busybox:latest",
           "--restart-policy", "Never", "--command-line", f"wget -q -O- {url}")
    assert r.code == 0, r.err
    import time

    logs = ""
    for _ in range(60):
        logs = az("container", "logs", "-g", "blobcli-rg", "-n", "reader").out
        if "from the host" in logs:
            break
        time.sleep(0.5)
    assert "from the host" in logs


def test_the_bridge_listener_answers_storage_names_only(az, sa):
    """On the bridge-gateway address the daemon serves the blob endpoints, and nothing else of itself."""
    from azlocal.core import settings
    from azlocal.platform.engine.objects import bridge_gateway

    gateway = bridge_gateway()
    port = settings.http_port()
    blob = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                           f"Host: {sa}.blob.core.windows.net", f"http://{gateway}:{port}/?comp=list"],
                          capture_output=True, text=True)
    other = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                            "Host: anything.azurecr.io", f"http://{gateway}:{port}/v2/"],
                           capture_output=True, text=True)
    assert blob.stdout not in ("000", "403"), blob
    assert other.stdout == "403", other
