"""Certificates of managed environments: uploaded ones (PFX or PEM, Microsoft.App/managedEnvironments/certificates)
and managed ones (Microsoft.App/managedEnvironments/managedCertificates, issued by the local CA once bound).

An uploaded file is read here (cryptography): its certificate's facts (subject, issuer, dates, SHA-1 thumbprint,
names) go to the document `show` prints; the file itself, its password, and the certificate chain and private
key as PEM (what the daemon serves) go to the secret store under `resource_prefix("acacert", <certificate id>)`,
never to the state store. A file that cannot be read stores nothing."""

import base64
import datetime
import os
import random

from knack.log import get_logger

from azlocal.aca import environments
from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.platform import secrets
from azlocal.platform.store import store

logger = get_logger(__name__)

PRIVATE_TYPE = "Microsoft.App/managedEnvironments/certificates"
MANAGED_TYPE = "Microsoft.App/managedEnvironments/managedCertificates"
SECRET_KIND = "acacert"
_LOAD_FAILED = ("Failed to load the certificate file. This may be due to an incorrect or missing password. Please "
                "double check and try again.\nError: {}")


class NotFound(AzLocalError):
    """az's own ResourceNotFoundError (a lookup it makes, not an ARM 404): exit 3, no code prefix."""

    exit_code = 3


# Reading a certificate file ----------------------------------------------------------------------

def load_file(path, password=None):
    """(file bytes, certificate, private key, [chain certificates]) of a .pfx or .pem file, or az's error."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    extension = os.path.splitext(path)[1]
    if extension not in (".pem", ".pfx"):
        raise AzLocalError("Not a valid file type. Only .PFX and .PEM files are supported.")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as ex:
        raise AzLocalError(str(ex)) from None
    if extension == ".pfx":
        try:
            p12 = pkcs12.load_pkcs12(data, password.encode() if password else None)
        except Exception as ex:  # cryptography says ValueError; any failure is az's message
            raise AzLocalError(_LOAD_FAILED.format(ex)) from None
        if p12.cert is None:
            raise AzLocalError("Failed to load the certificate file. The loading result is None.")
        cert, key, chain = p12.cert.certificate, p12.key, [c.certificate for c in p12.additional_certs]
    else:
        try:
            certs = x509.load_pem_x509_certificates(data)
        except ValueError as ex:
            raise AzLocalError(str(ex)) from None
        cert, chain = certs[0], certs[1:]
        try:
            key = serialization.load_pem_private_key(data, password.encode() if password else None)
        except (ValueError, TypeError):
            key = None
    if key is None:
        raise ValidationError("(InvalidCertificate) The certificate must include its private key: upload a PFX "
                              "file with the key, or a PEM file holding the certificate and its key.")
    return data, cert, key, chain


def _name_text(name):
    """A distinguished name as Azure shows it: most specific first, 'CN=…, O=…, C=…'."""
    return ", ".join(f"{a.rfc4514_attribute_name}={a.value}" for a in reversed(list(name)))


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def dns_names(cert):
    """The DNS names a certificate covers: its subject alternative names, else its common name."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = ext.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    if not names:
        names = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return [n.lower() for n in names]


def covers(names, hostname):
    """Whether one of the certificate's names matches hostname (a wildcard covers one label)."""
    hostname = hostname.lower().rstrip(".")
    for name in names:
        if name == hostname:
            return True
        if name.startswith("*.") and "." in hostname and hostname.split(".", 1)[1] == name[2:]:
            return True
    return False


def facts(cert):
    """The certificate's properties as the certificate resource shows them."""
    from cryptography.hazmat.primitives import hashes

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    return {"provisioningState": "Succeeded", "subjectName": _name_text(cert.subject),
            "subjectAlternativeNames": dns_names(cert), "issuer": _name_text(cert.issuer),
            "issueDate": _stamp(start), "expirationDate": _stamp(end),
            "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 (Azure's thumbprint)
            "valid": start <= now <= end, "publicKeyHash": None, "certificateKeyVaultProperties": None,
            "certificateType": "ServerSSLCertificate"}


# Documents ---------------------------------------------------------------------------------------

def _cert_id(env, kind, name):
    return f"{env['id']}/{kind}/{name}"


def _secret(cert_id, part):
    return secrets.resource_prefix(SECRET_KIND, cert_id) + part


def private_certificates(env):
    return [c for c in store().list(type=PRIVATE_TYPE, parent_id=env["id"])]


