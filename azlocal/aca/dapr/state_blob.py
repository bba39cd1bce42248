"""Dapr's `state.azure.blobstorage` state store on the local Blob service (the Container Apps Dapr tutorial).

Metadata as Dapr's component reads it: `accountName` (a storage account of this home), `containerName`
(created on first use unless `disableEntityManagement` is true), `accountKey` (Shared Key: must be one of
the account's keys) or, without it, the app's managed identity (`azureClientId` selects a user-assigned one),
`prefix` (a folder for the blobs). Keys become blob names as the component's version says: v1 drops the
`<app-id>||` prefix (the tutorial's `version: v1`: key `order` is blob `order`), v2 keeps the whole key.

An identity needs a Storage Blob Data role on the account or container (role.assignments.allowed with the
blob data actions; Owner/Contributor grant none, as in Azure): else each call fails as the Azure SDK's 403
(AuthorizationPermissionMismatch), which Dapr wraps in ERR_STATE_SAVE/ERR_STATE_GET/ERR_STATE_DELETE (500).
Blobs go straight to the account's BlobStore (azlocal.storage.blobstore): `az storage blob list` shows them.
The ETag is the blob's ETag; `If-Match` becomes the blob's If-Match (ConditionNotMet -> ETag mismatch).
No transactions (Dapr's component has none).
"""

from azlocal.aca.dapr.state_backends import BackendError, ETagMismatch, Item

_DATA = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/"
_CREATE = "Microsoft.Storage/storageAccounts/blobServices/containers/write"


def _azure_error(method, url, status, code, message):
    """The Azure SDK for Go's ResponseError text, as Dapr's message carries it."""
    line = "-" * 80
    return f"{method} {url}\n{line}\nRESPONSE {status}: {status} {message}\nERROR CODE: {code}\n{line}"


