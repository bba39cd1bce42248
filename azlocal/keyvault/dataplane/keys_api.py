"""The key operations of the REST API (handlers take a routes.Context): create, import, get, list, versions,
update, delete (soft), the deleted keys (get, list, recover, purge) and the cryptographic operations (encrypt,
decrypt, wrapkey, unwrapkey, sign, verify: base64url values in, `{"kid", "value"}` out). The private key never
leaves the service layer (azlocal.keyvault.keys, through `service`), which does the math and authorizes the
token's principal."""

from aiohttp import web

from azlocal.keyvault.dataplane import bodies, paging, service
from azlocal.keyvault.dataplane.errors import bad_parameter

KTYS = ("EC", "EC-HSM", "RSA", "RSA-HSM", "oct", "oct-HSM")


def _ops(body):
    ops = body.get("key_ops")
    if ops is None:
        return None
    if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
        raise bad_parameter("Property key_ops must be an array of strings.")
    return ops


async def create_key(ctx):
    body = await ctx.json()
    kty = bodies.text(body, "kty", required=True)
    if kty not in KTYS:
        raise bad_parameter(f"Property kty has invalid value: {kty}. Valid values are {', '.join(KTYS)}.")
    size = body.get("key_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise bad_parameter("Property key_size must be an integer.")
    options = dict(bodies.attributes(body), size=size, ops=_ops(body), tags=bodies.tags(body),
                   curve=bodies.text(body, "crv"), public_exponent=body.get("public_exponent"))
    bundle = await ctx.call(service.key_create, ctx.vault, ctx.path.name, kty, ctx.caller, options)
    return web.json_response(bundle)


async def import_key(ctx):
    body = await ctx.json()
    jwk = body.get("key")
    if not isinstance(jwk, dict):
        raise bad_parameter("Property key is required (a JSON web key).")
    options = dict(bodies.attributes(body), tags=bodies.tags(body), hsm=bool(body.get("Hsm")))
    bundle = await ctx.call(service.key_import, ctx.vault, ctx.path.name, jwk, ctx.caller, options)
    return web.json_response(bundle)


async def get_key(ctx):
    bundle = await ctx.call(service.key_get, ctx.vault, ctx.path.name, ctx.path.version or None, ctx.caller)
    return web.json_response(bundle)


async def update_key(ctx):
    body = await ctx.json()
    changes = bodies.attributes(body)
    if "key_ops" in body:
        changes["ops"] = _ops(body)
    if "tags" in body:
        changes["tags"] = bodies.tags(body) or {}
    bundle = await ctx.call(service.key_update, ctx.vault, ctx.path.name, ctx.path.version or None, ctx.caller,
                            changes)
    return web.json_response(bundle)


async def _paged(ctx, fn, *args):
    paging.max_results(ctx.request.query)
    items = await ctx.call(fn, ctx.vault, *args, ctx.caller)
    return web.json_response(paging.page(items, ctx.request.query, ctx.base_url(), ctx.api_version))


async def list_keys(ctx):
    return await _paged(ctx, service.key_list)


async def list_versions(ctx):
    return await _paged(ctx, service.key_versions, ctx.path.name)


async def list_deleted(ctx):
    return await _paged(ctx, service.key_list_deleted)


async def delete_key(ctx):
    return web.json_response(await ctx.call(service.key_delete, ctx.vault, ctx.path.name, ctx.caller))


async def get_deleted(ctx):
    return web.json_response(await ctx.call(service.key_get_deleted, ctx.vault, ctx.path.name, ctx.caller))


async def recover(ctx):
    return web.json_response(await ctx.call(service.key_recover, ctx.vault, ctx.path.name, ctx.caller))


async def purge(ctx):
    await ctx.call(service.key_purge, ctx.vault, ctx.path.name, ctx.caller)
    return web.Response(status=204)


async def _crypto(ctx, operation):
    body = await ctx.json()
    alg = bodies.text(body, "alg", required=True)
    data = bodies.b64url_decode(body.get("value"))
    kid, out = await ctx.call(service.key_crypto, ctx.vault, ctx.path.name, ctx.path.version or None, operation,
                              alg, data, ctx.caller)
    return web.json_response({"kid": kid, "value": bodies.b64url(out)})


async def encrypt(ctx):
    return await _crypto(ctx, "encrypt")


async def decrypt(ctx):
    return await _crypto(ctx, "decrypt")


async def wrapkey(ctx):
    return await _crypto(ctx, "wrap")


async def unwrapkey(ctx):
    return await _crypto(ctx, "unwrap")


async def sign(ctx):
    return await _crypto(ctx, "sign")


async def verify(ctx):
    body = await ctx.json()
    alg = bodies.text(body, "alg", required=True)
    digest = bodies.b64url_decode(body.get("digest"), "digest")
    signature = bodies.b64url_decode(body.get("value"))
    valid = await ctx.call(service.key_verify, ctx.vault, ctx.path.name, ctx.path.version or None, alg, digest,
                           signature, ctx.caller)
    return web.json_response({"value": bool(valid)})
