"""The pre-filled form a vendor gets to re-attest (flows/usecases/reattestation.py: `prefilled_form`): a banner says
which answers it holds, its layout is the blank form's, it reads back exactly what it was filled from, and text
that a spreadsheet would take for a formula is written, and read back, as text."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.usecases import intake_one, load_inputs, request_reattestations
from flows.usecases.reattestation import prefilled_form
from supplier_models import Settings
from supplier_models.errors import WorkbookRejected
from supplier_models.submission import Attestation
from supplier_models.workbooks.cells import put
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form, prefill_banner, write_form
from supplier_models.workbooks.reader import read_workbook
from tests.helpers.ooxml import sheet_xml

LUMEN = EXAMPLES[0]
ANSWERED_ON = dt.date(2026, 11, 23)
REISSUED = dt.datetime(2027, 11, 8, tzinfo=dt.UTC)
BANNER = "Pre-filled from your answers of 2026-11-23: confirm or correct each answer, then return this form."
OLD_FORM = Path(__file__).parent / "fixtures" / "savanna-voices-form-c6807e8.xlsx"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1-2", "-3", "@SUM(A1)", "{{ 7*7 }}", "<w:t>"]
CALC_INSTALLED = shutil.which("soffice") is not None and any(
    Path(p).exists() for p in ("/usr/lib/libreoffice/program/libsclo.so", "/opt/libreoffice/program/libsclo.so")
)
needs_calc = pytest.mark.skipif(not CALC_INSTALLED or shutil.which("pdftotext") is None,
                                reason="LibreOffice Calc or poppler-utils is not installed")


@pytest.fixture(scope="module")
def lumen(tmp_path_factory):
    """Lumen's submission as the reader made it from its returned form, of the questionnaire issued now (RDE-2; an
    RDE-1 submission's re-attestation is tests/flows/test_rde2_reattestation.py's)."""
    return read_workbook(write_example(LUMEN, tmp_path_factory.mktemp("lumen"), "RDE-2"))


@pytest.fixture(scope="module")
def hostile_submission(lumen):
    """Lumen's submission with formula-like and template-like text in a text answer and six evidence cells."""
    evidence_ids = ["PAY-03", "PAY-04", "PAY-05", "PAY-06", "PAY-07", "PAY-08"]  # rows 8 to 13 of RDE-2's sheet
    return lumen.model_copy(update={"answers": {**lumen.answers, "COMP-01": HOSTILE[0]},
                                    "evidence": dict(zip(evidence_ids, HOSTILE, strict=True))})


@pytest.fixture(scope="module")
def prefilled(hostile_submission, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("prefilled") / "lumen-reattestation.xlsx"
    return prefilled_form(hostile_submission, out, form_id="re-1", issued_at=REISSUED, answered_on=ANSWERED_ON)


def _cell_xml(sheet_xml: str, ref: str) -> str:
    return re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', sheet_xml, re.S).group(0)


def _quote_prefixed_styles(path: Path) -> set[int]:
    """Indexes of the cell styles (cellXfs) that carry quotePrefix="1"."""
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    return {i for i, xf in enumerate(re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs, re.S))
            if re.search(r'quotePrefix="(1|true)"', xf)}


# -- the banner -------------------------------------------------------------------------------------


def test_a_blank_form_has_no_banner(tmp_path):
    wb = load_workbook(write_form(tmp_path / "blank.xlsx", "Acme Annotation Ltd"))
    assert wb["Instructions"]["A1"].value == "Responsible data enrichment: supplier qualification (second edition)"
    for sheet in ("Questionnaire", "Countries"):
        assert not wb[sheet].oddHeader.center.text, sheet
    assert wb["Attestation"]["A2"].value is None
    assert "Pre-filled" not in sheet_xml(tmp_path / "blank.xlsx", "Questionnaire")


