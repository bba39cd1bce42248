"""The sidecar's delivery loop: programmatic subscriptions in, at-least-once delivery to the app out.

- Subscriptions: `GET /dapr/subscribe` on the app once it answers, then every SUBSCRIBE_REFRESH seconds
  (daprd reads them once at start; re-reading lets an app that came up late, or changed, be picked up).
- Polling: every POLL seconds, and within about WAKE seconds of any publish to the same broker (the SQLite
  broker's WAL changes, the redis broker's publish counter moves), so an idle subscriber costs little and
  a message still arrives in tens of milliseconds.
- Each subscription is a consumer group named after the app id on its component's broker: every app gets
  every message (fan-out), each message goes to one replica of an app (competing consumers; the replica's
  name is the consumer). At start the replica's earlier leases are released at once (restart recovery).
- The app's answer, as daprd reads it: 2xx with no body, a body that is not JSON, `{}` or `{"status":
  "SUCCESS"}` acknowledges; `{"status": "DROP"}` drops (logged); `{"status": "RETRY"}`, an unknown status,
  any other status code, a connection failure or no answer within DELIVERY_TIMEOUT redeliver after an
  exponential back-off (BACKOFF_BASE doubling up to BACKOFF_MAX); 404 drops (logged as an error).
- A subscription with `deadLetterTopic`: a message still failing after DEAD_LETTER_AFTER attempts is
  published as it is to that topic of the same component and acknowledged (Dapr does this once its
  resiliency retries are spent; Container Apps offers no pub/sub resiliency policy through az 2.91, so the
  retries are azlocal's). Without one, redelivery goes on, as at-least-once requires.
"""

import asyncio
import base64
import json
import logging
import time
import uuid

from azlocal.aca.dapr import pubsub, pubsub_subscriptions

log = logging.getLogger("azlocal.dapr.pubsub")

POLL = 0.25
WAKE = 0.02
SUBSCRIBE_REFRESH = 10.0
DELIVERY_TIMEOUT = 60.0
LEASE = DELIVERY_TIMEOUT + 30.0
BACKOFF_BASE = 1.0
BACKOFF_MAX = 10.0
DEAD_LETTER_AFTER = 3
MAX_INFLIGHT = 32

SUCCESS, RETRY, DROP = "success", "retry", "drop"


def backoff(attempts):
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def outcome(status, body):
    """The app's answer to one delivery -> SUCCESS, RETRY or DROP."""
    if 200 <= status < 300:
        try:
            answer = json.loads(body or b"")
        except ValueError:
            return SUCCESS
        if not isinstance(answer, dict):
            return SUCCESS
        value = str(answer.get("status") or "").upper()
        if value in ("", "SUCCESS"):
            return SUCCESS
        if value == "DROP":
            return DROP
        return RETRY
    if status == 404:
        return DROP
    return RETRY


def delivery_body(msg, sub):
    """(event dict or None, bytes, content type) sent to the app for one stored message."""
    if sub.raw:
        return None, msg.body, msg.content_type or "application/octet-stream"
    event = None
    if msg.content_type == pubsub.CLOUDEVENT_CT:
        try:
            event = json.loads(msg.body)
        except ValueError:
            event = None
    if not isinstance(event, dict):  # a raw payload to a subscriber that wants CloudEvents: Dapr wraps it
        event = pubsub.make_envelope("", msg.topic, sub.pubsub, msg.body, "application/octet-stream",
                                     event_id=str(uuid.uuid4()))
        event["data_base64"] = base64.b64encode(msg.body).decode()
        return event, json.dumps(event, separators=(",", ":")).encode(), pubsub.CLOUDEVENT_CT
    return event, msg.body, pubsub.CLOUDEVENT_CT


async def deliver(ctx, broker, sub, msg, group):
    """One delivery attempt and what follows from the answer; returns SUCCESS, RETRY or DROP."""
    event, body, ctype = delivery_body(msg, sub)
    path = sub.route_for(event) if event is not None else sub.default
    if not path:
        log.warning("no route matches the event %s on topic %s; the message is dropped", msg.id, sub.topic)
        await ctx.run_blocking(broker.ack, sub.topic, group, msg.id)
        return DROP
    headers = {"Content-Type": ctype, "pubsubname": sub.pubsub}
    if event is not None and event.get("traceparent"):
        headers["traceparent"] = str(event["traceparent"])
    try:
        status, _headers, answer = await asyncio.wait_for(ctx.call_app("POST", path, headers, body),
                                                          DELIVERY_TIMEOUT)
        result = outcome(status, answer)
    except (ConnectionError, asyncio.TimeoutError, OSError) as ex:
        status, result = None, RETRY
        log.warning("delivering event %s of topic %s to the app failed: %s", msg.id, sub.topic, ex or "timeout")
    if result == RETRY and status is not None:
        log.warning("retriable answer from the app to event %s of topic %s (status %s)", msg.id, sub.topic, status)
    elif result == DROP:
        log.warning("the app dropped event %s of topic %s (status %s)", msg.id, sub.topic, status)
    if result == RETRY and sub.dead_letter and msg.attempts >= DEAD_LETTER_AFTER:
        try:
            await ctx.run_blocking(broker.publish, sub.dead_letter, msg.body, msg.content_type, None)
            log.warning("event %s of topic %s went to the dead-letter topic %s", msg.id, sub.topic, sub.dead_letter)
            result = DROP
        except Exception as ex:
            log.error("publishing to the dead-letter topic %s failed: %s", sub.dead_letter, ex)
    if result == RETRY:
        await ctx.run_blocking(broker.retry, sub.topic, group, msg.id, backoff(msg.attempts))
    else:
        await ctx.run_blocking(broker.ack, sub.topic, group, msg.id)
    return result


