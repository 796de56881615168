"""Helpers of the web form's tests: a submission's answers typed in the portal's web form, part by part, through
its HTTP endpoints (the fields a browser sends); a SOW's text."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from flows.usecases import web_answers
from supplier_models import Submission
from supplier_models.questionnaire import load
from tests.helpers.web import csrf_of


def part_fields(submission: Submission, part: web_answers.Part) -> dict[str, object]:
    """What the browser sends for one part when the vendor types `submission`'s answers."""
    if part.id == web_answers.COUNTRIES:
        rows = web_answers.from_submission(submission)["countries"]
        fields: dict[str, object] = {"rows": str(len(rows))}
        for r, row in enumerate(rows):
            fields.update({f"c{r}-{c}": value for c, value in enumerate(row, start=1)})
        return fields
    if part.id == web_answers.ATTESTATION:
        a = submission.attestation
        return {"att-name": a.name, "att-title": a.title, "att-date": a.date.isoformat()}
    fields = {}
    for question in part.questions:
        fields[f"a-{question.id}"] = web_answers.typed_answer(submission.answers.get(question.id))
        fields[f"e-{question.id}"] = submission.evidence.get(question.id, "")
    return fields


def save(client, link: str, part_id: str, fields: dict[str, object], go: str = "save"):
    token = csrf_of(client.get(f"{link}/answer/{part_id}").text)
    return client.post(f"{link}/answer/{part_id}", data={"csrf_token": token, "go": go, **fields},
                       follow_redirects=False)


def answer_all(client, link: str, submission: Submission) -> None:
    """Every part of the web form saved with `submission`'s answers."""
    q = load(submission.questionnaire_id, submission.questionnaire_version)
    for part in web_answers.parts(q):
        done = save(client, link, part.id, part_fields(submission, part))
        assert done.status_code == 303, done.text


def submit(client, link: str):
    token = csrf_of(client.get(f"{link}/answer/attestation").text)
    return client.post(f"{link}/answer/submit", data={"csrf_token": token}, follow_redirects=False)


def docx_text(path: str | Path) -> list[str]:
    """Every paragraph of a Word file, its tables' cells and its header, in order."""
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    lines += [p.text for section in doc.sections for p in section.header.paragraphs]
    return lines
