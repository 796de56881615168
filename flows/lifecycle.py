"""The qualification lifecycle around the engine, as plain functions over the store (no Prefect here):
status, human review, remediation tracking, re-attestation requests and reminders.

The rules themselves are pure (`scoring.lifecycle`); this module reads what they need from the store,
writes what they decide, and renders the documents (a final SOW after an approval, a pre-filled form).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from scoring.lifecycle import (
    REMINDER_DAYS,
    ReviewPolicy,
    ReviewView,
    check_review,
    expiry_reminder,
    remediation_state,
    review_state,
    vendor_status,
)
from supplier_models import FairsourceError, Settings, Store, Submission
from supplier_models.names import slug
from supplier_models.tables import NoticeRecord, ReattestationRecord, RemediationRecord, ReviewRecord

if TYPE_CHECKING:  # the scoring engine, the SOW renderer and the form writer load where they are used, so
    from . import steps  # `fairsource status` (statuses) starts without them


class ActionRefused(FairsourceError):
    """A lifecycle action that cannot be taken as asked (exit status 2): the message says why."""


# -- what a person reads -------------------------------------------------------------------------
class RemediationView(BaseModel):
    id: str = Field(description="stable per vendor: R1, R2, ...")
    action: str
    question: str | None
    country: str | None
    priority: str
    due_date: dt.date
    state: str = Field(description="open, overdue or done")
    closed_on: dt.date | None = None
    closed_by: str | None = None
    evidence: str | None = None

    @classmethod
    def row(cls, r, as_of: dt.date) -> RemediationView:
        """From a `Store.remediation_rows` row (its fields by name, as the store selects them)."""
        return cls(id=r.code, action=r.action, question=r.question, country=r.country, priority=r.priority,
                   due_date=r.due_date, state=remediation_state(r.state, r.due_date, as_of), closed_on=r.closed_on,
                   closed_by=r.closed_by, evidence=r.evidence)

    @classmethod
    def of(cls, r: RemediationRecord, as_of: dt.date) -> RemediationView:
        return cls(id=r.code, action=r.action, question=r.question, country=r.country, priority=r.priority,
                   due_date=r.due_date, state=remediation_state(r.state, r.due_date, as_of), closed_on=r.closed_on,
                   closed_by=r.closed_by, evidence=r.evidence)


class VendorStatus(BaseModel):
    """`fairsource status --json`: one object per vendor (keys may be added, never removed)."""

    vendor: str
    vendor_id: str
    status: str
    decision: str = Field(description="the effective decision: the assessment's, or the one a reviewer set")
    assessed_decision: str
    assessment_id: str
    submission_id: str = Field(description="the attestation the status rests on")
    assessed_on: dt.date
    valid_until: dt.date | None = Field(None, description="when the qualification lapses (None for a refusal)")
    review_on: dt.date | None = Field(None, description="a refusal's date for a fresh look (None otherwise)")
    review_required: list[str] = Field(default_factory=list, description="why a review is (or was) required")
    review_pending: bool = False
    last_review: ReviewView | None = None
    override_knockout: bool = False
    open_remediations: list[RemediationView] = Field(default_factory=list)
    overdue_remediations: list[RemediationView] = Field(default_factory=list)
    remediations_done: int = 0
    reattestation_requested_on: dt.date | None = None
    reattestation_form: str | None = None
    sow: str | None = None
    sow_status: str | None = Field(None, description="final or draft")
    contact: str | None = None


def statuses(store: Store, policy: ReviewPolicy, as_of: dt.date, vendor_id: str | None = None,
             ) -> Iterator[VendorStatus]:
    """Every vendor's status on `as_of` (or one vendor's), in vendor-name order, streamed. Of each vendor's
    answers only those the review policy reads are fetched."""
    reviews = store.all_reviews(vendor_id)
    sows = store.latest_sows(vendor_id)
    reviewed = store.assessment_decisions_of_vendors(list(reviews)) if reviews else {}
    # Speed and memory: the remediations stream beside the vendors, in the same (vendor-name) order, so only
    # one vendor's are held at a time (a vendor with remediations always has an assessment).
    pending = store.remediation_rows(vendor_id)
    upcoming = next(pending, None)
    for row in store.lifecycle_rows(vendor_id, questions=[c.question for c in policy.answers]):
        vid = row["vendor_id"]
        tracked = []
        while upcoming is not None and upcoming.vendor_id == vid:
            tracked.append(RemediationView.row(upcoming, as_of))
            upcoming = next(pending, None)
        mine = _reviews_that_count(reviews.get(vid, []), reviewed, row["submission_id"], row["decision"])
        required = policy.required(row["decision"], row["answers"] or {})
        state = review_state(row["decision"], required, [_view(r) for r in mine], policy)
        overdue = [r for r in tracked if r.state == "overdue"]
        refused = state.decision == "not_qualified"
        sow = sows.get(vid)
        status = vendor_status(
            decision=state.decision, valid_until=row["valid_until"], as_of=as_of, review_pending=state.pending,
            overdue_high=sum(r.priority == "high" for r in overdue),
            reattestation_requested=row["reattestation_requested_on"] is not None)
        yield VendorStatus(
            vendor=row["vendor"], vendor_id=vid, status=status, decision=state.decision,
            assessed_decision=row["decision"], assessment_id=row["assessment_id"],
            submission_id=row["submission_id"], assessed_on=row["assessed_on"],
            valid_until=None if refused else row["valid_until"], review_on=row["valid_until"] if refused else None,
            review_required=state.required, review_pending=state.pending,
            last_review=_view(mine[-1]) if mine else None,
            override_knockout=state.override_knockout,
            open_remediations=[r for r in tracked if r.state == "open"], overdue_remediations=overdue,
            remediations_done=sum(r.state == "done" for r in tracked),
            reattestation_requested_on=row["reattestation_requested_on"], reattestation_form=row["reattestation_form"],
            sow=sow[0] if sow and not refused else None, sow_status=sow[1] if sow and not refused else None,
            contact=row["contact"])
    pending.close()  # its connection too (SQLite: no reader may stay open while the caller writes)


def _reviews_that_count(reviews: list[ReviewRecord], decisions: dict[str, tuple[str, str]], submission_id: str,
                        decision: str) -> list[ReviewRecord]:
    """The reviews that bear on an assessment: those of assessments of the same attestation that reached the same
    decision (a review carries over a rescoring of the same answers that changes nothing). `decisions`: assessment
    id -> (submission id, decision)."""
    return [r for r in reviews if decisions.get(r.assessment_id) == (submission_id, decision)]


def _view(r: ReviewRecord) -> ReviewView:
    return ReviewView(action=r.action, reviewer=r.reviewer, reason=r.reason, at=r.at, to_decision=r.to_decision,
                      override_knockout=r.override_knockout)


def find_vendor(store: Store, name: str):
    vendor = store.find_vendor(name)
    if vendor is None:
        raise ActionRefused(f'no vendor "{name}" in the store')
    return vendor


def status_of(store: Store, policy: ReviewPolicy, name: str, as_of: dt.date) -> VendorStatus:
    vendor = find_vendor(store, name)
    found = list(statuses(store, policy, as_of, vendor.id))
    if not found:
        raise ActionRefused(f"{vendor.name} has not been assessed yet: no status")
    return found[0]


# -- review ------------------------------------------------------------------------------------------
class Reviewed(BaseModel):
    status: VendorStatus
    sow: str | None = Field(None, description="the SOW issued final (or re-issued) by this review")


def record_review(store: Store, settings: Settings, inputs: steps.ScoringInputs, name: str, *, action: str,
                  reason: str, reviewer: str, to_decision: str | None = None, override_knockout: bool = False,
                  as_of: dt.date | None = None) -> Reviewed:
    """Append a review of the vendor's latest assessment; issue the final SOW when it ends a pending review."""
    from scoring import Decision

    from . import steps

    as_of = as_of or dt.date.today()
    before = status_of(store, inputs.review_policy, name, as_of)
    assessment = store.latest_assessment(before.vendor_id)
    earlier = [_view(r) for r in _reviews_that_count(
        store.reviews_for(before.vendor_id), store.assessment_decisions_of_vendors([before.vendor_id]),
        assessment.submission_id, assessment.decision)]
    why_not = check_review(action, reason, reviewer, to_decision, override_knockout, assessment.decision,
                           bool(assessment.data.get("knockouts")), earlier, inputs.review_policy)
    if why_not:
        raise ActionRefused(why_not)
    review = ReviewRecord(vendor_id=before.vendor_id, assessment_id=assessment.id, reviewer=reviewer.strip(),
                          action=action, reason=reason.strip(), to_decision=to_decision,
                          override_knockout=override_knockout)
    submission = store.submission_by_id(assessment.submission_id)
    required = steps.needs_review(submission, assessment.decision, inputs)
    state = review_state(assessment.decision, required, [*earlier, _view(review)], inputs.review_policy)
    sow_record = None
    if not state.pending and state.decision != "not_qualified" and (
            before.sow_status != "final" or state.decision != before.decision):
        decision = Decision.model_validate(assessment.data)
        if state.decision != decision.decision:
            decision = decision.model_copy(update={"decision": state.decision, "reasons": [
                *decision.reasons, f"Decision set to {state.decision} by review ({review.reviewer}): {review.reason}"]})
        target = steps.sow_path(settings.sow_dir, before.vendor, decision, review.id)  # never the draft's file
        rendered = steps.issue_sow(submission, decision, inputs, target, draft=False)
        sow_record = steps.sow_record(rendered, assessment_id=assessment.id, vendor_id=before.vendor_id,
                                      decision=state.decision, override_knockout=state.override_knockout)
    try:
        store.add_review(review, sow_record)
    except Exception:
        if sow_record is not None:
            Path(sow_record.path).unlink(missing_ok=True)
        raise
    return Reviewed(status=status_of(store, inputs.review_policy, before.vendor_id, as_of),
                    sow=sow_record.path if sow_record else None)


