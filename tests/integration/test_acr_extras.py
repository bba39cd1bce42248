"""ACR webhooks, replications and import, against the real daemon and Docker Engine."""

import json
import random
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration


@pytest.fixture
def group(az):
    assert az("group", "create", "-n", "extras-rg", "-l", "eastus", "-o", "none").code == 0
    yield "extras-rg"
    az("group", "delete", "-n", "extras-rg", "--yes")


def _registry(az, sku="Basic"):
    name = f"azlx{random.randint(100000, 999999)}"
    r = az("acr", "create", "-n", name, "-g", "extras-rg", "--sku", sku, "-o", "none")
    assert r.code == 0, r.err
    return name


@pytest.fixture
def receiver():
    """A local HTTP endpoint that records the webhook events POSTed to it."""
    events = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            events.append((dict(self.headers), json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", events
    server.shutdown()


def _push(registry, tmp_path, repo_tag):
    server = f"{registry}.azurecr.io"
    image = f"{server}/{repo_tag}"
    busybox.build(busybox.write_context(tmp_path / repo_tag.replace("/", "_").replace(":", "_")), image)
    push = subprocess.run(["docker", "push", image], capture_output=True, text=True)
    subprocess.run(["docker", "rmi", image], capture_output=True)
    assert push.returncode == 0, push.stderr
    return image


def test_webhook_receives_push_with_acr_payload(az, group, receiver, tmp_path):
    uri, events = receiver
    registry = _registry(az)
    r = az("acr", "webhook", "create", "-r", registry, "-n", "hook1", "--uri", uri, "--actions", "push",
           "--headers", "X-Token=abc", "--scope", "app:*")
    assert r.code == 0, r.err
    hook = r.json()
    assert hook["actions"] == ["push"] and hook["scope"] == "app:*" and "serviceUri" not in hook
    assert az("acr", "webhook", "get-config", "-r", registry, "-n", "hook1").json() == {
        "customHeaders": {"X-Token": "abc"}, "serviceUri": uri}
    assert az("acr", "login", "-n", registry).code == 0
    _push(registry, tmp_path, "app:v1")
    _push(registry, tmp_path, "other:v1")  # outside the scope: no event
    import time

    deadline = time.time() + 15
    while not events and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    assert len(events) == 1
    headers, event = events[0]
    assert headers.get("X-Token") == "abc"
    assert event["action"] == "push"
    assert event["target"]["repository"] == "app" and event["target"]["tag"] == "v1"
    assert event["target"]["digest"].startswith("sha256:")
    assert event["request"]["host"] == f"{registry}.azurecr.io"
    listed = az("acr", "webhook", "list-events", "-r", registry, "-n", "hook1").json()
    assert listed[0]["eventResponseMessage"]["statusCode"] == "200"
    # Basic allows 2 webhooks
    assert az("acr", "webhook", "create", "-r", registry, "-n", "hook2", "--uri", uri, "--actions", "push",
              "-o", "none").code == 0
    r = az("acr", "webhook", "create", "-r", registry, "-n", "hook3", "--uri", uri, "--actions", "push")
    assert r.code == 1 and "limit" in r.err


def test_replication_is_premium_only_and_serves_the_same_content(az, group, tmp_path):
    basic = _registry(az)
    r = az("acr", "replication", "create", "-r", basic, "-l", "westeurope")
    assert r.code == 1 and "Premium SKU" in r.err
    premium = _registry(az, "Premium")
    r = az("acr", "replication", "create", "-r", premium, "-l", "eastus")
    assert r.code == 1 and "same location" in r.err
    rep = az("acr", "replication", "create", "-r", premium, "-l", "westeurope").json()
    assert rep["name"] == "westeurope" and rep["status"]["displayStatus"] == "Ready"
    assert az("acr", "login", "-n", premium).code == 0
    image = _push(premium, tmp_path, "shared/app:v1")
    # pull through the regional data endpoint
    token = az("acr", "login", "-n", premium, "--expose-token", "--query", "refreshToken", "-o", "tsv").out.strip()
    endpoint = f"{premium}.westeurope.data.azurecr.io"
    login = subprocess.run(["docker", "login", endpoint, "-u", "00000000-0000-0000-0000-000000000000",
                            "--password-stdin"], input=token, capture_output=True, text=True)
    assert login.returncode == 0, login.stderr
    regional = image.replace(f"{premium}.azurecr.io", endpoint)
    pull = subprocess.run(["docker", "pull", regional], capture_output=True, text=True)
    assert pull.returncode == 0, pull.stderr
    subprocess.run(["docker", "rmi", regional], capture_output=True)
    # As Azure: the home region is listed too.
    assert [x["name"] for x in az("acr", "replication", "list", "-r", premium).json()] == ["eastus", "westeurope"]
    assert az("acr", "replication", "delete", "-r", premium, "-n", "westeurope").code == 0
    with open("/etc/hosts") as f:
        assert endpoint not in f.read()


def test_import_from_engine_and_from_another_registry(az, group, tmp_path):
    source_image = busybox.build(busybox.write_context(tmp_path / "src"), "azlocal-import-src:v1")
    try:
        first = _registry(az)
        r = az("acr", "import", "-n", first, "--source", source_image, "-t", "imported/app:v1")
        assert r.code == 0, r.err
        assert az("acr", "repository", "show-tags", "-n", first, "--repository", "imported/app").json() == ["v1"]
        second = _registry(az)
        r = az("acr", "import", "-n", second, "--source", "imported/app:v1", "-r", first)
        assert r.code == 0, r.err
        assert az("acr", "repository", "list", "-n", second).json() == ["imported/app"]
        again = az("acr", "import", "-n", second, "--source", "imported/app:v1", "-r", first)
        assert again.code == 1 and "--force" in again.err
        assert az("acr", "import", "-n", second, "--source", "imported/app:v1", "-r", first, "--force").code == 0
    finally:
        subprocess.run(["docker", "rmi", source_image], capture_output=True)
