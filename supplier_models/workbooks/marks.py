"""Marks on a pre-filled form: the answers a remediation closed with evidence stands on, shaded green with a
comment saying which remediation, when and on what evidence (flows/usecases/reattestation.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from openpyxl.comments import Comment

from ..countries import country_index
from .layout import MARK_FILL


class AnswerMark(NamedTuple):
    """A pre-filled answer marked for the vendor: the question's Answer cell, or for a country the Country cell
    of its row on the Countries sheet, is shaded green and carries `note` as a comment."""

    question: str | None
    country: str | None
    note: str


def mark_answers(questions, countries, marks: Iterable[AnswerMark], answer_col: int) -> None:
    """Mark each answer of `marks` on the Questionnaire sheet `questions` (answers in column `answer_col`) or the
    Countries sheet `countries`; one whose question or country the form does not hold is left unmarked."""
    for mark in marks:
        if mark.question:
            row = next((r for r in range(2, questions.max_row + 1)
                        if questions.cell(row=r, column=1).value == mark.question), None)
            cell = questions.cell(row=row, column=answer_col) if row else None
        else:
            row = next((r for r in range(2, countries.max_row + 1)
                        if _is_country(countries.cell(row=r, column=1).value, (mark.country or "").upper())), None)
            cell = countries.cell(row=row, column=1) if row else None
        if cell is not None:
            cell.fill = MARK_FILL
            cell.comment = Comment(mark.note, "fairsource", width=360, height=160)


def _is_country(value: object, iso2: str) -> bool:
    found = country_index().resolve(str(value)) if value else None
    return found is not None and found.iso2 == iso2
