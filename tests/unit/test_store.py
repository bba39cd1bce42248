"""The SQLite state store: WAL, schema version, atomic transactions."""

import sqlite3

import pytest

from azlocal.platform.store import SCHEMA_VERSION, Store


def _doc(name):
    return {"id": f"/subscriptions/s/resourceGroups/{name}", "name": name, "type": "Microsoft.Resources/resourceGroups"}


def test_wal_mode_and_schema_version(tmp_path):
    s = Store(tmp_path / "state.db")
    raw = sqlite3.connect(tmp_path / "state.db")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    s.close()


def test_ids_are_case_insensitive(tmp_path):
    s = Store(tmp_path / "state.db")
    s.put(_doc("MyGroup"), resource_group="MyGroup")
    assert s.get("/SUBSCRIPTIONS/s/resourcegroups/mygroup")["name"] == "MyGroup"
    assert len(s.list(resource_group="MYGROUP")) == 1


def test_failed_transaction_leaves_no_row(tmp_path):
    s = Store(tmp_path / "state.db")
    with pytest.raises(RuntimeError):
        with s.transaction():
            s.put(_doc("half"), resource_group="half")
            raise RuntimeError("boom")
    assert s.get(_doc("half")["id"]) is None


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    s = Store(tmp_path / "state.db")
    with s.transaction():
        s.put(_doc("a"), resource_group="a")
    s.close()
    again = Store(tmp_path / "state.db")
    assert again.get(_doc("a")["id"])["name"] == "a"
