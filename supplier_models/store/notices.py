"""What was sent to vendors and owners: the notices (reminders), each recorded once, and the re-attestation
requests (a pre-filled form), one per attestation."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from .engine import Repository
from .rows import NoticeKey
from .tables import AuditEvent, NoticeRecord, ReattestationRecord


class Notices(Repository):
    def sent(self, kinds: tuple[str, ...] | None = None) -> set[NoticeKey]:
        """(vendor_id, kind, subject_id) of every notice sent."""
        query = select(NoticeRecord.vendor_id, NoticeRecord.kind, NoticeRecord.subject_id)
        if kinds:
            query = query.where(NoticeRecord.kind.in_(kinds))
        with self.engine.connect() as conn:
            return {NoticeKey(*row) for row in conn.execute(query)}

    def add(self, notices: list[NoticeRecord]) -> list[bool]:
        """Record notices once each, in one transaction; for each, whether it was recorded now (False: it was
        before). Speed: one bulk insert (thousands of reminders on a busy day); only when another run recorded
        some at the same moment does it fall back to one insert each."""
        if not notices:
            return []
        rows = [{c.name: getattr(n, c.name) for c in NoticeRecord.__table__.columns if c.name != "id"}
                for n in notices]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(NoticeRecord.__table__), rows)
            return [True] * len(rows)
        except IntegrityError:
            recorded = []
            for row in rows:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(NoticeRecord.__table__), [row])
                    recorded.append(True)
                except IntegrityError:
                    recorded.append(False)
            return recorded


class Reattestations(Repository):
    def add(self, request: ReattestationRecord) -> bool:
        """Record that a fresh attestation was asked for; False if it had been (a concurrent run won)."""
        try:
            with self.session() as s:
                s.add(request)
                s.add(AuditEvent(action="reattestation_requested", vendor_id=request.vendor_id,
                                 subject=request.form_path, detail={"submission_id": request.submission_id,
                                                                    "expires_on": request.expires_on.isoformat()}))
                s.commit()
                return True
        except IntegrityError:
            return False
