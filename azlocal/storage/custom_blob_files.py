"""az storage blob upload|download and the batches: files streamed into and out of the account's BlobStore
(1 MiB at a time, never whole in memory; a download lands in a temporary file renamed into place, so a
failure leaves neither a partial blob nor a partial file). Blob names become local paths only confined
under the destination folder."""

import fnmatch
import mimetypes
import os
import sys

from knack.log import get_logger

from azlocal.core.errors import AzLocalError, ValidationError
from azlocal.storage import _listing, blobviews
from azlocal.storage.custom_blobs import _metadata_dict, blob_url_of, conditions, open_store, split_blob_url
from azlocal.storage.storage_errors import StorageError

logger = get_logger(__name__)
CHUNK = 1 << 20
_OVERWRITE_HINT = "\nIf you want to overwrite the existing one, please add --overwrite in your command."


def _settings(file_path, content_type=None, content_encoding=None, content_language=None, content_disposition=None,
              content_cache_control=None, content_md5=None):
    if not content_type and file_path:
        guessed, encoding = mimetypes.guess_type(file_path)
        content_type = guessed or "application/octet-stream"
        content_encoding = content_encoding or encoding
    return {"content_type": content_type, "content_encoding": content_encoding, "content_language": content_language,
            "content_disposition": content_disposition, "cache_control": content_cache_control,
            "content_md5": content_md5}


def _put(store, container, name, source, *, blob_type, settings, metadata, overwrite, lease_id, conds, max_size):
    """Streams `source` (a binary file or bytes) into the blob: one commit (block), or create + append."""
    upload = store.new_upload()
    try:
        if isinstance(source, bytes):
            upload.write(source)
        else:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                upload.write(chunk)
    except BaseException:
        upload.abort()
        raise
    if blob_type == "AppendBlob":
        if not store.blob_exists(container, name) or overwrite:
            empty = store.new_upload()
            store.put_blob(container, name, empty, settings=settings, metadata=metadata, lease_id=lease_id,
                           conditions=conds, blob_type="AppendBlob", overwrite=True)
        return store.append_block(container, name, upload, lease_id=lease_id, max_size=max_size)
    try:
        return store.put_blob(container, name, upload, settings=settings, metadata=metadata, lease_id=lease_id,
                              conditions=conds, overwrite=bool(overwrite))
    except StorageError as ex:
        if ex.code == "BlobAlreadyExists":
            raise AzLocalError(str(ex) + _OVERWRITE_HINT) from None
        raise


def _blob_type(blob_type, file_path):
    if blob_type is None and file_path and file_path.lower().endswith(".vhd"):
        blob_type = "page"
    if blob_type == "page":
        raise ValidationError("Page blobs are not kept by azlocal's Blob service: upload as --type block or append.")
    return "AppendBlob" if blob_type == "append" else "BlockBlob"


def blob_upload(file_path=None, container_name=None, blob_name=None, blob_url=None, blob_type=None, data=None,
                length=None, metadata=None, overwrite=None, lease_id=None, maxsize_condition=None, if_match=None,
                if_none_match=None, if_modified_since=None, if_unmodified_since=None, content_type=None,
                content_encoding=None, content_language=None, content_disposition=None, content_cache_control=None,
                content_md5=None, validate_content=False, max_connections=None, no_progress=False, tags=None,
                tier=None, encryption_scope=None, connection_timeout=None, if_tags_match_condition=None,
                timeout=None, **kwargs):
    if file_path is None and data is None:
        raise ValidationError("usage error: please specify --file or --data.")
    if file_path and not os.path.isfile(file_path):
        raise ValidationError(f"usage error: the file '{file_path}' does not exist.")
    if blob_name is None and blob_url is None and file_path:
        blob_name = os.path.basename(file_path)
    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    kind = _blob_type(blob_type, file_path)
    if tier and tier != "Hot":
        logger.warning("The access tier '%s' is recorded only: azlocal keeps every blob in the Hot tier.", tier)
    _, store = open_store(kwargs, ("cw", "o"), container, name)
    settings = _settings(file_path, content_type, content_encoding, content_language, content_disposition,
                         content_cache_control, content_md5)
    conds = conditions(if_match, if_none_match, if_modified_since, if_unmodified_since)
    args = dict(blob_type=kind, settings=settings, metadata=_metadata_dict(metadata), overwrite=overwrite,
                lease_id=lease_id, conds=conds, max_size=maxsize_condition)
    if file_path:
        with open(file_path, "rb") as source:
            doc = _put(store, container, name, source, **args)
    else:
        raw = data.encode("utf-8")
        doc = _put(store, container, name, raw[:length] if length is not None else raw, **args)
    return blobviews.response(doc, last_modified_key="lastModified", md5=True)


