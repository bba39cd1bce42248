"""Dapr pub/sub in the sidecar (azlocal.aca.dapr.pubsub, pubsub_delivery, pubsub_subscriptions, api_pubsub)
with fake sidecar contexts over the real home broker: CloudEvents envelopes, Dapr's errors and topic scopes,
programmatic subscriptions (routes, rules, dead letters), the app's answers (SUCCESS/RETRY/DROP, 404, 5xx,
timeouts), fan-out across apps and competing consumers within one. No Docker."""

import asyncio
import base64
import json

import pytest

from azlocal.aca.dapr import api_pubsub, pubsub, pubsub_delivery, pubsub_subscriptions
from azlocal.aca.dapr.components import Component, ComponentNotFound

ENV = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env1"}


class FakeCtx:
    def __init__(self, app_id, comps, replica=None, handler=None, subscriptions=None):
        self.app_id, self.env, self.replica = app_id, ENV, replica or f"{app_id}--r1"
        self.app = {"id": f"/apps/{app_id}", "properties": {}}
        self.app_port = 8080
        self.extras = {}
        self._comps = comps
        self.received = []
        self.subscriptions = subscriptions or []
        self.handler = handler

    def components(self):
        return self._comps

    def component(self, name, family):
        for c in self._comps:
            if c.name == name and c.type.split(".", 1)[0] == family:
                return c
        raise ComponentNotFound(name, family)

    async def call_app(self, method, path, headers=None, body=b"", query=""):
        if path == "/dapr/subscribe":
            return 200, [], json.dumps(self.subscriptions).encode()
        self.received.append((path, dict(headers or {}), body))
        if self.handler:
            return await self.handler(path, headers, body)
        return 200, [], b""

    async def run_blocking(self, fn, *args):
        return fn(*args)


def _mem(name="pubsub", **metadata):
    return Component(name=name, type="pubsub.in-memory", version="v1", metadata=metadata, scopes=[])


def _run(coro):
    return asyncio.run(coro)


def _stored(ctx, topic="orders", group="reader"):
    broker = pubsub.backend(ctx, ctx.component("pubsub", "pubsub"))
    return broker.claim(topic, group, "probe")


def test_publish_wraps_json_in_a_cloudevent_as_daprd_does(home):
    ctx = FakeCtx("publisher", [_mem()])
    _run(pubsub.publish(ctx, "pubsub", "orders", b'{"orderId": 1}', "application/json", {}))
    msg, = _stored(ctx)
    event = json.loads(msg.body)
    assert msg.content_type == "application/cloudevents+json"
    assert event["data"] == {"orderId": 1} and event["datacontenttype"] == "application/json"
    assert event["specversion"] == "1.0" and event["type"] == "com.dapr.event.sent"
    assert event["source"] == "publisher" and event["topic"] == "orders" and event["pubsubname"] == "pubsub"
    assert event["traceparent"].startswith("00-") and event["traceid"] == event["traceparent"]
    assert event["id"] and event["time"].endswith("Z")


def test_text_is_data_binary_is_data_base64_and_text_plain_is_the_default(home):
    ctx = FakeCtx("publisher", [_mem()])
    _run(pubsub.publish(ctx, "pubsub", "orders", b"hello", None, {}))
    _run(pubsub.publish(ctx, "pubsub", "orders", b"\x00\x01", "application/octet-stream", {}))
    text, binary = [json.loads(m.body) for m in _stored(ctx)]
    assert text["data"] == "hello" and text["datacontenttype"] == "text/plain"
    assert base64.b64decode(binary["data_base64"]) == b"\x00\x01" and "data" not in binary


