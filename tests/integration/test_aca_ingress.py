"""The ingress policies and TCP ingress on real Docker, through the daemon, checked with the real curl:
CORS preflight and simple requests, IP access restrictions (allow and deny for 127.0.0.1), a sticky
cookie keeping a client on one replica of a two-replica app, and a TCP app answering on its exposed
port. Bad input changes nothing."""

import socket
import subprocess
import time

import pytest

from azlocal.core import settings
from tests.integration import busybox

pytestmark = pytest.mark.integration

RG = ["-g", "ing-rg"]


@pytest.fixture
def env(az):
    yield from busybox.resource_group(az, "ing-rg")


def _image(tmp_path):
    """Port 80 answers with the replica's hostname (one page per replica)."""
    ctx = busybox.write_context(tmp_path / "who", ['CMD ["sh", "-c", "mkdir -p /www && hostname > /www/index.html '
                                                   '&& exec httpd -f -p 80 -h /www"]'])
    return busybox.build(ctx, "azlocal-test/who:v1")


def _curl(home, *args):
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert", str(home / "ca.crt"), *args],
                       capture_output=True, text=True)
    return r.stdout


def _headers(home, url, *args):
    """Status and lower-cased headers of one request (body dropped)."""
    lines = _curl(home, "-o", "/dev/null", "-D", "-", url, *args).splitlines()
    status = int(lines[0].split()[1]) if lines else 0
    return status, {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:]) if v}


