"""Container group volumes on real Docker: secret volumes in memory (tmpfs), Azure Files volumes on the
shares of azlocal storage accounts (shared between groups, outliving them, checked before anything is
created, readOnly honoured)."""

import subprocess

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"
RG = "vol-rg"
ACCOUNT = "volacct0001"


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, RG)


def _exec(az, name, command, container=None):
    args = ["container", "exec", "-g", RG, "-n", name, "--exec-command", command]
    r = az(*args, *(["--container-name", container] if container else []), input="")
    assert r.code == 0, r.err
    return r.out


def _objects(home):
    label = f"label=azlocal.home={home.resolve()}"
    out = subprocess.run(["docker", "ps", "-aq", "--filter", label], capture_output=True, text=True).stdout
    return out.split()


# secret volumes ---------------------------------------------------------------------------------

SECRET_YAML = f"""
apiVersion: 2023-05-01
location: eastus
name: secretpod
properties:
  containers:
  - name: first
    properties:
      image: {BASE}
      command: [sleep, "300"]
      resources: {{requests: {{cpu: 0.5, memoryInGB: 0.5}}}}
      volumeMounts: [{{name: creds, mountPath: /mnt/creds, readOnly: true}}]
  - name: second
    properties:
      image: {BASE}
      command: [sleep, "300"]
      resources: {{requests: {{cpu: 0.5, memoryInGB: 0.5}}}}
      volumeMounts: [{{name: creds, mountPath: /etc/creds, readOnly: true}}]
  volumes:
  - name: creds
    secret:
      Token.txt: c2VjcmV0LXRva2VuLTQy
  osType: Linux
"""


def _mount_line(text, path):
    return next((line for line in text.splitlines() if line.split()[1:2] == [path]), None)


def test_secret_volume_is_tmpfs_shared_by_the_group_and_never_on_disk(az, rg, home, tmp_path):
    from azlocal.aci import volumes

    (tmp_path / "s.yaml").write_text(SECRET_YAML)
    r = az("container", "create", "-g", RG, "--file", str(tmp_path / "s.yaml"))
    assert r.code == 0, r.err
    assert _exec(az, "secretpod", "cat /mnt/creds/Token.txt", "first") == "secret-token-42"
    assert _exec(az, "secretpod", "cat /etc/creds/Token.txt", "second") == "secret-token-42"
    for container, path in (("first", "/mnt/creds"), ("second", "/etc/creds")):
        line = _mount_line(_exec(az, "secretpod", "cat /proc/mounts", container), path)
        assert line is not None and line.split()[2] == "tmpfs", line
        assert "ro" in line.split()[3].split(",")
    # one copy for the group: both containers see the same files
    root = volumes.memory_root()
    assert root is not None and len(list(root.glob("*/creds/Token.txt"))) == 1
    # nothing of the secret under the home (but the secret store's own file)
    assert not list(home.rglob("Token.txt"))
    assert not (home / "aci-secrets").exists()
    assert b"secret-token-42" not in (home / "state.db").read_bytes()
    # the files come back after a stop and start (the group's tmpfs copy is written again)
    assert az("container", "stop", "-g", RG, "-n", "secretpod").code == 0
    for path in root.glob("*/creds/Token.txt"):
        path.unlink()
    assert az("container", "start", "-g", RG, "-n", "secretpod").code == 0
    assert _exec(az, "secretpod", "cat /mnt/creds/Token.txt", "first") == "secret-token-42"
    # deleting the group removes them from memory
    assert az("container", "delete", "-g", RG, "-n", "secretpod", "--yes", "-o", "none").code == 0
    assert not list(root.glob("*/creds"))


def test_secrets_argument_is_a_tmpfs_too(az, rg):
    r = az("container", "create", "-g", RG, "-n", "argsecrets", "--image", BASE, "--command-line", "sleep 300",
           "--secrets", "alpha=first-value", "beta=second value", "--secrets-mount-path", "/mnt/secrets")
    assert r.code == 0, r.err
    assert _exec(az, "argsecrets", "cat /mnt/secrets/beta") == "second value"
    line = _mount_line(_exec(az, "argsecrets", "cat /proc/mounts"), "/mnt/secrets")
    assert line is not None and line.split()[2] == "tmpfs", line


# Azure Files ----------------------------------------------------------------------------------

@pytest.fixture
def share(az, rg):
    """A storage account and a share of it, made with az storage; returns (key, share folder)."""
    from azlocal.storage import paths

    r = az("storage", "account", "create", "-g", RG, "-n", ACCOUNT, "-o", "none")
    assert r.code == 0, r.err
    key = az("storage", "account", "keys", "list", "-g", RG, "-n", ACCOUNT, "--query", "[0].value", "-o", "tsv")
    assert key.code == 0, key.err
    r = az("storage", "share-rm", "create", "-g", RG, "--storage-account", ACCOUNT, "-n", "shared", "-o", "none")
    assert r.code == 0, r.err
    folder = paths.share_dir(ACCOUNT, "shared")
    assert folder.is_dir()
    return key.out.strip(), folder


