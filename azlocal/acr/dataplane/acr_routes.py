"""ACR's /acr/v1 metadata API: repositories, tags and manifests with their changeable attributes."""

import json

from aiohttp import web

from azlocal.acr.dataplane import deleted, repository, v2
from azlocal.acr.dataplane.context import json_response
from azlocal.acr.dataplane.errors import API_HEADER, RegistryError, unsupported
from azlocal.acr.dataplane.names import check_digest, check_name
from azlocal.acr.dataplane.paging import ordered, page_ordered

DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"


async def catalog(ctx):
    return await v2.catalog(ctx, "/acr/v1/_catalog")


def _known_repo(ctx, name):
    check_name(name)
    repo = ctx.storage.repo(name)
    if repo is None or not ctx.storage.repo_exists(name):
        raise RegistryError("NAME_UNKNOWN", "repository name not known to registry", {"name": name})
    return repo


async def _attributes(ctx):
    try:
        body = await ctx.http.json()
    except ValueError:
        raise RegistryError("INVALID_REQUEST", "the request body must be JSON", status=400)
    return repository.changeable(body)


def _repo_doc(ctx, name, repo):
    return {
        "changeableAttributes": dict(repo["attrs"], teleportEnabled=False),
        "createdTime": repo["created"],
        "imageName": name,
        "lastUpdateTime": repo["updated"],
        "manifestCount": len(ctx.storage.manifests(name)),
        "registry": ctx.view.login_server,
        "tagCount": len(ctx.storage.tags(name)),
    }


async def repo(ctx, name):
    if name == "_deleted/_catalog":
        return deleted.catalog(ctx)
    method = ctx.http.method
    if method == "GET":
        ctx.require("repository", name, "metadata_read")
        repo = _known_repo(ctx, name)
        return json_response(_repo_doc(ctx, name, repo))
    if method == "PATCH":
        ctx.require("repository", name, "metadata_write")
        _known_repo(ctx, name)
        ctx.storage.set_repo_attrs(name, await _attributes(ctx))
        return json_response(_repo_doc(ctx, name, ctx.storage.repo(name)))
    if method == "DELETE":
        ctx.require("repository", name, "delete")
        _known_repo(ctx, name)
        repository.check_repository_delete(ctx.storage, name)
        result = ctx.storage.delete_repo(name, soft=v2.soft_delete(ctx))
        for digest in result["manifestsDeleted"]:
            ctx.event("delete", name, digest=digest)
        return json_response(result, status=202)
    raise unsupported()


def _tag_doc(tag):
    return {"changeableAttributes": tag["attrs"], "createdTime": tag["createdTime"], "digest": tag["digest"],
            "lastUpdateTime": tag["lastUpdateTime"], "name": tag["name"], "signed": False}


async def tags(ctx, name):
    if name.startswith(deleted.PREFIX):
        return deleted.tags(ctx, name[len(deleted.PREFIX):])
    ctx.require("repository", name, "metadata_read")
    _known_repo(ctx, name)
    found = ctx.storage.tags(name)
    digest = ctx.http.query.get("digest")
    if digest:
        found = [t for t in found if t["digest"] == digest]
    else:
        found = repository.listed(found)
    page, headers = page_ordered(ordered(found, ctx.http.query), ctx.http.query, f"/acr/v1/{name}/_tags")
    return json_response({"imageName": name, "registry": ctx.view.login_server,
                          "tags": [_tag_doc(t) for t in page]}, headers=headers)


_ACTIONS = {"GET": "metadata_read", "HEAD": "metadata_read", "PATCH": "metadata_write", "DELETE": "delete"}


def _authorise(ctx, name):
    """The permission a method needs, checked before the lookup: no token learns what exists without it."""
    action = _ACTIONS.get(ctx.http.method)
    if action:
        ctx.require("repository", name, action)


async def tag(ctx, name, tag):
    _authorise(ctx, name)
    _known_repo(ctx, name)
    current = ctx.storage.tag(name, tag)
    if current is None:
        raise RegistryError("TAG_UNKNOWN", "the specified tag does not exist", {"tag": tag}, status=404)
    method = ctx.http.method
    if method == "GET":
        ctx.require("repository", name, "metadata_read")
    elif method == "PATCH":
        ctx.require("repository", name, "metadata_write")
        ctx.storage.set_tag_attrs(name, tag, await _attributes(ctx))
    elif method == "DELETE":
        ctx.require("repository", name, "delete")
        repository.check_tag_delete(ctx.storage, name, current)
        ctx.storage.delete_tag(name, tag, soft=v2.soft_delete(ctx))
        ctx.event("delete", name, tag=tag, digest=current["digest"])
        return web.Response(status=202, headers=API_HEADER)
    else:
        raise unsupported()
    return json_response({"imageName": name, "registry": ctx.view.login_server,
                          "tag": _tag_doc(ctx.storage.tag(name, tag))})


def _image_size(ctx, m):
    try:
        doc = json.loads(ctx.storage.read_blob(m["digest"]))
    except (OSError, ValueError):
        return m["size"]
    return m["size"] + sum(layer.get("size", 0) for layer in doc.get("layers") or []) + \
        (doc.get("config") or {}).get("size", 0)


def _manifest_doc(ctx, m, tags_by_digest):
    config_media_type = None
    if m["configDigest"]:
        config_media_type = DOCKER_CONFIG if "docker" in m["mediaType"] else OCI_CONFIG
    return {
        "architecture": m["architecture"], "changeableAttributes": m["attrs"],
        "configMediaType": config_media_type, "createdTime": m["createdTime"], "digest": m["digest"],
        "imageSize": _image_size(ctx, m), "lastUpdateTime": m["lastUpdateTime"],
        "mediaType": m["mediaType"], "os": m["os"], "tags": tags_by_digest.get(m["digest"], []),
    }


async def manifests(ctx, name):
    if name.startswith(deleted.PREFIX):
        return deleted.manifests(ctx, name[len(deleted.PREFIX):])
    ctx.require("repository", name, "metadata_read")
    _known_repo(ctx, name)
    tags_by_digest = {}
    for t in repository.listed(ctx.storage.tags(name)):
        tags_by_digest.setdefault(t["digest"], []).append(t["name"])
    docs = [_manifest_doc(ctx, m, tags_by_digest) for m in repository.listed(ctx.storage.manifests(name))]
    docs = ordered(sorted(docs, key=lambda d: d["digest"]), ctx.http.query)
    page, headers = page_ordered(docs, ctx.http.query, f"/acr/v1/{name}/_manifests")
    return json_response({"imageName": name, "manifests": page, "registry": ctx.view.login_server},
                         headers=headers)


async def manifest(ctx, name, digest):
    if name.startswith(deleted.PREFIX):
        return await deleted.restore(ctx, name[len(deleted.PREFIX):], digest)
    _authorise(ctx, name)
    _known_repo(ctx, name)
    check_digest(digest)
    m = ctx.storage.manifest(name, digest)
    if m is None:
        raise RegistryError("MANIFEST_UNKNOWN", "manifest unknown", {"digest": digest})
    if ctx.http.method == "GET":
        ctx.require("repository", name, "metadata_read")
    elif ctx.http.method == "PATCH":
        ctx.require("repository", name, "metadata_write")
        ctx.storage.set_manifest_attrs(name, digest, await _attributes(ctx))
        m = ctx.storage.manifest(name, digest)
    else:
        raise unsupported()
    found = {digest: [t["name"] for t in ctx.storage.tags(name) if t["digest"] == digest]}
    return json_response({"imageName": name, "manifest": _manifest_doc(ctx, m, found),
                          "registry": ctx.view.login_server})
