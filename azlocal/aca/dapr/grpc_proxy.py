"""Dapr's gRPC proxying on the sidecar's gRPC port: a call to any gRPC service that is not Dapr's own, carrying
the `dapr-app-id` metadata, is forwarded as it is (messages as bytes, unary or streaming, metadata and the
final status passed through) to that app's gRPC server: the own app on 127.0.0.1:<appPort>, another
Dapr app of the environment at one of its replicas (round robin, as invoke resolves them). This is how gRPC
apps call each other through Dapr (the SDKs' "gRPC proxying"). A call without `dapr-app-id` is UNIMPLEMENTED;
an app id that names no app is UNAVAILABLE with daprd's message."""

import grpc

_DROP = {"dapr-app-id", "content-type", "user-agent", "te", "grpc-accept-encoding", "grpc-timeout",
         "grpc-encoding", "host", ":authority"}
_channels = {}


def _identity(x):
    return x


def _target_id(metadata):
    return next((v for k, v in metadata or () if k == "dapr-app-id"), None)


async def _address(ctx, app_id):
    from azlocal.aca.dapr import invoke

    target, _namespace = invoke.split_app_id(app_id)
    if target == ctx.app_id:
        return f"127.0.0.1:{ctx.app_port}" if ctx.app_port else None
    targets = invoke.targets_of(ctx)
    found = await targets.resolve(ctx, target)
    if not found or not found[0] or not found[1]:
        return None
    return f"{targets.order(target, found[1])[0]}:{found[0]}"


def _channel(address):
    import asyncio

    key = (id(asyncio.get_running_loop()), address)
    channel = _channels.get(key)
    if channel is None:
        channel = _channels[key] = grpc.aio.insecure_channel(address)
    return channel


class ProxyHandler(grpc.GenericRpcHandler):
    """Serves every method the Dapr servicer does not, when the call names a target by `dapr-app-id`."""

    def __init__(self, ctx):
        self.ctx = ctx

    def service(self, details):
        app_id = _target_id(details.invocation_metadata)
        if not app_id:
            return None
        ctx, method = self.ctx, details.method
        sent = tuple((k, v) for k, v in details.invocation_metadata if k not in _DROP and not k.startswith(":"))
        sent += (("dapr-caller-app-id", ctx.app_id), ("dapr-callee-app-id", app_id))

        async def forward(request_iterator, context):
            address = await _address(ctx, app_id)
            if address is None:
                await context.abort(grpc.StatusCode.UNAVAILABLE, f"failed to proxy request: no address for app id "
                                                                 f"{app_id}")
            call = _channel(address).stream_stream(method, request_serializer=_identity,
                                                   response_deserializer=_identity)(request_iterator, metadata=sent)
            try:
                await context.send_initial_metadata(tuple(await call.initial_metadata() or ()))
                async for message in call:
                    yield message
            except grpc.aio.AioRpcError as ex:
                context.set_trailing_metadata(tuple(ex.trailing_metadata() or ()))
                await context.abort(ex.code(), ex.details() or "")
            trailing = await call.trailing_metadata()
            if trailing:
                context.set_trailing_metadata(tuple(trailing))

        return grpc.stream_stream_rpc_method_handler(forward, request_deserializer=_identity,
                                                     response_serializer=_identity)
