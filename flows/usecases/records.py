"""The store rows a decision becomes: its assessment record and the record of the SOW issued with it."""

from __future__ import annotations

from scoring import Decision
from sow_templates import RenderedSow
from supplier_models.store.tables import AssessmentRecord, SowRecord


def assessment_record(decision: Decision, *, assessment_id: str, vendor_id: str, submission_id: str,
                      reason: str, data: dict | None = None, supersedes: str | None = None) -> AssessmentRecord:
    """`data`: the decision's `model_dump(mode="json")` when the caller has it already; `supersedes`: the
    assessment a rescoring replaces (the store keeps at most one rescoring of each)."""
    return AssessmentRecord(
        supersedes=supersedes,
        id=assessment_id, vendor_id=vendor_id, submission_id=submission_id, assessed_on=decision.assessed_on,
        decision=decision.decision, score=decision.score, geo_band=decision.geo.band,
        valid_until=decision.valid_until, rubric_version=decision.rubric_version,
        country_data_version=decision.country_data_version, policy_version=decision.policy_version,
        reason=reason, data=decision.model_dump(mode="json") if data is None else data,
    )


def sow_record(rendered: RenderedSow, *, assessment_id: str, vendor_id: str, decision: str, draft: bool = False,
               override_knockout: bool = False) -> SowRecord:
    return SowRecord(
        assessment_id=assessment_id, vendor_id=vendor_id, path=str(rendered.path), sha256=rendered.sha256,
        template_sha256=rendered.template_sha256,
        clauses=[{"library": rendered.clause_library, **c.model_dump()} for c in rendered.clauses],
        status="draft" if draft else "final", decision=decision, override_knockout=override_knockout,
        reference=rendered.reference,
    )