def close_remediation(store: Store, name: str, code: str, *, evidence: str,
                      reviewer: str, as_of: dt.date | None = None) -> RemediationView:
    as_of = as_of or dt.date.today()
    if not evidence.strip():
        raise ActionRefused("closing a remediation needs its evidence (--evidence)")
    if not reviewer.strip():
        raise ActionRefused("closing a remediation needs the reviewer's name (--reviewer)")
    vendor = find_vendor(store, name)
    found = store.close_remediation(vendor.id, code, evidence=evidence.strip(), reviewer=reviewer.strip(), on=as_of)
    if found is None:
        known = ", ".join(r.code for r in store.remediations(vendor.id)) or "none"
        raise ActionRefused(f"{vendor.name} has no remediation {code} (its remediations: {known})")
    if found.closed_how != "evidence" or found.closed_on is None:
        raise ActionRefused(f"{found.code} of {vendor.name} was closed already on {found.closed_on} "
                            f"({found.evidence})")
    return RemediationView.of(found, as_of)


# -- re-attestation --------------------------------------------------------------------------------
def prefilled_form(submission: Submission, out: Path, *, form_id: str, issued_at: dt.datetime) -> Path:
    """A normal form of the current questionnaire, pre-filled with the vendor's last answers and countries:
    the vendor confirms or corrects each and returns it through intake."""
    from supplier_models.form import fill_form, write_form
    from supplier_models.questionnaire import current

    q = current()
    write_form(out, submission.vendor_name, questionnaire=q, issued_at=issued_at, form_id=form_id)
    answers = {qid: value for qid, value in submission.answers.items() if qid in q.by_id and value is not None}
    evidence = {qid: text for qid, text in submission.evidence.items() if qid in q.by_id and text}
    countries = [(c.name, c.share_pct, c.workers, c.lowest_hourly_pay, c.currency, c.pay_basis)
                 for c in submission.countries]
    return fill_form(out, answers, countries, evidence)


