"""Dapr service invocation between two container apps on Docker, through azlocal's real sidecars: each
replica of a Dapr-enabled app has a sidecar in its network namespace, so `wget localhost:3500` inside the
caller's container reaches Dapr's API; invoking the other app by its app id load-balances over its replicas
(method, query string, body and status passed through); an unknown app id is Dapr's ERR_DIRECT_INVOKE; the
sidecars come back for the new replicas after `az containerapp revision restart`, a killed sidecar is started
again, and every replica has one after a scale-out."""

import json
import os
import signal
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

G, ENV = "dapr-inv-rg", "dapr-inv-env"

ECHO = r"""#!/bin/sh
body=$(head -c "${CONTENT_LENGTH:-0}")
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Replica: %s\r\n\r\n' "$CONTAINER_APP_REPLICA_NAME"
printf '%s %s %s %s\n' "$REQUEST_METHOD" "$QUERY_STRING" "$CONTAINER_APP_REPLICA_NAME" "$body"
"""
TEAPOT = "#!/bin/sh\nprintf 'HTTP/1.0 418 Teapot\\r\\nContent-Type: text/plain\\r\\n\\r\\nshort and stout\\n'\n"


@pytest.fixture
def env(az):
    yield from busybox.resource_group(az, G)


def _images(tmp_path):
    httpd = 'CMD ["httpd", "-f", "-p", "3000", "-h", "/www"]'
    server = busybox.write_context(tmp_path / "node", ["COPY www /www", httpd],
                                   files={"www/cgi-bin/neworder": ECHO, "www/cgi-bin/teapot": TEAPOT,
                                          "www/index.html": "hello\n"})
    caller = busybox.write_context(tmp_path / "caller", ['CMD ["sleep", "3600"]'])
    return busybox.build(server, "azlocal-test/dapr-node:v1"), busybox.build(caller, "azlocal-test/dapr-caller:v1")


def _heads(home, app_name):
    out = subprocess.run(["docker", "ps", "--format", "{{.Names}} {{.Label \"azlocal.aca.replica\"}}", "--filter",
                          f"label=azlocal.home={home.resolve()}", "--filter", "label=azlocal.aca.replica"],
                         capture_output=True, text=True).stdout
    return sorted(name for name, replica in (line.split() for line in out.splitlines() if line.strip())
                  if name == replica and name.startswith(app_name + "--"))


def _exec(container, *cmd):
    return subprocess.run(["docker", "exec", container, *cmd], capture_output=True, text=True, timeout=30)


def _wget(container, url, *extra):
    return _exec(container, "wget", "-q", "-O", "-", *extra, url)


def _until(fn, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.25)


