"""The local certificate authority behind `https://<app>.<env domain>`.

azlocal creates one CA per home (its private key in the secret store, its certificate in the
home folder) and, where it may (root on Debian), installs the certificate into the system trust
store so `curl https://…` works unchanged. The daemon issues a certificate per host name on
demand (SNI), signed by that CA.

Because that CA may sit in the system trust store, it vouches for nothing outside azlocal: its
certificate carries a critical X.509 NameConstraints extension whose permitted subtrees are the
DNS domains of `settings.SERVED_DNS_DOMAINS` (and loopback addresses), so no certificate it signs
for www.google.com or login.microsoftonline.com verifies, even with its key. A CA made before the
constraints (or for another list) is replaced, trust store entry included. The daemon's SNI
callback refuses the handshake for a name no resource of this home owns, and keeps at most
`settings.daemon_cert_cache_size()` certificates in memory.
"""

import datetime
import fcntl
import hashlib
import ipaddress
import os
import shutil
import ssl
import subprocess
import tempfile
from collections import OrderedDict
from contextlib import contextmanager

from azlocal.core import settings
from azlocal.platform import secrets

CA_SECRET = "tls/ca-key"
SYSTEM_DIR = "/usr/local/share/ca-certificates"


def ca_cert_path():
    return settings.home() / "ca.crt"


def _system_cert_path():
    digest = hashlib.sha256(settings.label_value().encode()).hexdigest()[:10]
    return os.path.join(SYSTEM_DIR, f"azlocal-{digest}.crt")


def ensure_ca():
    """The CA's (certificate PEM, key PEM), created on first use (or replaced when it lacks today's
    name constraints) and trusted where allowed."""
    with _ca_lock():
        key_pem = secrets.get_secret(CA_SECRET)
        if key_pem is None or not ca_cert_path().exists() or not _constrained(ca_cert_path().read_bytes()):
            key_pem = _create_ca()
        _trust()
        return ca_cert_path().read_bytes(), key_pem.encode()


@contextmanager
def _ca_lock():
    with open(settings.home() / "ca.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def name_constraints():
    """The CA's permitted subtrees: the served DNS domains and loopback, from settings (one list)."""
    from cryptography import x509

    permitted = [x509.DNSName(d) for d in settings.SERVED_DNS_DOMAINS]
    permitted += [x509.IPAddress(ipaddress.ip_network(n)) for n in settings.SERVED_IP_NETWORKS]
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


def _constrained(cert_pem):
    """Whether a CA certificate carries exactly today's name constraints, marked critical."""
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        ext = cert.extensions.get_extension_for_class(x509.NameConstraints)
    except (ValueError, x509.ExtensionNotFound):
        return False
    wanted = name_constraints()
    return (ext.critical and not ext.value.excluded_subtrees
            and set(ext.value.permitted_subtrees) == set(wanted.permitted_subtrees))


def _create_ca():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

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
            .add_extension(name_constraints(), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    secrets.set_secret(CA_SECRET, key_pem)
    tmp = ca_cert_path().with_name(f".ca.crt.{os.getpid()}.tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, ca_cert_path())
    return key_pem


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
    replacing = os.path.exists(target)  # an older CA of this home (e.g. one without name constraints)
    shutil.copy(ca_cert_path(), target)
    # --fresh drops the old certificate's links too, so the replaced CA is no longer trusted anywhere.
    subprocess.run(["update-ca-certificates", "--fresh"] if replacing else ["update-ca-certificates"],
                   capture_output=True)
    return True


def untrust():
    target = _system_cert_path()
    if os.path.exists(target):
        os.unlink(target)
        subprocess.run(["update-ca-certificates", "--fresh"], capture_output=True)


class Issuer:
    """Server certificates per host name, made on demand and kept in memory (daemon only), at most
    `cache_size` of them (least recently used first out)."""

    def __init__(self, cache_size=None):
        self.ca_pem, self.ca_key_pem = ensure_ca()
        self.cache_size = cache_size or settings.daemon_cert_cache_size()
        self.contexts = OrderedDict()

    def context_for(self, host):
        context = self.contexts.get(host)
        if context is None:
            context = self.contexts[host] = self._make(host)
            while len(self.contexts) > self.cache_size:
                self.contexts.popitem(last=False)
        else:
            self.contexts.move_to_end(host)
        return context

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
        return context_from_pem(cert.public_bytes(serialization.Encoding.PEM) + self.ca_pem,
                                key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))

    def server_context(self, serves=None, bound=None):
        """The listener's context: picks each connection's certificate by its SNI name, and refuses the
        handshake (alert unrecognized_name) for a name `serves(name)` does not accept, or one outside
        the CA's permitted domains. `bound(name)` answers first for a custom domain: an SSLContext (an
        uploaded certificate), True (a certificate of this CA for the name), or None (not one)."""
        default = self.context_for("azlocal.local")

        def pick(sslobj, server_name, _context):
            if not server_name:
                return None  # no SNI (e.g. https://127.0.0.1): the daemon's own certificate
            name = server_name.lower().rstrip(".")
            try:
                chosen = bound(name) if bound is not None else None
                allowed = chosen is not None or (permitted(name) and (serves is None or serves(name)))
            except Exception:  # the state store failing must not let a name through
                allowed = False
            if not allowed:
                return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
            sslobj.context = chosen if isinstance(chosen, ssl.SSLContext) else self.context_for(name)
            return None

        default.sni_callback = pick
        return default


def context_from_pem(chain_pem, key_pem):
    """A server SSLContext for a certificate chain and its private key (PEM bytes)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain wants files: write them to a private temporary folder, then forget them.
    with tempfile.TemporaryDirectory() as folder:
        cert_file, key_file = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        with open(cert_file, "wb") as f:
            f.write(chain_pem)
        with open(key_file, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context


def permitted(name):
    """Whether a DNS name lies in one of the CA's permitted subtrees."""
    return any(name == d or name.endswith("." + d) for d in settings.SERVED_DNS_DOMAINS)
