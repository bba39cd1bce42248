"""The Blob service's REST API at https://<account>.blob.core.windows.net (and HTTP), as the daemon serves it.

The daemon routes a request whose Host is `<account>.blob.core.windows.net` here (`is_blob_host`,
`handle`); `serves` tells its TLS listener which such names exist (accounts of this home). Modules:
operations (which operation a method + query names, the SAS permission and resource type it needs),
auth (Shared Key, SAS, anonymous public access, the bearer challenge), service (the service and container
operations), blobs (the blob operations), bodies (the XML documents) and responses (headers, Azure's XML
error body). Each request opens the account's BlobStore (azlocal.storage.blobstore) in a worker thread; the
daemon keeps nothing between requests.
"""

SUFFIX = ".blob.core.windows.net"


def account_of(host):
    host = (host or "").split(":")[0].lower().rstrip(".")
    if not host.endswith(SUFFIX):
        return None
    name = host[: -len(SUFFIX)]
    return name if name and "." not in name else None


def is_blob_host(host):
    return account_of(host) is not None


def serves(host):
    """Whether `host` is the blob endpoint of a storage account of this home."""
    from azlocal.storage import accounts

    name = account_of(host)
    return bool(name) and accounts.find(name) is not None


async def handle(request):
    from azlocal.storage.dataplane.operations import dispatch

    return await dispatch(request)
