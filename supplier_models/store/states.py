"""Each vendor's current state (`vendor_state`): written in the transaction of the event that changed it, through
the keeper the use cases install (`Hooks.keeper`: the store knows no lifecycle rule), and read by the pages and by
the daily run, which looks only at the vendors whose next action date has come."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Date, String, case, cast, delete, false, func, insert, literal, or_, select, tuple_

from .assignments import end_finished
from .engine import Repository, literal_like, only
from .framework_tables import AssessmentFramework
from .rows import SORTS, UNASSIGNED, Glance, ListedVendor, ListFilters, ListOrder
from .tables import AssessmentRecord, RemediationRecord, Vendor, VendorPlaceRecord, VendorStateRecord

Mode = Literal["event", "quiet", "told"]
"""event: the event itself is to be told (a decision scored or reviewed): its vendor is due on its day;
quiet: nothing to tell (a remediation closed, a form asked for): what was due stays due;
told: the notices were recorded: the next action is the state's own."""

Keeper = Callable[[Connection, list[str], dt.date, Mode], None]


@dataclass
class Hooks:
    """What the store calls inside its write transactions; the use cases set it (one per store)."""

    keeper: Keeper | None = None

    def changed(self, conn: Connection, vendor_ids: Iterable[str], on: dt.date, mode: Mode) -> None:
        ids = list(dict.fromkeys(vendor_ids))
        if self.keeper is not None and ids:
            self.keeper(conn, ids, on, mode)


STATE_COLUMNS = [c.name for c in VendorStateRecord.__table__.columns]


