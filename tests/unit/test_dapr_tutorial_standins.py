"""The Dapr tutorial's stand-ins (hello-k8s-node, hello-k8s-python) run by the host's static busybox, without
Docker, against a fake Dapr sidecar on loopback: the texts and calls of the real samples, and what they do
when the sidecar refuses or is not there. (tests/integration/test_dapr_tutorial.py runs them with real
sidecars.)"""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from azlocal.core import settings
from azlocal.platform.engine import standins

ASSETS = standins.resources.files("azlocal.platform.engine").joinpath("standin_assets")
pytestmark = pytest.mark.skipif(not os.path.isfile(settings.busybox_path()), reason="no static busybox")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeSidecar:
    """A Dapr sidecar's state and invocation APIs on 127.0.0.1:<port>, in a thread; `state_status` makes
    the state API fail."""

    def __init__(self, app_port):
        self.port, self.app_port = _free_port(), app_port
        self.calls, self.state, self.state_status = [], {}, None
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        assert started.wait(5)

    def _run(self, started):
        from aiohttp import ClientSession, web

        async def save(request):
            items = await request.json()
            self.calls.append(("save", items))
            if self.state_status:
                return web.json_response({"errorCode": "ERR_STATE_SAVE", "message": "no"}, status=self.state_status)
            for item in items:
                self.state[item["key"]] = json.dumps(item["value"], separators=(",", ":"))
            return web.Response(status=204)

        async def get(request):
            key = request.match_info["key"]
            if self.state_status:
                return web.json_response({"errorCode": "ERR_STATE_GET", "message": "no"}, status=self.state_status)
            return web.Response(body=self.state[key].encode()) if key in self.state else web.Response(status=204)

        async def invoke(request):
            body = await request.read()
            target = request.match_info.get("app") or request.headers.get("dapr-app-id")
            self.calls.append(("invoke", request.path, target, body, dict(request.headers)))
            if target != "nodeapp":
                return web.json_response({"errorCode": "ERR_DIRECT_INVOKE", "message": f"app {target} not found"},
                                         status=500)
            async with ClientSession() as session:
                async with session.post(f"http://127.0.0.1:{self.app_port}/neworder", data=body,
                                        headers={"Content-Type": "application/json"}) as answer:
                    return web.Response(status=answer.status, body=await answer.read())

        app = web.Application()
        app.router.add_post("/v1.0/state/statestore", save)
        app.router.add_get("/v1.0/state/statestore/{key}", get)
        app.router.add_post("/v1.0/invoke/{app}/method/neworder", invoke)
        app.router.add_post("/neworder", invoke)
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        started.set()
        self.loop.run_forever()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def image(tmp_path):
    """The stand-ins' files with busybox's applets first on PATH, as in the image."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    subprocess.run([settings.busybox_path(), "--install", "-s", str(bindir)], check=True)
    root = tmp_path / "image"
    root.mkdir()
    for name in ("hello-k8s-node.sh", "hello-k8s-node-request.sh", "hello-k8s-python.sh",
                 "hello-k8s-python-call.sh"):
        shutil.copy(str(ASSETS.joinpath(name)), root / name)
    return {"root": root, "PATH": str(bindir), "sh": bindir / "sh"}


@pytest.fixture
def run(image):
    started = []

    def start(script, *args, **env):
        log = open(image["root"] / f"{script}.{len(started)}.log", "w+")
        proc = subprocess.Popen([str(image["sh"]), str(image["root"] / script), *args], stdout=log,
                                stderr=subprocess.STDOUT, env={"PATH": image["PATH"], **env}, start_new_session=True)
        started.append(proc)
        proc.log = log
        return proc

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the shell and its nc children
        except ProcessLookupError:
            pass
        proc.wait()
        proc.log.close()


def _log(proc):
    proc.log.flush()
    with open(proc.log.name) as f:
        return f.read()


def _until(proc, text, timeout=10):
    deadline = time.monotonic() + timeout
    while text not in _log(proc) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _log(proc)


def _http(port, path, data=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers={"Content-Type": "application/json"})
    for _ in range(50):
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read().decode(), dict(answer.headers)
        except urllib.error.HTTPError as ex:
            return ex.code, ex.read().decode(), dict(ex.headers)
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.1)
    raise AssertionError(f"nothing answers on {port}")


def test_the_tutorials_two_apps_persist_an_order_a_second_through_the_sidecar(run):
    app_port = _free_port()
    sidecar = FakeSidecar(app_port)
    try:
        node = run("hello-k8s-node.sh", "hub", APP_PORT=str(app_port), DAPR_HTTP_PORT=str(sidecar.port))
        assert _until(node, "listening").startswith(f"Node App listening on port {app_port}!")
        python = run("hello-k8s-python.sh", "hub", DAPR_HTTP_PORT=str(sidecar.port))
        logs = _until(node, "Order ID: 3")
        lines = logs.splitlines()
        at = lines.index("Got a new order! Order ID: 1")
        assert lines[at:at + 6] == ["Got a new order! Order ID: 1", "Successfully persisted state.",
                                    "Got a new order! Order ID: 2", "Successfully persisted state.",
                                    "Got a new order! Order ID: 3", "Successfully persisted state."]
        invoke = [c for c in sidecar.calls if c[0] == "invoke"][0]
        assert invoke[1:4] == ("/v1.0/invoke/nodeapp/method/neworder", "nodeapp", b'{"data": {"orderId": 1}}')
        assert invoke[4]["Content-Type"] == "application/json"
        assert [c for c in sidecar.calls if c[0] == "save"][0] == ("save", [{"key": "order", "value": {"orderId": 1}}])
        assert _log(python) == ""  # the sample prints nothing while its calls succeed
        status, body, _ = _http(app_port, "/order")
        assert status == 200 and json.loads(body)["orderId"] >= 3
        status, body, _ = _http(app_port, "/ports")
        assert (status, json.loads(body)) == (200, {"DAPR_HTTP_PORT": str(sidecar.port)})
        status, body, _ = _http(app_port, "/nowhere")
        assert status == 404 and "<pre>Cannot GET /nowhere</pre>" in body
    finally:
        sidecar.stop()


def test_the_current_python_sample_routes_by_the_dapr_app_id_header(run):
    app_port = _free_port()
    sidecar = FakeSidecar(app_port)
    try:
        node = run("hello-k8s-node.sh", "ghcr", APP_PORT=str(app_port), DAPR_HTTP_PORT=str(sidecar.port))
        run("hello-k8s-python.sh", "ghcr", DAPR_HTTP_ENDPOINT=f"http://localhost:{sidecar.port}")
        _until(node, "Successfully persisted state.")
        invoke = [c for c in sidecar.calls if c[0] == "invoke"][0]
        assert invoke[1:3] == ("/neworder", "nodeapp") and invoke[4]["dapr-app-id"] == "nodeapp"
    finally:
        sidecar.stop()


def test_the_current_node_sample_needs_app_port(run):
    node = run("hello-k8s-node.sh", "ghcr")
    assert node.wait(5) == 1
    assert _log(node).startswith("[error]: --app-port is not set. Re-run dapr run with -p or --app-port.\n"
                                 "Usage: https://github.com/dapr/quickstarts/tree/master/tutorials/hello-kubernetes")


def test_a_refused_state_call_is_the_samples_500_and_its_log(run):
    app_port = _free_port()
    sidecar = FakeSidecar(app_port)
    sidecar.state_status = 500
    try:
        node = run("hello-k8s-node.sh", APP_PORT=str(app_port), DAPR_HTTP_PORT=str(sidecar.port))
        status, body, headers = _http(app_port, "/neworder", b'{"data": {"orderId": 42}}')
        assert (status, json.loads(body)) == (500, {"message": "Failed to persist state."})
        assert headers["X-Powered-By"] == "Express"
        status, body, _ = _http(app_port, "/order")
        assert (status, json.loads(body)) == (500, {"message": "Could not get state."})
        status, body, _ = _http(app_port, "/neworder", b"not json")
        assert status == 500 and "TypeError" in body
        logs = _until(node, "TypeError")
        assert ("Got a new order! Order ID: 42\nFailed to persist state.\nCould not get state.\n"
                "TypeError: Cannot read properties of undefined (reading 'orderId')") in logs
    finally:
        sidecar.stop()


def test_without_a_sidecar_both_say_so_once(run):
    app_port, nothing = _free_port(), _free_port()
    node = run("hello-k8s-node.sh", APP_PORT=str(app_port), DAPR_HTTP_PORT=str(nothing))
    status, body, _ = _http(app_port, "/neworder", b'{"data": {"orderId": 7}}')
    assert status == 500 and json.loads(body)["message"]["code"] == "ECONNREFUSED"
    assert (f"FetchError: request to http://localhost:{nothing}/v1.0/state/statestore failed, reason: connect "
            f"ECONNREFUSED 127.0.0.1:{nothing}") in _until(node, "FetchError")
    python = run("hello-k8s-python.sh", DAPR_HTTP_PORT=str(nothing))
    logs = _until(python, "Max retries exceeded", timeout=5)
    time.sleep(1.5)
    logs = _log(python)
    assert logs.startswith(f"HTTPConnectionPool(host='localhost', port={nothing}): Max retries exceeded with url: "
                           "/v1.0/invoke/nodeapp/method/neworder (Caused by NewConnectionError(")
    assert logs.count("Max retries exceeded") >= 2  # it keeps trying, every second
    assert logs.count(f"no Dapr sidecar answers on localhost:{nothing}") == 1


def test_an_unknown_app_id_prints_the_sidecars_answer(run, image):
    sidecar = FakeSidecar(_free_port())
    try:
        script = image["root"] / "hello-k8s-python.sh"
        script.write_text(script.read_text().replace("/invoke/nodeapp/", "/invoke/nosuchapp/"))
        python = run("hello-k8s-python.sh", DAPR_HTTP_PORT=str(sidecar.port))
        logs = _until(python, "HTTP 500")
        assert logs.splitlines()[0] == ('HTTP 500 => {"errorCode": "ERR_DIRECT_INVOKE", "message": '
                                        '"app nosuchapp not found"}')
    finally:
        sidecar.stop()
