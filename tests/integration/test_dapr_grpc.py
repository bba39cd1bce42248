"""The sidecar's Dapr gRPC API on Docker, through the official `dapr` Python SDK: the test runs a DaprClient
script on the host inside the caller replica's network namespace (`nsenter --net`), where localhost:50001 and
localhost:3500 are that replica's real sidecar, as they are for the app itself. It invokes the other app by
app id over gRPC (InvokeService, DAPR_API_METHOD_INVOCATION_PROTOCOL=grpc), saves and reads state with an
ETag and gets ABORTED for a stale one, publishes to a pubsub.in-memory topic the node app subscribes to (its
httpd CGI receives the CloudEvent), and reads the sidecar's metadata; a gRPC app (--dapr-app-protocol grpc,
Dapr's AppCallback service run by the test in its replica's namespace) is invoked by app id and reached by gRPC
proxying (dapr-app-id metadata). Components come from `az containerapp
env dapr-component set` with the YAML as the docs write it; a type azlocal cannot back is refused."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

G, ENV = "dapr-grpc-rg", "dapr-grpc-env"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ECHO = r"""#!/bin/sh
body=$(head -c "${CONTENT_LENGTH:-0}")
printf 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-Replica: %s\r\n\r\n' "$CONTAINER_APP_REPLICA_NAME"
printf '{"method":"%s","query":"%s","got":%s}\n' "$REQUEST_METHOD" "$QUERY_STRING" "${body:-null}"
"""
ORDERS = r"""#!/bin/sh
head -c "${CONTENT_LENGTH:-0}" >> /www/events
echo >> /www/events
printf 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"status":"SUCCESS"}\n'
"""
SUBSCRIBE = '[{"pubsubname": "pubsub", "topic": "orders", "route": "/cgi-bin/orders"}]\n'

STATE_YAML = """componentType: state.in-memory
version: v1
metadata: []
scopes:
- pythonapp
"""
PUBSUB_YAML = """componentType: pubsub.in-memory
version: v1
metadata: []
"""

CLIENT = r"""
import json, sys
from grpc import RpcError as DaprGrpcError  # the SDK raises DaprGrpcError (an RpcError), or the RpcError itself
from dapr.clients import DaprClient

out = {}
with DaprClient() as d:
    resp = d.invoke_method("nodeapp", "cgi-bin/neworder", data=b'{"orderId": 42}', content_type="application/json",
                           http_verb="POST", http_querystring=(("n", "1"),))
    out["invoke"] = json.loads(resp.data)
    out["invoke_content_type"] = resp.content_type
    try:
        d.invoke_method("nosuch", "x", data=b"", http_verb="GET")
    except DaprGrpcError as ex:
        out["invoke_unknown"] = [ex.code().name, ex.details()]
    d.save_state("statestore", "order", '{"orderId": 1}')
    first = d.get_state("statestore", "order")
    d.save_state("statestore", "order", '{"orderId": 2}', etag=first.etag)
    try:
        d.save_state("statestore", "order", '{"orderId": 3}', etag=first.etag)
    except DaprGrpcError as ex:
        out["stale_etag"] = [ex.code().name, ex.details()]
    now = d.get_state("statestore", "order")
    out["state"] = [now.data.decode(), now.etag != first.etag]
    try:
        d.get_state("nostore", "order")
    except DaprGrpcError as ex:
        out["no_store"] = [ex.code().name, ex.details()]
    d.publish_event("pubsub", "orders", json.dumps({"orderId": 7}), data_content_type="application/json")
    meta = d.get_metadata()
    out["metadata"] = [meta.application_id, sorted(c.name for c in meta.registered_components)]
print(json.dumps(out))
"""

# A gRPC app (Dapr's AppCallback service, the dapr package's servicer) run by the test in a replica's namespace.
GRPC_APP = r"""
import asyncio, grpc
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import appcallback_pb2_grpc
from google.protobuf import any_pb2

