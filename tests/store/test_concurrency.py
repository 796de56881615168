"""The store under concurrent writers, on the backend under test: intakes sent at once through the real use case
(`usecases.intake_one`: read, score, SOW, store), each pair released into the store's write transaction together
by a barrier; SQLite's connections in WAL with writes that take the lock at their start; a write that meets a lock
retried."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from flows import usecases
from supplier_models import Settings, Store, read_workbook
from supplier_models.store import engine as store_engine
from supplier_models.workbooks.examples import EXAMPLES
from supplier_models.workbooks.form import fill_form
from tests.helpers.intake import AS_OF

SQLITE_ONLY = "SQLite's own settings"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    return usecases.load_inputs(settings)


def together(store: Store, n: int) -> None:
    """The next n calls of `store.assessments.record_intake`, one per thread, enter it together (later calls,
    an intake stored again after another changed its vendor's register, go straight in)."""
    barrier, real, entered = threading.Barrier(n, timeout=30), store.assessments.record_intake, threading.local()

    def gated(*args, **kwargs):
        if not getattr(entered, "done", False):
            entered.done = True
            barrier.wait()
        return real(*args, **kwargs)

    store.assessments.record_intake = gated


def intakes_at_once(store: Store, inputs, paths: list[Path], sow_dir: Path, actor: str = "tester"):
    submissions = [read_workbook(p) for p in paths]
    together(store, len(paths))
    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(lambda s: usecases.intake_one(s, store, inputs, AS_OF, sow_dir, actor=actor,
                                                           audit="web_intake"), submissions))


def audit_actions(store: Store) -> list[str]:
    return [e.action for e in store.audit.events(limit=1000)]


def test_two_workbooks_of_a_new_vendor_at_once_are_both_stored_under_one_vendor(store, run, example_workbooks,
                                                                               tmp_path):
    first = example_workbooks[EXAMPLES[1].name]  # conditional: remediations in its register
    second = fill_form(first, {"COMM-02": 2}, out=tmp_path / "changed.xlsx")
    outcomes = intakes_at_once(store, run, [first, second], tmp_path / "sows")
    assert [o.duplicate for o in outcomes] == [False, False]
    assert outcomes[0].vendor_id == outcomes[1].vendor_id
    counts = store.counts()
    assert counts["vendor"] == 1 and counts["submission"] == 2 and counts["assessment"] == 2
    events = store.audit.events(limit=1000)
    assert [e.action for e in events].count("web_intake") == 2  # one per intake, in its transaction, with its actor
    assert {e.actor for e in events if e.action in ("web_intake", "submission_received")} == {"tester"}
    sows = {str(p) for p in (tmp_path / "sows").rglob("*.docx")}
    assert sows == {o.sow for o in outcomes} and None not in sows  # every SOW written is stored, no other


def test_the_same_workbook_twice_at_once_is_stored_once_and_answered_as_a_duplicate(store, run, example_workbooks,
                                                                                   tmp_path):
    path = example_workbooks[EXAMPLES[1].name]
    outcomes = intakes_at_once(store, run, [path, path], tmp_path / "sows")
    assert sorted(o.duplicate for o in outcomes) == [False, True]
    assert outcomes[0].assessment_id == outcomes[1].assessment_id
    counts = store.counts()
    assert counts["vendor"] == 1 and counts["submission"] == 1 and counts["assessment"] == 1
    actions = audit_actions(store)
    assert actions.count("submission_received") == 1 and actions.count("web_intake") == 2
    assert [str(p) for p in (tmp_path / "sows").rglob("*.docx")] == [outcomes[0].sow]  # the loser's is removed


