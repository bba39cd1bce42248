"""az acr: the commands of one area (artifacts): the rest of `az acr manifest` (list, referrers, metadata,
soft-deleted artifacts and restore, and the deprecated `manifest metadata` spellings), `az acr repository
list-deleted` and the registry policies under `az acr config`. Table and arguments here; help in
_help_artifacts.yaml, handlers in custom_artifacts."""

from collections import OrderedDict

from knack.arguments import ArgumentsContext
from knack.commands import CommandGroup
from knack.deprecation import Deprecated

from azlocal.acr._params import bool_type, registry_flag_type
from azlocal.core import helpdata
from azlocal.core.conventions import enum_type

helpdata.register(__file__, "_help_artifacts.yaml")

ARTIFACTS = "azlocal.acr.custom_artifacts#{}"
STATUS = ["disabled", "enabled"]
REPO_ID_HELP = "A fully qualified repository specifier such as 'myregistry.azurecr.io/hello-world'."
MANIFEST_ID_HELP = "A fully qualified manifest specifier such as 'myregistry.azurecr.io/hello-world:latest'."
LOCKS = {"delete_enabled": "Whether the artifact may be deleted.",
         "list_enabled": "Whether the artifact shows in listings.",
         "read_enabled": "Whether the artifact may be pulled.",
         "write_enabled": "Whether the artifact may be overwritten or deleted."}


def _deprecated(loader, target, message):
    return Deprecated(loader.cli_ctx, object_type="command group", target=target, hide=target.endswith("metadata"),
                      message_func=lambda _: message)


def _value(item, *keys):
    """A nested value as az's tables show it: text, or a blank."""
    try:
        for key in keys:
            item = item[key]
    except (KeyError, TypeError, IndexError):
        return " "
    return str(item) if item or item == 0 else " "


def manifest_table(result):
    return [OrderedDict([("MediaType", _value(m, "mediaType")), ("ArtifactType", _value(m, "artifactType")),
                         ("SubjectDigest", _value(m, "subject", "digest"))]) for m in result]


def referrers_table(result):
    return [OrderedDict([("Digest", _value(m, "digest")), ("ArtifactType", _value(m, "artifactType")),
                         ("MediaType", _value(m, "mediaType")), ("Size", _value(m, "size"))])
            for m in result["manifests"]]


def load_commands(loader):
    with CommandGroup(loader, "acr manifest", ARTIFACTS, is_preview=True) as g:
        g.command("list", "manifest_list", table_transformer=manifest_table)
        g.command("list-referrers", "manifest_list_referrers", table_transformer=referrers_table)
        g.command("show-metadata", "manifest_show_metadata")
        g.command("update-metadata", "manifest_update_metadata")
        g.command("list-deleted", "manifest_list_deleted")
        g.command("list-deleted-tags", "manifest_list_deleted_tags")
        g.command("restore", "manifest_restore")
    metadata = _deprecated(loader, "acr manifest metadata", "This command group has been deprecated and will be "
                           "removed in future release. Use 'az acr manifest' instead.")
    with CommandGroup(loader, "acr manifest metadata", ARTIFACTS, is_preview=True, deprecate_info=metadata) as g:
        g.command("show", "manifest_show_metadata")
        g.command("list", "manifest_list_metadata")
        g.command("update", "manifest_update_metadata")
    with CommandGroup(loader, "acr repository", ARTIFACTS) as g:
        g.command("list-deleted", "repository_list_deleted", is_preview=True)
    trust = _deprecated(loader, "acr config content-trust", "This command group has been deprecated and will be "
                        "removed in a future release. Learn more about the transition from Docker Content Trust to "
                        "the Notary Project: https://aka.ms/acr/dctdeprecation")
    with CommandGroup(loader, "acr config content-trust", ARTIFACTS, deprecate_info=trust) as g:
        g.command("show", "content_trust_show")
        g.command("update", "content_trust_update")
    for group, prefix in (("retention", "retention"), ("soft-delete", "soft_delete"),
                          ("authentication-as-arm", "authentication_as_arm")):
        with CommandGroup(loader, f"acr config {group}", ARTIFACTS, is_preview=True) as g:
            g.command("show", f"{prefix}_show")
            g.command("update", f"{prefix}_update")


