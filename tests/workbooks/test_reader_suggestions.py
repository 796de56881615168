"""What the reader says to help a vendor fix an answer: every wrong item of a several-answer question named with the
nearest choice, a hint when workforce shares look like fractions of 1, and a Countries dropdown that warns but keeps
any spelling the reader accepts. (Cell map of the base workbook: tests/workbooks/test_reader_hostile.py.)"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from supplier_models.questionnaire import load
from supplier_models.workbooks.answers import nearest_choice
from supplier_models.workbooks.reader import read_workbook
from tests.helpers.broken_workbooks import accepted, answer, country_cells, mutate, only, rejected
from tests.workbooks.test_form import UNO_PYTHON

RDE1 = load("RDE-1")
SERVICES = RDE1.by_id["COMP-03"].choices

# -- several-answer questions: every wrong item, each with the nearest choice --------------------------


def test_every_wrong_item_of_a_several_answer_question_is_named_with_the_nearest_choice(base_bytes, tmp_path,
                                                                                         rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("COMP-03", "Annotatoin, Transcripton")), rejecting_store)
    only(problems, "Questionnaire!E4", "COMP-03",
         '2 answers are not among the choices for "Services offered": "Annotatoin" (did you mean "Data annotation"?), '
         '"Transcripton" (did you mean "Transcription or translation"?). The choices are: Data annotation; '
         "Data collection from contributors; Content moderation or human review; Transcription or translation; "
         "Model evaluation or RLHF.")


def test_good_items_are_not_named_and_a_wrong_one_with_nothing_close_gets_no_guess(base_bytes, tmp_path,
                                                                                   rejecting_store):
    typed = "Data annotation; Crowdsourcing, Moderation"
    only(rejected(mutate(base_bytes, tmp_path, answer("COMP-03", typed)), rejecting_store), "Questionnaire!E4", "COMP-03",
         '2 answers are not among the choices for "Services offered": "Crowdsourcing", "Moderation" (did you mean '
         '"Content moderation or human review"?). The choices are: ')


def test_one_wrong_item_gets_the_nearest_choice(base_bytes, tmp_path, rejecting_store):
    only(rejected(mutate(base_bytes, tmp_path, answer("DATA-01", "ISO 27001, SOC 2 Type II")), rejecting_store),
         "Questionnaire!E41", "DATA-01",
         '"ISO 27001" is not one of the choices for "Security certifications held"; did you mean "ISO/IEC 27001"? '
         "The choices are: ISO/IEC 27001; SOC 2 Type II; ISO/IEC 27701; None.")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Annotatoin", "Data annotation"), ("transcripton", "Transcription or translation"),
     ("data anotation", "Data annotation"), ("Model evaluation or RLFH", "Model evaluation or RLHF"),
     ("Crowdsourcing", None), ("Data", None), ("", None), ("x", None)],
)
def test_nearest_choice(typed, meant):
    """Close to one choice, or to a run of its words; nothing when no choice is close or two are as close."""
    assert nearest_choice(typed, SERVICES) == meant


# -- shares typed as fractions of 1 -------------------------------------------------------------------


def test_shares_typed_as_fractions_of_1_get_a_hint_and_are_still_rejected(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(B2=0.3, B3=0.3, B4=0.4)), rejecting_store)
    only(problems, "Countries!B2:B4", "Workforce share %",
         "The workforce shares add up to 1.0%, not 100%. These look like fractions of 1: type 30 for 30%, not 0.3.")


def test_a_share_total_that_is_simply_wrong_gets_no_fraction_hint(base_bytes, tmp_path, rejecting_store):
    problem = only(rejected(mutate(base_bytes, tmp_path, country_cells(B2=30, B3=30, B4=39)), rejecting_store),
                   "Countries!B2:B4", "Workforce share %", "The workforce shares add up to 99%, not 100%.")
    assert "fraction" not in problem.message


def test_fractions_that_do_not_make_1_get_no_fraction_hint(base_bytes, tmp_path, rejecting_store):
    problem = only(rejected(mutate(base_bytes, tmp_path, country_cells(B2=0.3, B3=0.3, B4=0.2)), rejecting_store),
                   "Countries!B2:B4", "Workforce share %", "add up to 0.8%, not 100%.")
    assert "fraction" not in problem.message


def test_shares_in_percent_formatted_cells_are_percentages(base_bytes, tmp_path, store):
    """Excel stores 30% typed in a cell formatted as a percentage as 0.3: read as 30, accepted, no hint needed."""

    def percent(wb) -> None:
        for ref, value in (("B2", 0.3), ("B3", 0.3), ("B4", 0.4)):
            wb["Countries"][ref].value = value
            wb["Countries"][ref].number_format = "0%"

    submission = accepted(mutate(base_bytes, tmp_path, percent), store)
    assert [int(c.share_pct) for c in submission.countries] == [30, 30, 40]


# -- the Countries dropdown ---------------------------------------------------------------------------


def _validation_tags(path: Path, sheet_file: str) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return re.findall(r"<dataValidation\b[^>]*>", archive.read(sheet_file).decode())


def test_the_country_column_warns_and_keeps_what_is_typed(base_bytes, tmp_path):
    """In the written file (OOXML): the Country column's list validation has errorStyle="warning", so Excel and
    Calc show the message and keep the value; the other columns still stop a wrong value."""
    path = tmp_path / "form.xlsx"
    path.write_bytes(base_bytes)
    tags = {re.search(r'sqref="([^"]+)"', t).group(1): t for t in _validation_tags(path, "xl/worksheets/sheet3.xml")}
    assert set(tags) == {f"{col}2:{col}201" for col in "ABCDEF"}  # really the Countries sheet
    assert 'errorStyle="warning"' in tags["A2:A201"] and 'type="list"' in tags["A2:A201"]
    assert 'showErrorMessage="1"' in tags["A2:A201"]
    for col in "BCDEF":
        assert "errorStyle" not in tags[f"{col}2:{col}201"] or 'errorStyle="stop"' in tags[f"{col}2:{col}201"]


@pytest.mark.parametrize("typed", ["United Kingdom", "GBR", "gb"])
def test_a_country_name_or_code_not_in_the_list_is_read(base_bytes, tmp_path, store, typed):
    """Spellings the dropdown's list does not hold, which the reader accepts (the list has "UK" and "GB")."""
    submission = accepted(mutate(base_bytes, tmp_path, country_cells(A2=typed, E2="GBP")), store)
    assert submission.countries[0].iso2 == "GB"


@pytest.mark.skipif(UNO_PYTHON is None, reason="LibreOffice Calc with python3-uno is not installed")
def test_calc_sees_a_warning_on_the_country_column_and_keeps_a_name_not_in_the_list(base_bytes, tmp_path):
    form = tmp_path / "form.xlsx"
    form.write_bytes(base_bytes)
    job = {"in": str(form), "out": str(tmp_path / "calc.xlsx"), "report": str(tmp_path / "report.json"),
           "profile": str(tmp_path / "uno-profile"), "sheet": "Countries",
           "type": {"A2": "United Kingdom", "E2": "GBP"}}
    (tmp_path / "job.json").write_text(json.dumps(job))
    result = subprocess.run([UNO_PYTHON, str(Path(__file__).parents[1] / "helpers" / "calc_type.py"),
                             str(tmp_path / "job.json")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    seen = json.loads((tmp_path / "report.json").read_text())
    assert seen["A2"]["type"] == "LIST" and seen["A2"]["alert"] == "WARNING" and seen["A2"]["show_error"]
    assert seen["E2"]["alert"] == "STOP"  # the currency list still refuses a code not in it
    assert read_workbook(tmp_path / "calc.xlsx").countries[0].iso2 == "GB"
