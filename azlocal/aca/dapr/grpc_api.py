"""Dapr's gRPC API on the sidecar (127.0.0.1:50001 in the replica's network namespace): the `dapr` package's
`dapr.proto.runtime.v1.dapr_pb2_grpc.DaprServicer`, served with grpc.aio, so the official SDKs' DaprClient
works unchanged.

Implemented: InvokeService, GetState, GetBulkState, SaveState, DeleteState, DeleteBulkState,
ExecuteStateTransaction, PublishEvent, BulkPublishEvent(Alpha1), GetSecret, GetBulkSecret, GetMetadata,
SetMetadata. Each calls the same behaviour as the HTTP API (invoke.invoke, state.*, pubsub.publish,
secretstore.get/bulk, api_meta); only the translation between protobuf messages and those functions lives
here. Any other method of the service answers UNIMPLEMENTED, as the servicer's base does. A call to any
other gRPC service that carries `dapr-app-id` metadata is proxied to that app's gRPC server (grpc_proxy),
as daprd's gRPC proxying does. With `enableApiLogging`, each call is logged as daprd's "gRPC API Called"
line (ApiLogging).

Errors are daprd's gRPC errors: the behaviour's Dapr error (an exception with `status`, `code`, `message`,
and `grpc`, the gRPC status name, when it knows it) becomes that gRPC status with the message, and an
`google.rpc.ErrorInfo` detail (reason = Dapr's error code, domain dapr.io). An ETag mismatch is ABORTED, as
daprd answers it. An invoked HTTP app's non-2xx answer is daprd's status for it (CodeFromHTTPStatus: 404
NOT_FOUND, 500 UNKNOWN, 400 INTERNAL, …) whose message is the HTTP status text, with an ErrorInfo carrying
`http.code` and `http.error_message` (the body, cut at 63 characters).
"""

import http
import logging
import re
import time

import grpc
from dapr.proto.common.v1 import common_pb2
from dapr.proto.runtime.v1 import dapr_pb2_grpc, metadata_pb2, secret_pb2
from google.protobuf import any_pb2, empty_pb2

from azlocal.aca.dapr import grpc_errors, grpc_proxy, grpc_state

log = logging.getLogger("azlocal.dapr")
_KEY = re.compile(r"^[0-9a-z_.-]+$")  # what gRPC accepts as a metadata key
MB = 1024 * 1024
# HTTP headers the sidecar does not pass between gRPC metadata and HTTP.
_SKIP_IN = {"content-type", "content-length", "user-agent", "te", "host", "connection", "accept-encoding",
            "grpc-accept-encoding", "grpc-timeout", "grpc-encoding"}
# Headers daprd prefixes with "dapr-" when it turns an HTTP answer into gRPC metadata (IANA's permanent ones).
_PERMANENT = {"accept", "accept-charset", "accept-language", "accept-ranges", "connection", "keep-alive",
              "proxy-connection", "transfer-encoding", "upgrade", "cache-control", "content-type", "content-length",
              "cookie", "date", "expect", "from", "host", "if-match", "if-modified-since", "if-none-match",
              "if-schedule-tag-match", "if-unmodified-since", "max-forwards", "origin", "pragma", "referer", "via",
              "warning"}


def _metadata(entries):
    return {k: v for k, v in (entries or {}).items()}


def incoming_headers(invocation_metadata):
    """gRPC request metadata -> HTTP headers for the invoked app (daprd's InternalMetadataToHTTPHeader: binary
    `-bin` keys and content-type dropped, reserved `grpc-*` / pseudo keys prefixed with dapr-)."""
    out = []
    for key, value in invocation_metadata or ():
        key = key.lower()
        if key.endswith("-bin") or key in _SKIP_IN or not isinstance(value, str):
            continue
        if key.startswith(":"):
            key = "dapr-" + key[1:]
        elif key.startswith("grpc-"):
            key = "dapr-" + key
        out.append((key, value))
    return out


def outgoing_metadata(headers):
    """The invoked app's HTTP answer headers -> gRPC response metadata (daprd's InternalMetadataToGrpcMetadata:
    lower-cased, permanent HTTP headers prefixed with dapr-); values gRPC cannot carry are left out."""
    out = []
    for key, value in headers or ():
        key = key.lower()
        if key in ("content-length", "transfer-encoding", "connection", "keep-alive") or key.startswith(":"):
            continue
        if key in _PERMANENT:
            key = "dapr-" + key
        if not _KEY.match(key) or not value.isascii() or any(ord(c) < 32 and c != "\t" for c in value):
            continue
        out.append((key, value))
    return out


