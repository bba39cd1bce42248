"""Where Dapr state lives: one backend object per state component, chosen by the component's type.

Every backend has the same small, synchronous interface (the sidecar calls it on a worker thread):

    get(key) -> Item | None             the stored bytes, their ETag and response metadata (ttlExpireTime)
    bulk_get(keys) -> [Item | None]
    apply(ops)                          upserts and deletes (Op); with `transactional`, all or nothing
    transactional                       whether the component supports /transaction (Dapr's feature)

and raises ETagMismatch (Dapr answers 409), ETagInvalid (400) or BackendError (500). ETag rules are Dapr's:
an ETag (non-empty) must equal the stored one, else mismatch (also when the key does not exist); with
`concurrency: first-write` and no ETag an upsert of an existing key is a mismatch; without ETag, last write
wins. Keys arrive already prefixed (`<app-id>||<key>`, state.py).

Backends:
- SqliteBackend: `state.sqlite` and `state.in-memory`. One SQLite file (WAL) per component under
  <home>/dapr/state/<digest>.db, the digest made from the environment's id, the component's name and type (no
  user-given name reaches the filesystem). Dapr's in-memory store lives in one sidecar's memory; azlocal keeps
  it like sqlite, so an app's replicas share it and it survives restarts (the sidecar's log says so).
  ETags are UUIDs, as Dapr's in-memory and sqlite stores make them.
- RedisBackend: `state.redis`, on the home's redis-server (redis_server.py) whatever `redisHost` says; each
  key is a hash {data, version} as Dapr's redis store keeps it, the ETag is the version; every apply is one
  Lua script (atomic). `redisDB` selects the database.
- `state.azure.blobstorage`: state_blob.BlobBackend.
"""

import collections
import datetime
import hashlib
import logging
import sqlite3
import threading
import time
import uuid

from azlocal.core import safepath

log = logging.getLogger("azlocal.dapr")

Item = collections.namedtuple("Item", "data etag metadata")


class Op:
    """One write: kind "upsert" (value: bytes) or "delete"; etag None when the request had none."""

    __slots__ = ("kind", "key", "value", "etag", "first_write", "ttl")

    def __init__(self, kind, key, value=b"", etag=None, first_write=False, ttl=None):
        self.kind, self.key, self.value, self.etag = kind, key, value, etag or None
        self.first_write, self.ttl = first_write, ttl


class BackendError(Exception):
    """A state store's failure; `status` is what Dapr answers (500 unless the store says otherwise)."""

    status = 500


class ETagMismatch(BackendError):
    status = 409
    prefix = "possible etag mismatch. error from state store"

    def __str__(self):
        return f"{self.prefix}: {self.args[0]}" if self.args and self.args[0] else self.prefix


class ETagInvalid(ETagMismatch):
    status = 400
    prefix = "invalid etag value"


