"""Who may do an operation on the Blob service: Shared Key (or Lite), a SAS (account or service, from the
CLI or the SDKs), anonymous reads of a public container (when the account allows public access), and, for a
bearer token, Azure's 401 challenge (Microsoft Entra tokens come with the identity issue)."""

from urllib.parse import quote

from azlocal.storage import sas, sharedkey
from azlocal.storage.storage_errors import StorageError

# what anonymous readers may do in a container of each public access level
_PUBLIC = {"blob": {"get_blob", "blob_properties"},
           "container": {"get_blob", "blob_properties", "list_blobs", "container_properties", "container_metadata"}}


def _paths(request):
    """The request's path as sent (encoded), and as an SDK may have normalised it before signing."""
    raw = request.raw_path.split("?", 1)[0]
    return [raw, quote(request.path, safe="/~!$&'()*+,;=:@"), quote(request.path, safe="/")]


def authorize(request, account_doc, op, container, blob, container_doc_of):
    """Raises Azure's error unless the request may do `op` (operations.Op); returns how it was allowed.
    `container_doc_of()` reads the container's document (public access, stored access policies) or None."""
    account = account_doc["name"]
    header = request.headers.get("Authorization")
    query = request.query
    if header:
        scheme = header.split(" ", 1)[0]
        if scheme == "Bearer":
            raise StorageError("InvalidAuthenticationInfo", "Server failed to authenticate the request. Please refer "
                               "to the information in the www-authenticate header.\nazlocal's Blob service does not "
                               "verify Microsoft Entra tokens yet: use the account key or a SAS.", status=401)
        if account_doc.get("allowSharedKeyAccess") is False:
            raise StorageError("KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted on "
                               "this storage account.", status=403)
        from azlocal.storage import accounts

        sharedkey.verify(account, request.method, _paths(request), request.headers,
                         list(query.items()), [k for k in (accounts.key_values(account) or []) if k])
        return "key"
    if "sig" in query:
        if account_doc.get("allowSharedKeyAccess") is False:
            raise StorageError("KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted on "
                               "this storage account.", status=403)
        is_account_sas = "ss" in query or "srt" in query
        policies = None
        if not is_account_sas:
            if container is None:
                raise StorageError("AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                                   "value of Authorization header is formed correctly including the signature.\n"
                                   "A service SAS is not valid for an operation on the account.")
            if query.get("si"):
                doc = container_doc_of()
                policies = doc["acl"] if doc else []
        sas.check(account, dict(query), needs=(op.letters, op.kind), resource=(container, blob),
                  https=request.secure, client_ip=request.remote, policies=policies)
        return "sas"
    if op.name in _PUBLIC["container"] and container:
        doc = container_doc_of()
        level = doc["public_access"] if doc else None
        if level and op.name in _PUBLIC[level]:
            if not account_doc.get("allowBlobPublicAccess"):
                raise StorageError("PublicAccessNotPermitted")
            return "anonymous"
        if doc is None and op.name in ("get_blob", "blob_properties"):
            raise StorageError("ResourceNotFound")
    if not request.headers.get("x-ms-version"):
        raise StorageError("ResourceNotFound")  # what curl without a version header sees for a private resource
    raise StorageError("NoAuthenticationInformation")
