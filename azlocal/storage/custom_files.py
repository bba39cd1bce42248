"""az storage share | file | directory: thin handlers. Each resolves the caller's credentials first
(azlocal.storage._params.access: keys, connection strings, SAS, --auth-mode login), then calls shares/files."""

import os

from knack.log import get_logger

from azlocal.storage import _params

logger = get_logger(__name__)


def _meta(items):
    """`--metadata a=b c=d` → {a: b, c: d} (az's rule: each item is key=value)."""
    from azlocal.core.parsing import pairs_dict

    return pairs_dict(items or [], error=lambda item: f"usage error: {item} is not in the format of key=value")


def _no_snapshot(snapshot):
    if snapshot:
        from azlocal.core.errors import ValidationError

        raise ValidationError("Share snapshots are not kept offline: azlocal's shares have no --snapshot.")


def _account(kwargs, needs, auth_mode=False, share=None, intent=None):
    """The account the command runs against, its credentials checked first (with --auth-mode login, az wants
    --enable-file-backup-request-intent for Azure Files); then the share's name (Azure's rule)."""
    access = _params.access(kwargs, needs=needs, auth_mode=auth_mode, service="f")
    if access.kind == "login" and auth_mode and not intent:
        from azlocal.core.errors import AzLocalError

        raise AzLocalError("--enable-file-backup-request-intent is required for file share OAuth")
    account = access.account
    if share is not None:
        from azlocal.storage import shares

        shares.check_name(share)
    return account


def _endpoint(account, protocol="https"):
    return f"{protocol}://{account}.file.core.windows.net"


def _quote(path):
    from urllib.parse import quote

    return quote(path, safe="/~")


# az storage share ---------------------------------------------------------------------------------

def share_create(share_name, metadata=None, quota=None, fail_on_exist=False, protocols=None,
                 enable_snapshot_virtual_directory_access=None, **kwargs):
    from azlocal.storage import shares
    from azlocal.storage.storage_errors import StorageError

    account = _account(kwargs, ("c", "s"), share=share_name)
    extra = {} if enable_snapshot_virtual_directory_access is None else {
        "enableSnapshotVirtualDirectoryAccess": enable_snapshot_virtual_directory_access}
    created = shares.create(account, share_name, quota=quota, metadata=_meta(metadata), protocols=protocols,
                            extra=extra)
    if not created and fail_on_exist:
        raise StorageError("ShareAlreadyExists", "The specified share already exists.", 409)
    return {"created": created}


def share_delete(share_name, fail_not_exist=False, delete_snapshots=None, snapshot=None, **kwargs):
    from azlocal.storage import shares

    _no_snapshot(snapshot)
    account = _account(kwargs, ("d", "s"))
    deleted = shares.delete(account, share_name)
    if not deleted and fail_not_exist:
        raise shares.not_found()
    return {"deleted": deleted}


def share_exists(share_name, snapshot=None, **kwargs):
    from azlocal.storage import shares

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "s"))
    return {"exists": shares.exists(account, share_name)}


def share_show(share_name, snapshot=None, **kwargs):
    from azlocal.storage import shares

    _no_snapshot(snapshot)
    return shares.share_properties(_account(kwargs, ("r", "s")), share_name)


def share_list(prefix=None, marker=None, num_results=None, include_metadata=False, include_snapshots=False,
               **kwargs):
    from azlocal.storage import shares

    account = _account(kwargs, ("l", "s"))
    names = [n for n in shares.names(account) if not prefix or n.startswith(prefix)]
    if marker:
        names = [n for n in names if n >= marker]
    rows = [shares.list_item(account, n, with_metadata=include_metadata) for n in names]
    if num_results and str(num_results) != "*" and len(rows) > int(num_results):
        rows, nxt = rows[:int(num_results)], rows[int(num_results)]["name"]
        rows.append({"nextMarker": nxt})
    return rows


def share_update(share_name, quota, **kwargs):
    from azlocal.storage import shares

    account = _account(kwargs, ("w", "s"))
    quota = shares.check_quota(account, quota)
    with shares.editing(account, share_name, share_level=True) as data:
        data["share"]["quota"] = int(quota)
    props = shares.share_properties(account, share_name)["properties"]
    return {"etag": props["etag"], "last_modified": props["lastModified"]}


def share_stats(share_name, **kwargs):
    from azlocal.storage import shares

    account = _account(kwargs, ("r", "s"))
    shares.load(account, share_name)
    gib = round(shares.usage_bytes(account, share_name) / 1024 ** 3)
    return str(gib + 1 if gib == 0 else gib)


def share_metadata_show(share_name, snapshot=None, **kwargs):
    from azlocal.storage import shares

    _no_snapshot(snapshot)
    return shares.load(_account(kwargs, ("r", "s")), share_name)["share"].get("metadata") or {}


def share_metadata_update(share_name, metadata=None, **kwargs):
    from azlocal.storage import shares

    account = _account(kwargs, ("w", "s"))
    with shares.editing(account, share_name, share_level=True) as data:
        data["share"]["metadata"] = _meta(metadata)
    return {"updated": True}


def share_url(share_name, unc=False, protocol="https", **kwargs):
    from azlocal.core import safepath

    account = _account(kwargs, None)
    safepath.check_name("file share", share_name)
    url = f"{_endpoint(account, protocol or 'https')}/{share_name}"
    return ":".join(url.split(":")[1:]) if unc else url


