"""HTTP handlers: OCI Distribution v1.1 under /v2, ACR's /acr/v1 metadata API and /oauth2 tokens.

Each request is resolved to a registry by its Host, authorised, and served from that
registry's storage. Handlers only translate HTTP to storage calls and back.
"""

import asyncio
import base64
import hashlib
import json
import re
from urllib.parse import urlencode

from aiohttp import web

from azlocal.acr.dataplane import auth, manifests
from azlocal.acr.dataplane.errors import RegistryError
from azlocal.acr.dataplane.storage import CHUNK, TAG, check_digest, check_name, storage_for

MANIFEST_TYPES = {
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
}
MAX_MANIFEST = 4 * 1024 * 1024
API_HEADER = {"Docker-Distribution-API-Version": "registry/2.0"}

V2_ROUTES = [
    (re.compile(r"^_catalog$"), "catalog"),
    (re.compile(r"^(?P<name>.+)/tags/list$"), "tags_list"),
    (re.compile(r"^(?P<name>.+)/manifests/(?P<ref>[^/]+)$"), "manifest"),
    (re.compile(r"^(?P<name>.+)/blobs/uploads/?$"), "upload_start"),
    (re.compile(r"^(?P<name>.+)/blobs/uploads/(?P<upload>[^/]+)$"), "upload"),
    (re.compile(r"^(?P<name>.+)/blobs/(?P<digest>[^/]+)$"), "blob"),
    (re.compile(r"^(?P<name>.+)/referrers/(?P<digest>[^/]+)$"), "referrers"),
]
ACR_ROUTES = [
    (re.compile(r"^_catalog$"), "acr_catalog"),
    (re.compile(r"^(?P<name>.+)/_tags/(?P<tag>[^/]+)$"), "acr_tag"),
    (re.compile(r"^(?P<name>.+)/_tags$"), "acr_tags"),
    (re.compile(r"^(?P<name>.+)/_manifests/(?P<digest>[^/]+)$"), "acr_manifest"),
    (re.compile(r"^(?P<name>.+)/_manifests$"), "acr_manifests"),
    (re.compile(r"^(?P<name>.+)$"), "acr_repository"),
]


def build_app(resolver):
    app = web.Application(client_max_size=MAX_MANIFEST * 2)
    handlers = Handlers(resolver)
    app.router.add_route("*", "/v2", handlers.v2)
    app.router.add_route("*", "/v2/{tail:.*}", handlers.v2)
    app.router.add_route("*", "/acr/v1/{tail:.*}", handlers.acr)
    app.router.add_route("*", "/oauth2/token", handlers.token)
    app.router.add_route("*", "/oauth2/exchange", handlers.exchange)
    return app


def basic_credentials(value):
    """(user, password) from a Basic authorization value; empty strings when it is malformed."""
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
        return user, password
    except (ValueError, UnicodeDecodeError):
        return "", ""


def _link(path, n, last, extra=None):
    query = dict(extra or {}, n=n, last=last)
    return f'<{path}?{urlencode(query)}>; rel="next"'


def _paginate(items, request, path, extra=None):
    """Spec pagination: `n` items after `last`, with a Link header when more remain."""
    last = request.query.get("last")
    if last:
        items = [i for i in items if (i if isinstance(i, str) else i["name"]) > last]
    n = request.query.get("n")
    headers = {}
    if n is not None:
        try:
            n = int(n)
        except ValueError:
            raise RegistryError("PAGINATION_NUMBER_INVALID", "invalid number of results requested", status=400)
        if n < len(items) and n > 0:
            last_item = items[n - 1]
            headers["Link"] = _link(path, n, last_item if isinstance(last_item, str) else last_item["name"], extra)
        items = items[:n] if n >= 0 else items
    return items, headers


