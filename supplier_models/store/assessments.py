"""Assessments: the scored outcomes, never updated (a rescoring adds one that `supersedes` the last). An intake
stores the submission with its first assessment; a requalification stores a batch; each in one transaction with
its SOW records, its audit events and the changes to the remediation register.

The register's rules are the lifecycle's (`flows.usecases.remediations`): the writer of an assessment passes them
as `sync`, called inside the transaction with the vendors' registers as they stand, so the store applies what
they decide and decides nothing itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import delete, select

from ..errors import StoreError
from ..submission import Submission
from .engine import Repository, only, retry_locked
from .reviews import apply_remediation_changes, tracked_remediations
from .rows import AssessedAs, AssessmentHistory, NewAssessment, RemediationChanges, TrackedRemediation
from .tables import AssessmentRecord, AuditEvent, QuestionnaireDraft, SowRecord, SubmissionRecord
from .vendors import vendor_named

RemediationSync = Callable[[list[NewAssessment], dict[str, list[TrackedRemediation]]], RemediationChanges]
"""(the assessments being stored; the vendors' registers as they stand) -> the changes."""


def latest_assessment_ids(vendor_id: str | list[str] | None = None):
    """Subquery: the id of each vendor's latest assessment (of this vendor or these only: the ranking then reads
    their assessments by the vendor index, not every assessment in the store)."""
    ranked = select(
        AssessmentRecord.id,
        func.row_number().over(
            partition_by=AssessmentRecord.vendor_id,
            order_by=(AssessmentRecord.created_at.desc(), AssessmentRecord.id.desc()),
        ).label("rank"),
    )
    ranked = only(ranked, AssessmentRecord.vendor_id, vendor_id).subquery()
    return select(ranked.c.id).where(ranked.c.rank == 1)


def _sync(conn, assessments: list[NewAssessment], sync: RemediationSync) -> None:
    if assessments:
        tracked = tracked_remediations(conn, list({a.record.vendor_id for a in assessments}))
        apply_remediation_changes(conn, sync(assessments, tracked))


def _columns(record) -> dict[str, Any]:
    return {c.name: getattr(record, c.name) for c in record.__table__.columns}


def _intake_events(vendor_id: str, submission: Submission, record: SubmissionRecord, assessment: AssessmentRecord,
                   sow: SowRecord | None, actor: str | None, audit: str | None) -> list[AuditEvent]:
    events = [AuditEvent(action="submission_received", vendor_id=vendor_id, subject=submission.filename, actor=actor,
                         detail={"sha256": submission.sha256, "submission_id": record.id}),
              AuditEvent(action="assessment_intake", vendor_id=vendor_id, subject=assessment.decision, actor=actor,
                         detail={"assessment_id": assessment.id, "sow": sow.path if sow else None})]
    if audit:
        events.append(AuditEvent(action=audit, vendor_id=vendor_id, subject=submission.filename[:1000], actor=actor,
                                 detail={"assessment_id": assessment.id, "decision": assessment.decision,
                                         "duplicate": False}))
    return events


class Assessments(Repository):
    @retry_locked
    def record_intake(self, submission: Submission, submission_id: str, assessment: AssessmentRecord,
                      sow: SowRecord | None, *, sync: RemediationSync, received_at: dt.datetime | None = None,
                      actor: str | None = None, audit: str | None = None,
                      ) -> tuple[SubmissionRecord, AssessmentRecord]:
        """Store a new submission with its first assessment, its SOW and the vendor's remediations (opened,
        kept, or closed because the new answers meet the bar), and its audit events (with `actor`, who sent it,
        and, with `audit`, an event of that action for the door it came through), all or nothing. The same file
        stored for the vendor meanwhile: StoreError, caused by the IntegrityError of (vendor, sha256). The vendor's
        draft of the web form, if any, is deleted with it (`drafts.py`)."""
        try:
            with self.writing() as s:
                vendor = vendor_named(s, submission.vendor_name)
                record = SubmissionRecord(
                    id=submission_id, vendor_id=vendor.id, sha256=submission.sha256, filename=submission.filename,
                    questionnaire_id=submission.questionnaire_id,
                    questionnaire_version=submission.questionnaire_version,
                    data=submission.model_dump(mode="json"),
                    **({"received_at": received_at} if received_at else {}),
                )
                s.add(record)
                s.flush()
                assessment.vendor_id = vendor.id
                assessment.submission_id = record.id
                s.add(assessment)
                s.flush()
                if sow is not None:
                    sow.vendor_id = vendor.id
                    s.add(sow)
                s.add_all(_intake_events(vendor.id, submission, record, assessment, sow, actor, audit))
                # answers received, by a workbook or the web form, replace the vendor's web form draft
                s.exec(delete(QuestionnaireDraft).where(QuestionnaireDraft.vendor_id == vendor.id))
                s.flush()
                _sync(s.connection(), [NewAssessment(assessment, True, sow is not None)], sync)
                self.hooks.changed(s.connection(), [vendor.id], assessment.assessed_on, "event")
                s.commit()
                return record, assessment
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the intake of {submission.filename}: {exc}") from exc

    def add_many(self, items: list[tuple[AssessmentRecord, SowRecord | None]], *, sync: RemediationSync,
                 actor: str | None = None) -> None:
        """Write a batch of assessments (requalification) in one transaction; `actor`: the worker, for the audit.

        Speed: Core bulk inserts of the records' column values (one executemany per table), not the ORM's
        unit of work, which costs more per row than scoring the vendor did (bench/requalify.py)."""
        if not items:
            return
        now = dt.datetime.now(dt.UTC)  # AuditEvent.at's default, as plain rows (no model per event)
        audits = [{"at": now, "action": f"assessment_{a.reason}", "vendor_id": a.vendor_id, "subject": a.decision,
                   "actor": actor, "detail": {"assessment_id": a.id}} for a, _ in items]
        sows = [sow for _, sow in items if sow is not None]
        try:
            with self.begin() as conn:
                conn.execute(insert(AssessmentRecord.__table__), [_columns(a) for a, _ in items])
                if sows:
                    conn.execute(insert(SowRecord.__table__), [_columns(sow) for sow in sows])
                conn.execute(insert(AuditEvent.__table__), audits)
                _sync(conn, [NewAssessment(a, a.reason == "intake", sow is not None) for a, sow in items], sync)
                self.hooks.changed(conn, [a.vendor_id for a, _ in items], max(a.assessed_on for a, _ in items),
                                   "event")
        except IntegrityError as exc:
            raise StoreError(f"could not store {len(items)} assessments: another run rescored some of these vendors "
                             f"at the same time; a retry skips them ({exc.orig})") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store {len(items)} assessments: {exc}") from exc

    def add(self, record: AssessmentRecord, sow: SowRecord | None = None, *,
            sync: RemediationSync) -> AssessmentRecord:
        """Write one assessment (and its SOW record) in one transaction."""
        self.add_many([(record, sow)], sync=sync)
        return record

    def latest(self, vendor_id: str) -> AssessmentRecord | None:
        """The vendor's latest assessment."""
        with self.session() as s:
            return s.exec(
                select(AssessmentRecord)
                .where(AssessmentRecord.vendor_id == vendor_id)
                .order_by(AssessmentRecord.created_at.desc(), AssessmentRecord.id.desc())
            ).first()

    def of_submission(self, submission_id: str) -> list[AssessmentRecord]:
        with self.session() as s:
            return list(s.exec(select(AssessmentRecord).where(AssessmentRecord.submission_id == submission_id)))

    def assessed_as(self, vendor_ids: list[str]) -> dict[str, AssessedAs]:
        """assessment id -> (submission id, decision), for every assessment of these vendors."""
        a = AssessmentRecord
        with self.connect() as conn:
            rows = conn.execute(select(a.id, a.submission_id, a.decision).where(a.vendor_id.in_(vendor_ids)))
            return {aid: AssessedAs(sid, decision) for aid, sid, decision in rows}

    def history(self, vendor_id: str) -> list[AssessmentHistory]:
        """A vendor's assessments, newest first, without their decision data."""
        a = AssessmentRecord
        with self.connect() as conn:
            return [AssessmentHistory(*row) for row in conn.execute(
                select(a.id, a.created_at, a.assessed_on, a.decision, a.score, a.geo_band, a.valid_until, a.reason,
                       a.rubric_version, a.country_data_version)
                .where(a.vendor_id == vendor_id).order_by(a.created_at.desc(), a.id.desc()))]
