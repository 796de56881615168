"""Each vendor's state row (`vendor_state`), kept in the transaction of every event that changes it and rebuilt
from the history on demand (`fairsource status --rebuild`). The row is the lifecycle's state (`scoring.states`)
as of the event's day: its status, dates, counts, band, countries and the next day something is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from scoring.lifecycle import ReviewPolicy, load_review_policy
from scoring.states import REPEATING, Item, Rules, VendorState, holds_until, next_action_on
from supplier_models import Settings, Store, get_settings
from supplier_models.store.rows import VendorPlaces
from supplier_models.store.states import STATE_COLUMNS, Mode

from .frameworks import with_summaries
from .status import VendorStatus, statuses, vendor_pages

COMPARED = [c for c in STATE_COLUMNS if c != "state_on"]
CHUNK = 2000
"""Vendors a rebuild or a refresh reads, computes and writes at a time (one transaction each)."""


def rules_of(settings: Settings) -> Rules:
    return Rules(notice_days=settings.rescore_notice_days, repeat_days=settings.overdue_repeat_days,
                 request_within_days=settings.requalify_within_days)


def state_rows(store: Store, policy: ReviewPolicy, rules: Rules, on: dt.date,
               vendor_ids: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The state rows of these vendors (every assessed vendor's when None) as of `on`, from the history, with the
    Fairwork points of the assessment each rests on (its stored framework summary, written with the row when new:
    `frameworks.with_summaries`). The statuses stream: of these vendors only their places and last notices are read
    ahead, never a status each."""
    geography = store.views.countries(vendor_ids)
    told = store.notices.last_told(vendor_ids, REPEATING)
    chunk: list[dict[str, Any]] = []
    for s in statuses(store, policy, on, vendor_ids):
        where = geography.get(s.vendor_id) or VendorPlaces("", [], [], [])
        row = row_of(s, where.band, where.countries, told.get(s.vendor_id), on, rules)
        chunk.append({**row, "services": where.services, "places": where.places})
        if len(chunk) == CHUNK:
            yield from with_summaries(store, chunk)
            chunk = []
    yield from with_summaries(store, chunk)


def row_of(s: VendorStatus, band: str, countries: list[str], last_told: dt.date | None, on: dt.date,
           rules: Rules) -> dict[str, Any]:
    """One vendor's row: its status as `statuses` gives it, and the lifecycle's next action date."""
    items = tuple(Item(r.id, r.due_date, r.priority) for r in [*s.overdue_remediations, *s.open_remediations])
    state = VendorState(decision=s.decision, assessed=s.assessed_decision, submission=s.submission_id,
                        until=s.valid_until or s.review_on, review_pending=s.review_pending, items=items,
                        reattestation_on=s.reattestation_requested_on, on=on,
                        told={"last": last_told} if last_told else {})
    return {"vendor_id": s.vendor_id, "status": s.status, "decision": s.decision,
            "assessed_decision": s.assessed_decision, "assessment_id": s.assessment_id,
            "submission_id": s.submission_id, "assessed_on": s.assessed_on, "valid_until": s.valid_until,
            "review_on": s.review_on,
            "review_pending": s.review_pending, "open_remediations": len(s.open_remediations) + len(
                s.overdue_remediations), "overdue_remediations": len(s.overdue_remediations), "band": band,
            "countries": countries, "contact": s.contact, "reattestation_requested_on": s.reattestation_requested_on,
            "state_on": on, "next_action_on": next_action_on(state, rules), "holds_until": holds_until(state)}


def keep_states(store: Store) -> Store:
    """Install the keeper that writes the changed vendors' rows in each event's transaction (once per store). The
    review policy and the periods are read from the settings at each event, as the rest of a run reads them."""
    if store.hooks.keeper is None:
        def keeper(conn, vendor_ids: list[str], on: dt.date, mode: Mode) -> None:
            settings = get_settings()
            bound = store.within(conn)
            bound.states.lock(conn, vendor_ids)  # then the history read below holds what another writer committed
            before = bound.states.previous_next(conn, vendor_ids)
            rows = list(state_rows(bound, load_review_policy(settings.review_policy), rules_of(settings), on,
                                   vendor_ids))
            for row in rows:
                row["next_action_on"] = _next(row["next_action_on"], before.get(row["vendor_id"]), on, mode)
            bound.states.put(conn, rows)
        store.hooks.keeper = keeper
    return store


AT_ONCE = dt.date.min
"""The next action date of a vendor with an event still to tell (a decision scored or reviewed): the next run,
whatever day it runs for (a review recorded today is told by a run `--as-of` an earlier day too)."""


def _next(own: dt.date | None, before: dt.date | None, on: dt.date, mode: Mode) -> dt.date | None:
    """event: due at once (its notice); quiet: what was due by then stays due; told: the state's own."""
    if mode == "event":
        return AT_ONCE
    keep = before if mode == "quiet" and before is not None and before <= on else None
    due = [d for d in (own, keep) if d]
    return min(due) if due else None