def test_a_prefilled_form_says_which_answers_it_holds_where_the_vendor_and_the_printer_see_it(prefilled):
    assert prefill_banner(ANSWERED_ON) == BANNER
    wb = load_workbook(prefilled)
    assert wb.active.title == "Instructions" and wb["Instructions"]["A1"].value == BANNER  # what opens first
    assert wb["Instructions"]["A1"].font.b
    for sheet in ("Questionnaire", "Countries"):  # on every printed page of the two sheets answered
        assert wb[sheet].oddHeader.center.text == BANNER, sheet
    assert wb["Attestation"]["A2"].value == BANNER


def test_the_banner_leaves_the_layout_the_reader_and_scripts_rely_on(prefilled, tmp_path):
    """Row 1 is still the header and every other row a question, exactly as on a blank form."""
    blank = load_workbook(write_form(tmp_path / "blank.xlsx", LUMEN.name))
    wb = load_workbook(prefilled)
    for sheet in ("Questionnaire", "Countries"):
        assert [c.value for c in wb[sheet][1]] == [c.value for c in blank[sheet][1]], sheet
        assert wb[sheet].print_area == blank[sheet].print_area, sheet
    ids = [row[0] for row in wb["Questionnaire"].iter_rows(min_row=2, values_only=True)]
    assert ids == [row[0] for row in blank["Questionnaire"].iter_rows(min_row=2, values_only=True)]
    assert wb.sheetnames == blank.sheetnames


def test_a_prefilled_form_reads_back_exactly_what_it_was_filled_from(prefilled, hostile_submission):
    back = read_workbook(prefilled)
    assert back.answers == hostile_submission.answers
    assert back.evidence == hostile_submission.evidence
    assert back.countries == hostile_submission.countries
    assert back.attestation == hostile_submission.attestation == LUMEN.attestation
    assert (back.form_id, back.issued_at) == ("re-1", REISSUED)


def test_without_the_day_the_answers_were_received_the_banner_says_last_answers(lumen, tmp_path):
    path = prefilled_form(lumen, tmp_path / "f.xlsx", form_id="re-2", issued_at=REISSUED)
    assert load_workbook(path)["Instructions"]["A1"].value == (
        "Pre-filled from your last answers: confirm or correct each answer, then return this form.")


def test_a_reattestation_form_is_dated_with_the_day_its_answers_were_received(tmp_path, store):
    """request_reattestations dates the banner with the stored submission's received date (the intake's as-of
    date, 2026-11-23), not the form's issue date."""
    settings = Settings(home=tmp_path / "home")
    inputs = load_inputs(settings)
    intake_one(read_workbook(write_example(LUMEN, tmp_path, "RDE-2")), store, inputs, ANSWERED_ON, settings.sow_dir,
               received_on=ANSWERED_ON)
    run = request_reattestations(store, settings, inputs, dt.date(2027, 11, 8), within_days=30)
    (asked,) = run.reattestation_requested
    wb = load_workbook(asked["form"])
    assert wb["Instructions"]["A1"].value == BANNER
    assert wb["Instructions"]["A5"].value.endswith("issued 2027-11-08")
    assert read_workbook(asked["form"]).attestation == LUMEN.attestation


def test_a_form_filled_from_a_submission_without_attestation_asks_for_one(tmp_path):
    """A submission of an RDE-1 form issued before the attestation block: the pre-filled form (RDE-2, issued now)
    leaves the block empty and the questions RDE-2 adds, and returned as it is the form is rejected at those
    cells, and only there."""
    old = read_workbook(OLD_FORM)
    assert old.attestation is None and old.questionnaire_id == "RDE-1"
    path = prefilled_form(old, tmp_path / "savanna.xlsx", form_id="re-3", issued_at=REISSUED,
                          answered_on=ANSWERED_ON)
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(path)
    assert [(p.cell, p.question) for p in rejected.value.problems] == [
        ("Questionnaire!E13", "PAY-08"), ("Questionnaire!E23", "WORK-06"), ("Questionnaire!E33", "COMM-06"),
        ("Questionnaire!E56", "RESP-03"), ("Questionnaire!E57", "RESP-04"),
        ("Attestation!B6", "Attestation"), ("Attestation!B7", "Attestation"), ("Attestation!B8", "Attestation")]
    signed = Attestation(name="Grace Wanjiru", title="Chief Executive Officer", date=dt.date(2027, 11, 9))
    new = {"PAY-08": "Yes", "WORK-06": "Yes", "COMM-06": "No", "RESP-03": "Yes", "RESP-04": "Yes"}
    back = read_workbook(fill_form(path, new, attestation=signed))
    assert back.attestation == signed and back.questionnaire_id == "RDE-2"
    assert back.answers == {**old.answers, **new, "PAY-09": None}


