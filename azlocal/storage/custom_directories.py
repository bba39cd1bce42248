"""az storage directory …, and the batch commands of az storage file (upload-batch, download-batch, delete-batch):
thin handlers over azlocal.storage.files, credentials first (custom_files._account)."""

import fnmatch
import os

from knack.log import get_logger

from azlocal.storage import _listing
from azlocal.storage.custom_files import _account, _endpoint, _meta, _no_snapshot, _quote

logger = get_logger(__name__)


def _share_of(value):
    """A share given by name or by URL (https://<account>.file.core.windows.net/<share>[/<dir>])."""
    from urllib.parse import unquote, urlparse

    if "://" in str(value):
        parsed = urlparse(value)
        share, _, rest = parsed.path.lstrip("/").partition("/")
        return share, unquote(rest).strip("/") or None, parsed.hostname.split(".")[0]
    return value, None, None


def _with_account(kwargs, account):
    if account and not kwargs.get("account_name") and not kwargs.get("connection_string"):
        kwargs["account_name"] = account


# az storage directory -----------------------------------------------------------------------------

def directory_create(share_name, directory_path, metadata=None, fail_on_exist=False, snapshot=None, file_mode=None,
                     owner=None, group=None, disallow_trailing_dot=None, enable_file_backup_request_intent=False,
                     **kwargs):
    from azlocal.storage import files
    from azlocal.storage.storage_errors import StorageError

    _no_snapshot(snapshot)
    account = _account(kwargs, ("c", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    created = files.create_directory(account, share_name, directory_path, metadata=_meta(metadata))
    if not created and fail_on_exist:
        raise StorageError("ResourceAlreadyExists", "The specified resource already exists.", 409)
    return {"created": created}


def directory_delete(share_name, directory_path, fail_not_exist=False, snapshot=None, disallow_trailing_dot=None,
                     enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files
    from azlocal.storage.storage_errors import StorageError

    _no_snapshot(snapshot)
    account = _account(kwargs, ("d", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    try:
        files.delete_directory(account, share_name, directory_path)
    except StorageError as ex:
        if ex.status == 404 and ex.code != "ShareNotFound" and not fail_not_exist:
            return {"deleted": False}
        raise
    return {"deleted": True}


def directory_exists(share_name, directory_path, snapshot=None, disallow_trailing_dot=None,
                     enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    return {"exists": files.exists(account, share_name, directory_path, kind="dir")}


def directory_show(share_name, directory_path, snapshot=None, disallow_trailing_dot=None,
                   enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True,
                       intent=enable_file_backup_request_intent)
    return files.directory_show(account, share_name, directory_path)


def directory_list(share_name, directory_path=None, exclude_extended_info=False, disallow_trailing_dot=None,
                   enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    account = _account(kwargs, ("l", "c"), auth_mode=True, intent=enable_file_backup_request_intent)
    return files.list_items(account, share_name, directory_path, dirs_only=True, extended=not exclude_extended_info)


def directory_metadata_show(share_name, directory_path, snapshot=None, disallow_trailing_dot=None,
                            enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True,
                       intent=enable_file_backup_request_intent)
    return files.metadata(account, share_name, directory_path, kind="dir")


def directory_metadata_update(share_name, directory_path, metadata=None, snapshot=None, disallow_trailing_dot=None,
                              enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("w", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    return dict(files.set_metadata(account, share_name, directory_path, _meta(metadata), kind="dir"),
                request_server_encrypted=True)


# az storage file …-batch --------------------------------------------------------------------------

def _local_files(source, pattern):
    """(local path, '/'-separated relative path) of every file under a local folder matching the pattern."""
    found = []
    for root, dirs, names in os.walk(source):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, source).replace(os.sep, "/")
            if not pattern or fnmatch.fnmatch(rel, pattern):
                found.append((full, rel))
    return found


def file_upload_batch(destination, source, destination_path=None, pattern=None, dryrun=False,
                      validate_content=False, content_type=None, content_encoding=None, content_language=None,
                      content_disposition=None, content_cache_control=None, content_md5=None, max_connections=1,
                      metadata=None, no_progress=False, disallow_trailing_dot=None,
                      enable_file_backup_request_intent=False, **kwargs):
    from azlocal.core.errors import AzLocalError
    from azlocal.storage import files, paths

    share, sub, url_account = _share_of(destination)
    _with_account(kwargs, url_account)
    if not os.path.isdir(source):
        raise AzLocalError(f"incorrect usage: source {source} is not an existing directory")
    account = _account(kwargs, ("w", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    prefix = "/".join(p for p in (sub, (destination_path or "").strip("/")) if p)
    jobs = [(src, f"{prefix}/{rel}" if prefix else rel) for src, rel in _local_files(source, pattern)]
    for _, dst in jobs:  # every name is checked before the first byte is written
        paths.split_path(dst)
    base = f"{_endpoint(account)}/{share}/"
    if dryrun:
        return [{"File": base + _quote(dst), "Type": files.guess_type(src, content_type)} for src, dst in jobs]
    out = []
    meta = _meta(metadata)
    for src, dst in jobs:
        parts = dst.split("/")
        files.make_directories(account, share, parts[:-1])
        logger.warning("uploading %s", src)
        settings = {"contentType": files.guess_type(src, content_type), "contentEncoding": content_encoding,
                    "contentLanguage": content_language, "contentDisposition": content_disposition,
                    "cacheControl": content_cache_control, "contentMd5": content_md5}
        files.upload(account, share, dst, src, content_settings=settings, metadata=meta)
        out.append(base + _quote(dst))
    return out


def file_download_batch(source, destination, pattern=None, dryrun=False, validate_content=False, snapshot=None,
                        max_connections=1, no_progress=False, disallow_trailing_dot=None,
                        enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    share, sub, url_account = _share_of(source)
    _with_account(kwargs, url_account)
    account = _account(kwargs, ("r", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    chosen = [p for p in files.walk_files(account, share, sub) if not pattern or fnmatch.fnmatch(p, pattern)]
    if dryrun:
        logger.warning("download files from file share")
        logger.warning("    account %s", account)
        logger.warning("      share %s", share)
        logger.warning("destination %s", destination)
        logger.warning("    pattern %s", pattern)
        logger.warning("      total %d", len(chosen))
        logger.warning(" operations")
        for p in chosen:
            logger.warning("  - %s => %s", p, os.path.join(destination, *p.split("/")))
        return []
    out = []
    for p in chosen:
        local = os.path.join(destination, *p.split("/"))
        os.makedirs(os.path.dirname(local), exist_ok=True)
        files.download(account, share, p, local)
        out.append(f"{_endpoint(account)}/{share}/{_quote(p)}")
    return out


def file_delete_batch(source, pattern=None, dryrun=False, disallow_trailing_dot=None,
                      enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    share, sub, url_account = _share_of(source)
    _with_account(kwargs, url_account)
    account = _account(kwargs, ("d", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    chosen = [p for p in files.walk_files(account, share, sub) if not pattern or fnmatch.fnmatch(p, pattern)]
    if dryrun:
        return _listing.dry_run("delete files from", source, pattern, ("share", share), chosen)
    for p in chosen:
        files.delete_file(account, share, p)
    return None
