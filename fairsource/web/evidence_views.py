"""What the portal page and the vendor page show of a vendor's evidence files and remediation responses."""

import datetime as dt
from typing import Any, NamedTuple

from flows.usecases.evidence import EvidenceView, evidence_of
from supplier_models import Store
from supplier_models.store.evidence_tables import RemediationResponse


class AnswerEvidence(NamedTuple):
    """An answer's evidence as the vendor's latest workbook or web form gave it (its Evidence column), with the
    files attached to that question or named in the text."""

    question: str
    text: str
    files: list[EvidenceView]


def answers_evidence(store: Store, vendor_id: str, files: list[EvidenceView]) -> list[AnswerEvidence]:
    """Each answer with evidence text or a file, by question id (PAY-06 before PAY-10). A file is named by its name
    as attached, in any case ("Pay calendar: see pay-calendar.pdf" names pay-calendar.pdf)."""
    latest = store.submissions.latest_of(vendor_id)
    said = dict(latest.submission.evidence) if latest else {}
    by_question: dict[str, list[EvidenceView]] = {}
    for f in files:
        if f.about.startswith("answer "):
            by_question.setdefault(f.about.removeprefix("answer "), []).append(f)
    found = []
    for qid in sorted(set(said) | set(by_question), key=_question_order):
        text = said.get(qid, "")
        named = [f for f in files if f.name.lower() in text.lower() and f not in by_question.get(qid, [])]
        found.append(AnswerEvidence(qid, text, [*by_question.get(qid, []), *named]))
    return found


def _question_order(qid: str) -> tuple[str, int]:
    prefix, _, number = qid.partition("-")
    return prefix, int(number) if number.isdigit() else 0


class ResponseView(NamedTuple):
    response: RemediationResponse
    files: list[EvidenceView]
    state: str  # the response's, or "set aside" for one still waiting on a remediation closed meanwhile


def evidence_context(store: Store, vendor_id: str, today: dt.date) -> dict[str, Any]:
    """The vendor's files (newest first), its responses (waiting first, then newest), the remediations a response
    waits for, and the files whose recorded expiry has passed or comes within 30 days."""
    files = evidence_of(store, vendor_id, today)
    by_id = {f.id: f for f in files}
    still_open = {r.code for r in store.remediations.all(vendor_id) if r.state == "open"}
    responses = [ResponseView(r, [by_id[i] for i in r.evidence_ids if i in by_id],
                              "set aside" if r.state == "waiting" and r.remediation not in still_open else r.state)
                 for r in store.responses.of_vendor(vendor_id)]
    responses.sort(key=lambda v: v.state != "waiting")
    return dict(evidence=files, responses=responses, expiring=[f for f in files if f.expiry],
                answers_evidence=answers_evidence(store, vendor_id, files),
                waiting={v.response.remediation: v.response for v in responses if v.state == "waiting"})
