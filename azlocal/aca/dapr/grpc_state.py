"""The state methods of the sidecar's gRPC API (grpc_api.DaprServicer): protobuf requests to state.py's
functions and back. As daprd: a key that does not exist is an empty GetStateResponse (no error), GetBulkState
answers every key (an item's `error` when it failed), the request's StateOptions enums become Dapr's
`first-write`/`last-write` and `eventual`/`strong`, an empty Etag message means no ETag."""

from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import state_pb2
from google.protobuf import empty_pb2

from azlocal.aca.dapr import grpc_errors

_CONCURRENCY = {common_pb2.StateOptions.CONCURRENCY_FIRST_WRITE: "first-write",
                common_pb2.StateOptions.CONCURRENCY_LAST_WRITE: "last-write"}
_CONSISTENCY = {common_pb2.StateOptions.CONSISTENCY_EVENTUAL: "eventual",
                common_pb2.StateOptions.CONSISTENCY_STRONG: "strong"}


def _meta(entries):
    return dict(entries or {})


def _etag(message, holder):
    """The ETag a request carries (None when its Etag message is absent)."""
    return message.value if holder.HasField("etag") else None


def set_item(item):
    """A common.v1.StateItem -> state.SetItem."""
    from azlocal.aca.dapr import state

    options = item.options if item.HasField("options") else None
    return state.SetItem(item.key, bytes(item.value), _etag(item.etag, item),
                         _CONCURRENCY.get(options.concurrency, "") if options else "",
                         _CONSISTENCY.get(options.consistency, "") if options else "", _meta(item.metadata))


async def get_state(ctx, request, context):
    from azlocal.aca.dapr import state

    try:
        item = await state.get(ctx, request.store_name, request.key, _CONSISTENCY.get(request.consistency, ""),
                               _meta(request.metadata))
    except Exception as ex:
        return await grpc_errors.abort(context, ex)
    if item is None:
        return state_pb2.GetStateResponse()
    return state_pb2.GetStateResponse(data=item.data or b"", etag=item.etag or "",
                                      metadata={str(k): str(v) for k, v in (item.metadata or {}).items()})


async def get_bulk_state(ctx, request, context):
    from azlocal.aca.dapr import state

    try:
        items = await state.bulk_get(ctx, request.store_name, list(request.keys), _meta(request.metadata))
    except Exception as ex:
        return await grpc_errors.abort(context, ex)
    out = state_pb2.GetBulkStateResponse()
    for entry in items:
        out.items.add(key=entry["key"], data=entry.get("data") or b"", etag=entry.get("etag") or "",
                      error=entry.get("error") or "",
                      metadata={str(k): str(v) for k, v in (entry.get("metadata") or {}).items()})
    return out


async def save_state(ctx, request, context):
    from azlocal.aca.dapr import state

    try:
        await state.save(ctx, request.store_name, [set_item(i) for i in request.states])
    except Exception as ex:
        return await grpc_errors.abort(context, ex)
    return empty_pb2.Empty()


async def delete_state(ctx, request, context):
    from azlocal.aca.dapr import state

    options = request.options if request.HasField("options") else None
    try:
        await state.delete(ctx, request.store_name, request.key, _etag(request.etag, request),
                           _CONCURRENCY.get(options.concurrency, "") if options else "",
                           _CONSISTENCY.get(options.consistency, "") if options else "", _meta(request.metadata))
    except Exception as ex:
        return await grpc_errors.abort(context, ex)
    return empty_pb2.Empty()


async def delete_bulk_state(ctx, request, context):
    from azlocal.aca.dapr import state

    try:
        for item in request.states:
            one = set_item(item)
            await state.delete(ctx, request.store_name, one.key, one.etag, one.concurrency, one.consistency,
                               one.metadata)
    except Exception as ex:
        return await grpc_errors.abort(context, ex)
    return empty_pb2.Empty()


async def transaction(ctx, request, context):
    from azlocal.aca.dapr import state

    try:
        operations = [(op.operationType, set_item(op.request)) for op in request.operations]
        await state.transaction(ctx, request.storeName, operations, _meta(request.metadata))
    except Exception as ex:
        return await grpc_errors.abort(context, ex)
    return empty_pb2.Empty()
