"""The Blob service's blob operations (handlers take an operations.Context): Put Blob (block and append),
Put Block / Put Block List / Get Block List, Append Block, Get Blob (ranges, conditions, MD5), properties,
metadata, Delete Blob, leases and Copy Blob from a blob of this daemon. Bodies stream to disk: a failed or
dropped upload is aborted and leaves nothing behind."""

import asyncio
import base64
import hashlib
from urllib.parse import unquote, urlparse

from aiohttp import web

from azlocal.storage.blobrecords import http_date
from azlocal.storage.dataplane import bodies
from azlocal.storage.dataplane.operations import conditions, metadata_of
from azlocal.storage.dataplane.responses import common_headers, empty_response, xml_response
from azlocal.storage.dataplane.service import lease_arguments, lease_response
from azlocal.storage.storage_errors import StorageError

_SETTINGS = {"content_type": "x-ms-blob-content-type", "content_encoding": "x-ms-blob-content-encoding",
             "content_language": "x-ms-blob-content-language", "content_disposition": "x-ms-blob-content-disposition",
             "cache_control": "x-ms-blob-cache-control", "content_md5": "x-ms-blob-content-md5"}
_PLAIN = {"content_type": "Content-Type", "content_encoding": "Content-Encoding",
          "content_language": "Content-Language", "content_disposition": "Content-Disposition",
          "cache_control": "Cache-Control"}
_CHUNK = 1 << 20


def _settings(request, plain=False):
    h = request.headers
    out = {k: h.get(v) for k, v in _SETTINGS.items()}
    if plain:
        for k, v in _PLAIN.items():
            out[k] = out[k] or h.get(v)
    return out


def _written(doc, extra=None):
    headers = {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"]),
               "x-ms-request-server-encrypted": "true"}
    headers.update(extra or {})
    return headers


async def _receive(ctx):
    """The request body streamed into a new Upload (aborted if the client goes away or sends too little)."""
    upload = ctx.new_upload()
    try:
        async for chunk in ctx.request.content.iter_chunked(_CHUNK):
            upload.write(chunk)
        declared = ctx.request.content_length
        if declared is not None and declared != upload.size:
            raise StorageError("InvalidInput")
        md5 = ctx.request.headers.get("Content-MD5")
        if md5 and md5 != upload.digest():
            raise StorageError("Md5Mismatch")
        upload.finish()
    except BaseException:
        upload.abort()
        raise
    return upload


async def put_blob(ctx):
    h = ctx.request.headers
    if h.get("x-ms-copy-source"):
        return await _copy(ctx)
    blob_type = h.get("x-ms-blob-type")
    if blob_type not in ("BlockBlob", "AppendBlob"):
        raise StorageError("FeatureNotSupported", what="Page blobs" if blob_type == "PageBlob" else "This blob type") \
            if blob_type else StorageError("MissingRequiredHeader")
    upload = await _receive(ctx)
    settings, metadata, lease = _settings(ctx.request, plain=True), metadata_of(ctx.request), h.get("x-ms-lease-id")
    if blob_type == "AppendBlob" and upload.size:
        upload.abort()
        raise StorageError("InvalidHeaderValue")
    doc = await ctx.run(lambda s: s.put_blob(ctx.container, ctx.blob, upload, settings=settings, metadata=metadata,
                                             lease_id=lease, conditions=conditions(ctx.request),
                                             blob_type=blob_type))
    extra = {"Content-MD5": doc["content_md5"]} if blob_type == "BlockBlob" and doc["content_md5"] else {}
    return empty_response(ctx.request, 201, _written(doc, extra))


