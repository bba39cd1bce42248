"""OCI Distribution v1.1 handlers under /v2: parse the request, call storage, uploads or repository,
build the response. Each takes the resolved `context.Request` and the URL's named groups; failures
are raised (the errors middleware answers them)."""

import json

from aiohttp import web

from azlocal.acr.dataplane import encrypted, repository, uploads
from azlocal.acr.dataplane.context import json_response
from azlocal.acr.dataplane.errors import API_HEADER, RegistryError, unsupported
from azlocal.acr.dataplane.names import check_digest, check_name, is_digest
from azlocal.acr.dataplane.paging import paginate
from azlocal.acr.dataplane.uploads import CHUNK

INDEX = "application/vnd.oci.image.index.v1+json"


def _created(name, digest, **extra):
    return web.Response(status=201, headers=dict(API_HEADER, **{
        "Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest}, **extra))


async def root(ctx):
    if not ctx.authenticated():
        raise ctx.unauthorized(None)
    return json_response({})


async def catalog(ctx, path="/v2/_catalog"):
    ctx.require("registry", "catalog", "*")
    repos, headers = paginate(ctx.storage.listed_repositories(), ctx.http.query, path)
    return json_response({"repositories": repos}, headers=headers)


async def tags_list(ctx, name):
    check_name(name)
    ctx.require("repository", name, "pull")
    if not ctx.storage.repo_exists(name):
        raise RegistryError("NAME_UNKNOWN", "repository name not known to registry", {"name": name})
    tags, headers = paginate([t["name"] for t in repository.listed(ctx.storage.tags(name))], ctx.http.query,
                             f"/v2/{name}/tags/list")
    return json_response({"name": name, "tags": tags}, headers=headers)


# Manifests ----------------------------------------------------------------------------------

async def manifest(ctx, name, ref):
    check_name(name)
    method = ctx.http.method
    if method in ("GET", "HEAD"):
        ctx.require("repository", name, "pull")
        repository.check_read(ctx.storage, name)
        m = await _resolve_or_pull_through(ctx, name, ref)
        repository.check_read(ctx.storage, name, m, None if is_digest(ref) else ctx.storage.tag(name, ref))
        body = ctx.storage.read_blob(m["digest"])
        headers = dict(API_HEADER, **{"Docker-Content-Digest": m["digest"], "ETag": f'"{m["digest"]}"'})
        return web.Response(body=body, headers=headers, content_type=m["mediaType"])
    if method == "PUT":
        ctx.require("repository", name, "push")
        return await _put_manifest(ctx, name, ref)
    if method == "DELETE":
        ctx.require("repository", name, "delete")
        tag, digest, media_type, size = repository.delete(ctx.storage, name, ref, soft=soft_delete(ctx))
        ctx.event("delete", name, tag=tag, digest=digest, media_type=media_type, size=size)
        return web.Response(status=202, headers=API_HEADER)
    raise unsupported()


def soft_delete(ctx):
    """Whether deletes of this registry go to the trash (its soft delete policy is on)."""
    return ctx.view.soft_delete


async def _resolve_or_pull_through(ctx, name, ref):
    """The manifest a reference names; when it is missing and a cache rule covers the repository, the
    rule's upstream image is fetched into the registry first (off the event loop) and the lookup retried."""
    import asyncio

    try:
        return repository.resolve(ctx.storage, name, ref)
    except RegistryError as missing:
        if ctx.view.pull_through is None or missing.code != "MANIFEST_UNKNOWN":
            raise
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(None, ctx.view.pull_through, ctx.storage, name, ref):
            raise
        return repository.resolve(ctx.storage, name, ref)


async def _read_manifest(ctx):
    body = bytearray()  # read to the end: one read() returns only what has arrived so far
    async for chunk in ctx.http.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > repository.MAX_MANIFEST:
            raise RegistryError("SIZE_INVALID", "manifest too large (4 MiB at most)")
    return bytes(body)


async def _put_manifest(ctx, name, ref):
    repository.check_reference(ctx.storage, name, ref)
    body = await _read_manifest(ctx)
    content_type = ctx.http.headers.get("Content-Type", "").split(";")[0].strip()
    pushed = repository.put(ctx.storage, name, ref, body, content_type)
    headers = {"Location": f"/v2/{name}/manifests/{pushed.digest}", "Docker-Content-Digest": pushed.digest}
    if pushed.subject:
        headers["OCI-Subject"] = pushed.subject
    ctx.event("push", name, tag=pushed.tag, digest=pushed.digest, media_type=pushed.media_type, size=pushed.size)
    return web.Response(status=201, headers=dict(API_HEADER, **headers))


async def referrers(ctx, name, digest):
    check_name(name)
    check_digest(digest)
    ctx.require("repository", name, "pull")
    wanted = ctx.http.query.get("artifactType")
    entries = repository.referrers(ctx.storage, name, digest, wanted)
    headers = {"OCI-Filters-Applied": "artifactType"} if wanted else {}
    return web.Response(text=json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": entries}),
                        content_type=INDEX, headers=dict(API_HEADER, **headers))


# Content trust ------------------------------------------------------------------------------

NOTARY_OFFLINE = ("content trust signing is not available offline: azlocal's registry does not serve Notary, so "
                  "docker trust and DOCKER_CONTENT_TRUST=1 cannot sign or verify images here")


async def notary(ctx, name, path):
    """Notary's TUF endpoints (/v2/<gun>/_trust/tuf/…), where docker trust looks for trust data: refused with a
    400 whose detail Notary clients show (a validation error carrying the reason)."""
    detail = {"Name": "ErrValidation", "Error": {"Msg": NOTARY_OFFLINE}}
    raise RegistryError("UNSUPPORTED", NOTARY_OFFLINE, detail, status=400)


# Blobs and uploads --------------------------------------------------------------------------

async def blob(ctx, name, digest):
    check_name(name)
    check_digest(digest)
    if ctx.http.method in ("GET", "HEAD"):
        ctx.require("repository", name, "pull")
        repository.check_read(ctx.storage, name)
        if not ctx.storage.linked(name, digest):
            raise RegistryError("BLOB_UNKNOWN", "blob unknown to registry", {"digest": digest})
        headers = dict(API_HEADER, **{"Docker-Content-Digest": digest, "ETag": f'"{digest}"',
                                      "Content-Type": "application/octet-stream",
                                      "Cache-Control": "max-age=31536000"})
        if ctx.storage.encrypted:  # a customer-managed key: decrypted chunk by chunk (dataplane/encrypted.py)
            return await encrypted.response(ctx.http, ctx.storage, digest, headers)
        # sendfile(2) where the OS can: the blob never passes through Python.
        return web.FileResponse(ctx.storage.blob_path(digest), headers=headers, chunk_size=CHUNK)
    if ctx.http.method == "DELETE":
        ctx.require("repository", name, "delete")
        if not ctx.storage.unlink(name, digest):
            raise RegistryError("BLOB_UNKNOWN", "blob unknown to registry", {"digest": digest})
        return web.Response(status=202, headers=dict(API_HEADER, **{"Docker-Content-Digest": digest}))
    raise unsupported()


def _upload_headers(session):
    end = max(session.offset - 1, 0)
    return dict(API_HEADER, **uploads.session_headers(session, end), **{"Content-Length": "0"})


async def upload_start(ctx, name):
    check_name(name)
    if ctx.http.method != "POST":
        raise unsupported()
    ctx.require("repository", name, "push")
    repository.check_write(ctx.storage, name)
    query = ctx.http.query
    mount, source = query.get("mount"), query.get("from")
    if mount and source:
        check_name(source)
        if ctx.storage.linked(source, mount) and ctx.may("repository", source, "pull"):
            ctx.storage.link(name, mount)
            return _created(name, mount)
    digest = query.get("digest")
    if digest:
        check_digest(digest)
    session = ctx.storage.new_upload(name)
    if digest:
        await uploads.monolithic(session, ctx.http.content.iter_chunked(CHUNK), digest,
                                 quota_bytes=ctx.view.quota_bytes)
        ctx.storage.link(name, digest)
        return _created(name, digest)
    return web.Response(status=202, headers=_upload_headers(session))


async def upload(ctx, name, upload):
    check_name(name)
    ctx.require("repository", name, "push")
    session = ctx.storage.get_upload(upload, name)  # None for another repository's session too
    if session is None:
        raise uploads.unknown(upload)
    method = ctx.http.method
    if method == "GET":
        return web.Response(status=204, headers=_upload_headers(session))
    if method == "DELETE":
        await uploads.cancel(session)
        return web.Response(status=204, headers=API_HEADER)
    if method not in ("PATCH", "PUT"):
        raise unsupported()
    chunks = ctx.http.content.iter_chunked(CHUNK)
    content_range, content_length = ctx.http.headers.get("Content-Range"), ctx.http.content_length
    if method == "PATCH":
        await uploads.append(session, chunks, content_range=content_range, content_length=content_length)
        return web.Response(status=202, headers=_upload_headers(session))
    digest = ctx.http.query.get("digest")
    await uploads.finish(session, chunks, digest, content_range=content_range, content_length=content_length,
                         quota_bytes=ctx.view.quota_bytes)
    ctx.storage.link(name, digest)
    return _created(name, digest, **{"Content-Length": "0"})