# -- text that looks like a formula -------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_written_as_text_not_as_a_formula(prefilled, text):
    """In the sheet XML: a string cell (t="s" or t="inlineStr"), never <f>; the =, +, - and @ ones carry the
    quote prefix Excel gives text typed after an apostrophe, so editing the cell keeps it text."""
    sheet = sheet_xml(prefilled, "Questionnaire")
    assert "<f>" not in sheet and "<f " not in sheet
    row = {t: r for r, t in zip(range(8, 14), HOSTILE, strict=True)}[text]  # PAY-03..PAY-08's Evidence
    cell = _cell_xml(sheet, f"F{row}")
    assert re.search(r't="(s|inlineStr)"', cell), cell
    style = int(re.search(r's="(\d+)"', cell).group(1))
    assert (style in _quote_prefixed_styles(prefilled)) == text.startswith(("=", "+", "-", "@")), cell
    ws = load_workbook(prefilled)["Questionnaire"]
    assert (ws[f"F{row}"].value, ws[f"F{row}"].data_type) == (text, "s")


def test_the_vendor_can_return_its_own_formula_like_answer(prefilled, tmp_path):
    """The vendor's answer stored as text comes back in the pre-filled form as text, and the form returned
    as it is is accepted, not refused for a formula."""
    returned = tmp_path / "returned.xlsx"
    shutil.copy(prefilled, returned)
    back = read_workbook(returned)
    assert back.answers["COMP-01"] == HOSTILE[0]
    assert sorted(back.evidence.values()) == sorted(HOSTILE)


def test_a_corrected_answer_loses_the_quote_prefix(tmp_path):
    ws = load_workbook(write_form(tmp_path / "f.xlsx", "Acme"))["Questionnaire"]
    put(ws["E2"], "=1+1")
    assert (ws["E2"].data_type, ws["E2"].quotePrefix) == ("s", True)
    put(ws["E2"], "Acme Ltd")
    assert (ws["E2"].value, ws["E2"].quotePrefix) == ("Acme Ltd", False)
    put(ws["E19"], 40)
    assert (ws["E19"].value, ws["E19"].data_type) == (40, "n")


# -- in LibreOffice ---------------------------------------------------------------------------------


def _soffice(tmp_path: Path, *args: str) -> None:
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", *args],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr


@needs_calc
def test_a_prefilled_form_survives_a_libreoffice_round_trip(prefilled, hostile_submission, tmp_path):
    """Opened and saved again as .xlsx by Calc: the formula-like text is still text (no <f>), the banner and the
    attestation are still there, and the form reads back unchanged."""
    _soffice(tmp_path, "--convert-to", "xlsx", "--outdir", str(tmp_path / "calc"), str(prefilled))
    saved = tmp_path / "calc" / prefilled.name
    back = read_workbook(saved)
    assert back.answers == hostile_submission.answers and back.evidence == hostile_submission.evidence
    assert back.attestation == LUMEN.attestation
    sheet = sheet_xml(saved, "Questionnaire")
    assert "<f>" not in sheet and "<f " not in sheet
    assert re.search(r't="(s|inlineStr)"', _cell_xml(sheet, "E2"))
    assert BANNER in sheet  # the page header
    wb = load_workbook(saved)
    assert wb["Instructions"]["A1"].value == BANNER and wb["Attestation"]["A2"].value == BANNER


