"""The broker azlocal keeps in the home for `pubsub.in-memory` components: SQLite, shared by every sidecar.

Dapr's own in-memory pub/sub lives inside one sidecar, so two apps could never talk through it; here it is
environment-wide (every sidecar of the environment opens the same file) and durable (messages and cursors
survive sidecar, app and daemon restarts), which is what at-least-once delivery between apps needs.

Layout (`<home>/dapr/pubsub.sqlite`, WAL, one writer at a time by `BEGIN IMMEDIATE`):

- `messages`: one row per published message of a scope (`<environment id>/<component name>`, lower-cased)
  and topic: the bytes delivered, their content type, when it expires (`ttlInSeconds`).
- `cursors`: per (scope, topic, group) the last message id handed out; a group is a subscribing app id
  (Dapr's consumer group), so every app gets every message (fan-out). A new group starts at 0: it receives
  the messages still kept, as Dapr's redis streams consumer groups do.
- `pending`: the messages handed out and not yet acknowledged, per group, with the replica (consumer) that
  holds them, the attempts so far and when they are due again (a lease: a consumer that dies without an
  answer loses its messages to the next claim after `lease` seconds; a retry sets the due time to the back-off).

Within a group, `claim` gives each message to one consumer (competing consumers). Messages every group has
passed are trimmed after a minute, any message after a day.
"""

import os
import sqlite3
import threading
import time

KEEP_CONSUMED = 60.0
KEEP_ANY = 24 * 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL,
    topic TEXT NOT NULL, body BLOB NOT NULL, content_type TEXT, published REAL NOT NULL, expires REAL);
CREATE INDEX IF NOT EXISTS messages_topic ON messages(scope, topic, id);
CREATE TABLE IF NOT EXISTS cursors (scope TEXT NOT NULL, topic TEXT NOT NULL, grp TEXT NOT NULL,
    last_id INTEGER NOT NULL, PRIMARY KEY (scope, topic, grp));
CREATE TABLE IF NOT EXISTS pending (scope TEXT NOT NULL, topic TEXT NOT NULL, grp TEXT NOT NULL,
    msg_id INTEGER NOT NULL, consumer TEXT, attempts INTEGER NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (scope, topic, grp, msg_id));
"""


class Message:
    """One delivery: the message's id, bytes, content type and which attempt this is (1 = first)."""

    __slots__ = ("id", "body", "content_type", "attempts", "topic")

    def __init__(self, id, body, content_type, attempts, topic):
        self.id, self.body, self.content_type, self.attempts, self.topic = id, body, content_type, attempts, topic

    def __repr__(self):
        return f"Message({self.id}, attempt {self.attempts})"


def default_path():
    from azlocal.core.safepath import home_path

    return home_path("dapr", "pubsub.sqlite")


