"""The organisation's policy workbook: written blank, filled with openpyxl, read back and validated."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from scoring import assess
from supplier_models.errors import FairsourceError, WorkbookRejected
from supplier_models.policy import OrgPolicy
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.policy_workbook import read_policy, write_blank_policy
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
    assert load_workbook(path).sheetnames[1:] == ["Prohibited countries", "Score overrides", "Living wages"]
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
