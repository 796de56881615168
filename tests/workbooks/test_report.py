"""The portfolio workbook: streamed, styled, printed readably, and never a place where vendor text becomes a
formula."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import types
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from flows.usecases import VendorStatus, portfolio_row
from supplier_models.workbooks.portfolio import (
    ON_SCREEN,
    PAPER_SIZES,
    PRINTED,
    PortfolioRow,
    RemediationLine,
    printed_size,
    write_portfolio,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]
CALC_INSTALLED = shutil.which("soffice") is not None and Path("/usr/lib/libreoffice/program/libsclo.so").exists()


def _row(name: str, decision: str = "qualified") -> PortfolioRow:
    return PortfolioRow(vendor=name, vendor_id="v-1", decision=decision, score=81.25, principles={"fair_pay": 90.0},
                        geo_band="medium", geo_score=31.04, flags=["living_wage_unverified"], knockouts=[],
                        valid_until=dt.date(2027, 11, 23), assessed_on=dt.date(2026, 11, 23),
                        open_remediations=["-raise pay in KE", "=pay weekly"], sow=None, rubric_version="r 1",
                        country_data_version="2026.11-1", assessment_id="a-1", status=decision)


ACTIONS = [f"R{i} [open] Set up an anonymous grievance channel with protection from retaliation, number {i}. "
           f"(due 2027-01-22)" for i in range(1, 12)]
FLAGS = ["below_minimum_wage", "living_wage_unverified", "pay_declaration_mismatch"]
EVIDENCE = "Grievance policy v2, section 4, and the hotline provider's contract signed on 2027-01-10"


@pytest.fixture
def report(tmp_path) -> Path:
    rows = [_row(name) for name in HOSTILE] + [_row("Plain Vendor Ltd", "not_qualified")]
    rows.append(_row("Long Story Ltd", "not_qualified").model_copy(update={
        "flags": FLAGS, "knockouts": ["below_minimum_wage", "no_ethics_review_vulnerable"],
        "open_remediations": ACTIONS}))
    lines = [RemediationLine(vendor="Long Story Ltd", id="R1", state="done", priority="high",
                             due_date=dt.date(2027, 1, 22), action=ACTIONS[0], closed_on=dt.date(2027, 1, 12),
                             closed_by="A. Reviewer", evidence=EVIDENCE)]
    return write_portfolio(iter(rows), tmp_path / "portfolio.xlsx", ["fair_pay", "pilot"], lines)


def test_formula_like_text_stays_text(report):
    ws = load_workbook(report)["Portfolio"]
    names = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in names] == [*HOSTILE, "Plain Vendor Ltd", "Long Story Ltd"]
    for cell in names[:len(HOSTILE)]:
        assert cell.data_type == "s" and cell.quotePrefix
    remediation = ws.cell(row=2, column=[c.value for c in ws[1]].index("Open remediations") + 1)
    assert remediation.data_type == "s" and remediation.value == "-raise pay in KE\n=pay weekly"


def test_layout_header_filter_colours_and_types(report):
    book = load_workbook(report)
    ws = book["Portfolio"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Vendor", "Decision", "Status", "Score"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:Q{len(HOSTILE) + 3}"  # 17 columns: the principles have a sheet of their own
    last = ws.max_row
    assert ws.cell(row=2, column=2).fill.fgColor.rgb.endswith("C6EFCE")  # qualified: green
    assert ws.cell(row=last, column=2).fill.fgColor.rgb.endswith("FFC7CE")  # not qualified: red
    assert ws.cell(row=2, column=3).value == "qualified"  # the lifecycle status
    assert ws.cell(row=2, column=4).value == round(81.25, 1)
    principles = book["Principles"]
    assert [c.value for c in principles[1]] == ["Vendor", "Decision", "Score", "Fair pay", "Pilot"]
    assert principles.cell(row=2, column=4).value == 90.0
    assert principles.cell(row=2, column=5).value is None  # a principle that did not apply
    assert principles.auto_filter.ref == f"A1:E{len(HOSTILE) + 3}" and principles.freeze_panes == "B2"
    valid_until = ws.cell(row=2, column=header.index("Valid until") + 1)
    assert valid_until.value.date() == dt.date(2027, 11, 23) and valid_until.number_format == "yyyy-mm-dd"


@pytest.mark.skipif(not CALC_INSTALLED, reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)")
def test_libreoffice_shows_the_text_and_runs_nothing(report, tmp_path):
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "csv",
                    "--outdir", str(tmp_path), str(report)], check=True, capture_output=True, timeout=120)
    with open(tmp_path / "portfolio.csv", newline="", encoding="utf-8") as fh:
        names = [row[0] for row in csv.reader(fh)][1:]
    assert names == [*HOSTILE, "Plain Vendor Ltd", "Long Story Ltd"]


@pytest.mark.parametrize("sheet", ["Portfolio", "Remediations"])
def test_each_sheet_prints_landscape_one_page_wide_with_the_header_on_every_page(report, sheet):
    """It printed as 8 portrait pages of 3-4 columns each: now one page wide, as many down as needed."""
    ws = load_workbook(report)[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$1"  # the header row on every page
    assert ws.freeze_panes in ("B2", "C2")  # and frozen on screen
    assert all(c.font.b for c in ws[1])


def _column(ws, title: str):
    index = [c.value for c in ws[1]].index(title) + 1
    return ws.column_dimensions[get_column_letter(index)].width, [row[index - 1] for row in ws.iter_rows(min_row=2)]


def test_long_text_wraps_in_columns_wide_enough_to_read(report):
    """Remediations sat unwrapped in one cell, flags and knockouts were cut at width 16."""
    ws = load_workbook(report)["Portfolio"]
    for title, longest in (("Flags", max(FLAGS, key=len)), ("Knockouts", "no_ethics_review_vulnerable"),
                           ("Open remediations", "")):
        width, cells = _column(ws, title)
        assert width >= min(len(longest) * 0.8, 20), title  # a flag or a knockout fits a line, give or take
        # Every cell with text wraps (an empty one is not written at all: nothing to wrap, and fewer cells)
        assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in cells if c.value), title
        assert any(c.value for c in cells), title
    width, cells = _column(ws, "Open remediations")
    assert width >= 40 and cells[-1].value == "\n".join(ACTIONS)
    # The row is tall enough for its 11 remediations of two lines each (in write-only mode nothing measures it).
    assert ws.row_dimensions[ws.max_row].height >= 11 * 2 * 14
    assert ws.row_dimensions[2].height < 50  # and a row of short text stays a line or two
    rem = load_workbook(report)["Remediations"]
    for title in ("Action", "Evidence"):
        width, cells = _column(rem, title)
        assert width >= 40 and all(c.alignment.wrap_text for c in cells if c.value), title
    assert _column(rem, "Evidence")[1][0].value == EVIDENCE


def _sheet_widths(ws, columns: int) -> list[float]:
    return [ws.column_dimensions[get_column_letter(col)].width for col in range(1, columns + 1)]


@pytest.mark.parametrize("paper", [None, "a4", "letter"])
def test_every_sheet_prints_landscape_one_page_wide_on_the_paper_asked_for(tmp_path, paper):
    """A4 or Letter when asked (Excel's paperSize 9 or 1), else none: the printer's own paper."""
    out = write_portfolio(iter([_row("Plain Vendor Ltd")]), tmp_path / "p.xlsx", ["fair_pay"], [], paper=paper)
    book = load_workbook(out)
    assert book.sheetnames == ["Portfolio", "Remediations", "Principles"]
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == (PAPER_SIZES[paper] if paper else None), ws.title
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.center.text == f"{ws.title}, page &P of &N"
        assert {c.font.name for c in ws[1]} == {"Arial"}  # the font whose digit is the unit of the widths


def test_the_portfolio_prints_its_first_columns_the_audit_trail_stays_on_screen(report):
    ws = load_workbook(report)["Portfolio"]
    assert [c.value for c in ws[1]] == [*PRINTED, *ON_SCREEN]
    assert list(PRINTED)[-3:] == ["Review on", "Open remediations", "SOW"]
    assert ws.print_area == f"'Portfolio'!$A$1:${get_column_letter(len(PRINTED))}${ws.max_row}"


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_what_prints_is_8_points_or_more_fitted_to_a_landscape_page(report, paper):
    """It printed 27 columns at 3.6 points. Excel's arithmetic (`printed_size`): the Portfolio's printed
    columns, 169 characters wide, are 928.5 points at 10 points: fitted to Letter's 756 points (A4's 805.9) less
    the margins, 8.1 points (8.7). The Remediations and Principles sheets print larger."""
    book = load_workbook(report)
    portfolio = _sheet_widths(book["Portfolio"], len(PRINTED))
    assert sum(portfolio) == 169
    assert printed_size(portfolio, paper) >= 8.0
    assert printed_size(_sheet_widths(book["Remediations"], 11), paper) >= 8.0
    # Eleven principles (the RDE-1 rubric's) are still a narrow sheet: printed at full size.
    assert printed_size(_sheet_widths(book["Principles"], 3) + [5.5] * 11, paper) == 10.0


def test_a_refusal_has_a_review_date_and_no_validity(tmp_path):
    """One column "Valid until" held both: a refusal's date to look again showed as its validity."""
    refused = _row("Refused Ltd", "not_qualified").model_copy(update={"valid_until": None,
                                                                       "review_on": dt.date(2027, 2, 23)})
    out = write_portfolio(iter([_row("Kept Ltd"), refused]), tmp_path / "p.xlsx", [], [])
    ws = load_workbook(out)["Portfolio"]
    header = [c.value for c in ws[1]]
    kept, no = ([ws.cell(row=r, column=header.index(t) + 1).value for t in ("Valid until", "Review on")]
                for r in (2, 3))
    assert kept[0].date() == dt.date(2027, 11, 23) and kept[1] is None
    assert no[0] is None and no[1].date() == dt.date(2027, 2, 23)
    assert ws.cell(row=3, column=header.index("Review on") + 1).number_format == "yyyy-mm-dd"


