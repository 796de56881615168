"""What fairsource stores, and why.

- `Vendor`: a supplier we qualify; one row per legal name.
- `SubmissionRecord`: a returned questionnaire workbook, exactly as read (its sha256,
  the questionnaire id and version it was issued under, the parsed answers and
  countries). The same file for the same vendor is stored once.
- `AssessmentRecord`: one scoring of a submission on one day, with the rubric and
  country-data versions it used, the decision, scores, knockouts, remediations
  and the full explanation. Never updated once written (a database trigger
  refuses it): requalification adds a new assessment.
- `SowRecord`: a Statement of Work rendered for an assessment: the clause ids
  and versions it carries, the template's hash and the document's sha256.
- `AuditEvent`: who did what when (intake, rejection, requalification, SOW).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Vendor(SQLModel, table=True):
    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    name: str = Field(index=True, unique=True, max_length=300)
    created_at: dt.datetime = Field(default_factory=_now)


class SubmissionRecord(SQLModel, table=True):
    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("vendor_id", "sha256", name="uq_submission_vendor_file"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    sha256: str = Field(max_length=64)
    filename: str = Field(default="", max_length=500)
    questionnaire_id: str = Field(max_length=40)
    questionnaire_version: str = Field(max_length=40)
    received_at: dt.datetime = Field(default_factory=_now)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False), description="supplier_models.Submission")


class AssessmentRecord(SQLModel, table=True):
    __tablename__ = "assessment"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    submission_id: str = Field(foreign_key="submission.id", index=True, max_length=36)
    created_at: dt.datetime = Field(default_factory=_now, index=True)
    assessed_on: dt.date
    decision: str = Field(max_length=20, index=True)
    score: float
    geo_band: str = Field(max_length=20)
    valid_until: dt.date = Field(index=True)
    rubric_version: str = Field(max_length=60)
    country_data_version: str = Field(max_length=60)
    policy_version: str | None = Field(default=None, max_length=64)
    reason: str = Field(default="intake", max_length=40, description="intake | requalification")
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False), description="scoring.Decision")


class SowRecord(SQLModel, table=True):
    __tablename__ = "sow_document"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    assessment_id: str = Field(foreign_key="assessment.id", index=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    created_at: dt.datetime = Field(default_factory=_now)
    path: str = Field(max_length=1000)
    sha256: str = Field(max_length=64)
    template_sha256: str = Field(max_length=64)
    clauses: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=_now, index=True)
    action: str = Field(max_length=40)
    vendor_id: str | None = Field(default=None, max_length=36, index=True)
    subject: str = Field(default="", max_length=1000)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
