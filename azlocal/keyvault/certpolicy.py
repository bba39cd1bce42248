"""Certificate policies as az takes them (`--policy` JSON, camelCase as `get-default-policy` prints it or snake_case)
and prints them (az's transform_certificate_policy). Only the Self issuer is served: a certificate from a CA
(`Unknown` for a manual CSR, or a registered issuer) needs that CA, which is not offline."""

import copy
import re

from azlocal.core.errors import AzLocalError

CONTENT_TYPES = ("application/x-pkcs12", "application/x-pem-file")
DEFAULT = {
    "issuerParameters": {"certificateTransparency": None, "name": "Self"},
    "keyProperties": {"curve": None, "exportable": True, "keySize": 2048, "keyType": "RSA", "reuseKey": True},
    "lifetimeActions": [{"action": {"actionType": "AutoRenew"}, "trigger": {"daysBeforeExpiry": 90}}],
    "secretProperties": {"contentType": "application/x-pkcs12"},
    "x509CertificateProperties": {"keyUsage": ["cRLSign", "dataEncipherment", "digitalSignature", "keyEncipherment",
                                               "keyAgreement", "keyCertSign"], "subject": "CN=CLIGetDefaultPolicy",
                                  "validityInMonths": 12},
}
SCAFFOLD = copy.deepcopy(DEFAULT)
SCAFFOLD["keyProperties"]["keyType"] = "(optional) RSA or RSA-HSM (default RSA)"
SCAFFOLD["secretProperties"]["contentType"] = "application/x-pkcs12 or application/x-pem-file"
SCAFFOLD["issuerParameters"] = {"certificateTransparency": None, "certificateType": "(optional) DigiCert, "
                                "GlobalSign or WoSign", "name": "Unknown, Self, or {IssuerName}"}
SCAFFOLD["x509CertificateProperties"].update(
    ekus=["1.3.6.1.5.5.7.3.1"], subject="C=US, ST=WA, L=Redmond, O=Contoso, OU=Contoso HR, CN=www.contoso.com",
    subjectAlternativeNames={"dnsNames": ["hr.contoso.com", "m.contoso.com"], "emails": ["hello@contoso.com"],
                             "upns": []}, validityInMonths=24)


def _snake(obj):
    if isinstance(obj, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): _snake(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_snake(v) for v in obj]
    return obj


def normalise(policy, validity=None, content_type=None):
    """The policy as stored (snake_case, defaults filled in); az's and the service's errors for bad ones."""
    if not isinstance(policy, dict):
        raise AzLocalError("incorrect usage: policy should be a JSON encoded string or can use @{file} to load from a "
                           "file(e.g.@my_policy.json).")
    given = _snake(policy)
    issuer = (given.get("issuer_parameters") or {}).get("name") or "Self"
    keyp = given.get("key_properties") or {}
    secretp = given.get("secret_properties") or {}
    x509 = given.get("x509_certificate_properties") or {}
    sans = x509.get("subject_alternative_names") or {}
    out = {
        "issuer": issuer,
        "key_type": keyp.get("key_type") or ("EC" if keyp.get("curve") else "RSA"),
        "key_size": keyp.get("key_size"), "curve": keyp.get("curve"),
        "exportable": keyp.get("exportable", True), "reuse_key": keyp.get("reuse_key", False),
        "content_type": content_type or secretp.get("content_type") or "application/x-pkcs12",
        "subject": x509.get("subject"), "ekus": x509.get("ekus"), "key_usage": x509.get("key_usage"),
        "dns_names": sans.get("dns_names"), "emails": sans.get("emails"), "upns": sans.get("upns"),
        "validity_months": int(validity or x509.get("validity_in_months") or 12),
        "lifetime_actions": given.get("lifetime_actions") or [],
    }
    if out["content_type"] not in CONTENT_TYPES:
        raise AzLocalError(f"(BadParameter) Content type '{out['content_type']}' is not supported. Supported: "
                           f"{', '.join(CONTENT_TYPES)}.")
    if not out["subject"] and not (out["dns_names"] or out["emails"] or out["upns"]):
        raise AzLocalError("(BadParameter) Subject or SubjectAlternativeNames must be present in the certificate "
                           "policy.")
    return out


def check_issuer(policy):
    if policy["issuer"].lower() != "self":
        raise AzLocalError(f"Certificates from the issuer '{policy['issuer']}' need that certificate authority "
                           "(or a CSR merged by hand), which azlocal does not have offline: use the issuer 'Self'.")


def output(policy, policy_id, attributes):
    """az's transform_certificate_policy of a stored policy."""
    return {
        "attributes": attributes, "id": policy_id,
        "issuerParameters": {"certificateTransparency": None, "certificateType": None, "name": policy["issuer"]},
        "keyProperties": {"curve": policy.get("curve"), "exportable": policy.get("exportable"),
                          "keySize": policy.get("key_size"), "keyType": policy.get("key_type"),
                          "reuseKey": policy.get("reuse_key")},
        "lifetimeActions": [{"action": {"actionType": (a.get("action") or {}).get("action_type")},
                             "trigger": {"daysBeforeExpiry": (a.get("trigger") or {}).get("days_before_expiry"),
                                         "lifetimePercentage": (a.get("trigger") or {}).get("lifetime_percentage")}}
                            for a in policy.get("lifetime_actions") or []],
        "secretProperties": {"contentType": policy.get("content_type")},
        "x509CertificateProperties": {
            "ekus": policy.get("ekus"), "keyUsage": policy.get("key_usage"), "subject": policy.get("subject"),
            "subjectAlternativeNames": {"emails": policy.get("emails"), "upns": policy.get("upns"),
                                        "dnsNames": policy.get("dns_names")},
            "validityInMonths": policy.get("validity_months")},
    }
