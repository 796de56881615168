"""Submissions: the answers a vendor returned (its attestation), stored once per vendor and file."""

from __future__ import annotations

from sqlmodel import select

from ..submission import Submission
from .engine import Repository
from .rows import Received
from .tables import SubmissionRecord, Vendor


class Submissions(Repository):
    def find(self, vendor_name: str, sha256: str) -> SubmissionRecord | None:
        """The stored submission of this file for this vendor, if it was received before."""
        with self.session() as s:
            return s.exec(
                select(SubmissionRecord).join(Vendor).where(Vendor.name == vendor_name,
                                                            SubmissionRecord.sha256 == sha256)
            ).first()

    def of_vendor_named(self, vendor_name: str) -> list[SubmissionRecord]:
        """Every stored submission of the vendor, newest first."""
        with self.session() as s:
            return list(s.exec(select(SubmissionRecord).join(Vendor).where(Vendor.name == vendor_name)
                               .order_by(SubmissionRecord.received_at.desc())))

    @staticmethod
    def read(record: SubmissionRecord) -> Submission:
        """The submission a record holds, as the reader made it."""
        return Submission.model_validate(record.data)

    def get(self, submission_id: str) -> Submission:
        with self.session() as s:
            return self.read(s.get(SubmissionRecord, submission_id))

    def latest_of(self, vendor_id: str) -> Received | None:
        """The vendor's newest submission, as read, with the day it was received."""
        with self.session() as s:
            record = s.exec(select(SubmissionRecord).where(SubmissionRecord.vendor_id == vendor_id)
                            .order_by(SubmissionRecord.received_at.desc())).first()
            return Received(self.read(record), record.received_at.date()) if record else None
