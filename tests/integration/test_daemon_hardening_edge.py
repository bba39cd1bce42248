"""Issue 9, items 8, 12 and 13 against the real daemon: TLS only for served names, many idle
connections, slow headers, and credentials kept out of daemon.log."""

import json
import os
import resource
import socket
import ssl
import subprocess
import time

import pytest

pytestmark = pytest.mark.integration


def _start(az, preexec=None, **env):
    extra = {k: str(v) for k, v in env.items()}
    r = subprocess.run(["az", "local", "start"], env=dict(az.env, **extra), capture_output=True, text=True,
                       preexec_fn=preexec)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _status(port, timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(b"GET /azlocal/status HTTP/1.1\r\nHost: azlocal.local\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    return json.loads(body)


def _log_lines(home):
    path = home / "daemon.log"
    return path.read_text(errors="replace").splitlines() if path.exists() else []


# Item 8: the HTTPS port serves only this home's names ----------------------------------------------


def test_https_hands_out_certificates_only_for_served_names(az, home):
    assert az("group", "create", "-n", "rg", "-l", "eastus", "-o", "none").code == 0
    assert az("acr", "create", "-g", "rg", "-n", "tlsreg1", "--sku", "Basic", "-o", "none").code == 0
    https = json.loads((home / "daemon.json").read_text())["https_port"]
    assert https
    ca = str(home / "ca.crt")

    def curl(name):
        return subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                               "--cacert", ca, "--resolve", f"{name}:{https}:127.0.0.1",
                               f"https://{name}:{https}/v2/"], capture_output=True, text=True)

    served = curl("tlsreg1.azurecr.io")
    assert served.returncode == 0 and served.stdout == "401", served
    for name in ("www.google.com", "login.microsoftonline.com", "management.azure.com", "nosuchreg.azurecr.io",
                 "nosuchapp.blue-sea-1.eastus.azurecontainerapps.io"):
        refused = curl(name)
        assert refused.returncode != 0, (name, refused)
        out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{https}", "-servername", name,
                              "-CAfile", ca, "-verify_return_error"], input="", capture_output=True, text=True,
                             timeout=20)
        # Refused inside the handshake: no certificate is ever sent for the name.
        assert out.returncode != 0 and "no peer certificate available" in out.stdout, (name, out)
        # Python's ssl with the system trust store (where azlocal installed its CA) refuses too.
        with pytest.raises(ssl.SSLError):
            with socket.create_connection(("127.0.0.1", https), timeout=10) as raw:
                with ssl.create_default_context().wrap_socket(raw, server_hostname=name):
                    pass
    # The CA in the home is name-constrained, critically.
    text = subprocess.run(["openssl", "x509", "-in", ca, "-noout", "-text"], capture_output=True, text=True).stdout
    assert "X509v3 Name Constraints: critical" in text
    assert "DNS:azurecr.io" in text and "DNS:google.com" not in text


# Item 12: idle connections, slow headers, floods ------------------------------------------------------


def _open_idle(port, count):
    """Opens up to `count` idle loopback connections (bounded: each connect waits at most 2 s)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 500), hard))
    held, failed = [], 0
    for _ in range(count):
        try:
            held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            failed += 1
    return held, failed


def _soft_limit(pid):
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return soft, hard
    raise AssertionError("no limits")


def _limit_1024():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))


def test_1100_idle_connections_under_the_common_1024_limit(az, home):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2400:
        pytest.skip("the hard descriptor limit is too low to show the raise")
    info = _start(az, preexec=_limit_1024)  # the daemon inherits the common soft limit of 1024 ...
    soft, hard_seen = _soft_limit(info["pid"])
    assert soft == hard_seen and int(soft) > 1024  # ... and raises it to the hard limit
    before = len(_log_lines(home))
    held, failed = _open_idle(info["port"], 1100)
    try:
        assert failed == 0
        started = time.monotonic()
        assert _status(info["port"])["pid"] == info["pid"]
        assert time.monotonic() - started < 3
        time.sleep(1)
        assert len(_log_lines(home)) - before < 20
    finally:
        for s in held:
            s.close()


def test_more_idle_connections_than_descriptors_evict_the_oldest_and_the_log_stays_small(az, home):
    info = _start(az, AZLOCAL_DAEMON_FILE_LIMIT=1000)  # at most (1000 - 128 - 512) // 2 = 180
    assert _soft_limit(info["pid"])[0] == "1000"
    before = len(_log_lines(home))
    held, _failed = _open_idle(info["port"], 1100)
    try:
        for _ in range(5):  # answered every time, not once by luck
            started = time.monotonic()
            status = _status(info["port"])
            assert status["pid"] == info["pid"]
            assert time.monotonic() - started < 3
        # The oldest idle connections made room; none was refused with all slots busy.
        assert status["connections"]["evicted"] > 500 and status["connections"]["refused"] == 0, status
        # The daemon holds at most its cap: most of the idle sockets were closed by it.
        fds = len(os.listdir(f"/proc/{info['pid']}/fd"))
        assert fds < 1000, fds
        time.sleep(1.5)
        lines = _log_lines(home)[before:]
        assert len(lines) < 30, lines[-10:]
    finally:
        for s in held:
            s.close()


def test_idle_and_slow_header_connections_are_closed(az, home):
    info = _start(az, AZLOCAL_DAEMON_IDLE_TIMEOUT=1)
    idle = socket.create_connection(("127.0.0.1", info["port"]), timeout=5)
    slow = socket.create_connection(("127.0.0.1", info["port"]), timeout=5)
    slow.sendall(b"GET /azlocal/status HTTP/1.1\r\nHost: azlocal.local\r\n")
    started = time.monotonic()
    closed_slow = None
    try:
        for i in range(20):  # a slowloris client: one header byte every 0.2 s, never the blank line
            try:
                slow.sendall(b"X"[:1] if i % 2 else b"-")
            except OSError:
                closed_slow = time.monotonic() - started
                break
            slow.settimeout(0.2)
            try:
                if slow.recv(1024) == b"":
                    closed_slow = time.monotonic() - started
                    break
            except socket.timeout:
                pass
            except OSError:
                closed_slow = time.monotonic() - started
                break
        idle.settimeout(3)
        assert idle.recv(1024) == b""  # the server closed the idle one
        assert closed_slow is not None and closed_slow < 3.5, closed_slow
    finally:
        idle.close()
        slow.close()
    assert _status(info["port"])["home"] == str(home)


# Item 13: no credentials in daemon.log ------------------------------------------------------------


def test_malformed_requests_with_credentials_are_logged_redacted(az, home):
    info = _start(az)
    probes = [
        b"GET /v2/?password=hunter2 HTTP/1.1 junk\r\n\r\n",
        b"GET /oauth2/token?service=x&refresh_token=hunter2 HTTP/1.1 trailing\r\n\r\n",
        b"GET http://admin:hunter2@r.azurecr.io/v2/ HTTP/1.1 x\r\n\r\n",
        b"GET /v2/?x=1 HTTP/1.1\r\nHost: r.azurecr.io\r\nAuthorization: Basic aHVudGVyMg==\r\nBad Header\r\n\r\n",
    ]
    for probe in probes:
        with socket.create_connection(("127.0.0.1", info["port"]), timeout=5) as s:
            s.sendall(probe)
            s.settimeout(5)
            assert s.recv(100).startswith(b"HTTP/1.")
    time.sleep(0.5)
    text = (home / "daemon.log").read_text(errors="replace")
    assert "Error handling request" in text  # the malformed lines were logged ...
    assert "hunter2" not in text and "aHVudGVyMg" not in text  # ... without the credentials