class VendorStates(Repository):
    def lock(self, conn: Connection, vendor_ids: list[str]) -> None:
        """Take these vendors' state for this transaction (PostgreSQL: their vendor rows `FOR NO KEY UPDATE`, in id
        order, so two writers wait for each other and never deadlock; it does not conflict with the key-share lock
        a row referring to the vendor takes). A writer that waited then reads what the other committed: two events
        of one vendor at once (two reviews, a review and an intake) both count in its row, and neither meets the
        other's row half-replaced. SQLite has one writer at a time: nothing to take."""
        if conn.dialect.name == "postgresql" and vendor_ids:
            conn.execute(select(Vendor.id).where(Vendor.id.in_(sorted(set(vendor_ids)))).order_by(Vendor.id)
                         .with_for_update(key_share=True))

    def put(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Replace these vendors' rows, in the caller's transaction (their state taken first, `lock`)."""
        table, places = VendorStateRecord.__table__, VendorPlaceRecord.__table__
        if rows:
            ids = [r["vendor_id"] for r in rows]
            self.lock(conn, ids)
            conn.execute(delete(table).where(table.c.vendor_id.in_(ids)))
            conn.execute(delete(places).where(places.c.vendor_id.in_(ids)))
            conn.execute(insert(table), [{k: v for k, v in r.items() if k not in ("places", "frameworks")}
                                         for r in rows])
            found = [{**p, "vendor_id": r["vendor_id"]} for r in rows for p in r.get("places") or []]
            if found:
                conn.execute(insert(places), found)
            _add_summaries(conn, [f for r in rows for f in r.get("frameworks") or []])
            end_finished(conn, rows)  # the work a row no longer waits for ends with it (assignments.py)

    def previous_next(self, conn: Connection, vendor_ids: list[str]) -> dict[str, dt.date | None]:
        t = VendorStateRecord.__table__.c
        return dict(conn.execute(select(t.vendor_id, t.next_action_on).where(t.vendor_id.in_(vendor_ids))).all())

    def due(self, as_of: dt.date) -> list[str]:
        """The vendors whose next action date has come (an indexed range)."""
        t = VendorStateRecord.__table__.c
        with self.connect() as conn:
            return list(conn.execute(select(t.vendor_id).where(t.next_action_on <= as_of)).scalars())

    def stale(self, on: dt.date) -> list[str]:
        """The vendors whose row no longer holds on `on` (its `holds_until` is before it: indexed)."""
        t = VendorStateRecord.__table__.c
        with self.connect() as conn:
            return list(conn.execute(select(t.vendor_id).where(t.holds_until < on)).scalars())

    def complete(self) -> bool:
        """Every assessed vendor has a row (not so in a store made before rows were kept, until it is rebuilt)."""
        with self.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(VendorStateRecord.__table__)).scalar_one()
            assessed = conn.execute(select(func.count(func.distinct(AssessmentRecord.vendor_id)))).scalar_one()
        return rows >= assessed

    def all(self, vendor_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """vendor id -> its row, as plain values (these vendors', or every vendor's when None)."""
        table = VendorStateRecord.__table__
        with self.connect() as conn:
            return {r["vendor_id"]: dict(r) for r in conn.execute(only(select(table), table.c.vendor_id,
                                                                       vendor_ids)).mappings()}

    def expired(self, as_of: dt.date) -> list[tuple[str, str, dt.date]]:
        """(vendor id, name, valid until) of each vendor whose qualification ended before `as_of`, by name (an
        indexed range; a refusal has no end)."""
        t = VendorStateRecord.__table__.c
        query = (select(t.vendor_id, Vendor.name, t.valid_until).join(Vendor, Vendor.id == t.vendor_id)
                 .where(t.valid_until < as_of, t.decision != "not_qualified").order_by(Vendor.name))
        with self.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def latest_day(self) -> dt.date | None:
        """The latest day any row was computed for (a run `--as-of` a later day than today leaves its rows so)."""
        with self.connect() as conn:
            return conn.execute(select(func.max(VendorStateRecord.__table__.c.state_on))).scalar_one()

    def page(self, filters: ListFilters, *, order: ListOrder | None = None, after: tuple | None = None,
             limit: int) -> tuple[list[ListedVendor], list[tuple]]:
        """Up to `limit` vendors in `order` (then name, then id) after the place `after`, narrowed by `filters`,
        read from the state rows alone (in name order, an index walk whatever the number of vendors), and the
        place of each (where a next page starts after it). The rows must hold for the day
        (`flows.usecases.vendor_state.refresh_rows`). A vendor without a row has no submission yet
        (`awaiting_submission`)."""
        t = VendorStateRecord.__table__.c
        order = order or ListOrder()
        status, listing = _listing(filters)
        key = _sort_key(order, status)
        place = ([key] if key is not None else []) + [Vendor.name, Vendor.id]
        query = (listing.add_columns(Vendor.id, Vendor.name, Vendor.contact_email, status, t.decision, t.valid_until,
                                     t.review_on, t.review_pending, t.open_remediations - t.overdue_remediations,
                                     t.overdue_remediations, t.band, t.countries, Vendor.owner, *place)
                 .order_by(*[c.desc() if order.descending else c for c in place]).limit(limit))
        if after is not None:
            if len(after) != len(place):
                raise ValueError("a place from a list in another order")
            before_or_after = tuple_(*place) < tuple_(*after) if order.descending else tuple_(*place) > tuple_(*after)
            query = query.where(before_or_after)
        with self.connect() as conn:
            rows = conn.execute(query).all()
        vendors = [ListedVendor(vid, name, contact, st, decision, until, review_on, bool(review or False), open_ or 0,
                                overdue or 0, band, countries or [], owner)
                   for vid, name, contact, st, decision, until, review_on, review, open_, overdue, band, countries,
                   owner, *_ in rows]
        return vendors, [tuple(r[-len(place):]) for r in rows]

    def count(self, filters: ListFilters) -> int:
        """How many vendors the filters keep (the rows must hold for the day, as for `page`). Filters on the vendor
        alone (none, its name, its places) count the vendor rows without the state rows: a vendor has one at most."""
        if filters.countries is not None and filters == ListFilters(countries=filters.countries):
            p = VendorPlaceRecord.__table__.c  # a country alone: its vendors on the places' iso2 index
            codes = sorted({code.upper()[:2] for code in filters.countries if code.isalpha()})
            with self.connect() as conn:
                return conn.execute(select(func.count(func.distinct(p.vendor_id))).where(p.iso2.in_(codes))
                                    ).scalar_one() if codes else 0
        if (filters.status or filters.band or filters.service or filters.until_from is not None
                or filters.until_to is not None or filters.fairwork is not None):
            _, listing = _listing(filters)
        else:
            listing = select().select_from(Vendor).where(*_narrowed(filters, None))
        with self.connect() as conn:
            return conn.execute(listing.add_columns(func.count())).scalar_one()

    def by_status(self) -> dict[str, int]:
        """How many vendors have each status (`awaiting_submission`: no submission yet, so no state row): the state
        rows counted by their status index, and the vendors without one by difference."""
        t = VendorStateRecord.__table__.c
        with self.connect() as conn:
            found = dict(conn.execute(select(t.status, func.count()).group_by(t.status)).all())
            vendors = conn.execute(select(func.count()).select_from(Vendor)).scalar_one()
        awaiting = vendors - sum(found.values()) + found.pop(None, 0) + found.pop("awaiting_submission", 0)
        return {**found, "awaiting_submission": awaiting} if awaiting else found

    def framework_summaries(self, assessment_ids: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
        """assessment id -> {framework id: its stored summary (version, points, possible_points, max_points)}."""
        f = AssessmentFramework.__table__.c
        found: dict[str, dict[str, dict[str, Any]]] = {}
        with self.connect() as conn:
            for start in range(0, len(assessment_ids), 2000):
                query = select(f).where(f.assessment_id.in_(assessment_ids[start:start + 2000]))
                for row in conn.execute(query).mappings():
                    found.setdefault(row["assessment_id"], {})[row["framework"]] = dict(row)
        return found

    def fairwork_points(self) -> dict[int | None, int]:
        """How many vendors have each number of Fairwork points (None: no assessment, so no points): the state rows
        counted by their points index, and the vendors without a row by difference."""
        t = VendorStateRecord.__table__.c
        with self.connect() as conn:
            found = dict(conn.execute(select(t.fairwork_points, func.count()).group_by(t.fairwork_points)).all())
            vendors = conn.execute(select(func.count()).select_from(Vendor)).scalar_one()
        missing = vendors - sum(found.values()) + found.pop(None, 0)
        return {**found, None: missing} if missing else found

    def countries(self) -> list[tuple[str, str, str, int, int]]:
        """(iso2, name, band, vendors, workers) for each country and band the vendors' places hold: one grouped
        query over `vendor_place` (the caller merges a country's bands)."""
        p = VendorPlaceRecord.__table__.c
        query = (select(p.iso2, func.min(p.name), p.band, func.count(), func.coalesce(func.sum(p.workers), 0))
                 .group_by(p.iso2, p.band))
        with self.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def reviews_waiting(self, first: int = 10) -> Glance:
        """The vendors whose decision waits for a review the policy requires: how many, and the first (vendor id,
        name, assessed_on of the assessment), oldest first."""
        t = VendorStateRecord.__table__.c
        where = t.review_pending.is_(True)
        query = (select(t.vendor_id, Vendor.name, t.assessed_on).join(Vendor, Vendor.id == t.vendor_id)
                 .where(where).order_by(t.assessed_on, Vendor.name).limit(first))  # the (review_pending, assessed_on) index
        with self.connect() as conn:
            count = conn.execute(select(func.count()).select_from(VendorStateRecord.__table__).where(where))
            return Glance(count.scalar_one(), [tuple(r) for r in conn.execute(query)])

    def expiring(self, on: dt.date, within: tuple[int, ...] = (30, 60, 90), first: int = 10) -> dict[int, Glance]:
        """The qualifications ending within each number of days of `on` (and after the one before): how many, and
        the first (vendor id, name, valid until), soonest first. Refusals and ended qualifications aside."""
        t = VendorStateRecord.__table__.c
        found, start = {}, on
        with self.connect() as conn:
            for days in within:
                end = on + dt.timedelta(days=days)
                where = (t.valid_until >= start, t.valid_until <= end, t.decision != "not_qualified")
                query = (select(t.vendor_id, Vendor.name, t.valid_until).join(Vendor, Vendor.id == t.vendor_id)
                         .where(*where).order_by(t.valid_until, Vendor.name).limit(first))
                count = conn.execute(select(func.count()).select_from(VendorStateRecord.__table__).where(*where))
                found[days] = Glance(count.scalar_one(), [tuple(r) for r in conn.execute(query)])
                start = end + dt.timedelta(days=1)
        return found

    def overdue(self, on: dt.date, first: int = 10) -> Glance:
        """The remediations still open past their due date on `on` (indexed by due date): how many, and the first
        (vendor id, name, code, priority, due date, action), longest overdue first."""
        r = RemediationRecord
        where = (r.state == "open", r.due_date < on)
        query = (select(r.vendor_id, Vendor.name, r.code, r.priority, r.due_date, r.action)
                 .join(Vendor, Vendor.id == r.vendor_id).where(*where)
                 .order_by(r.due_date, Vendor.name, r.code).limit(first))
        with self.connect() as conn:
            count = conn.execute(select(func.count()).select_from(RemediationRecord).where(*where)).scalar_one()
            return Glance(count, [tuple(row) for row in conn.execute(query)])


def _add_summaries(conn: Connection, summaries: list[dict[str, Any]]) -> None:
    """The framework summaries of assessments that have none yet (the vendors' state taken: a writer that waited
    finds those the other wrote); a stored summary is never rewritten."""
    f = AssessmentFramework.__table__.c
    ids = sorted({s["assessment_id"] for s in summaries})
    if ids:
        held = set(conn.execute(select(f.assessment_id).where(f.assessment_id.in_(ids))).scalars())
        new = [s for s in summaries if s["assessment_id"] not in held]
        if new:
            conn.execute(insert(AssessmentFramework.__table__), new)


def _listing(filters: ListFilters):
    t = VendorStateRecord.__table__.c
    status = func.coalesce(t.status, "awaiting_submission")
    base = select().select_from(Vendor).outerjoin(VendorStateRecord.__table__, t.vendor_id == Vendor.id)
    return status, base.where(*_narrowed(filters, status))


def _sort_key(order: ListOrder, status):
    """The SQL value a list sorts by before name and id (None: by name), never null, so a place compares."""
    t = VendorStateRecord.__table__.c
    if order.by not in SORTS:
        raise ValueError(f"a vendor list sorts by one of {', '.join(SORTS)}, not {order.by!r}")
    ranked = {"status": status, "decision": func.coalesce(t.decision, ""), "band": func.coalesce(t.band, "")}
    if order.by in ranked and not order.ranks:
        return ranked[order.by]
    if order.by in ranked:
        return case({value: rank for rank, value in enumerate(order.ranks)}, value=ranked[order.by],
                    else_=len(order.ranks))
    return {"vendor": None,
            "until": func.coalesce(t.valid_until, t.review_on, literal(dt.date(9999, 12, 31), Date)),
            "remediations": func.coalesce(t.overdue_remediations, 0) * 1_000_000 + func.coalesce(t.open_remediations, 0),
            "contact": func.lower(func.coalesce(Vendor.contact_email, "")),
            "owner": func.lower(func.coalesce(Vendor.owner, ""))}[order.by]


def _narrowed(filters: ListFilters, status) -> list:
    t = VendorStateRecord.__table__.c
    where = []
    if filters.status:
        where.append(status == filters.status)
    if filters.band:
        where.append(t.band == filters.band)
    if filters.fairwork is not None:
        where.append(t.fairwork_points == filters.fairwork)
    if filters.countries is not None:  # the row's places (its `countries`, by the places' iso2 index)
        p = VendorPlaceRecord.__table__.c
        codes = sorted({code.upper()[:2] for code in filters.countries if code.isalpha()})
        where.append(select(p.vendor_id).where(p.vendor_id == Vendor.id, p.iso2.in_(codes)).exists()
                     if codes else false())  # probed per vendor in name order: a page stops at its last row
    if filters.service:
        quoted = literal_like(json.dumps(filters.service.replace(chr(0), ""))[1:-1])
        where.append(cast(t.services, String).like(f'%"{quoted}"%', escape="\\"))
    if filters.owner == UNASSIGNED:
        where.append(Vendor.owner.is_(None))
    elif filters.owner:
        where.append(func.lower(Vendor.owner) == filters.owner.lower())
    until = func.coalesce(t.valid_until, t.review_on)
    if filters.until_from is not None:
        where.append(until >= filters.until_from)
    if filters.until_to is not None:
        where.append(until <= filters.until_to)
    if filters.text:
        needle = f"%{literal_like(filters.text.lower().replace(chr(0), ''))}%"  # PostgreSQL text holds no NUL
        where.append(or_(func.lower(Vendor.name).like(needle, escape="\\"),
                         func.lower(func.coalesce(Vendor.contact_email, "")).like(needle, escape="\\")))
    return where
