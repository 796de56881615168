"""The organisation's policy workbook: written blank, filled with openpyxl, read back and validated."""

import datetime as dt
import hashlib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scoring import assess
from supplier_models.errors import FairsourceError, WorkbookRejected
from supplier_models.policy import OrgPolicy
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.policy_workbook import INSTRUCTIONS, read_policy, write_blank_policy
from supplier_models.workbooks.portfolio import LINE_HEIGHT, PAPER_SIZES, printed_size
from supplier_models.workbooks.reader import read_workbook


def fill(path, prohibited=(), overrides=(), living=()):
    wb = load_workbook(path)
    for sheet, rows in (("Prohibited countries", prohibited), ("Score overrides", overrides),
                        ("Living wages", living)):
        for r in rows:
            wb[sheet].append(list(r))
    wb.save(path)
    return path


def test_blank_policy_reads_as_empty(tmp_path):
    path = write_blank_policy(tmp_path / "policy.xlsx")
    assert load_workbook(path).sheetnames[1:] == ["Prohibited countries", "Score overrides", "Living wages",
                                                  "Framework minimums"]
    policy = read_policy(path)
    assert (policy.prohibited, policy.overrides, policy.living_wages) == ({}, {}, {})
    assert policy.version == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert OrgPolicy().version is None


def test_filled_policy_round_trips(tmp_path):
    path = fill(write_blank_policy(tmp_path / "p.xlsx"),
                prohibited=[("Russia", "sanctions")],
                overrides=[("KE", 25, "own audit 2026"), ("Germany", "Medium", "works council")],
                living=[("Kenya", 180, "KES", "WageIndicator", dt.date(2026, 7, 1)),
                        ("BG", "6.5", "EUR", "own study", "2026-09-01")])
    p = read_policy(path)
    assert p.prohibited["RU"].reason == "sanctions"
    assert p.overrides["KE"].score == 25 and p.overrides["DE"].band == "medium"
    assert p.living_wages["KE"].hourly == Decimal("180") and p.living_wages["KE"].as_of == "2026-07-01"
    assert p.living_wages["BG"].currency == "EUR"


def test_every_problem_is_reported_with_its_cell(tmp_path):
    path = fill(write_blank_policy(tmp_path / "p.xlsx"),
                prohibited=[("Atlantis", "myth"), ("KE", None)],
                overrides=[("KE", 150, "too high"), ("GH", "low", None), ("KE", "high", "duplicate")],
                living=[("KE", -3, "USD", None, "yesterday")])
    with pytest.raises(WorkbookRejected) as info:
        read_policy(path)
    cells = {p.cell: p.message for p in info.value.problems}
    assert "not a country" in cells["Prohibited countries!A2"]
    assert "reason is required" in cells["Prohibited countries!B3"]
    assert "neither a score from 0 to 100" in cells["Score overrides!B2"]
    assert "reason" in cells["Score overrides!C3"]
    assert "already listed on row 2" in cells["Score overrides!A4"]
    assert "positive number" in cells["Living wages!B2"]
    assert "USD is not a currency of Kenya" in cells["Living wages!C2"]
    assert "source" in cells["Living wages!D2"]
    assert "not a date" in cells["Living wages!E2"]
    assert isinstance(info.value, FairsourceError)


def test_formulas_are_refused(tmp_path):
    path = fill(write_blank_policy(tmp_path / "p.xlsx"), living=[("KE", "=100*2", "KES", "x", "2026-01-01")])
    with pytest.raises(WorkbookRejected) as info:
        read_policy(path)
    assert info.value.problems[0].cell == "Living wages!B2"
    assert "Formulas" in info.value.problems[0].message


def test_missing_sheet_and_bad_header(tmp_path):
    path = write_blank_policy(tmp_path / "p.xlsx")
    wb = load_workbook(path)
    del wb["Living wages"]
    wb["Score overrides"]["C1"] = "Why"
    wb.save(path)
    with pytest.raises(WorkbookRejected) as info:
        read_policy(path)
    cells = {p.cell for p in info.value.problems}
    assert {"Living wages", "Score overrides!A1"} <= cells


