"""The real azure-storage-blob SDK, unchanged, against the daemon's Blob service at
https://<account>.blob.core.windows.net (the local CA in the system trust store, names in the hosts file)."""

import datetime
import os
import socket
import ssl
import subprocess

import pytest

pytestmark = pytest.mark.integration

ACCOUNT = "azlblobsdk"


@pytest.fixture
def account(az):
    assert az("group", "create", "-n", "blob-rg", "-l", "eastus", "-o", "none").code == 0
    r = az("storage", "account", "create", "-n", ACCOUNT, "-g", "blob-rg", "-o", "none")
    assert r.code == 0, r.err
    conn = az("storage", "account", "show-connection-string", "-n", ACCOUNT, "-g", "blob-rg", "-o", "tsv")
    assert conn.code == 0, conn.err
    key = az("storage", "account", "keys", "list", "-n", ACCOUNT, "-g", "blob-rg", "--query", "[0].value",
             "-o", "tsv").out.strip()
    ca = str(az.env.get("AZLOCAL_HOME", os.environ["AZLOCAL_HOME"])) + "/ca.crt"
    os.environ["REQUESTS_CA_BUNDLE"] = _bundle(ca)
    yield {"conn": conn.out.strip(), "key": key}
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    az("group", "delete", "-n", "blob-rg", "--yes")


def _bundle(ca):
    """The system store plus the home's CA (requests reads REQUESTS_CA_BUNDLE, not the system store)."""
    path = ca + ".bundle.pem"
    system = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    with open(path, "w") as out:
        for source in (system, ca):
            if os.path.exists(source):
                out.write(open(source).read() + "\n")
    return path


def _service(conn):
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(conn)


def test_sdk_round_trips_with_the_account_key(account, tmp_path):
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
    from azure.storage.blob import ContentSettings

    service = _service(account["conn"])
    container = service.create_container("sdk-data", metadata={"team": "blue"})
    with pytest.raises(ResourceExistsError):
        service.create_container("sdk-data")
    names = [c.name for c in service.list_containers(include_metadata=True)]
    assert names == ["sdk-data"]
    assert container.get_container_properties().metadata == {"team": "blue"}

    blob = container.get_blob_client("dir/hello world.txt")
    result = blob.upload_blob(b"hello blob", content_settings=ContentSettings(content_type="text/plain"),
                              metadata={"k": "v"})
    assert result["etag"]
    with pytest.raises(ResourceExistsError):
        blob.upload_blob(b"again")
    assert blob.download_blob().readall() == b"hello blob"
    assert blob.download_blob(offset=6, length=4).readall() == b"blob"
    props = blob.get_blob_properties()
    assert props.size == 10 and props.metadata == {"k": "v"}
    assert props.content_settings.content_type == "text/plain"
    blob.set_blob_metadata({"x": "1"})
    assert blob.get_blob_properties().metadata == {"x": "1"}

    # If-Match with a stale ETag fails as Azure (the Dapr state store relies on it)
    from azure.core import MatchConditions
    from azure.core.exceptions import ResourceModifiedError

    stale = props.etag
    with pytest.raises(ResourceModifiedError):
        blob.upload_blob(b"new", overwrite=True, etag=stale, match_condition=MatchConditions.IfNotModified)
    assert blob.download_blob().readall() == b"hello blob"

    # a large-ish blob in blocks (max_single_put_size forces Put Block + Put Block List)
    data = os.urandom(3 * 1024 * 1024 + 17)
    big = container.get_blob_client("big.bin")
    from azure.storage.blob import BlobClient

    chunked = BlobClient.from_connection_string(account["conn"], "sdk-data", "big.bin", max_single_put_size=1 << 20,
                                                max_block_size=1 << 20)
    chunked.upload_blob(data, validate_content=True)
    assert big.download_blob().readall() == data
    assert len(big.get_block_list()[0]) == 4
    assert big.download_blob(max_concurrency=2, validate_content=True).readall() == data

    odd = container.get_blob_client("odd/ü 100%?#&+=.txt")
    odd.upload_blob(b"odd name")
    assert odd.download_blob().readall() == b"odd name"
    assert "odd/ü 100%?#&+=.txt" in [b.name for b in container.list_blobs()]
    odd.delete_blob()
    listed = [b.name for b in container.list_blobs(name_starts_with="dir/")]
    assert listed == ["dir/hello world.txt"]
    walked = [b.name for b in container.walk_blobs(delimiter="/")]
    assert sorted(walked) == ["big.bin", "dir/"]

    blob.delete_blob()
    with pytest.raises(ResourceNotFoundError):
        blob.get_blob_properties()
    with pytest.raises(ResourceNotFoundError) as missing:
        service.get_container_client("nope").get_container_properties()
    assert missing.value.error_code == "ContainerNotFound"
    container.delete_container()
    assert [c.name for c in service.list_containers()] == []