class LifecycleRun(BaseModel):
    reattestation_requested: list[dict] = Field(default_factory=list)
    expired: list[dict] = Field(default_factory=list)


def request_reattestations(store: Store, settings: Settings, inputs: steps.ScoringInputs, as_of: dt.date,
                           within_days: int) -> LifecycleRun:
    """Ask every vendor whose qualification (or refusal's review date) falls within the window, and that has
    not been asked for this attestation, for a fresh one: a pre-filled form. List who is expired."""
    run = LifecycleRun()
    due_by = as_of + dt.timedelta(days=within_days)
    # Only the vendors due are kept from the stream, and nothing is written while it is open (SQLite).
    due = [s for s in statuses(store, inputs.review_policy, as_of) if (s.valid_until or s.review_on) <= due_by]
    for s in due:
        lapses = s.valid_until or s.review_on
        if s.status == "expired":
            run.expired.append({"vendor": s.vendor, "vendor_id": s.vendor_id, "expired_on": s.valid_until})
        if s.reattestation_requested_on is not None:
            continue
        submission_id = s.submission_id
        form_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fairsource-reattestation:{submission_id}"))
        path = settings.forms_dir / f"{slug(s.vendor)}-reattestation-{as_of.isoformat()}.xlsx"
        prefilled_form(store.submission_by_id(submission_id), path, form_id=form_id,
                       issued_at=dt.datetime.combine(as_of, dt.time(), dt.UTC))
        request = ReattestationRecord(vendor_id=s.vendor_id, submission_id=submission_id,
                                      assessment_id=s.assessment_id, requested_on=as_of, expires_on=lapses,
                                      form_path=str(path), form_id=form_id)
        if store.add_reattestation(request):
            run.reattestation_requested.append({"vendor": s.vendor, "vendor_id": s.vendor_id, "form": str(path),
                                                "expires_on": lapses, "contact": s.contact})
    return run


