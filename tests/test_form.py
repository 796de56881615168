"""`fairsource form` writes the workbook DESIGN.md describes, and what a vendor types reads back exactly."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pycountry
import pytest
from openpyxl import load_workbook

from supplier_models import read_workbook
from supplier_models.examples import EXAMPLES, GOOD_ANSWERS
from supplier_models.form import COUNTRY_COLUMNS, QUESTION_COLUMNS, fill_form, write_form
from supplier_models.questionnaire import load

RDE1 = load("RDE-1")


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("form") / "acme.xlsx"
    write_form(path, "Acme Annotation Ltd", issued_at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    return path


def _validations(ws):
    """cell -> DataValidation for every cell a validation covers."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    found[(row, col)] = dv
    return found


def test_sheets_headers_and_hidden_meta(blank):
    wb = load_workbook(blank)
    assert wb.sheetnames[:3] == ["Instructions", "Questionnaire", "Countries"]
    assert wb["_meta"].sheet_state == "hidden"
    assert wb["_lists"].sheet_state == "hidden"
    assert [c.value for c in wb["Questionnaire"][1]] == list(QUESTION_COLUMNS)
    assert [c.value for c in wb["Countries"][1]][:6] == list(COUNTRY_COLUMNS)
    meta = {row[0].value: row[1].value for row in wb["_meta"].iter_rows()}
    assert meta["questionnaire_id"] == "RDE-1"
    assert meta["questionnaire_version"] == RDE1.version
    assert meta["vendor"] == "Acme Annotation Ltd"
    assert meta["issued_at"] == "2026-11-23T09:30:00+00:00"
    assert wb.security.lockStructure


def test_one_row_per_question_with_section_and_guidance(blank):
    ws = load_workbook(blank)["Questionnaire"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [q.id for q in RDE1.questions]
    by_id = {r[0]: r for r in rows}
    assert by_id["PAY-05"][1] == "Fair pay"
    assert by_id["PAY-05"][2] == RDE1.by_id["PAY-05"].text
    assert "Required when COMP-03 includes" in by_id["CONS-02"][3]
    assert "Optional" in by_id["DATA-02"][3]


def test_only_answer_and_evidence_are_editable(blank):
    ws = load_workbook(blank)["Questionnaire"]
    assert ws.protection.sheet
    for row in ws.iter_rows(min_row=2):
        locked = [cell.protection.locked for cell in row[:6]]
        assert locked == [True, True, True, True, False, False], row[0].value


def test_every_choice_and_yes_no_answer_has_a_dropdown_of_its_choices(blank):
    ws = load_workbook(blank)["Questionnaire"]
    validations = _validations(ws)
    for row, question in enumerate(RDE1.questions, start=2):
        dv = validations.get((row, 5))
        if question.type in ("yes_no", "choice"):
            assert dv is not None and dv.type == "list", question.id
            assert dv.formula1.strip('"').split(",") == list(question.options)
        elif question.type == "number":
            assert dv.type == "decimal" and float(dv.formula2) == question.max


def test_countries_sheet_dropdowns_come_from_pycountry(blank):
    wb = load_workbook(blank)
    validations = _validations(wb["Countries"])
    country_dv, currency_dv = validations[(2, 1)], validations[(2, 5)]
    assert country_dv.formula1.startswith("_lists!$A$1")
    assert currency_dv.formula1.startswith("_lists!$B$1")
    lists = wb["_lists"]
    countries = {c.value for c in lists["A"] if c.value}
    currencies = {c.value for c in lists["B"] if c.value}
    assert {"KE", "Kenya", "DE", "Germany", "PH"} <= countries
    assert currencies == {c.alpha_3 for c in pycountry.currencies}
    cs = wb["Countries"]
    for letter in "ABCDEF":  # editable, yellow columns; the header row stays locked
        assert not cs.column_dimensions[letter].protection.locked
        assert cs.column_dimensions[letter].fill.fgColor.rgb.endswith("FFF2CC")
        assert cs[f"{letter}1"].protection.locked
    assert cs.protection.sheet


def test_filled_in_form_reads_back_exactly_the_answers_written(blank, tmp_path):
    answers = {
        **GOOD_ANSWERS,
        "COMP-01": "Acme Annotation Ltd",
        "COMP-02": "Kenya",
        "COMP-03": ["Data collection from contributors", "Data annotation"],
        "CONS-01": "Yes", "CONS-02": "Yes", "CONS-03": "No", "CONS-04": "Yes", "CONS-05": "Yes",
        "DEMO-01": "Self-identified by contributors", "DEMO-02": "Yes", "DEMO-03": "No",
        "WORK-04": 47.5,
        "DATA-02": dt.date(2027, 3, 31),
        "SUPP-01": "Yes", "SUPP-02": "Yes",
    }
    countries = [("KE", 60, 120, 152.75, "KES", "Hourly wage"), ("Philippines", 40, 80, 75, "PHP", "Salary")]
    evidence = {"PAY-03": "WageIndicator Kenya 2026 table", "DATA-01": "Certificate 27001-1234"}
    path = fill_form(blank, answers, countries, evidence, out=tmp_path / "returned.xlsx")

    sub = read_workbook(path)
    assert sub.vendor_name == "Acme Annotation Ltd"
    assert (sub.questionnaire_id, sub.questionnaire_version) == ("RDE-1", RDE1.version)
    for qid, written in answers.items():
        expected = written
        if isinstance(written, (int, float)) and not isinstance(written, bool):
            expected = Decimal(str(written))
        assert sub.answers[qid] == expected, qid
    unanswered = {q.id for q in RDE1.questions} - set(answers)
    assert unanswered == {"VULN-03"}
    assert sub.answers["VULN-03"] is None
    assert sub.evidence == evidence
    assert [(c.iso2, c.share_pct, c.workers, c.lowest_hourly_pay, c.currency, c.pay_basis) for c in sub.countries] == [
        ("KE", Decimal("60"), 120, Decimal("152.75"), "KES", "Hourly wage"),
        ("PH", Decimal("40"), 80, Decimal("75"), "PHP", "Salary"),
    ]
    assert sub.cells["PAY-03"] == "Questionnaire!E8"


def test_answers_are_matched_case_insensitively_and_canonicalised(blank, tmp_path):
    answers = {**EXAMPLES[0].answers, "PAY-01": "  hourly WAGE ", "PAY-02": "yes",
               "COMP-03": "data annotation;MODEL EVALUATION OR RLHF"}
    path = fill_form(blank, answers, EXAMPLES[0].countries, out=tmp_path / "r.xlsx")
    sub = read_workbook(path)
    assert sub.answers["PAY-01"] == "Hourly wage"
    assert sub.answers["PAY-02"] == "Yes"
    assert sub.answers["COMP-03"] == ["Data annotation", "Model evaluation or RLHF"]


CALC_INSTALLED = shutil.which("soffice") is not None and any(
    Path(p).exists() for p in ("/usr/lib/libreoffice/program/libsclo.so", "/opt/libreoffice/program/libsclo.so")
)


@pytest.mark.skipif(not CALC_INSTALLED, reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)")
def test_blank_form_opens_cleanly_in_libreoffice(blank, tmp_path):
    """LibreOffice opens the workbook and converts it, as a vendor's office suite would."""
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(blank)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "acme.pdf").stat().st_size > 1000
