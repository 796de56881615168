"""The remediation register kept in step with each new assessment: what it raises is opened (a new id R-n) or
kept, what it no longer raises is closed (see `scoring.lifecycle.plan_remediations`). The store calls `sync`
inside the transaction that stores the assessments."""

from __future__ import annotations

import datetime as dt
import uuid

from scoring.lifecycle import TrackedRemediation, plan_remediations, remediation_key
from scoring.models import Remediation
from supplier_models.store.rows import ClosedRemediation, RemediationChanges
from supplier_models.store.rows import TrackedRemediation as TrackedRow
from supplier_models.store.tables import AssessmentRecord


def _closing_evidence(how: str, assessment: AssessmentRecord) -> str:
    on = assessment.assessed_on.isoformat()
    if how == "answer":
        return f"no longer raised by the submission of {on}: the answer now meets the bar"
    return f"no longer raised when rescored on {on} (rubric, policy or country data changed)"


def sync(assessments: list[tuple[AssessmentRecord, bool]], tracked: dict[str, list[TrackedRow]],
         ) -> RemediationChanges:
    """The register's changes for these new assessments (each with whether it rests on a new submission), given
    each vendor's register as it stands."""
    opened, closed = [], []
    for assessment, new_submission in assessments:
        register = [TrackedRemediation(code=t.code, key=t.key, state=t.state, closed_how=t.closed_how)
                    for t in tracked.get(assessment.vendor_id, [])]
        raised = [Remediation.model_validate(x) for x in assessment.data.get("remediations", [])]
        plan = plan_remediations(register, raised, new_submission=new_submission)
        for code, rem in plan.open:
            opened.append({"id": str(uuid.uuid4()), "vendor_id": assessment.vendor_id, "code": code,
                           "key": remediation_key(rem), "action": rem.action, "question": rem.question,
                           "country": rem.country, "priority": rem.priority,
                           "due_date": rem.due_date or assessment.assessed_on + dt.timedelta(days=rem.due_in_days),
                           "opened_on": assessment.assessed_on, "opened_assessment_id": assessment.id,
                           "state": "open"})
        how = "answer" if new_submission else "data_change"
        closed += [ClosedRemediation(assessment.vendor_id, code, how, _closing_evidence(how, assessment),
                                     assessment.assessed_on, assessment.id) for code in plan.close]
    return RemediationChanges(opened, closed)