class Request:
    """A request resolved to its registry, with its storage and its authorisation."""

    def __init__(self, request, view):
        self.http, self.view = request, view
        self.storage = storage_for(view.root)
        self.claims = None
        self.principal = None
        self._authenticate()

    def _authenticate(self):
        header = self.http.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            self.claims = auth.verify(self.view, value.strip(), "access")
            if self.claims is None:
                raise self.unauthorized(None, "authentication required")
        elif scheme.lower() == "basic":
            user, password = basic_credentials(value)
            self.principal = auth.principal_from_basic(self.view, user, password)
            if self.principal is None:
                raise self.unauthorized(None, "authentication required, invalid username or password")

    def unauthorized(self, scope, message="authentication required"):
        scheme = self.http.scheme
        headers = dict(API_HEADER, **{"WWW-Authenticate": auth.challenge(self.view, scheme, self.http.host, scope)})
        detail = [{"Type": s["type"], "Name": s["name"], "Action": a}
                  for s in auth.parse_scope(scope) for a in s["actions"]] if scope else None
        return RegistryError("UNAUTHORIZED", message, detail, headers=headers)

    def require(self, resource_type, name, action):
        if not self.view.auth_required or self.principal:
            return
        if self.claims is not None:
            if auth.allows(self.claims, resource_type, name, action):
                return
            raise RegistryError("DENIED", "requested access to the resource is denied",
                                {"Type": resource_type, "Name": name, "Action": action})
        if self.view.anonymous_pull and resource_type == "repository" and action == "pull":
            return
        scope = f"{resource_type}:{name}:{'*' if resource_type == 'registry' else action}"
        raise self.unauthorized(scope)

    def authenticated(self):
        return not self.view.auth_required or self.principal or self.claims is not None


def _json(data, status=200, headers=None):
    return web.Response(status=status, text=json.dumps(data), content_type="application/json",
                        headers=dict(API_HEADER, **(headers or {})))


