"""The attestation block (supplier_models/workbooks/attestation.py): forms carry an Attestation sheet where the person
who attests the answers are true gives name, title and date; on return the three are required, read into the
`Submission` and stored with it; a form issued before the block is read as before, with no attestation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from supplier_models.store.tables import SubmissionRecord
from supplier_models.submission import Attestation
from supplier_models.workbooks.attestation import MAX_LENGTH
from supplier_models.workbooks.cells import put
from supplier_models.workbooks.examples import EXAMPLES
from supplier_models.workbooks.form import SAMPLE_SIGNER, fill_form, write_form
from supplier_models.workbooks.reader import read_workbook
from tests.helpers.broken_workbooks import accepted, answer, country_cells, mutate, only, rejected

OLD_FORM = Path(__file__).parent / "fixtures" / "savanna-voices-form-c6807e8.xlsx"
CELLS = {"name": "B6", "title": "B7", "date": "B8"}


def attest(**cells: object):
    """Type in the Attestation sheet: attest(B6=None) clears the name."""

    def change(wb) -> None:
        for ref, value in cells.items():
            wb["Attestation"][ref].value = value

    return change


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    return write_form(tmp_path_factory.mktemp("blank") / "acme.xlsx", "Acme Annotation Ltd",
                      issued_at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))


def test_a_new_form_carries_the_attestation_sheet_with_three_cells_to_fill_in(blank):
    wb = load_workbook(blank)
    assert wb.sheetnames[:4] == ["Instructions", "Questionnaire", "Countries", "Attestation"]
    ws = wb["Attestation"]
    assert ws.sheet_state == "visible" and ws.protection.sheet and wb.security.lockStructure
    meta = {row[0].value: row[1].value for row in wb["_meta"].iter_rows()}
    assert {k: v for k, v in meta.items() if k.startswith("attestation_")} == {
        f"attestation_{field}": f"Attestation!{ref}" for field, ref in CELLS.items()}
    editable = {cell.coordinate for row in ws.iter_rows() for cell in row if not cell.protection.locked}
    assert editable == set(CELLS.values())
    assert [ws[f"A{row}"].value for row in (6, 7, 8)] == ["Name", "Title", "Date"]
    assert all(ws[ref].value is None for ref in CELLS.values())
    assert ws["B8"].number_format == "yyyy-mm-dd"
    assert "Acme Annotation Ltd" in ws["A3"].value and "true and complete" in ws["A3"].value
    assert ws.print_area == "'Attestation'!$A$1:$C$8"
    instructions = " ".join(c.value or "" for c in wb["Instructions"]["A"])
    assert "On the Attestation sheet" in instructions


def test_the_attestation_is_read_into_the_submission_and_is_not_a_question(example_workbooks):
    lumen = EXAMPLES[0]
    submission = read_workbook(example_workbooks[lumen.name])
    assert submission.attestation == lumen.attestation == Attestation(
        name="Anna Weber", title="Managing Director", date=dt.date(2026, 11, 16))
    assert set(submission.answers) == set(submission.cells) == {q for q in submission.answers if "-" in q}
    assert "Attestation" not in json.dumps(submission.cells)


def test_every_example_vendor_attests(example_workbooks):
    for vendor in EXAMPLES:
        assert read_workbook(example_workbooks[vendor.name]).attestation == vendor.attestation, vendor.name


def test_the_attestation_is_stored_with_the_submission(base_bytes, tmp_path, store):
    def sign(wb) -> None:  # a title typed after an apostrophe ('=Head of Data): text, not a formula
        attest(B6="Jana Nováková", B8="2026-11-20")(wb)
        put(wb["Attestation"]["B7"], "=Head of Data")

    submission = accepted(mutate(base_bytes, tmp_path, sign), store)
    assert submission.attestation == Attestation(name="Jana Nováková", title="=Head of Data", date=dt.date(2026, 11, 20))
    with store.session() as s:
        record = s.exec(select(SubmissionRecord)).one()
    assert record.data["attestation"] == {"name": "Jana Nováková", "title": "=Head of Data", "date": "2026-11-20"}
    assert store.submissions.read(record).attestation == submission.attestation


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ("B6", "The attestation is not complete: give the name of the person who attests that the answers are true."),
        ("B7", "The attestation is not complete: give the title (position) of the person who attests."),
        ("B8", "The attestation is not complete: give the date of the attestation (YYYY-MM-DD)."),
    ],
    ids=["name", "title", "date"],
)
def test_a_missing_attestation_cell_is_rejected_at_its_cell(base_bytes, tmp_path, rejecting_store, cell, phrase):
    only(rejected(mutate(base_bytes, tmp_path, attest(**{cell: None})), rejecting_store),
         f"Attestation!{cell}", "Attestation", phrase)


def test_spaces_are_not_a_name(base_bytes, tmp_path, rejecting_store):
    only(rejected(mutate(base_bytes, tmp_path, attest(B6="   ")), rejecting_store),
         "Attestation!B6", "Attestation", "give the name of the person")


@pytest.mark.parametrize("typed", ["next week", "16/11/2026", "2026-02-30", True], ids=str)
def test_an_attestation_date_that_is_not_a_date_is_rejected(base_bytes, tmp_path, rejecting_store, typed):
    only(rejected(mutate(base_bytes, tmp_path, attest(B8=typed)), rejecting_store), "Attestation!B8", "Attestation",
         f'"{typed}" is not a date; write the date of the attestation as YYYY-MM-DD (for example 2026-11-23).')


@pytest.mark.parametrize("typed", ["2026-11-20", " 2026-11-20 ", dt.datetime(2026, 11, 20, 14, 5)],
                         ids=["text", "padded-text", "datetime"])
def test_an_attestation_date_typed_as_text_or_a_date_is_read(base_bytes, tmp_path, store, typed):
    assert accepted(mutate(base_bytes, tmp_path, attest(B8=typed)), store).attestation.date == dt.date(2026, 11, 20)


def test_a_formula_in_the_attestation_is_rejected(base_bytes, tmp_path, rejecting_store):
    only(rejected(mutate(base_bytes, tmp_path, attest(B8="=TODAY()")), rejecting_store), "Attestation!B8",
         "Attestation", "This cell holds a formula. Type the value itself.")


def test_an_overlong_name_is_rejected(base_bytes, tmp_path, rejecting_store):
    only(rejected(mutate(base_bytes, tmp_path, attest(B6="N" * (MAX_LENGTH + 1))), rejecting_store),
         "Attestation!B6", "Attestation", f"The name is {MAX_LENGTH + 1} characters long; the limit is {MAX_LENGTH}.")


def test_a_deleted_attestation_sheet_is_reported(base_bytes, tmp_path, rejecting_store):
    def drop(wb) -> None:
        del wb["Attestation"]

    only(rejected(mutate(base_bytes, tmp_path, drop), rejecting_store), "Attestation", None,
         'The sheet "Attestation" is missing (do not rename or delete sheets).')


def test_a_form_whose_meta_misplaces_the_attestation_is_reported(base_bytes, tmp_path, rejecting_store):
    def misplace(wb) -> None:
        for row in wb["_meta"].iter_rows():
            if row[0].value == "attestation_name":
                row[1].value = "Questionnaire!E2"

    only(rejected(mutate(base_bytes, tmp_path, misplace), rejecting_store), "_meta", None,
         "The form does not say where its attestation is.")


def test_attestation_problems_are_listed_after_the_countries_and_before_meta(base_bytes, tmp_path, rejecting_store):
    def many(wb) -> None:
        attest(B6=None, B8="soon")(wb)
        answer("PAY-03", None)(wb)
        country_cells(C3=2.5)(wb)
        wb["_meta"].cell(3, 2).value = None

    problems = rejected(mutate(base_bytes, tmp_path, many), rejecting_store)
    assert [p.cell for p in problems] == ["Questionnaire!E8", "Countries!C3", "Attestation!B6", "Attestation!B8",
                                          "_meta!B3"]


def test_a_form_issued_before_the_attestation_block_is_read_as_before():
    wb = load_workbook(OLD_FORM)
    assert "Attestation" not in wb.sheetnames  # really an old form
    assert not any(str(row[0].value).startswith("attestation") for row in wb["_meta"].iter_rows())
    submission = read_workbook(OLD_FORM)
    assert submission.attestation is None
    assert submission.vendor_name == EXAMPLES[4].name


def test_fill_form_attests_a_new_form_with_a_sample_unless_told(blank, tmp_path):
    lumen = EXAMPLES[0]
    answers = {**lumen.answers, **lumen.rde2}  # a new form is RDE-2's
    sample = read_workbook(fill_form(blank, answers, lumen.countries, out=tmp_path / "sample.xlsx"))
    assert sample.attestation == Attestation(name=SAMPLE_SIGNER[0], title=SAMPLE_SIGNER[1], date=dt.date(2026, 11, 23))
    kept = read_workbook(fill_form(tmp_path / "sample.xlsx", {"PAY-06": "Monthly"}))  # filled already: kept
    assert kept.attestation == sample.attestation
    fill_form(blank, answers, lumen.countries, out=tmp_path / "unsigned.xlsx", attestation=None)
    with pytest.raises(Exception, match="Attestation!B6"):
        read_workbook(tmp_path / "unsigned.xlsx")


def test_fill_form_cannot_attest_a_form_without_the_block(tmp_path):
    copy = tmp_path / "old.xlsx"
    copy.write_bytes(OLD_FORM.read_bytes())
    fill_form(copy, {"PAY-06": "Monthly"})  # the sample is skipped: nothing to attest on an old form
    assert read_workbook(copy).answers["PAY-06"] == "Monthly"
    with pytest.raises(ValueError, match="no attestation block"):
        fill_form(copy, {}, attestation=EXAMPLES[0].attestation)
