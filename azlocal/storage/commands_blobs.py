"""az storage container|blob: the commands of one area (blobs): table and arguments; help in _help_blobs.yaml.
Handlers are custom_blobs (containers) and custom_blob_files (uploads, downloads, batches); behaviour in
blobstore, documents in blobviews."""

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup

from azlocal.core import helpdata
from azlocal.core.conventions import enum_type
from azlocal.storage._params import data_plane_arguments, data_plane_extras

helpdata.register(__file__, "_help_blobs.yaml")

BLOBS = "azlocal.storage.custom_blobs#{}"
FILES = "azlocal.storage.custom_blob_files#{}"


def _table(name):
    def transform(result):
        from azlocal.storage import blobviews

        return getattr(blobviews, name)(result)

    return transform


_COMMANDS = {f"storage container {w}" for w in ("create", "delete", "exists", "list", "show", "generate-sas",
                                                "set-permission", "show-permission", "metadata show",
                                                "metadata update")} | \
    {f"storage blob {w}" for w in ("list", "show", "delete", "exists", "url", "generate-sas", "metadata show",
                                   "metadata update", "update", "upload", "download", "upload-batch",
                                   "download-batch", "delete-batch")}


def load_commands(loader):
    boolean, blob_table = _table("boolean_table"), _table("blob_table")
    with CommandGroup(loader, "storage container", BLOBS) as g:
        g.command("create", "container_create", table_transformer=boolean)
        g.command("delete", "container_delete", table_transformer=boolean)
        g.command("exists", "container_exists", table_transformer=boolean)
        g.command("list", "container_list", table_transformer=_table("container_list_table"))
        g.command("show", "container_show", table_transformer=_table("container_show_table"))
        g.command("generate-sas", "container_generate_sas")
        g.command("set-permission", "container_set_permission")
        g.command("show-permission", "container_show_permission")
        g.command("metadata show", "container_metadata_show")
        g.command("metadata update", "container_metadata_update")
    with CommandGroup(loader, "storage blob", BLOBS) as g:
        g.command("list", "blob_list", table_transformer=blob_table)
        g.command("show", "blob_show", table_transformer=blob_table)
        g.command("delete", "blob_delete")
        g.command("exists", "blob_exists", table_transformer=boolean)
        g.command("url", "blob_url")
        g.command("generate-sas", "blob_generate_sas")
        g.command("metadata show", "blob_metadata_show")
        g.command("metadata update", "blob_metadata_update")
        g.command("update", "blob_update")
    with CommandGroup(loader, "storage blob", FILES) as g:
        g.command("upload", "blob_upload")
        g.command("download", "blob_download", table_transformer=blob_table)
        g.command("upload-batch", "blob_upload_batch")
        g.command("download-batch", "blob_download_batch")
        g.command("delete-batch", "blob_delete_batch")


def load_arguments(loader, command):
    if not command.startswith(("storage container", "storage blob")):
        return
    from azlocal.storage import _params_blobs

    with ArgumentsContext(loader, "storage container") as c:
        data_plane_arguments(c, "--blob-endpoint")
        c.argument("container_name", options_list=["--name", "-n"], required=True, help="The container name.")
        c.argument("lease", options_list=["--lease-id"], help="The container's active lease id, if it has one.")
        c.argument("public_access", enum_type(["blob", "container", "off"]), options_list=["--public-access"],
                   help="Anonymous read access: 'blob' (blobs only), 'container' (blobs and listing) or 'off'.")
        c.argument("metadata", options_list=["--metadata"], nargs="+",
                   help="Metadata in space-separated key=value pairs; replaces any existing metadata.")
    with ArgumentsContext(loader, "storage blob") as c:
        data_plane_arguments(c, "--blob-endpoint")
        _params_blobs.blob_target(c)
        c.argument("blob_url", options_list=["--blob-url"],
                   help="The full URL of the blob (instead of --container-name and --name).")
        c.argument("snapshot", options_list=["--snapshot"], help="A snapshot time (snapshots are not kept offline).")
        c.argument("lease", options_list=["--lease-id"], help="The blob's active lease id, if it has one.")
        c.argument("metadata", options_list=["--metadata"], nargs="+",
                   help="Metadata in space-separated key=value pairs; replaces any existing metadata.")
    _params_blobs.load(loader, command)
    if command.endswith(("generate-sas", "-permission")):  # these need the key: az has no --sas-token here
        with ArgumentsContext(loader, command) as c:
            for dest in ("account_name", "account_key", "connection_string", "account_url", "auth_mode"):
                c.extra(dest)
    elif command in _COMMANDS:
        with ArgumentsContext(loader, command) as c:
            data_plane_extras(c, timeout=False)  # the handlers name timeout themselves where az has it
    if command.endswith("-permission"):  # ACLs need the key (no login mode in az for these)
        with ArgumentsContext(loader, command) as c:
            c.argument("auth_mode", enum_type(["key"]), arg_group="Storage Account",
                       help="The mode in which to run the command: only \"key\" (the account key) for this one.")