def test_wrong_key_sas_and_leases(account):
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
    from azure.storage.blob import (
        AccountSasPermissions,
        BlobServiceClient,
        ContainerClient,
        ResourceTypes,
        generate_account_sas,
        generate_container_sas,
    )

    service = _service(account["conn"])
    service.create_container("leased")
    url = f"https://{ACCOUNT}.blob.core.windows.net"
    wrong = BlobServiceClient(url, credential={"account_name": ACCOUNT,
                                               "account_key": "A" * 86 + "=="})
    with pytest.raises(ClientAuthenticationError) as bad:
        list(wrong.list_containers())
    assert bad.value.error_code == "AuthenticationFailed"

    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    token = generate_container_sas(ACCOUNT, "leased", account_key=account["key"], permission="rwl", expiry=expiry)
    client = ContainerClient(url, "leased", credential=token)
    client.upload_blob("via-sas.txt", b"sas")
    assert [b.name for b in client.list_blobs()] == ["via-sas.txt"]
    with pytest.raises(HttpResponseError) as denied:
        client.delete_blob("via-sas.txt")
    assert denied.value.error_code == "AuthorizationPermissionMismatch"

    read_only = generate_account_sas(ACCOUNT, account["key"], ResourceTypes(service=True, container=True,
                                                                            object=True),
                                     AccountSasPermissions(read=True, list=True), expiry)
    ro = BlobServiceClient(url, credential=read_only)
    assert [c.name for c in ro.list_containers()] == ["leased"]
    with pytest.raises(HttpResponseError) as denied:
        ro.get_container_client("leased").upload_blob("no.txt", b"x")
    assert denied.value.error_code == "AuthorizationPermissionMismatch"

    blob = service.get_blob_client("leased", "via-sas.txt")
    lease = blob.acquire_lease(lease_duration=15)
    with pytest.raises(HttpResponseError) as held:
        blob.upload_blob(b"other", overwrite=True)
    assert held.value.error_code == "LeaseIdMissing"
    blob.upload_blob(b"other", overwrite=True, lease=lease)
    lease.release()
    blob.delete_blob()


def test_curl_over_https_with_the_local_ca_and_errors_as_xml(account, az):
    service = _service(account["conn"])
    service.create_container("private")
    url = f"https://{ACCOUNT}.blob.core.windows.net/private/x.txt"
    r = subprocess.run(["curl", "-sS", "-i", url, "-H", "x-ms-version: 2021-08-06"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr  # TLS verified by the system trust store
    assert " 401 " in r.stdout.splitlines()[0]
    assert "<Code>NoAuthenticationInformation</Code>" in r.stdout
    assert "x-ms-error-code: NoAuthenticationInformation" in r.stdout.lower().replace("X-Ms", "x-ms") or \
        "x-ms-error-code" in r.stdout.lower()
    assert "www-authenticate: bearer" in r.stdout.lower()
    # bearer tokens get the challenge too
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", url, "-H", "Authorization: Bearer x",
                        "-H", "x-ms-version: 2021-08-06"], capture_output=True, text=True)
    assert r.stdout == "401"
    # a name no account of this home has gets no certificate
    with pytest.raises((ssl.SSLError, OSError)):
        context = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", 443), timeout=5) as raw:
            context.wrap_socket(raw, server_hostname="nosuchacct.blob.core.windows.net").close()


def test_copy_append_and_a_restarted_daemon(account):
    from azure.storage.blob import BlobClient

    from azlocal.platform import lifecycle

    service = _service(account["conn"])
    container = service.create_container("ops")
    source = container.upload_blob("src.txt", b"copy me", metadata={"m": "1"})
    assert source.get_blob_properties().etag
    target = container.get_blob_client("copies/dst.txt")
    copy = target.start_copy_from_url(container.get_blob_client("src.txt").url)
    assert copy["copy_status"] == "success"
    assert target.download_blob().readall() == b"copy me"
    assert target.get_blob_properties().metadata == {"m": "1"}

    log = BlobClient.from_connection_string(account["conn"], "ops", "app.log")
    log.create_append_blob()
    log.append_block(b"one\n")
    log.append_block(b"two\n")
    props = log.get_blob_properties()
    assert props.blob_type == "AppendBlob" and props.size == 8
    assert log.download_blob().readall() == b"one\ntwo\n"

    # the daemon keeps nothing: stopped and started again, it serves the same data
    lifecycle.stop()
    lifecycle.ensure_running()
    assert container.get_blob_client("src.txt").download_blob().readall() == b"copy me"
    assert sorted(b.name for b in container.list_blobs()) == ["app.log", "copies/dst.txt", "src.txt"]


def test_service_properties_paging_and_stored_policies(account):
    from azure.core.exceptions import HttpResponseError
    from azure.storage.blob import AccessPolicy, ContainerClient, ContainerSasPermissions, generate_container_sas

    service = _service(account["conn"])
    props = service.get_service_properties()
    assert props["delete_retention_policy"].enabled is False
    assert service.get_account_information()["account_kind"] == "StorageV2"
    for name in ("page-a", "page-b", "page-c"):
        service.create_container(name)
    pages = service.list_containers(results_per_page=2).by_page()
    first = [c.name for c in next(pages)]
    second = [c.name for c in next(pages)]
    assert first == ["page-a", "page-b"] and second == ["page-c"]

    box = service.get_container_client("page-a")
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    box.set_container_access_policy({"readers": AccessPolicy(ContainerSasPermissions(read=True, list=True),
                                                             expiry=expiry)})
    assert list(box.get_container_access_policy()["signed_identifiers"])[0].id == "readers"
    box.upload_blob("x", b"policy")
    token = generate_container_sas(ACCOUNT, "page-a", account_key=account["key"], policy_id="readers")
    reader = ContainerClient(f"https://{ACCOUNT}.blob.core.windows.net", "page-a", credential=token)
    assert reader.download_blob("x").readall() == b"policy"
    with pytest.raises(HttpResponseError) as denied:
        reader.upload_blob("y", b"no")
    assert denied.value.error_code == "AuthorizationPermissionMismatch"
