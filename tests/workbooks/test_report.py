"""The portfolio workbook: streamed, styled, and never a place where vendor text becomes a formula."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from supplier_models.workbooks.portfolio import PortfolioRow, RemediationLine, write_portfolio

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
    ws = load_workbook(report)["Portfolio"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Vendor", "Decision", "Status", "Score", "Fair pay", "Pilot"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:R{len(HOSTILE) + 3}"
    last = ws.max_row
    assert ws.cell(row=2, column=2).fill.fgColor.rgb.endswith("C6EFCE")  # qualified: green
    assert ws.cell(row=last, column=2).fill.fgColor.rgb.endswith("FFC7CE")  # not qualified: red
    assert ws.cell(row=2, column=3).value == "qualified"  # the lifecycle status
    assert ws.cell(row=2, column=4).value == round(81.25, 1)
    assert ws.cell(row=2, column=6).value is None  # a principle that did not apply
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