async def load_subscriptions(ctx):
    """The app's programmatic subscriptions; None while the app does not answer."""
    if not ctx.app_port:
        return []
    try:
        status, _headers, body = await asyncio.wait_for(ctx.call_app("GET", "/dapr/subscribe"), 10)
    except (ConnectionError, asyncio.TimeoutError, OSError):
        return None
    if status != 200:
        return []
    try:
        payload = json.loads(body or b"[]")
    except ValueError:
        log.error("the app's /dapr/subscribe answer is not JSON")
        return []
    return pubsub_subscriptions.parse(payload, log)


def _usable(ctx, sub):
    """The subscription's broker, or None when its component is not loaded or the topic is not allowed."""
    try:
        comp = pubsub.component(ctx, sub.pubsub)
    except pubsub.PubSubError:
        return None
    if not pubsub.topic_allowed(comp, ctx.app_id, sub.topic, "subscribe"):
        return None
    try:
        return pubsub.backend(ctx, comp)
    except pubsub.PubSubError as ex:
        log.error("subscription to %s/%s: %s", sub.pubsub, sub.topic, ex.message)
        return None


async def run(ctx, stop=None, poll=POLL):
    """Runs until cancelled (or `stop`, an asyncio.Event, is set)."""
    state = ctx.extras.setdefault("pubsub", {"subscriptions": [], "loaded": False})
    consumer = str(ctx.replica)
    released, inflight, warned, brokers = set(), {}, set(), []
    next_load = 0.0
    while stop is None or not stop.is_set():
        now = time.monotonic()
        if now >= next_load:
            subs = await load_subscriptions(ctx)
            if subs is None:
                next_load = now + 1.0
            else:
                if not state["loaded"] or [s.describe() for s in subs] != \
                        [s.describe() for s in state["subscriptions"]]:
                    for s in subs:
                        log.info("app is subscribed to topic %s on pubsub %s", s.topic, s.pubsub)
                state["subscriptions"], state["loaded"] = subs, True
                next_load = now + SUBSCRIBE_REFRESH
        busy = False
        before = {id(b): b.change_token() for b in brokers if hasattr(b, "change_token")}  # ahead of the claims
        brokers = []
        for sub in state["subscriptions"]:
            broker = await ctx.run_blocking(_usable, ctx, sub)
            if broker is not None and broker not in brokers:
                brokers.append(broker)
            key = (sub.pubsub, sub.topic)
            if broker is None:
                if key not in warned:
                    warned.add(key)
                    log.warning("subscription to topic %s on pubsub %s is not active (component not found for "
                                "this app, or the topic is not allowed)", sub.topic, sub.pubsub)
                continue
            if key not in released:
                await ctx.run_blocking(broker.release, consumer)
                released.add(key)
            tasks = inflight.setdefault(key, set())
            tasks.difference_update({t for t in tasks if t.done()})
            room = MAX_INFLIGHT - len(tasks)
            if room <= 0:
                continue
            try:
                msgs = await ctx.run_blocking(broker.claim, sub.topic, ctx.app_id, consumer, room, LEASE)
            except Exception as ex:
                log.error("reading topic %s of pubsub %s: %s", sub.topic, sub.pubsub, ex)
                continue
            for msg in msgs:
                busy = True
                tasks.add(asyncio.ensure_future(_safe(deliver(ctx, broker, sub, msg, ctx.app_id))))
        if busy:
            await asyncio.sleep(0)
        else:
            await _idle(brokers, poll, before)


async def _idle(brokers, poll, tokens=None):
    """Waits up to `poll` seconds, less when a broker that can tell (the SQLite one) was written since `tokens`
    (taken before the last claims): a publish reaches an idle subscriber in about WAKE seconds."""
    watched = [b for b in brokers if hasattr(b, "change_token")]
    if not watched:
        await asyncio.sleep(poll)
        return
    before = [(tokens or {}).get(id(b)) or b.change_token() for b in watched]
    deadline = time.monotonic() + poll
    while time.monotonic() < deadline:
        await asyncio.sleep(WAKE)
        if [b.change_token() for b in watched] != before:
            return


async def _safe(coro):
    try:
        return await coro
    except asyncio.CancelledError:
        raise
    except Exception as ex:  # one message's failure must not stop the loop; its lease brings it back
        log.error("delivery failed: %s", ex)
