"""A vault's certificates: self-signed ones made by their policy (the Self issuer) or imported (PEM or PFX), each
version with the key and the secret of the same name and version Key Vault makes beside it (`managed`): the key
holds the private key (it signs and decrypts), the secret the PFX or PEM (what a Key Vault reference reads).
Deleting, recovering and purging a certificate does the same to its key and secret."""

import base64
import datetime
import hashlib
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from azlocal.core.errors import AzLocalError
from azlocal.keyvault import access, certpolicy, keycrypto, keys, objects, secrets, vaults
from azlocal.platform.store import store

KIND = "certificates"
_A = "Microsoft.KeyVault/vaults/certificates/"
_NAMES = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
          "L": NameOID.LOCALITY_NAME, "ST": NameOID.STATE_OR_PROVINCE_NAME, "S": NameOID.STATE_OR_PROVINCE_NAME,
          "C": NameOID.COUNTRY_NAME, "E": NameOID.EMAIL_ADDRESS, "DC": NameOID.DOMAIN_COMPONENT}
_USAGES = {"digitalsignature": "digital_signature", "nonrepudiation": "content_commitment",
           "keyencipherment": "key_encipherment", "dataencipherment": "data_encipherment",
           "keyagreement": "key_agreement", "keycertsign": "key_cert_sign", "crlsign": "crl_sign",
           "encipheronly": "encipher_only", "decipheronly": "decipher_only"}


def _subject(text):
    parts = []
    for piece in [p.strip() for p in (text or "").split(",") if p.strip()]:
        key, _, value = piece.partition("=")
        if key.strip().upper() not in _NAMES or not value:
            raise AzLocalError(f"(BadParameter) Invalid subject name: '{text}'.")
        parts.append(x509.NameAttribute(_NAMES[key.strip().upper()], value.strip()))
    return x509.Name(parts)


def _add_months(moment, months):
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def _self_signed(policy, private):
    name = _subject(policy["subject"])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(_add_months(now, policy["validity_months"])))
    sans = [x509.DNSName(d) for d in policy.get("dns_names") or []]
    sans += [x509.RFC822Name(e) for e in policy.get("emails") or []]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    usages = {_USAGES[u.lower()] for u in policy.get("key_usage") or [] if u.lower() in _USAGES}
    if usages:
        flags = {v: v in usages for v in _USAGES.values()}
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    ekus = [x509.ObjectIdentifier(e) for e in policy.get("ekus") or
            [ExtendedKeyUsageOID.SERVER_AUTH.dotted_string, ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string]]
    builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False)
    return builder.sign(private, hashes.SHA256())


def _secret_value(content_type, private, cert):
    if content_type == "application/x-pem-file":
        return (keycrypto.to_pem(private) + cert.public_bytes(serialization.Encoding.PEM)).decode()
    blob = pkcs12.serialize_key_and_certificates(None, private, cert, None, serialization.NoEncryption())
    return base64.b64encode(blob).decode()


def _store(doc, name, private, cert, policy, enabled=True, tags=None):
    """The certificate's new version with its key's and secret's versions (one version id for the three)."""
    version = objects.new_version()
    kty = "RSA" if isinstance(private, rsa.RSAPrivateKey) else "EC"
    if str(policy.get("key_type", "")).endswith("-HSM"):
        kty += "-HSM"
    ops = keycrypto.RSA_OPS if kty.startswith("RSA") else keycrypto.EC_OPS
    nbf, exp = (int(t.timestamp()) for t in (cert.not_valid_before_utc, cert.not_valid_after_utc))
    for kind in ("keys", "secrets"):
        row = objects.load(doc, kind, name)
        if row is not None and not row.get("deleted") and not any(v.get("managed") for v in row["versions"]):
            raise AzLocalError(f"(Conflict) A {objects.SINGULAR[kind]} named '{name}' already exists in this vault "
                               "and is not a certificate's: a certificate needs its name for its key and secret.")
    bundle = keys._add_version(doc, name, private, kty, ops, enabled, exp, nbf, managed=True, version=version)
    secrets._add_version(doc, name, _secret_value(policy["content_type"], private, cert),
                         content_type=policy["content_type"], enabled=enabled, expires=exp, not_before=nbf,
                         kid=bundle["key"]["kid"], managed=True, version=version)
    der = cert.public_bytes(serialization.Encoding.DER)
    stamp = objects.now()
    rec = {"version": version, "created": stamp, "updated": stamp, "enabled": enabled is not False, "nbf": nbf,
           "exp": exp, "tags": dict(tags) if tags else None, "cer": base64.b64encode(der).decode(),
           "x5t": hashlib.sha1(der).hexdigest().upper(), "subject": cert.subject.rfc4514_string()}
    s = store()
    with s.transaction():
        row = objects.writable(doc, KIND, name)
        row["versions"].append(rec)
        row["policy"] = policy
        objects.save(row)
    return bundle_of(doc, row, rec)


