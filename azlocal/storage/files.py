"""Files and directories of an Azure Files share: plain files and folders in the share's folder; their metadata
and content settings in the share's sidecar (azlocal.storage.shares), keyed by share-relative path.

Every path from the user goes through paths.split_path / paths.share_path (Azure's naming rules, then
confinement to the share's folder); listings never follow a symbolic link a container may have made.
An upload is written to a temporary file in the target folder and moved into place, so a reader (a
container mounting the share) sees the old bytes or the new ones, never half a file.
"""

import hashlib
import mimetypes
import os
import tempfile

from azlocal.storage import paths, shares
from azlocal.storage.storage_errors import StorageError

GIB = 1024 ** 3
_RANGE = 4 * 1024 * 1024  # the SDK uploads a file in ranges of 4 MiB
_CONTENT = ("cacheControl", "contentDisposition", "contentEncoding", "contentLanguage", "contentMd5", "contentType")


def resource_not_found():
    return StorageError("ResourceNotFound", "The specified resource does not exist.", 404)


def parent_not_found():
    return StorageError("ParentNotFound", "The specified parent path does not exist.", 404)


def _key(parts):
    return "/".join(parts)


def _actual(account, share, parts):
    """The segments as they are spelled on disk: Azure Files names are case-insensitive and case-preserving,
    so 'Docs/A.TXT' finds 'docs/a.txt'. Segments that do not exist yet keep the caller's spelling."""
    base = paths.share_dir(account, share)
    found = []
    for i, part in enumerate(parts):
        folder = base.joinpath(*found)
        if not (folder / part).exists() and folder.is_dir() and not folder.is_symlink():
            match = next((e.name for e in os.scandir(folder) if e.name.casefold() == part.casefold()), None)
            if match is None:
                return found + list(parts[i:])
            part = match
        found.append(part)
    return found


def _locate(account, share, path, *, kind):
    """(segments, local path) of an existing file (kind 'file') or directory ('dir'); 404s as Azure's."""
    shares.load(account, share)
    parts = _actual(account, share, paths.split_path(path, allow_root=kind == "dir"))
    target = paths.share_path(account, share, _key(parts))
    if kind == "file" and not (target.is_file() and not target.is_symlink()):
        raise resource_not_found() if _parent_exists(target) else parent_not_found()
    if kind == "dir" and not (target.is_dir() and not target.is_symlink()):
        raise resource_not_found() if _parent_exists(target) else parent_not_found()
    return parts, target


def _parent_exists(target):
    return target.parent.is_dir()


def _times(stat):
    return shares.http_time(stat.st_mtime_ns)


def _file_id(stat):
    return str(stat.st_ino)


def _content_settings(entry):
    settings = dict.fromkeys(_CONTENT)
    settings.update((entry or {}).get("contentSettings") or {})
    return settings


def _copy():
    return dict.fromkeys(("id", "source", "status", "progress", "completionTime", "statusDescription",
                          "incrementalCopy", "destinationSnapshot"))


def file_show(account, share, path):
    """`az storage file show`: the file's properties (FileProperties after az's transformer)."""
    parts, target = _locate(account, share, path, kind="file")
    data = shares.load(account, share)
    entry = data["entries"].get(_key(parts)) or {}
    stat = target.stat()
    modified = _times(stat)
    return {
        "content": "",
        "properties": {"contentLength": stat.st_size, "contentRange": None,
                       "contentSettings": _content_settings(entry), "copy": _copy(),
                       "etag": shares.etag_of(stat.st_mtime_ns), "lastModified": modified, "serverEncrypted": True},
        "name": parts[-1], "path": _key(parts), "share": share, "snapshot": None,
        "metadata": dict(entry.get("metadata") or {}), "fileType": "File", "size": stat.st_size,
        "lease": {"duration": None, "state": "available", "status": "unlocked"},
        "changeTime": modified, "creationTime": entry.get("created") or modified, "lastWriteTime": modified,
        "lastAccessTime": None, "fileAttributes": "Archive", "permissionKey": _permission_key(share),
        "fileId": _file_id(stat), "parentId": _file_id(target.parent.stat()), "isDirectory": False,
        "owner": None, "group": None, "fileMode": None, "linkCount": None, "nfsFileType": None,
    }


def _permission_key(share):
    digest = int(hashlib.sha256(share.encode()).hexdigest()[:16], 16)
    return f"{digest % 10 ** 19}*{(digest >> 7) % 10 ** 19}"


def directory_show(account, share, path):
    """`az storage directory show` (DirectoryProperties after az's transformer)."""
    parts, target = _locate(account, share, path, kind="dir")
    data = shares.load(account, share)
    entry = data["entries"].get(_key(parts)) or {}
    return _directory_item(target, _key(parts), entry, share, full=True)  # az names it by its path