@needs_calc
def test_a_prefilled_form_prints_its_banner_on_every_page_and_its_attestation(prefilled, tmp_path):
    _soffice(tmp_path, "--convert-to", "pdf", "--outdir", str(tmp_path), str(prefilled))
    pdf = tmp_path / prefilled.with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    answered = [p for p in pages if "Questionnaire, page" in p or "Countries, page" in p]
    assert len(answered) >= 4
    for page in answered:
        assert BANNER in " ".join(page.split()), page[:300]
    (attestation,) = [p for p in pages if "Attestation, page" in p]
    words = " ".join(attestation.split())
    assert BANNER in words
    for phrase in ("are true and complete", "Anna Weber", "Managing Director", "2026-11-16"):
        assert phrase in words, phrase


# -- remediations closed with evidence ------------------------------------------------------------------


def _closed(code, question=None, country=None, answer=None):
    from supplier_models.store.tables import RemediationRecord

    return RemediationRecord(vendor_id="v", code=code, key=f"{question or 'x'}|{country or ''}", action="fix it",
                             question=question, country=country, due_date=ANSWERED_ON, opened_on=ANSWERED_ON,
                             opened_assessment_id="a", state="done", closed_on=dt.date(2027, 1, 4),
                             closed_by="Ana Lima", closed_how="evidence", evidence="Seen on site", closed_answer=answer)


def test_a_prefilled_form_marks_what_evidence_closed_and_shows_the_answer_it_established(lumen, tmp_path):
    """Each remediation closed with evidence gets a line under the banner; the answer it stands on is shaded
    green with a comment, and shows the answer that stands for the evidence (a yes/no or choice answer the rubric
    named); for a country, its row's Country cell is marked. The form still reads back as it shows."""
    from supplier_models.workbooks.layout import MARK_FILL

    given = lumen.model_copy(update={"answers": {**lumen.answers, "PILOT-01": "No", "PAY-06": "Monthly"}})
    closed = [_closed("R2", "PILOT-01", answer="Yes"), _closed("R5", "PAY-06", answer="Monthly"),
              _closed("R7", country="PT", answer="PT"), _closed("R9", "NOPE-01", answer="x")]
    path = prefilled_form(given, tmp_path / "f.xlsx", form_id="re-4", issued_at=REISSUED, answered_on=ANSWERED_ON,
                          closed=closed)
    wb = load_workbook(path)
    lines = [c.value for c in wb["Instructions"]["A"][:6]]
    assert lines[0] == BANNER and lines[5] is None
    assert lines[1] == ("R2 closed on 2027-01-04 with evidence: Seen on site. PILOT-01 shows Yes, what that evidence "
                        "established (your last answer was No), marked green: keep it to confirm.")
    assert lines[2].startswith("R5 closed on 2027-01-04 with evidence: Seen on site. Your answer to PAY-06 stands")
    assert lines[3].startswith("R7 closed on 2027-01-04 with evidence: Seen on site. Your row for PT on the Countries")
    assert lines[4] == "R9 closed on 2027-01-04 with evidence: Seen on site."  # a question this form no longer asks
    cells = {row[0].value: row[4] for row in wb["Questionnaire"].iter_rows(min_row=2)}
    assert (cells["PILOT-01"].value, cells["PAY-06"].value) == ("Yes", "Monthly")
    marked = {q for q, c in cells.items() if c.comment is not None}
    assert marked == {"PILOT-01", "PAY-06"}
    assert all(cells[q].fill.fgColor.rgb == MARK_FILL.fgColor.rgb for q in marked)
    assert cells["PILOT-01"].comment.text.startswith("R2 closed on 2027-01-04 with evidence accepted by Ana Lima")
    countries = wb["Countries"]
    (pt,) = [row for row in countries.iter_rows(min_row=2, max_col=1) if row[0].value in ("PT", "Portugal")]
    assert pt[0].comment.text.startswith("R7 closed") and pt[0].fill.fgColor.rgb == MARK_FILL.fgColor.rgb
    back = read_workbook(path)
    assert back.answers == {**given.answers, "PILOT-01": "Yes"} and back.countries == given.countries