class SqliteBroker:
    """One scope's view of the shared broker file. Thread-safe (one connection behind a lock)."""

    def __init__(self, scope, path=None, clock=time.time):
        self.scope = scope.lower()
        self.path = str(path or default_path())
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        self.clock = clock
        self._lock = threading.Lock()
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self._trimmed = 0.0

    def close(self):
        self.db.close()

    def _tx(self, fn):
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self.db)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return result

    def publish(self, topic, body, content_type, ttl=None):
        now = self.clock()
        expires = now + float(ttl) if ttl else None
        return self._tx(lambda db: db.execute(
            "INSERT INTO messages (scope, topic, body, content_type, published, expires) VALUES (?,?,?,?,?,?)",
            (self.scope, topic, bytes(body), content_type, now, expires)).lastrowid)

    def claim(self, topic, group, consumer, limit=16, lease=90.0):
        """Up to `limit` messages for this consumer: retries and lapsed leases that are due, then new ones.
        Each is leased to the consumer for `lease` seconds. An idle poll only reads (no write lock)."""
        if self.clock() - self._trimmed > 30:
            self.trim()
        if not self._work(topic, group):
            return []

        def run(db):
            now = self.clock()
            out = []
            due = db.execute("SELECT p.msg_id, p.attempts, m.body, m.content_type, m.expires FROM pending p "
                             "JOIN messages m ON m.id = p.msg_id WHERE p.scope=? AND p.topic=? AND p.grp=? AND "
                             "p.due<=? ORDER BY p.due, p.msg_id LIMIT ?",
                             (self.scope, topic, group, now, limit)).fetchall()
            for msg_id, attempts, body, ctype, expires in due:
                if expires is not None and expires < now:
                    db.execute("DELETE FROM pending WHERE scope=? AND topic=? AND grp=? AND msg_id=?",
                               (self.scope, topic, group, msg_id))
                    continue
                db.execute("UPDATE pending SET consumer=?, attempts=?, due=? WHERE scope=? AND topic=? AND grp=? "
                           "AND msg_id=?", (consumer, attempts + 1, now + lease, self.scope, topic, group, msg_id))
                out.append(Message(msg_id, body, ctype, attempts + 1, topic))
            row = db.execute("SELECT last_id FROM cursors WHERE scope=? AND topic=? AND grp=?",
                             (self.scope, topic, group)).fetchone()
            last = row[0] if row else 0
            if row is None:
                db.execute("INSERT INTO cursors (scope, topic, grp, last_id) VALUES (?,?,?,0)",
                           (self.scope, topic, group))
            fresh = db.execute("SELECT id, body, content_type, expires FROM messages WHERE scope=? AND topic=? AND "
                               "id>? ORDER BY id LIMIT ?",
                               (self.scope, topic, last, max(0, limit - len(out)))).fetchall()
            for msg_id, body, ctype, expires in fresh:
                last = msg_id
                if expires is not None and expires < now:
                    continue  # expired before anyone saw it: dropped, as Dapr drops expired messages
                db.execute("INSERT INTO pending (scope, topic, grp, msg_id, consumer, attempts, due) "
                           "VALUES (?,?,?,?,?,1,?)", (self.scope, topic, group, msg_id, consumer, now + lease))
                out.append(Message(msg_id, body, ctype, 1, topic))
            if fresh:
                db.execute("UPDATE cursors SET last_id=? WHERE scope=? AND topic=? AND grp=?",
                           (last, self.scope, topic, group))
            return out
        return self._tx(run)

    def change_token(self):
        """Something that changes when any sidecar writes the broker (the WAL's size and time): a stat, cheap
        enough to check every few milliseconds from the event loop."""
        token = []
        for suffix in ("-wal", ""):
            try:
                st = os.stat(self.path + suffix)
                token.append((st.st_size, st.st_mtime_ns))
            except OSError:
                token.append(None)
        return tuple(token)

    def _work(self, topic, group):
        """Whether a claim could return something (or must create the group's cursor)."""
        with self._lock:
            row = self.db.execute("SELECT last_id FROM cursors WHERE scope=? AND topic=? AND grp=?",
                                  (self.scope, topic, group)).fetchone()
            if row is None:
                return True
            found = self.db.execute(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE scope=? AND topic=? AND id>?) OR EXISTS (SELECT 1 FROM "
                "pending WHERE scope=? AND topic=? AND grp=? AND due<=?)",
                (self.scope, topic, row[0], self.scope, topic, group, self.clock())).fetchone()[0]
            return bool(found)

    def ack(self, topic, group, msg_id):
        """The message is done for this group (delivered, or dropped by the app's answer)."""
        self._tx(lambda db: db.execute("DELETE FROM pending WHERE scope=? AND topic=? AND grp=? AND msg_id=?",
                                       (self.scope, topic, group, msg_id)))

    def retry(self, topic, group, msg_id, delay):
        """Deliver the message to the group again in `delay` seconds (to whichever consumer claims it)."""
        self._tx(lambda db: db.execute("UPDATE pending SET due=?, consumer=NULL WHERE scope=? AND topic=? AND grp=? "
                                       "AND msg_id=?", (self.clock() + delay, self.scope, topic, group, msg_id)))

    def release(self, consumer):
        """A restarted consumer's leases are due at once (it will never answer for them)."""
        self._tx(lambda db: db.execute("UPDATE pending SET due=? WHERE scope=? AND consumer=?",
                                       (self.clock(), self.scope, consumer)))

    def pending_count(self, topic, group):
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM pending WHERE scope=? AND topic=? AND grp=?",
                                   (self.scope, topic, group)).fetchone()[0]

    def trim(self):
        """Drops messages every group has passed (after KEEP_CONSUMED seconds) and any after KEEP_ANY."""
        def run(db):
            now = self.clock()
            db.execute("DELETE FROM messages WHERE scope=? AND published<?", (self.scope, now - KEEP_ANY))
            db.execute("DELETE FROM pending WHERE scope=? AND msg_id NOT IN (SELECT id FROM messages)", (self.scope,))
            db.execute(
                "DELETE FROM messages WHERE scope=? AND published<? AND "
                "EXISTS (SELECT 1 FROM cursors c WHERE c.scope=messages.scope AND c.topic=messages.topic) AND "
                "id <= (SELECT MIN(c.last_id) FROM cursors c WHERE c.scope=messages.scope AND "
                "c.topic=messages.topic) AND "
                "id NOT IN (SELECT msg_id FROM pending p WHERE p.scope=messages.scope AND p.topic=messages.topic)",
                (self.scope, now - KEEP_CONSUMED))
        self._tx(run)
        self._trimmed = self.clock()


_brokers = {}
_brokers_lock = threading.Lock()


def for_scope(scope, path=None):
    """The process's broker for a scope (one connection per scope and file)."""
    key = (scope.lower(), str(path or default_path()))
    with _brokers_lock:
        broker = _brokers.get(key)
        if broker is None:
            broker = _brokers[key] = SqliteBroker(scope, path)
        return broker
