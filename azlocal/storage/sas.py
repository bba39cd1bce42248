"""Shared access signatures for the Blob service, generated and checked as Azure signs them.

Account SAS (ss/srt/sp/…): string-to-sign `account\\nsp\\nss\\nsrt\\nst\\nse\\nsip\\nspr\\nsv\\n[ses\\n]`.
Service SAS (sr=c container, sr=b blob): `sp\\nst\\nse\\n/blob/<account>/<container>[/<blob>]\\nsi\\nsip\\nspr\\n
sv\\nsr\\n<snapshot>\\n[ses\\n]rscc\\nrscd\\nrsce\\nrscl\\nrsct`
(sr and snapshot from sv 2018-11-09, ses from 2020-12-06).
The signature is base64(HMAC-SHA256(base64-decoded account key, string-to-sign)), with either key.

`check` verifies the signature, the st/se window, the permission letter and the resource type an operation
needs, the service, spr=https and the signed IP, and raises Azure's errors (AuthenticationFailed,
AuthorizationPermissionMismatch, …, see storage_errors). A stored access policy (si) fills sp/st/se from
the container's ACL. User delegation SAS (skoid…) needs Microsoft Entra sign-in and is refused.
"""

import base64
import datetime
import hashlib
import hmac
import ipaddress
from urllib.parse import parse_qsl, quote

from azlocal.storage.storage_errors import StorageError

VERSION = "2026-04-06"  # the sv az 2.91's azure-storage-blob signs with
ACCOUNT_PERMISSIONS = "rwdxylacuptfi"
SERVICE_PERMISSIONS = "racwdxyltfmeiop"


def _order(value, order):
    value = value or ""
    bad = sorted(set(value) - set(order))
    if bad:
        raise StorageError("InvalidQueryParameterValue", f"The permission(s) '{''.join(bad)}' are not valid for this "
                           "shared access signature.")
    return "".join(letter for letter in order if letter in value)


