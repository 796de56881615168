"""Work given to staff users (`AssignmentRecord`): a vendor's review waiting, or a vendor's response to a remediation
waiting for a decision, assigned to a reviewer with a due date, reassigned or unassigned, and ended in the
transaction of the event that ended the wait (`end_finished`, called as the vendors' state rows are written, for a
review; `end_decided`, called as the response is decided, for a response); what is assigned to whom and what waits unassigned, read in SQL over
the state rows and the assignments' indexes; the daily digests sent (`WorkDigestRecord`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Connection, case, exists, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from .engine import Repository, retry_locked
from .evidence_tables import RemediationResponse
from .tables import AuditEvent, RemediationRecord, StaffUser, Vendor, VendorStateRecord
from .tables_work import AssignmentRecord, WorkDigestRecord, live_key

A = AssignmentRecord.__table__.c
S = VendorStateRecord.__table__.c
R = RemediationResponse.__table__.c
M = RemediationRecord.__table__.c


def _response_waits(vendor_id: Any, ref_id: Any) -> Any:
    """The response still waits for a decision and its remediation is still open (not set aside)."""
    return select(R.id).where(R.id == ref_id, R.vendor_id == vendor_id, R.state == "waiting",
                              _remediation_open(R.vendor_id, R.remediation)).exists()


def _remediation_open(vendor_id: Any, code: Any) -> Any:
    return select(M.id).where(M.vendor_id == vendor_id, M.code == code, M.state == "open").exists()


WAITING: dict[str, Callable[[Any, Any], Any]] = {
    "review": lambda vendor_id, _ref: select(S.vendor_id).where(S.vendor_id == vendor_id,
                                                                 S.review_pending.is_(True)).exists(),
    "response": _response_waits,
}
"""Each kind of work: the SQL condition that it still waits (so it may be assigned), for a vendor id and a ref id
(columns or values): a review the vendor's decision waits for; a response (ref id: the response's id) waiting for
a decision on a remediation still open."""


class WorkItem(NamedTuple):
    """A live assignment, as My work lists it."""

    assignment_id: str
    kind: str
    vendor_id: str
    vendor: str
    ref_id: str | None
    assignee: str
    due_on: dt.date
    assigned_by: str
    assigned_at: dt.datetime
    assessed_on: dt.date | None
    remediation: str | None = None
    """a response's: the code of the remediation it answers (R3)"""
    set_aside: bool = False
    """a response's: it waits no more (its remediation was closed meanwhile): nothing to decide, only to unassign"""


class WaitingReview(NamedTuple):
    """A vendor whose decision waits for a review nobody is assigned."""

    vendor_id: str
    vendor: str
    assessed_on: dt.date | None


class WaitingResponse(NamedTuple):
    """A vendor's response to a remediation, waiting for a decision nobody is assigned."""

    response_id: str
    vendor_id: str
    vendor: str
    remediation: str
    kind: str
    sent_at: dt.datetime


class Assigned(NamedTuple):
    assignment: AssignmentRecord
    before: str | None
    """the assignee it had before (a reassignment), or None"""


def _live(conn: Connection, kind: str, vendor_id: str, ref_id: str | None) -> AssignmentRecord | None:
    row = conn.execute(select(AssignmentRecord.__table__).where(
        A.live_key == live_key(kind, vendor_id, ref_id))).mappings().first()
    return AssignmentRecord(**row) if row else None


def _end(conn: Connection, ids: list[str], how: str, by: str | None) -> None:
    conn.execute(update(AssignmentRecord.__table__).where(A.id.in_(ids), A.ended_at.is_(None))
                 .values(ended_at=dt.datetime.now(dt.UTC), ended_how=how, ended_by=by, live_key=None))


def _audit(conn: Connection, a: AssignmentRecord, actor: str | None, *, audit: str, **detail: Any) -> None:
    """The audit event of a change to an assignment (`audit`: its action code), in the caller's transaction."""
    conn.execute(insert(AuditEvent.__table__), [{
        "at": dt.datetime.now(dt.UTC), "action": audit, "vendor_id": a.vendor_id, "subject": a.assignee,
        "actor": actor, "detail": {"kind": a.kind, "ref_id": a.ref_id, "due_on": a.due_on.isoformat(), **detail}}])