def test_a_cloudevent_body_keeps_its_fields_and_raw_payload_goes_as_it_is(home):
    ctx = FakeCtx("publisher", [_mem()])
    own = {"specversion": "1.0", "id": "my-id", "source": "mine", "type": "order.created", "data": {"a": 1}}
    _run(pubsub.publish(ctx, "pubsub", "orders", json.dumps(own).encode(), "application/cloudevents+json", {}))
    _run(pubsub.publish(ctx, "pubsub", "orders", b"raw-bytes", "text/plain", {"rawPayload": "true"}))
    event, raw = _stored(ctx)
    parsed = json.loads(event.body)
    assert (parsed["id"], parsed["source"], parsed["type"]) == ("my-id", "mine", "order.created")
    assert parsed["topic"] == "orders" and parsed["pubsubname"] == "pubsub"
    assert raw.body == b"raw-bytes" and raw.content_type == "text/plain"


def test_ttl_sets_the_expiration_and_bad_metadata_or_a_bad_cloudevent_is_daprs_error(home):
    ctx = FakeCtx("publisher", [_mem()])
    _run(pubsub.publish(ctx, "pubsub", "orders", b"{}", "application/json", {"ttlInSeconds": "60"}))
    assert json.loads(_stored(ctx)[0].body)["expiration"].endswith("Z")
    with pytest.raises(pubsub.PubSubError) as err:
        _run(pubsub.publish(ctx, "pubsub", "orders", b"{}", "application/json", {"ttlInSeconds": "soon"}))
    assert (err.value.status, err.value.code) == (400, "ERR_PUBSUB_REQUEST_METADATA")
    with pytest.raises(pubsub.PubSubError) as err:
        _run(pubsub.publish(ctx, "pubsub", "orders", b"not json", "application/cloudevents+json", {}))
    assert (err.value.status, err.value.code) == (500, "ERR_PUBSUB_CLOUD_EVENTS_SER")


def test_unknown_or_unconfigured_pubsub_empty_topic_and_scoped_topics_are_daprs_errors(home):
    cases = [(FakeCtx("a", []), "pubsub", "t", 400, "ERR_PUBSUB_NOT_CONFIGURED"),
             (FakeCtx("a", [_mem()]), "nope", "t", 404, "ERR_PUBSUB_NOT_FOUND"),
             (FakeCtx("a", [_mem()]), "pubsub", "", 404, "ERR_TOPIC_EMPTY"),
             (FakeCtx("a", [_mem(publishingScopes="a=allowed;b=")]), "pubsub", "other", 403, "ERR_PUBSUB_FORBIDDEN"),
             (FakeCtx("b", [_mem(publishingScopes="a=allowed;b=")]), "pubsub", "allowed", 403,
              "ERR_PUBSUB_FORBIDDEN"),
             (FakeCtx("c", [_mem(allowedTopics="x,y")]), "pubsub", "z", 403, "ERR_PUBSUB_FORBIDDEN")]
    for ctx, name, topic, status, code in cases:
        with pytest.raises(pubsub.PubSubError) as err:
            _run(pubsub.publish(ctx, name, topic, b"x", "text/plain", {}))
        assert (err.value.status, err.value.code) == (status, code), (name, topic)
    assert err.value.body() == {"errorCode": "ERR_PUBSUB_FORBIDDEN", "message": "topic z is not allowed for app id c"}
    _run(pubsub.publish(FakeCtx("a", [_mem(publishingScopes="a=allowed")]), "pubsub", "allowed", b"x", None, {}))
    assert pubsub.topic_allowed(_mem(protectedTopics="secret", subscriptionScopes="b=secret"), "b", "secret",
                                "subscribe")
    assert not pubsub.topic_allowed(_mem(protectedTopics="secret"), "b", "secret", "subscribe")


def test_the_apps_answer_is_read_as_daprd_reads_it():
    S, R, D = pubsub_delivery.SUCCESS, pubsub_delivery.RETRY, pubsub_delivery.DROP
    cases = [(200, b"", S), (204, b"", S), (200, b"ok", S), (200, b"{}", S), (200, b'{"status":"SUCCESS"}', S),
             (200, b'{"status":"RETRY"}', R), (200, b'{"status":"DROP"}', D), (200, b'{"status":"whatever"}', R),
             (404, b"", D), (500, b"", R), (503, b"", R), (400, b"", R), (200, b"[1]", S)]
    for status, body, expected in cases:
        assert pubsub_delivery.outcome(status, body) == expected, (status, body)
    assert [pubsub_delivery.backoff(n) for n in (1, 2, 3, 4, 5, 9)] == [1, 2, 4, 8, 10, 10]


