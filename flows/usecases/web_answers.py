"""The questionnaire answered in the browser: a draft saved part by part, checked and submitted as a workbook is.

The web form is generated from the questionnaire definition the workbook is written from: one part per section,
then the Countries rows, then the attestation. What the vendor types is kept as typed in a draft (the store's
`Drafts`: not a submission, no status changes). Checking and submitting lay the draft out as the workbook's
sheets (`supplier_models.workbooks.typed`) and read it with the workbook reader (`reader.read_book`): the same
problems, with the same messages, each placed back at its field (`field_of`), and on submit the same
`Submission`, taken in by the same `intake_one` as an uploaded workbook. Its sha256 is its answers' digest, so
the same answers sent both ways are one submission (`receive.duplicate_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from supplier_models import Store, Submission, WorkbookRejected
from supplier_models.errors import Problem
from supplier_models.questionnaire import Question, Questionnaire, load
from supplier_models.questionnaire import current as current_questionnaire
from supplier_models.store.drafts import Drafts
from supplier_models.store.tables import QuestionnaireDraft
from supplier_models.workbooks.answers import parse_answer
from supplier_models.workbooks.attestation import ATTESTATION_SHEET, FIELDS, meta_entries
from supplier_models.workbooks.cells import cell_place, is_blank
from supplier_models.workbooks.form import (
    COUNTRIES_SHEET,
    COUNTRY_COLUMNS,
    EVIDENCE_COL,
    QUESTIONNAIRE_SHEET,
    fill_form,
    write_form,
)
from supplier_models.workbooks.reader import read_book
from supplier_models.workbooks.typed import FIRST_ROW, content_digest, typed_book

from .inputs import ScoringInputs
from .receive import Outcome, intake_one

WEB_FORM = "web form"
"""The `filename` of a submission made in the web form (it came in no file)."""
COUNTRIES, ATTESTATION = "countries", "attestation"
MAX_FIELD_FACTOR = 5
"""A typed field is kept up to this many times the questionnaire's text limit: longer is cut there (the reader
then says how long it is and what the limit is), so a draft stays small whatever is sent."""


class Link(Protocol):
    """Who answers: a vendor through its portal link (`fairsource.accounts.PortalVendor`)."""

    vendor_id: str
    vendor: str
    invite_id: str

    @property
    def actor(self) -> str: ...


@dataclass(frozen=True)
class Part:
    """One page of the web form: a section's questions, the Countries rows, or the attestation."""

    id: str
    title: str
    questions: tuple[Question, ...] = ()


def parts(q: Questionnaire) -> list[Part]:
    sections = [Part(s.id, s.title, tuple(x for x in q.questions if x.section == s.id)) for s in q.sections]
    return [*sections, Part(COUNTRIES, "Countries where your workers are"), Part(ATTESTATION, "Attestation")]


def drafts(store: Store) -> Drafts:
    return Drafts(store.engine, store.hooks)


# -- what the draft holds --------------------------------------------------------------------------------------
def questionnaire_of(draft: QuestionnaireDraft | None) -> Questionnaire:
    """The definition a draft was started under (the current one for a draft not yet started)."""
    return load(draft.questionnaire_id, draft.questionnaire_version) if draft else current_questionnaire()


def issued_at(draft: QuestionnaireDraft | None) -> dt.datetime:
    """When the draft's form was issued: when the vendor first saved it (now, for a draft not yet started)."""
    when = draft.created_at if draft else dt.datetime.now(dt.UTC)
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).replace(microsecond=0)


def typed_answer(value: object) -> str | list[str]:
    """An answer of a submission as the web form shows it typed."""
    if value is None:
        return ""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def from_submission(submission: Submission, q: Questionnaire | None = None) -> dict[str, Any]:
    """A new draft's data (under `q`, the submission's own questionnaire when None) from the vendor's last answers
    (a re-attestation): every answer that carries over to `q` (all of them from the same questionnaire; RDE-1's into
    RDE-2, whose new questions start empty), the evidence and the countries, to confirm or correct; not the
    attestation, which is given anew."""
    answered = load(submission.questionnaire_id, submission.questionnaire_version)
    q = q or answered
    return {
        "answers": {qid: typed_answer(v) for qid, v in q.carried_over(submission.answers, answered).items()},
        "evidence": q.carried_over(submission.evidence, answered),
        "countries": [[c.name, str(c.share_pct), str(c.workers), str(c.lowest_hourly_pay), c.currency, c.pay_basis]
                      for c in submission.countries],
        "attestation": {}, "saved": [],
    }


