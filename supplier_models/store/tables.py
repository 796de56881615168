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
- `ReviewRecord`: a person's review of an assessment (approve, reject, override), with the
  reason; append-only. The assessment itself is never changed: a review decides what
  the vendor's effective decision is.
- `RemediationRecord`: one remediation a vendor owes, under a stable id (`R1`, `R2`, ...
  per vendor), tracked from open to done (with the evidence and who accepted it, and the answer
  that stands for that evidence; or the submission whose answer now meets the bar).
- `ReattestationRecord`: that we asked a vendor to confirm or correct its answers (a
  pre-filled form) before the attestation they rest on expires; once per attestation.
- `NoticeRecord`: a reminder or notice sent (expiry in 60/30/7 days, expired, overdue
  remediation, review waiting, re-attestation requested); once per subject, so a re-run
  sends nothing twice.
- `VendorStateRecord`: where each vendor stands (status, dates, counts, band, countries, next action date), kept
  with each event in its transaction; rebuilt from the history by `fairsource status --rebuild`.
- `AuditEvent`: who did what when (intake, rejection, requalification, SOW, review); `actor` names the
  person (a staff user's e-mail, or `vendor:<invite id>` for a vendor's portal link) for actions taken
  through the web app.
- `StaffUser`: a person who signs in to the web app (admin, reviewer or viewer), with an argon2 hash of
  the password and, optionally, the sha256 of an API token.
- `WebSession`: a signed-in browser: the sha256 of the cookie's random value (never the value), its CSRF
  token, and when it expires.
- `LoginFailure`: a failed sign-in (e-mail and client address), for the login rate limit.
- `PasswordReset`: a staff user's password-reset link: the sha256 of its random token (never the token), who made
  it, when it expires, and when and how it ended (used, replaced by a newer link, or the user disabled).
- `VendorInvite`: a vendor's portal link: the sha256 of its random token (never the token), who made it,
  when it expires, and when it was revoked.
- `QuestionnaireDraft`: a vendor's answers typed in the portal's web form, not yet submitted: one per vendor and
  portal link, gone with the link; a draft is not a submission and changes no status.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Vendor(SQLModel, table=True):
    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    name: str = Field(index=True, unique=True, max_length=300)
    created_at: dt.datetime = Field(default_factory=_now)
    contact_email: str | None = Field(default=None, max_length=320, description="where reminders to the vendor go")
    owner: str | None = Field(default=None, max_length=320, index=True,
                              description="the analyst who looks after the vendor: a staff user's e-mail")


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
    reason: str = Field(default="intake", max_length=40,
                        description="intake | data_change (rubric, policy or country data changed) | "
                                    "requalification (before the lifecycle: rescored on expiry)")
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False), description="scoring.Decision")
    supersedes: str | None = Field(
        default=None, max_length=36, unique=True, index=True,
        description="the assessment this rescoring replaces: at most one rescoring of each, whatever runs at once")


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
    status: str = Field(default="final", max_length=10, description="final | draft (a required review is pending)")
    reference: str | None = Field(default=None, max_length=120, description="the reference printed on the SOW")
    decision: str | None = Field(default=None, max_length=20, description="the decision the SOW was written for")
    review_id: str | None = Field(default=None, max_length=36, description="the review that made it final")
    override_knockout: bool = Field(default=False, description="issued after a reviewer overrode a knockout")


class ReviewRecord(SQLModel, table=True):
    __tablename__ = "review"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    assessment_id: str = Field(foreign_key="assessment.id", index=True, max_length=36)
    at: dt.datetime = Field(default_factory=_now, index=True)
    reviewer: str = Field(max_length=200)
    action: str = Field(max_length=10, description="approve | reject | override")
    reason: str = Field(max_length=4000)
    to_decision: str | None = Field(default=None, max_length=20, description="override: the decision it sets")
    override_knockout: bool = False


