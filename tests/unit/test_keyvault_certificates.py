"""az keyvault certificate in-process: self-signed certificates by their policy, imports (PEM, PFX), the key and
secret made beside each version (managed, hidden from list without --include-managed, the key signing with the
certificate's private key), soft delete of the three together, and the issuers not served offline."""

import base64
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12


@pytest.fixture
def kv(cli, monkeypatch):
    from azlocal.keyvault import vaults

    monkeypatch.setattr(vaults, "publish", lambda doc: None)
    monkeypatch.setattr(vaults, "unpublish", lambda doc: None)
    assert cli("group", "create", "-n", "rg1", "-l", "eastus").code == 0
    assert cli("keyvault", "create", "-n", "kv1", "-g", "rg1", "--enable-rbac-authorization", "false").code == 0
    return cli


def _policy(kv, **changes):
    policy = kv("keyvault", "certificate", "get-default-policy").json()
    policy["x509CertificateProperties"].update(changes)
    return json.dumps(policy)


def test_create_self_signed_with_key_and_secret(kv, tmp_path):
    policy = _policy(kv, subject="CN=app.contoso.com", subjectAlternativeNames={"dnsNames": ["app.contoso.com"]})
    op = kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "web", "-p", policy, "--validity", "6")
    assert op.code == 0, op
    assert op.json()["status"] == "completed" and op.json()["target"] == "https://kv1.vault.azure.net/certificates/web"
    shown = kv("keyvault", "certificate", "show", "--vault-name", "kv1", "-n", "web").json()
    version = shown["id"].rsplit("/", 1)[1]
    assert shown["kid"] == f"https://kv1.vault.azure.net/keys/web/{version}"
    assert shown["sid"] == f"https://kv1.vault.azure.net/secrets/web/{version}"
    assert shown["policy"]["x509CertificateProperties"]["validityInMonths"] == 6
    cert = x509.load_der_x509_certificate(base64.b64decode(shown["cer"]))
    assert cert.subject.rfc4514_string() == "CN=app.contoso.com"
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ["app.contoso.com"]
    assert shown["x509ThumbprintHex"] == cert.fingerprint(hashes.SHA1()).hex().upper()
    # the secret holds the PFX with the private key the vault's key signs with
    secret = kv("keyvault", "secret", "show", "--id", shown["sid"]).json()
    assert secret["contentType"] == "application/x-pkcs12" and secret["managed"] is True
    private, pfx_cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(secret["value"]), None)
    assert pfx_cert == cert
    digest = base64.b64encode(hashes.Hash(hashes.SHA256()).finalize()).decode()
    sig = kv("keyvault", "key", "sign", "--id", shown["kid"], "-a", "RS256", "--digest", digest).json()
    cert.public_key().verify(base64.b64decode(sig["signature"]), b"", padding.PKCS1v15(), hashes.SHA256())
    assert kv("keyvault", "secret", "list", "--vault-name", "kv1").json() == []
    assert [s["name"] for s in kv("keyvault", "secret", "list", "--vault-name", "kv1", "--include-managed",
                                  "true").json()] == ["web"]
    out = tmp_path / "web.pem"
    assert kv("keyvault", "certificate", "download", "--vault-name", "kv1", "-n", "web", "-f", str(out)).code == 0
    assert x509.load_pem_x509_certificate(out.read_bytes()) == cert


def test_pem_content_type_and_import(kv, tmp_path):
    policy = json.loads(_policy(kv, subject="CN=pem"))
    policy["secretProperties"]["contentType"] = "application/x-pem-file"
    kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "pem", "-p", json.dumps(policy))
    value = kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "pem").json()["value"]
    assert "PRIVATE KEY" in value and "BEGIN CERTIFICATE" in value
    (tmp_path / "both.pem").write_text(value)
    r = kv("keyvault", "certificate", "import", "--vault-name", "kv1", "-n", "imported", "-f",
           str(tmp_path / "both.pem"))
    assert r.code == 0, r
    assert r.json()["contentType"] == "application/x-pem-file" and r.json()["policy"]["issuerParameters"][
        "name"] == "Unknown"
    private = serialization.load_pem_private_key(value.encode(), None)
    cert = x509.load_pem_x509_certificate(value.encode())
    pfx = pkcs12.serialize_key_and_certificates(b"x", private, cert, None,
                                                serialization.BestAvailableEncryption(b"pw"))
    (tmp_path / "c.pfx").write_bytes(pfx)
    r = kv("keyvault", "certificate", "import", "--vault-name", "kv1", "-n", "pfx", "-f", str(tmp_path / "c.pfx"),
           "--password", "pw")
    assert r.code == 0 and r.json()["contentType"] == "application/x-pkcs12"
    r = kv("keyvault", "certificate", "import", "--vault-name", "kv1", "-n", "bad", "-f", str(tmp_path / "c.pfx"))
    assert r.code == 1 and "(BadParameter) The specified PKCS#12 X.509 certificate content can not be read" in r.err