def current_data(store: Store, link: Link) -> tuple[QuestionnaireDraft | None, dict[str, Any]]:
    """The vendor's draft under this link and what it holds; with no draft yet, its last answers (or nothing)."""
    draft = drafts(store).get(link.vendor_id, link.invite_id)
    if draft is not None:
        return draft, dict(draft.data)
    latest = store.submissions.latest_of(link.vendor_id)
    if latest is not None:
        return None, from_submission(latest.submission, current_questionnaire())
    return None, {}


def _cut(text: str, q: Questionnaire) -> str:
    return text[: q.max_text_length * MAX_FIELD_FACTOR]


def apply_fields(data: dict[str, Any], part: Part, fields: Mapping[str, str | list[str]], q: Questionnaire,
                 rows: int) -> dict[str, Any]:
    """The draft's data with the part's fields as sent by its page (`a-ID` an answer, `e-ID` its evidence,
    `c<row>-<column>` a Countries cell for `rows` rows, `att-<field>` the attestation), the part marked saved."""
    data = {key: (dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value)
            for key, value in data.items()}
    answers, evidence = data.setdefault("answers", {}), data.setdefault("evidence", {})
    for question in part.questions:
        value = fields.get(f"a-{question.id}", [] if question.type == "multi" else "")
        if question.type == "multi":
            value = [_cut(str(v), q) for v in (value if isinstance(value, list) else [value]) if str(v).strip()]
        else:
            value = _cut(str(value[-1] if isinstance(value, list) and value else value or ""), q)
        answers[question.id] = value
        evidence[question.id] = _cut(str(fields.get(f"e-{question.id}", "") or ""), q)
    if part.id == COUNTRIES:
        table = [[_cut(str(fields.get(f"c{r}-{c}", "") or ""), q) for c in range(1, len(COUNTRY_COLUMNS) + 1)]
                 for r in range(min(rows, q.countries.max_rows))]
        while table and all(not cell.strip() for cell in table[-1]):
            table.pop()
        data["countries"] = table
    if part.id == ATTESTATION:
        data["attestation"] = {f: _cut(str(fields.get(f"att-{f}", "") or ""), q) for f in FIELDS}
    data["saved"] = sorted(set(data.get("saved", [])) | {part.id})
    return data


def save_part(store: Store, link: Link, part_id: str, fields: Mapping[str, str | list[str]], *, rows: int = 0,
              expires_at: dt.datetime) -> QuestionnaireDraft:
    """One part of the web form saved in the vendor's draft (nothing else changes); `rows`: the Countries rows
    the page showed."""
    draft, initial = current_data(store, link)
    q = questionnaire_of(draft)
    part = next(p for p in parts(q) if p.id == part_id)
    return drafts(store).save(link.vendor_id, link.invite_id,
                              lambda data: apply_fields(data or initial, part, fields, q, rows),
                              questionnaire=(q.id, q.version), expires_at=expires_at, actor=link.actor,
                              detail={"part": part_id})


# -- checked as a workbook is ----------------------------------------------------------------------------------
def _book(q: Questionnaire, link: Link, data: Mapping[str, Any], issued_at: dt.datetime, form_id: str):
    return typed_book(q, vendor=link.vendor, issued_at=issued_at, form_id=form_id,
                      answers=data.get("answers", {}), evidence={k: v for k, v in data.get("evidence", {}).items()
                                                                 if not is_blank(v)},
                      countries=data.get("countries", []), attestation=data.get("attestation") or {})


def check(q: Questionnaire, link: Link, data: Mapping[str, Any], *, issued_at: dt.datetime, form_id: str
          ) -> Submission | list[Problem]:
    """The submission the answers make, read as a workbook is; or every problem the reader finds."""
    try:
        submission = read_book(_book(q, link, data, issued_at, form_id), sha256="", filename=WEB_FORM)
    except WorkbookRejected as exc:
        return exc.problems
    return submission.model_copy(update={"sha256": content_digest(submission)})