def _status(**update) -> VendorStatus:
    fields = {"vendor": "A Ltd", "vendor_id": "v-1", "status": "qualified", "decision": "qualified",
              "assessed_decision": "qualified", "assessment_id": "a-1", "submission_id": "s-1",
              "assessed_on": dt.date(2026, 11, 23)}
    return VendorStatus(**(fields | update))


@pytest.mark.parametrize(("stored", "shown"), [
    ("/srv/fairsource/sows/a-ltd-2026-11-23-1f2e3d4c.docx", "a-ltd-2026-11-23-1f2e3d4c.docx"),
    (".fairsource/sows/a-ltd-2026-11-23-1f2e3d4c.docx", "a-ltd-2026-11-23-1f2e3d4c.docx"),
    ("D:\\fairsource\\sows\\a-ltd.docx", "a-ltd.docx"),
    (None, None),
])
def test_the_row_names_the_sow_file_and_takes_its_dates_from_the_status(stored, shown):
    """The SOW column showed the server's path; the dates follow the status (a reviewer's refusal included)."""
    vendor = types.SimpleNamespace(id="v-1", name="A Ltd")
    assessment = types.SimpleNamespace(
        decision="conditional", score=70.0, geo_band="medium", data={"geo": {"score": 31.0}, "flags": ["x_y"]},
        valid_until=dt.date(2027, 5, 23), assessed_on=dt.date(2026, 11, 23), rubric_version="r",
        country_data_version="c", id="a-1")
    row = portfolio_row(vendor, assessment, _status(sow=stored, valid_until=dt.date(2027, 5, 23)))
    assert row.sow == shown and row.valid_until == dt.date(2027, 5, 23) and row.review_on is None
    refused = portfolio_row(vendor, assessment, _status(status="not_qualified", decision="not_qualified",
                                                        review_on=dt.date(2027, 2, 23)))
    assert refused.valid_until is None and refused.review_on == dt.date(2027, 2, 23) and refused.sow is None


