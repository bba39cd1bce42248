"""pubsub.redis on the home's own redis-server (azlocal.aca.dapr.pubsub_redis): streams and consumer groups
with the SQLite broker's semantics (fan-out, competing consumers, retry after a back-off, a restarted
consumer's own pending entries first, TTL). Starts Debian's redis-server under the test's home."""

import shutil

import pytest

from azlocal.aca.dapr.components import Component

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def redis_home(home):
    from azlocal.aca.dapr import redis_server

    yield home
    redis_server.stop()


def _broker(clock, db="0"):
    from azlocal.aca.dapr import pubsub_redis

    comp = Component(name="pubsub", type="pubsub.redis", version="v1",
                     metadata={"redisHost": "my-redis:6379", "redisDB": db}, scopes=[])
    return pubsub_redis.RedisBroker(None, comp, "env1/pubsub", clock=clock)


def test_redis_streams_fan_out_share_retry_and_recover(redis_home):
    clock = Clock()
    b = _broker(clock)
    for n in range(4):
        b.publish("orders", f"m{n}".encode(), "text/plain")
    a1 = b.claim("orders", "app-a", "a-1", limit=2)
    a2 = b.claim("orders", "app-a", "a-2", limit=10)
    assert [m.body for m in a1] == [b"m0", b"m1"] and [m.body for m in a2] == [b"m2", b"m3"]
    assert [m.body for m in b.claim("orders", "app-b", "b-1")] == [b"m0", b"m1", b"m2", b"m3"]
    assert a1[0].content_type == "text/plain" and a1[0].attempts == 1
    b.ack("orders", "app-a", a1[0].id)
    b.retry("orders", "app-a", a1[1].id, 2.0)
    assert b.claim("orders", "app-a", "a-1") == []
    clock.now += 2.5
    again, = b.claim("orders", "app-a", "a-1")
    assert (again.body, again.attempts) == (b"m1", 2)
    assert b.pending_count("orders", "app-a") == 3  # m1 again, m2 and m3 with a-2
    restarted = _broker(clock)  # a-2's sidecar restarts: its own pending entries come first
    assert sorted(m.body for m in restarted.claim("orders", "app-a", "a-2")) == [b"m2", b"m3"]


def test_redis_ttl_expired_messages_are_not_delivered(redis_home):
    clock = Clock()
    b = _broker(clock, db="1")
    b.publish("t", b"short", "text/plain", ttl=5)
    b.publish("t", b"long", "application/json")
    clock.now += 6
    assert [m.body for m in b.claim("t", "g", "c")] == [b"long"]
