"""The offline stand-ins, built from the static busybox and run on the real engine: each does what its
doc shows the learner (the `expect` of standins.yaml), plus the behaviours a doc step relies on."""

import re
import subprocess
import time

import pytest

from azlocal.platform.engine import images, standins
from azlocal.platform.engine.docker_client import client

pytestmark = pytest.mark.integration

STANDINS = list({id(s): s for s in standins.KNOWN.values()}.values())


def _docker(*args, check=False):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def _fresh(name):
    """Removes the stand-in's tag so ensure_image has to build it again."""
    _docker("rmi", "-f", standins.normalise(name))
    messages = []
    assert standins.ensure_image(client(), name, warn=messages.append) is True
    assert len(messages) == 1 and "stand-in" in messages[0]
    assert standins.ensure_image(client(), name, warn=messages.append) is False  # present now: nothing to do
    return standins.normalise(name)


@pytest.fixture
def containers():
    started = []
    yield started
    for cid in started:
        _docker("rm", "-f", cid)


def _run(containers, *args):
    cid = _docker("run", "-d", *args, check=True).stdout.strip()
    containers.append(cid)
    return cid


def _port(cid, port):
    return _docker("port", cid, str(port)).stdout.splitlines()[0].rsplit(":", 1)[-1].strip()


def _get(port, path="/", *extra):
    # (no -o with --retry: curl truncates the output file before each retry)
    return subprocess.run(["curl", "-sS", "--retry", "10", "--retry-all-errors", "--retry-delay", "1", *extra,
                           f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True)


def _logs_until(cid, wanted, timeout=15):
    deadline = time.monotonic() + timeout
    logs = ""
    while time.monotonic() < deadline:
        out = _docker("logs", cid)
        logs = out.stdout + out.stderr
        if all(w in logs for w in wanted):
            break
        time.sleep(0.3)
    return logs


def _in_order(text, lines):
    at = 0
    for line in lines:
        found = text.find(line, at)
        assert found >= 0, f"{line!r} not found (in order) in:\n{text}"
        at = found + len(line)


@pytest.mark.parametrize("standin", STANDINS, ids=[s.names[0] for s in STANDINS])
def test_each_stand_in_shows_what_its_doc_shows(containers, standin):
    image = _fresh(standin.names[0])
    expect = standin.expect
    assert expect, f"{standin.names[0]} has nothing to check in standins.yaml"
    if "exit" in expect:
        out = _docker("run", "--rm", image)
        assert out.returncode == expect["exit"], out
        _in_order(out.stdout + out.stderr, expect.get("logs", []))
        return
    http = expect.get("http")
    publish = ["-p", f"127.0.0.1::{http['port']}"] if http else []
    cid = _run(containers, *publish, image)
    if http:
        page = _get(_port(cid, http["port"]), http["path"])
        assert http["contains"] in page.stdout, page
    logs = _logs_until(cid, expect.get("logs", []))
    _in_order(logs, expect.get("logs", []))
    # It handles SIGTERM as a server should (exit 0), rather than being killed after the grace period.
    _docker("stop", "-t", "5", cid, check=True)
    assert _docker("inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip() == "0"


def test_every_name_of_a_stand_in_is_tagged_once_built():
    for name in ("mcr.microsoft.com/hello-world:latest", "mcr.microsoft.com/hello-world:1.1.2"):
        _docker("rmi", "-f", name)
    built = standins.prepare_all(client())
    assert {"mcr.microsoft.com/hello-world:latest", "mcr.microsoft.com/hello-world:1.1.2"} <= set(built)
    ids = {_docker("image", "inspect", "-f", "{{.Id}}", n).stdout for n in ("mcr.microsoft.com/hello-world:latest",
                                                                             "mcr.microsoft.com/hello-world:1.1.2")}
    assert len(ids) == 1
    assert standins.prepare_all(client()) == []  # nothing lacking: nothing built


def test_an_image_docker_has_always_wins(tmp_path):
    name = "mcr.microsoft.com/hello-world:1.1.2"
    (tmp_path / "Dockerfile").write_text(f"FROM {standins.BASE}\nCMD [\"echo\", \"the real one\"]\n")
    _docker("rmi", "-f", name)
    assert _docker("build", "-q", "-t", name, str(tmp_path)).returncode == 0
    try:
        assert standins.ensure_image(client(), name, warn=pytest.fail) is False
        assert standins.prepare_all(client()) == []  # its other tag exists; this one is never retagged
        assert _docker("run", "--rm", name).stdout.strip() == "the real one"
    finally:
        _docker("rmi", "-f", name)


def test_hello_world_from_docker_hub_names():
    for name in ("hello-world", "docker.io/library/hello-world"):
        image = _fresh(name)
        out = _docker("run", "--rm", image)
        assert out.returncode == 0 and "Hello from Docker!" in out.stdout


def test_aci_helloworld_logs_requests_as_morgan_does(containers):
    cid = _run(containers, "-p", "127.0.0.1::80", _fresh("mcr.microsoft.com/azuredocs/aci-helloworld"))
    port = _port(cid, 80)
    assert _get(port).returncode == 0
    assert _get(port, "/missing", "-i").stdout.startswith("HTTP/1.1 404")
    logs = _logs_until(cid, ['"GET /missing HTTP/1.1" 404'])
    lines = logs.splitlines()
    assert lines[0] == "listening on port 80"
    assert re.search(r'^\S+ - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET / HTTP/1.1" 200 ', logs, re.M), logs
    assert '"GET /missing HTTP/1.1" 404' in logs


def test_aci_helloworld_runs_the_probe_pages_command(containers):
    """The liveness probe page overrides the command; the exec probe reads /tmp/healthy."""
    image = _fresh("mcr.microsoft.com/azuredocs/aci-helloworld")
    cid = _run(containers, image, "/bin/sh", "-c", "touch /tmp/healthy; sleep 2; rm -rf /tmp/healthy; sleep 600")
    assert _docker("exec", cid, "cat", "/tmp/healthy").returncode == 0
    deadline = time.monotonic() + 15
    while _docker("exec", cid, "cat", "/tmp/healthy").returncode == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _docker("exec", cid, "cat", "/tmp/healthy").returncode != 0


def test_hellofiles_writes_each_text_into_the_mounted_share(containers, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    image = _fresh("mcr.microsoft.com/azuredocs/aci-hellofiles")
    cid = _run(containers, "-p", "127.0.0.1::80", "-v", f"{share}:/aci/logs", image)
    port = _port(cid, 80)
    form = _get(port)
    assert 'action="/values"' in form.stdout and 'name="name"' in form.stdout
    before = int(time.time() * 1000)
    posted = _get(port, "/values", "-i", "--data-urlencode", "name=Hello, Azure Files & ACI!")
    assert posted.stdout.startswith("HTTP/1.1 302") and "Location: /" in posted.stdout, posted
    files = list(share.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"\d{13}\.txt", files[0].name), files[0].name
    assert abs(int(files[0].stem) - before) < 600_000  # Date.now(): milliseconds since the epoch
    assert files[0].read_text() == "Hello, Azure Files & ACI!"
    _in_order(_logs_until(cid, ["Wrote to file"]),
              ["listening on port undefined", "{ name: 'Hello, Azure Files & ACI!' }", "Wrote to file"])


def test_sidecar_logs_the_head_of_localhost_every_few_seconds(containers):
    web = _run(containers, _fresh("mcr.microsoft.com/azuredocs/aci-helloworld"))
    sidecar = _run(containers, "--network", f"container:{web}", "-e", "INTERVAL=1",
                   _fresh("mcr.microsoft.com/azuredocs/aci-tutorial-sidecar"))
    logs = _logs_until(sidecar, ["HTTP/1.1 200 OK", "Content-Length:"])
    _in_order(logs, ["Every 1s: curl -I http://localhost/", "HTTP/1.1 200 OK", "Content-Length:"])


def test_wordcount_honours_numwords_and_minlength():
    image = _fresh("mcr.microsoft.com/azuredocs/aci-wordcount")
    out = _docker("run", "--rm", "-e", "NumWords=3", "-e", "MinLength=5", image).stdout.strip()
    pairs = re.findall(r"\('([^']+)', (\d+)\)", out)
    assert out.startswith("[(") and out.endswith(")]")
    assert len(pairs) == 3
    assert all(len(word) >= 5 for word, _ in pairs)
    counts = [int(c) for _, c in pairs]
    assert counts == sorted(counts, reverse=True)


def test_wordcount_runs_the_start_command_pages_command_line():
    image = _fresh("mcr.microsoft.com/azuredocs/aci-wordcount")
    out = _docker("run", "--rm", "-e", "NumWords=3", "-e", "MinLength=5", image,
                  "python", "wordcount.py", "http://azlocal-offline.invalid/romeo_juliet/full.html")
    assert out.returncode == 0
    assert len(re.findall(r"\('([^']+)', (\d+)\)", out.stdout)) == 3
    assert "counting the bundled Hamlet text instead" in out.stderr
    assert "Segmentation" not in out.stderr


def test_dapr_samples_work_without_a_sidecar_and_say_so(containers):
    node = _run(containers, "-p", "127.0.0.1::3000", _fresh("dapriosamples/hello-k8s-node"))
    port = _port(node, 3000)
    r = _get(port, "/neworder", "-i", "-H", "Content-Type: application/json", "-d", '{"data": {"orderId": 42}}')
    assert r.stdout.startswith("HTTP/1.1 500"), r  # the sample's answer when the state store fails
    _in_order(_logs_until(node, ["no Dapr sidecar"]),
              ["Node App listening on port 3000!", "Got a new order! Order ID: 42",
               "FetchError: request to http://localhost:3500/v1.0/state/statestore failed, reason: connect "
               "ECONNREFUSED 127.0.0.1:3500", "no Dapr sidecar answers on localhost:3500"])
    python = _run(containers, "--network", f"container:{node}", _fresh("dapriosamples/hello-k8s-python"))
    logs = _logs_until(python, ["no Dapr sidecar answers on localhost:3500"])
    assert logs.count("no Dapr sidecar") == 1  # said once, not every second


def test_stand_ins_have_busybox_tools():
    image = _fresh("mcr.microsoft.com/k8se/quickstart")
    out = _docker("run", "--rm", "-e", "X=42", image, "sh", "-c",
                  "command -v httpd wget printenv >/dev/null && printenv X")
    assert out.stdout.strip() == "42"


def test_an_image_nobody_has_fails_with_the_reason():
    with pytest.raises(images.ImageUnavailable) as caught:
        images.ensure_image("localhost:1/azlocal-nowhere/app:v1")
    text = str(caught.value)
    assert "'localhost:1/azlocal-nowhere/app:v1' is not present in the Docker Engine and could not be pulled" in text
    assert "not one of azlocal's offline stand-ins" in text
    assert _docker("image", "inspect", "localhost:1/azlocal-nowhere/app:v1").returncode != 0


def test_an_image_the_docs_use_without_a_stand_in_says_why():
    name = "docker.io/sourcerepo/sourceimage:tag"  # the import page's placeholder: no registry has it
    assert standins.no_standin_reason(name)
    with pytest.raises(images.ImageUnavailable) as caught:
        images.ensure_image(name)
    assert f"azlocal has no offline stand-in for it: {standins.no_standin_reason(name)}" in str(caught.value)


def test_the_aci_quickstart_on_its_stand_in(az):
    """The quickstart's own commands: create, then the logs the doc shows."""
    _docker("rmi", "-f", "mcr.microsoft.com/azuredocs/aci-helloworld:latest")
    assert az("group", "create", "-n", "standins-rg", "-l", "eastus", "-o", "none").code == 0
    try:
        r = az("container", "create", "--resource-group", "standins-rg", "--name", "mycontainer", "--image",
               "mcr.microsoft.com/azuredocs/aci-helloworld", "--dns-name-label", "aci-demo-standins", "--ports", "80")
        assert r.code == 0, r.err
        assert "stand-in" in r.err
        doc = r.json()
        assert doc["containers"][0]["image"] == "mcr.microsoft.com/azuredocs/aci-helloworld"
        ip = doc["ipAddress"]["ip"]
        page = subprocess.run(["curl", "-sS", "--retry", "10", "--retry-connrefused", "--retry-delay", "1",
                               f"http://{ip}/"], capture_output=True, text=True)
        assert "Welcome to Azure Container Instances!" in page.stdout, page
        deadline = time.monotonic() + 15
        logs = ""
        while '"GET / HTTP/1.1" 200' not in logs and time.monotonic() < deadline:
            logs = az("container", "logs", "--resource-group", "standins-rg", "--name", "mycontainer").out
            time.sleep(0.5)
        _in_order(logs, ["listening on port 80", '"GET / HTTP/1.1" 200'])
    finally:
        az("group", "delete", "-n", "standins-rg", "--yes")


SIDECAR_YAML = """
apiVersion: 2019-12-01
location: eastus
name: myContainerGroup
properties:
  containers:
  - name: aci-tutorial-app
    properties:
      image: mcr.microsoft.com/azuredocs/aci-helloworld:latest
      resources: {requests: {cpu: 1, memoryInGb: 1.5}}
      ports: [{port: 80}]
  - name: aci-tutorial-sidecar
    properties:
      image: mcr.microsoft.com/azuredocs/aci-tutorial-sidecar
      resources: {requests: {cpu: 1, memoryInGb: 1.5}}
  osType: Linux
  ipAddress: {type: Public, ports: [{protocol: tcp, port: 80}]}
type: Microsoft.ContainerInstance/containerGroups
"""


def test_the_multi_container_tutorial_shows_the_sidecars_log(az, tmp_path):
    (tmp_path / "deploy-aci.yaml").write_text(SIDECAR_YAML)
    assert az("group", "create", "-n", "standins-mc", "-l", "eastus", "-o", "none").code == 0
    try:
        r = az("container", "create", "--resource-group", "standins-mc", "--file", str(tmp_path / "deploy-aci.yaml"))
        assert r.code == 0, r.err
        deadline = time.monotonic() + 20
        logs = ""
        while "Content-Length:" not in logs and time.monotonic() < deadline:
            logs = az("container", "logs", "--resource-group", "standins-mc", "--name", "myContainerGroup",
                      "--container-name", "aci-tutorial-sidecar").out
            time.sleep(0.5)
        _in_order(logs, ["Every 3s: curl -I http://localhost/", "HTTP/1.1 200 OK", "Content-Length:"])
        app = az("container", "logs", "--resource-group", "standins-mc", "--name", "myContainerGroup",
                 "--container-name", "aci-tutorial-app").out
        _in_order(app, ["listening on port 80", '"GET / HTTP/1.1" 200'])  # the sidecar's requests
    finally:
        az("group", "delete", "-n", "standins-mc", "--yes")


def test_the_azure_files_page_reads_back_what_hellofiles_wrote(az, tmp_path):
    """container-instances-volume-azure-files: save a text in the app, then list and download it from the share."""
    assert az("group", "create", "-n", "standins-files", "-l", "eastus", "-o", "none").code == 0
    try:
        account = "standinsfiles1"
        assert az("storage", "account", "create", "-g", "standins-files", "-n", account, "-l", "eastus",
                  "--sku", "Standard_LRS", "-o", "none").code == 0
        key = az("storage", "account", "keys", "list", "-g", "standins-files", "--account-name", account,
                 "--query", "[0].value", "-o", "tsv").out.strip()
        assert az("storage", "share", "create", "--name", "acishare", "--account-name", account, "--account-key",
                  key, "-o", "none").code == 0
        r = az("container", "create", "--resource-group", "standins-files", "--name", "hellofiles", "--image",
               "mcr.microsoft.com/azuredocs/aci-hellofiles", "--dns-name-label", "aci-demo-standins-files",
               "--ports", "80", "--azure-file-volume-account-name", account, "--azure-file-volume-account-key", key,
               "--azure-file-volume-share-name", "acishare", "--azure-file-volume-mount-path", "/aci/logs/")
        assert r.code == 0, r.err
        ip = r.json()["ipAddress"]["ip"]
        posted = subprocess.run(["curl", "-sS", "-i", "--retry", "10", "--retry-all-errors", "--retry-delay", "1",
                                 "--data-urlencode", "name=Saved from the stand-in", f"http://{ip}/values"],
                                capture_output=True, text=True)
        assert posted.stdout.startswith("HTTP/1.1 302"), posted
        files = az("storage", "file", "list", "-s", "acishare", "--account-name", account, "--account-key", key).json()
        assert len(files) == 1 and re.fullmatch(r"\d{13}\.txt", files[0]["name"]), files
        target = tmp_path / "downloaded.txt"
        assert az("storage", "file", "download", "-s", "acishare", "-p", files[0]["name"], "--dest", str(target),
                  "--account-name", account, "--account-key", key, "-o", "none").code == 0
        assert target.read_text() == "Saved from the stand-in"
        logs = az("container", "logs", "--resource-group", "standins-files", "--name", "hellofiles").out
        _in_order(logs, ["listening on port undefined", "{ name: 'Saved from the stand-in' }", "Wrote to file"])
    finally:
        az("group", "delete", "-n", "standins-files", "--yes")


def test_the_import_pages_docker_hub_hello_world_imports_offline(az):
    """container-registry-import-images: az acr import --source docker.io/library/hello-world:latest."""
    import uuid

    name = f"standins{uuid.uuid4().hex[:8]}"
    _docker("rmi", "-f", "hello-world:latest")  # so the stand-in is what gets imported
    assert az("group", "create", "-n", "standins-import", "-l", "eastus", "-o", "none").code == 0
    try:
        assert az("acr", "create", "-n", name, "-g", "standins-import", "--sku", "Basic", "-o", "none").code == 0
        r = az("acr", "import", "--name", name, "--source", "docker.io/library/hello-world:latest", "--image",
               "hello-world:latest")
        assert r.code == 0, r.err
        assert az("acr", "repository", "show-tags", "-n", name, "--repository", "hello-world").json() == ["latest"]
    finally:
        az("group", "delete", "-n", "standins-import", "--yes")
