"""Re-attestation: a vendor whose qualification is about to lapse is sent a form pre-filled with its last answers
(once per attestation); those already expired are listed."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from supplier_models import Settings, Store, Submission
from supplier_models.names import slug
from supplier_models.store.tables import ReattestationRecord, SubmissionRecord

from .vendor_state import due_statuses

if TYPE_CHECKING:
    from .inputs import ScoringInputs


def prefilled_form(submission: Submission, out: Path, *, form_id: str, issued_at: dt.datetime,
                   answered_on: dt.date | None = None) -> Path:
    """A normal form of the current questionnaire, pre-filled with the vendor's last answers, countries and
    attestation: the vendor confirms or corrects each and returns it through intake. A banner says so, with
    `answered_on`, the day the submission was received ("your last answers" when it is not given)."""
    from supplier_models.questionnaire import current
    from supplier_models.workbooks.form import fill_form, prefill_banner, write_form

    q = current()
    write_form(out, submission.vendor_name, questionnaire=q, issued_at=issued_at, form_id=form_id,
               banner=prefill_banner(answered_on))
    answers = {qid: value for qid, value in submission.answers.items() if qid in q.by_id and value is not None}
    evidence = {qid: text for qid, text in submission.evidence.items() if qid in q.by_id and text}
    countries = [(c.name, c.share_pct, c.workers, c.lowest_hourly_pay, c.currency, c.pay_basis)
                 for c in submission.countries]
    # The last attestation as it was (None, from a form issued before forms carried one: left to fill in).
    return fill_form(out, answers, countries, evidence, attestation=submission.attestation)


def _received_on(store: Store, submission_id: str) -> dt.date:
    """The day a stored submission was received (the intake's as-of date when one was given)."""
    with store.session() as s:
        return s.get(SubmissionRecord, submission_id).received_at.date()


class LifecycleRun(BaseModel):
    reattestation_requested: list[dict] = Field(default_factory=list)
    expired: list[dict] = Field(default_factory=list)


def request_reattestations(store: Store, settings: Settings, inputs: ScoringInputs, as_of: dt.date,
                           within_days: int) -> LifecycleRun:
    """Ask every vendor whose qualification (or refusal's review date) falls within the window, and that has
    not been asked for this attestation, for a fresh one: a pre-filled form. List who is expired."""
    run = LifecycleRun()
    due_by = as_of + dt.timedelta(days=within_days)
    # Only the vendors due are kept from the stream, and nothing is written while it is open (SQLite).
    indexed = store.states.complete()
    due = [s for s in due_statuses(store, inputs.review_policy, as_of) if (s.valid_until or s.review_on) <= due_by]
    if indexed:  # every expired vendor, not only those due today
        run.expired = [{"vendor": name, "vendor_id": vid, "expired_on": until}
                       for vid, name, until in store.states.expired(as_of)]
    for s in due:
        due_back = s.valid_until or s.review_on  # a qualification's end, or a refusal's review date
        if s.status == "expired" and not indexed:
            run.expired.append({"vendor": s.vendor, "vendor_id": s.vendor_id, "expired_on": s.valid_until})
        if s.reattestation_requested_on is not None:
            continue
        submission_id = s.submission_id
        form_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fairsource-reattestation:{submission_id}"))
        path = settings.forms_dir / f"{slug(s.vendor)}-reattestation-{as_of.isoformat()}.xlsx"
        prefilled_form(store.submissions.get(submission_id), path, form_id=form_id,
                       issued_at=dt.datetime.combine(as_of, dt.time(), dt.UTC),
                       answered_on=_received_on(store, submission_id))
        request = ReattestationRecord(vendor_id=s.vendor_id, submission_id=submission_id,
                                      assessment_id=s.assessment_id, requested_on=as_of, expires_on=due_back,
                                      form_path=str(path), form_id=form_id)
        if store.reattestations.add(request):
            run.reattestation_requested.append({"vendor": s.vendor, "vendor_id": s.vendor_id, "form": str(path),
                                                "expires_on": due_back, "contact": s.contact})
    return run
