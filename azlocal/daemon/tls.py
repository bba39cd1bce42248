"""The local certificate authority behind `https://<app>.<env domain>`.

azlocal creates one CA per home (its private key in the secret store, its certificate in the
home folder) and, where it may (root on Debian), installs the certificate into the system trust
store so `curl https://…` works unchanged. The daemon issues a certificate per host name on
demand (SNI), signed by that CA.
"""

import datetime
import hashlib
import os
import shutil
import ssl
import subprocess
import tempfile

from azlocal import settings
from azlocal.state import secrets

CA_SECRET = "tls/ca-key"
SYSTEM_DIR = "/usr/local/share/ca-certificates"


def ca_cert_path():
    return settings.home() / "ca.crt"


def _system_cert_path():
    digest = hashlib.sha256(settings.label_value().encode()).hexdigest()[:10]
    return os.path.join(SYSTEM_DIR, f"azlocal-{digest}.crt")


def ensure_ca():
    """The CA's (certificate PEM, key PEM), created on first use and trusted where allowed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key_pem = secrets.get_secret(CA_SECRET)
    if key_pem is None or not ca_cert_path().exists():
        key = ec.generate_private_key(ec.SECP256R1())
        # A distinct subject per home and key: trust stores pick a CA by its subject name.
        tag = hashlib.sha256(settings.label_value().encode() + os.urandom(8)).hexdigest()[:12]
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"azlocal local CA {tag}"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "azlocal")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        secrets.set_secret(CA_SECRET, key_pem)
        ca_cert_path().write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _trust()
    return ca_cert_path().read_bytes(), key_pem.encode()


def _trust():
    """Installs the CA into the system trust store once, where this process may."""
    target = _system_cert_path()
    if os.path.exists(target) and open(target, "rb").read() == ca_cert_path().read_bytes():
        return True
    allowed = os.path.isdir(SYSTEM_DIR) and os.access(SYSTEM_DIR, os.W_OK)
    if not allowed or not shutil.which("update-ca-certificates"):
        flag = settings.home() / "ca-notice-shown"
        if not flag.exists():
            flag.touch()
            print(f"WARNING: azlocal may not add its CA to the system trust store; `curl https://…` to container "
                  f"apps needs `--cacert {ca_cert_path()}` (or install that file as a trusted CA).")
        return False
    shutil.copy(ca_cert_path(), target)
    subprocess.run(["update-ca-certificates"], capture_output=True)
    return True


def untrust():
    target = _system_cert_path()
    if os.path.exists(target):
        os.unlink(target)
        subprocess.run(["update-ca-certificates", "--fresh"], capture_output=True)


class Issuer:
    """Server certificates per host name, made on demand and kept in memory (daemon only)."""

    def __init__(self):
        self.ca_pem, self.ca_key_pem = ensure_ca()
        self.contexts = {}

    def context_for(self, host):
        if host not in self.contexts:
            self.contexts[host] = self._make(host)
        return self.contexts[host]

    def _make(self, host):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        ca_cert = x509.load_pem_x509_certificate(self.ca_pem)
        ca_key = serialization.load_pem_private_key(self.ca_key_pem, password=None)
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])]))
                .issuer_name(ca_cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=365))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        # load_cert_chain wants files: write them to a private temporary folder, then forget them.
        with tempfile.TemporaryDirectory() as folder:
            cert_file, key_file = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
            with open(cert_file, "wb") as f:
                f.write(cert.public_bytes(serialization.Encoding.PEM) + self.ca_pem)
            with open(key_file, "wb") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
            context.load_cert_chain(cert_file, key_file)
        return context

    def server_context(self):
        """The listener's context: picks each connection's certificate by its SNI name."""
        default = self.context_for("azlocal.local")

        def pick(sslobj, server_name, _context):
            if server_name:
                sslobj.context = self.context_for(server_name.lower())

        default.sni_callback = pick
        return default