def managed_certificates(env):
    return [c for c in store().list(type=MANAGED_TYPE, parent_id=env["id"])]


def _random_name(prefix, thumbprint, group):
    name = f"{prefix[:14]}-{group[:14]}-{thumbprint[:4].lower()}-{random.randint(0, 9999):04}"
    return "".join(c if c.isalnum() or c in "-." else "-" for c in name).lower()


def upload(resource_group, env_name, path, certificate_name=None, password=None, location=None, confirm=None):
    """`env certificate upload`: the certificate document (an existing one of that name is overwritten, or
    kept when `confirm(question)` says no: a new name is made)."""
    env = environments.get(resource_group, env_name)
    data, cert, key, chain = load_file(path, password)
    doc_facts = facts(cert)
    sha256 = cert.fingerprint(_sha256()).hex().upper()  # az names a certificate after its SHA-256 thumbprint
    name = certificate_name
    if name:
        _check_name(name)
        existing = store().get(_cert_id(env, "certificates", name))
        if existing is not None:
            message = f"Certificate name '{name}' is already used in managed environment '{env_name}'"
            if confirm is not None:  # --show-prompt: the command layer asks
                if not confirm(f"{message}. If continue with this name, it will be overwritten by the new "
                               "certificate file.\nOverwrite?"):
                    name = None
            else:
                logger.warning("%s. It will be overwritten by the new certificate file.", message)
    while not name:
        candidate = _random_name(env_name, sha256, resource_group)
        if store().get(_cert_id(env, "certificates", candidate)) is None:
            name = candidate
    cert_id = _cert_id(env, "certificates", name)
    # a location given (or configured as the default) in its display form, as Azure answers it
    location = environments.display_location(environments.region_of(str(location))) if location else env["location"]
    doc = {"id": cert_id, "name": name, "type": PRIVATE_TYPE, "location": location,
           "tags": None, "properties": doc_facts}
    _store_secrets(cert_id, data, password, cert, key, chain)
    store().put(doc)
    return doc


def _sha256():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _pem():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.PEM


def _store_secrets(cert_id, data, password, cert, key, chain):
    from cryptography.hazmat.primitives import serialization

    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    chain_pem = b"".join(c.public_bytes(_pem()) for c in [cert] + chain).decode()
    secrets.set_secret(_secret(cert_id, "file"), base64.b64encode(data).decode())
    secrets.set_secret(_secret(cert_id, "password"), password or "")
    secrets.set_secret(_secret(cert_id, "chain"), chain_pem)
    secrets.set_secret(_secret(cert_id, "key"), key_pem)


def serving_pem(cert_id):
    """(certificate chain PEM, private key PEM) of an uploaded certificate, or None (daemon side)."""
    chain, key = secrets.get_secret(_secret(cert_id, "chain")), secrets.get_secret(_secret(cert_id, "key"))
    return (chain.encode(), key.encode()) if chain and key else None


def _check_name(name):
    import re

    if not re.match(r"^[a-zA-Z0-9][a-zA-Z0-9.-]{0,258}[a-zA-Z0-9]$|^[a-zA-Z0-9]$", name):
        raise ValidationError(f"(InvalidCertificateName) The certificate name '{name}' is not valid: use letters, "
                              "digits, '-' and '.', starting and ending with a letter or digit.")


def create_managed(resource_group, env_name, hostname, validation_method, certificate_name=None, *, env=None,
                   save=True):
    """`env certificate create` (and `hostname bind` without a certificate, save=False: stored once bound): a
    managed certificate for hostname.
    Domain control (CNAME, TXT, HTTP) cannot be checked offline: it is accepted, and the certificate is issued by
    the local CA when the daemon first serves the hostname."""
    from azlocal.platform.tls import permitted

    env = env or environments.get(resource_group, env_name)
    env_name = env["name"]
    hostname = hostname.lower()
    name = certificate_name
    if name and any(c["name"] == name for c in managed_certificates(env)):
        raise ValidationError(f"Certificate name '{name}' is not available.")
    while not name:
        candidate = "".join(c if c.isalnum() or c == "-" else "-"
                            for c in f"mc-{env_name[:14]}-{hostname[:16]}-{random.randint(0, 9999):04}").lower()
        if store().get(_cert_id(env, "managedCertificates", candidate)) is None:
            name = candidate
    logger.warning("Domain control (%s) of %s is not validated offline; the managed certificate is issued by "
                   "azlocal's local CA.", validation_method.upper(), hostname)
    if not permitted(hostname):
        logger.warning("azlocal's local CA may only sign names under the domains azlocal serves "
                       "(*.azurecontainerapps.io, …): clients will not trust its certificate for %s. Upload a "
                       "certificate of your own (az containerapp env certificate upload) to serve it over HTTPS.",
                       hostname)
    doc = {"id": _cert_id(env, "managedCertificates", name), "name": name, "type": MANAGED_TYPE,
           "location": env["location"], "tags": None,
           "properties": {"subjectName": hostname, "domainControlValidation": validation_method.upper(),
                          "provisioningState": "Succeeded", "validationToken": None, "error": None}}
    if save:
        store().put(doc)
    return doc