class App(appcallback_pb2_grpc.AppCallbackServicer):
    async def OnInvoke(self, request, context):
        return common_pb2.InvokeResponse(data=any_pb2.Any(value=b"grpc app got " + request.method.encode() + b" "
                                                          + request.data.value), content_type="text/plain")

class Echo(grpc.GenericRpcHandler):  # a service of the app's own, reached by gRPC proxying
    def service(self, details):
        async def say(request, context):
            return b"echo " + request
        if details.method == "/test.Echo/Say":
            return grpc.unary_unary_rpc_method_handler(say, lambda x: x, lambda x: x)

async def main():
    server = grpc.aio.server()
    appcallback_pb2_grpc.add_AppCallbackServicer_to_server(App(), server)
    server.add_generic_rpc_handlers((Echo(),))
    server.add_insecure_port("0.0.0.0:6000")
    await server.start()
    print("listening", flush=True)
    await server.wait_for_termination()

asyncio.run(main())
"""
CALL_GRPC_APP = r"""
import grpc
from dapr.clients import DaprClient
with DaprClient() as d:
    print(d.invoke_method("grpcapp", "hello", data=b"world").data.decode())
with grpc.insecure_channel("127.0.0.1:50001") as channel:
    say = channel.unary_unary("/test.Echo/Say", request_serializer=lambda x: x, response_deserializer=lambda x: x)
    print(say(b"proxied", metadata=(("dapr-app-id", "grpcapp"),)).decode())
