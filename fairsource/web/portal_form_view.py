"""What a page of the portal's web form shows, built from the questionnaire definition and the vendor's draft: each
question with its note (required or not, from the definition, as the workbook's Guidance says it), what was typed,
and the reader's problems beside the field they are at; the parts and how far the vendor has got."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.usecases import web_answers
from flows.usecases.web_answers import ATTESTATION, COUNTRIES, Part
from supplier_models.countries import country_index, currency_codes
from supplier_models.questionnaire import Question, Questionnaire
from supplier_models.workbooks.attestation import FIELDS, attestation_guidance, attestation_statement
from supplier_models.workbooks.form import COUNTRY_COLUMNS, requirement_note

BLANK_ROWS = 3
"""Empty Countries rows a page shows under those filled in."""
MORE_ROWS = 5
"""Rows the "Add rows" button adds."""


def how_to_answer(question: Question) -> str:
    """How the web form takes the answer (the workbook's hint says how its cell does)."""
    if question.type == "multi":
        alone = "".join(f' "{c}" goes alone.' for c in question.exclusive)
        return "Tick every answer that applies." + alone
    if question.type == "number":
        return f"A number, {question.range_text}."
    if question.type == "date":
        return "A date, YYYY-MM-DD."
    if question.dropdown == "countries":
        return "The ISO 3166-1 alpha-2 code (for example KE) or the English name of the country."
    return "" if question.type == "text" else "Pick one."


@dataclass
class QuestionView:
    question: Question
    note: str
    hint: str
    value: Any
    evidence: str
    errors: list[str] = field(default_factory=list)
    evidence_errors: list[str] = field(default_factory=list)
    condition: str = ""
    """For a conditional question, what the answers so far make of it."""
    off: bool = False
    """Not needed with the answers so far (a condition unmet): shown, with the note saying why."""


def _condition(question: Question, answers: dict[str, object]) -> tuple[str, bool]:
    condition = question.required_if or question.optional_if
    if condition is None:
        return "", False
    if answers.get(condition.question) is None:
        return f"Whether it is needed depends on {condition.question}, not answered yet.", False
    if question.is_required(answers):
        return "With your answers so far, an answer is required.", False
    return "With your answers so far, it may be left empty.", True


def question_views(q: Questionnaire, part: Part, data: dict[str, Any],
                   problems: dict[str | None, list[str]]) -> list[QuestionView]:
    answers = web_answers.parsed_answers(q, data)
    views = []
    for question in part.questions:
        value = data.get("answers", {}).get(question.id, [] if question.type == "multi" else "")
        text, off = _condition(question, answers)
        views.append(QuestionView(
            question=question, note=" ".join(p for p in (requirement_note(question), question.guidance.strip()) if p),
            hint=how_to_answer(question), value=value, evidence=data.get("evidence", {}).get(question.id, ""),
            errors=problems.get(f"a-{question.id}", []), evidence_errors=problems.get(f"e-{question.id}", []),
            condition=text, off=off))
    return views


def country_rows(q: Questionnaire, data: dict[str, Any], shown: int) -> list[list[str]]:
    """The Countries rows a page shows: those typed, then blank ones (`shown` at least), at most the limit."""
    rows = [list(r) + [""] * (len(COUNTRY_COLUMNS) - len(r)) for r in data.get("countries", [])]
    count = min(max(shown, len(rows) + BLANK_ROWS), q.countries.max_rows)
    return (rows + [[""] * len(COUNTRY_COLUMNS) for _ in range(count)])[:count]


def part_status(q: Questionnaire, data: dict[str, Any], placed: dict[str, dict]) -> dict[str, dict[str, Any]]:
    saved = set(data.get("saved", []))
    out = {}
    for part in web_answers.parts(q):
        count = sum(len(m) for m in placed.get(part.id, {}).values()) if part.id in saved else 0
        words = ("not saved yet" if part.id not in saved else
                 f"saved, {count} to fix" if count else "saved")
        out[part.id] = {"saved": part.id in saved, "problems": count, "words": words}
    return out


def page_context(q: Questionnaire, part: Part, data: dict[str, Any], problems: list, vendor: str,
                 rows: int) -> dict[str, Any]:
    """Everything a part's page shows; the problems of a part not yet saved are not shown."""
    placed = web_answers.placed(problems, q)
    status = part_status(q, data, placed)
    mine = placed.get(part.id, {}) if status[part.id]["saved"] else {}
    all_parts = web_answers.parts(q)
    index = next(i for i, p in enumerate(all_parts) if p.id == part.id)
    context: dict[str, Any] = dict(
        q=q, part=part, parts=all_parts, status=status, index=index + 1, total=len(all_parts),
        done=sum(1 for s in status.values() if s["saved"]), next_part=all_parts[index + 1] if index + 1 < len(
            all_parts) else None, part_errors=mine.get(None, []), field_errors=mine)
    if part.id == COUNTRIES:
        context.update(columns=COUNTRY_COLUMNS, rows=country_rows(q, data, rows), more=MORE_ROWS,
                       max_rows=q.countries.max_rows, pay_basis=q.countries.pay_basis_choices,
                       country_names=country_index().names(), currencies=sorted(currency_codes()))
    elif part.id == ATTESTATION:
        every = [(p, f, m) for p in all_parts for f, ms in placed.get(p.id, {}).items() for m in ms
                 if status[p.id]["saved"]]
        context.update(statement=attestation_statement(vendor, "given in this form"),
                       guidance=attestation_guidance(vendor), fields=FIELDS,
                       attestation=data.get("attestation") or {}, every_problem=every)
    else:
        context.update(questions=question_views(q, part, data, mine))
        if any(x.dropdown == "countries" for x in part.questions):
            context.update(country_names=country_index().names())
    return context