def _directory_item(target, name, entry, share, *, full=False, with_metadata=True):
    stat = target.stat()
    modified = _times(stat)
    item = {
        "metadata": (dict(entry.get("metadata") or {}) if with_metadata else None),
        "name": name,
        "properties": {"etag": shares.etag_of(stat.st_mtime_ns), "lastModified": modified,
                       "serverEncrypted": True if full else None},
        "changeTime": modified, "creationTime": entry.get("created") or modified, "lastWriteTime": modified,
        "lastAccessTime": modified if not full else None, "fileAttributes": "Directory",
        "permissionKey": _permission_key(share), "fileId": _file_id(stat),
        "parentId": _file_id(target.parent.stat()) if full else None, "isDirectory": True,
        "owner": None, "group": None, "fileMode": None, "nfsFileType": None,
    }
    return item


def _file_item(target, name, entry, share):
    stat = target.stat()
    modified = _times(stat)
    return {
        "metadata": None, "name": name,
        "properties": {"etag": shares.etag_of(stat.st_mtime_ns), "lastModified": modified, "serverEncrypted": None,
                       "contentLength": stat.st_size, "contentRange": None,
                       "contentSettings": dict.fromkeys(_CONTENT), "copy": _copy()},
        "path": None, "share": None, "snapshot": None, "contentLength": None, "fileType": None,
        "lease": {"duration": None, "state": None, "status": None},
        "changeTime": modified, "creationTime": entry.get("created") or modified, "lastWriteTime": modified,
        "lastAccessTime": modified, "fileAttributes": "Archive", "permissionKey": _permission_key(share),
        "fileId": _file_id(stat), "parentId": None, "isDirectory": False, "owner": None, "group": None,
        "fileMode": None, "linkCount": None, "nfsFileType": None,
    }


def list_items(account, share, path=None, *, exclude_dir=False, dirs_only=False, extended=True):
    """`az storage file list` / `directory list`: the directory's entries, each with `type` file or dir."""
    parts, target = _locate(account, share, path, kind="dir")
    entries = shares.load(account, share)["entries"]
    out = []
    with os.scandir(target) as it:
        for item in sorted(it, key=lambda e: e.name):
            if not shares.visible(item.name):
                continue
            key = _key(parts + [item.name])
            if item.is_dir(follow_symlinks=False):
                if exclude_dir:
                    continue
                row = _directory_item(target / item.name, item.name, entries.get(key) or {}, share,
                                      with_metadata=False)
                row["type"] = "dir"
            elif item.is_file(follow_symlinks=False) and not dirs_only:
                row = _file_item(target / item.name, item.name, entries.get(key) or {}, share)
                row["type"] = "file"
            else:
                continue
            if not extended:
                for k in ("changeTime", "creationTime", "lastWriteTime", "lastAccessTime", "fileAttributes",
                          "permissionKey"):
                    row[k] = None
            out.append(row)
    return out


def walk_files(account, share, source_dir=None):
    """Every file under a directory of the share, as share-relative paths (for the batch commands)."""
    parts, target = _locate(account, share, source_dir, kind="dir")
    found = []
    for root, dirs, names in os.walk(target):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(root, d)))
        rel = os.path.relpath(root, target)
        for name in sorted(names):
            full = os.path.join(root, name)
            if os.path.isfile(full) and not os.path.islink(full) and shares.visible(name):
                found.append(_key(parts + ([] if rel == "." else rel.split(os.sep)) + [name]))
    return found


def guess_type(local_path, given=None):
    return given or mimetypes.guess_type(str(local_path))[0] or "application/octet-stream"