def test_a_burst_of_intakes_is_exact_and_leaves_no_lock(store, database_url, run, example_workbooks, tmp_path):
    paths = [example_workbooks[v.name] for v in EXAMPLES] * 2  # six vendors, each sent twice, all at once
    outcomes = intakes_at_once(store, run, paths, tmp_path / "sows")
    accepted = [o for o in outcomes if not o.duplicate]
    counts = store.counts()
    assert len(accepted) == len(EXAMPLES) == counts["submission"] == counts["assessment"] == counts["vendor"]
    actions = audit_actions(store)
    assert actions.count("submission_received") == len(accepted) and actions.count("web_intake") == len(paths)
    start = time.perf_counter()
    store.audit.record("after_the_burst", actor="tester")
    assert time.perf_counter() - start < 0.5  # at once: no connection kept the write lock
    if make_url(database_url).get_backend_name() == "sqlite":
        other = sqlite3.connect(make_url(database_url).database, timeout=0)  # no waiting: the lock is free now
        other.isolation_level = None
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


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


def test_a_report_that_fails_part_way_gives_its_connections_back_at_once(run, example_workbooks, database_url,
                                                                         tmp_path, monkeypatch):
    """The portfolio report streams three reads (vendors, statuses, remediations), each on a connection. A report
    that fails part-way (the disk, the writer) gives them back at once, in its own thread, not whenever the garbage
    collector reaches the abandoned streams: the error's traceback holds them as long as the error is kept (here as
    Prefect keeps a failed task's exception in its state, while the task's retry runs), and the collector, on
    another thread, closed a SQLite connection in use ('Cannot operate on a closed database')."""
    from flows.usecases import report as report_module
    from supplier_models.store import store_for

    store = store_for(database_url)
    intakes_at_once(store, run, [example_workbooks[v.name] for v in EXAMPLES[:3]], tmp_path / "sows")

    def fails_part_way(rows, path, principles, lines, paper):
        next(iter(rows))
        assert store.engine.pool.checkedout() >= 2  # streams open while the workbook is written
        raise OSError("No space left on device")

    monkeypatch.setattr(report_module, "write_portfolio", fails_part_way)
    settings = Settings(home=tmp_path / "home", database_url=database_url)
    with pytest.raises(OSError) as failed:
        usecases.write_report(settings, str(tmp_path / "portfolio.xlsx"), AS_OF)
    assert failed.value.__traceback__ is not None  # the error, with its frames, still held
    assert store.engine.pool.checkedout() == 0


def test_a_streamed_read_left_by_an_error_gives_its_connections_back_at_once(store, run, example_workbooks,
                                                                              tmp_path):
    """The statuses stream reads two queries (the vendors, their remediations) on one connection. A caller that
    fails part-way (a page that raises, a report that cannot be written) gets it back at once, in its own thread, not
    whenever the garbage collector reaches the generator (which, on another thread, closed a SQLite connection in
    use: 'Cannot operate on a closed database')."""
    from contextlib import closing

    from scoring.lifecycle import load_review_policy

    intakes_at_once(store, run, [example_workbooks[v.name] for v in EXAMPLES[:3]], tmp_path / "sows")
    policy = load_review_policy(None)
    with pytest.raises(RuntimeError), closing(usecases.statuses(store, policy, AS_OF)) as rows:
        for _ in rows:
            assert store.engine.pool.checkedout() == 1  # both streams on one connection while it is read
            raise RuntimeError("the page failed")
    assert store.engine.pool.checkedout() == 0
    stream = usecases.statuses(store, policy, AS_OF)
    next(stream)
    with pytest.raises(ValueError) as failed:  # an error inside the stream itself closes its readers too
        stream.throw(ValueError("a row that does not validate"))
    assert failed.value.__traceback__ is not None and store.engine.pool.checkedout() == 0


