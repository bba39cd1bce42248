"""Secret volumes and Azure Files shares end to end on Docker: valid names work, names that are paths change nothing."""

import subprocess
import time

import pytest

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"


@pytest.fixture
def rg(az):
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    assert az("group", "create", "-n", "paths-rg", "-l", "eastus", "-o", "none").code == 0
    yield "paths-rg"
    az("group", "delete", "-n", "paths-rg", "--yes")


def _objects(home):
    label = f"label=azlocal.home={home.resolve()}"
    out = subprocess.run(["docker", "ps", "-aq", "--filter", label], capture_output=True, text=True).stdout
    return out.split()


def test_secrets_and_share_are_mounted_from_inside_the_home(az, rg, home):
    from azlocal.storage import paths

    assert az("storage", "account", "create", "-g", rg, "-n", "acct123", "-o", "none").code == 0
    key = az("storage", "account", "keys", "list", "-g", rg, "-n", "acct123", "--query", "[0].value",
             "-o", "tsv").out.strip()
    assert az("storage", "share-rm", "create", "-g", rg, "--storage-account", "acct123", "-n", "share1",
              "-o", "none").code == 0
    r = az("container", "create", "-g", rg, "-n", "mounts", "--image", BASE, "--restart-policy", "Never",
           "--secrets", "app.config=hello", "--secrets-mount-path", "/mnt/secrets",
           "--azure-file-volume-share-name", "share1", "--azure-file-volume-account-name", "acct123",
           "--azure-file-volume-account-key", key, "--azure-file-volume-mount-path", "/share",
           "--command-line", "sh -c 'cat /mnt/secrets/app.config; echo written > /share/out.txt'")
    assert r.code == 0, r.err
    deadline = time.time() + 30
    while time.time() < deadline and "hello" not in az("container", "logs", "-g", rg, "-n", "mounts").out:
        time.sleep(0.5)
    assert "hello" in az("container", "logs", "-g", rg, "-n", "mounts").out
    shared = paths.share_dir("acct123", "share1") / "out.txt"
    assert home in shared.parents
    deadline = time.time() + 10
    while time.time() < deadline and not shared.exists():
        time.sleep(0.2)
    assert shared.read_text() == "written\n"


def test_a_share_named_as_a_host_path_mounts_nothing(az, rg, home, tmp_path):
    exposed = tmp_path / "exposed"
    exposed.mkdir()
    (tmp_path / "g.yaml").write_text(f"""
name: escape
properties:
  osType: Linux
  containers:
  - name: a
    properties:
      image: {BASE}
      command: [sh, -c, 'echo pwned > /x/f']
      resources: {{requests: {{cpu: 1, memoryInGB: 1}}}}
      volumeMounts: [{{name: v, mountPath: /x}}]
  volumes:
  - name: v
    azureFile: {{shareName: {exposed}, storageAccountName: acct123}}
""")
    r = az("container", "create", "-g", rg, "--file", str(tmp_path / "g.yaml"))
    assert r.code == 1 and "ERROR: The file share name" in r.err, r.err
    assert list(exposed.iterdir()) == []
    assert _objects(home) == []
    assert az("container", "list", "-g", rg).json() == []