def bundle_of(doc, row, rec, versioned=True):
    url = f"{objects.vault_url(doc)}/{{}}/{row['name']}/{rec['version']}"
    return {"id": url.format(KIND) if versioned else url.format(KIND).rsplit("/", 1)[0],
            "kid": url.format("keys"), "sid": url.format("secrets"), "x5t": rec["x5t"], "cer": rec["cer"],
            "subject": rec["subject"], "contentType": row["policy"]["content_type"],
            "attributes": objects.attributes(doc, rec), "tags": rec.get("tags"), "policy": row["policy"],
            "policy_id": f"{objects.vault_url(doc)}/certificates/{row['name']}/policy", "name": row["name"],
            "operation_id": str(uuid.uuid4())}


def create(vault, name, policy, principal, enabled=True, tags=None, validity=None):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "create/action", resource=f"certificates/{name}")
    objects.check_name(name)
    stored = certpolicy.normalise(policy, validity)
    certpolicy.check_issuer(stored)
    objects.writable(doc, KIND, name)  # Conflict while deleted, before a key is made
    private = keycrypto.generate(stored["key_type"], stored.get("key_size"), stored.get("curve"))
    return _store(doc, name, private, _self_signed(stored, private), stored, enabled, tags)


def import_certificate(vault, name, data, principal, password=None, policy=None, enabled=True, tags=None):
    """A certificate (with its private key) from PEM text or a PFX (PKCS#12) file's bytes."""
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "import/action", resource=f"certificates/{name}")
    objects.check_name(name)
    private, cert, content_type = _parse(data, password)
    given = dict(policy or {})
    given.setdefault("x509_certificate_properties", {"subject": cert.subject.rfc4514_string()})
    given.setdefault("issuer_parameters", {"name": "Unknown"})
    stored = certpolicy.normalise(given, content_type=(given.get("secret_properties") or {}).get("content_type")
                                  or content_type)
    objects.writable(doc, KIND, name)
    return _store(doc, name, private, cert, stored, enabled, tags)


def _parse(data, password):
    if b"-----BEGIN" in data:
        try:
            private = serialization.load_pem_private_key(data, password.encode() if password else None)
            return private, x509.load_pem_x509_certificate(data), "application/x-pem-file"
        except (ValueError, TypeError) as ex:
            raise AzLocalError(f"(BadParameter) The specified PEM X.509 certificate content can not be read. Please "
                               f"check if certificate is in valid PEM format. ({ex})") from ex
    try:
        private, cert, _ = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError) as ex:
        raise AzLocalError("(BadParameter) The specified PKCS#12 X.509 certificate content can not be read. Please "
                           "check if certificate is in valid PKCS#12 format.") from ex
    if private is None or cert is None or not isinstance(private, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise AzLocalError("(BadParameter) The certificate must contain its RSA or EC private key.")
    return private, cert, "application/x-pkcs12"


def get(vault, name, version=None, principal=None):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", resource=f"certificates/{name}")
    row = objects.active(doc, KIND, name)
    return bundle_of(doc, row, objects.version_of(row, KIND, version))


def list(vault, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", permission=("certificates", "list"))
    return [bundle_of(doc, r, r["versions"][-1], versioned=False) for r in objects.rows(doc, KIND)
            if not r.get("deleted") and r["versions"]]


def list_versions(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", permission=("certificates", "list"), resource=f"certificates/{name}")
    row = objects.active(doc, KIND, name)
    return [bundle_of(doc, row, rec) for rec in row["versions"]]


def update(vault, name, principal, version=None, enabled=None, tags=None, policy=None):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "update/action", resource=f"certificates/{name}")
    stored = certpolicy.normalise(policy) if policy is not None else None
    s = store()
    with s.transaction():
        row = objects.active(doc, KIND, name)
        rec = objects.version_of(row, KIND, version)
        if enabled is not None:
            rec["enabled"] = enabled
        if tags is not None:
            rec["tags"] = dict(tags) or None
        if stored is not None:
            row["policy"] = stored
        rec["updated"] = objects.now()
        objects.save(row)
    return bundle_of(doc, row, rec)


def _each(doc, name, step):
    """`step` on the certificate, then on its key and secret when they are there (as the service does)."""
    result = step(doc, KIND, name)
    for kind in ("keys", "secrets"):
        try:
            step(doc, kind, name)
        except AzLocalError:
            pass
    return result


def delete(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "delete", resource=f"certificates/{name}")
    row = _each(doc, name, objects.soft_delete)
    return dict(bundle_of(doc, row, row["versions"][-1]), **objects.deleted_fields(doc, KIND, row))


def get_deleted(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", permission=("certificates", "list"), resource=f"certificates/{name}")
    row = objects.deleted(doc, KIND, name)
    return dict(bundle_of(doc, row, row["versions"][-1]), **objects.deleted_fields(doc, KIND, row))


def list_deleted(vault, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "read", permission=("certificates", "list"))
    return [dict(bundle_of(doc, r, r["versions"][-1], versioned=False), **objects.deleted_fields(doc, KIND, r))
            for r in objects.rows(doc, KIND) if r.get("deleted")]


def recover(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "recover/action", resource=f"certificates/{name}")
    row = _each(doc, name, objects.recover)
    return bundle_of(doc, row, row["versions"][-1])


def purge(vault, name, principal):
    doc = vaults.resolve(vault)
    access.authorize(doc, principal, _A + "purge/action", resource=f"certificates/{name}")
    _each(doc, name, objects.purge)
