"""`fairsource form` writes the workbook docs/contracts.md describes ("The questionnaire workbook"), and what a vendor
types reads back exactly. The form is the one issued now, RDE-2 (RDE-1 forms, as the example vendors returned them,
are read throughout the suite)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pycountry
import pytest
from openpyxl import load_workbook

from supplier_models import WorkbookRejected, read_workbook
from supplier_models.questionnaire import load
from supplier_models.workbooks.examples import CONSENT_YES, EXAMPLES, GOOD_ANSWERS, GOOD_RDE2_ANSWERS
from supplier_models.workbooks.form import COUNTRY_COLUMNS, QUESTION_COLUMNS, fill_form, write_form
from tests.helpers.ooxml import sheet_xml

ISSUED = load("RDE-2")
ROW = {q.id: row for row, q in enumerate(ISSUED.questions, start=2)}
"""question id -> its row on the Questionnaire sheet"""


def _answer(qid: str) -> str:
    return f"E{ROW[qid]}"


def _good(vendor=EXAMPLES[0]) -> dict[str, object]:
    """An example vendor's RDE-2 answers."""
    return {**vendor.answers, **vendor.rde2}


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
    assert meta["questionnaire_id"] == "RDE-2"
    assert meta["questionnaire_version"] == ISSUED.version
    assert meta["vendor"] == "Acme Annotation Ltd"
    assert meta["issued_at"] == "2026-11-23T09:30:00+00:00"
    assert wb.security.lockStructure


