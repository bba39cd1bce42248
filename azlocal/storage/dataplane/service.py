"""The Blob service's account-level and container operations (handlers take an operations.Context)."""

from azlocal.storage.blobrecords import http_date
from azlocal.storage.dataplane import bodies
from azlocal.storage.dataplane.operations import conditions, metadata_of
from azlocal.storage.dataplane.responses import empty_response, xml_response
from azlocal.storage.storage_errors import StorageError

_PUBLIC_LEVELS = ("blob", "container")


def _int(value, name="maxresults"):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise StorageError("InvalidQueryParameterValue") from None
    if number < 1:
        raise StorageError("OutOfRangeQueryParameterValue", "One of the query parameters specified in the request "
                           "URI is outside the permissible range.")
    return min(number, 5000)


def _container_headers(doc):
    lease = doc["lease"]
    headers = {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"]),
               "x-ms-lease-status": lease["status"], "x-ms-lease-state": lease["state"],
               "x-ms-has-immutability-policy": "false", "x-ms-has-legal-hold": "false",
               "x-ms-default-encryption-scope": "$account-encryption-key",
               "x-ms-deny-encryption-scope-override": "false"}
    if lease["duration"]:
        headers["x-ms-lease-duration"] = lease["duration"]
    if doc["public_access"]:
        headers["x-ms-blob-public-access"] = doc["public_access"]
    for key, value in doc["metadata"].items():
        headers[f"x-ms-meta-{key}"] = value
    return headers


def _public_access(ctx):
    level = ctx.request.headers.get("x-ms-blob-public-access")
    if level is None:
        return None
    if level not in _PUBLIC_LEVELS:
        raise StorageError("InvalidHeaderValue")
    if not ctx.account_doc.get("allowBlobPublicAccess"):
        raise StorageError("PublicAccessNotPermitted")
    return level


async def list_containers(ctx):
    q = ctx.request.query
    prefix, marker, max_results = q.get("prefix", ""), q.get("marker"), _int(q.get("maxresults"))
    items, next_marker = await ctx.run(lambda s: s.list_containers(prefix, marker, max_results))
    body = bodies.container_list(ctx.endpoint, items, next_marker, prefix=prefix, marker=marker,
                                 max_results=max_results, include_metadata="metadata" in q.get("include", ""))
    return xml_response(ctx.request, body)


async def get_service_properties(ctx):
    return xml_response(ctx.request, bodies.service_properties())


async def set_service_properties(ctx):
    await ctx.request.read()
    return empty_response(ctx.request, 202)


async def service_stats(ctx):
    return xml_response(ctx.request, "<StorageServiceStats><GeoReplication><Status>live</Status><LastSyncTime>"
                        + http_date(__import__("time").time()) + "</LastSyncTime></GeoReplication>"
                        "</StorageServiceStats>")


async def account_info(ctx):
    doc = ctx.account_doc
    return empty_response(ctx.request, 200, {"x-ms-sku-name": (doc.get("sku") or {}).get("name", "Standard_LRS"),
                                             "x-ms-account-kind": doc.get("kind") or "StorageV2",
                                             "x-ms-is-hns-enabled": "true" if doc.get("isHnsEnabled") else "false"})


async def user_delegation_key(ctx):
    raise StorageError("AuthenticationFailed", "A user delegation key needs a Microsoft Entra token, which azlocal's "
                       "Blob service does not verify yet.")


async def create_container(ctx):
    level = _public_access(ctx)
    metadata = metadata_of(ctx.request)
    doc = await ctx.run(lambda s: s.create_container(ctx.container, metadata, level))
    return empty_response(ctx.request, 201, {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"])})


async def container_properties(ctx):
    doc = await ctx.run(lambda s: s.container(ctx.container))
    return empty_response(ctx.request, 200, _container_headers(doc))


async def container_metadata(ctx):
    doc = await ctx.run(lambda s: s.container(ctx.container))
    headers = {k: v for k, v in _container_headers(doc).items() if k.startswith("x-ms-meta-")}
    return empty_response(ctx.request, 200, dict(headers, ETag=doc["etag"],
                                                 **{"Last-Modified": http_date(doc["last_modified"])}))


async def delete_container(ctx):
    lease = ctx.request.headers.get("x-ms-lease-id")
    await ctx.run(lambda s: s.delete_container(ctx.container, lease, conditions(ctx.request)))
    return empty_response(ctx.request, 202)


async def set_container_metadata(ctx):
    metadata, lease = metadata_of(ctx.request), ctx.request.headers.get("x-ms-lease-id")
    doc = await ctx.run(lambda s: s.set_container(ctx.container, metadata=metadata, lease_id=lease,
                                                  conditions=conditions(ctx.request)))
    return empty_response(ctx.request, 200, {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"])})


async def get_container_acl(ctx):
    doc = await ctx.run(lambda s: s.container(ctx.container))
    headers = {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"])}
    if doc["public_access"]:
        headers["x-ms-blob-public-access"] = doc["public_access"]
    return xml_response(ctx.request, bodies.acl(doc["acl"]), headers=headers)


async def set_container_acl(ctx):
    level = _public_access(ctx)
    identifiers = bodies.parse_acl(await ctx.request.read())
    lease = ctx.request.headers.get("x-ms-lease-id")
    doc = await ctx.run(lambda s: s.set_container(ctx.container, public_access=level, acl=identifiers,
                                                  lease_id=lease, conditions=conditions(ctx.request)))
    return empty_response(ctx.request, 200, {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"])})


def lease_arguments(request):
    h = request.headers
    action = (h.get("x-ms-lease-action") or "").lower()
    if not action:
        raise StorageError("MissingRequiredHeader")
    return action, {"lease_id": h.get("x-ms-lease-id"), "proposed_id": h.get("x-ms-proposed-lease-id"),
                    "duration": h.get("x-ms-lease-duration"), "break_period": h.get("x-ms-lease-break-period"),
                    "conditions": conditions(request)}


def lease_response(request, action, result):
    status = {"acquire": 201, "break": 202}.get(action, 200)
    headers = {"ETag": result["etag"], "Last-Modified": http_date(result["last_modified"])}
    if result.get("lease_id"):
        headers["x-ms-lease-id"] = result["lease_id"]
    if "lease_time" in result:
        headers["x-ms-lease-time"] = str(result["lease_time"])
    return empty_response(request, status, headers)


async def container_lease(ctx):
    action, kwargs = lease_arguments(ctx.request)
    result = await ctx.run(lambda s: s.container_lease(ctx.container, action, **kwargs))
    return lease_response(ctx.request, action, result)


async def list_blobs(ctx):
    q = ctx.request.query
    prefix, marker, max_results = q.get("prefix", ""), q.get("marker"), _int(q.get("maxresults"))
    delimiter = q.get("delimiter") or None
    include = set((q.get("include") or "").lower().split(","))
    items, next_marker = await ctx.run(lambda s: s.list_blobs(ctx.container, prefix, delimiter, marker, max_results))
    body = bodies.blob_list(ctx.endpoint, ctx.container, items, next_marker, prefix=prefix, marker=marker,
                            max_results=max_results, delimiter=delimiter, include=include)
    return xml_response(ctx.request, body)