def test_subscriptions_v1_and_v2_with_rules_case_insensitive_fields_and_bad_rules_skipped():
    subs = pubsub_subscriptions.parse([
        {"pubsubname": "pubsub", "topic": "orders", "route": "orders", "deadLetterTopic": "poison"},
        {"pubsubName": "pubsub", "Topic": "events", "routes": {
            "rules": [{"match": 'event.type == "widget" && event.data.size >= 3', "path": "/widgets"},
                      {"match": "!(event.data.kind != 'gadget') || event.data.urgent == true", "path": "/g"}],
            "default": "/other"}, "metadata": {"rawPayload": "true"}},
        {"pubsubname": "pubsub", "topic": "bad", "routes": {"rules": [{"match": "event.type.size() > 1",
                                                                        "path": "/x"}]}},
        {"topic": "no-pubsub", "route": "/x"}, "junk"])
    assert [(s.topic, s.default, s.dead_letter, s.raw) for s in subs] == [
        ("orders", "/orders", "poison", False), ("events", "/other", "", True)]
    events = subs[1]
    assert events.route_for({"type": "widget", "data": {"size": 3}}) == "/widgets"
    assert events.route_for({"type": "widget", "data": {"size": 2}}) == "/other"
    assert events.route_for({"type": "x", "data": {"kind": "gadget"}}) == "/g"
    assert events.route_for({"type": "x", "data": {"urgent": True}}) == "/g"
    assert events.route_for({"type": "x"}) == "/other"
    assert events.describe()["rules"][-1] == {"path": "/other"}


def _sub(**kw):
    return pubsub_subscriptions.Subscription(kw.pop("pubsub", "pubsub"), kw.pop("topic", "orders"),
                                             default=kw.pop("route", "/orders"), **kw)


def _answers(*answers):
    queue = list(answers)

    async def handler(path, headers, body):
        item = queue.pop(0) if queue else (200, b"")
        if item == "hang":
            await asyncio.sleep(10)
        if isinstance(item, Exception):
            raise item
        return item[0], [], item[1]
    return handler


def test_retry_redelivers_with_backoff_drop_and_404_acknowledge_and_failures_of_any_kind_retry(home, monkeypatch):
    monkeypatch.setattr(pubsub_delivery, "DELIVERY_TIMEOUT", 0.05)
    publisher = FakeCtx("publisher", [_mem()])
    reader = FakeCtx("reader", [_mem()], handler=_answers((200, b'{"status":"RETRY"}'), (500, b"boom"),
                                                          ConnectionError("refused"), "hang",
                                                          (200, b'{"status":"SUCCESS"}')))
    broker = pubsub.backend(reader, reader.component("pubsub", "pubsub"))
    _run(pubsub.publish(publisher, "pubsub", "orders", b'{"n":1}', "application/json", {}))
    results = []
    for _ in range(5):
        msg, = broker.claim("orders", "reader", reader.replica)
        results.append(_run(pubsub_delivery.deliver(reader, broker, _sub(), msg, "reader")))
        due = broker.db.execute("SELECT due FROM pending").fetchone()
        if due:
            broker.db.execute("UPDATE pending SET due=0")  # skip the back-off
    assert results == ["retry"] * 4 + ["success"]
    assert broker.pending_count("orders", "reader") == 0
    path, headers, body = reader.received[0]
    assert path == "/orders" and headers["Content-Type"] == "application/cloudevents+json"
    assert json.loads(body)["data"] == {"n": 1} and headers["traceparent"]
    for answer in ((200, b'{"status":"DROP"}'), (404, b"")):
        reader.handler = _answers(answer)
        _run(pubsub.publish(publisher, "pubsub", "orders", b"x", None, {}))
        msg, = broker.claim("orders", "reader", reader.replica)
        assert _run(pubsub_delivery.deliver(reader, broker, _sub(), msg, "reader")) == "drop"
        assert broker.pending_count("orders", "reader") == 0


