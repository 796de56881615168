"""A vendor qualified on RDE-1 answering the questions RDE-2 adds on its pre-filled re-attestation form, as it types
them into the spreadsheet (supplier_models/questionnaires/RDE-2.yaml)."""

from __future__ import annotations

from pathlib import Path

from supplier_models.questionnaire import load
from supplier_models.workbooks.form import fill_form

RDE1, RDE2 = load("RDE-1"), load("RDE-2")
NEW_QUESTIONS = [q.id for q in RDE2.questions if q.id not in RDE1.by_id]
"""PAY-08, PAY-09, WORK-06, COMM-06, RESP-03, RESP-04, in the form's order"""
ALL_YES = dict.fromkeys(NEW_QUESTIONS, "Yes")


def answer_new_questions(form: str | Path, answers: dict[str, object] | None = None,
                         out: str | Path | None = None) -> Path:
    """The pre-filled RDE-2 form with the new questions answered (every one "Yes" unless `answers` says), the rest
    as it was sent: the vendor confirms its carried-over answers. Written to `out`, else in place."""
    typed = {qid: value for qid, value in (answers if answers is not None else ALL_YES).items() if value is not None}
    return fill_form(form, typed, out=out, attestation=None)