def lock_vendor(conn: Connection, vendor_id: str) -> None:
    """The vendor's row taken (PostgreSQL) as the state keeper takes it: an assignment and the event that ends
    the wait (a review, a response decided) wait for each other, so neither reads what the other is about to change."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(Vendor.id).where(Vendor.id == vendor_id).with_for_update(key_share=True))


class Assignments(Repository):
    @retry_locked
    def assign(self, kind: str, vendor_id: str, ref_id: str | None, *, assignee: str, due_on: dt.date,
               by: str) -> Assigned | None:
        """Give the work to `assignee` (ending the live assignment it had, if any: a reassignment), in one
        transaction; None when the work no longer waits (the review was done meanwhile)."""
        for attempt in range(2):
            try:
                return self._assign(kind, vendor_id, ref_id, assignee=assignee, due_on=due_on, by=by)
            except IntegrityError:  # another made the live one between our read and our insert: read it again
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _assign(self, kind: str, vendor_id: str, ref_id: str | None, *, assignee: str, due_on: dt.date,
                by: str) -> Assigned | None:
        with self.begin() as conn:
            lock_vendor(conn, vendor_id)
            if not conn.execute(select(WAITING[kind](vendor_id, ref_id))).scalar():
                return None
            before = _live(conn, kind, vendor_id, ref_id)
            if before is not None:
                _end(conn, [before.id], "reassigned", by)
            made = AssignmentRecord(kind=kind, vendor_id=vendor_id, ref_id=ref_id, assignee=assignee,
                                    due_on=due_on, assigned_by=by, live_key=live_key(kind, vendor_id, ref_id))
            conn.execute(insert(AssignmentRecord.__table__), [made.model_dump()])
            _audit(conn, made, by, audit="work_reassigned" if before else "work_assigned",
                   before=before.assignee if before else None)
            return Assigned(made, before.assignee if before else None)

    @retry_locked
    def unassign(self, kind: str, vendor_id: str, ref_id: str | None, *, by: str) -> AssignmentRecord | None:
        """End the work's live assignment (None when it had none)."""
        with self.begin() as conn:
            found = _live(conn, kind, vendor_id, ref_id)
            if found is not None:
                _end(conn, [found.id], "unassigned", by)
                _audit(conn, found, by, audit="work_unassigned")
            return found

    def live(self, kind: str, vendor_id: str, ref_id: str | None = None) -> AssignmentRecord | None:
        with self.connect() as conn:
            return _live(conn, kind, vendor_id, ref_id)

    def of_vendor(self, vendor_id: str) -> list[AssignmentRecord]:
        """A vendor's assignments, live and ended, newest first."""
        with self.connect() as conn:
            return [AssignmentRecord(**r) for r in conn.execute(
                select(AssignmentRecord.__table__).where(A.vendor_id == vendor_id)
                .order_by(A.assigned_at.desc(), A.id)).mappings()]

    def mine(self, assignee: str, limit: int = 500) -> list[WorkItem]:
        """The live assignments of `assignee`, soonest due first (so the overdue first), then by vendor name:
        one range of the (assignee, ended_at, due_on) index."""
        query = (select(A.id, A.kind, A.vendor_id, Vendor.name, A.ref_id, A.assignee, A.due_on, A.assigned_by,
                        A.assigned_at, S.assessed_on, R.remediation,
                        case((A.kind == "response",  # the joined response: set aside?
                              ~((R.state == "waiting") & _remediation_open(R.vendor_id, R.remediation))), else_=False))
                 .join(Vendor, Vendor.id == A.vendor_id).outerjoin(VendorStateRecord.__table__,
                                                                   S.vendor_id == A.vendor_id)
                 .outerjoin(RemediationResponse.__table__, (A.kind == "response") & (R.id == A.ref_id))
                 .where(A.assignee == assignee, A.ended_at.is_(None))
                 .order_by(A.due_on, Vendor.name, A.id).limit(limit))
        with self.connect() as conn:
            return [WorkItem(*r[:-1], set_aside=bool(r[-1])) for r in conn.execute(query)]

    def unassigned_reviews(self, after: tuple | None = None, limit: int = 25
                           ) -> tuple[list[WaitingReview], list[tuple]]:
        """The vendors waiting for a review with no live assignment, the longest waiting first (by the day of the
        assessment, then name, then id), after the place `after`; and the place of each (keyset: a page reads a
        range of the (review_pending, assessed_on) index, each vendor probed for an assignment by its index). The
        rows must hold for the day (`flows.usecases.vendor_list.rows_for_the_day`: a row of a store older than
        revision 0012 gets its assessment's day there)."""
        place = [S.assessed_on, Vendor.name, Vendor.id]
        query = (select(S.vendor_id, Vendor.name, S.assessed_on, *place).join(Vendor, Vendor.id == S.vendor_id)
                 .where(S.review_pending.is_(True), ~_assigned("review")).order_by(*place).limit(limit))
        if after is not None:
            query = query.where(tuple_(*place) > tuple_(*after))
        with self.connect() as conn:
            rows = conn.execute(query).all()
        return [WaitingReview(*r[:3]) for r in rows], [tuple(r[3:]) for r in rows]

    def count_unassigned_reviews(self) -> int:
        with self.connect() as conn:
            return conn.execute(select(func.count()).select_from(VendorStateRecord.__table__).where(
                S.review_pending.is_(True), ~_assigned("review"))).scalar_one()

    def unassigned_responses(self, after: tuple | None = None, limit: int = 25
                             ) -> tuple[list[WaitingResponse], list[tuple]]:
        """The responses waiting for a decision on a remediation still open, with no live assignment, the longest
        waiting first (by when sent, then id), after the place `after`; and the place of each (keyset: the
        (state, sent_at) index of the responses, each probed for its remediation and an assignment by theirs)."""
        place = [R.sent_at, R.id]
        query = (select(R.id, R.vendor_id, Vendor.name, R.remediation, R.kind, R.sent_at, *place)
                 .join(Vendor, Vendor.id == R.vendor_id).where(*_unassigned_response()).order_by(*place).limit(limit))
        if after is not None:
            query = query.where(tuple_(*place) > tuple_(*after))
        with self.connect() as conn:
            rows = conn.execute(query).all()
        return [WaitingResponse(*r[:6]) for r in rows], [tuple(r[6:]) for r in rows]

    def count_unassigned_responses(self) -> int:
        with self.connect() as conn:
            return conn.execute(select(func.count()).select_from(RemediationResponse.__table__)
                                .where(*_unassigned_response())).scalar_one()

    def counts(self, on: dt.date) -> dict[str, tuple[int, int]]:
        """assignee -> (live assignments, those overdue on `on`)."""
        query = (select(A.assignee, func.count(), func.sum(case((A.due_on < on, 1), else_=0)))
                 .where(A.ended_at.is_(None)).group_by(A.assignee))
        with self.connect() as conn:
            return {who: (n, int(late or 0)) for who, n, late in conn.execute(query)}

    # -- the daily digest -----------------------------------------------------------------------------------------
    def digest_readers(self, on: dt.date) -> list[str]:
        """The e-mails of the enabled reviewers and admins who want the digest and were not sent one on `on`."""
        sent = select(WorkDigestRecord.email).where(WorkDigestRecord.sent_on == on)
        query = (select(StaffUser.email).where(StaffUser.role.in_(("reviewer", "admin")),
                                               StaffUser.disabled.is_(False), StaffUser.digest_mail.is_(True),
                                               StaffUser.email.not_in(sent)).order_by(StaffUser.email))
        with self.connect() as conn:
            return list(conn.execute(query).scalars())

    @retry_locked
    def digest_sent(self, email: str, on: dt.date, assigned: int, overdue: int, unassigned: int) -> None:
        """Record a digest sent (and audit it): a second run of the day sends that user none."""
        with self.begin() as conn:
            conn.execute(insert(WorkDigestRecord.__table__), [dict(email=email, sent_on=on, assigned=assigned,
                                                                   overdue=overdue, unassigned=unassigned)])
            conn.execute(insert(AuditEvent.__table__), [{
                "at": dt.datetime.now(dt.UTC), "action": "work_digest_mailed", "vendor_id": None, "subject": email,
                "actor": None, "detail": {"on": on.isoformat(), "assigned": assigned, "overdue": overdue,
                                          "unassigned": unassigned}}])