def http_error(status, body):
    """daprd's gRPC error for an invoked HTTP app's non-2xx status: (code, message, details)."""
    code = grpc_errors.CODE_FROM_HTTP.get(status, grpc.StatusCode.UNKNOWN)
    try:
        text = http.HTTPStatus(status).phrase
    except ValueError:
        text = ""
    detail = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return code, text, grpc_errors.error_info(text, {"http.code": str(status), "http.error_message": detail[:63]})


class DaprServicer(dapr_pb2_grpc.DaprServicer):
    """The sidecar's Dapr gRPC service over a SidecarContext."""

    def __init__(self, ctx):
        self.ctx = ctx

    # Service invocation -------------------------------------------------------------------------------

    async def InvokeService(self, request, context):
        from azlocal.aca.dapr import invoke

        message = request.message
        verb = common_pb2.HTTPExtension.Verb.Name(message.http_extension.verb)
        method = "POST" if verb == "NONE" else verb
        headers = incoming_headers(context.invocation_metadata())
        if message.content_type:
            headers.append(("content-type", message.content_type))
        body = message.data.value if message.HasField("data") else b""
        try:
            status, answer_headers, data = await invoke.invoke(
                self.ctx, request.id, message.method, method, headers, body, message.http_extension.querystring)
        except Exception as ex:
            return await grpc_errors.abort(context, ex)
        await context.send_initial_metadata(outgoing_metadata(answer_headers))
        if not 200 <= status < 300:
            code, text, details = http_error(status, data)
            return await grpc_errors.abort_with(context, code, text, details)
        content_type = next((v for k, v in answer_headers if k.lower() == "content-type"), "")
        return common_pb2.InvokeResponse(data=any_pb2.Any(value=data or b""), content_type=content_type)

    # State --------------------------------------------------------------------------------------------

    async def GetState(self, request, context):
        return await grpc_state.get_state(self.ctx, request, context)

    async def GetBulkState(self, request, context):
        return await grpc_state.get_bulk_state(self.ctx, request, context)

    async def SaveState(self, request, context):
        return await grpc_state.save_state(self.ctx, request, context)

    async def DeleteState(self, request, context):
        return await grpc_state.delete_state(self.ctx, request, context)

    async def DeleteBulkState(self, request, context):
        return await grpc_state.delete_bulk_state(self.ctx, request, context)

    async def ExecuteStateTransaction(self, request, context):
        return await grpc_state.transaction(self.ctx, request, context)

    # Pub/sub ------------------------------------------------------------------------------------------

    async def PublishEvent(self, request, context):
        from azlocal.aca.dapr import pubsub

        try:
            await pubsub.publish(self.ctx, request.pubsub_name, request.topic, request.data,
                                 request.data_content_type or None, _metadata(request.metadata))
        except Exception as ex:
            return await grpc_errors.abort(context, ex)
        return empty_pb2.Empty()

    async def BulkPublishEvent(self, request, context):
        """Each entry published as PublishEvent publishes it; an entry that fails is a failed entry (its
        error), a pubsub that is not there or an empty topic fails the call."""
        from dapr.proto.runtime.v1 import pubsub_pb2

        from azlocal.aca.dapr import pubsub

        try:
            pubsub.component(self.ctx, request.pubsub_name)
            if not request.topic:
                raise pubsub.PubSubError(404, "ERR_TOPIC_EMPTY", f"topic is empty in pubsub {request.pubsub_name}",
                                         "INVALID_ARGUMENT")
        except Exception as ex:
            return await grpc_errors.abort(context, ex)
        out = pubsub_pb2.BulkPublishResponse()
        for entry in request.entries:
            try:
                await pubsub.publish(self.ctx, request.pubsub_name, request.topic, entry.event,
                                     entry.content_type or None, {**_metadata(request.metadata),
                                                                  **_metadata(entry.metadata)})
            except Exception as ex:
                out.failedEntries.add(entry_id=entry.entry_id, error=getattr(ex, "message", None) or str(ex))
        return out

    BulkPublishEventAlpha1 = BulkPublishEvent

    # Secrets ------------------------------------------------------------------------------------------

    async def GetSecret(self, request, context):
        from azlocal.aca.dapr import secretstore

        try:
            data = await secretstore.get(self.ctx, request.store_name, request.key, _metadata(request.metadata))
        except Exception as ex:
            return await grpc_errors.abort(context, ex)
        return secret_pb2.GetSecretResponse(data={str(k): str(v) for k, v in (data or {}).items()})

    async def GetBulkSecret(self, request, context):
        from azlocal.aca.dapr import secretstore

        try:
            data = await secretstore.bulk(self.ctx, request.store_name, _metadata(request.metadata))
        except Exception as ex:
            return await grpc_errors.abort(context, ex)
        out = secret_pb2.GetBulkSecretResponse()
        for name, values in (data or {}).items():
            out.data[str(name)].CopyFrom(secret_pb2.SecretResponse(
                secrets={str(k): str(v) for k, v in (values or {}).items()}))
        return out

    # Metadata -----------------------------------------------------------------------------------------

    async def GetMetadata(self, request, context):
        from azlocal.aca.dapr import api_meta

        doc = await self.ctx.run_blocking(api_meta.metadata, self.ctx)
        return metadata_response(doc)

    async def SetMetadata(self, request, context):
        self.ctx.extras.setdefault("metadata", {})[request.key] = request.value
        return empty_pb2.Empty()