"""


@pytest.fixture
def env(az):
    yield from busybox.resource_group(az, G)


def _images(tmp_path):
    httpd = 'CMD ["httpd", "-f", "-p", "3000", "-h", "/www"]'
    node = busybox.write_context(tmp_path / "node", ["COPY www /www", httpd],
                                 files={"www/cgi-bin/neworder": ECHO, "www/cgi-bin/orders": ORDERS,
                                        "www/dapr/subscribe": SUBSCRIBE})
    caller = busybox.write_context(tmp_path / "caller", ['CMD ["sleep", "3600"]'])
    return (busybox.build(node, "azlocal-test/dapr-grpc-node:v1"),
            busybox.build(caller, "azlocal-test/dapr-grpc-caller:v1"))


def _head(home, app_name):
    out = subprocess.run(["docker", "ps", "--format", "{{.Names}} {{.Label \"azlocal.aca.replica\"}}", "--filter",
                          f"label=azlocal.home={home.resolve()}", "--filter", "label=azlocal.aca.replica"],
                         capture_output=True, text=True).stdout
    names = sorted(name for name, replica in (line.split() for line in out.splitlines() if line.strip())
                   if name == replica and name.startswith(app_name + "--"))
    assert len(names) == 1, names
    return names[0]


def _pid(container):
    return subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", container], capture_output=True, text=True,
                          check=True).stdout.strip()


def _in_namespace(container, script, tmp_path, background=False):
    """Runs `script` with the host's python in the container's network namespace (its localhost)."""
    path = tmp_path / f"script{len(list(tmp_path.glob('script*.py')))}.py"
    path.write_text(script)
    environ = dict(os.environ, DAPR_HTTP_PORT="3500", DAPR_GRPC_PORT="50001", DAPR_HEALTH_TIMEOUT="30",
                   DAPR_API_METHOD_INVOCATION_PROTOCOL="grpc", PYTHONPATH=REPO)
    environ.pop("DAPR_HTTP_ENDPOINT", None)
    environ.pop("DAPR_GRPC_ENDPOINT", None)
    command = [shutil.which("nsenter"), f"--net=/proc/{_pid(container)}/ns/net", sys.executable, str(path)]
    if background:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environ)


def test_the_dapr_sdk_over_grpc_invokes_keeps_state_with_etags_and_publishes(az, env, home, tmp_path):
    if os.geteuid() != 0 or not shutil.which("nsenter"):
        pytest.skip("entering a replica's network namespace needs root and nsenter")
    node_image, caller_image = _images(tmp_path)
    assert az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none").code == 0
    dc = ("containerapp", "env", "dapr-component", "set", "-g", G, "-n", ENV)
    for name, text in (("statestore", STATE_YAML), ("pubsub", PUBSUB_YAML)):
        (tmp_path / f"{name}.yaml").write_text(text)
        r = az(*dc, "--dapr-component-name", name, "--yaml", str(tmp_path / f"{name}.yaml"))
        assert r.code == 0, r.err
    (tmp_path / "bad.yaml").write_text("componentType: bindings.kafka\nversion: v1\n")
    r = az(*dc, "--dapr-component-name", "kafka", "--yaml", str(tmp_path / "bad.yaml"))
    assert r.code == 1 and "bindings.kafka" in r.err and "state.azure.blobstorage" in r.err
    r = az("containerapp", "create", "-n", "nodeapp", "-g", G, "--environment", ENV, "--image", node_image,
           "--enable-dapr", "--dapr-app-id", "nodeapp", "--dapr-app-port", "3000")
    assert r.code == 0, r.err
    r = az("containerapp", "create", "-n", "pythonapp", "-g", G, "--environment", ENV, "--image", caller_image,
           "--enable-dapr", "--dapr-app-id", "pythonapp")
    assert r.code == 0, r.err
    caller, node = _head(home, "pythonapp"), _head(home, "nodeapp")

    ran = _in_namespace(caller, CLIENT, tmp_path)
    assert ran.returncode == 0, ran.stderr[-3000:]
    out = json.loads(ran.stdout.strip().splitlines()[-1])
    assert out["invoke"] == {"method": "POST", "query": "n=1", "got": {"orderId": 42}}
    assert out["invoke_content_type"].startswith("application/json")
    assert out["invoke_unknown"][0] == "INTERNAL" and "failed to invoke, id: nosuch" in out["invoke_unknown"][1]
    assert out["stale_etag"][0] == "ABORTED" and "statestore" in out["stale_etag"][1]
    assert out["state"] == ['{"orderId": 2}', True]
    assert out["no_store"][0] == "INVALID_ARGUMENT"
    assert out["metadata"] == ["pythonapp", ["pubsub", "statestore"]]

    # The subscriber's sidecar delivers the published event to its route, as a CloudEvent.
    deadline = time.monotonic() + 30
    events = ""
    while time.monotonic() < deadline:
        events = subprocess.run(["docker", "exec", node, "cat", "/www/events"], capture_output=True,
                                text=True).stdout
        if events.strip():
            break
        time.sleep(0.5)
    event = json.loads(events.strip().splitlines()[0])
    assert event["data"] == {"orderId": 7} and event["topic"] == "orders" and event["source"] == "pythonapp"

    # The state store is scoped to pythonapp: nodeapp's sidecar has no state store, over gRPC either.
    scoped = _in_namespace(node, "from dapr.clients import DaprClient\nfrom dapr.clients.exceptions import "
                                 "DaprGrpcError\nwith DaprClient() as d:\n    try:\n        d.get_state('statestore',"
                                 " 'order')\n    except DaprGrpcError as ex:\n        print(ex.code().name)\n",
                           tmp_path)
    assert scoped.stdout.strip() == "FAILED_PRECONDITION", scoped.stderr[-2000:]

    # A gRPC app (--dapr-app-protocol grpc): the caller's sidecar reaches its AppCallback OnInvoke by app id.
    r = az("containerapp", "create", "-n", "grpcapp", "-g", G, "--environment", ENV, "--image", caller_image,
           "--enable-dapr", "--dapr-app-id", "grpcapp", "--dapr-app-port", "6000", "--dapr-app-protocol", "grpc")
    assert r.code == 0, r.err
    server = _in_namespace(_head(home, "grpcapp"), GRPC_APP, tmp_path, background=True)
    try:
        assert server.stdout.readline().strip() == "listening", server.stderr.read()[-2000:]
        called = _in_namespace(caller, CALL_GRPC_APP, tmp_path)
        assert called.returncode == 0, called.stderr[-3000:]
        assert called.stdout.strip().splitlines()[-2:] == ["grpc app got hello world", "echo proxied"]
    finally:
        server.kill()
        server.wait()