def _write_file(store, container, name, file_path, open_mode="wb", start=None, end=None, conds=None, lease=None):
    """The blob's bytes (or a range) into file_path: 'wb' through a temporary file renamed into place."""
    doc, source = store.open_blob(container, name, conds, lease)
    with source:
        first = start or 0
        last = doc["size"] - 1 if end is None else min(end, doc["size"] - 1)
        if doc["size"] and first >= doc["size"]:
            raise StorageError("InvalidRange")
        source.seek(first)
        left = max(0, last - first + 1)
        target = file_path if "a" in open_mode else f"{file_path}.azlocal-{os.getpid()}.part"
        try:
            with open(target, open_mode) as out:
                while left > 0:
                    chunk = source.read(min(CHUNK, left))
                    if not chunk:
                        break
                    out.write(chunk)
                    left -= len(chunk)
            if target != file_path:
                os.replace(target, file_path)
        except BaseException:
            if target != file_path and os.path.exists(target):
                os.unlink(target)
            raise
    return doc, f"bytes {first}-{last}/{doc['size']}" if start is not None or end is not None else None


def blob_download(container_name=None, blob_name=None, blob_url=None, file_path=None, open_mode="wb",
                  start_range=None, end_range=None, overwrite=None, lease=None, if_match=None, if_none_match=None,
                  if_modified_since=None, if_unmodified_since=None, max_concurrency=None, no_progress=False,
                  validate_content=False, version_id=None, snapshot=None, if_tags_match_condition=None,
                  timeout=None, **kwargs):
    container, name = split_blob_url(kwargs, blob_url, container_name, blob_name)
    _, store = open_store(kwargs, ("r", "o"), container, name)
    conds = conditions(if_match, if_none_match, if_modified_since, if_unmodified_since)
    if file_path is None:  # az writes the bytes to stdout and prints nothing else
        doc, source = store.open_blob(container, name, conds, lease)
        with source:
            source.seek(start_range or 0)
            left = (doc["size"] - 1 if end_range is None else min(end_range, doc["size"] - 1)) - (start_range or 0) + 1
            out = sys.stdout.buffer
            while left > 0:
                chunk = source.read(min(CHUNK, left))
                if not chunk:
                    break
                out.write(chunk)
                left -= len(chunk)
            out.flush()
        return None
    if os.path.isfile(file_path) and overwrite is False:
        raise AzLocalError(f"{file_path} already exists. Please rename existing file or use --overwrite")
    doc, content_range = _write_file(store, container, name, file_path, open_mode, start_range, end_range, conds,
                                     lease)
    return blobviews.blob(doc, content_range)


def _container_of(kwargs, value):
    """--source/--destination: a container name, or its URL (https://<account>.blob.core.windows.net/<c>)."""
    if "://" not in value:
        return value
    from urllib.parse import urlparse

    parsed = urlparse(value)
    kwargs["account_url"] = kwargs.get("account_url") or f"{parsed.scheme}://{parsed.netloc}"
    if parsed.query and not kwargs.get("sas_token") and not kwargs.get("account_key"):
        kwargs["sas_token"] = parsed.query
    return parsed.path.strip("/").split("/")[0]


