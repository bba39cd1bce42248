"""az storage container|blob: the per-command arguments (az 2.91's option strings, arities and choices)."""

from knack.arguments import ArgumentsContext

from azlocal.core.conventions import enum_type, three_state_flag

_TIME = "Format: YYYY-MM-DDThh:mm:ssZ (UTC)."


def conditions(c, etags=True, tags=True):
    c.argument("if_modified_since", options_list=["--if-modified-since"], arg_group="Precondition",
               help=f"Act only if the resource changed since this time. {_TIME}")
    c.argument("if_unmodified_since", options_list=["--if-unmodified-since"], arg_group="Precondition",
               help=f"Act only if the resource has not changed since this time. {_TIME}")
    if etags:
        c.argument("if_match", options_list=["--if-match"], arg_group="Precondition",
                   help="An ETag: act only if the resource's ETag is this one ('*' for any existing resource).")
        c.argument("if_none_match", options_list=["--if-none-match"], arg_group="Precondition",
                   help="An ETag: act only if the resource's ETag is not this one ('*': only if it does not exist).")
    if tags:
        c.argument("if_tags_match_condition", options_list=["--tags-condition"], arg_group="Precondition",
                   help="A SQL where clause on blob tags (recorded; blob index tags are not kept offline).")


def blob_target(c, required=False):
    c.argument("container_name", options_list=["--container-name", "-c"], required=required,
               help="The container name.")
    c.argument("blob_name", options_list=["--name", "-n"], required=required, help="The blob name.")


def content(c):
    for dest, option, what in (("content_type", "--content-type", "MIME type"),
                               ("content_encoding", "--content-encoding", "content encoding"),
                               ("content_language", "--content-language", "content language"),
                               ("content_disposition", "--content-disposition", "content disposition"),
                               ("content_md5", "--content-md5", "base64 MD5 of the content")):
        c.argument(dest, options_list=[option], arg_group="Content Control", help=f"The blob's {what}.")
    c.argument("content_cache_control", options_list=["--content-cache-control", "--content-cache"],
               arg_group="Content Control", help="The blob's cache control value.")


def sas_arguments(c):
    c.argument("permission", options_list=["--permissions"],
               help="The permissions the SAS grants, letters of (a)dd (c)reate (d)elete (e)xecute (i)set "
               "immutability (l)ist (m)ove (r)ead (t)ags (w)rite (x)delete-previous-version (y)permanent delete.")
    c.argument("expiry", options_list=["--expiry"], help=f"When the SAS stops working. {_TIME}")
    c.argument("start", options_list=["--start"], help=f"When the SAS starts working (default: now). {_TIME}")
    c.argument("id", options_list=["--policy-name"], help="The name of a stored access policy of the container.")
    c.argument("ip", options_list=["--ip"], help="An IP address or range (a-b) the requests must come from.")
    c.argument("protocol", options_list=["--https-only"], action="store_const", const="https",
               help="Only allow requests over HTTPS.")
    for dest, what in (("cache_control", "Cache-Control"), ("content_disposition", "Content-Disposition"),
                       ("content_encoding", "Content-Encoding"), ("content_language", "Content-Language"),
                       ("content_type", "Content-Type")):
        c.argument(dest, options_list=["--" + dest.replace("_", "-")],
                   help=f"The {what} header responses to requests with this SAS carry.")
    c.argument("encryption_scope", options_list=["--encryption-scope"], help="An encryption scope (recorded).")
    c.argument("as_user", options_list=["--as-user"], action="store_true",
               help="Sign with a user delegation key (needs Microsoft Entra sign-in; refused offline).")
    c.argument("user_delegation_oid", options_list=["--user-delegation-oid"],
               help="The object id of the user a user delegation SAS is for.")
    c.argument("user_delegation_tid", options_list=["--user-delegation-tid"],
               help="The tenant id of the user a user delegation SAS is for.")


def _flag(c, dest, option, text):
    c.argument(dest, options_list=[option], action="store_true", help=text)