# az storage file ----------------------------------------------------------------------------------

def _file_path(share_name, path, file_url):
    """--share-name/--path, or --file-url https://<account>.file.core.windows.net/<share>/<path>."""
    from urllib.parse import unquote, urlparse

    from azlocal.core.errors import ArgumentUsageError

    if file_url:
        parsed = urlparse(file_url)
        share, _, rest = parsed.path.lstrip("/").partition("/")
        return share, unquote(rest)
    if not share_name:
        raise ArgumentUsageError("usage error: --share-name SHARE [--path PATH] | --file-url URL")
    return share_name, path


def file_upload(local_file_path, share_name=None, path=None, file_url=None, content_type=None,
                content_encoding=None, content_language=None, content_disposition=None, content_cache_control=None,
                content_md5=None, metadata=None, validate_content=False, max_connections=2, no_progress=False,
                file_mode=None, owner=None, group=None, disallow_trailing_dot=None,
                enable_file_backup_request_intent=False, **kwargs):
    from azlocal.core.errors import AzLocalError
    from azlocal.storage import files

    share, path = _file_path(share_name, path, file_url)
    if file_url and not kwargs.get("account_name") and not kwargs.get("connection_string"):
        from azlocal.storage import credentials

        kwargs["account_name"] = credentials.account_from_endpoint(file_url)
    if not os.path.isfile(local_file_path):
        raise AzLocalError(f"[Errno 2] No such file or directory: '{local_file_path}'\nPlease check the file path.")
    account = _account(kwargs, ("w", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    path = path or os.path.basename(local_file_path)
    if path.endswith("/"):
        path += os.path.basename(local_file_path)
    if file_mode or owner or group:
        logger.warning("--file-mode, --owner and --group apply to NFS shares; they are not recorded offline.")
    settings = {"contentType": files.guess_type(local_file_path, content_type), "contentEncoding": content_encoding,
                "contentLanguage": content_language, "contentDisposition": content_disposition,
                "cacheControl": content_cache_control, "contentMd5": content_md5}
    return files.upload(account, share, path, local_file_path, content_settings=settings,
                        metadata=_meta(metadata))


def file_download(share_name, path, destination_path=None, snapshot=None, start_range=None, end_range=None,
                  open_mode="wb", max_connections=2, validate_content=None, no_progress=False,
                  disallow_trailing_dot=None, enable_file_backup_request_intent=False, **kwargs):
    from azlocal.core.errors import AzLocalError
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    show = files.file_show(account, share_name, path)  # a missing file fails before a local file is made
    destination = destination_path or show["name"]
    if os.path.isdir(destination):
        destination = os.path.join(destination, show["name"])
    folder = os.path.dirname(destination)
    if folder:
        os.makedirs(folder, exist_ok=True)
    try:
        return files.download(account, share_name, path, destination, start=start_range, end=end_range,
                              open_mode=open_mode)
    except (PermissionError, IsADirectoryError) as ex:
        raise AzLocalError(f"{ex}\nPlease make sure you have enough permissions on the file/directory.") from ex


def file_list(share_name, directory_name=None, snapshot=None, exclude_dir=False, exclude_extended_info=False,
              num_results=None, marker=None, disallow_trailing_dot=None, enable_file_backup_request_intent=False,
              **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("l", "c"), auth_mode=True, intent=enable_file_backup_request_intent)
    rows = files.list_items(account, share_name, directory_name, exclude_dir=exclude_dir,
                            extended=not exclude_extended_info)
    if num_results and len(rows) > int(num_results):
        rows = rows[:int(num_results)]
    return rows


def file_delete(share_name, path, disallow_trailing_dot=None, enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    account = _account(kwargs, ("d", "o"), auth_mode=True,
                       intent=enable_file_backup_request_intent)
    files.delete_file(account, share_name, path)
    return {"deleted": True}


def file_exists(share_name, path, snapshot=None, disallow_trailing_dot=None, enable_file_backup_request_intent=False,
                **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True,
                       intent=enable_file_backup_request_intent)
    return {"exists": files.exists(account, share_name, path, kind="file")}


def file_show(share_name, path, snapshot=None, disallow_trailing_dot=None, enable_file_backup_request_intent=False,
              **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True,
                       intent=enable_file_backup_request_intent)
    return files.file_show(account, share_name, path)


def file_url(share_name, path, protocol="https", disallow_trailing_dot=None, enable_file_backup_request_intent=False,
             **kwargs):
    from azlocal.storage import paths

    account = _account(kwargs, None, auth_mode=True, intent=enable_file_backup_request_intent)
    parts = paths.split_path(path)
    return f"{_endpoint(account, protocol or 'https')}/{share_name}/{_quote('/'.join(parts))}"


def file_metadata_show(share_name, path, snapshot=None, disallow_trailing_dot=None,
                       enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    _no_snapshot(snapshot)
    account = _account(kwargs, ("r", "o"), auth_mode=True,
                       intent=enable_file_backup_request_intent)
    return files.metadata(account, share_name, path, kind="file")


def file_metadata_update(share_name, path, metadata=None, disallow_trailing_dot=None,
                         enable_file_backup_request_intent=False, **kwargs):
    from azlocal.storage import files

    account = _account(kwargs, ("w", "o"), auth_mode=True, intent=enable_file_backup_request_intent)
    return dict(files.set_metadata(account, share_name, path, _meta(metadata), kind="file"),
                request_server_encrypted=True)
