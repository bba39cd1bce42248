"""The offline stand-ins, built from the static busybox and run on the real engine."""

import re
import subprocess
import time

import pytest

from azlocal.platform.engine import standins
from azlocal.platform.engine.docker_client import client

pytestmark = pytest.mark.integration


def _fresh(name):
    """Removes the stand-in's tag so ensure_image has to build it again."""
    subprocess.run(["docker", "rmi", "-f", standins.normalise(name)], capture_output=True)
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
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True)


def _run(containers, *args):
    cid = subprocess.run(["docker", "run", "-d", *args], capture_output=True, text=True, check=True).stdout.strip()
    containers.append(cid)
    return cid


def test_hello_world_prints_the_message_and_exits_0():
    image = _fresh("mcr.microsoft.com/hello-world")
    out = subprocess.run(["docker", "run", "--rm", image], capture_output=True, text=True)
    assert out.returncode == 0
    assert "Hello from Docker!" in out.stdout


def test_aci_helloworld_serves_and_logs_requests(containers):
    image = _fresh("mcr.microsoft.com/azuredocs/aci-helloworld")
    cid = _run(containers, "-p", "127.0.0.1::80", image)
    port = subprocess.run(["docker", "port", cid, "80"], capture_output=True, text=True).stdout.split(":")[-1].strip()
    page = subprocess.run(["curl", "-fsS", "--retry", "10", "--retry-connrefused", "--retry-delay", "1",
                           f"http://127.0.0.1:{port}/"], capture_output=True, text=True)
    assert "Welcome to Azure Container Instances!" in page.stdout
    deadline = time.time() + 10
    logs = ""
    while "GET /" not in logs and time.time() < deadline:
        logs = subprocess.run(["docker", "logs", cid], capture_output=True, text=True).stdout
        time.sleep(0.2)
    assert "GET / HTTP/1.1" in logs
    start = time.time()
    subprocess.run(["docker", "stop", cid], check=True, capture_output=True)
    assert time.time() - start < 5  # it handles SIGTERM instead of waiting for the kill


def test_container_apps_pages_differ(containers):
    pages = {}
    for name in ("mcr.microsoft.com/azuredocs/containerapps-helloworld", "mcr.microsoft.com/k8se/quickstart"):
        image = _fresh(name)
        cid = _run(containers, image)
        pages[name] = subprocess.run(["docker", "exec", cid, "wget", "-q", "-O", "-", "http://127.0.0.1/"],
                                     capture_output=True, text=True).stdout
    assert all("container app" in p.lower() for p in pages.values())
    assert len(set(pages.values())) == 2


def test_wordcount_honours_numwords_and_minlength():
    image = _fresh("mcr.microsoft.com/azuredocs/aci-wordcount")
    out = subprocess.run(["docker", "run", "--rm", "-e", "NumWords=3", "-e", "MinLength=5", image],
                         capture_output=True, text=True).stdout.strip()
    pairs = re.findall(r"\('([^']+)', (\d+)\)", out)
    assert out.startswith("[(") and out.endswith(")]")
    assert len(pairs) == 3
    assert all(len(word) >= 5 for word, _ in pairs)
    counts = [int(c) for _, c in pairs]
    assert counts == sorted(counts, reverse=True)


def test_sidecar_logs_status_codes_of_localhost(containers):
    web = _run(containers, _fresh("mcr.microsoft.com/azuredocs/aci-helloworld"))
    sidecar = _run(containers, "--network", f"container:{web}", "-e", "INTERVAL=1",
                   _fresh("mcr.microsoft.com/azuredocs/aci-tutorial-sidecar"))
    deadline = time.time() + 15
    logs = ""
    while " 200 " not in logs and time.time() < deadline:
        time.sleep(0.5)
        logs = subprocess.run(["docker", "logs", sidecar], capture_output=True, text=True).stdout
    assert " 200 " in logs


def test_stand_ins_have_busybox_tools():
    image = _fresh("mcr.microsoft.com/k8se/quickstart")
    out = subprocess.run(["docker", "run", "--rm", "-e", "X=42", image, "sh", "-c",
                          "command -v httpd wget printenv >/dev/null && printenv X"], capture_output=True, text=True)
    assert out.stdout.strip() == "42"