PAGE_SIZES = {"a4": (841.89, 595.3), "letter": (792.0, 612.0)}  # landscape, points
PDF_TOOLS = all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    """The demo's six vendors through the real intake (as docs/render.py takes them), and their portfolio
    written for A4 and for Letter."""
    from flows import usecases
    from supplier_models import Settings, Store, read_workbook
    from supplier_models.workbooks.examples import EXAMPLES, write_example

    work = tmp_path_factory.mktemp("demo")
    day = dt.date(2026, 11, 23)
    settings = Settings(home=work / "home", database_url=f"sqlite:///{work / 'fairsource.db'}", policy_file=None,
                        country_data=None, organisation="", sow_template=None, review_policy=None, smtp_url=None,
                        _env_file=None)
    store = Store(settings.url)
    try:
        inputs = usecases.load_inputs(settings)
        for path in [write_example(v, work / "returned") for v in EXAMPLES]:
            usecases.intake_one(read_workbook(path), store, inputs, day, settings.sow_dir, received_on=day)
    finally:
        store.close()
    return {paper: Path(usecases.write_report(settings, str(work / f"portfolio-{paper}.xlsx"), day, paper=paper))
            for paper in PAGE_SIZES}


def test_the_demo_portfolio_shows_dates_apart_and_sow_file_names(demo):
    ws = load_workbook(demo["a4"])["Portfolio"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 6
    refused = {name for name, r in rows.items() if r["Decision"] == "not_qualified"}
    assert refused and all(rows[n]["Review on"] and rows[n]["Valid until"] is None and not rows[n]["SOW"]
                           for n in refused)
    kept = set(rows) - refused
    assert all(rows[n]["Valid until"] and rows[n]["Review on"] is None for n in kept)
    sows = [rows[n]["SOW"] for n in kept if rows[n]["SOW"]]
    assert sows and all(s.endswith(".docx") and "/" not in s and "\\" not in s for s in sows)


def _text_sizes(pdf: Path) -> set[float]:
    """The font sizes the PDF's text is set in (LibreOffice writes each run with `/F1 8.0 Tf` in a Flate
    stream, at the size it prints: a fitted sheet's text is already scaled)."""
    data, sizes = pdf.read_bytes(), set()
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            content = zlib.decompress(stream[1])
        except zlib.error:
            continue
        sizes |= {float(size) for size in re.findall(rb"([\d.]+) Tf", content)}
    return sizes


@pytest.mark.skipif(not CALC_INSTALLED or not PDF_TOOLS,
                    reason="LibreOffice Calc or poppler (pdfinfo, pdftotext) is not installed")
def test_the_demo_portfolio_prints_one_page_wide_at_8_points_on_a4_and_letter(demo, tmp_path):
    """What LibreOffice prints: every page of the paper asked for, landscape; every Portfolio page has the
    first and the last printed column (one page wide) and none of the screen-only ones; no text under 8
    points (seen: 8.0 on Letter, 8.5 on A4; it was 3.6)."""
    staged = [shutil.copyfile(path, tmp_path / path.name) for path in demo.values()]
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, staged)], check=True, capture_output=True, timeout=180)
    for paper, (width, height) in PAGE_SIZES.items():
        pdf = tmp_path / f"portfolio-{paper}.pdf"
        info = subprocess.run(["pdfinfo", "-l", "99", str(pdf)], capture_output=True, text=True, check=True).stdout
        sizes = [tuple(map(float, m)) for m in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", info)]
        assert sizes and all(abs(w - width) < 1 and abs(h - height) < 1 for w, h in sizes), (paper, sizes)
        pages = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                capture_output=True, text=True, check=True).stdout for n in range(1, len(sizes) + 1)]
        portfolio = [page for page in pages if "Portfolio, page" in page]
        assert portfolio and len(portfolio) < len(pages), paper  # the other sheets print on pages of their own
        for page in portfolio:
            assert "Vendor" in page and "SOW" in page, paper
            assert "Assessment id" not in page and "Rubric" not in page, paper
        assert min(_text_sizes(pdf)) >= 7.95, (paper, sorted(_text_sizes(pdf)))
