"""The tables of evidence files and remediation responses (revision 0014), beside `tables.py`:

- `EvidenceBlob`: a file's bytes, once per vendor and content (its sha256): the same file sent again, or attached
  to another remediation, is not stored twice. Kept in the database (docs/evidence.md: one store to back up,
  read by every worker on every machine, gone with the vendor).
- `EvidenceRecord`: one file attached by a vendor (through its portal link) or an analyst, to one of the vendor's
  remediations or answers (by question id), or to the vendor as a whole: its shown name (a label from the
  client, never a path), the media type its content gave, its size, who added it and when, and, for a
  certificate, the day it expires.
- `RemediationResponse`: a vendor's answer to an open remediation (done, with its evidence text and files; or a
  new due date, with the reason), and the reviewer's decision on it (accepted or rejected, with the reason).

Each refers to its vendor with ON DELETE CASCADE: deleting a vendor deletes its files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from .tables import _now, _uuid


def _vendor_fk() -> Column:
    return Column(String(36), ForeignKey("vendor.id", ondelete="CASCADE"), nullable=False, index=True)


class EvidenceBlob(SQLModel, table=True):
    __tablename__ = "evidence_blob"

    vendor_id: str = Field(sa_column=Column(String(36), ForeignKey("vendor.id", ondelete="CASCADE"),
                                            primary_key=True))
    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class EvidenceRecord(SQLModel, table=True):
    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("vendor_id", "sha256", "remediation", "question", name="uq_evidence_once"),
        ForeignKeyConstraint(["vendor_id", "sha256"], ["evidence_blob.vendor_id", "evidence_blob.sha256"],
                             ondelete="CASCADE", name="fk_evidence_blob"),
        Index("ix_evidence_expires_on", "expires_on"),
    )

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(sa_column=_vendor_fk())
    sha256: str = Field(max_length=64)
    remediation: str = Field(default="", max_length=12, description="the remediation's code (R3), or empty")
    question: str = Field(default="", max_length=20, description="the answer's question id (PAY-04), or empty")
    name: str = Field(max_length=200, description="the name it was sent under: shown, never a path")
    media_type: str = Field(max_length=100, description="from its content (supplier_models.evidence)")
    size: int
    added_by: str = Field(max_length=320, description="a staff user's e-mail or vendor:<invite id>")
    added_at: dt.datetime = Field(default_factory=_now)
    expires_on: dt.date | None = Field(default=None, description="a certificate's expiry, when recorded")


class RemediationResponse(SQLModel, table=True):
    __tablename__ = "remediation_response"
    __table_args__ = (Index("ix_remediation_response_vendor_state", "vendor_id", "state"),
                      Index("ix_remediation_response_state_sent", "state", "sent_at", "id"))  # those waiting (0018)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(sa_column=Column(String(36), ForeignKey("vendor.id", ondelete="CASCADE"),
                                            nullable=False))
    remediation: str = Field(max_length=12, description="the remediation's code (R3)")
    kind: str = Field(max_length=10, description="done | new_date")
    text: str = Field(max_length=4000, description="done: the evidence in words; new_date: the reason")
    due_date: dt.date | None = Field(default=None, description="new_date: the date asked for")
    evidence_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sent_by: str = Field(max_length=320)
    sent_at: dt.datetime = Field(default_factory=_now)
    state: str = Field(default="waiting", max_length=10, description="waiting | accepted | rejected")
    decided_by: str | None = Field(default=None, max_length=320)
    decided_at: dt.datetime | None = None
    decision_reason: str | None = Field(default=None, max_length=4000)

    def files(self, evidence: dict[str, Any]) -> list[Any]:
        """This response's evidence records among `evidence` (id -> record)."""
        return [evidence[i] for i in self.evidence_ids if i in evidence]