def rebuild(store: Store, settings: Settings, on: dt.date, *, chunk: int = CHUNK) -> dict[str, Any]:
    """Recompute every vendor's row from the history as of `on`; how many rows were added, changed, unchanged, and
    what changed in each (`changes`: vendor id, and each field's [stored, rebuilt] value), in vendor-name order. A
    row's next action date that has come (an untold event) is kept: the history holds no record of it.

    Memory: `chunk` vendors at a time (a keyset walk over the vendor names, `vendor_pages`), each chunk's rows read,
    compared and written in a transaction of its own, so a rebuild holds one chunk's rows (and the changes it
    reports), not every vendor's. Each chunk is recomputed from the history as it is then: a rebuild cut short, or
    an event between two chunks, leaves rows that hold, and a rebuild again finishes the rest."""
    policy, rules = load_review_policy(settings.review_policy), rules_of(settings)
    counts: dict[str, Any] = {"added": 0, "changed": 0, "unchanged": 0, "changes": []}
    for ids in vendor_pages(store, chunk):
        rows = list(state_rows(store, policy, rules, on, ids))
        stored = store.states.all([row["vendor_id"] for row in rows])
        for row in rows:
            _compare(stored.get(row["vendor_id"]), row, on, counts)
        with store.begin() as conn:
            store.states.put(conn, rows)
    return counts


def _compare(old: dict[str, Any] | None, row: dict[str, Any], on: dt.date, counts: dict[str, Any]) -> None:
    """Count `row` against the stored `old` one (keeping its next action date when that has come)."""
    if old is not None and old["next_action_on"] is not None and old["next_action_on"] <= on:
        row["next_action_on"] = min(filter(None, [row["next_action_on"], old["next_action_on"]]))
    key = "added" if old is None else "unchanged" if same(old, row) else "changed"
    counts[key] += 1
    if key == "changed":
        counts["changes"].append({"vendor_id": row["vendor_id"], **{
            c: [_plain(old.get(c)), _plain(row.get(c))] for c in COMPARED if old.get(c) != row.get(c)}})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two rows say the same (the day each was computed for aside)."""
    return all(a.get(c) == b.get(c) for c in COMPARED)


def refresh_rows(store: Store, settings: Settings, on: dt.date) -> int:
    """The rows that no longer hold on `on` by the calendar alone (`holds_until` before it: a qualification
    ended, an item fell overdue, since the row was written) recomputed as of `on`, their next action dates kept
    (nothing is told here: the daily run does). Afterwards every row's status and counts are the vendor's on `on`,
    so a list may filter and count by them in SQL. How many rows were written: none on most
    requests, as the daily run and the first reader of a day leave none behind."""
    policy, rules = load_review_policy(settings.review_policy), rules_of(settings)
    stale = store.states.stale(on)
    for start in range(0, len(stale), CHUNK):
        with store.begin() as conn:
            bound = store.within(conn)
            ids = stale[start:start + CHUNK]
            before = bound.states.previous_next(conn, ids)
            rows = list(state_rows(bound, policy, rules, on, ids))
            for row in rows:
                row["next_action_on"] = _next(row["next_action_on"], before.get(row["vendor_id"]), on, "quiet")
            bound.states.put(conn, rows)
    return len(stale)


def open_store(settings: Settings) -> Store:
    """The store of these settings, keeping its vendors' state rows."""
    from supplier_models.store import store_for

    return keep_states(store_for(settings.url))



def due_statuses(store: Store, policy: ReviewPolicy, as_of: dt.date) -> Iterator[VendorStatus]:
    """The statuses of the vendors with something due on `as_of`, found by the state rows' indexed next action
    date; every vendor's when the rows are not complete yet (a store from before they were kept)."""
    for chunk in due_status_chunks(store, policy, as_of):
        yield from chunk


def due_status_chunks(store: Store, policy: ReviewPolicy, as_of: dt.date,
                      size: int | None = None) -> Iterator[list[VendorStatus]]:
    """`due_statuses` up to `size` vendors at a time (`CHUNK` when None), each chunk read whole: no read is open when
    one is yielded, so the caller may read and write beside (SQLite), and only a chunk's statuses are held at once."""
    size = size or CHUNK
    if store.states.complete():
        due = store.states.due(as_of)
        pages: Iterator[list[str]] = (due[start:start + size] for start in range(0, len(due), size))
    else:
        pages = _every_vendor(store, size)
    for ids in pages:
        yield list(statuses(store, policy, as_of, ids))


def _every_vendor(store: Store, size: int) -> Iterator[list[str]]:
    """Every vendor's id, `size` at a time (a keyset walk over the vendor table)."""
    after = None
    while page := store.vendors.next_ids(after, size):
        yield page
        after = page[-1]


def refresh_due(store: Store, settings: Settings, on: dt.date) -> int:
    """After a run: the rows whose day has come recomputed as of `on`, their next action the state's own (what
    was due has been done or told); all rows rebuilt when they were not complete. How many rows were written."""
    if not store.states.complete():
        return sum(rebuild(store, settings, on).values())
    policy, rules = load_review_policy(settings.review_policy), rules_of(settings)
    due = store.states.due(on)
    for start in range(0, len(due), CHUNK):
        rows = list(state_rows(store, policy, rules, on, due[start:start + CHUNK]))
        with store.begin() as conn:
            store.states.put(conn, rows)
    return len(due)