async def _copy(ctx):
    """Copy Blob (202, status success) or Put Blob From URL (201), from a blob this daemon serves."""
    from azlocal.storage import sas
    from azlocal.storage.blobstore import BlobStore
    from azlocal.storage.dataplane import account_of
    from azlocal.storage.dataplane.operations import split_path

    source = urlparse(ctx.request.headers["x-ms-copy-source"])
    account = account_of(source.hostname)
    container, blob = split_path(unquote(source.path))
    if not account or not container or not blob:
        raise StorageError("CannotVerifyCopySource")
    query = dict(p.split("=", 1) for p in source.query.split("&") if "=" in p)
    query = {k: unquote(v) for k, v in query.items()}

    def work(store):
        src = BlobStore(account)
        try:
            if account != ctx.account:
                if sas.is_sas(query):
                    sas.check(account, query, needs=("r", "o"), resource=(container, blob))
                elif (src.container(container)["public_access"] or None) is None:
                    raise StorageError("CannotVerifyCopySource")
            return store.copy_blob(ctx.container, ctx.blob, src, container, blob,
                                   metadata=metadata_of(ctx.request) or None, conditions=conditions(ctx.request),
                                   lease_id=ctx.request.headers.get("x-ms-lease-id"))
        except StorageError as ex:
            if ex.code in ("BlobNotFound", "ContainerNotFound") and ex.status == 404:
                raise StorageError("CannotVerifyCopySource") from None
            raise
        finally:
            src.close()

    doc = await ctx.run(work)
    if ctx.request.headers.get("x-ms-blob-type"):
        return empty_response(ctx.request, 201, _written(doc))
    import uuid

    return empty_response(ctx.request, 202, _written(doc, {"x-ms-copy-id": str(uuid.uuid4()),
                                                           "x-ms-copy-status": "success"}))


async def stage_block(ctx):
    block_id = ctx.request.query.get("blockid")
    upload = await _receive(ctx)
    await ctx.run(lambda s: s.stage_block(ctx.container, ctx.blob, block_id, upload))
    return empty_response(ctx.request, 201, {"x-ms-request-server-encrypted": "true",
                                             "Content-MD5": upload.digest()})


async def commit_blocks(ctx):
    blocks = bodies.parse_block_list(await ctx.request.read())
    settings, metadata = _settings(ctx.request), metadata_of(ctx.request)
    lease = ctx.request.headers.get("x-ms-lease-id")
    doc = await ctx.run(lambda s: s.commit_blocks(ctx.container, ctx.blob, blocks, settings=settings,
                                                  metadata=metadata, lease_id=lease,
                                                  conditions=conditions(ctx.request)))
    return empty_response(ctx.request, 201, _written(doc))


async def get_block_list(ctx):
    which = (ctx.request.query.get("blocklisttype") or "committed").lower()
    blocks = await ctx.run(lambda s: s.block_list(ctx.container, ctx.blob, which))
    return xml_response(ctx.request, bodies.block_list(blocks))


async def append_block(ctx):
    h = ctx.request.headers
    upload = await _receive(ctx)
    doc = await ctx.run(lambda s: s.append_block(ctx.container, ctx.blob, upload, conditions(ctx.request),
                                                 h.get("x-ms-lease-id"), h.get("x-ms-blob-condition-maxsize"),
                                                 h.get("x-ms-blob-condition-appendpos")))
    return empty_response(ctx.request, 201, _written(doc, {"x-ms-blob-append-offset": str(doc["append_offset"]),
                                                           "x-ms-blob-committed-block-count": "1"}))


def properties_headers(doc):
    lease = doc["lease"]
    headers = {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"]),
               "x-ms-creation-time": http_date(doc["created"]), "x-ms-blob-type": doc["blob_type"],
               "x-ms-lease-state": lease["state"], "x-ms-lease-status": lease["status"],
               "x-ms-server-encrypted": "true", "Accept-Ranges": "bytes",
               "Content-Type": doc["content_type"] or "application/octet-stream"}
    if lease["duration"]:
        headers["x-ms-lease-duration"] = lease["duration"]
    if doc["blob_type"] == "BlockBlob":
        headers.update({"x-ms-access-tier": "Hot", "x-ms-access-tier-inferred": "true"})
    else:
        headers["x-ms-blob-committed-block-count"] = str(doc["committed_blocks"])
    for key, header in _PLAIN.items():
        if key != "content_type" and doc[key]:
            headers[header] = doc[key]
    for key, value in doc["metadata"].items():
        headers[f"x-ms-meta-{key}"] = value
    return headers


def _range(request, size):
    value = request.headers.get("x-ms-range") or request.headers.get("Range")
    if not value:
        return None
    unit, _, spec = value.partition("=")
    start_text, _, end_text = spec.partition("-")
    try:
        start = int(start_text)
        end = int(end_text) if end_text else size - 1
    except ValueError:
        return None  # as the service: an unparsable range is ignored
    if start >= size or start < 0 or unit.strip() != "bytes":
        error = StorageError("InvalidRange")
        error.size = size
        raise error
    return start, min(end, size - 1)


