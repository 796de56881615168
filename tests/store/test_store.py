"""The store on the backend under test (SQLite, or PostgreSQL in CI's second run)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from flows.usecases.remediations import sync
from supplier_models import Store
from supplier_models.store.tables import AssessmentRecord
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.intake import receive

HEAD = "0019"


def _assessment(record, **changes) -> AssessmentRecord:
    values = dict(vendor_id=record.vendor_id, submission_id=record.id, assessed_on=dt.date(2026, 11, 23),
                  decision="qualified", score=88.5, geo_band="low", valid_until=dt.date(2027, 11, 23),
                  rubric_version="RDE-1-rubric 1.0.0", country_data_version="2026.11-1", data={"k": 1})
    return AssessmentRecord(**{**values, **changes})


def test_opening_creates_the_schema_and_reopening_is_a_no_op(database_url):
    Store(database_url).close()
    store = Store(database_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"vendor", "submission", "assessment", "sow_document", "audit_event", "alembic_version"} <= tables
    with store.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == HEAD
    store.close()


def test_a_submission_is_stored_once_and_reads_back_equal(store, example_workbooks):
    path = example_workbooks[EXAMPLES[4].name]
    first = receive(path, store)
    again = receive(path, store)
    assert not first.duplicate and again.duplicate
    assert again.record.id == first.record.id
    assert store.counts()["submission"] == 1 and store.counts()["vendor"] == 1
    assert store.submissions.read(first.record) == first.submission
    assert first.record.questionnaire_id == "RDE-1" and len(first.record.sha256) == 64


def test_a_changed_workbook_is_a_new_submission_for_the_same_vendor(store, example_workbooks, tmp_path):
    from supplier_models.workbooks.form import fill_form

    path = example_workbooks[EXAMPLES[0].name]
    receive(path, store)
    changed = fill_form(path, {"COMM-02": 2}, out=tmp_path / "changed.xlsx")
    receive(changed, store)
    assert store.counts()["vendor"] == 1
    assert store.counts()["submission"] == 2


def test_assessments_are_never_updated_by_anyone(store, example_workbooks):
    received = receive(example_workbooks[EXAMPLES[0].name], store)
    record = store.assessments.add(_assessment(received.record), sync=sync)
    with store.session() as s:
        stored = s.get(AssessmentRecord, record.id)
        stored.score = 12.0
        s.add(stored)
        with pytest.raises(DBAPIError, match="never updated"):
            s.commit()
    with store.engine.begin() as conn, pytest.raises(DBAPIError, match="never updated"):
        conn.execute(text("update assessment set decision = 'not_qualified'"))
    assert store.assessments.latest(received.record.vendor_id).score == 88.5


def test_requalification_adds_an_assessment_and_keeps_the_old(store, example_workbooks):
    received = receive(example_workbooks[EXAMPLES[0].name], store)
    intake = {a.id for a in store.assessments.of_submission(received.record.id)}  # the intake's own assessment
    first = store.assessments.add(_assessment(received.record), sync=sync)
    second = store.assessments.add(_assessment(received.record, score=70.0, decision="conditional",
                                              reason="requalification"), sync=sync)
    assert len(intake) == 1
    assert {a.id for a in store.assessments.of_submission(received.record.id)} == intake | {first.id, second.id}
    assert store.assessments.latest(received.record.vendor_id).id == second.id
    actions = [a for a in ("assessment_intake", "assessment_requalification")]
    with store.engine.connect() as conn:
        logged = {r[0] for r in conn.execute(text("select action from audit_event"))}
    assert set(actions) <= logged


def test_an_unreachable_database_is_a_clear_error():
    from supplier_models import StoreError

    with pytest.raises(StoreError, match="cannot open the store at postgresql"):
        Store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def test_on_postgresql_the_streamed_reads_are_planned_for_their_whole_result(store):
    # The store reads its large results through server-side cursors to the end. PostgreSQL plans a cursor for its
    # first 10% by default, and right after a bulk write (no ANALYZE yet) that chose a nested loop rescanning every
    # latest assessment for each vendor: quadratic (17 s a lifecycle pass at 10,000 vendors, bench/team_stack.py).
    if store.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with store.engine.connect() as conn:
        assert conn.execute(text("SHOW cursor_tuple_fraction")).scalar() == "1"


def test_sign_in_failures_are_kept_while_they_count_and_no_longer(store):
    """The sign-in limits count an address's failures within the window; older ones are deleted when that address
    tries again, so the table holds the window's failures, not every wrong password ever typed."""
    from sqlalchemy import select

    from supplier_models.store.tables import LoginFailure

    now = dt.datetime.now(dt.UTC)
    window = dt.timedelta(minutes=15)
    for _ in range(5):  # five wrong passwords, an hour ago
        assert store.sessions.take_attempt("ana@example.org", "10.0.0.7", now - 2 * window, per_email=5,
                                           per_client=20)
    assert not store.sessions.take_attempt("ana@example.org", "10.0.0.7", now - 2 * window, per_email=5,
                                           per_client=20)  # blocked while they count
    with store.begin() as conn:  # move them out of the window, as the clock would
        conn.execute(LoginFailure.__table__.update().values(at=now - 2 * window))
    assert store.sessions.take_attempt("bob@example.org", "10.0.0.8", now - window, per_email=5, per_client=20)
    assert store.sessions.take_attempt("ana@example.org", "10.0.0.7", now - window, per_email=5, per_client=20)
    with store.connect() as conn:
        kept = sorted((r.email, r.client) for r in conn.execute(select(LoginFailure.__table__)))
    # the old five went with the next attempt from ana's address: left are that attempt and bob's
    assert kept == [("ana@example.org", "10.0.0.7"), ("bob@example.org", "10.0.0.8")]
