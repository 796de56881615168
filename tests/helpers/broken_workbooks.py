"""Broken questionnaire workbooks built from a valid one (with openpyxl or at the zip level), and the checks of
what the reader and the intake make of them: tests/workbooks/test_reader_*.py."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from supplier_models.errors import Problem, WorkbookRejected
from supplier_models.submission import Submission
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.intake import receive

BASE = EXAMPLES[0]  # Lumen Data Services GmbH: qualified, no data collection, DE / Portugal / ZA
EMPTY = {"vendor": 0, "submission": 0, "assessment": 0, "sow_document": 0, "audit_event": 0, "review": 0,
         "remediation": 0, "reattestation_request": 0, "notice": 0}


Mutation = Callable[..., None]


def mutate(base: bytes, tmp_path: Path, change: Mutation, name: str = "returned.xlsx") -> Path:
    """Open the valid workbook as a vendor would, apply `change(wb)`, save it under `name`."""
    wb = load_workbook(io.BytesIO(base))
    change(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def answer(qid: str, value: object, column: int = 5) -> Mutation:
    """Type `value` in the Answer (or another) column of question `qid`'s row."""

    def change(wb) -> None:
        ws = wb["Questionnaire"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == qid)
        ws.cell(row=row, column=column).value = value  # cell(value=None) would leave the old value

    return change


def answers(**values: object) -> Mutation:
    """Several answers at once: answers(PAY_01="Hourly") types in PAY-01."""

    def change(wb) -> None:
        for key, value in values.items():
            answer(key.replace("_", "-"), value)(wb)

    return change


def country_cells(**cells: object) -> Mutation:
    """Type in Countries cells: country_cells(E3="USD")."""

    def change(wb) -> None:
        for ref, value in cells.items():
            wb["Countries"][ref] = value

    return change


def write_bytes(tmp_path: Path, data: bytes, name: str = "returned.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rezip(base: bytes, *, drop: tuple[str, ...] = (), replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None) -> bytes:
    """Rebuild the workbook's zip without some members, with some replaced or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name not in drop:
                dst.writestr(name, replace.get(name, src.read(name)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


# -- checking rejections ----------------------------------------------------------
def rejected(path: Path, store) -> list[Problem]:
    """Receive `path`: it must be rejected with at least one problem and store nothing."""
    with pytest.raises(WorkbookRejected) as caught:
        receive(path, store)
    assert caught.value.problems, "a rejection must say what is wrong"
    assert store.counts() == EMPTY, "a rejected workbook must store nothing"
    return caught.value.problems


def expect(problems: list[Problem], cell: str | None, question: str | None, phrase: str) -> Problem:
    """One problem has exactly this cell and question and its message contains `phrase`."""
    for p in problems:
        if p.cell == cell and p.question == question and phrase in p.message:
            return p
    listing = "\n".join(f"  {p.cell!r} {p.question!r}: {p.message}" for p in problems)
    raise AssertionError(f"no problem at {cell!r} [{question!r}] saying {phrase!r}; got:\n{listing}")


def only(problems: list[Problem], cell: str | None, question: str | None, phrase: str) -> Problem:
    """The single problem reported is this one (no noise, no duplicate report of the same cell)."""
    found = expect(problems, cell, question, phrase)
    assert len(problems) == 1, [str(p) for p in problems]
    return found


def accepted(path: Path, store) -> Submission:
    received = receive(path, store)
    assert not received.duplicate
    counts = store.counts()
    assert (counts["vendor"], counts["submission"], counts["assessment"], counts["audit_event"]) == (1, 1, 1, 2)
    return received.submission


