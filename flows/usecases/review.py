"""A person's review of a decision (approve, reject, change it), the final SOW it issues, and a remediation closed
with its evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from scoring.lifecycle import check_review, review_state
from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused
from supplier_models.store.tables import ReviewRecord

from .remediations import standing_answer_of
from .status import RemediationView, VendorStatus, find_vendor, reviews_that_count, status_of, view_of

if TYPE_CHECKING:  # the scoring engine and the SOW renderer load where they are used
    from .inputs import ScoringInputs


class Reviewed(BaseModel):
    status: VendorStatus
    sow: str | None = Field(None, description="the SOW issued final (or re-issued) by this review")


def record_review(store: Store, settings: Settings, inputs: ScoringInputs, name: str, *, action: str,
                  reason: str, reviewer: str, to_decision: str | None = None, override_knockout: bool = False,
                  as_of: dt.date | None = None) -> Reviewed:
    """Append a review of the vendor's latest assessment; issue the final SOW when it ends a pending review."""
    from scoring import Decision

    from .inputs import needs_review
    from .records import sow_record as record_of
    from .remediations import register_refs_of
    from .sow_issue import issue_sow, sow_path

    as_of = as_of or dt.date.today()
    before = status_of(store, inputs.review_policy, name, as_of)
    assessment = store.assessments.latest(before.vendor_id)
    earlier = [view_of(r) for r in reviews_that_count(
        store.reviews.of_vendor(before.vendor_id), store.assessments.assessed_as([before.vendor_id]),
        assessment.submission_id, assessment.decision)]
    why_not = check_review(action, reason, reviewer, to_decision, override_knockout, assessment.decision,
                           bool(assessment.data.get("knockouts")), earlier, inputs.review_policy)
    if why_not:
        raise ActionRefused(why_not.message, why_not.field)
    review = ReviewRecord(vendor_id=before.vendor_id, assessment_id=assessment.id, reviewer=reviewer.strip(),
                          action=action, reason=reason.strip(), to_decision=to_decision,
                          override_knockout=override_knockout)
    submission = store.submissions.get(assessment.submission_id)
    required = needs_review(submission, assessment.decision, inputs)
    state = review_state(assessment.decision, required, [*earlier, view_of(review)], inputs.review_policy)
    sow_record = None
    if not state.pending and state.decision != "not_qualified" and (
            before.sow_status != "final" or state.decision != before.decision):
        decision = Decision.model_validate(assessment.data)
        if state.decision != decision.decision:
            decision = decision.model_copy(update={"decision": state.decision, "reasons": [
                *decision.reasons, f"Decision set to {state.decision} by review ({review.reviewer}): {review.reason}"]})
        target = sow_path(settings.sow_dir, before.vendor, decision, review.id)  # never the draft's file
        rendered = issue_sow(submission, decision, inputs, target, draft=False,
                             register=register_refs_of(store, before.vendor_id, decision))
        sow_record = record_of(rendered, assessment_id=assessment.id, vendor_id=before.vendor_id,
                                decision=state.decision, override_knockout=state.override_knockout)
    try:
        store.reviews.add(review, sow_record)
    except Exception:
        if sow_record is not None:
            Path(sow_record.path).unlink(missing_ok=True)
        raise
    return Reviewed(status=status_of(store, inputs.review_policy, before.vendor_id, as_of),
                    sow=sow_record.path if sow_record else None)


def close_remediation(store: Store, name: str, code: str, *, evidence: str,
                      reviewer: str, as_of: dt.date | None = None) -> RemediationView:
    """Close an open remediation with its evidence, recording the answer that stands for it (the one a later
    submission may give without reopening the matter, `scoring.lifecycle.plan_remediations`)."""
    as_of = as_of or dt.date.today()
    if not evidence.strip():
        raise ActionRefused("closing a remediation needs its evidence", "evidence")
    if not reviewer.strip():
        raise ActionRefused("closing a remediation needs the reviewer's name", "reviewer")
    vendor = find_vendor(store, name)
    found = store.remediations.get(vendor.id, code)
    answer, in_force = standing_answer_of(store, vendor.id, found.key) if found and found.state == "open" else \
        (None, None)
    closing = store.remediations.close(vendor.id, code, evidence=evidence.strip(), reviewer=reviewer.strip(),
                                       on=as_of, answer=answer, assessment_id=in_force)
    if closing is None:
        known = ", ".join(r.code for r in store.remediations.all(vendor.id)) or "none"
        raise ActionRefused(f"{vendor.name} has no remediation {code} (its remediations: {known})")
    found = closing.remediation
    if not closing.closed_now:  # closed before, with evidence or by new answers: nothing to do, and it says so
        raise ActionRefused(f"{found.code} of {vendor.name} was closed already on {found.closed_on} by "
                            f"{found.closed_by} ({found.evidence})")
    return RemediationView.of(found, as_of)