async def blob_properties(ctx):
    lease = ctx.request.headers.get("x-ms-lease-id")
    doc = await ctx.run(lambda s: s.blob(ctx.container, ctx.blob, lease_id=lease, conditions=conditions(ctx.request)))
    headers = properties_headers(doc)
    headers["Content-Length"] = str(doc["size"])
    if doc["content_md5"]:
        headers["Content-MD5"] = doc["content_md5"]
    out = common_headers(ctx.request)
    out.update(headers)
    return web.Response(status=200, headers=out)


async def get_blob(ctx):
    lease = ctx.request.headers.get("x-ms-lease-id")
    doc, handle = await ctx.run(lambda s: s.open_blob(ctx.container, ctx.blob, conditions(ctx.request), lease))
    try:
        span = _range(ctx.request, doc["size"])
        start, end = span if span else (0, doc["size"] - 1)
        length = max(0, end - start + 1)
        headers = common_headers(ctx.request)
        headers.update(properties_headers(doc))
        headers["Content-Length"] = str(length)
        loop = asyncio.get_running_loop()
        if span:
            headers["Content-Range"] = f"bytes {start}-{end}/{doc['size']}"
            if doc["content_md5"]:
                headers["x-ms-blob-content-md5"] = doc["content_md5"]
            if ctx.request.headers.get("x-ms-range-get-content-md5") == "true" and length <= 4 << 20:
                handle.seek(start)
                data = await loop.run_in_executor(None, handle.read, length)
                headers["Content-MD5"] = base64.b64encode(hashlib.md5(data).digest()).decode()
        elif doc["content_md5"]:
            headers["Content-MD5"] = doc["content_md5"]
        response = web.StreamResponse(status=206 if span else 200, headers=headers)
        await response.prepare(ctx.request)
        handle.seek(start)
        left = length
        while left > 0:
            data = await loop.run_in_executor(None, handle.read, min(_CHUNK, left))
            if not data:
                break
            await response.write(data)
            left -= len(data)
        await response.write_eof()
        return response
    finally:
        handle.close()


async def blob_metadata(ctx):
    doc = await ctx.run(lambda s: s.blob(ctx.container, ctx.blob, conditions=conditions(ctx.request)))
    headers = {f"x-ms-meta-{k}": v for k, v in doc["metadata"].items()}
    return empty_response(ctx.request, 200, dict(headers, ETag=doc["etag"],
                                                 **{"Last-Modified": http_date(doc["last_modified"])}))


async def delete_blob(ctx):
    lease = ctx.request.headers.get("x-ms-lease-id")
    await ctx.run(lambda s: s.delete_blob(ctx.container, ctx.blob, lease, conditions(ctx.request)))
    return empty_response(ctx.request, 202, {"x-ms-delete-type-permanent": "true"})


async def set_blob_metadata(ctx):
    metadata, lease = metadata_of(ctx.request), ctx.request.headers.get("x-ms-lease-id")
    doc = await ctx.run(lambda s: s.set_blob(ctx.container, ctx.blob, metadata=metadata, lease_id=lease,
                                             conditions=conditions(ctx.request)))
    return empty_response(ctx.request, 200, _written(doc))


async def set_blob_properties(ctx):
    settings, lease = _settings(ctx.request), ctx.request.headers.get("x-ms-lease-id")
    doc = await ctx.run(lambda s: s.set_blob(ctx.container, ctx.blob, settings=settings, lease_id=lease,
                                             conditions=conditions(ctx.request)))
    return empty_response(ctx.request, 200, {"ETag": doc["etag"], "Last-Modified": http_date(doc["last_modified"])})


async def blob_lease(ctx):
    action, kwargs = lease_arguments(ctx.request)
    result = await ctx.run(lambda s: s.blob_lease(ctx.container, ctx.blob, action, **kwargs))
    return lease_response(ctx.request, action, result)


async def set_tier(ctx):
    tier = ctx.request.headers.get("x-ms-access-tier")
    await ctx.run(lambda s: s.blob(ctx.container, ctx.blob))
    if tier != "Hot":
        raise StorageError("FeatureNotSupported", what=f"The access tier '{tier}'")
    return empty_response(ctx.request, 200)


async def get_tags(ctx):
    raise StorageError("FeatureNotSupported", what="Blob index tags")


set_tags = get_tags