def expire_time(expires):
    """Dapr's `ttlExpireTime` response metadata (RFC 3339, UTC)."""
    when = datetime.datetime.fromtimestamp(expires, datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def file_for(env_id, name, component_type):
    digest = hashlib.sha256(f"{str(env_id).lower()}\n{name}\n{component_type}".encode()).hexdigest()[:32]
    folder = safepath.home_path("dapr", "state")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return safepath.home_path("dapr", "state", f"{digest}.db")


class SqliteBackend:
    transactional = True

    def __init__(self, path):
        self.path = str(path)
        self._local = threading.local()
        self._db().execute("CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value BLOB NOT NULL, "
                           "etag TEXT NOT NULL, expires REAL)")

    def _db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def _row(self, db, key, now):
        row = db.execute("SELECT value, etag, expires FROM state WHERE key = ?", (key,)).fetchone()
        if row is not None and row[2] is not None and row[2] <= now:
            return None
        return row

    def get(self, key):
        row = self._row(self._db(), key, time.time())
        if row is None:
            return None
        return Item(bytes(row[0]), row[1], {"ttlExpireTime": expire_time(row[2])} if row[2] else {})

    def bulk_get(self, keys):
        return [self.get(k) for k in keys]

    def apply(self, ops):
        now = time.time()
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            for op in ops:
                row = self._row(db, op.key, now)
                check_etag(op, row[1] if row else None)
            for op in ops:
                if op.kind == "delete":
                    db.execute("DELETE FROM state WHERE key = ?", (op.key,))
                else:
                    expires = now + op.ttl if op.ttl and op.ttl > 0 else None
                    db.execute("INSERT OR REPLACE INTO state VALUES (?,?,?,?)",
                               (op.key, op.value, str(uuid.uuid4()), expires))
            db.execute("DELETE FROM state WHERE expires IS NOT NULL AND expires <= ?", (now,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def check_etag(op, current):
    """Dapr's ETag rule for one write against the current ETag (None: no such key)."""
    if op.etag:
        if current is None:
            raise ETagMismatch(f"state not exist or expired for key={op.key}")
        if current != op.etag:
            raise ETagMismatch(f"state etag not match for key={op.key}: current={current}, expect={op.etag}")
    elif op.first_write and op.kind == "upsert" and current is not None:
        raise ETagMismatch("item already exists and no etag was passed")


# Redis ---------------------------------------------------------------------------------------------------

# KEYS: the keys; ARGV: five per op (kind, etag or "", first-write "1"/"0", ttl seconds, value).
# Returns 0, or {index, current version} of the first op whose ETag check fails (nothing written then).
_APPLY = """
for i = 1, #KEYS do
  local base = (i - 1) * 5
  local etag, fw = ARGV[base + 2], ARGV[base + 3]
  local cur = redis.pcall("HGET", KEYS[i], "version")
  if type(cur) == "table" then cur = false end
  if etag ~= "" then
    if (not cur) or cur ~= etag then return {i, cur or ""} end
  elseif fw == "1" and ARGV[base + 1] == "upsert" and cur then
    return {i, cur}
  end
end
for i = 1, #KEYS do
  local base = (i - 1) * 5
  if ARGV[base + 1] == "delete" then
    redis.call("DEL", KEYS[i])
  else
    if redis.call("TYPE", KEYS[i])["ok"] ~= "hash" then redis.call("DEL", KEYS[i]) end
    redis.call("HSET", KEYS[i], "data", ARGV[base + 5])
    redis.call("HINCRBY", KEYS[i], "version", 1)
    local ttl = tonumber(ARGV[base + 4])
    if ttl > 0 then redis.call("EXPIRE", KEYS[i], ttl) else redis.call("PERSIST", KEYS[i]) end
  end
end
return 0
"""


class RedisBackend:
    transactional = True

    def __init__(self, metadata, store_name):
        from azlocal.aca.dapr import redis_server

        host = metadata.get("redisHost")
        log.info(f"state store {store_name}: redisHost '{host or ''}' is served by azlocal's own redis-server "
                 "(a unix socket in the home)")
        try:
            self.client = redis_server.client(metadata.get("redisDB") or 0)
        except (redis_server.RedisUnavailable, ValueError) as ex:
            raise BackendError(f"redis store: error connecting to redis at {host}: {ex}") from ex
        self.script = self.client.register_script(_APPLY)

    def get(self, key):
        return self.bulk_get([key])[0]

    def bulk_get(self, keys):
        import redis

        try:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.hmget(key, "data", "version")
                pipe.ttl(key)
            replies = pipe.execute(raise_on_error=False)
        except redis.RedisError as ex:
            raise BackendError(str(ex)) from ex
        out = []
        for i in range(len(keys)):
            fields, ttl = replies[2 * i], replies[2 * i + 1]
            if isinstance(fields, Exception) or not fields or fields[0] is None:
                out.append(None)
                continue
            meta = {"ttlExpireTime": expire_time(time.time() + ttl)} if isinstance(ttl, int) and ttl > 0 else {}
            out.append(Item(fields[0], (fields[1] or b"").decode(), meta))
        return out

    def apply(self, ops):
        import redis

        args = []
        for op in ops:
            if op.etag:
                try:
                    int(op.etag)
                except ValueError:
                    raise ETagInvalid(f'strconv.Atoi: parsing "{op.etag}": invalid syntax') from None
            args += [op.kind, op.etag or "", "1" if op.first_write else "0", str(int(op.ttl or 0)),
                     op.value if op.kind == "upsert" else b""]
        try:
            result = self.script(keys=[op.key for op in ops], args=args)
        except redis.RedisError as ex:
            raise BackendError(str(ex)) from ex
        if result != 0:
            op = ops[int(result[0]) - 1]
            what = "set key" if op.kind == "upsert" else "delete"
            raise ETagMismatch(f"failed to {what} {op.key}")


def make(component, env_id, ctx=None):
    """The backend of a state component (state.py caches one per component and metadata)."""
    kind = str(component.type).lower()
    meta = component.metadata or {}
    if kind in ("state.sqlite", "state.in-memory"):
        if kind == "state.in-memory":
            log.info(f"state store {component.name}: state.in-memory is kept by azlocal in the home (shared by the "
                     "app's replicas, surviving restarts), not in this sidecar's memory")
        elif meta.get("connectionString"):
            log.info(f"state store {component.name}: connectionString is not used; azlocal keeps the database in "
                     "its home")
        return SqliteBackend(file_for(env_id, component.name, kind))
    if kind == "state.redis":
        return RedisBackend(meta, component.name)
    if kind == "state.azure.blobstorage":
        from azlocal.aca.dapr.state_blob import BlobBackend

        return BlobBackend(component, ctx)
    raise LookupError(kind)