@pytest.mark.parametrize("write", ["review", "remediation closed", "contact", "staff user", "invite", "user disabled"])
def test_a_web_write_waits_out_a_lock_held_past_the_busy_timeout(write, database_url, run, example_workbooks,
                                                               tmp_path, monkeypatch):
    """Another process holds SQLite's write lock longer than the busy timeout (shortened here to 50 ms): the
    writes the web app makes (a review, a remediation closed, a contact, a user, an invite, a user disabled) run again
    and land,
    instead of answering 500."""
    import datetime as dt

    from supplier_models.store.tables import ReviewRecord, VendorInvite

    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip(SQLITE_ONLY)
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 50)
    store = Store(database_url)
    intakes_at_once(store, run, [example_workbooks[EXAMPLES[1].name]], tmp_path / "sows")
    vendor = store.vendors.named(EXAMPLES[1].name)
    latest = store.assessments.latest(vendor.id)
    code = store.remediations.all(vendor.id)[0].code
    bob = store.staff.add("bob@example.org", "reviewer", "x") if write == "user disabled" else None
    writes = {
        "review": lambda: store.reviews.add(ReviewRecord(vendor_id=vendor.id, assessment_id=latest.id,
                                                         reviewer="rita", action="approve", reason="checked")),
        "remediation closed": lambda: store.remediations.close(vendor.id, code, evidence="policy v2", reviewer="rita",
                                                               on=AS_OF),
        "contact": lambda: store.vendors.set_contact(vendor.name, "new@example.org"),
        "staff user": lambda: store.staff.add("sam@example.org", "viewer", "x"),
        "invite": lambda: store.invites.add(VendorInvite(vendor_id=vendor.id, token_sha256="0" * 64, created_by="rita",
                                                         expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7))),
        "user disabled": lambda: store.user_admin.set_disabled(bob.id, True, actor="ana",
                                                               now=dt.datetime.now(dt.UTC)),
    }
    other = sqlite3.connect(make_url(database_url).database, timeout=5, check_same_thread=False)
    other.isolation_level = None
    other.execute("BEGIN IMMEDIATE")  # the write lock, held for 0.3 s: six busy timeouts
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        assert writes[write]()
    finally:
        release.join()
        other.close()
    recorded = {"review": "review_approve", "remediation closed": "remediation_closed", "contact": "contact_set",
                "staff user": "user_added", "invite": "invite_created", "user disabled": "user_disabled"}[write]
    assert audit_actions(store).count(recorded) == 1  # once: the failed attempts left nothing


def test_two_reviews_of_one_vendor_at_once_both_count_in_its_state_row(store, database_url, run, example_workbooks,
                                                                       tmp_path, monkeypatch):
    """PostgreSQL, two writers at once (SQLite has one): two reviews of a vendor reach its state row's keeper
    together. The second waits for the first (the vendor's state taken, `VendorStates.lock`), then computes the
    row from both; before, it met the first's new row (a duplicate key: a 500 under 50 users) or, had it not,
    would have written a row without the first review."""
    import datetime as dt

    from flows.usecases.vendor_state import keep_states, rebuild
    from supplier_models.store.tables import ReviewRecord

    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("two writers at once: PostgreSQL")
    keep_states(store)
    intakes_at_once(store, run, [example_workbooks[EXAMPLES[1].name]], tmp_path / "sows")
    vendor = store.vendors.named(EXAMPLES[1].name)
    latest = store.assessments.latest(vendor.id)
    real, barrier = store.hooks.keeper, threading.Barrier(2, timeout=30)

    def together(conn, vendor_ids, on, mode):
        barrier.wait()
        return real(conn, vendor_ids, on, mode)

    monkeypatch.setattr(store.hooks, "keeper", together)

    def review(who: str):
        return store.reviews.add(ReviewRecord(vendor_id=vendor.id, assessment_id=latest.id, reviewer=who,
                                              action="approve", reason=f"checked by {who}"))

    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(review, ["rita", "sam"]))
    assert len(done) == 2 and len(store.reviews.of_vendor(vendor.id)) == 2
    monkeypatch.setattr(store.hooks, "keeper", real)
    settings = Settings(home=tmp_path / "home", database_url=database_url)
    assert rebuild(store, settings, dt.date.today())["changed"] == 0  # the row holds what the history says
