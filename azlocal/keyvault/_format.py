"""What az 2.91 prints for the Key Vault data plane: the SDK's objects through az's transformers (camelCase, ISO
times, `name` from the id, JWK fields base64-encoded). The service layer answers as the REST API; this turns its
bundles into az's shapes."""

import base64
import datetime

from azlocal.keyvault import keycrypto

_JWK_FIELDS = ("kid", "kty", "key_ops", "n", "e", "d", "dp", "dq", "qi", "p", "q", "k", "t", "crv", "x", "y")
_BINARY = ("n", "e", "d", "dp", "dq", "qi", "p", "q", "k", "t", "x", "y")


def when(seconds):
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat()


def _name(identifier):
    parts = identifier.split("/")
    return parts[4] if len(parts) > 4 else None


def _secret_attributes(attrs):
    return {"created": when(attrs.get("created")), "enabled": attrs.get("enabled"), "expires": when(attrs.get("exp")),
            "notBefore": when(attrs.get("nbf")), "recoverableDays": attrs.get("recoverableDays"),
            "recoveryLevel": attrs.get("recoveryLevel"), "updated": when(attrs.get("updated"))}


def secret_properties(bundle):
    """az's transform_secret_base_properties: what list and list-versions print for each secret."""
    return {"attributes": _secret_attributes(bundle["attributes"]), "contentType": bundle.get("contentType"),
            "id": bundle["id"], "managed": bundle.get("managed"), "name": _name(bundle["id"]),
            "tags": bundle.get("tags")}


def secret(bundle, value=True):
    """`secret set`/`show` (with the value) and `set-attributes`/`recover` (value null)."""
    return dict(secret_properties(bundle), kid=bundle.get("kid"), value=bundle.get("value") if value else None)


def deleted_secret(bundle, listing=False):
    out = secret_properties(bundle) if listing else secret(bundle, value=False)
    out.update(deletedDate=when(bundle.get("deletedDate")), recoveryId=bundle.get("recoveryId"),
               scheduledPurgeDate=when(bundle.get("scheduledPurgeDate")))
    return out


def _key_attributes(attrs):
    return {"created": when(attrs.get("created")), "enabled": attrs.get("enabled"), "expires": when(attrs.get("exp")),
            "exportable": attrs.get("exportable"), "hsmPlatform": attrs.get("hsmPlatform"), "keySize": None,
            "notBefore": when(attrs.get("nbf")), "recoverableDays": attrs.get("recoverableDays"),
            "recoveryLevel": attrs.get("recoveryLevel"), "updated": when(attrs.get("updated"))}


def _jwk(jwk):
    out = {}
    for field in _JWK_FIELDS:
        value = jwk.get(field)
        if field in _BINARY and value:
            value = base64.b64encode(keycrypto.b64url_decode(value)).decode()
        out["keyOps" if field == "key_ops" else field] = value
    return out


def key(bundle):
    """az's transform_key_output: create, show, set-attributes, delete, recover, show-deleted."""
    out = {"attributes": _key_attributes(bundle["attributes"]), "key": _jwk(bundle["key"]),
           "managed": bundle.get("managed"), "tags": bundle.get("tags"), "releasePolicy": None}
    if "recoveryId" in bundle:
        out.update(deletedDate=when(bundle["deletedDate"]), scheduledPurgeDate=when(bundle["scheduledPurgeDate"]),
                   recoveryId=bundle["recoveryId"])
    return out


def key_item(item):
    """az's transform_key_list_output: list, list-versions, list-deleted."""
    out = {}
    if "recoveryId" in item:
        out.update(deletedDate=when(item["deletedDate"]), scheduledPurgeDate=when(item["scheduledPurgeDate"]),
                   recoveryId=item["recoveryId"])
    attrs = item["attributes"]
    out.update(attributes={"created": when(attrs.get("created")), "enabled": attrs.get("enabled"),
                           "expires": when(attrs.get("exp")), "exportable": attrs.get("exportable"),
                           "hsmPlatform": attrs.get("hsmPlatform"), "notBefore": when(attrs.get("nbf")),
                           "recoverableDays": attrs.get("recoverableDays"),
                           "recoveryLevel": attrs.get("recoveryLevel"), "updated": when(attrs.get("updated"))},
               kid=item["kid"], name=_name(item["kid"]), keySize=None, managed=item.get("managed"),
               tags=item.get("tags"), releasePolicy=None)
    return out


def secret_table(rows):
    """`secret list -o table`: Name, Id, ContentType, Enabled, Expires (az's transform_secret_list_table)."""
    return [{"Name": r.get("name"), "Id": r.get("id"), "ContentType": r.get("contentType"),
             "Enabled": (r.get("attributes") or {}).get("enabled"),
             "Expires": (r.get("attributes") or {}).get("expires")} for r in rows]


def _cert_attributes(attrs):
    return {"created": when(attrs.get("created")), "enabled": attrs.get("enabled"), "expires": when(attrs.get("exp")),
            "notBefore": when(attrs.get("nbf")), "recoveryLevel": attrs.get("recoveryLevel"),
            "updated": when(attrs.get("updated"))}


def certificate_properties(bundle, deleted=False):
    """az's transform_certificate_properties (list, list-versions; list-deleted without the subject)."""
    thumb = bytes.fromhex(bundle["x5t"])
    out = {"attributes": _cert_attributes(bundle["attributes"]), "id": bundle["id"], "name": bundle["name"],
           "subject": bundle.get("subject", ""), "tags": bundle.get("tags"),
           "x509Thumbprint": base64.b64encode(thumb).decode(), "x509ThumbprintHex": bundle["x5t"]}
    if deleted:
        del out["subject"]
        out.update(deletedDate=when(bundle["deletedDate"]), recoveryId=bundle["recoveryId"],
                   scheduledPurgeDate=when(bundle["scheduledPurgeDate"]))
    return out


def certificate(bundle):
    """az's transform_certificate_show (show, import, set-attributes, recover; delete and show-deleted add the
    deletion's fields)."""
    from azlocal.keyvault import certpolicy

    out = certificate_properties(bundle)
    del out["subject"]
    out.update(cer=bundle["cer"], contentType=bundle.get("contentType"), kid=bundle["kid"], sid=bundle["sid"],
               policy=certpolicy.output(bundle["policy"], bundle["policy_id"], out["attributes"]))
    if "recoveryId" in bundle:
        out.update(deletedDate=when(bundle["deletedDate"]), recoveryId=bundle["recoveryId"],
                   scheduledPurgeDate=when(bundle["scheduledPurgeDate"]))
    return out


def certificate_operation(bundle):
    """az's transform_certificate_create: the finished creation operation."""
    base = bundle["id"].rsplit("/", 1)[0]
    return {"cancellationRequested": False, "csr": None, "error": None, "id": f"{base}/pending",
            "issuerParameters": {"certificateTransparency": None, "certificateType": None,
                                 "name": bundle["policy"]["issuer"]},
            "name": bundle["name"], "requestId": bundle["operation_id"], "status": "completed",
            "statusDetails": None, "target": base}