def test_a_message_that_keeps_failing_goes_to_the_dead_letter_topic(home):
    publisher = FakeCtx("publisher", [_mem()])
    reader = FakeCtx("reader", [_mem()], handler=_answers(*[(500, b"")] * 5))
    broker = pubsub.backend(reader, reader.component("pubsub", "pubsub"))
    _run(pubsub.publish(publisher, "pubsub", "orders", b"poison", None, {}))
    sub = _sub(dead_letter="poison-letters")
    for attempt in range(1, pubsub_delivery.DEAD_LETTER_AFTER + 1):
        broker.db.execute("UPDATE pending SET due=0")
        msg, = broker.claim("orders", "reader", reader.replica)
        assert msg.attempts == attempt
        _run(pubsub_delivery.deliver(reader, broker, sub, msg, "reader"))
    assert broker.pending_count("orders", "reader") == 0
    dead, = broker.claim("poison-letters", "reader", "x")
    assert json.loads(dead.body)["data"] == "poison" and json.loads(dead.body)["topic"] == "orders"


def test_a_raw_payload_reaches_a_cloudevent_subscriber_wrapped_and_a_raw_subscriber_as_it_is(home):
    publisher = FakeCtx("publisher", [_mem()])
    reader = FakeCtx("reader", [_mem()])
    broker = pubsub.backend(reader, reader.component("pubsub", "pubsub"))
    _run(pubsub.publish(publisher, "pubsub", "orders", b"\x01raw", "application/octet-stream",
                        {"rawPayload": "true"}))
    msg, = broker.claim("orders", "reader", reader.replica)
    _run(pubsub_delivery.deliver(reader, broker, _sub(), msg, "reader"))
    _run(pubsub_delivery.deliver(reader, broker, _sub(metadata={"rawPayload": "true"}), msg, "reader"))
    (_, h1, wrapped), (_, h2, raw) = reader.received
    assert base64.b64decode(json.loads(wrapped)["data_base64"]) == b"\x01raw"
    assert h1["Content-Type"] == "application/cloudevents+json"
    assert raw == b"\x01raw" and h2["Content-Type"] == "application/octet-stream"


async def _loop_for(ctxs, seconds):
    tasks = [asyncio.ensure_future(pubsub_delivery.run(c, poll=0.01)) for c in ctxs]
    await asyncio.sleep(seconds)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def test_the_loop_fans_out_to_every_app_and_shares_within_an_app(home):
    subs = [{"pubsubname": "pubsub", "topic": "orders", "route": "/orders"}]
    publisher = FakeCtx("publisher", [_mem()])
    a1 = FakeCtx("app-a", [_mem()], replica="a-1", subscriptions=subs)
    a2 = FakeCtx("app-a", [_mem()], replica="a-2", subscriptions=subs)
    b1 = FakeCtx("app-b", [_mem()], replica="b-1", subscriptions=subs)
    scoped_out = FakeCtx("app-c", [], replica="c-1", subscriptions=subs)  # the component is not loaded for it

    async def scenario():
        for n in range(20):
            await pubsub.publish(publisher, "pubsub", "orders", json.dumps({"n": n}).encode(), "application/json",
                                 {})
        await _loop_for([a1, a2, b1, scoped_out], 1.0)
    _run(scenario())

    def numbers(*ctxs):
        return sorted(json.loads(body)["data"]["n"] for c in ctxs for _p, _h, body in c.received)
    assert numbers(b1) == list(range(20))
    assert numbers(a1, a2) == list(range(20))  # each message once within app-a
    assert scoped_out.received == []
    assert a1.extras["pubsub"]["subscriptions"][0].topic == "orders"