def test_invoke_by_app_id_through_the_sidecars(az, env, home, tmp_path):
    node_image, caller_image = _images(tmp_path)
    r = az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none")
    assert r.code == 0, r.err
    r = az("containerapp", "create", "-n", "nodeapp", "-g", G, "--environment", ENV, "--image", node_image,
           "--min-replicas", "2", "--enable-dapr", "--dapr-app-id", "nodeapp", "--dapr-app-port", "3000")
    assert r.code == 0, r.err
    assert r.json()["properties"]["configuration"]["dapr"]["enabled"] is True
    r = az("containerapp", "create", "-n", "pythonapp", "-g", G, "--environment", ENV, "--image", caller_image,
           "--enable-dapr", "--dapr-app-id", "pythonapp")
    assert r.code == 0, r.err
    [caller] = _heads(home, "pythonapp")
    nodes = _heads(home, "nodeapp")
    assert len(nodes) == 2

    # The Dapr variables, and the sidecar answering on the container's own localhost (create waited for it).
    assert _exec(caller, "sh", "-c", "echo $DAPR_HTTP_PORT $DAPR_GRPC_PORT").stdout.split() == ["3500", "50001"]
    assert _wget(caller, "http://localhost:3500/v1.0/healthz", "-S").returncode == 0
    meta = json.loads(_wget(caller, "http://localhost:3500/v1.0/metadata").stdout)
    assert meta["id"] == "pythonapp" and meta["runtimeVersion"]

    # Invocation by app id: method, query string, body through; both replicas serve (round robin).
    served = set()
    for i in range(4):
        out = _wget(caller, f"http://localhost:3500/v1.0/invoke/nodeapp/method/cgi-bin/neworder?n={i}",
                    "--post-data", f'{{"orderId": {i}}}', "--header", "Content-Type: application/json")
        assert out.returncode == 0, out.stderr
        method, query, replica, body = out.stdout.split(" ", 3)
        assert (method, query, body.strip()) == ("POST", f"n={i}", f'{{"orderId": {i}}}')
        served.add(replica)
    assert served == set(nodes)
    # The target's status passes through; an unknown app id is Dapr's error.
    teapot = _wget(caller, "http://localhost:3500/v1.0/invoke/nodeapp/method/cgi-bin/teapot", "-S")
    assert teapot.returncode != 0 and "418" in teapot.stderr
    unknown = _exec(caller, "sh", "-c", "wget -q -O - http://localhost:3500/v1.0/invoke/nosuch/method/x 2>&1; true")
    assert "500" in unknown.stdout
    # dapr-app-id header routing, and the namespace-qualified app id.
    out = _wget(caller, "http://localhost:3500/cgi-bin/neworder?via=header", "--header", "dapr-app-id: nodeapp")
    assert out.returncode == 0 and out.stdout.startswith("GET via=header"), out.stderr
    assert _wget(caller, "http://localhost:3500/v1.0/invoke/nodeapp.k8se-apps/method/index.html").stdout == "hello\n"
    # The called app's own sidecar runs too (its namespace, its app id).
    assert json.loads(_wget(nodes[0], "http://localhost:3500/v1.0/metadata").stdout)["id"] == "nodeapp"

    # A revision restart makes new replicas: their sidecars come up and invocation reaches them.
    revision = az("containerapp", "show", "-n", "nodeapp", "-g", G).json()["properties"]["latestRevisionName"]
    r = az("containerapp", "revision", "restart", "-n", "nodeapp", "-g", G, "--revision", revision)
    assert r.code == 0, r.err

    def replaced():
        now = _heads(home, "nodeapp")
        return now if len(now) == 2 and not set(now) & set(nodes) else None
    fresh = _until(replaced)
    assert fresh, _heads(home, "nodeapp")
    for node in fresh:
        assert _until(lambda n=node: _wget(n, "http://localhost:3500/v1.0/healthz").returncode == 0), node

    def reaches_fresh():
        out = _wget(caller, "http://localhost:3500/v1.0/invoke/nodeapp/method/cgi-bin/neworder")
        return out.returncode == 0 and out.stdout.split(" ")[2] in fresh
    assert _until(reaches_fresh)

    # A sidecar that dies is started again by the daemon within a couple of seconds.
    from azlocal.aca.dapr import supervisor

    killed = supervisor.read_state(caller)["pid"]
    os.kill(killed, signal.SIGKILL)
    assert _until(lambda: (supervisor.read_state(caller) or {}).get("pid") not in (None, killed) and
                  supervisor.read_state(caller).get("state") == "up", timeout=10), supervisor.read_state(caller)
    assert _wget(caller, "http://localhost:3500/v1.0/invoke/nodeapp/method/index.html").stdout == "hello\n"

    # Scale-out of the caller: every replica (the new ones too) has its sidecar, and invokes.
    r = az("containerapp", "update", "-n", "pythonapp", "-g", G, "--min-replicas", "3")
    assert r.code == 0, r.err
    callers = _until(lambda: _heads(home, "pythonapp") if len(_heads(home, "pythonapp")) == 3 else None)
    assert callers
    for c in callers:
        out = _wget(c, "http://localhost:3500/v1.0/invoke/nodeapp/method/index.html")
        assert out.returncode == 0 and out.stdout == "hello\n", (c, out.stderr)