def test_delete_recover_purge_take_the_key_and_secret_along(kv):
    kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c1", "-p", _policy(kv))
    deleted = kv("keyvault", "certificate", "delete", "--vault-name", "kv1", "-n", "c1")
    assert deleted.json()["recoveryId"] == "https://kv1.vault.azure.net/deletedcertificates/c1"
    assert "this certificate will be moved to the soft deleted state" in deleted.err
    assert kv("keyvault", "key", "show", "--vault-name", "kv1", "-n", "c1").code == 3
    r = kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c1", "-p", _policy(kv))
    assert r.code == 1 and "(Conflict) Certificate c1 is currently in a deleted but recoverable state" in r.err
    assert [c["name"] for c in kv("keyvault", "certificate", "list-deleted", "--vault-name", "kv1").json()] == ["c1"]
    assert kv("keyvault", "certificate", "recover", "--vault-name", "kv1", "-n", "c1").code == 0
    assert kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "c1").code == 0
    kv("keyvault", "certificate", "delete", "--vault-name", "kv1", "-n", "c1")
    assert kv("keyvault", "certificate", "purge", "--vault-name", "kv1", "-n", "c1").code == 0
    assert kv("keyvault", "key", "list-deleted", "--vault-name", "kv1").json() == []
    assert kv("keyvault", "secret", "list-deleted", "--vault-name", "kv1").json() == []


def test_bad_policies_and_issuers_are_refused_and_change_nothing(kv):
    from azlocal.platform.store import store

    before = len(store().list())
    policy = json.loads(_policy(kv))
    policy["issuerParameters"]["name"] = "Unknown"
    r = kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c2", "-p", json.dumps(policy))
    assert r.code == 1 and "issuer 'Unknown'" in r.err
    r = kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c2", "-p", "{not json")
    assert r.code == 1 and "Failed to parse string as JSON" in r.err
    r = kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c2", "-p",
           _policy(kv, subject="XX=bad"))
    assert r.code == 1 and "Invalid subject name" in r.err
    assert kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c2").code == 2
    r = kv("keyvault", "certificate", "show", "--vault-name", "kv1", "-n", "nope")
    assert r.code == 3 and "(CertificateNotFound) A certificate with (name/id) nope was not found" in r.err
    assert len(store().list()) == before


def test_a_certificate_does_not_take_an_existing_secrets_name(kv):
    kv("keyvault", "secret", "set", "--vault-name", "kv1", "-n", "taken", "--value", "v")
    r = kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "taken", "-p", _policy(kv))
    assert r.code == 1 and "(Conflict)" in r.err
    assert kv("keyvault", "key", "show", "--vault-name", "kv1", "-n", "taken").code == 3


def test_backup_and_restore_bring_the_key_and_secret(kv, tmp_path):
    kv("keyvault", "certificate", "create", "--vault-name", "kv1", "-n", "c1", "-p", _policy(kv))
    original = kv("keyvault", "secret", "show", "--vault-name", "kv1", "-n", "c1").json()["value"]
    path = tmp_path / "c1.bak"
    assert kv("keyvault", "certificate", "backup", "--vault-name", "kv1", "-n", "c1", "-f", str(path)).code == 0
    r = kv("keyvault", "certificate", "restore", "--vault-name", "kv1", "-f", str(path))
    assert r.code == 1 and "(Conflict) There was a conflict restoring the certificate 'c1'" in r.err
    kv("keyvault", "create", "-n", "kv2", "-g", "rg1", "--enable-rbac-authorization", "false")
    restored = kv("keyvault", "certificate", "restore", "--vault-name", "kv2", "-f", str(path))
    assert restored.code == 0 and restored.json()["kid"].startswith("https://kv2.vault.azure.net/keys/c1/")
    assert kv("keyvault", "secret", "show", "--vault-name", "kv2", "-n", "c1").json()["value"] == original
    r = kv("keyvault", "key", "restore", "--vault-name", "kv2", "-f", str(path))
    assert r.code == 1 and "(BadParameter) Backup blob contains invalid or corrupt version." in r.err
