"""Dapr pub/sub and secrets between container apps on Docker, through azlocal's real sidecars.

A publisher app posts to `localhost:3500/v1.0/publish/pubsub/orders` with wget inside its container; two
subscriber apps (busybox httpd: a static `/dapr/subscribe`, a CGI route that writes what it gets to the
container's log and a file) each receive every message as a CloudEvent (fan-out). One subscriber answers 500
while a marker file exists: the sidecar redelivers with back-off, and once the file is removed every message
arrives. A subscriber replica replaced by a revision restart gets what is published afterwards and nothing it
had acknowledged. The publisher reads a Key Vault secret through a `secretstores.azure.keyvault` component as its
system-assigned identity: refused (ERR_SECRET_GET) until the vault's access policy lets it get secrets."""

import json
import subprocess
import time

import pytest

from tests.integration import busybox

pytestmark = pytest.mark.integration

G, ENV = "dapr-pubsub-rg", "dapr-pubsub-env"

SUBSCRIBE = json.dumps([{"pubsubname": "pubsub", "topic": "orders", "route": "/cgi-bin/orders"}])
ORDERS = r"""#!/bin/sh
body=$(head -c "${CONTENT_LENGTH:-0}")
if [ -e /tmp/broken ]; then
  echo "failing: $body" >> /tmp/failed
  echo "failing: $body" > /proc/1/fd/1
  printf 'HTTP/1.0 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nbroken\n'
  exit 0
fi
echo "$body" >> /tmp/got
echo "got: $body" > /proc/1/fd/1
printf 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"status":"SUCCESS"}\n'
"""


@pytest.fixture
def env(az):
    yield from busybox.resource_group(az, G)


def _images(tmp_path):
    httpd = 'CMD ["httpd", "-f", "-p", "3000", "-h", "/www"]'
    files = {"www/cgi-bin/orders": ORDERS, "www/dapr/subscribe": SUBSCRIBE, "tmp/.keep": ""}
    good = busybox.write_context(tmp_path / "sub", ["COPY www /www", "COPY tmp /tmp", httpd], files=files)
    broken = busybox.write_context(tmp_path / "broken", ["COPY www /www", "COPY tmp /tmp", httpd],
                                   files=dict(files, **{"tmp/broken": "x"}))
    caller = busybox.write_context(tmp_path / "pub", ['CMD ["sleep", "3600"]'])
    return (busybox.build(good, "azlocal-test/dapr-sub:v1"), busybox.build(broken, "azlocal-test/dapr-sub-broken:v1"),
            busybox.build(caller, "azlocal-test/dapr-pub:v1"))


def _heads(home, app_name):
    out = subprocess.run(["docker", "ps", "--format", "{{.Names}} {{.Label \"azlocal.aca.replica\"}}", "--filter",
                          f"label=azlocal.home={home.resolve()}", "--filter", "label=azlocal.aca.replica"],
                         capture_output=True, text=True).stdout
    return sorted(name for name, replica in (line.split() for line in out.splitlines() if line.strip())
                  if name == replica and name.startswith(app_name + "--"))


def _exec(container, *cmd):
    return subprocess.run(["docker", "exec", container, *cmd], capture_output=True, text=True, timeout=30)


def _until(fn, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.25)


def _received(container):
    out = _exec(container, "sh", "-c", "cat /tmp/got 2>/dev/null; true").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _create(az, name, image, *extra):
    r = az("containerapp", "create", "-n", name, "-g", G, "--environment", ENV, "--image", image,
           "--enable-dapr", "--dapr-app-id", name, *extra)
    assert r.code == 0, r.err
    return r.json()


