"""Where a storage account's data lives in the home, and the one confinement of its names.

    <home>/storage/<account>/files/<share>/<directory>/<file>   Azure Files: a share is a folder, its
                                                                files are plain files (what ACI mounts)
    <home>/storage/<account>/files-meta/<share>.json           the share's properties and its files' metadata
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


def share_meta(account, share):
    """The share's sidecar (properties, metadata, content settings), beside the share's folder and outside it, so
    a container that mounts the share never sees it: <home>/storage/<account>/files-meta/<share>.json."""
    safepath.check_name("file share", share)
    return safepath.home_path("storage", ("storage account", account), "files-meta", f"{share}.json")


_RESERVED = set('"\\:|<>*?')
INVALID_NAME = "The specifed resource name contains invalid characters."


def split_path(path, *, allow_root=False):
    """A share-relative path ('a/b/c.txt', '/' or '\\' separated) as its segments, by Azure Files' rules: no
    segment '.' or '..', none of `" \\ : | < > * ?` or control characters, 255 characters a segment and 2048 in
    all. A name that breaks them is Azure's InvalidResourceName (400); it never reaches the filesystem."""
    from azlocal.storage.storage_errors import StorageError

    text = str(path or "")
    parts = [p for p in text.replace("\\", "/").split("/") if p != ""]
    if not parts and not allow_root:
        raise StorageError("InvalidResourceName", INVALID_NAME, 400)
    if len(text) > 2048 or len(parts) > 250:
        raise StorageError("InvalidResourceName", INVALID_NAME, 400)
    for part in parts:
        if part in (".", "..") or len(part) > 255 or any(c in _RESERVED or ord(c) < 32 for c in part):
            raise StorageError("InvalidResourceName", INVALID_NAME, 400)
    return parts


def share_path(account, share, path=""):
    """A directory or file inside a share: `path` is share-relative ('a/b/c.txt'); names are checked by Azure's
    rules (split_path), and the resolved result must stay inside the share's folder (no symlink escapes)."""
    base = share_dir(account, share)
    parts = split_path(path, allow_root=True)
    target = base.joinpath(*parts) if parts else base
    safepath.confine(target, base)
    return target


def blobs_dir(account):
    return safepath.home_path("storage", ("storage account", account), "blobs")
