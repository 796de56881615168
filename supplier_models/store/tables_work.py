"""What fairsource stores about the team's work (revision 0014), beside `tables`:

- `AssignmentRecord`: a piece of work given to a staff user with a due date: a vendor's review waiting (`kind`
  review), and later other kinds (a vendor's answer to a remediation: `kind` and `ref_id`). Kept when it ends
  (done, unassigned, reassigned: a reassignment ends one row and starts another), so who had it and when stays
  known; `live_key` holds the work's key while the assignment is live and NULL once it ended, and is unique: one
  live assignment per piece of work, whoever writes at once.
- `WorkDigestRecord`: the daily digest of work sent to a staff user on a day; once per user per day, so a re-run
  of the daily flow sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .tables import _now, _uuid

KINDS = ("review", "response")
"""The kinds of work an assignment points at: a vendor's review waiting; a vendor's response to a remediation
waiting for a decision (`ref_id`: the response's id)."""


def live_key(kind: str, vendor_id: str, ref_id: str | None) -> str:
    return f"{kind}:{vendor_id}:{ref_id or ''}"


class AssignmentRecord(SQLModel, table=True):
    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_assignee_ended_due", "assignee", "ended_at", "due_on"),  # My work
                      Index("ix_assignment_vendor_kind", "vendor_id", "kind", "ended_at"))  # the unassigned

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    kind: str = Field(max_length=30, description="review (a vendor's decision waiting for a review) | response (a "
                                                 "vendor's response to a remediation waiting for a decision)")
    vendor_id: str = Field(foreign_key="vendor.id", max_length=36)
    ref_id: str | None = Field(default=None, max_length=64,
                               description="which piece of the vendor's work, for kinds that have several")
    assignee: str = Field(max_length=320, description="a staff user's e-mail (reviewer or admin)")
    due_on: dt.date
    assigned_by: str = Field(max_length=320)
    assigned_at: dt.datetime = Field(default_factory=_now)
    live_key: str | None = Field(default=None, max_length=140, unique=True, index=True,
                                 description="kind:vendor_id:ref_id while live, NULL once ended")
    ended_at: dt.datetime | None = None
    ended_by: str | None = Field(default=None, max_length=320, description="who ended it; NULL: the work was done")
    ended_how: str | None = Field(default=None, max_length=20, description="done | unassigned | reassigned")


class WorkDigestRecord(SQLModel, table=True):
    __tablename__ = "work_digest"
    __table_args__ = (UniqueConstraint("email", "sent_on", name="uq_work_digest_once"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    sent_on: dt.date
    assigned: int = 0
    overdue: int = 0
    unassigned: int = 0
