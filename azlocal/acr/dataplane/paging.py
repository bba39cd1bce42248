"""Pagination of listings: `n` items after `last`, and a Link header to the next page (pure functions).

`query` is the request's query (any mapping with .get); each function returns (page, headers).
"""

from urllib.parse import urlencode

from azlocal.acr.dataplane.errors import RegistryError


def link(path, n, last, extra=None):
    query = dict(extra or {}, n=n, last=last)
    return f'<{path}?{urlencode(query)}>; rel="next"'


def _key(item):
    return item if isinstance(item, str) else item["name"]


def paginate(items, query, path, extra=None):
    """The distribution spec's pagination over sorted items: those after `last`, at most `n` of them."""
    last = query.get("last")
    if last:
        items = [i for i in items if _key(i) > last]
    n = query.get("n")
    headers = {}
    if n is not None:
        try:
            n = int(n)
        except ValueError:
            raise RegistryError("PAGINATION_NUMBER_INVALID", "invalid number of results requested", status=400)
        if n < len(items) and n > 0:
            headers["Link"] = link(path, n, _key(items[n - 1]), extra)
        items = items[:n] if n >= 0 else items
    return items, headers


def ordered(items, query):
    """ACR's `orderby`: timedesc, timeasc, or the items as they are."""
    order = query.get("orderby")
    if order == "timedesc":
        return sorted(items, key=lambda i: i["lastUpdateTime"], reverse=True)
    if order == "timeasc":
        return sorted(items, key=lambda i: i["lastUpdateTime"])
    return items


def page_ordered(items, query, path):
    """ACR pages in the requested order: `last` names the last item already seen (a name or a digest)."""
    last = query.get("last")
    if last:
        names = [i.get("name") or i.get("digest") for i in items]
        if last in names:
            items = items[names.index(last) + 1:]
    n = query.get("n")
    headers = {}
    if n and n.isdigit() and int(n) < len(items):
        n = int(n)
        marker = items[n - 1].get("name") or items[n - 1].get("digest")
        headers["Link"] = link(path, n, marker, {"orderby": query.get("orderby", "")})
        items = items[:n]
    return items, headers
