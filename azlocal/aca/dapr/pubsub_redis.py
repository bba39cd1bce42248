"""`pubsub.redis` on the home's redis-server (redis_server.py): redis streams and consumer groups, as Dapr's
redis pub/sub keeps them, behind the same interface as the SQLite broker (publish, claim, ack, retry, release).

- A topic is a stream of that name in the `redisDB` database (whatever `redisHost` says, azlocal's own server
  answers, as for state.redis); each entry holds `data` (the bytes delivered) and `metadata` (JSON: the
  content type, the expiry of a message published with ttlInSeconds). `maxLenApprox` caps the stream.
- A subscribing app id is a consumer group (created at "0": it receives what the stream still holds); a
  replica is a consumer. New entries come with XREADGROUP `>`; after a sidecar restart its own pending entries
  come back first (XREADGROUP `0`); a retry claims the entry again once its back-off is over (XCLAIM); an entry
  a dead replica held longer than the lease is taken over (XAUTOCLAIM), as Dapr's processingTimeout does.
"""

import json
import threading
import time

_LOGGED = set()
SEQUENCE = "azlocal:pubsub:published"  # bumped by every publish through a sidecar


class RedisBroker:
    def __init__(self, ctx, comp, scope, client=None, clock=time.time):
        from azlocal.aca.dapr import redis_server

        self.scope = scope
        self.clock = clock
        self.client = client or redis_server.client(comp.metadata.get("redisDB") or 0)
        try:
            self.maxlen = int(comp.metadata.get("maxLenApprox") or 0) or None
        except ValueError:
            self.maxlen = None
        self._lock = threading.Lock()
        self._retry = {}  # (topic, group, id) -> when it is due again
        self._recovered = set()
        self._groups = set()
        if comp.name not in _LOGGED:
            _LOGGED.add(comp.name)
            import logging

            logging.getLogger("azlocal.dapr.pubsub").info(
                "pubsub %s: redisHost '%s' is served by azlocal's own redis-server", comp.name,
                comp.metadata.get("redisHost") or "")

    def close(self):
        self.client.close()

    def publish(self, topic, body, content_type, ttl=None):
        meta = {"contentType": content_type}
        if ttl:
            meta["expires"] = self.clock() + float(ttl)
        fields = {"data": bytes(body), "metadata": json.dumps(meta)}
        pipe = self.client.pipeline(transaction=False)
        if self.maxlen:
            pipe.xadd(topic, fields, maxlen=self.maxlen, approximate=True)
        else:
            pipe.xadd(topic, fields)
        pipe.incr(SEQUENCE)
        return pipe.execute()[0]

    def change_token(self):
        """A counter every sidecar's publish bumps (one GET on the unix socket): idle subscribers wake on it."""
        try:
            return self.client.get(SEQUENCE)
        except Exception:
            return None

    def _group(self, topic, group):
        import redis

        if (topic, group) in self._groups:
            return
        try:
            self.client.xgroup_create(topic, group, id="0", mkstream=True)
        except redis.ResponseError as ex:
            if "BUSYGROUP" not in str(ex):
                raise
        self._groups.add((topic, group))

    def _message(self, topic, group, entry_id, fields, attempts, out):
        from azlocal.aca.dapr.pubsub_broker import Message

        if fields is None:  # trimmed from the stream while pending
            self.client.xack(topic, group, entry_id)
            return
        fields = {(k.decode() if isinstance(k, bytes) else k): v for k, v in fields.items()}
        try:
            meta = json.loads(fields.get("metadata") or b"{}")
        except ValueError:
            meta = {}
        if meta.get("expires") and float(meta["expires"]) < self.clock():
            self.client.xack(topic, group, entry_id)
            return
        ident = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        out.append(Message(ident, bytes(fields.get("data") or b""), meta.get("contentType"), attempts, topic))

    def _times_delivered(self, topic, group, entry_id):
        rows = self.client.xpending_range(topic, group, min=entry_id, max=entry_id, count=1)
        return int(rows[0]["times_delivered"]) if rows else 1

    def claim(self, topic, group, consumer, limit=16, lease=90.0):
        self._group(topic, group)
        out = []
        now = self.clock()
        with self._lock:
            due = [k for k, when in self._retry.items() if k[0] == topic and k[1] == group and when <= now][:limit]
            for key in due:
                del self._retry[key]
        for _t, _g, entry_id in due:
            for eid, fields in self.client.xclaim(topic, group, consumer, 0, [entry_id]) or []:
                self._message(topic, group, eid, fields, self._times_delivered(topic, group, eid), out)
        if (topic, group, consumer) not in self._recovered:
            self._recovered.add((topic, group, consumer))
            for _stream, entries in self.client.xreadgroup(group, consumer, {topic: "0"}, count=1000) or []:
                for eid, fields in entries:
                    self.client.xclaim(topic, group, consumer, 0, [eid])  # counts this delivery
                    self._message(topic, group, eid, fields or None, self._times_delivered(topic, group, eid), out)
        room = limit - len(out)
        if room > 0:
            reply = self.client.xautoclaim(topic, group, consumer, int(lease * 1000), start_id="0-0", count=room)
            for eid, fields in (reply[1] if reply and len(reply) > 1 else []):
                key = (topic, group, eid.decode() if isinstance(eid, bytes) else eid)
                if key in self._retry:
                    continue
                self._message(topic, group, eid, fields, self._times_delivered(topic, group, eid), out)
        room = limit - len(out)
        if room > 0:
            for _stream, entries in self.client.xreadgroup(group, consumer, {topic: ">"}, count=room) or []:
                for eid, fields in entries:
                    self._message(topic, group, eid, fields, 1, out)
        return out

    def ack(self, topic, group, msg_id):
        with self._lock:
            self._retry.pop((topic, group, msg_id), None)
        self.client.xack(topic, group, msg_id)

    def retry(self, topic, group, msg_id, delay):
        with self._lock:
            self._retry[(topic, group, msg_id)] = self.clock() + delay

    def release(self, consumer):
        """Restart recovery happens in claim (the consumer's own pending entries are read first)."""

    def pending_count(self, topic, group):
        self._group(topic, group)
        return int(self.client.xpending(topic, group)["pending"])
