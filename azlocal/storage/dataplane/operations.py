"""Which Blob operation a request is (method + restype/comp + whether the path names a container and a blob),
what a SAS must grant for it (permission letters, resource type s/c/o), and the one dispatcher: account,
operation, authorisation, handler; a StorageError anywhere becomes Azure's XML error."""

import asyncio
import email.utils
import os
from dataclasses import dataclass

from azlocal.storage.dataplane import account_of
from azlocal.storage.dataplane.responses import error_response
from azlocal.storage.storage_errors import StorageError


@dataclass(frozen=True)
class Op:
    name: str
    letters: str  # any one of these SAS permissions allows it
    kind: str  # SAS resource type: s(ervice), c(ontainer), o(bject)


_SERVICE = {("GET", "list", None): Op("list_containers", "l", "s"),
            ("GET", "properties", "service"): Op("get_service_properties", "r", "s"),
            ("PUT", "properties", "service"): Op("set_service_properties", "w", "s"),
            ("GET", "properties", "account"): Op("account_info", "rwdlacup", "s"),
            ("HEAD", "properties", "account"): Op("account_info", "rwdlacup", "s"),
            ("POST", "userdelegationkey", "service"): Op("user_delegation_key", "r", "s"),
            ("GET", "stats", "service"): Op("service_stats", "r", "s")}
_CONTAINER = {("PUT", None): Op("create_container", "cw", "c"),
              ("GET", None): Op("container_properties", "r", "c"),
              ("HEAD", None): Op("container_properties", "r", "c"),
              ("DELETE", None): Op("delete_container", "d", "c"),
              ("PUT", "metadata"): Op("set_container_metadata", "w", "c"),
              ("GET", "metadata"): Op("container_metadata", "r", "c"),
              ("HEAD", "metadata"): Op("container_metadata", "r", "c"),
              ("GET", "acl"): Op("get_container_acl", "r", "c"),
              ("HEAD", "acl"): Op("get_container_acl", "r", "c"),
              ("PUT", "acl"): Op("set_container_acl", "w", "c"),
              ("PUT", "lease"): Op("container_lease", "w", "c"),
              ("GET", "list"): Op("list_blobs", "l", "c")}
_BLOB = {("PUT", None): Op("put_blob", "cw", "o"),
         ("GET", None): Op("get_blob", "r", "o"),
         ("HEAD", None): Op("blob_properties", "r", "o"),
         ("DELETE", None): Op("delete_blob", "d", "o"),
         ("PUT", "block"): Op("stage_block", "cw", "o"),
         ("PUT", "blocklist"): Op("commit_blocks", "cw", "o"),
         ("GET", "blocklist"): Op("get_block_list", "r", "o"),
         ("PUT", "metadata"): Op("set_blob_metadata", "w", "o"),
         ("GET", "metadata"): Op("blob_metadata", "r", "o"),
         ("HEAD", "metadata"): Op("blob_metadata", "r", "o"),
         ("PUT", "properties"): Op("set_blob_properties", "w", "o"),
         ("PUT", "lease"): Op("blob_lease", "w", "o"),
         ("PUT", "appendblock"): Op("append_block", "aw", "o"),
         ("PUT", "tier"): Op("set_tier", "w", "o"),
         ("GET", "tags"): Op("get_tags", "t", "o"),
         ("PUT", "tags"): Op("set_tags", "t", "o")}


def split_path(path):
    """'/container/a/b.txt' -> ('container', 'a/b.txt'); '/' -> (None, None)."""
    path = path.lstrip("/")
    if not path:
        return None, None
    container, _, blob = path.partition("/")
    return container, (blob or None)


def identify(method, container, blob, query):
    comp, restype = query.get("comp"), query.get("restype")
    if restype == "account" and comp == "properties":
        return _SERVICE[("HEAD" if method == "HEAD" else "GET", "properties", "account")]
    if container is None:
        op = _SERVICE.get((method, comp, restype if comp != "list" else None))
    elif blob is None:
        op = _CONTAINER.get((method, comp)) if restype == "container" else None
    else:
        op = _BLOB.get((method, comp))
    if op is None:
        raise StorageError("UnsupportedHttpVerb" if method not in ("GET", "PUT", "HEAD", "DELETE", "POST")
                           else "InvalidQueryParameterValue")
    return op


def http_time(value):
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        raise StorageError("InvalidHeaderValue") from None


def conditions(request):
    h = request.headers
    out = {"if_match": h.get("If-Match"), "if_none_match": h.get("If-None-Match"),
           "if_modified_since": http_time(h.get("If-Modified-Since")),
           "if_unmodified_since": http_time(h.get("If-Unmodified-Since"))}
    return {k: v for k, v in out.items() if v is not None} or None


def metadata_of(request):
    return {k[len("x-ms-meta-"):]: v for k, v in request.headers.items() if k.lower().startswith("x-ms-meta-")}


class Context:
    """One request's account, container, blob and store access (the store opens in a worker thread)."""

    def __init__(self, request, account_doc, container, blob, op):
        self.request, self.account_doc, self.container, self.blob, self.op = request, account_doc, container, blob, op
        self.account = account_doc["name"]
        scheme = "https" if request.secure else "http"
        self.endpoint = f"{scheme}://{request.host}/"

    async def run(self, fn):
        """fn(store) in a worker thread, on a BlobStore of this account opened (and closed) there."""
        from azlocal.storage.blobstore import BlobStore

        def work():
            store = BlobStore(self.account)
            try:
                return fn(store)
            finally:
                store.close()

        return await asyncio.get_running_loop().run_in_executor(None, work)

    def new_upload(self):
        from azlocal.storage import paths
        from azlocal.storage.blobrecords import Upload

        root = str(paths.blobs_dir(self.account))
        os.makedirs(os.path.join(root, "staging"), exist_ok=True)
        return Upload(root)


async def dispatch(request):
    from azlocal.storage import accounts
    from azlocal.storage.dataplane import auth, blobs, service

    try:
        name = account_of(request.host)
        loop = asyncio.get_running_loop()
        doc = await loop.run_in_executor(None, accounts.find, name)
        if doc is None:
            raise StorageError("ResourceNotFound")
        container, blob = split_path(request.path)
        op = identify(request.method, container, blob, request.query)
        ctx = Context(request, doc, container, blob, op)

        def container_doc():
            from azlocal.storage.blobstore import BlobStore

            store = BlobStore(ctx.account)
            try:
                return store.container(container) if store.container_exists(container) else None
            except StorageError:
                return None
            finally:
                store.close()

        await loop.run_in_executor(None, auth.authorize, request, doc, op, container, blob, container_doc)
        handler = getattr(service, op.name, None) or getattr(blobs, op.name)
        return await handler(ctx)
    except StorageError as ex:
        return error_response(request, ex)