class Handlers:
    def __init__(self, resolver):
        self.resolver = resolver

    def _resolve(self, request):
        view = self.resolver(request.host)
        if view is None:
            raise RegistryError("NAME_UNKNOWN", "registry not found", {"host": request.host})
        return view

    # /v2 -------------------------------------------------------------------------------

    async def v2(self, request):
        try:
            ctx = Request(request, self._resolve(request))
            tail = request.match_info.get("tail", "")
            if tail == "":
                if not ctx.authenticated():
                    raise ctx.unauthorized(None)
                return _json({})
            return await self._dispatch(ctx, V2_ROUTES, tail)
        except RegistryError as ex:
            return ex.response()

    async def _dispatch(self, ctx, routes, tail):
        for pattern, name in routes:
            match = pattern.match(tail)
            if match:
                return await getattr(self, name)(ctx, **match.groupdict())
        raise RegistryError("UNSUPPORTED", "the operation is unsupported", status=404)

    async def catalog(self, ctx, path="/v2/_catalog"):
        ctx.require("registry", "catalog", "*")
        repos, headers = _paginate(ctx.storage.repositories(), ctx.http, path)
        return _json({"repositories": repos}, headers=headers)

    async def tags_list(self, ctx, name):
        check_name(name)
        ctx.require("repository", name, "pull")
        if not ctx.storage.repo_exists(name):
            raise RegistryError("NAME_UNKNOWN", "repository name not known to registry", {"name": name})
        tags, headers = _paginate([t["name"] for t in ctx.storage.tags(name)], ctx.http, f"/v2/{name}/tags/list")
        return _json({"name": name, "tags": tags}, headers=headers)

    # Manifests ---------------------------------------------------------------------------

    def _resolve_reference(self, ctx, name, ref):
        if ref.startswith("sha256:"):
            check_digest(ref)
            manifest = ctx.storage.manifest(name, ref)
        else:
            tag = ctx.storage.tag(name, ref)
            manifest = ctx.storage.manifest(name, tag["digest"]) if tag else None
        if manifest is None or not ctx.storage.blob_exists(manifest["digest"]):
            raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"name": name, "reference": ref})
        return manifest

    async def manifest(self, ctx, name, ref):
        check_name(name)
        method = ctx.http.method
        if method in ("GET", "HEAD"):
            ctx.require("repository", name, "pull")
            self._check_read(ctx, name)
            m = self._resolve_reference(ctx, name, ref)
            body = ctx.storage.read_blob(m["digest"])
            headers = dict(API_HEADER, **{"Docker-Content-Digest": m["digest"], "ETag": f'"{m["digest"]}"'})
            return web.Response(body=body, headers=headers, content_type=m["mediaType"])
        if method == "PUT":
            ctx.require("repository", name, "push")
            return await self._put_manifest(ctx, name, ref)
        if method == "DELETE":
            ctx.require("repository", name, "delete")
            return self._delete_manifest(ctx, name, ref)
        raise RegistryError("UNSUPPORTED", "the operation is unsupported")

    def _check_read(self, ctx, name):
        repo = ctx.storage.repo(name)
        if repo and not repo["attrs"].get("readEnabled", True):
            raise RegistryError("DENIED", "The operation is disallowed on this registry, repository or manifest.")

    def _check_write(self, ctx, name, tag=None):
        repo = ctx.storage.repo(name)
        if repo and not repo["attrs"].get("writeEnabled", True):
            raise RegistryError("DENIED", f"The operation is disallowed on this repository: '{name}' is locked "
                                "(writeEnabled is false).")
        if tag:
            existing = ctx.storage.tag(name, tag)
            if existing and not existing["attrs"].get("writeEnabled", True):
                raise RegistryError("DENIED", f"The operation is disallowed: tag '{tag}' is locked "
                                    "(writeEnabled is false).")

    def _check_delete(self, ctx, attrs, what):
        if not attrs.get("deleteEnabled", True):
            raise RegistryError("DENIED", f"The operation is disallowed: {what} is locked (deleteEnabled is false).",
                                status=405)

    async def _put_manifest(self, ctx, name, ref):
        is_digest = ref.startswith("sha256:")
        if not is_digest and not TAG.match(ref):
            raise RegistryError("TAG_INVALID", "manifest tag did not match URI", {"tag": ref}, status=400)
        self._check_write(ctx, name, None if is_digest else ref)
        body = bytearray()  # read to the end: one read() returns only what has arrived so far
        async for chunk in ctx.http.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > MAX_MANIFEST:
                raise RegistryError("SIZE_INVALID", "manifest too large (4 MiB at most)")
        body = bytes(body)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if is_digest and digest != ref:
            raise RegistryError("DIGEST_INVALID", "provided digest did not match uploaded content",
                                {"expected": ref, "actual": digest})
        doc = manifests.load(body)
        content_type = ctx.http.headers.get("Content-Type", "").split(";")[0].strip()
        media_type = content_type if content_type in MANIFEST_TYPES else doc.get("mediaType")
        if not isinstance(media_type, str) or media_type not in MANIFEST_TYPES:
            raise RegistryError("MANIFEST_INVALID", f"manifest invalid: unsupported media type '{media_type}'")
        m = manifests.parse(doc, media_type)
        arch, os_name = self._check_references(ctx, name, m)
        # Only a manifest that passed every check stores anything (its bytes, its row, its tag).
        ctx.storage.put_blob_bytes(body)
        ctx.storage.put_manifest(name, digest, media_type, len(body), m.config_digest, arch, os_name, m.subject,
                                 m.artifact_type, m.annotations)
        if not is_digest:
            ctx.storage.set_tag(name, ref, digest)
        headers = {"Location": f"/v2/{name}/manifests/{digest}", "Docker-Content-Digest": digest}
        if m.subject:
            headers["OCI-Subject"] = m.subject
        self._event(ctx, "push", name, None if is_digest else ref, digest, media_type, len(body))
        return web.Response(status=201, headers=dict(API_HEADER, **headers))

    def _check_references(self, ctx, name, m):
        """Every blob a manifest names must be linked in its own repository (pushed or mounted there),
        every manifest an index names must be a manifest of that repository. Links nothing."""
        for d in m.children:
            if not ctx.storage.manifest(name, d) or not ctx.storage.blob_exists(d):
                raise RegistryError("MANIFEST_BLOB_UNKNOWN", "manifest blob unknown to registry", {"digest": d})
        for d in m.blobs:
            if not ctx.storage.linked(name, d):
                raise RegistryError("MANIFEST_BLOB_UNKNOWN", "manifest blob unknown to registry", {"digest": d})
        arch = os_name = None
        if m.config_digest and m.config_size < 1024 * 1024:
            try:
                image_config = json.loads(ctx.storage.read_blob(m.config_digest))
                arch, os_name = image_config.get("architecture"), image_config.get("os")
            except (ValueError, AttributeError, OSError, RecursionError):
                pass
            arch = arch if isinstance(arch, str) else None
            os_name = os_name if isinstance(os_name, str) else None
        return arch, os_name

    def _delete_manifest(self, ctx, name, ref):
        if not ref.startswith("sha256:"):
            tag = ctx.storage.tag(name, ref)
            if tag is None:
                raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"name": name, "reference": ref})
            self._check_delete(ctx, tag["attrs"], f"tag '{ref}'")
            ctx.storage.delete_tag(name, ref)
            self._event(ctx, "delete", name, ref, tag["digest"], None, None)
            return web.Response(status=202, headers=API_HEADER)
        m = self._resolve_reference(ctx, name, ref)
        repo = ctx.storage.repo(name)
        self._check_delete(ctx, repo["attrs"] if repo else {}, f"repository '{name}'")
        self._check_delete(ctx, m["attrs"], f"manifest '{ref}'")
        ctx.storage.delete_manifest(name, ref)
        self._event(ctx, "delete", name, None, ref, m["mediaType"], m["size"])
        return web.Response(status=202, headers=API_HEADER)

    def _event(self, ctx, action, name, tag, digest, media_type, size):
        if ctx.view.on_event:
            try:
                ctx.view.on_event(action, name, tag, digest, media_type, size)
            except Exception:
                pass  # a notification must never fail the registry operation

    # Blobs --------------------------------------------------------------------------------

    async def blob(self, ctx, name, digest):
        check_name(name)
        check_digest(digest)
        if ctx.http.method in ("GET", "HEAD"):
            ctx.require("repository", name, "pull")
            self._check_read(ctx, name)
            if not ctx.storage.linked(name, digest):
                raise RegistryError("BLOB_UNKNOWN", "blob unknown to registry", {"digest": digest})
            headers = dict(API_HEADER, **{"Docker-Content-Digest": digest, "ETag": f'"{digest}"',
                                          "Content-Type": "application/octet-stream",
                                          "Cache-Control": "max-age=31536000"})
            # sendfile(2) where the OS can: the blob never passes through Python.
            return web.FileResponse(ctx.storage.blob_path(digest), headers=headers, chunk_size=CHUNK)
        if ctx.http.method == "DELETE":
            ctx.require("repository", name, "delete")
            if not ctx.storage.unlink(name, digest):
                raise RegistryError("BLOB_UNKNOWN", "blob unknown to registry", {"digest": digest})
            return web.Response(status=202, headers=dict(API_HEADER, **{"Docker-Content-Digest": digest}))
        raise RegistryError("UNSUPPORTED", "the operation is unsupported")

    async def _receive(self, ctx, upload, expected=None):
        """Streams the request body onto the end of the upload (the caller holds its lock). A body
        longer or shorter than its Content-Range (`expected`) is refused with 416; a refused or
        broken request leaves the session exactly as it was."""
        start, received = upload.offset, 0
        try:
            with upload.open_for_append() as f:
                async for block in ctx.http.content.iter_chunked(CHUNK):
                    received += len(block)
                    if expected is not None and received > expected:
                        break
                    f.write(block)
            if expected is not None and received != expected:
                raise self._range_invalid(upload, "the chunk's length does not match its Content-Range",
                                          start=start)
        except BaseException:
            if not upload.closed:
                upload.truncate(start)
            raise

    def _upload_headers(self, name, upload):
        end = max(upload.offset - 1, 0)
        return dict(API_HEADER, **{"Location": f"/v2/{name}/blobs/uploads/{upload.id}", "Range": f"0-{end}",
                                   "Docker-Upload-UUID": upload.id, "Content-Length": "0"})

    def _range_invalid(self, upload, message, start=None):
        end = max((upload.offset if start is None else start) - 1, 0)
        return RegistryError("BLOB_UPLOAD_INVALID", message, {"uuid": upload.id}, status=416, headers=dict(
            API_HEADER, **{"Location": f"/v2/{upload.repo}/blobs/uploads/{upload.id}", "Range": f"0-{end}",
                           "Docker-Upload-UUID": upload.id}))

    def _chunk_length(self, ctx, session):
        """The length a Content-Range announces (None without one). It must start at the session's
        offset and agree with Content-Length; otherwise 416, as the distribution spec says."""
        value = ctx.http.headers.get("Content-Range")
        if value is None:
            return None
        match = re.fullmatch(r"(?:bytes[ =])?(\d{1,19})-(\d{1,19})(?:/(?:\d{1,19}|\*))?", value.strip())
        if not match:
            raise self._range_invalid(session, "the Content-Range is malformed")
        first, last = int(match.group(1)), int(match.group(2))
        if first != session.offset or last < first:
            raise self._range_invalid(session, "the chunk does not continue the upload")
        length = last - first + 1
        declared = ctx.http.content_length
        if declared is not None and declared != length:
            raise self._range_invalid(session, "the chunk's Content-Length does not match its Content-Range")
        return length

    async def _commit(self, ctx, session, digest):
        """Verifies the digest over the bytes on disk (hashed off the event loop), then moves them into place."""
        actual = await asyncio.get_running_loop().run_in_executor(None, session.disk_digest)
        session.commit(digest, ctx.view.quota_bytes, actual)

    async def upload_start(self, ctx, name):
        check_name(name)
        if ctx.http.method != "POST":
            raise RegistryError("UNSUPPORTED", "the operation is unsupported")
        ctx.require("repository", name, "push")
        self._check_write(ctx, name)
        query = ctx.http.query
        mount, source = query.get("mount"), query.get("from")
        if mount and source:
            check_name(source)
            if ctx.storage.linked(source, mount) and self._may_pull(ctx, source):
                ctx.storage.link(name, mount)
                return web.Response(status=201, headers=dict(API_HEADER, **{
                    "Location": f"/v2/{name}/blobs/{mount}", "Docker-Content-Digest": mount}))
        digest = query.get("digest")
        if digest:
            check_digest(digest)
        upload = ctx.storage.new_upload(name)
        if digest:
            async with upload.lock:
                try:
                    await self._receive(ctx, upload)
                    await self._commit(ctx, upload, digest)
                except BaseException:
                    upload.cancel()
                    raise
            ctx.storage.link(name, digest)
            return web.Response(status=201, headers=dict(API_HEADER, **{
                "Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest}))
        return web.Response(status=202, headers=self._upload_headers(name, upload))

    def _may_pull(self, ctx, source):
        try:
            ctx.require("repository", source, "pull")
            return True
        except RegistryError:
            return False

    async def upload(self, ctx, name, upload):
        check_name(name)
        ctx.require("repository", name, "push")
        session = ctx.storage.get_upload(upload, name)  # None for another repository's session too
        if session is None:
            raise RegistryError("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", {"uuid": upload})
        method = ctx.http.method
        if method == "GET":
            return web.Response(status=204, headers=self._upload_headers(name, session))
        if method not in ("PATCH", "PUT", "DELETE"):
            raise RegistryError("UNSUPPORTED", "the operation is unsupported")
        digest = ctx.http.query.get("digest")
        if method == "PUT" and not digest:
            raise RegistryError("DIGEST_INVALID", "digest missing from the final PUT")
        async with session.lock:  # one writer at a time; who waited finds the session as its writer left it
            if session.closed:
                raise RegistryError("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", {"uuid": upload})
            if method == "DELETE":
                session.cancel()
                return web.Response(status=204, headers=API_HEADER)
            if method == "PUT":
                try:
                    check_digest(digest)
                except RegistryError:
                    session.cancel()
                    raise
            await self._receive(ctx, session, self._chunk_length(ctx, session))
            if method == "PATCH":
                return web.Response(status=202, headers=self._upload_headers(name, session))
            try:
                await self._commit(ctx, session, digest)
            except BaseException:
                session.cancel()
                raise
        ctx.storage.link(name, digest)
        return web.Response(status=201, headers=dict(API_HEADER, **{
            "Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest, "Content-Length": "0"}))

    async def referrers(self, ctx, name, digest):
        check_name(name)
        check_digest(digest)
        ctx.require("repository", name, "pull")
        wanted = ctx.http.query.get("artifactType")
        entries = []
        for m in ctx.storage.referrers(name, digest):
            if wanted and m["artifactType"] != wanted:
                continue
            entry = {"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"]}
            if m["artifactType"]:
                entry["artifactType"] = m["artifactType"]
            if m["annotations"]:
                entry["annotations"] = m["annotations"]
            entries.append(entry)
        headers = {"OCI-Filters-Applied": "artifactType"} if wanted else {}
        return web.Response(text=json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                                             "manifests": entries}),
                            content_type="application/vnd.oci.image.index.v1+json",
                            headers=dict(API_HEADER, **headers))

    # /acr/v1 --------------------------------------------------------------------------------

    async def acr(self, request):
        try:
            ctx = Request(request, self._resolve(request))
            return await self._dispatch(ctx, ACR_ROUTES, request.match_info.get("tail", ""))
        except RegistryError as ex:
            return ex.response()

    async def acr_catalog(self, ctx):
        return await self.catalog(ctx, "/acr/v1/_catalog")

    def _known_repo(self, ctx, name):
        check_name(name)
        repo = ctx.storage.repo(name)
        if repo is None or not ctx.storage.repo_exists(name):
            raise RegistryError("NAME_UNKNOWN", "repository name not known to registry", {"name": name})
        return repo

    async def acr_repository(self, ctx, name):
        method = ctx.http.method
        if method == "GET":
            ctx.require("repository", name, "metadata_read")
            repo = self._known_repo(ctx, name)
            return _json(self._repo_doc(ctx, name, repo))
        if method == "PATCH":
            ctx.require("repository", name, "metadata_write")
            self._known_repo(ctx, name)
            ctx.storage.set_repo_attrs(name, await self._attributes(ctx))
            return _json(self._repo_doc(ctx, name, ctx.storage.repo(name)))
        if method == "DELETE":
            ctx.require("repository", name, "delete")
            repo = self._known_repo(ctx, name)
            self._check_delete(ctx, repo["attrs"], f"repository '{name}'")
            result = ctx.storage.delete_repo(name)
            for digest in result["manifestsDeleted"]:
                self._event(ctx, "delete", name, None, digest, None, None)
            return _json(result, status=202)
        raise RegistryError("UNSUPPORTED", "the operation is unsupported")

    def _repo_doc(self, ctx, name, repo):
        return {
            "changeableAttributes": dict(repo["attrs"], teleportEnabled=False),
            "createdTime": repo["created"],
            "imageName": name,
            "lastUpdateTime": repo["updated"],
            "manifestCount": len(ctx.storage.manifests(name)),
            "registry": ctx.view.login_server,
            "tagCount": len(ctx.storage.tags(name)),
        }

    async def _attributes(self, ctx):
        try:
            body = await ctx.http.json()
        except ValueError:
            raise RegistryError("INVALID_REQUEST", "the request body must be JSON", status=400)
        allowed = {"deleteEnabled", "writeEnabled", "readEnabled", "listEnabled"}
        return {k: bool(v) for k, v in (body or {}).items() if k in allowed}

    def _tag_doc(self, tag):
        return {"changeableAttributes": tag["attrs"], "createdTime": tag["createdTime"], "digest": tag["digest"],
                "lastUpdateTime": tag["lastUpdateTime"], "name": tag["name"], "signed": False}

    def _ordered(self, items, ctx):
        order = ctx.http.query.get("orderby")
        if order == "timedesc":
            return sorted(items, key=lambda i: i["lastUpdateTime"], reverse=True)
        if order == "timeasc":
            return sorted(items, key=lambda i: i["lastUpdateTime"])
        return items

    async def acr_tags(self, ctx, name):
        ctx.require("repository", name, "metadata_read")
        self._known_repo(ctx, name)
        tags = ctx.storage.tags(name)
        digest = ctx.http.query.get("digest")
        if digest:
            tags = [t for t in tags if t["digest"] == digest]
        ordered = self._ordered(tags, ctx)
        page, headers = self._page_ordered(ordered, ctx, f"/acr/v1/{name}/_tags")
        return _json({"imageName": name, "registry": ctx.view.login_server,
                      "tags": [self._tag_doc(t) for t in page]}, headers=headers)

    def _page_ordered(self, items, ctx, path):
        """ACR pages in the requested order: `last` names the last item already seen."""
        last = ctx.http.query.get("last")
        if last:
            names = [i.get("name") or i.get("digest") for i in items]
            if last in names:
                items = items[names.index(last) + 1:]
        n = ctx.http.query.get("n")
        headers = {}
        if n and n.isdigit() and int(n) < len(items):
            n = int(n)
            marker = items[n - 1].get("name") or items[n - 1].get("digest")
            extra = {"orderby": ctx.http.query.get("orderby", "")}
            headers["Link"] = _link(path, n, marker, extra)
            items = items[:n]
        return items, headers

    async def acr_tag(self, ctx, name, tag):
        self._known_repo(ctx, name)
        current = ctx.storage.tag(name, tag)
        if current is None:
            raise RegistryError("TAG_UNKNOWN", "the specified tag does not exist", {"tag": tag}, status=404)
        method = ctx.http.method
        if method == "GET":
            ctx.require("repository", name, "metadata_read")
        elif method == "PATCH":
            ctx.require("repository", name, "metadata_write")
            ctx.storage.set_tag_attrs(name, tag, await self._attributes(ctx))
        elif method == "DELETE":
            ctx.require("repository", name, "delete")
            self._check_delete(ctx, current["attrs"], f"tag '{tag}'")
            ctx.storage.delete_tag(name, tag)
            self._event(ctx, "delete", name, tag, current["digest"], None, None)
            return web.Response(status=202, headers=API_HEADER)
        else:
            raise RegistryError("UNSUPPORTED", "the operation is unsupported")
        return _json({"imageName": name, "registry": ctx.view.login_server,
                      "tag": self._tag_doc(ctx.storage.tag(name, tag))})

    def _manifest_doc(self, ctx, name, m, tags_by_digest):
        config_media_type = None
        if m["configDigest"]:
            config_media_type = "application/vnd.docker.container.image.v1+json" \
                if "docker" in m["mediaType"] else "application/vnd.oci.image.config.v1+json"
        return {
            "architecture": m["architecture"], "changeableAttributes": m["attrs"],
            "configMediaType": config_media_type, "createdTime": m["createdTime"], "digest": m["digest"],
            "imageSize": self._image_size(ctx, m), "lastUpdateTime": m["lastUpdateTime"],
            "mediaType": m["mediaType"], "os": m["os"], "tags": tags_by_digest.get(m["digest"], []),
        }

    def _image_size(self, ctx, m):
        try:
            doc = json.loads(ctx.storage.read_blob(m["digest"]))
        except (OSError, ValueError):
            return m["size"]
        return m["size"] + sum(layer.get("size", 0) for layer in doc.get("layers") or []) + \
            (doc.get("config") or {}).get("size", 0)

    async def acr_manifests(self, ctx, name):
        ctx.require("repository", name, "metadata_read")
        self._known_repo(ctx, name)
        tags_by_digest = {}
        for t in ctx.storage.tags(name):
            tags_by_digest.setdefault(t["digest"], []).append(t["name"])
        docs = [self._manifest_doc(ctx, name, m, tags_by_digest) for m in ctx.storage.manifests(name)]
        docs = self._ordered(sorted(docs, key=lambda d: d["digest"]), ctx)
        page, headers = self._page_ordered(docs, ctx, f"/acr/v1/{name}/_manifests")
        return _json({"imageName": name, "manifests": page, "registry": ctx.view.login_server}, headers=headers)

    async def acr_manifest(self, ctx, name, digest):
        self._known_repo(ctx, name)
        check_digest(digest)
        m = ctx.storage.manifest(name, digest)
        if m is None:
            raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"digest": digest})
        if ctx.http.method == "GET":
            ctx.require("repository", name, "metadata_read")
        elif ctx.http.method == "PATCH":
            ctx.require("repository", name, "metadata_write")
            ctx.storage.set_manifest_attrs(name, digest, await self._attributes(ctx))
            m = ctx.storage.manifest(name, digest)
        else:
            raise RegistryError("UNSUPPORTED", "the operation is unsupported")
        tags = {digest: [t["name"] for t in ctx.storage.tags(name) if t["digest"] == digest]}
        return _json({"imageName": name, "manifest": self._manifest_doc(ctx, name, m, tags),
                      "registry": ctx.view.login_server})

    # OAuth2 ---------------------------------------------------------------------------------

    async def exchange(self, request):
        """AAD access token -> ACR refresh token."""
        try:
            view = self._resolve(request)
            form = await request.post()
            token = form.get("access_token", "")
            if form.get("grant_type") not in ("access_token", "access_token_refresh_token"):
                raise RegistryError("UNSUPPORTED", "unsupported grant_type", status=400)
            if view.auth_required and not (view.check_aad_token and view.check_aad_token(token)):
                raise RegistryError("UNAUTHORIZED", "invalid access token")
            return _json({"refresh_token": auth.issue(view, "refresh", "user")})
        except RegistryError as ex:
            return ex.response()

    async def token(self, request):
        """Access tokens: GET with Basic (or anonymously), or POST with a refresh token or password."""
        try:
            view = self._resolve(request)
            principal = None
            if request.method == "POST":
                form = await request.post()
                scope = form.get("scope", "")
                grant_type = form.get("grant_type")
                if grant_type == "refresh_token":
                    principal = "user" if auth.verify(view, form.get("refresh_token", ""), "refresh") else None
                elif grant_type == "password":
                    principal = auth.principal_from_basic(view, form.get("username", ""), form.get("password", ""))
                else:
                    raise RegistryError("UNSUPPORTED", "unsupported grant_type", status=400)
                if principal is None and view.auth_required:
                    raise RegistryError("UNAUTHORIZED", "invalid credentials")
            else:
                scope = " ".join(request.query.getall("scope", []))
                header = request.headers.get("Authorization", "")
                if header.lower().startswith("basic "):
                    user, password = basic_credentials(header[6:])
                    principal = auth.principal_from_basic(view, user, password)
                    if principal is None and view.auth_required:
                        raise RegistryError("UNAUTHORIZED", "authentication required, invalid username or password")
            if not view.auth_required:
                principal = principal or "anonymous"
            scopes = auth.grant(view, principal, auth.parse_scope(scope))
            if principal is None and not scopes:
                raise RegistryError("UNAUTHORIZED", "authentication required")
            token = auth.issue(view, "access", principal or "anonymous", access=scopes)
            return _json({"access_token": token, "token": token, "expires_in": auth.ACCESS_TTL})
        except RegistryError as ex:
            return ex.response()