# -- reminders ---------------------------------------------------------------------------------------
class Notice(BaseModel):
    """A reminder to send: to the vendor's contact and the owner, or the owner only for internal matters."""

    vendor: str
    vendor_id: str
    kind: str
    subject_id: str
    subject: str
    text: str
    to: list[str] = Field(default_factory=list)
    attachment: str | None = None
    emailed: bool = False


def due_notices(store: Store, settings: Settings, inputs: steps.ScoringInputs, as_of: dt.date) -> list[Notice]:
    """Every reminder due on `as_of` that was not sent before (expiry in 60/30/7 days, expired, overdue
    remediations, reviews waiting, re-attestation forms to send)."""
    sent = store.notices_sent()
    owner = [settings.owner_email] if settings.owner_email else []
    out: list[Notice] = []

    def add(s: VendorStatus, kind: str, subject_id: str, subject: str, text: str, *, vendor_too: bool = True,
            attachment: str | None = None) -> None:
        if (s.vendor_id, kind, subject_id) in sent:
            return
        to = ([s.contact] if vendor_too and s.contact else []) + owner
        out.append(Notice(vendor=s.vendor, vendor_id=s.vendor_id, kind=kind, subject_id=subject_id, subject=subject,
                          text=text, to=to, attachment=attachment))

    horizon = as_of + dt.timedelta(days=max(REMINDER_DAYS))
    concerned = [s for s in statuses(store, inputs.review_policy, as_of)
                 if (s.valid_until and s.valid_until <= horizon) or s.reattestation_form or s.overdue_remediations
                 or s.review_pending]
    for s in concerned:
        attestation = s.submission_id
        if s.valid_until and s.status != "expired":
            already = [int(kind.split("_")[1]) for vid, kind, sid in sent
                       if vid == s.vendor_id and sid == attestation and kind.startswith("expiry_")]
            days = expiry_reminder(s.valid_until, as_of, already)
            if days is not None:
                add(s, f"expiry_{days}", attestation, f"{s.vendor}: qualification expires on {s.valid_until}",
                    f"The qualification of {s.vendor} expires on {s.valid_until} (in "
                    f"{(s.valid_until - as_of).days} days). Please confirm or correct your answers on the "
                    "pre-filled form and return it.")
        if s.status == "expired":
            add(s, "expired", attestation, f"{s.vendor}: qualification expired",
                f"The qualification of {s.vendor} expired on {s.valid_until}. No SOW can be issued until a fresh, "
                "confirmed questionnaire is received.")
        if s.reattestation_form and s.reattestation_requested_on:
            add(s, "reattestation_requested", attestation, f"{s.vendor}: please confirm your answers",
                f"Your qualification rests on the answers you gave; it lapses on {s.valid_until or s.review_on}. "
                "The attached form is pre-filled with them: confirm or correct each answer and return it.",
                attachment=s.reattestation_form)
        for r in s.overdue_remediations:
            add(s, "remediation_overdue", r.id, f"{s.vendor}: remediation {r.id} overdue",
                f"Remediation {r.id} ({r.priority} priority) was due on {r.due_date}: {r.action}")
        if s.review_pending:
            add(s, "review_waiting", s.assessment_id, f"{s.vendor}: review waiting",
                f"The {s.assessed_decision} assessment of {s.vendor} of {s.assessed_on} waits for a review: "
                + "; ".join(s.review_required) + ".", vendor_too=False)
    return out


def record_notices(store: Store, notices: list[Notice], as_of: dt.date) -> list[Notice]:
    """Record the notices sent (once each); returns those recorded now."""
    done = store.add_notices([NoticeRecord(vendor_id=n.vendor_id, kind=n.kind, subject_id=n.subject_id,
                                           sent_on=as_of, recipients=n.to, emailed=n.emailed, text=n.text[:4000])
                              for n in notices])
    return [n for n, now in zip(notices, done, strict=True) if now]
