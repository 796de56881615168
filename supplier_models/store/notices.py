"""What was sent to vendors and owners: the notices (reminders), each recorded once, and the re-attestation
requests (a pre-filled form), one per attestation; and what the notices of a run read besides the vendors'
statuses (their decisions over time, their SOWs' references, their remediations' keys), a batch of vendors a
query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import groupby

from sqlalchemy import func, insert, union
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from .engine import Repository, only
from .rows import AssessmentFacts, AssessmentStep, NoticeKey, SowReference
from .tables import (
    AssessmentRecord,
    AuditEvent,
    NoticeRecord,
    ReattestationRecord,
    RemediationRecord,
    ReviewRecord,
    SowRecord,
    SubmissionRecord,
)

BATCH = 1000  # ids an IN list


def _batches(ids: Iterable[str]) -> Iterable[list[str]]:
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


class Notices(Repository):
    def sent(self, kinds: tuple[str, ...] | None = None, *, exclude: tuple[str, ...] = (),
             vendor_ids: list[str] | None = None) -> set[NoticeKey]:
        """(vendor_id, kind, subject_id) of every notice sent (of these kinds, or all but `exclude`; to these
        vendors, or all)."""
        query = only(select(NoticeRecord.vendor_id, NoticeRecord.kind, NoticeRecord.subject_id),
                     NoticeRecord.vendor_id, vendor_ids)
        if kinds:
            query = query.where(NoticeRecord.kind.in_(kinds))
        if exclude:
            query = query.where(NoticeRecord.kind.not_in(exclude))
        with self.connect() as conn:
            return {NoticeKey(*row) for row in conn.execute(query)}

    def sent_since(self, kinds: tuple[str, ...], since: dt.date, vendor_ids: list[str] | None = None,
                   ) -> set[NoticeKey]:
        """(vendor_id, kind, subject_id) of the notices of these kinds sent on or after `since` (to these vendors,
        or all)."""
        n = NoticeRecord
        query = only(select(n.vendor_id, n.kind, n.subject_id).where(n.kind.in_(kinds), n.sent_on >= since),
                     n.vendor_id, vendor_ids)
        with self.connect() as conn:
            return {NoticeKey(*row) for row in conn.execute(query)}

    def decision_history(self, since: dt.date, batch: int = 2000, vendor_ids: list[str] | None = None,
                         ) -> Iterator[tuple[str, list[AssessmentStep], list[ReviewRecord]]]:
        """(vendor id, its assessments, its reviews), oldest first, of each vendor (of these, or of all when None)
        assessed or reviewed on or after `since` (what its decisions were before and after): plain rows, never the
        decisions' data, streamed a vendor at a time (a requalification of 100,000 vendors makes 200,000 such rows;
        the reviews of the vendors are read ahead: give `vendor_ids` a chunk at a time to hold a chunk's)."""
        a, r = AssessmentRecord, ReviewRecord
        since_at = dt.datetime.combine(since, dt.time(), dt.UTC)
        recent = union(only(select(a.vendor_id).where(a.assessed_on >= since), a.vendor_id, vendor_ids),
                       only(select(r.vendor_id).where(r.at >= since_at), r.vendor_id, vendor_ids)).subquery()
        with self.session() as s:  # the reviews are people's: few beside the assessments
            reviews: dict[str, list[ReviewRecord]] = {}
            for review in s.exec(select(r).where(r.vendor_id.in_(select(recent.c.vendor_id)))
                                 .order_by(r.vendor_id, r.at, r.id)):
                reviews.setdefault(review.vendor_id, []).append(review)
        steps = (select(a.id, a.vendor_id, a.submission_id, a.decision, a.assessed_on, a.created_at, a.reason,
                        a.valid_until, a.rubric_version, a.country_data_version, a.policy_version)
                 .where(a.vendor_id.in_(select(recent.c.vendor_id))).order_by(a.vendor_id, a.created_at, a.id)
                 .execution_options(yield_per=batch))
        with self.connect() as conn:
            for vendor_id, rows in groupby(conn.execute(steps), key=lambda row: row.vendor_id):
                yield vendor_id, [AssessmentStep(*row) for row in rows], reviews.get(vendor_id, [])

    def assessment_facts(self, assessment_ids: Iterable[str]) -> dict[str, AssessmentFacts]:
        """assessment id -> its reasons, remediations and the day its submission was received. Speed: only those
        parts of each decision's data (the database extracts them)."""
        a, sub = AssessmentRecord, SubmissionRecord
        out: dict[str, AssessmentFacts] = {}
        with self.connect() as conn:
            for ids in _batches(assessment_ids):
                query = (select(a.id, a.data["reasons"], a.data["remediations"], sub.received_at)
                         .join(sub, sub.id == a.submission_id).where(a.id.in_(ids)))
                for aid, reasons, remediations, received_at in conn.execute(query):
                    out[aid] = AssessmentFacts(list(reasons or []), list(remediations or []), received_at.date())
        return out

    def sow_references(self, vendor_ids: Iterable[str]) -> dict[str, SowReference]:
        """vendor id -> the reference, status and decision of its newest SOW."""
        s = SowRecord
        out: dict[str, SowReference] = {}
        with self.connect() as conn:
            for ids in _batches(vendor_ids):
                query = (select(s.vendor_id, s.reference, s.status, s.decision).where(s.vendor_id.in_(ids))
                         .order_by(s.created_at, s.id))
                for vid, reference, status, decision in conn.execute(query):
                    out[vid] = SowReference(reference, status, decision)
        return out

    def remediation_keys(self, vendor_ids: Iterable[str]) -> dict[tuple[str, str], str]:
        """(vendor id, code) -> what the remediation is about (`scoring.lifecycle.remediation_key`)."""
        r = RemediationRecord
        out: dict[tuple[str, str], str] = {}
        with self.connect() as conn:
            for ids in _batches(vendor_ids):
                for vid, code, key in conn.execute(select(r.vendor_id, r.code, r.key).where(r.vendor_id.in_(ids))):
                    out[(vid, code)] = key
        return out

    def add(self, notices: list[NoticeRecord]) -> list[bool]:
        """Record notices once each, in one transaction; for each, whether it was recorded now (False: it was
        before). Speed: one bulk insert (thousands of reminders on a busy day); only when another run recorded
        some at the same moment does it fall back to one insert each."""
        if not notices:
            return []
        rows = [{c.name: getattr(n, c.name) for c in NoticeRecord.__table__.columns if c.name != "id"}
                for n in notices]
        try:
            with self.begin() as conn:
                conn.execute(insert(NoticeRecord.__table__), rows)
                self._told(conn, notices)
            return [True] * len(rows)
        except IntegrityError:
            recorded = []
            for notice, row in zip(notices, rows, strict=True):
                try:
                    with self.begin() as conn:
                        conn.execute(insert(NoticeRecord.__table__), [row])
                        self._told(conn, [notice])
                    recorded.append(True)
                except IntegrityError:
                    recorded.append(False)
            return recorded


    def _told(self, conn, notices: list[NoticeRecord]) -> None:
        self.hooks.changed(conn, [n.vendor_id for n in notices], max(n.sent_on for n in notices), "told")

    def last_told(self, vendor_ids: list[str] | None, kinds: tuple[str, ...]) -> dict[str, dt.date]:
        """vendor id -> the day it was last told one of these kinds of notice (these vendors, or all)."""
        n = NoticeRecord.__table__.c
        query = only(select(n.vendor_id, func.max(n.sent_on)).where(n.kind.in_(kinds)), n.vendor_id, vendor_ids)
        with self.connect() as conn:
            return dict(conn.execute(query.group_by(n.vendor_id)).all())


class Reattestations(Repository):
    def add(self, request: ReattestationRecord) -> bool:
        """Record that a fresh attestation was asked for; False if it had been (a concurrent run won)."""
        try:
            with self.writing() as s:
                s.add(request)
                s.add(AuditEvent(action="reattestation_requested", vendor_id=request.vendor_id,
                                 subject=request.form_path, detail={"submission_id": request.submission_id,
                                                                    "expires_on": request.expires_on.isoformat()}))
                s.flush()
                self.hooks.changed(s.connection(), [request.vendor_id], request.requested_on, "quiet")
                s.commit()
                return True
        except IntegrityError:
            return False