def _until(check, seconds=20):
    """Polls `check` (the gateway reloads its routes within a second) until true or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_cors_access_restrictions_and_sticky_sessions(az, env, home, tmp_path):
    image = _image(tmp_path)
    assert az("containerapp", "env", "create", "-n", "ing-env", *RG, "-o", "none").code == 0
    r = az("containerapp", "create", "-n", "who", *RG, "--environment", "ing-env", "--image", image, "--ingress",
           "external", "--target-port", "80", "--min-replicas", "2", "--max-replicas", "2")
    assert r.code == 0, r.err
    url = f"https://{r.json()['properties']['configuration']['ingress']['fqdn']}/"

    # CORS: the gateway answers the preflight; a simple request gets the headers; another origin none
    assert az("containerapp", "ingress", "cors", "enable", "-n", "who", *RG, "--allowed-origins", "https://a.com",
              "--allowed-methods", "GET", "PUT", "--max-age", "60", "--expose-headers", "x-trace").code == 0
    preflight = ["-X", "OPTIONS", "-H", "Origin: https://a.com", "-H", "Access-Control-Request-Method: PUT"]
    status, h = _until(lambda: (lambda s: s if "access-control-allow-origin" in s[1] else None)(
        _headers(home, url, *preflight)))
    assert status == 200 and h["access-control-allow-origin"] == "https://a.com"
    assert h["access-control-allow-methods"] == "GET,PUT" and h["access-control-max-age"] == "60"
    status, h = _headers(home, url, "-H", "Origin: https://a.com")
    assert status == 200 and h["access-control-allow-origin"] == "https://a.com"
    assert h["access-control-expose-headers"] == "x-trace"
    status, h = _headers(home, url, "-H", "Origin: https://evil.example")
    assert status == 200 and not [k for k in h if k.startswith("access-control")]

    # Access restrictions: an Allow rule that leaves 127.0.0.1 out denies it; one that covers it lets it in
    ar = ["containerapp", "ingress", "access-restriction"]
    assert az(*ar, "set", "-n", "who", *RG, "--rule-name", "corp", "--ip-address", "10.0.0.0/8", "--action",
              "Allow").code == 0
    assert _until(lambda: _curl(home, url) == "RBAC: access denied")
    assert _headers(home, url)[0] == 403
    bad = az(*ar, "set", "-n", "who", *RG, "--rule-name", "mix", "--ip-address", "127.0.0.1/32", "--action", "Deny")
    assert bad.code == 1 and "all 'Allow' or all 'Deny'" in bad.err
    assert [x["name"] for x in az(*ar, "list", "-n", "who", *RG).json()] == ["corp"]
    assert az(*ar, "set", "-n", "who", *RG, "--rule-name", "corp", "--ip-address", "127.0.0.0/8", "--action",
              "Allow").code == 0
    assert _until(lambda: _headers(home, url)[0] == 200)
    assert az(*ar, "remove", "-n", "who", *RG, "--rule-name", "corp").json() == []
    assert az(*ar, "set", "-n", "who", *RG, "--rule-name", "me", "--ip-address", "127.0.0.1/32", "--action",
              "Deny").code == 0
    assert _until(lambda: _headers(home, url)[0] == 403)
    az(*ar, "remove", "-n", "who", *RG, "--rule-name", "me")
    assert _until(lambda: _headers(home, url)[0] == 200)

    # Sticky sessions: without the cookie both replicas answer; with it, one
    seen = {_curl(home, url).strip() for _ in range(24)}
    assert len(seen) == 2, seen
    r = az("containerapp", "ingress", "sticky-sessions", "set", "-n", "who", *RG, "--affinity", "sticky")
    assert r.code == 0 and r.json()["stickySessions"]["affinity"] == "sticky"
    jar = str(tmp_path / "jar")
    assert _until(lambda: "azlocal-affinity" in _headers(home, url, "-c", jar)[1].get("set-cookie", ""))
    pinned = {_curl(home, url, "-b", jar, "-c", jar).strip() for _ in range(16)}
    assert len(pinned) == 1, pinned
    bad = az("containerapp", "revision", "set-mode", "-n", "who", *RG, "--mode", "multiple")
    if bad.code == 0:  # multiple mode: affinity no longer applies, and cannot be set again
        az("containerapp", "ingress", "sticky-sessions", "set", "-n", "who", *RG, "--affinity", "none")
        r = az("containerapp", "ingress", "sticky-sessions", "set", "-n", "who", *RG, "--affinity", "sticky")
        assert r.code == 1 and "single revision mode" in r.err


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tcp_ingress_answers_on_its_exposed_port(az, env, home, tmp_path):
    image = _image(tmp_path)
    assert az("containerapp", "env", "create", "-n", "ing-env", *RG, "-o", "none").code == 0
    port = _free_port()
    r = az("containerapp", "create", "-n", "raw", *RG, "--environment", "ing-env", "--image", image, "--ingress",
           "external", "--transport", "tcp", "--target-port", "80", "--exposed-port", str(port),
           "--scale-rule-name", "conns", "--scale-rule-type", "tcp", "--scale-rule-tcp-concurrency", "5")
    assert r.code == 0, r.err
    ingress = r.json()["properties"]["configuration"]["ingress"]
    assert ingress["transport"] == "Tcp" and ingress["exposedPort"] == port
    fqdn = ingress["fqdn"]
    # the bytes go through the daemon's TCP listener to the replica (here they happen to be HTTP)
    request = f"GET / HTTP/1.0\r\nHost: {fqdn}\r\n\r\n"

    def ask():
        out = subprocess.run([settings.busybox_path(), "nc", "-w", "5", fqdn, str(port)], input=request,
                             capture_output=True, text=True, timeout=20)
        return out.stdout

    answer = _until(ask, 30)
    assert answer.startswith("HTTP/1.") and answer.rstrip().splitlines()[-1].strip(), answer
    # http-only settings are refused for a TCP app, and nothing changes
    r = az("containerapp", "ingress", "sticky-sessions", "set", "-n", "raw", *RG, "--affinity", "sticky")
    assert r.code == 1 and "only supported for HTTP ingress" in r.err
    r = az("containerapp", "ingress", "update", "-n", "raw", *RG, "--allow-insecure")
    assert r.code == 1 and "--allow-insecure is not supported for TCP ingress" in r.err
    assert az("containerapp", "ingress", "show", "-n", "raw", *RG).json() == ingress
    # an Allow rule leaving 127.0.0.1 out closes its connections
    assert az("containerapp", "ingress", "access-restriction", "set", "-n", "raw", *RG, "--rule-name", "corp",
              "--ip-address", "10.0.0.0/8", "--action", "Allow").code == 0
    assert _until(lambda: ask() == "", 10)
