"""The remediation register kept in step with each new assessment: what it raises is opened (a new id R-n), kept
or, closed with evidence that still stands, left closed; what it no longer raises is closed (see
`scoring.lifecycle.plan_remediations`). The store calls `sync` inside the transaction that stores the assessments.

A SOW issued with an assessment prints each remediation's id in Schedule 1, so the ids are planned before it is
rendered (`plan`, from the register as it stands), and `sync` checks, in the write transaction, that the register
gives the ids the SOW printed (`printed`): when another write changed the vendor's register meanwhile, it raises
`RegisterChanged` and nothing is stored."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import partial

from scoring.lifecycle import (
    RegisterRef,
    RemediationPlan,
    TrackedRemediation,
    plan_remediations,
    register_refs,
    remediation_key,
    standing_answer,
)
from scoring.models import Decision, Remediation
from supplier_models import Store
from supplier_models.errors import RegisterChanged
from supplier_models.store.rows import ClosedRemediation, NewAssessment, RemediationChanges, RescheduledRemediation
from supplier_models.store.rows import TrackedRemediation as TrackedRow
from supplier_models.store.tables import AssessmentRecord

Printed = Mapping[str, Sequence[RegisterRef]]
"""assessment id -> the Schedule 1 ids (and done dates) of the SOW issued with it."""


def _closing_evidence(how: str, assessment: AssessmentRecord) -> str:
    on = assessment.assessed_on.isoformat()
    if how == "answer":
        return f"no longer raised by the submission of {on}: the answer now meets the bar"
    return f"no longer raised when rescored on {on} (rubric, policy or country data changed)"


def _due(rem: Remediation, assessment: AssessmentRecord) -> dt.date:
    """A remediation's due date as its assessment's SOW states it."""
    return rem.due_date or assessment.assessed_on + dt.timedelta(days=rem.due_in_days)


def register(rows: Iterable[TrackedRow]) -> list[TrackedRemediation]:
    """A vendor's register, as the store reads it, as the lifecycle's rules read it."""
    return [TrackedRemediation(code=t.code, key=t.key, state=t.state, closed_how=t.closed_how, closed_on=t.closed_on,
                               closed_answer=t.closed_answer) for t in rows]


def plan(rows: Iterable[TrackedRow], remediations: Iterable[Remediation], *, new_submission: bool) -> RemediationPlan:
    """What a new assessment raising `remediations` does to the vendor's register `rows` (the store's): its `refs`
    are the ids its SOW prints."""
    return plan_remediations(register(rows), list(remediations), new_submission=new_submission)


def sync(assessments: list[NewAssessment], tracked: dict[str, list[TrackedRow]], *,
         printed: Printed | None = None) -> RemediationChanges:
    """The register's changes for these new assessments, given each vendor's register as it stands. A remediation
    keeps its id for its whole life; one still raised takes the due date of the newest SOW (the one issued with
    this assessment, if any), so the register and the SOW the vendor holds never disagree. `printed`: the ids the
    SOWs issued with them printed; any other plan raises `RegisterChanged` (the store rolls everything back)."""
    opened, closed, rescheduled = [], [], []
    for assessment, new_submission, sow_issued in assessments:
        raised = [Remediation.model_validate(x) for x in assessment.data.get("remediations", [])]
        planned = plan(tracked.get(assessment.vendor_id, []), raised, new_submission=new_submission)
        expected = (printed or {}).get(assessment.id)
        if expected is not None and list(expected) != planned.refs:
            raise RegisterChanged(
                f"the remediation register of {assessment.data.get('vendor') or assessment.vendor_id} changed while "
                f"its SOW was written: the SOW's Schedule 1 names {_ids(expected)}, the register now gives "
                f"{_ids(planned.refs)}. Nothing was stored; take the file in again.")
        for code, rem in planned.open:
            opened.append({"id": str(uuid.uuid4()), "vendor_id": assessment.vendor_id, "code": code,
                           "key": remediation_key(rem), "action": rem.action, "question": rem.question,
                           "country": rem.country, "priority": rem.priority,
                           "due_date": _due(rem, assessment),
                           "opened_on": assessment.assessed_on, "opened_assessment_id": assessment.id,
                           "state": "open"})
        if sow_issued:
            rescheduled += [RescheduledRemediation(assessment.vendor_id, code, _due(rem, assessment), assessment.id)
                            for code, rem in planned.carried]
        how = "answer" if new_submission else "data_change"
        closed += [ClosedRemediation(assessment.vendor_id, code, how, _closing_evidence(how, assessment),
                                     assessment.assessed_on, assessment.id) for code in planned.close]
    return RemediationChanges(opened, closed, rescheduled)


def checked(printed: Printed):
    """`sync` that refuses to store an assessment whose SOW printed other ids than the register gives."""
    return partial(sync, printed=printed)


def _ids(refs: Iterable[RegisterRef]) -> str:
    return ", ".join(f"{r.code} (done {r.done_on})" if r.done_on else r.code for r in refs) or "no remediation"


def register_refs_of(store: Store, vendor_id: str, decision: Decision) -> list[RegisterRef] | None:
    """The ids of a stored assessment's remediations in the vendor's register as it stands
    (`scoring.lifecycle.register_refs`), for a SOW issued again for it (a review's final SOW, `fairsource sow`)."""
    if not decision.remediations:
        return []
    return register_refs(register(store.remediations.tracked([vendor_id]).get(vendor_id, [])),
                         decision.remediations)


def _explained_answer(data: Mapping, question: str | None) -> str | None:
    """A question's scored answer as the decision's explanation gives it: for a decision stored before each
    remediation recorded the answer that raised it."""
    return next((line.get("answer") for line in data.get("explanation", [])
                 if question and line.get("question") == question and line.get("rule", "").startswith(question + ":")
                 and not line.get("rule", "").endswith(("not_applicable", "unanswered_optional"))), None)


def standing_answer_of(store: Store, vendor_id: str, key: str) -> tuple[str | None, str | None]:
    """(the answer that stands for the evidence a remediation about `key` is closed with, the vendor's latest
    assessment id): from the remediation as that assessment raised it (`scoring.lifecycle.standing_answer`).
    (None, ...) when the assessment does not say it."""
    from scoring import load_rubric

    latest = store.assessments.latest(vendor_id)
    if latest is None:
        return None, None
    for raw in latest.data.get("remediations", []):
        rem = Remediation.model_validate(raw)
        if remediation_key(rem) == key:
            if rem.answer is None:
                rem = rem.model_copy(update={"answer": _explained_answer(latest.data, rem.question)})
            return standing_answer(rem, load_rubric(questionnaire=latest.data["questionnaire_id"])), latest.id
    return None, latest.id
