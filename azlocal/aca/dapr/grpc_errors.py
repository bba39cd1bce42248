"""daprd's gRPC errors for the sidecar's gRPC API (grpc_api): status codes, messages and the
`google.rpc.ErrorInfo` detail Dapr attaches (domain dapr.io, reason = Dapr's error code)."""

import grpc
from google.rpc import error_details_pb2, status_pb2

DOMAIN = "dapr.io"

# daprd's CodeFromHTTPStatus: an invoked HTTP app's status -> the gRPC code InvokeService answers.
CODE_FROM_HTTP = {408: grpc.StatusCode.CANCELLED, 500: grpc.StatusCode.UNKNOWN, 400: grpc.StatusCode.INTERNAL,
                  504: grpc.StatusCode.DEADLINE_EXCEEDED, 404: grpc.StatusCode.NOT_FOUND,
                  409: grpc.StatusCode.ALREADY_EXISTS, 403: grpc.StatusCode.PERMISSION_DENIED,
                  401: grpc.StatusCode.UNAUTHENTICATED, 429: grpc.StatusCode.RESOURCE_EXHAUSTED,
                  501: grpc.StatusCode.UNIMPLEMENTED, 503: grpc.StatusCode.UNAVAILABLE}

# The gRPC code daprd's gRPC API answers for a Dapr error code, where the HTTP status would mislead.
CODE_OF_ERROR = {
    "ERR_STATE_STORE_NOT_FOUND": grpc.StatusCode.INVALID_ARGUMENT,
    "ERR_STATE_STORE_NOT_CONFIGURED": grpc.StatusCode.FAILED_PRECONDITION,
    "ERR_STATE_GET": grpc.StatusCode.INTERNAL, "ERR_STATE_SAVE": grpc.StatusCode.INTERNAL,
    "ERR_STATE_DELETE": grpc.StatusCode.INTERNAL, "ERR_STATE_BULK_GET": grpc.StatusCode.INTERNAL,
    "ERR_STATE_TRANSACTION": grpc.StatusCode.INTERNAL, "ERR_MALFORMED_REQUEST": grpc.StatusCode.INVALID_ARGUMENT,
    "ERR_PUBSUB_NOT_FOUND": grpc.StatusCode.INVALID_ARGUMENT, "ERR_PUBSUB_EMPTY": grpc.StatusCode.INVALID_ARGUMENT,
    "ERR_TOPIC_EMPTY": grpc.StatusCode.INVALID_ARGUMENT, "ERR_PUBSUB_NOT_CONFIGURED":
        grpc.StatusCode.FAILED_PRECONDITION, "ERR_PUBSUB_FORBIDDEN": grpc.StatusCode.PERMISSION_DENIED,
    "ERR_PUBSUB_PUBLISH_MESSAGE": grpc.StatusCode.INTERNAL,
    "ERR_SECRET_STORE_NOT_FOUND": grpc.StatusCode.INVALID_ARGUMENT,
    "ERR_SECRET_STORES_NOT_CONFIGURED": grpc.StatusCode.FAILED_PRECONDITION,
    "ERR_SECRET_GET": grpc.StatusCode.INTERNAL, "ERR_PERMISSION_DENIED": grpc.StatusCode.PERMISSION_DENIED,
    "ERR_DIRECT_INVOKE": grpc.StatusCode.INTERNAL,
}

# Generic HTTP status -> gRPC code (grpc-gateway's inverse), for a Dapr error this table does not name.
_FROM_STATUS = {400: grpc.StatusCode.INVALID_ARGUMENT, 401: grpc.StatusCode.UNAUTHENTICATED,
                403: grpc.StatusCode.PERMISSION_DENIED, 404: grpc.StatusCode.NOT_FOUND,
                409: grpc.StatusCode.ABORTED, 429: grpc.StatusCode.RESOURCE_EXHAUSTED,
                501: grpc.StatusCode.UNIMPLEMENTED, 503: grpc.StatusCode.UNAVAILABLE,
                504: grpc.StatusCode.DEADLINE_EXCEEDED}


def error_info(reason, metadata=None):
    info = error_details_pb2.ErrorInfo(reason=reason or "", domain=DOMAIN)
    for k, v in (metadata or {}).items():
        info.metadata[k] = v
    return [info]


def code_of(ex):
    """The gRPC code of a behaviour's Dapr error (its `grpc` name, its Dapr code, else its HTTP status)."""
    name = getattr(ex, "grpc", None)
    if isinstance(name, str) and hasattr(grpc.StatusCode, name.upper()):
        return getattr(grpc.StatusCode, name.upper())
    status = getattr(ex, "status", None)
    if status == 409:  # an ETag mismatch: daprd answers ABORTED
        return grpc.StatusCode.ABORTED
    code = getattr(ex, "code", None)
    if code in CODE_OF_ERROR:
        return CODE_OF_ERROR[code]
    return _FROM_STATUS.get(status, grpc.StatusCode.INTERNAL)


def describe(ex):
    """(gRPC code, message, details) of an exception from the behaviour functions."""
    message = getattr(ex, "message", None) or str(ex) or type(ex).__name__
    code = getattr(ex, "code", None)
    if not (isinstance(code, str) and code.startswith("ERR_")):
        return grpc.StatusCode.INTERNAL, message, []
    infos = [d for d in getattr(ex, "details", None) or [] if isinstance(d, dict) and d.get("reason")]
    details = []
    for d in infos:  # the newer errors' own ErrorInfo (state.py's DAPR_STATE_NOT_FOUND, …)
        details += error_info(d["reason"], {str(k): str(v) for k, v in (d.get("metadata") or {}).items()})
    return code_of(ex), message, details or error_info(code)


async def abort_with(context, code, message, details=()):
    """Ends the call with `code`, `message` and the ErrorInfo details (grpc-status-details-bin)."""
    trailing = ()
    if details:
        status = status_pb2.Status(code=code.value[0], message=message)
        for d in details:
            status.details.add().Pack(d)
        trailing = (("grpc-status-details-bin", status.SerializeToString()),)
    await context.abort(code, message, trailing_metadata=trailing)


async def abort(context, ex):
    code, message, details = describe(ex)
    await abort_with(context, code, message, details)
