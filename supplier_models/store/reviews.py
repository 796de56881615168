"""Reviews of decisions (approve, reject, override) and the remediation register: a vendor's remediations, each
with its stable id (R1, R2, ...), open until closed with its evidence or no longer raised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Integer, cast, func, insert, update
from sqlalchemy import select as core_select
from sqlmodel import select

from .engine import Repository, only, retry_locked
from .rows import Closing, RemediationChanges, RemediationRow, TrackedRemediation
from .tables import AuditEvent, RemediationRecord, ReviewRecord, SowRecord, Vendor


class Reviews(Repository):
    def of_vendor(self, vendor_id: str) -> list[ReviewRecord]:
        """A vendor's reviews, oldest first."""
        with self.session() as s:
            return list(s.exec(select(ReviewRecord).where(ReviewRecord.vendor_id == vendor_id)
                               .order_by(ReviewRecord.at, ReviewRecord.id)))

    def by_vendor(self, vendor_id: str | list[str] | None = None) -> dict[str, list[ReviewRecord]]:
        """vendor id -> its reviews, oldest first (every vendor's, or one's)."""
        query = select(ReviewRecord).order_by(ReviewRecord.at, ReviewRecord.id)
        query = only(query, ReviewRecord.vendor_id, vendor_id)
        out: dict[str, list[ReviewRecord]] = {}
        with self.session() as s:
            for r in s.exec(query):
                out.setdefault(r.vendor_id, []).append(r)
        return out

    @retry_locked
    def add(self, review: ReviewRecord, sow: SowRecord | None = None) -> ReviewRecord:
        """Append a review (and the SOW it made final, if any) in one transaction."""
        with self.writing() as s:
            s.add(review)
            s.flush()
            if sow is not None:
                sow.review_id = review.id
                s.add(sow)
            s.add(AuditEvent(action=f"review_{review.action}", vendor_id=review.vendor_id, subject=review.reviewer,
                             detail={"assessment_id": review.assessment_id, "reason": review.reason,
                                     "to": review.to_decision, "override_knockout": review.override_knockout,
                                     "sow": sow.path if sow else None}))
            s.flush()
            self.hooks.changed(s.connection(), [review.vendor_id], review.at.date(), "event")
            s.commit()
            return review


def _code_number():
    return cast(func.substr(RemediationRecord.code, 2), Integer)  # R12 after R9


class Remediations(Repository):
    def all(self, vendor_id: str | None = None) -> list[RemediationRecord]:
        """Tracked remediations, a vendor's or everyone's, in vendor and id order."""
        query = select(RemediationRecord)
        if vendor_id is not None:
            query = query.where(RemediationRecord.vendor_id == vendor_id)
        with self.session() as s:
            return list(s.exec(query.order_by(RemediationRecord.vendor_id, _code_number())))

    def get(self, vendor_id: str, code: str) -> RemediationRecord | None:
        """A vendor's remediation by its id (R3, or r3)."""
        with self.session() as s:
            return s.exec(select(RemediationRecord).where(RemediationRecord.vendor_id == vendor_id,
                                                          func.upper(RemediationRecord.code) == code.upper())).first()

    @retry_locked
    def close(self, vendor_id: str, code: str, *, evidence: str, reviewer: str, on: dt.date,
              answer: str | None = None, assessment_id: str | None = None) -> Closing | None:
        """Close an open remediation with its evidence; None when the vendor has no such remediation. `answer`:
        the answer that stands for the evidence; `assessment_id`: the vendor's latest assessment, in force when it
        was closed."""
        with self.writing() as s:
            found = s.exec(select(RemediationRecord).where(RemediationRecord.vendor_id == vendor_id,
                                                           func.upper(RemediationRecord.code) == code.upper())).first()
            if found is None:
                return None
            if found.state != "open":
                return Closing(found, closed_now=False)
            found.state, found.closed_on, found.closed_by = "done", on, reviewer
            found.closed_how, found.evidence = "evidence", evidence
            found.closed_answer, found.closed_assessment_id = answer, assessment_id
            s.add(found)
            s.add(AuditEvent(action="remediation_closed", vendor_id=vendor_id, subject=found.code,
                             detail={"by": reviewer, "evidence": evidence, "on": on.isoformat(), "answer": answer}))
            s.flush()
            self.hooks.changed(s.connection(), [vendor_id], on, "quiet")
            s.commit()
            return Closing(found, closed_now=True)

    def tracked(self, vendor_ids: list[str]) -> dict[str, list[TrackedRemediation]]:
        """These vendors' registers as they stand, as the remediation sync reads them: what a SOW about to be
        rendered plans its Schedule 1 ids from (the sync checks them again in the write transaction)."""
        if not vendor_ids:
            return {}
        with self.connect() as conn:
            return tracked_remediations(conn, vendor_ids)

    def rows(self, vendor_id: str | list[str] | None = None, batch: int = 5000) -> Iterator[RemediationRow]:
        """Every tracked remediation, streamed in vendor-name then id order (the order of `Views.status_rows`, so
        the two merge)."""
        r = RemediationRecord
        query = (select(r.vendor_id, Vendor.name, r.code, r.action, r.question, r.country, r.priority, r.due_date,
                        r.state, r.closed_on, r.closed_by, r.evidence)
                 .join(Vendor, Vendor.id == r.vendor_id).order_by(Vendor.name, _code_number())
                 .execution_options(yield_per=batch))
        query = only(query, r.vendor_id, vendor_id)
        with self.connect() as conn:
            for row in conn.execute(query):
                yield RemediationRow(*row)


def tracked_remediations(conn, vendor_ids: list[str]) -> dict[str, list[TrackedRemediation]]:
    """These vendors' registers as the remediation sync reads them, in the caller's transaction."""
    r = RemediationRecord.__table__.c
    tracked: dict[str, list[TrackedRemediation]] = {}
    for row in conn.execute(core_select(r.vendor_id, r.code, r.key, r.state, r.closed_how, r.closed_on,
                                        r.closed_answer)
                            .where(r.vendor_id.in_(vendor_ids))):
        tracked.setdefault(row.vendor_id, []).append(TrackedRemediation(*row))
    return tracked


def apply_remediation_changes(conn, changes: RemediationChanges) -> None:
    """Open and close what a new assessment changed in the register, in the caller's transaction."""
    r = RemediationRecord.__table__.c
    if changes.opened:
        conn.execute(insert(RemediationRecord.__table__), changes.opened)
    for c in changes.rescheduled:
        moved = conn.execute(update(RemediationRecord.__table__)
                             .where(r.vendor_id == c.vendor_id, r.code == c.code, r.state == "open",
                                    r.due_date != c.due_date)
                             .values(due_date=c.due_date)).rowcount
        if moved:
            conn.execute(insert(AuditEvent.__table__), [{
                "at": dt.datetime.now(dt.UTC), "action": "remediation_rescheduled", "vendor_id": c.vendor_id,
                "subject": c.code, "actor": None,
                "detail": {"due_date": c.due_date.isoformat(), "assessment_id": c.assessment_id}}])
    for c in changes.closed:
        conn.execute(update(RemediationRecord.__table__)
                     .where(r.vendor_id == c.vendor_id, r.code == c.code, r.state == "open")
                     .values(state="done", closed_on=c.on, closed_by="fairsource", closed_how=c.how,
                             evidence=c.evidence, closed_assessment_id=c.assessment_id))
