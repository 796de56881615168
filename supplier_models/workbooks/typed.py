"""Answers typed somewhere else than in a spreadsheet (the portal's web form), laid out as the workbook's sheets.

`typed_book` places each answer where the form written by `form.write_form` has its cell (a question's Answer and
Evidence on its row of the Questionnaire sheet, the Countries rows, the Attestation block, the `_meta` entries),
so `reader.read_book` reads and checks it exactly as it reads a returned workbook: the same submission, the same
problems with the same messages, each at the cell the web form shows as its field. Everything typed is a text
value, never a formula: `=HYPERLINK(...)` is the text `=HYPERLINK(...)`.

`content_digest` is what makes two submissions the same answers whichever way they came (a web form has no file
whose bytes could be compared).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..questionnaire import Questionnaire
from ..submission import Submission
from .attestation import ATTESTATION_SHEET, meta_entries
from .form import (
    ANSWER_COL,
    COUNTRIES_SHEET,
    COUNTRY_COLUMNS,
    EVIDENCE_COL,
    META_SHEET,
    QUESTION_COLUMNS,
    QUESTIONNAIRE_SHEET,
)

FIRST_ROW = 2
"""The row of the first question and of the first country (row 1 holds the headers)."""


@dataclass(frozen=True)
class TypedCell:
    """What the reader asks of a cell: its value as typed, that it is no formula, that it is not a percentage."""

    value: object = None
    data_type: str = "s"
    number_format: str = "General"


class TypedSheet:
    """A sheet of typed values: row -> column -> value (both counted from 1)."""

    def __init__(self, rows: Mapping[int, Mapping[int, object]]) -> None:
        self.rows = {r: dict(cols) for r, cols in rows.items()}

    def cell(self, row: int, column: int) -> TypedCell:
        return TypedCell(self.rows.get(row, {}).get(column))

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col: int | None = None,
                  values_only: bool = False) -> Iterator[tuple]:
        last = max(self.rows, default=0) if max_row is None else max_row
        width = max_col or max((max(cols, default=0) for cols in self.rows.values()), default=0)
        for r in range(min_row, last + 1):
            cells = tuple(self.cell(r, c) for c in range(1, width + 1))
            yield tuple(c.value for c in cells) if values_only else cells


class TypedBook:
    """The sheets of a typed questionnaire, by name, as `openpyxl` gives a workbook's."""

    def __init__(self, sheets: Mapping[str, TypedSheet]) -> None:
        self.sheets = dict(sheets)
        self.sheetnames = list(self.sheets)

    def __getitem__(self, name: str) -> TypedSheet:
        return self.sheets[name]

    def close(self) -> None:
        """Nothing to close: the reader closes the workbooks it opens."""


def _text(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)  # as `form.fill_form` types several answers in one cell
    return value


def typed_book(q: Questionnaire, *, vendor: str, issued_at: dt.datetime, form_id: str,
               answers: Mapping[str, object], evidence: Mapping[str, str] | None = None,
               countries: Sequence[Sequence[object]] = (), attestation: Mapping[str, object] | None = None
               ) -> TypedBook:
    """The sheets a form issued to `vendor` under `q` would hold with these answers typed in: `countries` are the
    Countries rows in column order (an empty row stays empty, as on the sheet), `attestation` maps name, title
    and date to what was typed."""
    evidence = evidence or {}
    questions = {1: dict(enumerate(QUESTION_COLUMNS, start=1))}
    for row, question in enumerate(q.questions, start=FIRST_ROW):
        questions[row] = {1: question.id, ANSWER_COL: _text(answers.get(question.id)),
                          EVIDENCE_COL: evidence.get(question.id)}
    sheet = {1: dict(enumerate(COUNTRY_COLUMNS, start=1))}
    for row, values in enumerate(countries, start=FIRST_ROW):
        sheet[row] = dict(enumerate(values, start=1))
    cells = dict(meta_entries())
    block: dict[int, dict[int, object]] = {}
    for field, value in (attestation or {}).items():
        coord = cells[f"attestation_{field}"].partition("!")[2]
        block.setdefault(int(coord[1:]), {})[ord(coord[0]) - ord("A") + 1] = value
    meta = [("questionnaire_id", q.id), ("questionnaire_version", q.version), ("vendor", vendor),
            ("issued_at", issued_at.isoformat()), ("form_id", form_id), *cells.items()]
    return TypedBook({
        QUESTIONNAIRE_SHEET: TypedSheet(questions),
        COUNTRIES_SHEET: TypedSheet(sheet),
        ATTESTATION_SHEET: TypedSheet(block),
        META_SHEET: TypedSheet({row: {1: key, 2: value} for row, (key, value) in enumerate(meta, start=1)}),
    })


def _plain(value: object) -> object:
    """A value as the digest compares it: a number by its value (60 and 60.0 alike), the rest as JSON has it."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def content_digest(submission: Submission) -> str:
    """sha256 of what a submission says (the questionnaire, the vendor, the answers, the evidence, the countries and
    the attestation), not of the file it came in: the same answers typed in the web form and in a workbook have
    the same digest. Where a country sat on the sheet, the form's id and its issue time are not what it says."""
    said = {
        "questionnaire": [submission.questionnaire_id, submission.questionnaire_version],
        "vendor": submission.vendor_name,
        "answers": _plain(submission.answers),
        "evidence": _plain(submission.evidence),
        "countries": [_plain(row.model_dump(exclude={"row"})) for row in submission.countries],
        "attestation": _plain(submission.attestation.model_dump()) if submission.attestation else None,
    }
    return hashlib.sha256(json.dumps(said, sort_keys=True, ensure_ascii=True).encode()).hexdigest()
