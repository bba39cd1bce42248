"""Paged lists as Key Vault pages them: `{"value": [...], "nextLink": url|null}`, at most `maxresults` (1-25,
default 25) items a page, the next page named by an opaque `$skiptoken` in `nextLink`.

The token is the id of the last item of the page (base64url JSON, so it survives the SDKs' re-quoting of
the next link's query): the next page starts after it in id order, so items added or removed between pages
neither repeat nor shift what follows."""

import base64
import json
from urllib.parse import urlencode

from azlocal.keyvault.dataplane.errors import bad_parameter

MAX_RESULTS = 25


def max_results(query):
    raw = query.get("maxresults")
    if raw in (None, ""):
        return MAX_RESULTS
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_RESULTS:
        raise bad_parameter(f"invalid maxresults: '{raw}'. The value must be between 1 and {MAX_RESULTS}.")
    return number


def encode_token(last_id):
    raw = json.dumps({"NextMarker": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_token(token):
    try:
        padded = token + "=" * (-len(token) % 4)
        marker = json.loads(base64.urlsafe_b64decode(padded.encode()))["NextMarker"]
        if not isinstance(marker, str):
            raise ValueError(marker)
        return marker
    except (ValueError, KeyError, TypeError):
        raise bad_parameter("The $skiptoken is not valid.") from None


def _key(item):
    return (item.get("id") or item.get("kid") or item.get("recoveryId") or "").lower()


def page(items, query, base_url, api_version):
    """One page of `items` (dicts with an `id` or `kid`) for the request's query; `base_url` is the list's URL
    without its query (scheme, host as the client named it, path)."""
    size = max_results(query)
    ordered = sorted(items, key=_key)
    token = query.get("$skiptoken")
    if token:
        after = decode_token(token).lower()
        ordered = [item for item in ordered if _key(item) > after]
    chunk, rest = ordered[:size], ordered[size:]
    next_link = None
    if rest:
        params = {"api-version": api_version, "$skiptoken": encode_token(_key(chunk[-1])), "maxresults": size}
        next_link = f"{base_url}?{urlencode(params)}"
    return {"value": chunk, "nextLink": next_link}
