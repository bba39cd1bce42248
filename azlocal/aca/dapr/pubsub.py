"""Dapr pub/sub for a sidecar: publishing (the CloudEvents envelope, topic scopes) and the delivery loop's start.

`publish(ctx, pubsub, topic, data, content_type, metadata)` is what the HTTP API (api_pubsub) and the gRPC
API (grpc_api.PublishEvent) call. As daprd does, the sidecar wraps the body in a CloudEvents 1.0 envelope
(`specversion`, `id`, `source` = the app id, `type` = com.dapr.event.sent, `datacontenttype`, `data` or
`data_base64`, `topic`, `pubsubname`, `traceid`/`traceparent`/`tracestate`, `time`) unless the body already
is one (`application/cloudevents+json`: Dapr's fields are added to it) or `metadata.rawPayload=true` (the
bytes go as they are). `metadata.ttlInSeconds` sets the envelope's `expiration`; an expired message is
never delivered. `metadata.cloudevent.id|source|type|subject` override the envelope's fields.

Backends by component type: `pubsub.in-memory` is the home's SQLite broker (pubsub_broker: environment-wide
and durable, where Dapr's is per sidecar), `pubsub.redis` redis streams on the redis-server azlocal runs
(pubsub_redis, when that module is present). Topic scoping (`allowedTopics`, `protectedTopics`,
`publishingScopes`, `subscriptionScopes` metadata) is applied as Dapr applies it.

Delivery to the app (programmatic subscriptions, at-least-once, competing consumers) is pubsub_delivery;
`start_delivery(ctx)` is its coroutine, started by the sidecar.
"""

import base64
import datetime
import json
import secrets as _random
import uuid

DEFAULT_TYPE = "com.dapr.event.sent"
CLOUDEVENT_CT = "application/cloudevents+json"
BACKED = ("pubsub.in-memory", "pubsub.redis")


class PubSubError(Exception):
    """A Dapr API error: HTTP status, Dapr's error code, its message (`body()` is what the API returns)."""

    def __init__(self, status, code, message, grpc="INTERNAL"):
        super().__init__(message)
        self.status, self.code, self.message, self.grpc = status, code, message, grpc

    def body(self):
        return {"errorCode": self.code, "message": self.message}


def not_found(name):
    return PubSubError(404, "ERR_PUBSUB_NOT_FOUND", f"pubsub {name} not found", "INVALID_ARGUMENT")


def not_configured():
    return PubSubError(400, "ERR_PUBSUB_NOT_CONFIGURED", "pubsub is not configured", "FAILED_PRECONDITION")


def publish_failed(name, topic, why):
    return PubSubError(500, "ERR_PUBSUB_PUBLISH_MESSAGE",
                       f"error when publishing to topic {topic} in pubsub {name}: {why}")


# Components and backends -----------------------------------------------------------------------------

def component(ctx, name):
    """The pubsub component `name` loaded for the app; Dapr's not-found / not-configured errors otherwise."""
    if not name:
        raise PubSubError(404, "ERR_PUBSUB_EMPTY", "pubsub name is empty", "INVALID_ARGUMENT")
    try:
        return ctx.component(name, "pubsub")
    except Exception:  # not loaded for the app (absent, scoped away, or its metadata cannot be resolved)
        if not [c for c in ctx.components() if str(c.type).split(".", 1)[0] == "pubsub"]:
            raise not_configured() from None
        raise not_found(name) from None


def scope_of(ctx, comp):
    return f"{ctx.env['id']}/{comp.name}".lower()


def backend(ctx, comp):
    """The broker behind a component (cached on the context per component name and type)."""
    cache = ctx.extras.setdefault("pubsub_backends", {})
    key = (comp.name, comp.type.lower(), tuple(sorted(comp.metadata.items())))
    if key in cache:
        return cache[key]
    kind = comp.type.lower()
    if kind == "pubsub.in-memory":
        from azlocal.aca.dapr import pubsub_broker

        broker = pubsub_broker.for_scope(scope_of(ctx, comp))
    elif kind == "pubsub.redis":
        from azlocal.aca.dapr import pubsub_redis

        try:
            broker = pubsub_redis.RedisBroker(ctx, comp, scope_of(ctx, comp))
        except Exception as ex:  # redis-server missing or not starting, a bad redisDB
            raise publish_failed(comp.name, "*", f"error connecting to redis at "
                                 f"{comp.metadata.get('redisHost') or ''}: {ex}") from ex
    else:
        raise publish_failed(comp.name, "*", f"azlocal cannot back the component type {comp.type} offline "
                             f"(pub/sub types it backs: {', '.join(BACKED)})")
    cache[key] = broker
    return broker


