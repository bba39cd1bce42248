"""Shared Key and Shared Key Lite verification of a Blob REST request (`Authorization: SharedKey
<account>:<signature>`), with the string-to-sign the service builds:

    SharedKey:      VERB, Content-Encoding, Content-Language, Content-Length (empty for 0), Content-MD5,
                    Content-Type, Date, If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since,
                    Range (one per line), then the canonicalized headers, then the canonicalized resource
    SharedKeyLite:  VERB, Content-MD5, Content-Type, Date, canonicalized headers + resource (`?comp=` only)

Canonicalized headers are the `x-ms-*` headers, lower-cased, `name:value` one per line, sorted as the
service sorts them (hyphens weigh nothing at the first level: 'x-ms-blob-type' < 'x-ms-blobtype'-style
orders; plain byte order is accepted too). The canonicalized resource is `/<account><encoded path>` and one
line `name:value[,value]` per query parameter, names lower-cased and sorted, values decoded. The signature
is base64(HMAC-SHA256(base64-decoded key, string-to-sign)) with either of the account's keys.
"""

import hmac

from azlocal.storage.sas import sign
from azlocal.storage.storage_errors import StorageError

_SIGNED_HEADERS = ("content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                   "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range")


def parse_authorization(value):
    """'SharedKey account:signature' -> (scheme, account, signature); None for another scheme."""
    scheme, _, rest = (value or "").strip().partition(" ")
    if scheme not in ("SharedKey", "SharedKeyLite"):
        return None
    account, sep, signature = rest.strip().partition(":")
    if not sep or not account or not signature:
        raise StorageError("InvalidAuthenticationInfo")
    return scheme, account, signature


def _header_orders(headers):
    pairs = sorted(((k.lower(), v) for k, v in headers.items() if k.lower().startswith("x-ms-")))
    service = sorted(pairs, key=lambda kv: (kv[0].replace("-", ""), kv[0]))
    return [service, pairs] if service != pairs else [pairs]


def _canonical_headers(pairs):
    return "".join(f"{name}:{value.strip() if isinstance(value, str) else value}\n" for name, value in pairs)


def canonical_resource(account, path, query, lite=False):
    resource = f"/{account}{path}"
    if lite:
        comp = [v for k, v in query if k.lower() == "comp"]
        return resource + (f"?comp={comp[0]}" if comp else "")
    grouped = {}
    for name, value in query:
        grouped.setdefault(name.lower(), []).append(value)
    for name in sorted(grouped):
        resource += f"\n{name}:{','.join(sorted(grouped[name]))}"
    return resource


def strings_to_sign(scheme, account, method, path, headers, query):
    """The candidate strings-to-sign of a request (one per accepted header order)."""
    lower = {k.lower(): v for k, v in headers.items()}
    if scheme == "SharedKeyLite":
        head = "\n".join([method, lower.get("content-md5", ""), lower.get("content-type", ""),
                          lower.get("date", "")]) + "\n"
        resource = canonical_resource(account, path, query, lite=True)
    else:
        values = [lower.get(name, "") for name in _SIGNED_HEADERS]
        if values[2] == "0":
            values[2] = ""
        head = method + "\n" + "\n".join(values) + "\n"
        resource = canonical_resource(account, path, query)
    return [head + _canonical_headers(pairs) + resource for pairs in _header_orders(headers)]


def verify(account, method, paths, headers, query, keys):
    """Raises AuthenticationFailed unless the request's Authorization signs it with one of `keys`.
    `paths`: the request's encoded path as candidates (as sent, and as a client library may normalise it)."""
    parsed = parse_authorization(headers.get("Authorization"))
    if parsed is None:
        raise StorageError("InvalidAuthenticationInfo")
    scheme, claimed, signature = parsed
    if claimed != account:
        raise StorageError("AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of "
                           "Authorization header is formed correctly including the signature.\nThe account "
                           f"'{claimed}' in the Authorization header is not the account of this endpoint.")
    if not headers.get("x-ms-date") and not headers.get("Date"):
        raise StorageError("AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of "
                           "Authorization header is formed correctly including the signature.\nRequest date header "
                           "not specified.")
    tried = []
    for path in dict.fromkeys(paths):
        for sts in strings_to_sign(scheme, account, method, path, headers, query):
            tried.append(sts)
            if any(key and hmac.compare_digest(sign(key, sts), signature) for key in keys):
                return scheme
    raise StorageError("AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of "
                       "Authorization header is formed correctly including the signature.\nThe MAC signature found "
                       "in the HTTP request '" + signature + "' is not the same as any computed signature. Server "
                       "used following string to sign: '" + tried[0].replace("\n", "\\n") + "'.")
