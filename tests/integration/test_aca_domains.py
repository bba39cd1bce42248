"""Custom domains over HTTPS on real Docker, through the daemon, checked with the real curl and openssl: an
uploaded PFX (signed by the test's own CA) served for its hostname with exactly that certificate, a managed
certificate verified by the home's CA, bad input changing nothing, and the environment's certificates and
their secrets gone with it."""

import json
import subprocess
import time

import pytest

from azlocal.core import settings
from tests.integration import busybox
from tests.unit.test_aca_certificates import make_pfx, thumbprint

pytestmark = pytest.mark.integration

RG = ["-g", "dom-rg"]
HOST = "www.contoso-azlocal.test"


@pytest.fixture
def rg(az):
    yield from busybox.resource_group(az, "dom-rg")


def _own_ca(tmp_path):
    """The test's CA (certificate, key), its certificate written to ca.pem."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Contoso test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    (tmp_path / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _curl(host, cacert):
    port = settings.https_port()
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "--resolve", f"{host}:{port}:127.0.0.1", "--cacert",
                        str(cacert), f"https://{host}:{port}/"], capture_output=True, text=True)
    return r.stdout


def _served_sha1(host):
    port = settings.https_port()
    hello = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", host],
                           input="", capture_output=True, text=True, timeout=20).stdout
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1"], input=hello, capture_output=True,
                         text=True).stdout
    return out.strip().split("=")[-1].replace(":", "").upper()


def _until(check, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_custom_domains_over_https(az, rg, home, tmp_path):
    from azlocal.platform import secrets

    ctx = busybox.write_context(tmp_path / "page", ['CMD ["sh", "-c", "mkdir -p /www && echo contoso-page > '
                                                    '/www/index.html && exec httpd -f -p 80 -h /www"]'])
    image = busybox.build(ctx, "azlocal-test/contoso:v1")
    assert az("containerapp", "env", "create", "-n", "dom-env", *RG, "-o", "none").code == 0
    r = az("containerapp", "create", "-n", "web", *RG, "--environment", "dom-env", "--image", image, "--ingress",
           "external", "--target-port", "80", "-o", "none")
    assert r.code == 0, r.err

    # an uploaded PFX, signed by the test's CA, bound by thumbprint: served as uploaded
    ca = _own_ca(tmp_path)
    cert = make_pfx(tmp_path / "www.pfx", [HOST], ca=ca)
    up = az("containerapp", "env", "certificate", "upload", "-n", "dom-env", *RG, "-f", str(tmp_path / "www.pfx"),
            "--password", "test12", "-c", "www")
    assert up.code == 0, up.err
    assert up.json()["properties"]["thumbprint"] == thumbprint(cert)
    added = az("containerapp", "hostname", "add", "-n", "web", *RG, "--hostname", HOST).json()
    assert added == [{"bindingType": "Disabled", "certificateId": None, "name": HOST}]
    bound = az("containerapp", "hostname", "bind", "-n", "web", *RG, "--hostname", HOST, "-e", "dom-env",
               "--thumbprint", thumbprint(cert))
    assert bound.code == 0 and bound.json()[0]["bindingType"] == "SniEnabled", bound.err
    assert _until(lambda: "contoso-page" in _curl(HOST, tmp_path / "ca.pem"))
    assert _served_sha1(HOST) == thumbprint(cert)

    # a managed certificate: issued by the home's CA for a name it may sign
    managed = "shop.contoso.azurecontainerapps.io"
    r = az("containerapp", "hostname", "bind", "-n", "web", *RG, "--hostname", managed, "-e", "dom-env", "-v",
           "CNAME")
    assert r.code == 0, r.err
    assert _until(lambda: "contoso-page" in _curl(managed, home / "ca.crt"))

    # bad input changes nothing: a wrong password, a certificate in use, an unknown one
    before = az("containerapp", "hostname", "list", "-n", "web", *RG).json()
    r = az("containerapp", "ssl", "upload", "-n", "web", *RG, "-e", "dom-env", "--hostname", "api.contoso-azlocal.test",
           "-f", str(tmp_path / "www.pfx"), "-p", "wrong")
    assert r.code == 1 and "This may be due to an incorrect or missing password" in r.err
    r = az("containerapp", "env", "certificate", "delete", "-n", "dom-env", *RG, "-c", "www", "--yes")
    assert r.code == 1 and "(CertificateInUse)" in r.err
    r = az("containerapp", "hostname", "bind", "-n", "web", *RG, "--hostname", HOST, "-e", "dom-env", "-c", "nope")
    assert r.code == 3 and "The certificate 'nope' does not exist" in r.err
    assert az("containerapp", "hostname", "list", "-n", "web", *RG).json() == before
    certs = az("containerapp", "env", "certificate", "list", "-n", "dom-env", *RG).json()
    assert sorted(c["type"].rsplit("/", 1)[1] for c in certs) == ["certificates", "managedCertificates"]

    # the hostname deleted: no longer served; the app and environment deleted: certificates and secrets gone
    assert az("containerapp", "hostname", "delete", "-n", "web", *RG, "--hostname", HOST, "--yes").code == 0
    assert _until(lambda: "contoso-page" not in _curl(HOST, tmp_path / "ca.pem"))
    assert az("containerapp", "delete", "-n", "web", *RG, "--yes").code == 0
    assert az("containerapp", "env", "delete", "-n", "dom-env", *RG, "--yes").code == 0
    from azlocal.platform.store import store

    assert store().list(type="Microsoft.App/managedEnvironments/certificates") == []
    assert [k for k in secrets.list_keys() if k.startswith("acacert/")] == []
    assert json.loads(az("containerapp", "show-custom-domain-verification-id").out)