def metadata_response(doc):
    """The HTTP API's metadata document (api_meta.metadata) as GetMetadataResponse."""
    conn = doc.get("appConnectionProperties") or {}
    out = metadata_pb2.GetMetadataResponse(
        id=doc.get("id") or "", runtime_version=doc.get("runtimeVersion") or "",
        enabled_features=list(doc.get("enabledFeatures") or []),
        extended_metadata={str(k): str(v) for k, v in (doc.get("extended") or {}).items()},
        app_connection_properties=metadata_pb2.AppConnectionProperties(
            port=int(conn.get("port") or 0), protocol=conn.get("protocol") or "",
            channel_address=conn.get("channelAddress") or "", max_concurrency=int(conn.get("maxConcurrency") or 0)))
    for c in doc.get("components") or []:
        out.registered_components.add(name=c.get("name", ""), type=c.get("type", ""), version=c.get("version", ""),
                                      capabilities=list(c.get("capabilities") or []))
    for s in doc.get("subscriptions") or []:
        sub = out.subscriptions.add(pubsub_name=s.get("pubsubname") or s.get("pubsubName") or "",
                                    topic=s.get("topic") or "", dead_letter_topic=s.get("deadLetterTopic") or "")
        for k, v in (s.get("metadata") or {}).items():
            sub.metadata[str(k)] = str(v)
        rules = s.get("rules") or []
        for rule in rules.get("rules") or [] if isinstance(rules, dict) else rules:
            if isinstance(rule, dict):
                sub.rules.rules.add(match=rule.get("match") or "", path=rule.get("path") or "")
    return out


# The server ---------------------------------------------------------------------------------------------

class ApiLogging(grpc.aio.ServerInterceptor):
    """With the app's `enableApiLogging` (--dapr-enable-api-logging), one line per gRPC API call, as daprd's
    "gRPC API Called": the method, the status code, the duration in ms and the caller's user agent."""

    def __init__(self, ctx):
        self.ctx = ctx

    async def intercept_service(self, continuation, details):
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner, ctx = handler.unary_unary, self.ctx
        agent = next((v for k, v in details.invocation_metadata or () if k == "user-agent"), "")

        async def logged(request, context):
            if not ctx.dapr.get("enableApiLogging"):
                return await inner(request, context)
            start = time.perf_counter()
            code = "OK"
            try:
                return await inner(request, context)
            except BaseException:
                code = getattr(context.code(), "name", None) or "UNKNOWN"
                raise
            finally:
                log.info("gRPC API Called method=%s code=%s duration=%d useragent=%s", details.method, code,
                         int((time.perf_counter() - start) * 1000), agent)
        return grpc.unary_unary_rpc_method_handler(logged, request_deserializer=handler.request_deserializer,
                                                   response_serializer=handler.response_serializer)


async def start(ctx, address="127.0.0.1:50001"):
    """Serves the Dapr gRPC API on `address` until the sidecar stops (a coroutine the sidecar runs as a task)."""
    max_mb = int(ctx.dapr.get("httpMaxRequestSize") or 4)
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", max_mb * MB),
                                      ("grpc.max_send_message_length", max(max_mb, 4) * MB),
                                      ("grpc.so_reuseport", 0)], interceptors=[ApiLogging(ctx)])
    dapr_pb2_grpc.add_DaprServicer_to_server(DaprServicer(ctx), server)
    server.add_generic_rpc_handlers((grpc_proxy.ProxyHandler(ctx),))  # other services, by dapr-app-id
    port = server.add_insecure_port(address)
    if not port:
        raise OSError(f"cannot listen on {address}")
    await server.start()
    ctx.extras["grpc_api.port"] = port
    ctx.extras["grpc_api.server"] = server
    log.info("gRPC server listening on %s (Dapr API)", address)
    await server.wait_for_termination()


async def stop(ctx, grace=1.0):
    server = ctx.extras.pop("grpc_api.server", None)
    if server is not None:
        await server.stop(grace)