def _listing(c):
    c.argument("marker", options_list=["--marker"],
               help="Where to resume: the next marker an earlier listing printed.")
    c.argument("num_results", options_list=["--num-results"], type=int,
               help="The most results to return (up to 5000; default 5000).")
    c.argument("prefix", options_list=["--prefix"], help="Only names that start with this prefix.")
    _flag(c, "show_next_marker", "--show-next-marker", "Add the next marker as the list's last item.")


def _upload_options(c):
    c.argument("blob_type", enum_type(["append", "block", "page"]), options_list=["--type", "-t"],
               help="The blob type (default: block; page blobs are not kept offline).")
    content(c)
    c.argument("lease_id", options_list=["--lease-id"], help="The blob's active lease id, if it has one.")
    c.argument("max_connections", options_list=["--max-connections"], type=int,
               help="The most parallel connections (one suffices locally).")
    c.argument("maxsize_condition", options_list=["--maxsize-condition"], type=int,
               help="For append blobs: fail if the blob would grow past this many bytes.")
    _flag(c, "no_progress", "--no-progress", "Do not show a progress bar.")
    c.argument("overwrite", three_state_flag(), options_list=["--overwrite"],
               help="Replace a blob of the same name (without it, an existing blob is refused).")
    c.argument("tags", options_list=["--tags"], nargs="*", help="Blob index tags key=value (recorded only).")
    c.argument("tier", options_list=["--tier"], help="The access tier (only Hot exists offline).")
    _flag(c, "validate_content", "--validate-content", "Check each chunk's MD5 on the way.")
    conditions(c)


