"""Intake: returned workbooks read, scored, their SOWs written and everything stored in one transaction; a file
received before is recognised and not stored again."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from scoring import Decision
from supplier_models import Store, Submission, WorkbookRejected
from supplier_models.errors import Problem, RegisterChanged, StoreError
from supplier_models.store.tables import SubmissionRecord
from supplier_models.workbooks.reader import read_workbook
from supplier_models.workbooks.typed import content_digest

from . import remediations
from .inputs import ScoringInputs, decide, needs_review
from .records import assessment_record, sow_record
from .sow_issue import issue_sow, sow_path


class Rejected(BaseModel):
    file: str
    problems: list[Problem]


class Outcome(BaseModel):
    """What happened to one returned workbook at intake."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    file: str = ""
    vendor: str
    vendor_id: str | None = None
    assessment_id: str
    decision: Decision
    sow: str | None = None
    sow_status: str | None = Field(None, description="final, or draft while a required review is pending")
    duplicate: bool = False

    def as_json(self) -> dict:
        """The `--json` decision object (docs/contracts.md, "The `--json` decision object"): keys may be added, never
        removed."""
        d = self.decision.model_dump(mode="json")
        return {
            "vendor": self.vendor,
            "vendor_id": self.vendor_id,
            "assessment_id": self.assessment_id,
            "decision": d["decision"],
            "score": d["score"],
            "principles": d["principles"],
            "knockouts": [{"rule": k["rule"], "question": k["question"], "reason": k["reason"]}
                          for k in d["knockouts"]],
            "geo": {
                "score": d["geo"]["score"],
                "band": d["geo"]["band"],
                "countries": [
                    {"iso2": c["iso2"], "share": c["share"], "score": c["score"], "band": c["band"],
                     "flags": c["flags"]}
                    for c in d["geo"]["countries"]
                ],
            },
            "remediations": [{"action": r["action"], "due_in_days": r["due_in_days"], "question": r["question"],
                              "due_date": r["due_date"], "country": r["country"], "evidence": r.get("evidence")}
                             for r in d["remediations"]],
            "valid_until": d["valid_until"],
            "sow": self.sow,
            "rubric_version": d["rubric_version"],
            "country_data_version": d["country_data_version"],
            "questionnaire": f'{d["questionnaire_id"]} v{d["questionnaire_version"]}',
            "policy_version": d["policy_version"],
            "reasons": d["reasons"],
            "flags": d["flags"],
            "file": self.file,
            "duplicate": self.duplicate,
            "sow_status": self.sow_status,
        }


def read_files(paths: list[str]) -> list[Submission | Rejected]:
    out: list[Submission | Rejected] = []
    for path in paths:
        try:
            out.append(read_workbook(path))
        except WorkbookRejected as exc:
            out.append(Rejected(file=str(path), problems=exc.problems))
    return out


INTAKE_ATTEMPTS = 3


def intake_one(submission: Submission, store: Store, inputs: ScoringInputs, as_of: dt.date,
               sow_dir: Path, received_on: dt.date | None = None, *, actor: str | None = None,
               audit: str | None = None) -> Outcome:
    """Score a new submission, write its SOW, and store all of it in one transaction, with its audit events
    (`actor`: who sent it; `audit`: the action of one more event, for the door it came through, e.g.
    `web_intake`).

    A file already received for this vendor is not scored again: its stored
    assessment is returned with `duplicate=True` (also when the same file was
    stored while this one was scored: the store refuses it a second time).
    `received_on`: the day the vendor's attestation counts from (`intake --as-of`), else now. When another
    intake changed the vendor's register meanwhile (the SOW's remediation ids would be wrong), it is scored and
    stored again, a few times.
    """
    for attempt in range(INTAKE_ATTEMPTS):
        found = duplicate_of(submission, store)
        if found is not None:
            if audit:
                store.audit.record(audit, actor=actor, vendor_id=found.vendor_id, subject=submission.filename,
                                   detail={"assessment_id": found.assessment_id,
                                           "decision": found.decision.decision, "duplicate": True})
            return found
        try:
            return _store_new(submission, store, inputs, as_of, sow_dir, received_on, actor=actor, audit=audit)
        except RegisterChanged:
            if attempt == INTAKE_ATTEMPTS - 1:
                raise
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError) or store.submissions.find(
                    submission.vendor_name, submission.sha256) is None:
                raise
            # the same file was stored meanwhile: answered as the duplicate it is, at the loop's top
    raise AssertionError("unreachable")