class RemediationRecord(SQLModel, table=True):
    __tablename__ = "remediation"
    __table_args__ = (UniqueConstraint("vendor_id", "code", name="uq_remediation_vendor_code"),
                      Index("ix_remediation_state_due_date", "state", "due_date"))  # the open ones overdue, in order

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    code: str = Field(max_length=12, description="stable per vendor: R1, R2, ...")
    key: str = Field(max_length=120, description="what it is about: rule or question, and country")
    action: str = Field(max_length=2000)
    question: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    priority: str = Field(default="normal", max_length=10)
    due_date: dt.date = Field(index=True)
    opened_on: dt.date
    opened_assessment_id: str = Field(foreign_key="assessment.id", max_length=36)
    state: str = Field(default="open", max_length=10, index=True, description="open | done (overdue is derived)")
    closed_on: dt.date | None = None
    closed_by: str | None = Field(default=None, max_length=200)
    closed_how: str | None = Field(default=None, max_length=20, description="evidence | answer | data_change")
    evidence: str | None = Field(default=None, max_length=4000)
    closed_assessment_id: str | None = Field(
        default=None, max_length=36, description="the assessment that closed it, or, closed with evidence, the "
                                                 "vendor's latest when it was")
    closed_answer: str | None = Field(
        default=None, max_length=4000, description="closed with evidence: the answer that stands for the evidence "
                                                   "(scoring.lifecycle.standing_answer); a new submission giving it "
                                                   "does not reopen the matter")


class ReattestationRecord(SQLModel, table=True):
    __tablename__ = "reattestation_request"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    submission_id: str = Field(foreign_key="submission.id", unique=True, index=True, max_length=36,
                               description="the attestation to renew: asked once")
    assessment_id: str = Field(foreign_key="assessment.id", max_length=36)
    requested_on: dt.date
    expires_on: dt.date = Field(description="when the qualification lapses without a fresh submission")
    form_path: str = Field(max_length=1000)
    form_id: str = Field(max_length=36)


class NoticeRecord(SQLModel, table=True):
    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("vendor_id", "kind", "subject_id", name="uq_notice_once"),
                      Index("ix_notice_kind_sent_on", "kind", "sent_on"))

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    kind: str = Field(max_length=30)
    subject_id: str = Field(max_length=64, description="what it is about: assessment, review, remediation or request "
                            "id; a repeating notice adds its period (R3@w2: the third week overdue)")
    sent_on: dt.date
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    emailed: bool = False
    text: str = Field(default="", max_length=4000)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at_id", "at", "id"),  # the log's pages, newest first (revision 0011)
                      Index("ix_audit_event_action_at_id", "action", "at", "id"))  # ... of one action

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=_now)
    action: str = Field(max_length=40)
    vendor_id: str | None = Field(default=None, max_length=36, index=True)
    subject: str = Field(default="", max_length=1000)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    actor: str | None = Field(default=None, max_length=320,
                              description="who: a staff user's e-mail or vendor:<invite id> (web actions)")


# -- the web app: staff users, sessions, vendor portal links (revision 0003) ------------------------------
class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    email: str = Field(index=True, unique=True, max_length=320, description="lower-cased")
    role: str = Field(max_length=10, description="admin | reviewer | viewer")
    password_hash: str = Field(max_length=300, description="argon2id, PHC string")
    api_token_sha256: str | None = Field(default=None, max_length=64, index=True, unique=True)
    created_at: dt.datetime = Field(default_factory=_now)
    disabled: bool = False
    digest_mail: bool = Field(default=True, description="gets the daily digest of work by e-mail (revision 0014)")


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64, description="sha256 of the cookie value")
    user_id: str = Field(foreign_key="staff_user.id", index=True, max_length=36)
    csrf: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime = Field(index=True)


class LoginFailure(SQLModel, table=True):
    """A sign-in counted as failed (before its password is checked), kept while it counts towards a limit."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_client_at", "client", "at"),)  # the per-address limit's count

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    client: str = Field(max_length=100)
    at: dt.datetime = Field(default_factory=_now, index=True)


class PasswordReset(SQLModel, table=True):
    """A password-reset link for a staff user: single use, expiring; the store keeps the token's sha256 only."""

    __tablename__ = "password_reset"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="staff_user.id", index=True, max_length=36)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    created_by: str = Field(max_length=320)
    created_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime
    ended_at: dt.datetime | None = None
    ended_how: str | None = Field(default=None, max_length=20, description="used | replaced | disabled")