def test_fan_out_redelivery_and_a_key_vault_secret_through_the_sidecars(az, env, home, tmp_path):
    sub_image, broken_image, pub_image = _images(tmp_path)
    assert az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none").code == 0
    component = tmp_path / "pubsub.yaml"
    component.write_text("componentType: pubsub.in-memory\nversion: v1\nmetadata: []\n")
    r = az("containerapp", "env", "dapr-component", "set", "-g", G, "-n", ENV, "--dapr-component-name", "pubsub",
           "--yaml", str(component))
    assert r.code == 0, r.err
    _create(az, "sub-a", sub_image, "--dapr-app-port", "3000")
    _create(az, "sub-b", broken_image, "--dapr-app-port", "3000")
    publisher = _create(az, "publisher", pub_image, "--system-assigned")
    [sub_a], [sub_b], [pub] = _heads(home, "sub-a"), _heads(home, "sub-b"), _heads(home, "publisher")

    # Publish five orders from inside the publisher's container.
    for n in range(5):
        out = _exec(pub, "wget", "-q", "-O", "-", "--header", "Content-Type: application/json", "--post-data",
                    json.dumps({"orderId": n}), "http://localhost:3500/v1.0/publish/pubsub/orders")
        assert out.returncode == 0, out.stderr
    missing = _exec(pub, "sh", "-c", "wget -q -O - --post-data x http://localhost:3500/v1.0/publish/nope/orders "
                                     "2>&1; true")
    assert "404" in missing.stdout

    # Fan-out: sub-a gets every order, as CloudEvents made by the publisher's sidecar.
    got = _until(lambda: _received(sub_a) if len(_received(sub_a)) >= 5 else None)
    assert got, _received(sub_a)
    assert sorted(e["data"]["orderId"] for e in got) == [0, 1, 2, 3, 4]
    assert {(e["source"], e["topic"], e["pubsubname"], e["type"]) for e in got} == \
        {("publisher", "orders", "pubsub", "com.dapr.event.sent")}
    assert "got: {" in subprocess.run(["docker", "logs", sub_a], capture_output=True, text=True).stdout
    meta = json.loads(_exec(sub_a, "wget", "-q", "-O", "-", "http://localhost:3500/v1.0/metadata").stdout)
    assert [(s["pubsubname"], s["topic"]) for s in meta["subscriptions"]] == [("pubsub", "orders")]

    # sub-b fails: its sidecar keeps redelivering (the failures are in its log); nothing is lost.
    def failures():
        count = _exec(sub_b, "sh", "-c", "cat /tmp/failed 2>/dev/null | wc -l").stdout.strip()
        return int(count or 0) >= 7
    assert _until(failures), subprocess.run(["docker", "logs", sub_b], capture_output=True, text=True).stdout
    assert "failing: {" in subprocess.run(["docker", "logs", sub_b], capture_output=True, text=True).stdout
    assert _received(sub_b) == []
    assert _exec(sub_b, "rm", "/tmp/broken").returncode == 0
    got_b = _until(lambda: _received(sub_b) if len(_received(sub_b)) >= 5 else None)
    assert got_b and sorted(e["data"]["orderId"] for e in got_b) == [0, 1, 2, 3, 4]

    # sub-a's replica is replaced (revision restart): its new sidecar resumes the app's place in the topic, so
    # the new replica gets the orders published since, and none of those already acknowledged.
    revision = az("containerapp", "show", "-n", "sub-a", "-g", G).json()["properties"]["latestRevisionName"]
    assert az("containerapp", "revision", "restart", "-n", "sub-a", "-g", G, "--revision", revision).code == 0
    fresh = _until(lambda: [h for h in _heads(home, "sub-a") if h != sub_a] or None)
    assert fresh, _heads(home, "sub-a")
    for n in (5, 6):
        out = _exec(pub, "wget", "-q", "-O", "-", "--header", "Content-Type: application/json", "--post-data",
                    json.dumps({"orderId": n}), "http://localhost:3500/v1.0/publish/pubsub/orders")
        assert out.returncode == 0, out.stderr
    after = _until(lambda: _received(fresh[0]) if len(_received(fresh[0])) >= 2 else None)
    assert after and sorted(e["data"]["orderId"] for e in after) == [5, 6], _received(fresh[0])
    time.sleep(1)
    assert len(_received(fresh[0])) == 2
    sub_a = fresh[0]

    # A Key Vault secret read by the publisher's sidecar as the app's system-assigned identity.
    assert az("keyvault", "create", "-n", "dapr-pubsub-kv", "-g", G, "--enable-rbac-authorization",
              "false").code == 0
    assert az("keyvault", "secret", "set", "--vault-name", "dapr-pubsub-kv", "-n", "db-conn", "--value",
              "Server=db;Password=p4ss").code == 0
    store = tmp_path / "vault.yaml"
    store.write_text("componentType: secretstores.azure.keyvault\nversion: v1\nmetadata:\n"
                     "- name: vaultName\n  value: dapr-pubsub-kv\nscopes: [publisher]\n")
    r = az("containerapp", "env", "dapr-component", "set", "-g", G, "-n", ENV, "--dapr-component-name", "vault",
           "--yaml", str(store))
    assert r.code == 0, r.err
    url = "http://localhost:3500/v1.0/secrets/vault/db-conn"

    def read():
        return _exec(pub, "sh", "-c", f"wget -q -O - {url} 2>&1; true").stdout
    refused = _until(lambda: read() if "500" in read() else None, timeout=10)
    assert refused, read()
    principal = publisher["identity"]["principalId"]
    assert az("keyvault", "set-policy", "-n", "dapr-pubsub-kv", "--object-id", principal, "--secret-permissions",
              "get").code == 0
    value = _until(lambda: read() if read().startswith("{") else None, timeout=10)
    assert json.loads(value) == {"db-conn": "Server=db;Password=p4ss"}
    # Scoped to the publisher: sub-a's sidecar does not load it (and has no secret store at all).
    other = _exec(sub_a, "sh", "-c", f"wget -q -O - {url} 2>&1; true").stdout
    assert "500" in other and not other.startswith("{")
    meta = json.loads(_exec(sub_a, "wget", "-q", "-O", "-", "http://localhost:3500/v1.0/metadata").stdout)
    assert [c["name"] for c in meta["components"]] == ["pubsub"]