class BlobBackend:
    transactional = False

    def __init__(self, component, ctx):
        meta = component.metadata or {}
        self.ctx = ctx
        self.account = meta.get("accountName") or meta.get("storageAccount") or ""
        self.container = meta.get("containerName") or meta.get("container") or ""
        self.key = meta.get("accountKey") or meta.get("storageAccessKey") or ""
        self.client_id = meta.get("azureClientId") or ""
        self.prefix = (meta.get("prefix") or "").strip("/")
        self.v1 = str(component.version or "v1").lower() != "v2"
        self.manage = str(meta.get("disableEntityManagement") or "false").lower() != "true"
        if not self.account or not self.container:
            raise BackendError("missing or empty accountName or containerName field from metadata")
        self._ready = False

    # names, auth -----------------------------------------------------------------------------------------
    def blob_name(self, key):
        name = key
        if self.v1:
            parts = key.split("||")
            name = parts[0] if len(parts) != 2 else parts[1]
        return f"{self.prefix}/{name.lstrip('/')}" if self.prefix else name

    def url(self, key=None):
        base = f"https://{self.account}.blob.core.windows.net/{self.container}"
        return f"{base}/{self.blob_name(key)}" if key is not None else base

    def _account_doc(self, method, url):
        from azlocal.storage import accounts

        doc = accounts.find(self.account)
        if doc is None:
            raise BackendError(f'{method} {url}: dial tcp: lookup {self.account}.blob.core.windows.net: no such host')
        return doc

    def _authorize(self, method, url, action, data=True):
        """Raises the 403 the Blob service answers unless the component's credentials may do `action`."""
        doc = self._account_doc(method, url)
        if self.key:
            from azlocal.storage import accounts

            if self.key not in [k for k in (accounts.key_values(self.account) or []) if k] or \
                    doc.get("properties", {}).get("allowSharedKeyAccess") is False:
                raise BackendError(_azure_error(method, url, 403, "AuthenticationFailed", "Server failed to "
                                                "authenticate the request. Make sure the value of Authorization "
                                                "header is formed correctly including the signature."))
            return
        principal = self._principal()
        from azlocal.role import assignments

        scope = f"{doc['id']}/blobServices/default/containers/{self.container}"
        if not assignments.allowed(principal, scope, action, data=data):
            raise BackendError(_azure_error(method, url, 403, "AuthorizationPermissionMismatch", "This request is "
                                            "not authorized to perform this operation using this permission."))

    def _principal(self):
        from azlocal.identity import principals

        try:
            return principals.select((self.ctx.app if self.ctx else {}).get("identity"),
                                     client_id=self.client_id or None, require_existing=True)[0]
        except LookupError as ex:
            raise BackendError("DefaultAzureCredential: failed to acquire a token.\nManagedIdentityCredential: "
                               f"{ex}") from ex

    def _store(self):
        from azlocal.storage.blobstore import BlobStore

        store = BlobStore(self.account)
        if not self._ready:
            if not store.container_exists(self.container):
                if not self.manage:
                    store.close()
                    raise BackendError(_azure_error("GET", self.url(), 404, "ContainerNotFound",
                                                    "The specified container does not exist."))
                self._authorize("PUT", self.url(), _CREATE, data=False)
                from azlocal.storage.storage_errors import StorageError

                try:
                    store.create_container(self.container)
                except StorageError as ex:
                    if ex.code != "ContainerAlreadyExists":
                        store.close()
                        raise BackendError(_azure_error("PUT", self.url(), ex.status, ex.code, ex.detail)) from ex
            self._ready = True
        return store

    # the backend interface --------------------------------------------------------------------------------
    def get(self, key):
        from azlocal.storage.storage_errors import StorageError

        store = self._store()
        try:
            self._authorize("GET", self.url(key), _DATA + "read")
        except BackendError:
            store.close()
            raise
        try:
            doc, f = store.open_blob(self.container, self.blob_name(key))
            with f:
                data = f.read(doc["size"])
        except StorageError as ex:
            if ex.code == "BlobNotFound":
                return None
            raise BackendError(_azure_error("GET", self.url(key), ex.status, ex.code, ex.detail)) from ex
        finally:
            store.close()
        return Item(data, doc["etag"], {})

    def bulk_get(self, keys):
        return [self.get(k) for k in keys]

    def apply(self, ops):
        for op in ops:
            if op.kind == "delete":
                self._delete(op)
            else:
                self._put(op)

    def _put(self, op):
        from azlocal.storage.storage_errors import StorageError

        url = self.url(op.key)
        conditions = {"if_match": op.etag} if op.etag else {"if_none_match": "*"} if op.first_write else None
        store = self._store()
        try:
            self._authorize("PUT", url, _DATA + "write")
            upload = store.new_upload()
            upload.write(op.value)
            store.put_blob(self.container, self.blob_name(op.key), upload, conditions=conditions)
        except StorageError as ex:
            if ex.code in ("ConditionNotMet", "BlobAlreadyExists") and (op.etag or op.first_write):
                raise ETagMismatch(_azure_error("PUT", url, 412 if op.etag else 409, ex.code, ex.detail)) from ex
            raise BackendError("error uploading blob: " + _azure_error("PUT", url, ex.status, ex.code,
                                                                        ex.detail)) from ex
        finally:
            store.close()

    def _delete(self, op):
        from azlocal.storage.storage_errors import StorageError

        url = self.url(op.key)
        store = self._store()
        try:
            self._authorize("DELETE", url, _DATA + "delete")
            store.delete_blob(self.container, self.blob_name(op.key),
                              conditions={"if_match": op.etag} if op.etag else None)
        except StorageError as ex:
            if op.etag and ex.code in ("ConditionNotMet", "BlobNotFound"):
                raise ETagMismatch(_azure_error("DELETE", url, ex.status, ex.code, ex.detail)) from ex
            if ex.code != "BlobNotFound":
                raise BackendError(_azure_error("DELETE", url, ex.status, ex.code, ex.detail)) from ex
        finally:
            store.close()