def test_not_a_workbook(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_text("hello")
    with pytest.raises(WorkbookRejected):
        read_policy(path)


def test_policy_changes_the_decision(tmp_path):
    """Prohibited => not_qualified; living wage above pay => conditional naming the country and floor."""
    savanna = next(v for v in EXAMPLES if v.name.startswith("Savanna"))
    sub = read_workbook(write_example(savanna, tmp_path))
    as_of = dt.date(2026, 11, 23)
    assert assess(sub, as_of=as_of).decision == "qualified"

    prohibit = read_policy(fill(write_blank_policy(tmp_path / "a.xlsx"), prohibited=[("GH", "policy 7.2")]))
    d = assess(sub, policy=prohibit, as_of=as_of)
    assert d.decision == "not_qualified" and d.knockouts[0].rule == "prohibited_country"
    assert d.policy_version == prohibit.version

    living = read_policy(fill(write_blank_policy(tmp_path / "b.xlsx"),
                              living=[("GH", "12.50", "GHS", "Anker 2025", "2025-10-01")]))
    d = assess(sub, policy=living, as_of=as_of)
    assert d.decision == "conditional"
    fix = next(r for r in d.remediations if r.rule == "below_living_wage")
    assert fix.country == "GH" and "Ghana" in fix.action and "12.50 GHS" in fix.action

    override = read_policy(fill(write_blank_policy(tmp_path / "c.xlsx"),
                                overrides=[("KE", "high", "election period security advice")]))
    d = assess(sub, policy=override, as_of=as_of)
    assert d.decision == "conditional" and d.geo.band == "high"
    assert any("election period" in c.note for c in d.explanation)


@pytest.mark.parametrize("paper", [None, "a4", "letter"])
def test_every_sheet_prints_landscape_one_page_wide_with_its_header(tmp_path, paper):
    """It printed as 7 portrait pages, the instructions' lines over each other."""
    book = load_workbook(write_blank_policy(tmp_path / "p.xlsx", paper=paper))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.page_setup.paperSize == (PAPER_SIZES[paper] if paper else None), ws.title
        assert ws.oddFooter.center.text == f"{ws.title}, page &P of &N"
        widths = [d.width for d in ws.column_dimensions.values()]
        assert printed_size(widths, "letter") == 10.0, ws.title  # every sheet fits a page at full size
        if ws.title == "Instructions":
            assert ws.print_title_rows is None
            continue
        assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every page
        # The header and every column wrap: a reason typed in later wraps too, in Excel
        assert all(c.alignment.wrap_text for c in ws[1]), ws.title
        assert all(d.alignment.wrap_text for d in ws.column_dimensions.values()), ws.title


def test_the_instructions_wrap_in_rows_tall_enough(tmp_path):
    ws = load_workbook(write_blank_policy(tmp_path / "p.xlsx"))["Instructions"]
    rows = {c.value: c for c in ws["A"] if c.value}
    assert list(rows)[1:] == list(INSTRUCTIONS)
    for line in INSTRUCTIONS:
        cell = rows[line]
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        lines = 2 if len(line) > 110 else 1  # the column holds about 120 characters a line
        assert ws.row_dimensions[cell.row].height >= lines * LINE_HEIGHT, line


CALC = shutil.which("soffice") is not None and Path("/usr/lib/libreoffice/program/libsclo.so").exists()


@pytest.mark.skipif(not CALC or not shutil.which("pdfinfo"), reason="LibreOffice Calc or pdfinfo is not installed")
@pytest.mark.parametrize(("paper", "size"), [("a4", "841.89 x 595.3"), ("letter", "792 x 612")])
def test_libreoffice_prints_a_landscape_page_a_sheet(tmp_path, paper, size):
    path = write_blank_policy(tmp_path / "policy.xlsx", paper=paper)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", "-l", "9", str(tmp_path / "policy.pdf")], capture_output=True, text=True,
                          check=True).stdout
    assert "Pages:           5" in info
    sizes = [line.split(":", 1)[1].split("pts")[0].strip() for line in info.splitlines()
             if line.startswith("Page ") and " size:" in line]
    assert len(sizes) == 5 and all(s.startswith(size) for s in sizes), sizes