def test_one_row_per_question_with_section_and_guidance(blank):
    ws = load_workbook(blank)["Questionnaire"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [q.id for q in ISSUED.questions]
    by_id = {r[0]: r for r in rows}
    assert by_id["PAY-05"][1] == "Fair pay"
    assert by_id["PAY-05"][2] == ISSUED.by_id["PAY-05"].text
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
    for row, question in enumerate(ISSUED.questions, start=2):
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
        **GOOD_ANSWERS, **GOOD_RDE2_ANSWERS,
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
    assert (sub.questionnaire_id, sub.questionnaire_version) == ("RDE-2", ISSUED.version)
    for qid, written in answers.items():
        expected = written
        if isinstance(written, (int, float)) and not isinstance(written, bool):
            expected = Decimal(str(written))
        assert sub.answers[qid] == expected, qid
    unanswered = {q.id for q in ISSUED.questions} - set(answers)
    assert unanswered == {"VULN-03", "PAY-09"}  # PAY-09 is asked of piece rates only
    assert sub.answers["VULN-03"] is None and sub.answers["PAY-09"] is None
    assert sub.evidence == evidence
    assert [(c.iso2, c.share_pct, c.workers, c.lowest_hourly_pay, c.currency, c.pay_basis) for c in sub.countries] == [
        ("KE", Decimal("60"), 120, Decimal("152.75"), "KES", "Hourly wage"),
        ("PH", Decimal("40"), 80, Decimal("75"), "PHP", "Salary"),
    ]
    assert sub.cells["PAY-03"] == "Questionnaire!E8"


def test_answers_are_matched_case_insensitively_and_canonicalised(blank, tmp_path):
    answers = {**_good(), "PAY-01": "  hourly WAGE ", "PAY-02": "yes",
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


# -- several-answer questions (issue: Excel refused "Data annotation, Data collection from contributors") --

MULTI = [q for q in ISSUED.questions if q.type == "multi"]
OLD_FORM = Path(__file__).parent / "fixtures" / "savanna-voices-form-c6807e8.xlsx"


def test_several_answer_questions_have_a_dropdown_that_accepts_a_typed_list(blank):
    """A list validation with the Stop style (the default) makes Excel and Calc refuse anything but one
    list item; several answers need a non-Stop style, and the messages say how to list them."""
    assert [q.id for q in MULTI] == ["COMP-03", "COMP-04", "DATA-01"]
    validations = _validations(load_workbook(blank)["Questionnaire"])
    rows = {q.id: row for row, q in enumerate(ISSUED.questions, start=2)}
    for question in MULTI:
        dv = validations[(rows[question.id], 5)]
        assert dv.type == "list", question.id
        assert dv.formula1.strip('"').split(",") == list(question.choices)
        assert dv.errorStyle in ("warning", "information"), question.id
        assert dv.showErrorMessage and dv.showInputMessage
        assert "separated by commas" in dv.prompt and "click OK to keep them" in dv.error
        assert len(dv.prompt) <= 255 and len(dv.error) <= 225 and len(dv.promptTitle) <= 32  # Excel's limits
    for row, question in enumerate(ISSUED.questions, start=2):  # single answers keep refusing other text
        if question.type in ("yes_no", "choice"):
            assert validations[(row, 5)].errorStyle in (None, "stop"), question.id


def test_country_of_registration_has_a_country_dropdown_that_takes_any_spelling(blank):
    validations = _validations(load_workbook(blank)["Questionnaire"])
    dv = validations[(3, 5)]  # COMP-02
    assert ISSUED.by_id["COMP-02"].dropdown == "countries"
    assert dv.type == "list" and dv.formula1.startswith("_lists!$A$1")
    assert dv.errorStyle == "warning"  # alpha-3 codes and other English names are accepted too


def test_a_form_issued_before_the_several_answer_fix_still_reads():
    """A form written and filled at commit c6807e8 (Stop-style list validation on COMP-03, COMP-04,
    DATA-01; stored as a fixture) reads exactly as before."""
    wb = load_workbook(OLD_FORM)
    old_dv = _validations(wb["Questionnaire"])[(4, 5)]
    assert old_dv.type == "list" and old_dv.errorStyle in (None, "stop")  # really the old validation
    savanna = EXAMPLES[4]
    sub = read_workbook(OLD_FORM)
    assert sub.vendor_name == savanna.name
    for qid, written in savanna.answers.items():
        expected = Decimal(str(written)) if isinstance(written, (int, float)) and not isinstance(written, bool) else written
        assert sub.answers[qid] == (list(expected) if isinstance(expected, tuple) else expected), qid
    assert sub.answers["COMP-03"] == ["Data collection from contributors", "Transcription or translation"]
    assert [c.iso2 for c in sub.countries] == ["KE", "GH"]


# -- guidance -------------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()).rstrip(".").casefold() for s in re.split(r"(?<=[.;?!])\s+", text) if s.strip()]


def test_guidance_says_each_thing_once(blank):
    """Issue: CONS-01 said "Required when COMP-03 includes ..." twice and DATA-02 said YYYY-MM-DD twice."""
    ws = load_workbook(blank)["Questionnaire"]
    for row in ws.iter_rows(min_row=2, values_only=True):
        qid, guidance_text = row[0], row[3]
        question = ISSUED.by_id[qid]
        sentences = _sentences(guidance_text)
        assert len(sentences) == len(set(sentences)), (qid, guidance_text)
        for phrase in ("yyyy-mm-dd", "comma", "pick", "free text", "otherwise", "left empty"):
            assert guidance_text.casefold().count(phrase) <= 1, (qid, phrase, guidance_text)
        requirement = [s for s in sentences if s.startswith(("required", "optional", "may be left empty"))]
        assert len(requirement) == 1, (qid, guidance_text)
        condition = question.required_if or question.optional_if
        if condition is not None:
            assert guidance_text.count(condition.describe()) == 1, (qid, guidance_text)


def test_guidance_says_when_an_answer_is_required(blank):
    guidance_of = {row[0]: row[3] for row in load_workbook(blank)["Questionnaire"].iter_rows(min_row=2, values_only=True)}
    assert guidance_of["CONS-01"] == ('Required when COMP-03 includes "Data collection from contributors"; '
                                      "otherwise optional. Pick from the list.")
    assert guidance_of["VULN-02"].startswith('Required when VULN-01 is "Yes"; otherwise optional.')
    assert guidance_of["VULN-03"].startswith('Required unless VULN-01 is "No".')
    assert guidance_of["DATA-02"] == "Optional. We re-qualify you before this date. A date, YYYY-MM-DD."
    assert guidance_of["PAY-05"].startswith("Required.")


def test_ethics_review_may_be_left_empty_without_vulnerable_groups(tmp_path):
    """VULN-02 is required only when VULN-01 is Yes; its knockout (No when VULN-01 is Yes) is unchanged."""
    answers = {k: v for k, v in _good().items() if k != "VULN-02"}
    form = write_form(tmp_path / "f.xlsx", EXAMPLES[0].name)
    sub = read_workbook(fill_form(form, answers, EXAMPLES[0].countries))
    assert sub.answers["VULN-01"] == "No" and sub.answers["VULN-02"] is None
    fill_form(form, {"VULN-01": "Yes", "VULN-03": "Yes"})
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(form)
    assert [(p.cell, p.question) for p in rejected.value.problems] == [(f"Questionnaire!{_answer('VULN-02')}", "VULN-02")]
    assert 'required because VULN-01 is "Yes"' in rejected.value.problems[0].message


# -- print ----------------------------------------------------------------------------------------

# Printable width (points) of A4 and Letter in each orientation; a column of width w (characters of
# Calibri 11) is (7w + 5) px = 0.75 (7w + 5) pt wide.
PAPER = {"A4": (595.3, 841.9), "Letter": (612.0, 792.0)}


def _print_scale(ws, paper: str) -> float:
    short, long_ = PAPER[paper]
    width = long_ if ws.page_setup.orientation == "landscape" else short
    printable = width - 72 * (ws.page_margins.left + ws.page_margins.right)
    columns = sum(0.75 * (7 * ws.column_dimensions[c].width + 5) for c in "ABCDEF")
    return min(1.0, printable / columns)


def test_sheets_print_one_page_wide_readably_on_a4_and_letter(blank):
    """Issue: the Questionnaire printed at about 5 pt and the Countries sheet printed only its header."""
    wb = load_workbook(blank)
    for name, orientation, area in (("Questionnaire", "landscape", f"A1:F{len(ISSUED.questions) + 1}"),
                                    ("Countries", "portrait", f"A1:F{ISSUED.countries.max_rows + 1}")):
        ws = wb[name]
        assert ws.page_setup.orientation == orientation, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0), name  # width only
        assert ws.page_setup.paperSize is None, name  # the printer's paper, A4 or Letter
        assert ws.print_area == f"'{name}'!{area.replace('A1', '$A$1').replace(':F', ':$F$')}", name
        assert ws.print_title_rows == "$1:$1", name  # the header row repeats on every page
        for paper in PAPER:
            assert _print_scale(ws, paper) * 11 >= 9, (name, paper)  # at least 9 pt of the 11 pt text
    assert wb["Countries"].print_options.gridLines  # empty rows print as a grid to fill in by hand
    assert wb["Countries"].row_dimensions[1].height >= 30  # two-line headers are not cut
    ws = wb["Questionnaire"]
    for row in ws.iter_rows(min_row=2, max_col=6):
        assert all(cell.alignment.wrap_text for cell in row), row[0].value


# -- in LibreOffice Calc --------------------------------------------------------------------------

SEVERAL = {"COMP-03": "Data annotation, Data collection from contributors", "COMP-04": "Employees, Subcontracted teams",
           "DATA-01": "ISO/IEC 27001, SOC 2 Type II"}


def _soffice(tmp_path: Path, *args: str) -> None:
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", *args],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr


def _answer_validation_styles(path: Path) -> dict[str, str]:
    """Answer cell -> the errorStyle of its <dataValidation> as saved (OOXML default: stop)."""
    sheet = sheet_xml(path, "Questionnaire")
    styles = {}
    for tag in re.findall(r"<dataValidation\b[^>]*>", sheet):
        style = re.search(r'errorStyle="([^"]+)"', tag)
        for ref in re.search(r'sqref="([^"]+)"', tag).group(1).split():
            first, _, last = ref.partition(":")
            col, start = re.fullmatch(r"([A-Z]+)(\d+)", first).groups()
            end = int(re.fullmatch(r"[A-Z]+(\d+)", last).group(1)) if last else int(start)
            for row in range(int(start), end + 1):
                styles[f"{col}{row}"] = style.group(1) if style else "stop"
    return styles


def _calc_answers(blank: Path, tmp_path: Path, typed: dict[str, object]) -> Path:
    answers = {**{k: v for k, v in _good().items() if v is not None}, **CONSENT_YES, **typed}
    return fill_form(blank, answers, EXAMPLES[0].countries, out=tmp_path / "typed.xlsx")


@pytest.mark.skipif(not CALC_INSTALLED, reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)")
def test_several_answers_survive_a_libreoffice_round_trip_with_non_stop_validation(blank, tmp_path):
    """Filled with openpyxl, opened and re-saved as .xlsx by Calc: the lists read back, and the saved
    validation of the three several-answer cells is not Stop, so Excel accepts them when typed."""
    typed = _calc_answers(blank, tmp_path, SEVERAL)
    out = tmp_path / "calc"
    _soffice(tmp_path, "--convert-to", "xlsx", "--outdir", str(out), str(typed))
    saved = out / "typed.xlsx"
    sub = read_workbook(saved)
    assert sub.answers["COMP-03"] == ["Data annotation", "Data collection from contributors"]
    assert sub.answers["COMP-04"] == ["Employees", "Subcontracted teams"]
    assert sub.answers["DATA-01"] == ["ISO/IEC 27001", "SOC 2 Type II"]
    styles = _answer_validation_styles(saved)
    assert {styles["E4"], styles["E5"], styles[_answer("DATA-01")]} <= {"warning", "information"}, styles
    assert styles["E3"] == "warning"  # COMP-02, the country of registration
    assert styles["E10"] == "stop"  # PAY-05, yes/no: one answer, refused otherwise


def _uno_python() -> str | None:
    """A python that has LibreOffice's `uno` module (Debian: python3-uno for /usr/bin/python3)."""
    for candidate in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python"):
        if Path(candidate).exists() and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


UNO_PYTHON = _uno_python() if CALC_INSTALLED else None


@pytest.mark.skipif(UNO_PYTHON is None, reason="LibreOffice Calc with python3-uno is not installed")
def test_several_answers_typed_in_libreoffice_calc_are_kept_and_read(blank, tmp_path):
    """Calc itself (through UNO) types the lists into the Answer cells and saves the workbook as .xlsx;
    Calc sees a list validation whose alert is not Stop on those cells (so typing is accepted after the
    message), Stop on a yes/no cell, and our reader reads the lists back."""
    typed = _calc_answers(blank, tmp_path, {})
    job = {"in": str(typed), "out": str(tmp_path / "calc-typed.xlsx"), "report": str(tmp_path / "report.json"),
           "profile": str(tmp_path / "uno-profile"), "sheet": "Questionnaire",
           "type": {"E4": SEVERAL["COMP-03"], "E5": SEVERAL["COMP-04"], _answer("DATA-01"): SEVERAL["DATA-01"],
                    "E10": "No"}}
    (tmp_path / "job.json").write_text(json.dumps(job))
    result = subprocess.run([UNO_PYTHON, str(Path(__file__).parents[1] / "helpers" / "calc_type.py"), str(tmp_path / "job.json")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    seen = json.loads((tmp_path / "report.json").read_text())
    for ref in ("E4", "E5", _answer("DATA-01")):
        assert seen[ref]["type"] == "LIST" and seen[ref]["alert"] in ("WARNING", "INFO"), (ref, seen[ref])
    assert seen["E10"]["alert"] == "STOP"
    sub = read_workbook(tmp_path / "calc-typed.xlsx")
    assert sub.answers["COMP-03"] == ["Data annotation", "Data collection from contributors"]
    assert sub.answers["COMP-04"] == ["Employees", "Subcontracted teams"]
    assert sub.answers["DATA-01"] == ["ISO/IEC 27001", "SOC 2 Type II"]
    assert sub.answers["PAY-05"] == "No"


def _word_heights(pdf: Path, page: int) -> list[float]:
    result = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                            capture_output=True, text=True, check=True)
    return [float(y1) - float(y0) for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', result.stdout)]


@pytest.mark.skipif(not CALC_INSTALLED or shutil.which("pdftotext") is None,
                    reason="LibreOffice Calc or poppler-utils (pdftotext) is not installed")
def test_form_prints_readably_in_libreoffice(blank, tmp_path):
    """Printed to PDF by Calc: Questionnaire text about 9 pt (it was about 5 pt), the header on every
    page, and the Countries sheet prints its empty rows to fill in, not just its header."""
    _soffice(tmp_path, "--convert-to", "pdf", "--outdir", str(tmp_path), str(blank))
    pdf = tmp_path / "acme.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                            text=True, check=True).stdout).group(1))
    texts = [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for p in range(1, pages + 1)]
    questionnaire = [p for p, text in enumerate(texts, start=1) if "Questionnaire, page" in text]
    countries = [p for p, text in enumerate(texts, start=1) if "Countries, page" in text]
    assert len(questionnaire) >= 3 and countries
    for page in questionnaire:
        assert texts[page - 1].split()[:2] == ["ID", "Section"]  # the header row repeats
        heights = sorted(_word_heights(pdf, page))
        # a word's box is about 1.16 x the font size (DejaVu Sans, Calc's stand-in for Calibri)
        assert heights[len(heights) // 2] / 1.17 >= 8.5, (page, heights[len(heights) // 2])
    grid = subprocess.run(["pdftoppm", "-f", str(countries[0]), "-l", str(countries[0]), "-r", "20", "-gray",
                           str(pdf)], capture_output=True, check=True).stdout
    dark_rows = _dark_pixel_rows(grid)
    assert dark_rows >= 40, dark_rows  # the grid of empty input rows is printed, not only the header


def _dark_pixel_rows(pgm: bytes) -> int:
    """How many pixel rows of a binary PGM (P5) image contain a dark horizontal line (grid lines)."""
    header, _, _ = pgm.partition(b"\n255\n")
    width, height = (int(v) for v in header.split()[1:3])
    pixels = pgm[len(header) + 5:]
    rows = [pixels[r * width:(r + 1) * width] for r in range(height)]
    return sum(1 for row in rows if sum(1 for v in row if v < 128) > width // 2)