def _file_args(key, share_name="shared", account=ACCOUNT, mount="/mnt/share"):
    return ["--azure-file-volume-account-name", account, "--azure-file-volume-account-key", key,
            "--azure-file-volume-share-name", share_name, "--azure-file-volume-mount-path", mount]


def test_azure_files_volume_is_shared_between_groups_and_outlives_them(az, rg, share):
    key, folder = share
    r = az("container", "create", "-g", RG, "-n", "writer", "--image", BASE, "--restart-policy", "Never",
           "--command-line", "sh -c 'echo written-by-writer > /mnt/share/note.txt'", *_file_args(key))
    assert r.code == 0, r.err
    assert r.json()["volumes"][0]["azureFile"]["storageAccountKey"] is None
    r = az("container", "create", "-g", RG, "-n", "reader", "--image", BASE, "--command-line", "sleep 300",
           *_file_args(key, mount="/data"))
    assert r.code == 0, r.err
    assert _exec(az, "reader", "cat /data/note.txt").strip() == "written-by-writer"
    # what the reader writes, the share keeps too
    _exec(az, "reader", "sh -c 'echo from-reader > /data/back.txt'")
    for name in ("writer", "reader"):
        assert az("container", "delete", "-g", RG, "-n", name, "--yes", "-o", "none").code == 0
    assert (folder / "note.txt").read_text().strip() == "written-by-writer"
    assert (folder / "back.txt").read_text().strip() == "from-reader"


@pytest.mark.parametrize("case", ["key", "share", "account", "shared key access off"])
def test_azure_files_volume_that_cannot_mount_is_refused_before_anything_exists(az, rg, share, home, case):
    key, _ = share
    if case == "shared key access off":
        assert az("storage", "account", "update", "-g", RG, "-n", ACCOUNT, "--allow-shared-key-access", "false",
                  "-o", "none").code == 0
    args = {"key": _file_args("bm90LXRoZS1rZXk="), "share": _file_args(key, share_name="nosuchshare"),
            "account": _file_args(key, account="nosuchacct99"), "shared key access off": _file_args(key)}[case]
    before = _objects(home)
    r = az("container", "create", "-g", RG, "-n", "badfiles", "--image", BASE, "--command-line", "sleep 300", *args)
    assert r.code == 1
    assert "ERROR: (FailedMountAzureFileVolume) Failed to mount Azure File Volume 'azurefile'" in r.err
    assert {"key": "is not a key of storage account", "share": "file share 'nosuchshare' was not found",
            "account": "storage account 'nosuchacct99' was not found",
            "shared key access off": "key based authentication is not permitted"}[case] in r.err
    assert az("container", "show", "-g", RG, "-n", "badfiles").code == 3
    assert _objects(home) == before
    from azlocal.storage import paths

    assert not paths.share_dir(ACCOUNT, "nosuchshare").exists()


def test_azure_files_read_only_volume(az, rg, share, tmp_path):
    key, folder = share
    (folder / "given.txt").write_text("read me")
    (tmp_path / "ro.yaml").write_text(f"""
apiVersion: 2023-05-01
location: eastus
name: readonly
properties:
  containers:
  - name: app
    properties:
      image: {BASE}
      command: [sleep, "300"]
      resources: {{requests: {{cpu: 0.5, memoryInGB: 0.5}}}}
      volumeMounts: [{{name: files, mountPath: /mnt/ro}}]
  volumes:
  - name: files
    azureFile: {{shareName: shared, storageAccountName: {ACCOUNT}, storageAccountKey: "{key}", readOnly: true}}
  osType: Linux
""")
    r = az("container", "create", "-g", RG, "--file", str(tmp_path / "ro.yaml"))
    assert r.code == 0, r.err
    assert _exec(az, "readonly", "cat /mnt/ro/given.txt") == "read me"
    r = az("container", "exec", "-g", RG, "-n", "readonly", "--exec-command", "touch /mnt/ro/new.txt", input="")
    assert "Read-only file system" in r.err
    assert not (folder / "new.txt").exists()


def test_start_after_the_key_was_renewed_does_not_mount_the_share(az, rg, share):
    key, _ = share
    r = az("container", "create", "-g", RG, "-n", "renewed", "--image", BASE, "--command-line", "sleep 300",
           *_file_args(key))
    assert r.code == 0, r.err
    assert az("container", "stop", "-g", RG, "-n", "renewed").code == 0
    r = az("storage", "account", "keys", "renew", "-g", RG, "-n", ACCOUNT, "--key", "primary", "-o", "none")
    assert r.code == 0, r.err
    r = az("container", "start", "-g", RG, "-n", "renewed")
    assert r.code == 1
    assert "(FailedMountAzureFileVolume)" in r.err and "is not a key of storage account" in r.err
    assert az("container", "show", "-g", RG, "-n", "renewed", "--query", "instanceView.state",
              "-o", "tsv").out.strip() == "Stopped"
