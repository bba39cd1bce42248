"""ACR's soft delete API under /acr/v1/_deleted: the soft-deleted repositories, manifests and tags of a
registry, and the restore of a manifest (with a tag). The trash itself is `trash`."""

from azlocal.acr.dataplane import trash
from azlocal.acr.dataplane.context import json_response
from azlocal.acr.dataplane.errors import RegistryError, unsupported
from azlocal.acr.dataplane.names import check_digest, check_name

PREFIX = "_deleted/"


def catalog(ctx):
    if ctx.http.method != "GET":
        raise unsupported()
    ctx.require("registry", "catalog", "deleted_catalog")
    return json_response({"repositories": trash.repositories(ctx.storage.db)})


def manifests(ctx, name):
    check_name(name)
    if ctx.http.method != "GET":
        raise unsupported()
    ctx.require("repository", name, "deleted_read")
    return json_response({"imageName": name, "manifests": trash.manifests(ctx.storage.db, name),
                          "registry": ctx.view.login_server})


def tags(ctx, name):
    check_name(name)
    if ctx.http.method != "GET":
        raise unsupported()
    ctx.require("repository", name, "deleted_read")
    return json_response({"imageName": name, "registry": ctx.view.login_server,
                          "tags": trash.tags(ctx.storage.db, name)})


async def restore(ctx, name, digest):
    """POST /acr/v1/_deleted/<repo>/_manifests/<digest>?force=… with {"tag": …}."""
    check_name(name)
    check_digest(digest)
    if ctx.http.method != "POST":
        raise unsupported()
    ctx.require("repository", name, "deleted_restore")
    try:
        body = await ctx.http.json() if ctx.http.can_read_body else {}
    except ValueError:
        raise RegistryError("INVALID_REQUEST", "the request body must be JSON", status=400)
    tag = (body or {}).get("tag") if isinstance(body, dict) else None
    if tag is not None and not isinstance(tag, str):
        raise RegistryError("TAG_INVALID", "the tag must be a string", status=400)
    force = ctx.http.query.get("force", "").lower() == "true"
    restored = trash.restore(ctx.storage, name, digest, tag or None, force)
    return json_response({"imageName": name, "registry": ctx.view.login_server, **restored}, status=200)
