"""Issue 10 on real Docker: `container create` on an existing group redeploys it, the Confidential
SKU's security context reaches Docker, zones/priority/SKU are shown as az shows them, git repo
volumes are cloned."""

import json
import subprocess

import pytest

pytestmark = pytest.mark.integration

BASE = "azlocal/busybox:latest"


@pytest.fixture
def rg(az):
    from azlocal.platform.engine.docker_client import client
    from azlocal.platform.engine.standins import build_base

    build_base(client())
    assert az("group", "create", "-n", "parity-rg", "-l", "eastus", "-o", "none").code == 0
    yield "parity-rg"
    az("group", "delete", "-n", "parity-rg", "--yes")


def _inspect(home, name):
    ids = subprocess.run(["docker", "ps", "-q", "--filter", f"label=azlocal.home={home.resolve()}",
                          "--filter", f"label=azlocal.aci.container={name}"], capture_output=True, text=True)
    out = subprocess.run(["docker", "inspect", *ids.stdout.split()], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_create_on_an_existing_group_redeploys_it(az, rg, home):
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", BASE, "--command-line", "sleep 300",
           "--zone", "1", "--priority", "spot", "--sku", "standard")
    assert r.code == 0, r.err
    first = r.json()
    assert (first["zones"], first["priority"], first["sku"], first["tags"]) == (["1"], "Spot", "Standard", {})
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", BASE, "--command-line", "sleep 301",
           "-e", "A=B")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["ipAddress"]["ip"] == first["ipAddress"]["ip"]
    assert doc["containers"][0]["command"] == ["sleep", "301"]
    assert doc["zones"] is None and doc["priority"] is None  # a PUT: what is not given reverts to its default
    [container] = _inspect(home, "upd")
    assert container["Config"]["Cmd"] == ["sleep", "301"] and "A=B" in container["Config"]["Env"]
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", BASE, "--command-line", "sleep 301",
           "--cpu", "2")
    assert r.code == 1 and "InvalidContainerGroupUpdate" in r.err
    r = az("container", "create", "-g", rg, "-n", "upd", "--image", "no-such/image:1", "--command-line", "sleep 1")
    assert r.code == 1 and "InaccessibleImage" in r.err
    shown = az("container", "show", "-g", rg, "-n", "upd").json()
    assert shown["containers"][0]["command"] == ["sleep", "301"] and shown["instanceView"]["state"] == "Running"


def test_confidential_security_context_reaches_docker(az, rg, home):
    r = az("container", "create", "-g", rg, "-n", "conf", "--image", BASE, "--command-line", "sleep 300",
           "--sku", "confidential", "--run-as-user", "1000", "--run-as-group", "1000",
           "--drop-capabilities", "NET_RAW")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["sku"] == "Confidential" and doc["confidentialComputeProperties"]["ccePolicy"]
    assert doc["containers"][0]["securityContext"]["allowPrivilegeEscalation"] is False
    [container] = _inspect(home, "conf")
    assert container["Config"]["User"] == "1000:1000"
    assert container["HostConfig"]["CapDrop"] == ["NET_RAW"]
    assert "no-new-privileges:true" in container["HostConfig"]["SecurityOpt"]


def test_git_repo_volume_is_cloned(az, rg, tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "hello.txt").write_text("from git\n")
    subprocess.run(["git", "-C", str(repo), "add", "hello.txt"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)
    r = az("container", "create", "-g", rg, "-n", "git", "--image", BASE, "--command-line", "sleep 300",
           "--gitrepo-url", f"file://{repo}", "--gitrepo-dir", "src", "--gitrepo-mount-path", "/mnt/repo")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["volumes"][0]["gitRepo"]["repository"] == f"file://{repo}"
    assert doc["containers"][0]["volumeMounts"][0]["mountPath"] == "/mnt/repo"
    out = az("container", "exec", "-g", rg, "-n", "git", "--exec-command", "cat /mnt/repo/src/hello.txt")
    assert out.code == 0 and "from git" in out.out
    r = az("container", "create", "-g", rg, "-n", "nogit", "--image", BASE, "--gitrepo-url",
           f"file://{tmp_path}/absent", "--gitrepo-mount-path", "/src")
    assert r.code == 1 and "GitRepoVolumeFailed" in r.err and "Traceback" not in r.err
    assert az("container", "show", "-g", rg, "-n", "nogit").code == 3