def duplicate_of(submission: Submission, store: Store) -> Outcome | None:
    """The outcome stored for this file of this vendor, as a duplicate; None when it is new."""
    existing = store.submissions.find(submission.vendor_name, submission.sha256) or same_answers(submission, store)
    if existing is None:
        return None
    latest = max(store.assessments.of_submission(existing.id), key=lambda a: a.created_at, default=None)
    if latest is None:
        return None
    sow = store.sows.latest(existing.vendor_id)
    return Outcome(file=submission.filename, vendor=submission.vendor_name, vendor_id=existing.vendor_id,
                   assessment_id=latest.id, decision=Decision.model_validate(latest.data),
                   sow=sow.path if sow else None, sow_status=sow.status if sow else None, duplicate=True)


def same_answers(submission: Submission, store: Store) -> SubmissionRecord | None:
    """The stored submission of the same answers when either of the two came by the portal's web form (whose
    sha256 is its answers' digest, `content_digest`): the same answers sent in the web form and in a workbook are
    one submission. Two workbooks are compared by their files only, as they always were."""
    digest = content_digest(submission)
    found = store.submissions.find(submission.vendor_name, digest)  # sent in the web form before
    if found is not None or submission.sha256 != digest:
        return found
    return next((record for record in store.submissions.of_vendor_named(submission.vendor_name)
                 if content_digest(store.submissions.read(record)) == digest), None)


def _store_new(submission: Submission, store: Store, inputs: ScoringInputs, as_of: dt.date, sow_dir: Path,
               received_on: dt.date | None, *, actor: str | None, audit: str | None) -> Outcome:
    decision = decide(submission, inputs, as_of)
    assessment_id, submission_id = str(uuid.uuid4()), str(uuid.uuid4())
    draft = bool(needs_review(submission, decision.decision, inputs))
    # Schedule 1 names each remediation by the id the register will give it: planned from the register as it
    # stands, and checked again when the assessment is stored (a concurrent write refuses the store)
    vendor = store.vendors.named(submission.vendor_name)
    rows = store.remediations.tracked([vendor.id]).get(vendor.id, []) if vendor else []
    refs = remediations.plan(rows, decision.remediations, new_submission=True).refs
    rendered = issue_sow(submission, decision, inputs, sow_path(sow_dir, submission.vendor_name, decision,
                                                                assessment_id), draft=draft, register=refs)
    record = assessment_record(decision, assessment_id=assessment_id, vendor_id="", submission_id=submission_id,
                               reason="intake")
    sow = sow_record(rendered, assessment_id=assessment_id, vendor_id="", decision=decision.decision,
                     draft=draft) if rendered else None
    received_at = dt.datetime.combine(received_on, dt.time(), dt.UTC) if received_on else None
    try:
        _, stored = store.assessments.record_intake(submission, submission_id, record, sow, received_at=received_at,
                                                    sync=remediations.checked({assessment_id: refs} if sow else {}),
                                                    actor=actor, audit=audit)
    except Exception:
        if rendered is not None:  # nothing half-written: no SOW file without its records
            Path(rendered.path).unlink(missing_ok=True)
        raise
    return Outcome(file=submission.filename, vendor=submission.vendor_name, vendor_id=stored.vendor_id,
                   assessment_id=assessment_id, decision=decision, sow=str(rendered.path) if rendered else None,
                   sow_status=sow.status if sow else None)