# Topic scoping ---------------------------------------------------------------------------------------

def _topics(text):
    return {t.strip() for t in str(text or "").split(",") if t.strip()}


def _scopes(text):
    """`app1=t1,t2;app2=` -> {"app1": {"t1", "t2"}, "app2": set()}"""
    out = {}
    for part in str(text or "").split(";"):
        if "=" in part:
            app, topics = part.split("=", 1)
            out[app.strip()] = _topics(topics)
    return out


def topic_allowed(comp, app_id, topic, action):
    """Dapr's topic scoping for `action` "publish" or "subscribe"."""
    md = comp.metadata
    allowed, protected = _topics(md.get("allowedTopics")), _topics(md.get("protectedTopics"))
    scopes = _scopes(md.get("publishingScopes" if action == "publish" else "subscriptionScopes"))
    if app_id in scopes:
        return topic in scopes[app_id]
    if protected and topic in protected:
        return False
    return not allowed or topic in allowed


# Publishing ------------------------------------------------------------------------------------------

def _is_json(content_type):
    ct = (content_type or "").split(";", 1)[0].strip().lower()
    return ct == "application/json" or ct.endswith("+json")


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _rfc3339(when):
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def traceparent():
    return f"00-{_random.token_hex(16)}-{_random.token_hex(8)}-01"


def make_envelope(source, topic, pubsub_name, data, content_type, trace=None, event_id=None, event_type=None,
                  subject=None):
    """A new CloudEvents 1.0 envelope, as Dapr's NewCloudEventsEnvelope makes it."""
    content_type = content_type or "text/plain"
    trace = trace or traceparent()
    event = {"id": event_id or str(uuid.uuid4()), "specversion": "1.0", "datacontenttype": content_type,
             "source": source or "Dapr", "type": event_type or DEFAULT_TYPE, "topic": topic,
             "pubsubname": pubsub_name, "traceid": trace, "traceparent": trace, "tracestate": "",
             "time": _rfc3339(_now())}
    if _is_json(content_type):
        try:
            event["data"] = json.loads(data or b"null")
        except ValueError:
            event["data"] = (data or b"").decode("utf-8", "replace")
    elif content_type.split(";", 1)[0].strip().lower() == "application/octet-stream":
        event["data_base64"] = base64.b64encode(data or b"").decode()
    else:
        event["data"] = (data or b"").decode("utf-8", "replace")
    if subject:
        event["subject"] = subject
    return event


def _flag(value):
    return str(value or "").strip().lower() == "true"


def encode(ctx, pubsub_name, topic, data, content_type, metadata):
    """(bytes to keep, their content type, ttl seconds or None) of one publish request."""
    metadata = dict(metadata or {})
    ttl = metadata.get("ttlInSeconds")
    if ttl not in (None, ""):
        try:
            ttl = int(ttl)
        except ValueError:
            raise PubSubError(400, "ERR_PUBSUB_REQUEST_METADATA", "failed deserializing metadata. Error: "
                              f"ttlInSeconds '{ttl}' is not an integer", "INVALID_ARGUMENT") from None
    else:
        ttl = None
    if _flag(metadata.get("rawPayload")):
        return bytes(data or b""), content_type or "application/octet-stream", ttl
    ct = (content_type or "").split(";", 1)[0].strip().lower()
    if ct == CLOUDEVENT_CT:
        try:
            event = json.loads(data or b"")
            if not isinstance(event, dict):
                raise ValueError("not an object")
        except ValueError:
            raise PubSubError(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "cannot create cloudevent",
                              "INVALID_ARGUMENT") from None
        trace = event.get("traceparent") or traceparent()
        event.update(topic=topic, pubsubname=pubsub_name)
        event.setdefault("traceid", trace)
        event.setdefault("traceparent", trace)
        event.setdefault("tracestate", "")
        event.setdefault("id", str(uuid.uuid4()))
        event.setdefault("specversion", "1.0")
    else:
        event = make_envelope(ctx.app_id, topic, pubsub_name, data, content_type,
                              event_id=metadata.get("cloudevent.id"), event_type=metadata.get("cloudevent.type"),
                              subject=metadata.get("cloudevent.subject"))
        if metadata.get("cloudevent.source"):
            event["source"] = metadata["cloudevent.source"]
    if ttl is not None:
        event["expiration"] = _rfc3339(_now() + datetime.timedelta(seconds=ttl))
    return json.dumps(event, separators=(",", ":")).encode(), CLOUDEVENT_CT, ttl