@pytest.fixture
def stop_redis(home):
    yield
    from azlocal.aca.dapr import redis_server

    redis_server.stop()


def test_redis_pubsub_fans_out_on_the_homes_redis_server(az, stop_redis, env, home, tmp_path):
    sub_image, _broken, pub_image = _images(tmp_path)
    assert az("containerapp", "env", "create", "-n", ENV, "-g", G, "--logs-destination", "none").code == 0
    component = tmp_path / "redis.yaml"
    component.write_text("componentType: pubsub.redis\nversion: v1\nmetadata:\n- name: redisHost\n"
                         "  value: my-redis.redis.cache.windows.net:6380\n- name: redisPassword\n"
                         "  secretRef: redis-key\nsecrets:\n- name: redis-key\n  value: not-needed-offline\n")
    r = az("containerapp", "env", "dapr-component", "set", "-g", G, "-n", ENV, "--dapr-component-name", "pubsub",
           "--yaml", str(component))
    assert r.code == 0, r.err
    _create(az, "sub-a", sub_image, "--dapr-app-port", "3000")
    _create(az, "sub-c", sub_image, "--dapr-app-port", "3000")
    _create(az, "publisher", pub_image)
    [sub_a], [sub_c], [pub] = _heads(home, "sub-a"), _heads(home, "sub-c"), _heads(home, "publisher")
    for n in range(3):
        out = _exec(pub, "wget", "-q", "-O", "-", "--header", "Content-Type: application/json", "--post-data",
                    json.dumps({"orderId": n}), "http://localhost:3500/v1.0/publish/pubsub/orders")
        assert out.returncode == 0, out.stderr
    for sub in (sub_a, sub_c):
        got = _until(lambda s=sub: _received(s) if len(_received(s)) >= 3 else None)
        assert got and sorted(e["data"]["orderId"] for e in got) == [0, 1, 2], (sub, _received(sub))
    from azlocal.aca.dapr import redis_server

    stream = redis_server.client().xinfo_stream("orders")  # the messages are a redis stream, as Dapr keeps them
    assert stream["length"] == 3
    assert {g["name"] for g in redis_server.client().xinfo_groups("orders")} == {b"sub-a", b"sub-c"}