# Lookups -----------------------------------------------------------------------------------------

def _location_matches(doc, location):
    def norm(text):
        return (text or "").lower().replace(" ", "").replace("(", "").replace(")", "")

    return not location or norm(doc["location"]) == norm(location)


def find(env, certificate=None, thumbprint=None, location=None, managed_only=False, private_only=False):
    """The certificates a name, an id or a thumbprint selects, as `env certificate list` filters them."""
    if managed_only and private_only:
        raise AzLocalError("Use either '--managed-certificates-only' or '--private-key-certificates-only'.")
    if managed_only and thumbprint:
        raise AzLocalError("'--thumbprint' not supported for managed certificates.")
    name, kind = certificate, None
    if certificate and certificate.startswith("/"):
        parts = certificate.rstrip("/").split("/")
        name, kind = parts[-1], parts[-2].lower()
        if not certificate.lower().startswith(env["id"].lower() + "/"):
            return []
    if kind is None:
        kind = "certificates" if private_only or thumbprint else ("managedcertificates" if managed_only else None)
    found = []
    if kind in (None, "managedcertificates"):
        found += [c for c in managed_certificates(env) if (not name or c["name"] == name)
                  and _location_matches(c, location)]
    if kind in (None, "certificates"):
        found += [c for c in private_certificates(env) if (not name or c["name"] == name)
                  and _location_matches(c, location)
                  and (not thumbprint or c["properties"]["thumbprint"] == thumbprint)]
    return found


def users_of(cert_id):
    """The (app, hostname) pairs bound to a certificate."""
    out = []
    for app in store().list(type="Microsoft.App/containerApps"):
        ingress = app["properties"]["configuration"].get("ingress") or {}
        for domain in ingress.get("customDomains") or []:
            if (domain.get("certificateId") or "").lower() == cert_id.lower():
                out.append((app, domain["name"]))
    return out


def delete(resource_group, env_name, certificate=None, thumbprint=None, location=None):
    """`env certificate delete`: by name, id or thumbprint; one in use by a custom domain stays."""
    if not certificate and not thumbprint:
        raise AzLocalError("Please specify at least one of parameters: --certificate and --thumbprint")
    env = environments.get(resource_group, env_name)
    private_only = bool(thumbprint)
    certs = find(env, certificate, thumbprint, location, private_only=private_only)
    label = certificate.rstrip("/").split("/")[-1] if certificate else None
    if not certs:
        what = f"'{label}'" if label else f"with thumbprint '{thumbprint}'"
        raise NotFound(f"The certificate {what} does not exist in Container app environment '{env_name}'.")
    if not private_only and not (certificate or "").startswith("/") and len({c["type"] for c in certs}) > 1:
        managed = next(c for c in certs if c["type"] == MANAGED_TYPE)
        private = next(c for c in certs if c["type"] == PRIVATE_TYPE)
        raise AzLocalError(f"Found more than one certificates with name '{label}':\n'{managed['id']}',\n"
                                 f"'{private['id']}'.\nPlease specify the certificate id using --certificate.")
    for cert in certs:
        users = users_of(cert["id"])
        if users:
            raise AzLocalError(f"(CertificateInUse) Certificate '{cert['name']}' is used by existing custom domains "
                               f"{', '.join(h for _, h in users)}.")
    for cert in certs:
        cleanup_certificate(cert)
        store().delete(cert["id"])
        logger.warning("Successfully deleted certificate: %s", cert["name"])


def cleanup_certificate(doc):
    """What deleting `doc`'s group removes outside the store (see azlocal.platform.cleanup)."""
    secrets.delete_prefix(secrets.resource_prefix(SECRET_KIND, doc["id"]))
