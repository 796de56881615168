"""Rescoring on a change of rubric, policy or country data: which vendors are due, and a batch of them rescored
from their stored answers, never valid past the attestation those answers are."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from pydantic import BaseModel, Field, computed_field

from scoring import Decision
from scoring.lifecycle import attestation_expiry
from supplier_models import Store, Submission
from supplier_models.store.tables import AssessmentRecord, SowRecord

from . import remediations
from .inputs import ScoringInputs, decide, needs_review
from .records import assessment_record, sow_record
from .sow_issue import issue_sow, sow_needs_reissue, sow_path, sweep_orphan_sows


def select_changed(store: Store, inputs: ScoringInputs) -> list[str]:
    """The latest-assessment ids of the vendors to rescore: assessed under another rubric or policy, or
    the country data changed for a country they work in. (An expiring qualification is not rescored: it
    needs the vendor's fresh attestation, see `flows.usecases`.)"""
    reference = inputs.reference
    due = []
    for aid, rubric_changed, policy_changed, data_changed, fingerprints in store.rescorings.candidates(
        rubric_version=inputs.rubric_for("RDE-1").key,
        country_data_version=inputs.country_data_version, policy_version=inputs.policy.version,
    ):
        affected = data_changed and (not fingerprints or any(
            reference.fingerprint(iso2) != old for iso2, old in fingerprints.items()))
        if rubric_changed or policy_changed or affected:
            due.append(aid)
    return due


def rescorings_of(store: Store, due_ids: list[str]) -> list[Requalified]:
    """What the rescoring of these latest-assessment ids stored (by whichever worker did it)."""
    return [Requalified(vendor=r.vendor, vendor_id=r.vendor_id, assessment_id=r.assessment_id,
                        previous_decision=r.previous_decision, decision=r.decision, score=r.score,
                        valid_until=r.valid_until, sow=r.sow)
            for r in store.rescorings.results(due_ids)]


def cap_validity(decision: Decision, inputs: ScoringInputs, received_on: dt.date) -> Decision:
    """The decision, valid no longer than the attestation it rests on."""
    rubric = inputs.rubric_for(decision.questionnaire_id)
    end = attestation_expiry(rubric.validity, decision.decision, received_on)
    if decision.valid_until <= end:
        return decision
    why = (f"Valid until {end.isoformat()}: rescored on the vendor's answers of {received_on.isoformat()}, the "
           "qualification ends with that attestation; a fresh submission renews it.")
    return decision.model_copy(update={"valid_until": end, "reasons": [*decision.reasons, why]})


class Requalified(BaseModel):
    """One vendor's requalification, compact: the full decision is in the store."""

    vendor: str
    vendor_id: str
    assessment_id: str
    previous_decision: str
    decision: str
    score: float
    valid_until: dt.date
    sow: str | None = Field(None, description="the SOW re-issued with this assessment, if any")

    @computed_field
    @property
    def sow_reissued(self) -> bool:
        return self.sow is not None


def rescore_batch(store: Store, due_ids: list[str], inputs: ScoringInputs, as_of: dt.date,
                  sow_dir: Path, actor: str | None = None) -> list[Requalified]:
    """Rescore a batch of vendors from their stored submissions (the rubric, policy or country data
    changed); store the new assessments together.

    `due_ids` are the vendors' latest assessment ids: those assessments stay as they are. A new
    assessment is never valid past the attestation it rests on (received date + the validity of its
    decision): rescoring old answers does not extend a qualification.
    """
    # Speed: one query of plain rows for the whole batch (previous assessment, submission, vendor name),
    # and each decision dumped to JSON once, for both the re-issue check and the stored record.
    rows = store.rescorings.batch(due_ids)
    sweep_orphan_sows(store, sow_dir, {row.vendor_id: row.vendor for row in rows})
    items: list[tuple[AssessmentRecord, SowRecord | None]] = []
    results: list[Requalified] = []
    written: list[Path] = []
    try:
        for due_id, vendor_id, submission_id, previous_decision, previous_data, submission_data, vendor, received in rows:
            submission = Submission.model_validate(submission_data)
            decision = cap_validity(decide(submission, inputs, as_of), inputs, received.date())
            data = decision.model_dump(mode="json")
            assessment_id = str(uuid.uuid4())
            rendered = None
            draft = bool(needs_review(submission, decision.decision, inputs))
            if sow_needs_reissue(previous_data, data):
                rendered = issue_sow(submission, decision, inputs, sow_path(sow_dir, vendor, decision, assessment_id),
                                     draft=draft)
                if rendered is not None:
                    written.append(Path(rendered.path))
            record = assessment_record(decision, assessment_id=assessment_id, vendor_id=vendor_id,
                                       submission_id=submission_id, reason="data_change", data=data,
                                       supersedes=due_id)
            sow = sow_record(rendered, assessment_id=assessment_id, vendor_id=vendor_id, decision=decision.decision,
                             draft=draft) if rendered else None
            items.append((record, sow))
            results.append(Requalified(vendor=vendor, vendor_id=vendor_id, assessment_id=assessment_id,
                                       previous_decision=previous_decision, decision=decision.decision,
                                       score=decision.score, valid_until=decision.valid_until,
                                       sow=str(rendered.path) if rendered else None))
        store.assessments.add_many(items, sync=remediations.sync, actor=actor)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return results
