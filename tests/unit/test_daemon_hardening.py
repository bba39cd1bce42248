"""Issue 9, items 8, 12 and 13 without Docker: the CA's name constraints, the certificate cache, the
log filters (credentials redacted, floods counted) and the home's mode."""

import datetime
import logging
import os
import shutil
import ssl
import stat
import subprocess
import types

import pytest

from azlocal.core import settings

# Settings: the home is private ------------------------------------------------------------------


def test_home_is_created_0700(tmp_path, monkeypatch):
    monkeypatch.setenv("AZLOCAL_HOME", str(tmp_path / "a" / "new-home"))
    old = os.umask(0o022)
    try:
        path = settings.home()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_default_home_left_open_by_an_older_version_is_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv("AZLOCAL_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".azlocal").mkdir(mode=0o755)
    os.chmod(tmp_path / ".azlocal", 0o755)
    assert settings.home() == tmp_path / ".azlocal"
    assert stat.S_IMODE((tmp_path / ".azlocal").stat().st_mode) == 0o700


# Logs carry no credentials ----------------------------------------------------------------------

SECRET_LINES = [
    "Error handling request: b'GET /v2/?password=hunter2 HTTP/1.1 junk'",
    "GET /oauth2/token?service=r.azurecr.io&refresh_token=hunter2 HTTP/1.1",
    "b'GET /x HTTP/1.1\\r\\nAuthorization: Basic aHVudGVyMg==\\r\\n'",
    "headers {'Authorization': 'Bearer hunter2.tok.en'}",
    "proxy to https://admin:hunter2@example.azurecr.io/v2/",
    "form body grant_type=password&password=hunter2",
    "Proxy-Authorization: Negotiate hunter2",
]


@pytest.mark.parametrize("line", SECRET_LINES)
def test_redact_removes_the_credential(line):
    from azlocal.daemon.logfilters import redact

    out = redact(line)
    assert "hunter2" not in out and "aHVudGVyMg" not in out, out
    assert "***" in out


def _logger_with(*filters):
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for f in filters:
        handler.addFilter(f)
    logger = logging.getLogger(f"test.daemon.hardening.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_redact_filter_covers_arguments_and_tracebacks():
    from azlocal.daemon.logfilters import RedactFilter

    logger, stream = _logger_with(RedactFilter())
    try:
        raise ValueError("400, message: Bad status line b'GET /?password=hunter2 HTTP/1.1 x'")
    except ValueError:
        logger.exception("Error handling request from %s for %s", "127.0.0.1", "/login?pwd=hunter2")
    logger.info("authorization=%s", "Basic aHVudGVyMg==")
    text = stream.getvalue()
    assert "hunter2" not in text and "aHVudGVyMg" not in text, text
    assert "Traceback" in text and "Error handling request from 127.0.0.1" in text


def test_repeat_filter_suppresses_a_flood_and_reports_the_count():
    from azlocal.daemon.logfilters import RepeatFilter

    now = [100.0]
    repeats = RepeatFilter(limit=5, window=1.0, clock=lambda: now[0])
    logger, stream = _logger_with(repeats)
    for i in range(5000):
        logger.error("socket.accept() out of system resource (%d)", i)
    logger.info("a different message")
    assert len(stream.getvalue().splitlines()) == 6
    now[0] += 1.5
    repeats.flush()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 7
    assert "4995 identical messages were suppressed" in lines[-1]
    assert "socket.accept() out of system resource" in lines[-1]
    # A new second lets the message through again.
    logger.error("socket.accept() out of system resource (%d)", 1)
    assert len(stream.getvalue().splitlines()) == 8


def test_repeat_filter_reports_on_the_next_record_when_not_flushed():
    from azlocal.daemon.logfilters import RepeatFilter

    now = [0.0]
    logger, stream = _logger_with(RepeatFilter(limit=2, window=1.0, clock=lambda: now[0]))
    for _ in range(10):
        logger.warning("same 100%")
    now[0] = 2.0
    logger.warning("same 100%")
    last = stream.getvalue().splitlines()[-1]
    assert last == "WARNING " + logger.name + ": same 100% (8 identical messages were suppressed before this one)"


# The local CA ----------------------------------------------------------------------------------


@pytest.fixture
def trust_dir(home, tmp_path, monkeypatch):
    """A private stand-in for the system trust store folder; update-ca-certificates calls recorded."""
    from azlocal.platform import tls

    folder = tmp_path / "trust"
    folder.mkdir()
    monkeypatch.setattr(tls, "SYSTEM_DIR", str(folder))
    calls = []
    monkeypatch.setattr(tls, "shutil", types.SimpleNamespace(which=lambda name: "/usr/sbin/" + name, copy=shutil.copy))
    monkeypatch.setattr(tls, "subprocess", types.SimpleNamespace(run=lambda args, **kw: calls.append(args)))
    return types.SimpleNamespace(path=folder, calls=calls)


def _name_constraints(pem):
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(pem)
    return cert.extensions.get_extension_for_class(x509.NameConstraints)


def test_ca_is_name_constrained_to_the_served_domains(trust_dir):
    from cryptography import x509

    from azlocal.platform import tls

    ca_pem, _key = tls.ensure_ca()
    ext = _name_constraints(ca_pem)
    assert ext.critical
    dns = {g.value for g in ext.value.permitted_subtrees if isinstance(g, x509.DNSName)}
    assert dns == set(settings.SERVED_DNS_DOMAINS)
    assert {"azurecr.io", "azurecontainerapps.io", "azurecontainer.io", "vault.azure.net",
            "blob.core.windows.net"} <= dns
    assert not any(d.endswith(("google.com", "microsoftonline.com")) or d == "management.azure.com" for d in dns)


def _unconstrained_ca(home):
    """A CA as the first wave made it: no NameConstraints."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from azlocal.platform import secrets, tls

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "azlocal local CA old")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    secrets.set_secret(tls.CA_SECRET, key.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()).decode())
    tls.ca_cert_path().write_bytes(pem)
    return pem


def test_an_unconstrained_ca_is_replaced_in_the_home_and_the_trust_store(trust_dir, home):
    from azlocal.platform import tls

    old = _unconstrained_ca(home)
    target = tls._system_cert_path()
    with open(target, "wb") as f:
        f.write(old)  # the old CA is trusted
    ca_pem, _key = tls.ensure_ca()
    assert ca_pem != old
    assert _name_constraints(ca_pem).critical
    assert open(target, "rb").read() == ca_pem
    assert ["update-ca-certificates", "--fresh"] in trust_dir.calls
    # Once constrained, it stays.
    assert tls.ensure_ca()[0] == ca_pem


def _issue_with_ca_key(ca_pem, key_pem, name, folder):
    """A leaf for `name` signed with the CA's own key, as if the key leaked: the constraints still hold."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca = x509.load_pem_x509_certificate(ca_pem)
    ca_key = serialization.load_pem_private_key(key_pem, password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    path = folder / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.mark.parametrize("name,ok", [("www.google.com", False), ("login.microsoftonline.com", False),
                                     ("management.azure.com", False), ("evilazurecr.io", False),
                                     ("myreg.azurecr.io", True), ("app.blue-sea-1.eastus.azurecontainerapps.io", True)])
def test_openssl_refuses_a_certificate_outside_the_constraints(trust_dir, home, tmp_path, name, ok):
    from azlocal.platform import tls

    ca_pem, key_pem = tls.ensure_ca()
    leaf = _issue_with_ca_key(ca_pem, key_pem, name, tmp_path)
    out = subprocess.run(["openssl", "verify", "-CAfile", str(tls.ca_cert_path()), str(leaf)],
                         capture_output=True, text=True)
    assert (out.returncode == 0) == ok, out.stdout + out.stderr
    if not ok:
        assert "subtree violation" in (out.stdout + out.stderr)


def test_certificate_cache_is_bounded(trust_dir, home):
    from azlocal.platform import tls

    issuer = tls.Issuer(cache_size=4)
    for i in range(20):
        issuer.context_for(f"r{i}.azurecr.io")
    assert len(issuer.contexts) == 4
    assert list(issuer.contexts) == [f"r{i}.azurecr.io" for i in range(16, 20)]
    issuer.context_for("r16.azurecr.io")  # recently used: kept over r17
    issuer.context_for("new.azurecr.io")
    assert "r16.azurecr.io" in issuer.contexts and "r17.azurecr.io" not in issuer.contexts


def test_sni_callback_refuses_names_not_served(trust_dir, home):
    """A real TLS handshake over a socket pair: served names get a certificate, others an alert."""
    import socket
    import threading

    from azlocal.platform import tls

    served = {"myreg.azurecr.io"}
    context = tls.Issuer().server_context(lambda name: name in served)

    def handshake(server_name):
        a, b = socket.socketpair()
        result = {}

        def serve():
            try:
                with context.wrap_socket(a, server_side=True) as s:
                    s.recv(1)
            except (ssl.SSLError, OSError) as ex:
                result["server"] = ex

        t = threading.Thread(target=serve)
        t.start()
        client = ssl.create_default_context(cafile=str(tls.ca_cert_path()))
        try:
            with client.wrap_socket(b, server_hostname=server_name) as s:
                s.sendall(b"x")
                return s.getpeercert()
        except ssl.SSLError as ex:
            return ex
        finally:
            t.join(5)

    ok = handshake("myreg.azurecr.io")
    assert isinstance(ok, dict) and ("DNS", "myreg.azurecr.io") in ok["subjectAltName"]
    for name in ("www.google.com", "login.microsoftonline.com", "management.azure.com", "other.azurecr.io"):
        refused = handshake(name)
        assert isinstance(refused, ssl.SSLError), (name, refused)
        assert "UNRECOGNIZED_NAME" in str(refused).upper() or "ALERT" in str(refused).upper(), refused