def upload(account, share, path, local_path, *, content_settings=None, metadata=None):
    """`az storage file upload`: the local file's bytes become the share's file (the parent must exist)."""
    shares.load(account, share)
    parts = _actual(account, share, paths.split_path(path))
    target = paths.share_path(account, share, _key(parts))
    if not target.parent.is_dir() or target.parent.is_symlink():
        raise parent_not_found()
    if target.is_dir():
        raise StorageError("ResourceTypeMismatch", "The specified resource type does not match the type of the "
                           "existing resource.", 409)
    size = os.path.getsize(local_path)
    with shares.editing(account, share) as data:
        used = shares.usage_bytes(account, share) - (target.stat().st_size if target.is_file() else 0)
        if used + size > int(data["share"]["quota"]) * GIB:
            raise StorageError("ShareSizeLimitReached", "The specified share is full.", 403)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".azlocal-upload-", dir=target.parent)
        except PermissionError as ex:
            from azlocal.core.errors import AzLocalError

            raise AzLocalError(f"The directory of '{_key(parts)}' in share '{share}' is not writable by this user: "
                               f"{ex}. A container that mounts the share created it.") from ex
        last_range = hashlib.md5(b"", usedforsecurity=False)
        try:
            with os.fdopen(fd, "wb") as out, open(local_path, "rb") as src:
                while chunk := src.read(_RANGE):
                    out.write(chunk)
                    last_range = hashlib.md5(chunk, usedforsecurity=False)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        entry = data["entries"].setdefault(_key(parts), {})
        entry["created"] = entry.get("created") or shares.http_time(target.stat().st_mtime_ns)
        entry["metadata"] = dict(metadata or {})
        entry["contentSettings"] = {k: v for k, v in (content_settings or {}).items() if v is not None}
    stat = target.stat()
    response = {"date": shares.http_time(stat.st_mtime_ns), "etag": shares.etag_of(stat.st_mtime_ns),
                "file_last_write_time": shares.http_time(stat.st_mtime_ns),
                "last_modified": shares.http_time(stat.st_mtime_ns), "request_server_encrypted": True,
                "version": "2026-02-06"}
    if size:  # the Put Range response's Content-MD5 (of the last range), as az prints its bytes
        response["content_md5"] = "".join(hex(b) for b in last_range.digest())
    return response


def download(account, share, path, destination, *, start=None, end=None, open_mode="wb"):
    """`az storage file download`: writes the file (or a byte range of it) to a local path; returns its show."""
    parts, target = _locate(account, share, path, kind="file")
    with open(target, "rb") as src, open(destination, open_mode) as out:
        if start is not None:
            src.seek(int(start))
        remaining = None if start is None or end is None else int(end) - int(start) + 1
        while remaining is None or remaining > 0:
            chunk = src.read(1024 * 1024 if remaining is None else min(remaining, 1024 * 1024))
            if not chunk:
                break
            out.write(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return file_show(account, share, _key(parts))


def delete_file(account, share, path):
    parts, target = _locate(account, share, path, kind="file")
    with shares.editing(account, share) as data:
        try:
            target.unlink()
        except PermissionError as ex:  # e.g. written by a container as another user into a folder it made
            from azlocal.core.errors import AzLocalError

            raise AzLocalError(f"The file '{_key(parts)}' of share '{share}' cannot be deleted by this user: {ex}. "
                               "A container that mounts the share created it; delete it from the container.") from ex
        data["entries"].pop(_key(parts), None)


def exists(account, share, path, *, kind):
    try:
        _locate(account, share, path, kind=kind)
    except StorageError as ex:
        if ex.status == 404 and ex.code != "ShareNotFound":
            return False
        raise
    return True


def create_directory(account, share, path, *, metadata=None):
    """False when the directory exists (az's --fail-on-exist decides); ParentNotFound without its parent."""
    shares.load(account, share)
    parts = _actual(account, share, paths.split_path(path))
    target = paths.share_path(account, share, _key(parts))
    if target.exists() or target.is_symlink():
        if target.is_dir() and not target.is_symlink():
            return False
        raise StorageError("ResourceAlreadyExists", "The specified resource already exists.", 409)
    if not target.parent.is_dir():
        raise parent_not_found()
    with shares.editing(account, share) as data:
        target.mkdir()
        data["entries"][_key(parts)] = {"created": shares.http_time(target.stat().st_mtime_ns),
                                        "metadata": dict(metadata or {})}
    return True


def make_directories(account, share, parts):
    """Creates each missing directory of a path (upload-batch does, as az's helper does)."""
    for i in range(1, len(parts) + 1):
        target = paths.share_path(account, share, _key(parts[:i]))
        if not target.is_dir():
            create_directory(account, share, _key(parts[:i]))


def delete_directory(account, share, path):
    parts, target = _locate(account, share, path, kind="dir")
    if not parts:
        raise StorageError("InvalidResourceName", paths.INVALID_NAME, 400)
    if any(target.iterdir()):
        raise StorageError("DirectoryNotEmpty", "The specified directory is not empty.", 409)
    with shares.editing(account, share) as data:
        target.rmdir()
        data["entries"].pop(_key(parts), None)


def metadata(account, share, path, *, kind):
    parts, _ = _locate(account, share, path, kind=kind)
    return dict((shares.load(account, share)["entries"].get(_key(parts)) or {}).get("metadata") or {})


def set_metadata(account, share, path, values, *, kind):
    parts, target = _locate(account, share, path, kind=kind)
    with shares.editing(account, share) as data:
        entry = data["entries"].setdefault(_key(parts), {})
        entry["metadata"] = dict(values or {})
        os.utime(target)
    stat = target.stat()
    return {"etag": shares.etag_of(stat.st_mtime_ns), "last_modified": shares.http_time(stat.st_mtime_ns)}
