"""az storage: the commands of one area (files: share, share-rm, file, directory): table and arguments; help in
_help_files.yaml. Handlers in custom_files, custom_directories (directories and the batch commands) and
custom_share_rm; behaviour in shares and files."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type, three_state_flag

helpdata.register(__file__, "_help_files.yaml")

FILES = "azlocal.storage.custom_files#{}"
DIRS = "azlocal.storage.custom_directories#{}"
SHARE_RM = "azlocal.storage.custom_share_rm#{}"
# Data-plane commands: name -> (handler module, function, takes --auth-mode, takes --timeout)
_SHARE = {"create": "share_create", "delete": "share_delete", "exists": "share_exists", "show": "share_show",
          "list": "share_list", "update": "share_update", "stats": "share_stats", "url": "share_url",
          "metadata show": "share_metadata_show", "metadata update": "share_metadata_update"}
_FILE = {"upload": "file_upload", "download": "file_download", "list": "file_list", "delete": "file_delete",
         "exists": "file_exists", "show": "file_show", "url": "file_url", "metadata show": "file_metadata_show",
         "metadata update": "file_metadata_update"}
_BATCH = {"upload-batch": "file_upload_batch", "download-batch": "file_download_batch",
          "delete-batch": "file_delete_batch"}
_DIRECTORY = {"create": "directory_create", "delete": "directory_delete", "exists": "directory_exists",
              "show": "directory_show", "list": "directory_list", "metadata show": "directory_metadata_show",
              "metadata update": "directory_metadata_update"}
_SHARE_RM = {"create": "share_rm_create", "delete": "share_rm_delete", "exists": "share_rm_exists",
             "show": "share_rm_show", "list": "share_rm_list", "update": "share_rm_update", "stats": "share_rm_stats"}
_NO_TIMEOUT = {"storage share url", "storage file url", "storage file upload-batch", "storage file download-batch"}
_AAZ_BOOL = ["0", "1", "f", "false", "n", "no", "t", "true", "y", "yes"]


def _table(name):
    def transform(result):
        from azlocal.storage import _format

        return getattr(_format, name)(result)

    return transform


def load_commands(loader):
    boolean, files_table = _table("boolean_table"), _table("file_table")
    tables = {"create": boolean, "delete": boolean, "list": files_table, "show": files_table}
    with CommandGroup(loader, "storage share", FILES) as g:
        for name, func in _SHARE.items():
            g.command(name, func, table_transformer={"create": boolean, "delete": boolean,
                                                     "list": _table("share_list_table")}.get(name))
    with CommandGroup(loader, "storage file", FILES) as g:
        for name, func in _FILE.items():
            g.command(name, func, table_transformer={"delete": boolean, "list": files_table,
                                                     "show": files_table}.get(name))
    with CommandGroup(loader, "storage file", DIRS) as g:
        for name, func in _BATCH.items():
            g.command(name, func)
    with CommandGroup(loader, "storage directory", DIRS) as g:
        for name, func in _DIRECTORY.items():
            g.command(name, func, table_transformer=tables.get(name))
    with CommandGroup(loader, "storage share-rm", SHARE_RM) as g:
        for name, func in _SHARE_RM.items():
            g.command(name, func)


def load_arguments(loader, command):
    from azlocal.storage import _params

    if not command.startswith(("storage share", "storage file", "storage directory")):
        return
    with ArgumentsContext(loader, "storage share") as c:
        _params.data_plane_arguments(c, "--file-endpoint", auth_mode=False)
        c.argument("share_name", options_list=["--name", "-n"], required=True, help="The file share name.")
    for group, names, auth in (("storage share", _SHARE, False), ("storage file", {**_FILE, **_BATCH}, True),
                               ("storage directory", _DIRECTORY, True)):
        for name in names:
            full = f"{group} {name}"
            if command == full:
                with ArgumentsContext(loader, full) as c:
                    _params.data_plane_extras(c, auth_mode=auth, timeout=full not in _NO_TIMEOUT)
    _share_arguments(loader)
    for scope in ("storage file", "storage directory"):
        with ArgumentsContext(loader, scope) as c:
            _params.data_plane_arguments(c, "--file-endpoint", auth_mode=True)
            c.argument("share_name", options_list=["--share-name", "-s"], required=True, help="The file share name.")
            c.argument("disallow_trailing_dot", three_state_flag(),
                       help="Do not trim a trailing dot from the file or directory names (default false).")
            c.argument("enable_file_backup_request_intent", action="store_true",
                       options_list=["--enable-file-backup-request-intent", "--backup-intent"],
                       help="Ask for backup intent (with --auth-mode login; no effect offline).")
            c.argument("metadata", nargs="+", help="Metadata in space-separated key=value pairs.")
            c.argument("snapshot", help="A share snapshot (there are none offline).")
    _file_arguments(loader)
    _directory_arguments(loader)
    if command.startswith("storage share-rm"):
        _share_rm_arguments(loader)


def _share_arguments(loader):
    with ArgumentsContext(loader, "storage share") as c:
        c.argument("metadata", nargs="+", help="Metadata in space-separated key=value pairs.")
        c.argument("quota", type=int, help="The share's size limit in GiB (up to 5120, or 102400 with large file "
                   "shares; the default is the largest). Uploads "
                   "beyond it fail with ShareSizeLimitReached.")
        c.argument("snapshot", help="A share snapshot (there are none offline).")
    with ArgumentsContext(loader, "storage share create") as c:
        c.argument("fail_on_exist", action="store_true", help="Fail when the share exists already.")
        c.argument("protocols", enum_type(["NFS", "SMB"]), options_list=["--protocol"],
                   help="The protocol of the share (recorded; the folder is the same).")
        c.argument("enable_snapshot_virtual_directory_access", three_state_flag(),
                   options_list=["--enable-snapshot-virtual-directory-access", "--virtual-dir-access"],
                   help="Whether NFS clients may see the snapshot directory (recorded).")
    with ArgumentsContext(loader, "storage share update") as c:
        c.argument("quota", type=int, required=True,
                   help="The share's new size limit in GiB (up to 5120, or 102400 with large file shares).")
    with ArgumentsContext(loader, "storage share delete") as c:
        c.argument("fail_not_exist", action="store_true", help="Fail when the share does not exist.")
        c.argument("delete_snapshots", choices=["include", "include-leased"],
                   help="Delete the share's snapshots too (there are none offline).")
    with ArgumentsContext(loader, "storage share list") as c:
        c.argument("prefix", help="Only the shares whose names start with this prefix.")
        c.argument("marker", help="Continue a listing from the name a previous page's nextMarker gave.")
        c.argument("num_results", help="The most shares to list; with more, a nextMarker ends the list.")
        c.argument("include_metadata", action="store_true", help="Include the shares' metadata.")
        c.argument("include_snapshots", action="store_true", help="Include share snapshots (none offline).")
    with ArgumentsContext(loader, "storage share url") as c:
        c.argument("unc", action="store_true", help="Print the UNC form (//<account>.file.core.windows.net/<share>).")
        c.argument("protocol", enum_type(["http", "https"]), default="https", help="The protocol of the URL.")


def _file_arguments(loader):
    with ArgumentsContext(loader, "storage file") as c:
        c.argument("path", options_list=["--path", "-p"], required=True,
                   help="The path of the file within the share, e.g. 'dir/sub/file.txt'.")
        c.argument("max_connections", type=int, help="The number of parallel connections (one offline).")
        c.argument("no_progress", action="store_true", help="Do not show the progress bar.")
        c.argument("dryrun", action="store_true", help="Show what would be done without doing it.")
        c.argument("pattern", help="A shell pattern (fnmatch) the relative paths must match, e.g. '*.txt'.")
        c.argument("protocol", enum_type(["http", "https"]), default="https", help="The protocol of the URL.")
        for dest, option, help_ in (("content_type", "--content-type", "The content's MIME type"),
                                    ("content_encoding", "--content-encoding", "The content's encoding"),
                                    ("content_language", "--content-language", "The content's language"),
                                    ("content_disposition", "--content-disposition", "The content disposition"),
                                    ("content_md5", "--content-md5", "The content's MD5 hash (base64)")):
            c.argument(dest, options_list=[option], arg_group="Content Control", help=help_ + ".")
        c.argument("content_cache_control", options_list=["--content-cache-control", "--content-cache"],
                   arg_group="Content Control", help="The cache control string.")
        c.argument("file_mode", help="The NFS file mode (not recorded offline).")
        c.argument("owner", help="The NFS owner (not recorded offline).")
        c.argument("group", help="The NFS owning group (not recorded offline).")
    with ArgumentsContext(loader, "storage file upload") as c:
        c.argument("local_file_path", options_list=["--source"], required=True, help="The local file to upload.")
        c.argument("share_name", options_list=["--share-name", "-s"], required=False,
                   help="The file share name (or give --file-url).")
        c.argument("path", options_list=["--path", "-p"], required=False,
                   help="The path of the file within the share (default: the source's file name).")
        c.argument("file_url", help="The file's full URL, instead of --share-name and --path.")
        c.argument("validate_content", action="store_true", help="Check each range's MD5 on the way.")
    with ArgumentsContext(loader, "storage file download") as c:
        c.argument("destination_path", options_list=["--dest"],
                   help="The local file or folder to write (default: the file's name, here).")
        c.argument("start_range", type=int, help="The first byte to download (with --end-range).")
        c.argument("end_range", type=int, help="The last byte to download, inclusive.")
        c.argument("open_mode", help="The mode the local file is opened in (default 'wb').")
        c.argument("validate_content", help="Check each range's MD5 on the way.")
    with ArgumentsContext(loader, "storage file list") as c:
        c.argument("directory_name", options_list=["--path", "-p"], required=False,
                   help="The directory to list (default: the share's root).")
        c.argument("exclude_dir", action="store_true", help="List files only.")
        c.argument("exclude_extended_info", action="store_true", help="Leave out timestamps, attributes and keys.")
        c.argument("marker", help="Continue a listing from a previous page's marker.")
        c.argument("num_results", type=int, help="The most entries to list.")
    for name in ("upload-batch", "download-batch"):
        with ArgumentsContext(loader, f"storage file {name}") as c:
            c.argument("destination", options_list=["--destination", "-d"], required=True,
                       help="Where to put the files: a share name or URL (upload), a local folder (download).")
            c.argument("validate_content", action="store_true", help="Check each range's MD5 on the way.")
    for name in ("upload-batch", "download-batch", "delete-batch"):
        with ArgumentsContext(loader, f"storage file {name}") as c:
            c.argument("source", options_list=["--source", "-s"], required=True,
                       help="Where the files come from: a local folder (upload), a share name or URL.")
    with ArgumentsContext(loader, "storage file upload-batch") as c:
        c.argument("destination_path", help="The directory of the share to upload into (created as needed).")


def _directory_arguments(loader):
    with ArgumentsContext(loader, "storage directory") as c:
        c.argument("directory_path", options_list=["--name", "-n"], required=True,
                   help="The directory's path within the share, e.g. 'dir/sub'.")
        c.argument("fail_on_exist", action="store_true", help="Fail when the directory exists already.")
        c.argument("fail_not_exist", action="store_true", help="Fail when the directory does not exist.")
        c.argument("file_mode", help="The NFS file mode (not recorded offline).")
        c.argument("owner", help="The NFS owner (not recorded offline).")
        c.argument("group", help="The NFS owning group (not recorded offline).")
        c.argument("exclude_extended_info", action="store_true", help="Leave out timestamps, attributes and keys.")
    with ArgumentsContext(loader, "storage directory list") as c:
        c.argument("directory_path", options_list=["--name", "-n"], required=False,
                   help="The directory to list (default: the share's root).")


def _share_rm_arguments(loader):
    aaz_flag = three_state_flag(words=_AAZ_BOOL)
    with ArgumentsContext(loader, "storage share-rm") as c:
        c.argument("storage_account", options_list=["--storage-account", "--account-name"],
                   help="The storage account's name or resource id.")
        c.argument("resource_group", options_list=["--resource-group", "-g"],
                   help="Name of resource group (optional when --storage-account is a resource id).")
        c.argument("share_name", options_list=["--name", "-n", "--share-name"], help="The file share name.")
        c.argument("quota", type=int, options_list=["--quota", "-q"], help="The share's size limit in GiB.")
        c.argument("metadata", nargs="+", help="Metadata in space-separated key=value pairs.")
        c.argument("access_tier", enum_type(["Cool", "Hot", "Premium", "TransactionOptimized"]),
                   help="The share's access tier (recorded).")
        c.argument("enabled_protocols", enum_type(["NFS", "SMB"]), help="The share's protocol (recorded).")
        c.argument("root_squash", enum_type(["AllSquash", "NoRootSquash", "RootSquash"]),
                   help="Root squashing of an NFS share (recorded).")
        c.argument("paid_bursting_enabled", aaz_flag, help="Enable paid bursting (premium shares; recorded).")
        c.argument("paid_bursting_max_bandwidth_mibps", type=int,
                   options_list=["--bursting-max-mibps", "--paid-bursting-max-bandwidth-mibps"],
                   help="The most bandwidth paid bursting may use, MiB/s (recorded).")
        c.argument("paid_bursting_max_iops", type=int, help="The most IOPS paid bursting may use (recorded).")
        c.argument("provisioned_bandwidth_mibps", type=int,
                   options_list=["--provisioned-bandwidth", "--provisioned-bandwidth-mibps"],
                   help="Provisioned bandwidth, MiB/s (recorded).")
        c.argument("provisioned_iops", type=int, help="Provisioned IOPS (recorded).")
        c.argument("snapshot", help="A share snapshot (there are none offline).")
        c.argument("expand", help="'stats' adds the share's usage in bytes.")
        c.argument("include", help="'snapshots' or 'leased-snapshots' to delete with the share (none offline).")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true", help="Do not prompt for confirmation.")
    for name in ("create", "list"):
        with ArgumentsContext(loader, f"storage share-rm {name}") as c:
            c.argument("storage_account", options_list=["--storage-account", "--account-name"], required=True,
                       help="The storage account's name or resource id.")
    with ArgumentsContext(loader, "storage share-rm create") as c:
        c.argument("share_name", options_list=["--name", "-n", "--share-name"], required=True,
                   help="The file share name.")
    with ArgumentsContext(loader, "storage share-rm list") as c:
        c.argument("filter", help="An OData filter (not applied offline).")
        c.argument("include_deleted", aaz_flag, help="Include soft-deleted shares (none offline).")
        c.argument("include_snapshot", aaz_flag, help="Include share snapshots (none offline).")
        c.argument("maxpagesize", type=int, help="The most shares per page.")
        c.argument("pagination_limit", type=int, options_list=["--max-items"], help="The most shares to list.")
        c.argument("pagination_token", options_list=["--next-token"], help="A token from a previous listing.")
    with ArgumentsContext(loader, "storage share-rm update") as c:
        c.argument("set_", options_list=["--set"], nargs="+", action="append", arg_group="Generic Update",
                   help="Set a property: --set property1.property2=<value>.")
        c.argument("add", options_list=["--add"], nargs="+", action="append", arg_group="Generic Update",
                   help="Add to a list property: --add property.list <key=value, string or JSON string>.")
        c.argument("remove", options_list=["--remove"], nargs="+", action="append", arg_group="Generic Update",
                   help="Remove a property or a list element: --remove property.list <index>.")
        c.argument("force_string", aaz_flag, options_list=["--force-string"], arg_group="Generic Update",
                   help="Keep string literals of --set and --add as they are (no JSON conversion).")
    for name in ("exists", "stats"):
        with ArgumentsContext(loader, f"storage share-rm {name}") as c:
            c.argument("account_name", options_list=["--storage-account"], help="The storage account's name.")
            c.argument("share_name", options_list=["--name", "-n"], help="The file share name.")