def load_arguments(loader, command):
    for name, dest, help_text in (
            ("list", "repo_id", REPO_ID_HELP), ("list-deleted", "repo_id", REPO_ID_HELP),
            ("metadata list", "repo_id", REPO_ID_HELP), ("list-referrers", "manifest_id", MANIFEST_ID_HELP),
            ("show-metadata", "manifest_id", MANIFEST_ID_HELP), ("update-metadata", "manifest_id", MANIFEST_ID_HELP),
            ("metadata show", "manifest_id", MANIFEST_ID_HELP), ("metadata update", "manifest_id", MANIFEST_ID_HELP),
            ("restore", "manifest_id", MANIFEST_ID_HELP),
            ("list-deleted-tags", "perm_repo_id", REPO_ID_HELP + " It may include a tag.")):
        with ArgumentsContext(loader, f"acr manifest {name}") as c:
            c.positional(dest, nargs="*", help=help_text)
    for name in ("update-metadata", "metadata update"):
        with ArgumentsContext(loader, f"acr manifest {name}") as c:
            for dest, help_text in LOCKS.items():
                c.argument(dest, bool_type, help=help_text)
    with ArgumentsContext(loader, "acr manifest list-referrers") as c:
        c.argument("artifact_type", help="Only the referrers of this artifact type.")
        c.argument("recursive", action="store_true", help="Include the referrers of the referrers too.")
    with ArgumentsContext(loader, "acr manifest restore") as c:
        c.argument("name", options_list=["--name", "-n"],
                   help="The repository and, optionally, the tag to restore: 'name:tag'.")
        c.argument("digest", options_list=["--digest", "-d"], help="The digest of the deleted manifest to restore.")
        c.argument("force", options_list=["--force", "-f"], action="store_true",
                   help="Move the tag to the restored manifest even if it now points at another one.")
    with ArgumentsContext(loader, "acr manifest list-deleted-tags") as c:
        c.argument("name", options_list=["--name", "-n"],
                   help="The name of the repository; it may include a tag: 'name:tag'.")
    for name in ("list", "list-deleted"):
        with ArgumentsContext(loader, f"acr manifest {name}") as c:
            c.argument("name", options_list=["--name", "-n"], help="The name of the repository.")
    _config_arguments(loader)


def _config_arguments(loader):
    with ArgumentsContext(loader, "acr config") as c:
        c.argument("registry_name", registry_flag_type)
        c.argument("status", enum_type(STATUS), help="Whether the policy is enabled.")
    for group in ("content-trust", "authentication-as-arm"):
        with ArgumentsContext(loader, f"acr config {group}") as c:
            c.argument("registry_name", registry_flag_type,
                       options_list=["--registry", "-r", c.deprecate(target="-n", redirect="-r", hide=True),
                                     c.deprecate(target="--name", redirect="--registry", hide=True)])
    with ArgumentsContext(loader, "acr config content-trust update") as c:
        c.argument("status", enum_type(["disabled"]), help="Content trust can only be disabled.")
    with ArgumentsContext(loader, "acr config retention") as c:
        c.argument("days", type=int, help="Days an untagged manifest is kept before it is deleted, 0 to 365 (0: "
                   "at once).")
        c.argument("policy_type", enum_type(["UntaggedManifests"]), options_list=["--type"],
                   help="The type of retention policy.")
    with ArgumentsContext(loader, "acr config soft-delete") as c:
        c.argument("days", type=int, help="Days a soft-deleted manifest or tag is kept before it is purged, 1 to 90 "
                   "(default 7).")
