"""Each bundled example vendor gets the decision its story calls for, read from a real workbook."""

import datetime as dt
from decimal import Decimal

import pytest

from scoring import assess
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.reader import read_workbook

AS_OF = dt.date(2026, 11, 23)


class _Decisions:
    """Each example's decision, assessed when a test asks for it: inside that test, so that a tool tracing which
    test runs which code (mutmut, docs/mutation.md) links every test to the scoring it exercises."""

    def __init__(self, workbooks):
        self.workbooks = workbooks

    def __getitem__(self, name):
        return assess(read_workbook(self.workbooks[name]), as_of=AS_OF)


@pytest.fixture
def decisions(example_workbooks):
    return _Decisions(example_workbooks)


@pytest.mark.parametrize("vendor", EXAMPLES, ids=lambda v: v.slug)
def test_example_gets_its_expected_decision(vendor, decisions):
    decision = decisions[vendor.name]
    assert decision.decision == vendor.expected_decision, decision.reasons
    assert 0 <= decision.score <= 100
    assert decision.reasons
    assert decision.rubric_version == "RDE-1-rubric v1.0.0"
    assert decision.country_data_version == "2026.11-1"


def test_strong_vendor_is_qualified_until_before_its_certificate_expires(decisions):
    d = decisions["Lumen Data Services GmbH"]
    assert d.valid_until == dt.date(2027, 9, 29)  # 12 months would be 2027-11-23; DATA-02 is 2027-09-30
    assert "informed_consent" not in d.principles and "informed_consent" in d.principles_not_applicable
    assert {c.iso2: c.band for c in d.geo.countries} == {"DE": "low", "PT": "low", "ZA": "medium"}


def test_conditional_vendor_has_dated_remediations(decisions):
    d = decisions["Brightlabel Solutions Inc."]
    assert d.valid_until == dt.date(2027, 5, 23)
    assert d.score < 75
    assert {r.question for r in d.remediations} >= {"PILOT-01", "COMM-03", "DATA-01", "PAY-06"}
    for r in d.remediations:
        assert r.due_date == AS_OF + dt.timedelta(days=r.due_in_days)


def test_fee_charging_vendor_is_knocked_out(decisions):
    d = decisions["QuickTask Crowd Ltd"]
    assert [k.rule for k in d.knockouts] == ["recruitment_fee"]
    assert d.valid_until == dt.date(2027, 2, 23)


def test_war_country_vendor_is_conditional_not_rejected(decisions):
    d = decisions["Frontier Language Services LLC"]
    assert d.geo.band == "high" and not d.knockouts
    ua = next(c for c in d.geo.countries if c.iso2 == "UA")
    assert "active_war" in ua.flags
    assert any(r.country == "UA" for r in d.remediations)


def test_collection_vendor_flags_unsafe_gender_question(decisions):
    d = decisions["Savanna Voices Collection Ltd"]
    assert {c.iso2 for c in d.geo.countries if "gender_question_unsafe" in c.flags} == {"KE", "GH"}
    assert d.principles["informed_consent"] == 100
    assert d.principles["vulnerable_groups"] == 100


def test_below_minimum_wage_vendor_is_knocked_out_with_mismatch(decisions):
    d = decisions["Cheapmark Data Pvt Ltd"]
    assert [k.rule for k in d.knockouts] == ["below_minimum_wage"]
    assert "pay_declaration_mismatch" in d.flags
    india = d.geo.countries[0]
    assert india.pay.status == "below_minimum_wage"
    assert india.pay.statutory_minimum_hourly == Decimal("26.70")  # 4628 INR / 173.33 h


def test_explanation_names_every_source_and_date(decisions):
    d = decisions["Savanna Voices Collection Ltd"]
    assert all(c.source for c in d.explanation)
    answered = [c for c in d.explanation if c.question]
    assert {c.question for c in answered} >= {"PAY-01", "CONS-01", "DEMO-01", "VULN-02"}
    assert all(c.as_of for c in answered)
    geo_lines = [c for c in d.explanation if c.rule.startswith(("wgi.", "war.", "legal."))]
    assert geo_lines and all(c.as_of for c in geo_lines)


def test_same_inputs_same_decision(tmp_path):
    vendor = EXAMPLES[1]
    sub = read_workbook(write_example(vendor, tmp_path))
    assert assess(sub, as_of=AS_OF) == assess(sub, as_of=AS_OF)
