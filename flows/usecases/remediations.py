"""The remediation register kept in step with each new assessment: what it raises is opened (a new id R-n) or
kept, what it no longer raises is closed (see `scoring.lifecycle.plan_remediations`). The store calls `sync`
inside the transaction that stores the assessments."""

from __future__ import annotations

import datetime as dt
import uuid

from scoring.lifecycle import TrackedRemediation, plan_remediations, remediation_key
from scoring.models import Remediation
from supplier_models.store.rows import ClosedRemediation, NewAssessment, RemediationChanges, RescheduledRemediation
from supplier_models.store.rows import TrackedRemediation as TrackedRow
from supplier_models.store.tables import AssessmentRecord


def _closing_evidence(how: str, assessment: AssessmentRecord) -> str:
    on = assessment.assessed_on.isoformat()
    if how == "answer":
        return f"no longer raised by the submission of {on}: the answer now meets the bar"
    return f"no longer raised when rescored on {on} (rubric, policy or country data changed)"


def _due(rem: Remediation, assessment: AssessmentRecord) -> dt.date:
    """A remediation's due date as its assessment's SOW states it."""
    return rem.due_date or assessment.assessed_on + dt.timedelta(days=rem.due_in_days)


def sync(assessments: list[NewAssessment], tracked: dict[str, list[TrackedRow]]) -> RemediationChanges:
    """The register's changes for these new assessments, given each vendor's register as it stands. A remediation
    keeps its id for its whole life; one still raised takes the due date of the newest SOW (the one issued with
    this assessment, if any), so the register and the SOW the vendor holds never disagree."""
    opened, closed, rescheduled = [], [], []
    for assessment, new_submission, sow_issued in assessments:
        register = [TrackedRemediation(code=t.code, key=t.key, state=t.state, closed_how=t.closed_how)
                    for t in tracked.get(assessment.vendor_id, [])]
        raised = [Remediation.model_validate(x) for x in assessment.data.get("remediations", [])]
        plan = plan_remediations(register, raised, new_submission=new_submission)
        for code, rem in plan.open:
            opened.append({"id": str(uuid.uuid4()), "vendor_id": assessment.vendor_id, "code": code,
                           "key": remediation_key(rem), "action": rem.action, "question": rem.question,
                           "country": rem.country, "priority": rem.priority,
                           "due_date": _due(rem, assessment),
                           "opened_on": assessment.assessed_on, "opened_assessment_id": assessment.id,
                           "state": "open"})
        if sow_issued:
            rescheduled += [RescheduledRemediation(assessment.vendor_id, code, _due(rem, assessment), assessment.id)
                            for code, rem in plan.carried]
        how = "answer" if new_submission else "data_change"
        closed += [ClosedRemediation(assessment.vendor_id, code, how, _closing_evidence(how, assessment),
                                     assessment.assessed_on, assessment.id) for code in plan.close]
    return RemediationChanges(opened, closed, rescheduled)
