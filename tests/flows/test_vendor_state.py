"""Each vendor's stored state row: written with every event in its transaction (intake, review, remediation closed,
rescoring, form asked for, notices told), rebuilt from the history without a change, and the daily run finding
the vendors due by the rows' next action date (real flows, real store: SQLite, and PostgreSQL in CI's second run)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flows.usecases.vendor_state import AT_ONCE
from supplier_models import Store
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.helpers.runs import run as _run

pytestmark = pytest.mark.usefixtures("prefect_engine")
LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA = EXAMPLES[:5]


def _rebuilt(as_of: str) -> dict:
    return json.loads(_run("status", "--rebuild", "--as-of", as_of, "--json").stdout)


def _rows(store: Store) -> dict[str, dict]:
    names = {v.id: v.name for v in store.vendors.all()}
    return {names[vid]: row for vid, row in store.states.all().items()}


def test_every_event_keeps_the_rows_and_rebuilding_from_the_history_changes_nothing(isolated_home, database_url):
    store = Store(database_url)
    paths = [str(write_example(v, isolated_home / "returned")) for v in (LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA)]
    _run("intake", *paths, "--as-of", "2026-12-01")
    rows = _rows(store)
    assert set(rows) == {v.name for v in (LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA)}
    by = {name: r for name, r in rows.items()}
    bright = by[BRIGHT.name]
    assert (bright["status"], bright["decision"], bright["review_pending"]) == ("pending_review", "conditional", True)
    assert bright["valid_until"] == dt.date(2027, 6, 1) and bright["open_remediations"] > 0
    assert bright["band"] and bright["countries"] and all(len(c) == 2 for c in bright["countries"])
    assert all(r["next_action_on"] == AT_ONCE for r in rows.values())  # each intake is to be told at the next run
    assert _rebuilt("2026-12-01") == {"as_of": "2026-12-01", "added": 0, "changed": 0, "unchanged": 5, "changes": []}

    # A review (recorded today), in its transaction: the row says so at once.
    _run("review", BRIGHT.name, "--decision", "approve", "--reason", "Pay plan seen", "--reviewer", "Ana Lima")
    assert _rows(store)[BRIGHT.name]["status"] == "conditional"
    assert _rows(store)[BRIGHT.name]["review_pending"] is False

    # The daily run tells what happened and moves every row's next action to its own day.
    _run("requalify", "--as-of", "2026-12-02")
    rows = _rows(store)
    assert all(r["next_action_on"] is None or r["next_action_on"] > dt.date(2026, 12, 2) for r in rows.values())
    first_due = min(r["next_action_on"] for r in rows.values() if r["next_action_on"])
    assert _rebuilt("2026-12-02")["changed"] == 0

    # Closing a remediation: the counts follow in the same transaction.
    code = store.remediations.all(store.vendors.find(BRIGHT.name).id)[0].code
    before = _rows(store)[BRIGHT.name]["open_remediations"]
    _run("remediate", BRIGHT.name, code, "--evidence", "Policy PDF", "--reviewer", "Ana Lima")
    assert _rows(store)[BRIGHT.name]["open_remediations"] == before - 1

    # Nothing is due before the first next action date: a run the day before tells nothing and asks for nothing.
    quiet = (first_due - dt.timedelta(days=1)).isoformat()
    summary = json.loads(_run("requalify", "--as-of", quiet, "--json").stdout)
    assert summary["reminders"] == [] and summary["reattestation_requested"] == []
    assert _rebuilt(quiet)["changed"] == 0

    # Months later, run after run: the rows stay what the history says.
    for day in ("2027-03-01", "2027-05-02", "2027-05-10", "2027-06-02", "2027-09-01"):
        _run("requalify", "--as-of", day)
        assert _rebuilt(day) == {"as_of": day, "added": 0, "changed": 0, "unchanged": 5, "changes": []}, day
    rows = _rows(store)
    assert rows[BRIGHT.name]["status"] == "expired" and rows[LUMEN.name]["reattestation_requested_on"]
    # Without --as-of: as of the latest day a run was made for (here later than today), not back to today.
    latest = json.loads(_run("status", "--rebuild", "--json").stdout)
    assert (latest["as_of"], latest["changed"]) == ("2027-09-01", 0)


def test_a_store_from_before_the_rows_is_filled_by_the_first_run(isolated_home, database_url):
    store = Store(database_url)
    _run("intake", str(write_example(LUMEN, isolated_home / "returned")), "--as-of", "2026-12-01")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM vendor_state")  # as a store upgraded to 0004 starts
    assert not store.states.complete()
    assert _rebuilt("2026-12-01") == {"as_of": "2026-12-01", "added": 1, "changed": 0, "unchanged": 0, "changes": []}
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM vendor_state")
    _run("requalify", "--as-of", "2026-12-02")  # every vendor looked at, and the rows written
    assert store.states.complete() and _rebuilt("2026-12-02")["changed"] == 0


def test_a_row_left_behind_is_found_by_the_rebuild(isolated_home, database_url):
    """The check has teeth: a write that bypassed the keeper shows as a change."""
    store = Store(database_url)
    _run("intake", str(write_example(LUMEN, isolated_home / "returned")), "--as-of", "2026-12-01")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE vendor_state SET status = 'conditional', open_remediations = 7")
    assert _rebuilt("2026-12-01")["changed"] == 1
    assert _rebuilt("2026-12-01")["changed"] == 0  # and mends it


def test_rows_brought_to_a_later_day_give_that_days_status_and_keep_what_is_due(isolated_home, database_url):
    """Between runs the calendar alone changes statuses and counts (a qualification ends, an item falls overdue):
    the rows whose `holds_until` has passed are recomputed for the day before a list is read from them, and then
    every row's status and counts are the vendor's on that day, as the history gives them; nothing due is lost."""
    from flows.usecases import statuses
    from flows.usecases.vendor_state import open_store, refresh_rows
    from scoring.lifecycle import load_review_policy
    from supplier_models import get_settings

    paths = [str(write_example(v, isolated_home / "returned")) for v in (LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA)]
    _run("intake", *paths, "--as-of", "2026-12-01")
    settings = get_settings()
    store, policy = open_store(settings), load_review_policy(settings.review_policy)
    changed_on_some_day = False
    for day in ("2026-12-02", "2027-01-15", "2027-03-02", "2027-06-02", "2027-12-02", "2028-01-01"):
        on = dt.date.fromisoformat(day)
        before = _rows(store)
        written = refresh_rows(store, settings, on)
        rows = _rows(store)
        expected = {s.vendor: (s.status, len(s.open_remediations), len(s.overdue_remediations))
                    for s in statuses(store, policy, on)}
        assert {name: (r["status"], r["open_remediations"] - r["overdue_remediations"], r["overdue_remediations"])
                for name, r in rows.items()} == expected, day
        assert all(r["holds_until"] is None or r["holds_until"] >= on for r in rows.values()), day
        assert all(r["next_action_on"] == AT_ONCE for r in rows.values())  # the intakes are still to be told
        assert written == sum(before[n]["holds_until"] is not None and before[n]["holds_until"] < on
                              for n in before)
        assert refresh_rows(store, settings, on) == 0  # the next reader of that day writes nothing
        changed_on_some_day |= any(before[n]["status"] != rows[n]["status"] for n in rows)
    assert changed_on_some_day and _rows(store)[BRIGHT.name]["status"] == "expired"