def load(loader, command):
    with ArgumentsContext(loader, "storage container create") as c:
        c.argument("default_encryption_scope", options_list=["--default-encryption-scope", "-d"],
                   help="The container's default encryption scope (recorded).")
        c.argument("prevent_encryption_scope_override", three_state_flag(),
                   options_list=["--prevent-encryption-scope-override", "-p"],
                   help="Whether blobs must use the default encryption scope (recorded).")
        _flag(c, "fail_on_exist", "--fail-on-exist", "Fail if the container exists (else print created: false).")
        c.argument("resource_group_name", options_list=["--resource-group", "-g"], deprecate_info=c.deprecate(),
                   help="Not used: the account is found by its name.")
    with ArgumentsContext(loader, "storage container delete") as c:
        _flag(c, "bypass_immutability_policy", "--bypass-immutability-policy",
              "Delete through the management plane even with an immutability policy (none exist offline).")
        _flag(c, "fail_not_exist", "--fail-not-exist", "Fail if the container does not exist.")
        c.argument("lease_id", options_list=["--lease-id"], help="The container's active lease id, if it has one.")
    for scope in ("storage container delete", "storage container metadata update",
                  "storage container set-permission"):
        with ArgumentsContext(loader, scope) as c:
            conditions(c, etags=False, tags=False)
    with ArgumentsContext(loader, "storage container generate-sas") as c:
        sas_arguments(c)
    with ArgumentsContext(loader, "storage container list") as c:
        _listing(c)
        c.argument("include_metadata", three_state_flag(), options_list=["--include-metadata"],
                   help="Include each container's metadata.")
        c.argument("include_deleted", three_state_flag(), options_list=["--include-deleted"],
                   help="Include soft-deleted containers (none are kept offline).")
    with ArgumentsContext(loader, "storage blob list") as c:
        c.argument("container_name", options_list=["--container-name", "-c"], required=True,
                   help="The container name.")
        _listing(c)
        c.argument("delimiter", options_list=["--delimiter"],
                   help="Group names that share a part up to this character as one virtual directory.")
        c.argument("include", options_list=["--include"],
                   help="More to include: (m)etadata, (s)napshots, (c)opy, (d)eleted, (v)ersions, (t)ags.")
    for scope in ("storage blob show", "storage blob metadata show", "storage blob metadata update",
                  "storage blob delete", "storage blob download", "storage blob update"):
        with ArgumentsContext(loader, scope) as c:
            conditions(c)
    with ArgumentsContext(loader, "storage blob delete") as c:
        c.argument("delete_snapshots", enum_type(["include", "only"]), options_list=["--delete-snapshots"],
                   help="With snapshots: delete them too (include) or only them (only).")
    with ArgumentsContext(loader, "storage blob generate-sas") as c:
        sas_arguments(c)
        _flag(c, "full_uri", "--full-uri", "Print the blob's full URL with the SAS.")
    with ArgumentsContext(loader, "storage blob url") as c:
        blob_target(c, required=True)
        c.argument("protocol", enum_type(["http", "https"]), options_list=["--protocol"], default="https",
                   help="The protocol of the URL.")
    with ArgumentsContext(loader, "storage blob update") as c:
        blob_target(c, required=True)
        content(c)
        c.argument("clear_content_settings", three_state_flag(), options_list=["--clear-content-settings"],
                   help="Clear the content settings not given (by default they are kept).")
    with ArgumentsContext(loader, "storage blob upload") as c:
        _upload_options(c)
        c.argument("file_path", options_list=["--file", "-f"], help="The local file to upload.")
        c.argument("data", options_list=["--data"], help="The blob's content as text (instead of --file).")
        c.argument("length", options_list=["--length"], type=int, help="How many bytes of --data to upload.")
        c.argument("encryption_scope", options_list=["--encryption-scope"], help="An encryption scope (recorded).")
        c.argument("connection_timeout", options_list=["--socket-timeout"], type=int,
                   help="The socket timeout in seconds.")
    with ArgumentsContext(loader, "storage blob download") as c:
        c.argument("file_path", options_list=["--file", "-f"], help="Where to write the blob (default: stdout).")
        c.argument("start_range", options_list=["--start-range"], type=int, help="The first byte to download.")
        c.argument("end_range", options_list=["--end-range"], type=int, help="The last byte to download.")
        c.argument("max_concurrency", options_list=["--max-connections"], type=int,
                   help="The most parallel connections.")
        _flag(c, "no_progress", "--no-progress", "Do not show a progress bar.")
        c.argument("open_mode", options_list=["--open-mode"], default="wb",
                   help="The mode the file is opened in (wb to replace, ab to append).")
        c.argument("overwrite", three_state_flag(), options_list=["--overwrite"],
                   help="Replace an existing file (default: true).")
        _flag(c, "validate_content", "--validate-content", "Check the MD5 of the downloaded content.")
        c.argument("version_id", options_list=["--version-id"], help="A blob version (versions are not kept).")
    with ArgumentsContext(loader, "storage blob upload-batch") as c:
        _upload_options(c)
        c.argument("source", options_list=["--source", "-s"], required=True, help="The local folder to upload.")
        c.argument("destination", options_list=["--destination", "-d"], required=True,
                   help="The container: its name or its URL.")
        c.argument("destination_path", options_list=["--destination-path"],
                   help="A virtual directory in the container to upload into.")
        c.argument("socket_timeout", options_list=["--socket-timeout"], type=int, deprecate_info=c.deprecate(),
                   help="The socket timeout in seconds.")
    for scope in ("storage blob upload-batch", "storage blob download-batch", "storage blob delete-batch"):
        with ArgumentsContext(loader, scope) as c:
            c.argument("pattern", options_list=["--pattern"],
                       help="A shell-style pattern (*, ?, [seq]) the names must match.")
            _flag(c, "dryrun", "--dryrun", "Show what would be done, and do nothing.")
    with ArgumentsContext(loader, "storage blob download-batch") as c:
        c.argument("source", options_list=["--source", "-s"], required=True,
                   help="The container: its name or its URL.")
        c.argument("destination", options_list=["--destination", "-d"], required=True,
                   help="The local folder to download into.")
        c.argument("max_concurrency", options_list=["--max-connections"], type=int,
                   help="The most parallel connections.")
        _flag(c, "no_progress", "--no-progress", "Do not show a progress bar.")
        c.argument("overwrite", three_state_flag(), options_list=["--overwrite"],
                   help="Replace existing files (default: true).")
    with ArgumentsContext(loader, "storage blob delete-batch") as c:
        c.argument("source", options_list=["--source", "-s"], required=True,
                   help="The container: its name or its URL.")
        c.argument("delete_snapshots", enum_type(["include", "only"]), options_list=["--delete-snapshots"],
                   help="With snapshots: delete them too (include) or only them (only).")
        c.argument("lease_id", options_list=["--lease-id"], help="The blobs' active lease id, if they have one.")
        conditions(c, tags=False)