def blob_upload_batch(source, destination, destination_path=None, pattern=None, dryrun=False, blob_type=None,
                      metadata=None, overwrite=None, lease_id=None, maxsize_condition=None, if_match=None,
                      if_none_match=None, if_modified_since=None, if_unmodified_since=None, content_type=None,
                      content_encoding=None, content_language=None, content_disposition=None,
                      content_cache_control=None, content_md5=None, validate_content=False, max_connections=None,
                      no_progress=False, tags=None, tier=None, socket_timeout=None, if_tags_match_condition=None,
                      timeout=None, **kwargs):
    if not os.path.isdir(source):
        raise ValidationError(f"incorrect usage: source must be an existing directory: {source}")
    container = _container_of(kwargs, destination)
    access, store = open_store(kwargs, ("cw", "o"), container, None)
    files = []
    for folder, _, names in os.walk(source):
        for file_name in sorted(names):
            path = os.path.join(folder, file_name)
            relative = os.path.relpath(path, source).replace(os.sep, "/")
            if pattern is None or fnmatch.fnmatch(relative, pattern):
                files.append((path, relative))
    files.sort(key=lambda f: f[1])
    results = []
    conds = conditions(if_match, if_none_match, if_modified_since, if_unmodified_since)
    for path, relative in files:
        name = f"{destination_path.strip('/')}/{relative}" if destination_path else relative
        settings = _settings(path, content_type, content_encoding, content_language, content_disposition,
                             content_cache_control, content_md5)
        entry = {"Blob": blob_url_of(access.account, container, name), "Type": settings["content_type"],
                 "Last Modified": None, "eTag": None}
        if not dryrun:
            try:
                with open(path, "rb") as handle:
                    doc = _put(store, container, name, handle, blob_type=_blob_type(blob_type, path),
                               settings=settings, metadata=_metadata_dict(metadata), overwrite=overwrite,
                               lease_id=lease_id, conds=conds, max_size=maxsize_condition)
            except AzLocalError as ex:
                if isinstance(ex, StorageError) and ex.code not in ("ConditionNotMet",):
                    raise
                logger.error(ex)
                continue
            entry.update({"Last Modified": blobviews.when(doc["last_modified"]), "eTag": doc["etag"]})
        results.append(entry)
    if not dryrun and len(results) < len(files):
        logger.warning('%s of %s files not uploaded due to "Failed Precondition"', len(files) - len(results),
                       len(files))
    return results


def _names(store, container, pattern):
    items, marker = [], None
    while True:
        page, marker = store.list_blobs(container, marker=marker, max_results=5000)
        items += [b["name"] for b in page]
        if not marker:
            break
    return [n for n in items if pattern is None or fnmatch.fnmatch(n, pattern)]


def blob_download_batch(source, destination, pattern=None, dryrun=False, overwrite=None, max_concurrency=None,
                        no_progress=False, **kwargs):
    if not os.path.isdir(destination):
        raise ValidationError(f"incorrect usage: destination must be an existing directory: {destination}")
    container = _container_of(kwargs, source)
    _, store = open_store(kwargs, ("rl", "o"), container, None)
    names = _names(store, container, pattern)
    root = os.path.realpath(destination)
    planned = []
    for name in names:
        target = os.path.realpath(os.path.join(root, *[p for p in name.split("/") if p]))
        if not target.startswith(root + os.sep) or name.endswith("/"):
            logger.warning("Skipped the blob '%s': its name is not a path inside %s.", name, destination)
            continue
        planned.append((name, target))
    if dryrun:
        logger.warning("download action: from %s to %s", source, destination)
        logger.warning("    pattern %s", pattern)
        logger.warning("  container %s", container)
        logger.warning("      total %d", len(planned))
        return [name for name, _ in planned]
    done = []
    for name, target in planned:
        if os.path.exists(target) and overwrite is False:
            raise AzLocalError(f"{target} already exists. Please rename existing file or use --overwrite")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _write_file(store, container, name, target)
        done.append(name)
    return done


def blob_delete_batch(source, pattern=None, dryrun=False, delete_snapshots=None, lease_id=None, if_match=None,
                      if_none_match=None, if_modified_since=None, if_unmodified_since=None, timeout=None, **kwargs):
    container = _container_of(kwargs, source)
    _, store = open_store(kwargs, ("d", "o"), container, None)
    names = _names(store, container, pattern)
    if dryrun:
        return _listing.dry_run("delete action: from", source, pattern, ("container", container), names)
    conds = conditions(if_match, if_none_match, if_modified_since, if_unmodified_since)
    failed = 0
    for name in names:
        try:
            store.delete_blob(container, name, lease_id, conds)
        except StorageError as ex:
            if ex.code != "ConditionNotMet":
                raise
            failed += 1
    if failed:
        logger.warning('%s of %s blobs not deleted due to "Failed Precondition"', failed, len(names))
    return None
