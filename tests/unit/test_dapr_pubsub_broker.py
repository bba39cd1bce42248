"""The home's pub/sub broker (azlocal.aca.dapr.pubsub_broker): fan-out across groups, competing consumers in a
group, at-least-once (ack, retry after a delay, a lapsed lease comes back, a restarted consumer's leases at
once), durability across reopening, TTL and trimming. No Docker."""

from azlocal.aca.dapr import pubsub_broker


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _broker(tmp_path, clock=None, scope="/subscriptions/s/env1/pubsub"):
    return pubsub_broker.SqliteBroker(scope, tmp_path / "dapr" / "pubsub.sqlite", clock=clock or Clock())


def test_every_group_gets_every_message_and_each_message_goes_to_one_consumer_of_a_group(tmp_path):
    b = _broker(tmp_path)
    for n in range(4):
        b.publish("orders", f"m{n}".encode(), "text/plain")
    a1 = b.claim("orders", "app-a", "a-replica-1", limit=2)
    a2 = b.claim("orders", "app-a", "a-replica-2", limit=10)
    assert [m.body for m in a1] == [b"m0", b"m1"] and [m.body for m in a2] == [b"m2", b"m3"]
    assert [m.body for m in b.claim("orders", "app-b", "b-replica-1")] == [b"m0", b"m1", b"m2", b"m3"]
    assert b.claim("orders", "app-a", "a-replica-1") == []  # leased, not due
    assert b.claim("other-topic", "app-a", "a-replica-1") == []


def test_an_acknowledged_message_is_not_delivered_again_a_retried_one_is_after_its_delay(tmp_path):
    clock = Clock()
    b = _broker(tmp_path, clock)
    first, second = b.publish("t", b"1", "text/plain"), b.publish("t", b"2", "text/plain")
    msgs = b.claim("t", "g", "c1")
    assert [m.attempts for m in msgs] == [1, 1]
    b.ack("t", "g", first)
    b.retry("t", "g", second, 2.0)
    clock.now += 1.9
    assert b.claim("t", "g", "c1") == []
    clock.now += 0.2
    again = b.claim("t", "g", "c2")  # whichever replica claims next
    assert [(m.id, m.body, m.attempts) for m in again] == [(second, b"2", 2)]
    b.ack("t", "g", second)
    clock.now += 1000
    assert b.claim("t", "g", "c1") == [] and b.pending_count("t", "g") == 0


def test_a_lapsed_lease_comes_back_and_a_restarted_consumer_releases_its_own_at_once(tmp_path):
    clock = Clock()
    b = _broker(tmp_path, clock)
    b.publish("t", b"x", "text/plain")
    assert len(b.claim("t", "g", "dead-replica", lease=30)) == 1
    clock.now += 29
    assert b.claim("t", "g", "other") == []
    clock.now += 2
    assert [m.attempts for m in b.claim("t", "g", "other", lease=30)] == [2]
    b.release("other")  # the sidecar of "other" restarted: what it held is due now
    assert [m.attempts for m in b.claim("t", "g", "other")] == [3]


def test_messages_cursors_and_leases_survive_reopening_the_broker(tmp_path):
    clock = Clock()
    b = _broker(tmp_path, clock)
    b.publish("t", b"kept", "text/plain")
    b.publish("t", b"done", "text/plain")
    msgs = b.claim("t", "g", "c1")
    b.ack("t", "g", msgs[1].id)
    b.close()
    reopened = _broker(tmp_path, clock)
    reopened.release("c1")
    assert [m.body for m in reopened.claim("t", "g", "c1")] == [b"kept"]
    reopened.publish("t", b"new", "text/plain")
    assert [m.body for m in reopened.claim("t", "g", "c1")] == [b"new"]


def test_scopes_do_not_see_each_others_messages(tmp_path):
    one, two = _broker(tmp_path, scope="env1/pubsub"), _broker(tmp_path, scope="env2/pubsub")
    one.publish("t", b"1", "text/plain")
    assert two.claim("t", "g", "c") == [] and len(one.claim("t", "g", "c")) == 1


def test_an_expired_message_is_never_delivered_and_consumed_ones_are_trimmed(tmp_path):
    clock = Clock()
    b = _broker(tmp_path, clock)
    b.publish("t", b"short", "text/plain", ttl=5)
    b.publish("t", b"long", "text/plain")
    clock.now += 6
    msgs = b.claim("t", "g", "c")
    assert [m.body for m in msgs] == [b"long"]
    b.ack("t", "g", msgs[0].id)
    clock.now += pubsub_broker.KEEP_CONSUMED + 1
    b.trim()
    assert b.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    b.publish("t", b"unread", "text/plain")  # no group has passed it: kept
    clock.now += pubsub_broker.KEEP_CONSUMED + 1
    b.trim()
    assert b.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1


def test_a_new_group_receives_the_messages_still_kept(tmp_path):
    b = _broker(tmp_path)
    b.publish("t", b"early", "text/plain")
    assert [m.body for m in b.claim("t", "late-subscriber", "c")] == [b"early"]
