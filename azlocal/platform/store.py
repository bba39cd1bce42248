"""The state store: one SQLite file under AZLOCAL_HOME, one row per ARM resource.

Many short-lived `az` processes use it at once: WAL mode lets readers run beside a writer,
`BEGIN IMMEDIATE` serialises read-modify-write, and a generous busy timeout (plus a retry
around opening) keeps "database is locked" from ever reaching the user.
"""

import json
import sqlite3
import threading
import time
from contextlib import contextmanager

from azlocal.core import settings

SCHEMA_VERSION = 1

# Each migration takes the schema from version i to i+1.
MIGRATIONS = [
    """
    CREATE TABLE resources (
        id TEXT PRIMARY KEY,            -- lower-cased ARM id
        type TEXT NOT NULL,             -- lower-cased resource type
        resource_group TEXT,            -- lower-cased group name
        name TEXT NOT NULL,
        doc TEXT NOT NULL               -- the JSON document `show` prints
    );
    CREATE INDEX resources_group ON resources(resource_group);
    CREATE INDEX resources_type ON resources(type);
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
]


class Store:
    def __init__(self, path=None):
        self.path = str(path or settings.db_path())
        self.conn = _retry(self._open)

    def _open(self):
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 60000")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate(conn)
        return conn

    @staticmethod
    def _migrate(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for step in MIGRATIONS[version:SCHEMA_VERSION]:
                for statement in step.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self):
        self.conn.close()

    @contextmanager
    def transaction(self):
        """A write transaction: everything inside commits together or not at all."""
        _retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # Resources -----------------------------------------------------------------------------

    def get(self, resource_id):
        row = self.conn.execute("SELECT doc FROM resources WHERE id = ?", (resource_id.lower(),)).fetchone()
        return json.loads(row[0]) if row else None

    def require(self, resource_id, error):
        """The document, or `error` (an exception, e.g. from core.lookups.not_found) raised."""
        doc = self.get(resource_id)
        if doc is None:
            raise error
        return doc

    def put(self, doc, resource_group=None):
        """Insert or replace a resource document; its `id`, `type` and `name` index it."""
        group = resource_group if resource_group is not None else group_of(doc["id"])
        self.conn.execute(
            "INSERT OR REPLACE INTO resources (id, type, resource_group, name, doc) VALUES (?, ?, ?, ?, ?)",
            (doc["id"].lower(), doc["type"].lower(), (group or "").lower() or None, doc["name"], json.dumps(doc)),
        )

    def delete(self, resource_id):
        cur = self.conn.execute("DELETE FROM resources WHERE id = ?", (resource_id.lower(),))
        return cur.rowcount > 0

    def delete_children(self, resource_id):
        """Removes the rows whose id lies under resource_id (child resources)."""
        prefix = resource_id.lower().rstrip("/") + "/"
        self.conn.execute("DELETE FROM resources WHERE substr(id, 1, ?) = ?", (len(prefix), prefix))

    def list(self, type=None, resource_group=None, parent_id=None):
        sql, params = "SELECT doc FROM resources WHERE 1=1", []
        if type:
            sql += " AND type = ?"
            params.append(type.lower())
        if resource_group:
            sql += " AND resource_group = ?"
            params.append(resource_group.lower())
        if parent_id:
            prefix = parent_id.lower().rstrip("/") + "/"
            sql += " AND substr(id, 1, ?) = ?"
            params += [len(prefix), prefix]
        sql += " ORDER BY rowid"
        return [json.loads(r[0]) for r in self.conn.execute(sql, params)]

    # Small settings (account, extensions) ------------------------------------------------

    def get_value(self, key, default=None):
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_value(self, key, value):
        self.conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def delete_value(self, key):
        self.conn.execute("DELETE FROM kv WHERE key = ?", (key,))


def group_of(resource_id):
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" in lowered:
        idx = lowered.index("resourcegroups")
        if idx + 1 < len(parts):
            return parts[idx + 1]
    return None


def _retry(action, attempts=50):
    """SQLite can still report a lock while a database is being created or migrated."""
    for i in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as ex:
            if "locked" not in str(ex) and "busy" not in str(ex) or i == attempts - 1:
                raise
            time.sleep(0.05 + 0.01 * i)


_store = None
_threads = threading.local()


def store():
    """The store of this process: one connection per `az` process, and one per thread in the daemon
    (an SQLite connection must stay in the thread that opened it)."""
    global _store
    if threading.current_thread() is threading.main_thread():
        if _store is None:
            _store = Store()
        return _store
    if getattr(_threads, "store", None) is None or _threads.path != str(settings.db_path()):
        _threads.store, _threads.path = Store(), str(settings.db_path())
    return _threads.store