class VendorInvite(SQLModel, table=True):
    __tablename__ = "vendor_invite"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vendor_id: str = Field(foreign_key="vendor.id", index=True, max_length=36)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    contact: str | None = Field(default=None, max_length=320)
    created_by: str = Field(max_length=320)
    created_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=320)


class VendorStateRecord(SQLModel, table=True):
    """Where a vendor stands, kept in the same transaction as each event that changes it (intake, rescoring,
    review, remediation closed, form asked for, notices told), so no reader computes it from the history:
    `fairsource status --rebuild` recomputes every row from the history and changes nothing when all is well.
    `status` is as of `state_on`; `next_action_on` is the first day something is due without a new event (a
    reminder, the expiry, an item falling overdue, a repeat, or the notice of the event itself): the daily run
    looks only at the rows whose day has come (indexed)."""

    __tablename__ = "vendor_state"
    __table_args__ = (Index("ix_vendor_state_review_waiting", "review_pending", "assessed_on"),)  # oldest first

    vendor_id: str = Field(foreign_key="vendor.id", primary_key=True, max_length=36)
    status: str = Field(max_length=30, index=True)
    decision: str = Field(max_length=20, description="the effective decision")
    assessed_decision: str = Field(max_length=20)
    assessment_id: str = Field(max_length=36)
    submission_id: str = Field(max_length=36)
    assessed_on: dt.date | None = Field(default=None, description="the day of the assessment it rests on")
    valid_until: dt.date | None = Field(default=None, index=True)
    review_on: dt.date | None = None
    review_pending: bool = Field(default=False, index=True)
    open_remediations: int = 0
    overdue_remediations: int = 0
    band: str = Field(max_length=20, index=True, description="the geographic risk band")
    countries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                 description="ISO 3166-1 alpha-2 codes of the countries where its workers are")
    contact: str | None = Field(default=None, max_length=320)
    services: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True),
                                       description="the services it offers (its answer to COMP-03)")
    reattestation_requested_on: dt.date | None = None
    state_on: dt.date = Field(description="the day the row was computed for")
    holds_until: dt.date | None = Field(default=None, index=True, description=(
        "the last day the row's status and overdue count hold by the calendar alone (None: they hold on); a row "
        "whose day has passed is brought up to date before a list is read from the rows"))
    next_action_on: dt.date | None = Field(default=None, index=True)
    fairwork_points: int | None = Field(default=None, index=True, description=(
        "the Fairwork points of the assessment it rests on (`assessment_framework`), for the dashboard"))


class VendorPlaceRecord(SQLModel, table=True):
    """A country where a vendor's workers are, by its latest assessment and the submission it rests on: kept with
    the vendor's state row (same transaction), so the dashboard adds up countries in SQL."""

    __tablename__ = "vendor_place"
    __table_args__ = (Index("ix_vendor_place_panel", "iso2", "band", "workers", "name"),)  # the country panel

    vendor_id: str = Field(foreign_key="vendor.id", primary_key=True, max_length=36)
    iso2: str = Field(primary_key=True, max_length=2, index=True)
    name: str = Field(max_length=200)
    band: str = Field(max_length=20, description="the band the assessment gave the country")
    workers: int = 0


class QuestionnaireDraft(SQLModel, table=True):
    """What a vendor has typed in the portal's web form so far, section by section (`data`: the answers, evidence,
    Countries rows and attestation as typed, and the parts saved), under the form id and questionnaire version its
    submission will carry. Read and written only through its portal link; it expires with the link."""

    __tablename__ = "questionnaire_draft"
    __table_args__ = (UniqueConstraint("vendor_id", "invite_id", name="uq_draft_vendor_invite"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    # a vendor's or a link's draft goes with it (ON DELETE CASCADE), as its evidence files do
    vendor_id: str = Field(sa_column=Column(String(36), ForeignKey("vendor.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    invite_id: str = Field(sa_column=Column(String(36), ForeignKey("vendor_invite.id", ondelete="CASCADE"),
                                            nullable=False))
    questionnaire_id: str = Field(max_length=50)
    questionnaire_version: str = Field(max_length=20)
    form_id: str = Field(max_length=36)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)
    updated_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime = Field(index=True, description="the portal link's expiry: the draft goes with it")
