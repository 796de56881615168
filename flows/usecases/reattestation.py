"""Re-attestation: a vendor whose qualification is about to lapse is sent a form pre-filled with its last answers
(once per attestation); those already expired are listed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from scoring.models import Decision
from supplier_models import Settings, Store, Submission
from supplier_models.names import slug
from supplier_models.store.tables import ReattestationRecord, RemediationRecord, SubmissionRecord

from .remediations import register_refs_of
from .vendor_state import due_status_chunks

if TYPE_CHECKING:
    from supplier_models.questionnaire import Questionnaire
    from supplier_models.workbooks.marks import AnswerMark

    from .inputs import ScoringInputs
    from .status import VendorStatus


def prefilled_form(submission: Submission, out: Path, *, form_id: str, issued_at: dt.datetime,
                   answered_on: dt.date | None = None, closed: Sequence[RemediationRecord] = ()) -> Path:
    """A normal form of the current questionnaire, pre-filled with the vendor's last answers (those that carry over
    when they were given to an earlier questionnaire: every RDE-1 answer into RDE-2, whose new questions are left
    empty and named under the banner), countries and attestation: the vendor confirms or corrects each and returns
    it through intake. A banner says so, with `answered_on`, the day the submission was received ("your last
    answers" when it is not given).

    `closed`: the vendor's remediations closed with evidence that its last answers still raise
    (`closed_with_evidence`). Each answer it stands on shows the answer that stands for the evidence (recorded
    when it was closed: the one that meets the bar when the rubric names it, else the vendor's answer then),
    shaded green with a comment, and a line under the banner says which remediation was closed when, on what
    evidence. Returned unchanged, it does not reopen the remediation (`scoring.lifecycle.plan_remediations`)."""
    from supplier_models.questionnaire import current, load
    from supplier_models.workbooks.form import fill_form, prefill_banner, write_form

    q = current()
    answered = load(submission.questionnaire_id, submission.questionnaire_version)
    answers = q.carried_over(submission.answers, answered)
    marks, notes = _closed_marks(closed, answers, q)
    if answered.key != q.key:
        notes.insert(0, new_questions_note(q, answered, answers))
    write_form(out, submission.vendor_name, questionnaire=q, issued_at=issued_at, form_id=form_id,
               banner=prefill_banner(answered_on), notes=notes)
    evidence = q.carried_over(submission.evidence, answered)  # the reader keeps no blank evidence
    countries = [(c.name, c.share_pct, c.workers, c.lowest_hourly_pay, c.currency, c.pay_basis)
                 for c in submission.countries]
    # The last attestation as it was (None, from a form issued before forms carried one: left to fill in).
    return fill_form(out, answers, countries, evidence, attestation=submission.attestation, marks=marks)


def new_questions_note(q: Questionnaire, answered: Questionnaire, answers: dict[str, object]) -> str:
    """The line a form pre-filled from answers to an earlier questionnaire carries: which questions are new, left
    empty to answer (those a condition asks only sometimes named with it, unless the carried answers meet it)."""
    new = [q.by_id[qid] for qid in q.by_id if not q.carries_over(qid, answered)]
    needed = [x.id for x in new if x.is_required(answers) or (x.required_if is None and x.optional_if is None)]
    sometimes = [f"{x.id} when {(x.required_if or x.optional_if).describe()}" for x in new if x.id not in needed]
    return (f"Your last answers were to {answered.key}; this form is {q.key}. Your answers are carried over; "
            f"the questions new in it are left empty for you to answer: {', '.join(needed)}"
            + (f" (and {'; '.join(sometimes)})" if sometimes else "") + ".")


def _closed_marks(closed: Sequence[RemediationRecord], answers: dict, q) -> tuple[list[AnswerMark], list[str]]:
    """Each closed remediation's mark and banner line; `answers` takes the answer that stands for the evidence
    where it is not the vendor's last (the rubric named the answer that meets the bar: yes/no or choice)."""
    from scoring.decision import answer_text
    from supplier_models.workbooks.marks import AnswerMark

    marks, notes = [], []
    for r in closed:
        question = q.by_id.get(r.question) if r.question else None
        shown, last = r.closed_answer, answer_text(answers.get(r.question)) if question else None
        if question and shown is not None and shown != last and question.type in ("yes_no", "choice"):
            answers[r.question] = shown
            stands = (f"{r.question} shows {shown}, what that evidence established (your last answer was "
                      f"{last or 'empty'})")
        elif question:
            stands = f"your answer to {r.question} stands with that evidence"
        elif r.country:
            stands = f"your row for {r.country} on the Countries sheet stands with that evidence"
        else:
            notes.append(f"{r.code} closed on {r.closed_on:%Y-%m-%d} with evidence: {r.evidence}.")
            continue
        notes.append(f"{r.code} closed on {r.closed_on:%Y-%m-%d} with evidence: {r.evidence}. "
                     f"{stands[0].upper()}{stands[1:]}, marked green: keep it to confirm.")
        marks.append(AnswerMark(r.question if question else None, None if question else r.country,
                                f"{r.code} closed on {r.closed_on:%Y-%m-%d} with evidence accepted by {r.closed_by}: "
                                f"{r.evidence}. {stands[0].upper()}{stands[1:]}: keep it to confirm. An answer "
                                "that falls short opens a new remediation."))
    return marks, notes


def closed_with_evidence(store: Store, vendor_id: str) -> list[RemediationRecord]:
    """The vendor's remediations closed with evidence that its latest assessment still raises (the register keeps
    them closed): what its pre-filled form marks."""
    latest = store.assessments.latest(vendor_id)
    if latest is None or not latest.data.get("remediations"):
        return []
    refs = register_refs_of(store, vendor_id, Decision.model_validate(latest.data)) or []
    done = {ref.code for ref in refs if ref.done_on}
    return [r for r in store.remediations.all(vendor_id) if r.code in done]


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
    indexed = store.states.complete()
    if indexed:  # every expired vendor, not only those due today
        run.expired = [{"vendor": name, "vendor_id": vid, "expired_on": until}
                       for vid, name, until in store.states.expired(as_of)]
    # A chunk of the vendors due at a time, each read whole before anything is written (SQLite).
    for chunk in due_status_chunks(store, inputs.review_policy, as_of):
        for s in chunk:
            if (s.valid_until or s.review_on) <= due_by:
                _request(store, settings, run, s, as_of, indexed)
    return run


def _request(store: Store, settings: Settings, run: LifecycleRun, s: VendorStatus, as_of: dt.date,
             indexed: bool) -> None:
    """One vendor's pre-filled form, unless it was asked for this attestation; listed as expired (when the state
    rows did not list them)."""
    due_back = s.valid_until or s.review_on  # a qualification's end, or a refusal's review date
    if s.status == "expired" and not indexed:
        run.expired.append({"vendor": s.vendor, "vendor_id": s.vendor_id, "expired_on": s.valid_until})
    if s.reattestation_requested_on is not None:
        return
    submission_id = s.submission_id
    form_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fairsource-reattestation:{submission_id}"))
    path = settings.forms_dir / f"{slug(s.vendor)}-reattestation-{as_of.isoformat()}.xlsx"
    prefilled_form(store.submissions.get(submission_id), path, form_id=form_id,
                   issued_at=dt.datetime.combine(as_of, dt.time(), dt.UTC),
                   answered_on=_received_on(store, submission_id),
                   closed=closed_with_evidence(store, s.vendor_id))
    request = ReattestationRecord(vendor_id=s.vendor_id, submission_id=submission_id,
                                  assessment_id=s.assessment_id, requested_on=as_of, expires_on=due_back,
                                  form_path=str(path), form_id=form_id)
    if store.reattestations.add(request):
        run.reattestation_requested.append({"vendor": s.vendor, "vendor_id": s.vendor_id, "form": str(path),
                                            "expires_on": due_back, "contact": s.contact})
