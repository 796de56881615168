"""The portfolio workbook: streamed, styled, and never a place where vendor text becomes a formula."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from supplier_models.report import PortfolioRow, write_portfolio

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]
CALC_INSTALLED = shutil.which("soffice") is not None and Path("/usr/lib/libreoffice/program/libsclo.so").exists()


def _row(name: str, decision: str = "qualified") -> PortfolioRow:
    return PortfolioRow(vendor=name, vendor_id="v-1", decision=decision, score=81.25, principles={"fair_pay": 90.0},
                        geo_band="medium", geo_score=31.04, flags=["living_wage_unverified"], knockouts=[],
                        valid_until=dt.date(2027, 11, 23), assessed_on=dt.date(2026, 11, 23),
                        open_remediations=["-raise pay in KE", "=pay weekly"], sow=None, rubric_version="r 1",
                        country_data_version="2026.11-1", assessment_id="a-1", status=decision)


@pytest.fixture
def report(tmp_path) -> Path:
    rows = [_row(name) for name in HOSTILE] + [_row("Plain Vendor Ltd", "not_qualified")]
    return write_portfolio(iter(rows), tmp_path / "portfolio.xlsx", ["fair_pay", "pilot"])


def test_formula_like_text_stays_text(report):
    ws = load_workbook(report)["Portfolio"]
    names = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in names] == [*HOSTILE, "Plain Vendor Ltd"]
    for cell in names[:-1]:
        assert cell.data_type == "s" and cell.quotePrefix
    remediation = ws.cell(row=2, column=[c.value for c in ws[1]].index("Open remediations") + 1)
    assert remediation.data_type == "s" and remediation.value == "-raise pay in KE\n=pay weekly"


def test_layout_header_filter_colours_and_types(report):
    ws = load_workbook(report)["Portfolio"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Vendor", "Decision", "Status", "Score", "Fair pay", "Pilot"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:R{len(HOSTILE) + 2}"
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
    assert names == [*HOSTILE, "Plain Vendor Ltd"]