async def publish(ctx, pubsub, topic, data=b"", content_type=None, metadata=None):
    """Publishes one message; returns None (the API answers 204). PubSubError as Dapr's errors."""
    comp = component(ctx, pubsub)
    if not topic:
        raise PubSubError(404, "ERR_TOPIC_EMPTY", f"topic is empty in pubsub {pubsub}", "INVALID_ARGUMENT")
    if not topic_allowed(comp, ctx.app_id, topic, "publish"):
        raise PubSubError(403, "ERR_PUBSUB_FORBIDDEN", f"topic {topic} is not allowed for app id {ctx.app_id}",
                          "PERMISSION_DENIED")
    body, ctype, ttl = encode(ctx, pubsub, topic, data, content_type, metadata)
    broker = backend(ctx, comp)
    try:
        await ctx.run_blocking(broker.publish, topic, body, ctype, ttl)
    except PubSubError:
        raise
    except Exception as ex:
        raise publish_failed(pubsub, topic, ex) from ex


async def bulk_publish(ctx, pubsub, topic, entries, metadata=None):
    """Dapr's bulk publish (alpha): `entries` [{entryId, event, contentType, metadata}]; every entry is
    published as `publish` would (request metadata, then the entry's own). Returns the failed entries
    [{entryId, error}] ([] when all went)."""
    comp = component(ctx, pubsub)
    if not topic:
        raise PubSubError(404, "ERR_TOPIC_EMPTY", f"topic is empty in pubsub {pubsub}", "INVALID_ARGUMENT")
    if not topic_allowed(comp, ctx.app_id, topic, "publish"):
        raise PubSubError(403, "ERR_PUBSUB_FORBIDDEN", f"topic {topic} is not allowed for app id {ctx.app_id}",
                          "PERMISSION_DENIED")
    if not isinstance(entries, list) or any(not isinstance(e, dict) or not e.get("entryId") for e in entries):
        raise PubSubError(400, "ERR_PUBSUB_EVENTS_SER", f"error when unmarshaling the request for topic {topic} "
                          f"pubsub {pubsub}: every entry needs an entryId", "INVALID_ARGUMENT")
    if len({e["entryId"] for e in entries}) != len(entries):
        raise PubSubError(400, "ERR_PUBSUB_EVENTS_SER", f"error when unmarshaling the request for topic {topic} "
                          f"pubsub {pubsub}: entryId values must be unique", "INVALID_ARGUMENT")
    broker = backend(ctx, comp)
    failed = []
    for entry in entries:
        event, ctype = entry.get("event"), entry.get("contentType") or None
        if isinstance(event, (bytes, bytearray)):
            data = bytes(event)
        elif isinstance(event, str) and not _is_json(ctype):
            data = event.encode()
        else:
            data = json.dumps(event).encode()
            ctype = ctype or "application/json"
        try:
            body, body_ct, ttl = encode(ctx, pubsub, topic, data, ctype,
                                        dict(metadata or {}, **(entry.get("metadata") or {})))
            await ctx.run_blocking(broker.publish, topic, body, body_ct, ttl)
        except Exception as ex:
            failed.append({"entryId": entry["entryId"], "error": getattr(ex, "message", None) or str(ex)})
    return failed


def capabilities(comp):
    """The component's features as /v1.0/metadata lists them: none (topics are matched exactly here; Dapr's
    wildcard subscriptions and bulk publish are not offered)."""
    return []


def subscriptions_metadata(ctx):
    """The app's subscriptions as /v1.0/metadata lists them (what the delivery loop last read)."""
    return [s.describe() for s in (ctx.extras.get("pubsub") or {}).get("subscriptions") or []]


def start_delivery(ctx):
    """The sidecar's delivery loop (a coroutine the sidecar runs as a task)."""
    from azlocal.aca.dapr import pubsub_delivery

    return pubsub_delivery.run(ctx)
