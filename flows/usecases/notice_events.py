"""The decision changes and reviews to tell: each vendor's effective decision over time (its assessments, each
folded with the reviews that count for it, `flows.usecases.status`), and the events that changed it or reviewed
it since a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pydantic import BaseModel

from scoring.lifecycle import ReviewPolicy, ReviewState, ReviewView, review_state
from supplier_models import Store
from supplier_models.store.rows import AssessmentStep
from supplier_models.store.tables import ReviewRecord

CAUSES = (("rubric_version", "the scoring rubric changed"),
          ("policy_version", "the organisation's policy changed"),
          ("country_data_version", "the country reference data changed"))


class DecisionEvent(BaseModel):
    """A rescoring, a new submission or a review that changed a vendor's decision, or any review."""

    kind: str
    subject_id: str
    subject: str
    vendor_too: bool = True
    on: dt.date
    before: str | None
    after: str
    assessment_id: str
    valid_until: dt.date
    cause: str = ""
    pending: bool = False
    reviewer: str | None = None
    action: str | None = None
    reason: str | None = None


def decision_events(store: Store, policy: ReviewPolicy, since: dt.date, vendor_ids: list[str] | None = None,
                    ) -> dict[str, list[DecisionEvent]]:
    """vendor id -> the decision changes (by rescoring or a new submission) and the reviews made on or after
    `since`, oldest first (of these vendors, or of every vendor when None)."""
    out: dict[str, list[DecisionEvent]] = {}
    for vid, steps, mine in store.notices.decision_history(since, vendor_ids=vendor_ids):  # a vendor at a time
        found = [e for e in _timeline(steps, mine, policy) if e.on >= since]
        if found:
            out[vid] = found
    return out


def _when(step: AssessmentStep | ReviewRecord) -> dt.datetime:
    at = step.created_at if isinstance(step, AssessmentStep) else step.at
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _timeline(steps: list[AssessmentStep], reviews: list[ReviewRecord], policy: ReviewPolicy,
              ) -> Iterator[DecisionEvent]:
    """Walk one vendor's assessments and reviews in the order they were made, yielding each assessment that
    changed the effective decision and every review."""
    merged = sorted([*steps, *reviews], key=lambda x: (_when(x), x.id))
    assessed = {a.id: (a.submission_id, a.decision) for a in steps}
    current: AssessmentStep | None = None
    previous: AssessmentStep | None = None
    seen: list[ReviewRecord] = []
    effective: str | None = None
    for step in merged:
        if isinstance(step, AssessmentStep):
            previous, current = current, step
            state = _fold(current, seen, assessed, policy)
            if effective is not None and state.decision != effective:
                yield _changed(current, previous, effective, state.decision, state.pending)
        else:
            seen.append(step)
            if current is None:
                continue
            state = _fold(current, seen, assessed, policy)
            yield _reviewed(step, current, effective, state.decision, state.pending)
        effective = state.decision


def _fold(current: AssessmentStep, reviews: list[ReviewRecord], assessed: dict[str, tuple[str, str]],
          policy: ReviewPolicy) -> ReviewState:
    """The effective decision of `current` with the reviews that count for it (those of an assessment of the same
    attestation with the same decision, as `status.reviews_that_count`), and whether an override awaits a second
    reviewer."""
    counted = [ReviewView(action=r.action, reviewer=r.reviewer, reason=r.reason, at=r.at, to_decision=r.to_decision,
                          override_knockout=r.override_knockout)
               for r in reviews if assessed.get(r.assessment_id) == (current.submission_id, current.decision)]
    return review_state(current.decision, [], counted, policy)


def _changed(current: AssessmentStep, previous: AssessmentStep | None, before: str, after: str,
             pending: bool) -> DecisionEvent:
    if current.reason == "intake" or previous is None or previous.submission_id != current.submission_id:
        cause = f"the questionnaire received on {current.assessed_on} was scored"
    else:
        changed = [words for column, words in CAUSES if getattr(previous, column) != getattr(current, column)]
        cause = (" and ".join(changed) or "the data it is scored with changed") + \
            f": the answers already given were scored again on {current.assessed_on}"
    return DecisionEvent(kind="decision_changed", subject_id=current.id, on=current.assessed_on, before=before,
                         after=after, assessment_id=current.id, valid_until=current.valid_until, cause=cause,
                         pending=pending, subject=f"decision changed from {before.replace('_', ' ')} to "
                                                 f"{after.replace('_', ' ')}")


def _reviewed(review: ReviewRecord, current: AssessmentStep, before: str | None, after: str,
              pending: bool) -> DecisionEvent:
    verb = {"approve": "approved", "reject": "rejected", "override": "changed"}.get(review.action, review.action)
    subject = (f"decision {verb} on review" if before in (None, after)
               else f"decision changed on review from {before.replace('_', ' ')} to {after.replace('_', ' ')}")
    return DecisionEvent(kind="review_outcome", subject_id=review.id, on=_when(review).date(), before=before,
                         after=after, assessment_id=current.id, valid_until=current.valid_until, pending=pending,
                         vendor_too=not pending, reviewer=review.reviewer, action=review.action,
                         reason=review.reason, subject=subject)