def _assigned(kind: str):
    """A live assignment of this kind exists for the state row's vendor (the (vendor_id, kind, ended_at) index)."""
    return exists().where(A.vendor_id == S.vendor_id, A.kind == kind, A.ended_at.is_(None))


def _unassigned_response() -> list[Any]:
    """A response waits for a decision, its remediation is open, and nobody has it (the (vendor_id, kind, ended_at)
    index of the assignments)."""
    live = exists().where(A.vendor_id == R.vendor_id, A.kind == "response", A.ended_at.is_(None), A.ref_id == R.id)
    return [R.state == "waiting", _remediation_open(R.vendor_id, R.remediation), ~live]


def end_decided(conn: Connection, vendor_id: str, response_id: str) -> None:
    """End, as done, the live assignment of a response, in the transaction that decided it; audited."""
    found = _live(conn, "response", vendor_id, response_id)
    if found is not None:
        _end(conn, [found.id], "done", None)
        _audit(conn, found, None, audit="work_done")


def end_finished(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """End, as done, the live review assignments of the vendors whose new state row no longer waits for a review
    (a review recorded, or a new assessment that needs none), in the transaction that wrote the rows; audited."""
    ids = [r["vendor_id"] for r in rows if "review_pending" in r and not r["review_pending"]]
    if not ids:
        return
    found = [AssignmentRecord(**r) for start in range(0, len(ids), 1000) for r in conn.execute(
        select(AssignmentRecord.__table__).where(A.vendor_id.in_(ids[start:start + 1000]), A.kind == "review",
                                                 A.ended_at.is_(None))).mappings()]
    if found:
        _end(conn, [a.id for a in found], "done", None)
        for a in found:
            _audit(conn, a, None, audit="work_done")
