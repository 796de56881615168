"""The records of the SOWs issued: which file, for which assessment, draft or final, with its clauses."""

from __future__ import annotations

from sqlmodel import select

from .engine import Repository, only
from .rows import SowSummary
from .tables import AuditEvent, SowRecord


class Sows(Repository):
    def add(self, sow: SowRecord) -> SowRecord:
        with self.writing() as s:
            s.add(sow)
            s.add(AuditEvent(action="sow_issued", vendor_id=sow.vendor_id, subject=sow.path,
                             detail={"assessment_id": sow.assessment_id, "sha256": sow.sha256}))
            s.commit()
            return sow

    def get(self, sow_id: str) -> SowRecord | None:
        with self.session() as s:
            return s.get(SowRecord, sow_id)

    def latest(self, vendor_id: str) -> SowRecord | None:
        """The vendor's newest SOW."""
        with self.session() as s:
            return s.exec(select(SowRecord).where(SowRecord.vendor_id == vendor_id)
                          .order_by(SowRecord.created_at.desc())).first()

    def latest_by_vendor(self, vendor_id: str | list[str] | None = None) -> dict[str, SowSummary]:
        """vendor id -> (path, status) of its newest SOW. Speed: two short columns a row, never the records
        (each carries its clause list): 100,000 vendors stay a few MB."""
        query = (select(SowRecord.vendor_id, SowRecord.path, SowRecord.status)
                 .order_by(SowRecord.created_at, SowRecord.id).execution_options(yield_per=5000))
        query = only(query, SowRecord.vendor_id, vendor_id)
        with self.connect() as conn:
            return {vid: SowSummary(path, status) for vid, path, status in conn.execute(query)}

    def paths_of(self, vendor_ids: list[str]) -> list[str]:
        """The paths of every SOW stored for these vendors."""
        with self.connect() as conn:
            return list(conn.execute(select(SowRecord.path).where(SowRecord.vendor_id.in_(vendor_ids))).scalars())
