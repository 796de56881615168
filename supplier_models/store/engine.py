"""The database engine: SQLite (the embedded default) or PostgreSQL (a team's), each connection set up for how the
store reads, and the schema brought to the newest migration when a store opens."""

from __future__ import annotations

import ast
import functools
import random
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from .states import Hooks


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("supplier_models") / "store" / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


BUSY_TIMEOUT_MS = 10000
WRITE = "fairsource_write"
"""The execution option of a write transaction (`writer`): on SQLite it begins with BEGIN IMMEDIATE."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Each SQLite connection: write-ahead log (readers and one writer at once, readers never blocked), synced at
    each checkpoint rather than each commit (NORMAL: safe from corruption in WAL), foreign keys, a wait of up to
    10 s for the write lock; and the driver's own transaction handling off (isolation_level None), so that
    `_sqlite_begin` emits BEGIN itself (SQLAlchemy's documented recipe, "Transactions with SQLite and the sqlite3
    driver")."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """A write transaction takes the write lock at its start (BEGIN IMMEDIATE, waiting up to the busy timeout), so
    it never holds a read snapshot it then cannot upgrade (the deadlock SQLite answers at once with "database is
    locked"); a read begins deferred and reads its snapshot while another connection writes."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def writer(bind: Engine | Connection) -> Engine | Connection:
    """The engine whose transactions are writes (`_sqlite_begin`); a connection (in its transaction) as it is."""
    return bind.execution_options(**{WRITE: True}) if isinstance(bind, Engine) else bind


P = ParamSpec("P")
T = TypeVar("T")
LOCK_RETRIES = 4


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (or "database table is locked"): the write lock was not had in time."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc.orig)


def retry_locked(fn: Callable[P, T]) -> Callable[P, T]:
    """A write transaction that met "database is locked" (after the busy timeout) run again, a few times, after
    a growing, jittered pause; it is all or nothing, so running it again is safe."""

    @functools.wraps(fn)
    def retried(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(LOCK_RETRIES + 1):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 (the store's own errors wrap the OperationalError)
                cause = exc if is_locked(exc) else exc.__cause__
                if attempt == LOCK_RETRIES or cause is None or not is_locked(cause):
                    raise
                time.sleep(0.05 * 2 ** attempt * (1 + random.random()))
        raise AssertionError("unreachable")

    return retried


def _postgresql_settings(dbapi_connection, _record) -> None:
    """The store streams its large reads through server-side cursors (yield_per) and reads each to the end, so
    the planner is told to plan them for the whole result (cursor_tuple_fraction 1), not, by default, for the
    first 10% of it. With the default, right after a bulk write (a requalification's new assessments, before
    any ANALYZE) it walked the vendors in name order and joined each to a rescan of every latest assessment:
    17 s for 10,000 vendors per lifecycle pass, growing with the square (bench/team_stack.py)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET cursor_tuple_fraction = 1")
    cursor.close()
    dbapi_connection.commit()  # psycopg opens a transaction for the SET: close it, the setting stays


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgresql_settings)
    _engines.add(engine)
    return engine


def close_engines() -> None:
    """Close the pooled connections of every engine this process made (a command about to exit: the database
    server sees each connection ended, not dropped)."""
    for engine in list(_engines):
        engine.dispose()


@cache
def migration_heads() -> frozenset[str]:
    """The newest revision(s) of the shipped migrations, read from their files' `revision` and `down_revision`
    (Alembic itself takes half a second to import and load them; a store at head needs none of it)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (resources.files("supplier_models") / "store" / "migrations" / "versions").iterdir():
        if not path.name.endswith(".py"):
            continue
        found = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
                node.target if isinstance(node, ast.AnnAssign) and node.value is not None else None
            if isinstance(target, ast.Name):
                found[target.id] = node.value
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", ast.Constant(None)))
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def _current_heads(conn) -> set[str] | None:
    """The revisions the database is at; None without Alembic's version table (a new or foreign database)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when it is there already).

    A store at head is recognised without Alembic (one small query); Alembic is loaded only to upgrade."""
    with engine.connect() as conn:
        if _current_heads(conn) == migration_heads():
            return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    with writer(engine).begin() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        if current == set(script.get_heads()):
            return
        command.upgrade(alembic_config(conn), "head")


class Repository:
    """The queries over one aggregate, on the store's engine: each opens a session (ORM records) or a connection
    (plain typed rows) of its own and commits what it writes in one transaction."""

    def __init__(self, engine: Engine | Connection, hooks: Hooks | None = None) -> None:
        from .states import Hooks  # noqa: F811 (the hooks live with the state they keep)

        self.engine = engine
        self.hooks = hooks if hooks is not None else Hooks()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for a write transaction (on SQLite, one that takes the write lock at its start)."""
        with Session(writer(self.engine), expire_on_commit=False) as session:
            yield session

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed at the end (or the caller's transaction, `within`)."""
        if isinstance(self.engine, Connection):
            yield self.engine
        else:
            with writer(self.engine).begin() as conn:
                yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection of its own, or, for repositories bound to a transaction (`Store.within`), that one."""
        if isinstance(self.engine, Connection):
            yield self.engine
        else:
            with self.engine.connect() as conn:
                yield conn


def only(query, column, vendor_id: str | list[str] | None):
    """The query narrowed to one vendor, to a list of them, or left whole (None)."""
    if vendor_id is None:
        return query
    return query.where(column == vendor_id) if isinstance(vendor_id, str) else query.where(column.in_(vendor_id))


def literal_like(text: str) -> str:
    """`text` for a LIKE pattern (with `escape="\\"`) that matches it as written: its %, _ and \\ are letters."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