def sign(key, string_to_sign):
    digest = hmac.new(base64.b64decode(key), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _time(value):
    """A SAS time ('2027-01-01', '2027-01-01T00:00Z', with seconds and fractions) -> aware datetime."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise StorageError("AuthenticationFailed", f"The time '{value}' of the shared access signature is not a "
                           "valid ISO 8601 time.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def format_time(value):
    """A datetime or a user's time string as the SDK writes it in a SAS: YYYY-MM-DDTHH:MM:SSZ."""
    if value is None or value == "":
        return None
    return _time(value).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def account_string_to_sign(account, q):
    sts = "\n".join([account, q.get("sp", ""), q.get("ss", ""), q.get("srt", ""), q.get("st", ""), q.get("se", ""),
                     q.get("sip", ""), q.get("spr", ""), q.get("sv", "")]) + "\n"
    if q.get("sv", "") >= "2020-12-06":
        sts += q.get("ses", "") + "\n"
    return sts


def service_string_to_sign(account, q, container, blob=None):
    resource = f"/blob/{account}/{container}" + (f"/{blob}" if blob and q.get("sr") != "c" else "")
    parts = [q.get("sp", ""), q.get("st", ""), q.get("se", ""), resource, q.get("si", ""), q.get("sip", ""),
             q.get("spr", ""), q.get("sv", "")]
    if q.get("sv", "") >= "2018-11-09":
        parts += [q.get("sr", ""), q.get("snapshot", "") if q.get("sr") == "bs" else ""]
    if q.get("sv", "") >= "2020-12-06":
        parts.append(q.get("ses", ""))
    parts += [q.get(k, "") for k in ("rscc", "rscd", "rsce", "rscl", "rsct")]
    return "\n".join(parts)


def _token(q):
    return "&".join(f"{k}={quote(str(v), safe='')}" for k, v in q.items() if v not in (None, ""))


def generate_account(account, key, *, services="b", resource_types="sco", permission="r", expiry=None, start=None,
                     ip=None, protocol=None, encryption_scope=None, version=VERSION):
    q = {"se": format_time(expiry), "sp": _order(permission, ACCOUNT_PERMISSIONS), "sv": version,
         "ss": services, "srt": resource_types, "st": format_time(start), "sip": ip, "spr": protocol,
         "ses": encryption_scope}
    q = {k: v for k, v in q.items() if v}
    q["sig"] = sign(key, account_string_to_sign(account, q))
    return _token(q)


def generate_service(account, key, container, blob=None, *, permission=None, expiry=None, start=None,
                     policy_id=None, ip=None, protocol=None, cache_control=None, content_disposition=None,
                     content_encoding=None, content_language=None, content_type=None, snapshot=None,
                     encryption_scope=None, version=VERSION):
    """A container SAS (blob None) or a blob SAS, with the query parameters in the SDK's order."""
    q = {"st": format_time(start), "se": format_time(expiry), "sp": _order(permission, SERVICE_PERMISSIONS) or None,
         "sip": ip, "spr": protocol, "sv": version, "sr": "c" if blob is None else ("bs" if snapshot else "b"),
         "si": policy_id, "ses": encryption_scope, "rscc": cache_control, "rscd": content_disposition,
         "rsce": content_encoding, "rscl": content_language, "rsct": content_type}
    q = {k: v for k, v in q.items() if v}
    signing = dict(q, snapshot=snapshot or "")
    q["sig"] = sign(key, service_string_to_sign(account, signing, container, blob))
    return _token(q)


def parse(token):
    return dict(parse_qsl((token or "").lstrip("?"), keep_blank_values=True))


def is_sas(query):
    return "sig" in query and ("sv" in query or "se" in query)


def _auth_failed(detail):
    return StorageError("AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of "
                        f"Authorization header is formed correctly including the signature.\n{detail}")


def check(account, token, needs=None, *, resource=None, https=True, client_ip=None, policies=None, keys=None):
    """The SAS's parameters if it allows `needs` = (permission letter, resource type 's'|'c'|'o') on
    `resource` = (container, blob or None); raises Azure's error otherwise. Without `resource` a service SAS
    is checked for its window and permissions only (the caller checks it again against the resource)."""
    q = parse(token) if isinstance(token, str) else dict(token)
    if "skoid" in q:
        raise StorageError("AuthenticationFailed", "User delegation SAS needs Microsoft Entra sign-in, which "
                           "azlocal does not have yet; use an account key SAS.")
    if "sig" not in q:
        raise _auth_failed("Signature field of the shared access signature is missing.")
    if keys is None:
        from azlocal.storage import accounts

        keys = [k for k in (accounts.key_values(account) or []) if k]
    account_sas = "ss" in q or "srt" in q
    if account_sas or resource is not None:
        if account_sas:
            sts = account_string_to_sign(account, q)
        else:
            sts = service_string_to_sign(account, q, resource[0], resource[1])
        if not any(hmac.compare_digest(sign(k, sts), q["sig"]) for k in keys):
            raise _auth_failed("Signature did not match. String to sign used was " + sts.replace("\n", "\\n"))
    if not account_sas and q.get("si") and policies is not None:
        # a stored access policy: the token signed only what it carries; the policy supplies the rest
        policy = next((p for p in policies if p.get("id") == q["si"]), None)
        if policy is None:
            raise _auth_failed(f"Signed identifier '{q['si']}' is not one of the container's access policies.")
        q = dict(q, **{k: v for k, v in (("sp", policy.get("permission")), ("st", policy.get("start")),
                                         ("se", policy.get("expiry"))) if v and not q.get(k)})
    _check_window(q)
    if q.get("spr") == "https" and not https:
        raise StorageError("AuthorizationProtocolMismatch")
    if q.get("sip") and client_ip:
        _check_ip(q["sip"], client_ip)
    if needs:
        letter, kind = needs
        if account_sas:
            if "b" not in q.get("ss", ""):
                raise StorageError("AuthorizationServiceMismatch")
            if kind and kind not in q.get("srt", ""):
                raise StorageError("AuthorizationResourceTypeMismatch")
        elif resource is not None and kind in ("s", "c") and q.get("sr") in ("b", "bs"):
            raise StorageError("AuthorizationResourceTypeMismatch")
        elif kind == "s":
            raise StorageError("AuthorizationResourceTypeMismatch")
        if letter and not any(ch in q.get("sp", "") for ch in letter):
            raise StorageError("AuthorizationPermissionMismatch")
    return q


def _check_window(q):
    now = datetime.datetime.now(datetime.timezone.utc)
    if not q.get("se"):
        raise _auth_failed("Signed expiry field of the shared access signature is missing.")
    start = _time(q["st"]) if q.get("st") else None
    expiry = _time(q["se"])
    if start and start > expiry:
        raise _auth_failed(f"Signed expiry time [{q['se']}] must be after signed start time [{q['st']}]")
    if now > expiry or (start and now < start - datetime.timedelta(minutes=15)):
        fmt = "%a, %d %b %Y %H:%M:%S GMT"
        shown = start.strftime(fmt) if start else ""
        raise _auth_failed(f"Signature not valid in the specified time frame: Start [{shown}] - Expiry "
                           f"[{expiry.strftime(fmt)}] - Current [{now.strftime(fmt)}]")


def _check_ip(sip, client_ip):
    try:
        ip = ipaddress.ip_address(client_ip)
        low, _, high = sip.partition("-")
        ok = ipaddress.ip_address(low) <= ip <= ipaddress.ip_address(high or low)
    except ValueError:
        ok = False
    if not ok:
        raise StorageError("AuthorizationSourceIPMismatch", ip=client_ip)
