"""The store under concurrent writers, on the backend under test: intakes sent at once through the real use case
(`usecases.intake_one`: read, score, SOW, store), each pair released into the store's write transaction together
by a barrier; SQLite's connections in WAL with writes that take the lock at their start; a write that meets a lock
retried."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from supplier_models.store import engine as store_engine

SQLITE_ONLY = "SQLite's own settings"


def test_sqlite_connections_are_in_wal_and_take_the_write_lock_at_a_writes_start(store, database_url):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip(SQLITE_ONLY)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == store_engine.BUSY_TIMEOUT_MS
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731 (before_cursor_execute's statement)
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        with store.engine.connect() as conn, store.begin():  # a write transaction holds the lock...
            assert conn.execute(text("SELECT count(*) FROM vendor")).scalar() == 0  # ...a read goes on meanwhile
        store.audit.record("checked", actor="tester")
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE"]
    raw = sqlite3.connect(make_url(database_url).database, timeout=0)
    with store.begin(), pytest.raises(sqlite3.OperationalError, match="locked"):  # the lock from its BEGIN on
        raw.execute("BEGIN IMMEDIATE")
    raw.close()


def test_a_write_that_meets_a_lock_is_retried(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _: None)
    calls = []

    @store_engine.retry_locked
    def write() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        return "written"

    assert write() == "written" and len(calls) == 3

    @store_engine.retry_locked
    def always() -> None:
        calls.append(1)
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))

    calls.clear()
    with pytest.raises(OperationalError):
        always()
    assert len(calls) == store_engine.LOCK_RETRIES + 1

    @store_engine.retry_locked
    def other() -> None:
        calls.append(1)
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: x"))

    calls.clear()
    with pytest.raises(OperationalError):
        other()
    assert len(calls) == 1