def field_of(problem: Problem, q: Questionnaire) -> tuple[str, str | None]:
    """The part of the web form and the field a problem is at (`a-PAY-03`, `e-PAY-03`, `c0-2`, `att-date`): the
    field the cell it names stands for; None for the part as a whole (the shares' total, a missing country)."""
    sheet, ref, column, row = cell_place(problem.cell)
    if sheet == QUESTIONNAIRE_SHEET and problem.question in q.by_id:
        kind = "e" if column == EVIDENCE_COL else "a"
        return q.by_id[problem.question].section, f"{kind}-{problem.question}"
    if sheet == COUNTRIES_SHEET:
        if not row or ":" in ref:
            return COUNTRIES, None
        return COUNTRIES, f"c{row - FIRST_ROW}-{column}"
    if sheet == ATTESTATION_SHEET:
        cells = {ref.partition("!")[2]: key.removeprefix("attestation_") for key, ref in meta_entries()}
        return ATTESTATION, f"att-{cells[ref]}" if ref in cells else None
    return ATTESTATION, None


def placed(problems: Sequence[Problem], q: Questionnaire) -> dict[str, dict[str | None, list[str]]]:
    """part -> field (None: the part as a whole) -> the messages there, in the reader's order."""
    out: dict[str, dict[str | None, list[str]]] = {}
    for problem in problems:
        part, field = field_of(problem, q)
        out.setdefault(part, {}).setdefault(field, []).append(problem.message)
    return out


def parsed_answers(q: Questionnaire, data: Mapping[str, Any]) -> dict[str, object]:
    """The answers as the reader would take them, where they can be (for the conditions of other questions)."""
    out: dict[str, object] = {}
    for question in q.questions:
        raw = data.get("answers", {}).get(question.id)
        raw = ", ".join(raw) if isinstance(raw, list) else raw
        out[question.id] = None if is_blank(raw) else parse_answer(question, raw)[0]
    return out


# -- submitted ----------------------------------------------------------------------------------------------
def submit(store: Store, inputs: ScoringInputs, link: Link, *, as_of: dt.date, sow_dir: Path,
           expires_at: dt.datetime) -> Outcome | list[Problem]:
    """The draft read as a returned workbook is, then taken in by `intake_one` (scored, its SOW written, stored,
    audited `web_form_intake`; the draft deleted with it: also when it is a duplicate); or every problem, each part then showing its own beside its fields."""
    draft, data = current_data(store, link)
    q = questionnaire_of(draft)
    result = check(q, link, data, issued_at=issued_at(draft), form_id=draft.form_id if draft else "")
    if isinstance(result, list):
        all_parts = [p.id for p in parts(q)]
        drafts(store).save(link.vendor_id, link.invite_id, lambda d: {**(d or data), "saved": all_parts},
                           questionnaire=(q.id, q.version), expires_at=expires_at, actor=link.actor,
                           detail={"part": "submit", "problems": len(result)})
        store.audit.record("web_form_rejected", actor=link.actor, vendor_id=link.vendor_id, subject=WEB_FORM,
                           detail={"problems": len(result)})
        return result
    outcome = intake_one(result, store, inputs, as_of, sow_dir, actor=link.actor, audit="web_form_intake")
    if outcome.duplicate:  # received before: nothing stored, and the draft is done with all the same
        drafts(store).drop(link.vendor_id)
    return outcome


def draft_workbook(store: Store, link: Link, out: Path) -> Path:
    """The draft as a workbook to finish offline: the form written from the same definition, with everything
    typed so far in it, under the draft's own form id (returned unchanged, it is the same submission)."""
    draft, data = current_data(store, link)
    q = questionnaire_of(draft)
    write_form(out, link.vendor, questionnaire=q, issued_at=issued_at(draft), form_id=draft.form_id if draft else None)
    attestation = {k: v for k, v in (data.get("attestation") or {}).items() if not is_blank(v)}
    answers = {k: v for k, v in data.get("answers", {}).items() if v not in ("", [])}
    fill_form(out, answers, data.get("countries", []), {k: v for k, v in data.get("evidence", {}).items() if v},
              attestation=None)
    if attestation:
        _type_attestation(out, attestation)
    return out


def _type_attestation(path: Path, attestation: Mapping[str, str]) -> None:
    from openpyxl import load_workbook

    from supplier_models.workbooks.cells import put

    wb = load_workbook(path)
    for key, ref in meta_entries():
        field = key.removeprefix("attestation_")
        if field in attestation:
            put(wb[ATTESTATION_SHEET][ref.partition("!")[2]], attestation[field])
    wb.save(path)

