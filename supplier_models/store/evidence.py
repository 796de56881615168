"""Evidence files (their bytes once per vendor and content) and vendors' responses to remediations: added, listed,
read back, decided; each write audited in its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from .assignments import end_decided, lock_vendor
from .engine import Repository, retry_locked
from .evidence_tables import EvidenceBlob, EvidenceRecord, RemediationResponse
from .tables import AuditEvent, NoticeRecord, RemediationRecord


class Added(NamedTuple):
    record: EvidenceRecord
    duplicate: bool
    """The same file was attached to the same remediation or answer before: nothing new was stored."""
    stored: bool
    """Its bytes were stored now (False: the vendor's store held this content already)."""


def _insert_blob(conn, vendor_id: str, sha256: str, data: bytes) -> bool:
    """The bytes stored unless the vendor has them already (two requests at once: one stores them)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = EvidenceBlob.__table__
    done = conn.execute(dialect.insert(table).values(vendor_id=vendor_id, sha256=sha256, size=len(data), data=data)
                        .on_conflict_do_nothing(index_elements=["vendor_id", "sha256"])
                        .returning(table.c.sha256))  # psycopg's rowcount here is -1: the returned row says it
    return done.first() is not None


class Evidence(Repository):
    def add(self, record: EvidenceRecord, data: bytes) -> Added:
        """Attach a file: its bytes stored once per vendor and content, one record per remediation or answer (the
        same file again there is `duplicate`, and nothing is written; sent twice at once, the one written second
        meets the unique constraint and is the duplicate)."""
        try:
            return self._add(record, data)
        except IntegrityError:
            return self._add(record, data)

    @retry_locked
    def _add(self, record: EvidenceRecord, data: bytes) -> Added:
        with self.writing() as s:
            found = s.exec(select(EvidenceRecord).where(
                EvidenceRecord.vendor_id == record.vendor_id, EvidenceRecord.sha256 == record.sha256,
                EvidenceRecord.remediation == record.remediation, EvidenceRecord.question == record.question)).first()
            if found is not None:
                return Added(found, duplicate=True, stored=False)
            stored = _insert_blob(s.connection(), record.vendor_id, record.sha256, data)
            s.add(record)
            s.add(AuditEvent(action="evidence_added", vendor_id=record.vendor_id, subject=record.name, actor=record.added_by,
                             detail={"evidence_id": record.id, "sha256": record.sha256, "size": record.size,
                                     "media_type": record.media_type, "remediation": record.remediation or None,
                                     "question": record.question or None, "stored": stored,
                                     "expires_on": record.expires_on.isoformat() if record.expires_on else None}))
            s.commit()
            return Added(record, duplicate=False, stored=stored)

    def of_vendor(self, vendor_id: str) -> list[EvidenceRecord]:
        """A vendor's files (without their bytes), newest first."""
        with self.session() as s:
            return list(s.exec(select(EvidenceRecord).where(EvidenceRecord.vendor_id == vendor_id)
                               .order_by(EvidenceRecord.added_at.desc(), EvidenceRecord.id)))

    def get(self, vendor_id: str, evidence_id: str) -> EvidenceRecord | None:
        """One of the vendor's files by its id; None for another vendor's."""
        with self.session() as s:
            found = s.get(EvidenceRecord, evidence_id)
            return found if found is not None and found.vendor_id == vendor_id else None

    def content(self, record: EvidenceRecord) -> bytes:
        with self.session() as s:
            blob = s.get(EvidenceBlob, (record.vendor_id, record.sha256))
            return blob.data if blob is not None else b""

    def blobs(self, vendor_id: str | None = None) -> int:
        """How many files' bytes are stored (a vendor's, or all): what a test counts."""
        query = select(func.count()).select_from(EvidenceBlob)
        if vendor_id is not None:
            query = query.where(EvidenceBlob.vendor_id == vendor_id)
        with self.session() as s:
            return s.exec(query).one()

    def expiring(self, vendor_id: str, by: dt.date) -> list[EvidenceRecord]:
        """The vendor's files whose recorded expiry is on or before `by`, soonest first."""
        with self.session() as s:
            return list(s.exec(select(EvidenceRecord).where(
                EvidenceRecord.vendor_id == vendor_id, EvidenceRecord.expires_on.is_not(None),
                EvidenceRecord.expires_on <= by).order_by(EvidenceRecord.expires_on)))


    def expiring_by(self, by: dt.date) -> list[EvidenceRecord]:
        """Every vendor's files whose recorded expiry is on or before `by` (indexed), by vendor then expiry."""
        with self.session() as s:
            return list(s.exec(select(EvidenceRecord).where(EvidenceRecord.expires_on <= by)
                               .order_by(EvidenceRecord.vendor_id, EvidenceRecord.expires_on)))


class Responses(Repository):
    @retry_locked
    def add(self, response: RemediationResponse) -> RemediationResponse:
        with self.writing() as s:
            s.add(response)
            s.add(AuditEvent(action="remediation_response_done" if response.kind == "done" else
                             "remediation_response_new_date", vendor_id=response.vendor_id,
                             subject=response.remediation, actor=response.sent_by,
                             detail={"response_id": response.id, "text": response.text[:2000],
                                     "due_date": response.due_date.isoformat() if response.due_date else None,
                                     "evidence": response.evidence_ids}))
            s.commit()
            return response

    def of_vendor(self, vendor_id: str) -> list[RemediationResponse]:
        """A vendor's responses, newest first."""
        with self.session() as s:
            return list(s.exec(select(RemediationResponse).where(RemediationResponse.vendor_id == vendor_id)
                               .order_by(RemediationResponse.sent_at.desc(), RemediationResponse.id)))

    def get(self, vendor_id: str, response_id: str) -> RemediationResponse | None:
        with self.session() as s:
            found = s.get(RemediationResponse, response_id)
            return found if found is not None and found.vendor_id == vendor_id else None

    @retry_locked
    def decide(self, response: RemediationResponse, *, accepted: bool, by: str, reason: str, on: dt.date,
               now: dt.datetime) -> bool:
        """Record the reviewer's decision on a waiting response (False: decided already); an accepted new date
        moves the open remediation's due date, and the vendor's state is kept, and the response's assignment ends
        (done), in the same transaction."""
        with self.writing() as s:
            lock_vendor(s.connection(), response.vendor_id)  # an assignment of the response waits for the decision
            t = RemediationResponse.__table__.c
            done = s.connection().execute(
                update(RemediationResponse.__table__).where(t.id == response.id, t.state == "waiting")
                .values(state="accepted" if accepted else "rejected", decided_by=by, decided_at=now,
                        decision_reason=reason)).rowcount
            if not done:
                return False
            moved = None
            if accepted and response.kind == "new_date" and response.due_date is not None:
                r = RemediationRecord.__table__.c
                s.connection().execute(update(RemediationRecord.__table__)
                                       .where(r.vendor_id == response.vendor_id,
                                              func.upper(r.code) == response.remediation.upper(), r.state == "open")
                                       .values(due_date=response.due_date))
                moved = response.due_date.isoformat()
            s.add(AuditEvent(action="remediation_response_accepted" if accepted else "remediation_response_rejected",
                             vendor_id=response.vendor_id, subject=response.remediation, actor=by,
                             detail={"response_id": response.id, "kind": response.kind, "reason": reason[:2000],
                                     "due_date": moved}))
            s.flush()
            end_decided(s.connection(), response.vendor_id, response.id)
            if moved:
                self.hooks.changed(s.connection(), [response.vendor_id], on, "quiet")
            s.commit()
            return True

    @retry_locked
    def told(self, notice: NoticeRecord) -> bool:
        """Record a response's notice, once per subject (False: recorded before). Told at once, out of the daily
        run: the vendor's state row is left as it is (what the daily run has due stays due)."""
        row = {c.name: getattr(notice, c.name) for c in NoticeRecord.__table__.columns if c.name != "id"}
        with self.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            table = NoticeRecord.__table__
            return conn.execute(dialect.insert(table).values(**row)
                                .on_conflict_do_nothing(index_elements=["vendor_id", "kind", "subject_id"])
                                .returning(table.c.id)).first() is not None