def test_the_loop_redelivers_until_the_subscriber_recovers(home, monkeypatch):
    monkeypatch.setattr(pubsub_delivery, "BACKOFF_BASE", 0.05)
    subs = [{"pubsubname": "pubsub", "topic": "orders", "route": "/orders"}]
    publisher = FakeCtx("publisher", [_mem()])
    reader = FakeCtx("reader", [_mem()], subscriptions=subs, handler=_answers((503, b""), (503, b"")))

    async def scenario():
        await pubsub.publish(publisher, "pubsub", "orders", b"important", None, {})
        await _loop_for([reader], 1.0)
    _run(scenario())
    assert [json.loads(b)["data"] for _p, _h, b in reader.received] == ["important"] * 3


def test_the_http_api_answers_204_and_daprs_json_errors(home):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    ctx = FakeCtx("publisher", [_mem()])

    async def scenario():
        app = web.Application()
        app.add_routes(api_pubsub.routes(ctx))
        async with TestClient(TestServer(app)) as client:
            ok = await client.post("/v1.0/publish/pubsub/orders?metadata.ttlInSeconds=30", json={"a": 1})
            missing = await client.post("/v1.0/publish/nope/orders", data=b"x")
            no_topic = await client.post("/v1.0/publish/pubsub", data=b"x")
            return ok.status, (missing.status, await missing.json()), (no_topic.status, await no_topic.json())
    ok, missing, no_topic = _run(scenario())
    assert ok == 204
    assert missing == (404, {"errorCode": "ERR_PUBSUB_NOT_FOUND", "message": "pubsub nope not found"})
    assert no_topic == (404, {"errorCode": "ERR_TOPIC_EMPTY", "message": "topic is empty in pubsub pubsub"})
    assert json.loads(_stored(ctx)[0].body)["data"] == {"a": 1}


def test_bulk_publish_publishes_every_entry_and_names_the_failed_ones(home):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    ctx = FakeCtx("publisher", [_mem()])
    entries = [{"entryId": "1", "event": {"orderId": 1}, "contentType": "application/json"},
               {"entryId": "2", "event": "plain text", "contentType": "text/plain"},
               {"entryId": "3", "event": {"bad": 1}, "metadata": {"ttlInSeconds": "never"}}]

    async def scenario():
        app = web.Application()
        app.add_routes(api_pubsub.routes(ctx))
        async with TestClient(TestServer(app)) as client:
            partial = await client.post("/v1.0-alpha1/publish/bulk/pubsub/orders", json=entries)
            ok = await client.post("/v1.0-alpha1/publish/bulk/pubsub/orders", json=entries[:1])
            dup = await client.post("/v1.0-alpha1/publish/bulk/pubsub/orders", json=entries[:1] * 2)
            return (partial.status, await partial.json()), ok.status, (dup.status, (await dup.json())["errorCode"])
    partial, ok, dup = _run(scenario())
    assert partial[0] == 500 and partial[1]["errorCode"] == "ERR_PUBSUB_PUBLISH_MESSAGE"
    assert [e["entryId"] for e in partial[1]["failedEntries"]] == ["3"]
    assert ok == 204 and dup == (400, "ERR_PUBSUB_EVENTS_SER")
    data = [json.loads(m.body)["data"] for m in _stored(ctx)]
    assert data == [{"orderId": 1}, "plain text", {"orderId": 1}]


def test_an_idle_subscriber_wakes_on_a_publish_long_before_its_next_poll(home):
    subs = [{"pubsubname": "pubsub", "topic": "orders", "route": "/orders"}]
    publisher = FakeCtx("publisher", [_mem()])
    reader = FakeCtx("reader", [_mem()], subscriptions=subs)

    async def scenario():
        task = asyncio.ensure_future(pubsub_delivery.run(reader, poll=30.0))
        await asyncio.sleep(0.3)  # subscribed, claimed nothing, now idle for up to 30 s
        await pubsub.publish(publisher, "pubsub", "orders", b"wake up", None, {})
        for _ in range(50):
            if reader.received:
                break
            await asyncio.sleep(0.02)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    _run(scenario())
    assert [json.loads(b)["data"] for _p, _h, b in reader.received] == ["wake up"]
