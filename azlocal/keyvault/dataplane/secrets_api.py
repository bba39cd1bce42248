"""The secret operations of the REST API (handlers take a routes.Context): set, get (latest or a version), list
and list versions (paged, without values), update attributes, delete (soft), the deleted secrets (get, list,
recover, purge). Each one is a call of the service layer (azlocal.keyvault.secrets, through `service`) as the
token's principal, which authorizes it; the bundles are the service layer's, as the REST API returns them."""

from aiohttp import web

from azlocal.keyvault.dataplane import bodies, paging, service


async def set_secret(ctx):
    body = await ctx.json()
    value = bodies.text(body, "value", required=True)
    options = dict(bodies.attributes(body), content_type=bodies.text(body, "contentType"), tags=bodies.tags(body))
    bundle = await ctx.call(service.secret_set, ctx.vault, ctx.path.name, value, ctx.caller, options)
    return web.json_response(bundle)


async def get_secret(ctx):
    bundle = await ctx.call(service.secret_get, ctx.vault, ctx.path.name, ctx.path.version or None, ctx.caller)
    return web.json_response(bundle)


async def update_secret(ctx):
    body = await ctx.json()
    changes = bodies.attributes(body)
    if "contentType" in body:
        changes["content_type"] = bodies.text(body, "contentType")
    if "tags" in body:
        changes["tags"] = bodies.tags(body) or {}
    bundle = await ctx.call(service.secret_update, ctx.vault, ctx.path.name, ctx.path.version or None, ctx.caller,
                            changes)
    return web.json_response(bundle)


async def list_secrets(ctx):
    paging.max_results(ctx.request.query)  # a bad maxresults is refused before the store is read
    items = await ctx.call(service.secret_list, ctx.vault, ctx.caller)
    return web.json_response(paging.page(items, ctx.request.query, ctx.base_url(), ctx.api_version))


async def list_versions(ctx):
    paging.max_results(ctx.request.query)
    items = await ctx.call(service.secret_versions, ctx.vault, ctx.path.name, ctx.caller)
    return web.json_response(paging.page(items, ctx.request.query, ctx.base_url(), ctx.api_version))


async def delete_secret(ctx):
    return web.json_response(await ctx.call(service.secret_delete, ctx.vault, ctx.path.name, ctx.caller))


async def list_deleted(ctx):
    paging.max_results(ctx.request.query)
    items = await ctx.call(service.secret_list_deleted, ctx.vault, ctx.caller)
    return web.json_response(paging.page(items, ctx.request.query, ctx.base_url(), ctx.api_version))


async def get_deleted(ctx):
    return web.json_response(await ctx.call(service.secret_get_deleted, ctx.vault, ctx.path.name, ctx.caller))


async def recover(ctx):
    return web.json_response(await ctx.call(service.secret_recover, ctx.vault, ctx.path.name, ctx.caller))


async def purge(ctx):
    await ctx.call(service.secret_purge, ctx.vault, ctx.path.name, ctx.caller)
    return web.Response(status=204)
