"""Where a storage account's data lives in the home, and the one confinement of its names.

    <home>/storage/<account>/files/<share>/<directory>/<file>   Azure Files: a share is a folder, its
                                                                files are plain files (what ACI mounts)
    <home>/storage/<account>/blobs/...                         the Blob service (layout: azlocal.storage.blobstore)

Every account, share, directory and file name from the user reaches the filesystem only through these
functions (azlocal.core.safepath: Azure's naming rule first, then the resolved path must stay inside the home).
"""

from azlocal.core import safepath


def account_dir(account):
    return safepath.home_path("storage", ("storage account", account))


def share_dir(account, share):
    """The folder of an Azure Files share (created by `az storage share create` / `share-rm create`)."""
    return safepath.home_path("storage", ("storage account", account), "files", ("file share", share))


def share_path(account, share, path=""):
    """A directory or file inside a share: `path` is share-relative ('a/b/c.txt'); '..', absolute parts and
    empty segments are refused, and the result must stay inside the share's folder."""
    from azlocal.core.errors import ValidationError

    base = share_dir(account, share)
    parts = [p for p in str(path or "").replace("\\", "/").split("/") if p not in ("",)]
    for part in parts:
        if part in (".", "..") or "\0" in part or len(part) > 255:
            raise ValidationError(f"The path '{path}' is invalid: it must not contain '.' or '..' segments.")
    target = base.joinpath(*parts) if parts else base
    return safepath.confine(target, base)


def blobs_dir(account):
    return safepath.home_path("storage", ("storage account", account), "blobs")
