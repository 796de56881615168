"""Every knockout of docs/design.md ("Scoring and the decision rules") gives not_qualified, and nothing else does."""


import pytest

from scoring import assess
from supplier_models.policy import OrgPolicy, ProhibitedCountry
from supplier_models.workbooks.examples import CONSENT_YES
from tests.helpers.scoring_inputs import AS_OF, COLLECTING, make


@pytest.mark.parametrize(("changes", "rule", "question"), [
    ({"PAY-05": "Yes"}, "recruitment_fee", "PAY-05"),
    ({"WORK-01": "No"}, "underage_workers", "WORK-01"),
    ({"COMP-03": COLLECTING, **CONSENT_YES, "CONS-01": "No"}, "no_informed_consent", "CONS-01"),
    ({"VULN-01": "Yes", "VULN-02": "No", "VULN-03": "Yes"}, "no_ethics_review_vulnerable", "VULN-02"),
])
def test_answer_knockouts(changes, rule, question):
    d = assess(make(changes), as_of=AS_OF)
    assert d.decision == "not_qualified"
    assert [(k.rule, k.question) for k in d.knockouts] == [(rule, question)]
    assert d.knockouts[0].reason
    assert any(rule in r for r in d.reasons)


@pytest.mark.parametrize("changes", [
    {"CONS-01": "No"},                                  # not collecting data: CONS-01 is optional
    {"VULN-01": "No", "VULN-02": "No"},                 # no vulnerable groups: no review needed
])
def test_conditional_knockouts_need_their_condition(changes):
    d = assess(make(changes), as_of=AS_OF)
    assert not d.knockouts
    assert d.decision == "qualified"


def test_pay_below_statutory_minimum_is_a_knockout():
    # Germany: 2343 EUR a month (2026) / 173.33 h = 13.52 EUR an hour
    d = assess(make(countries=(("DE", 100, "13.00", "EUR"),)), as_of=AS_OF)
    assert d.decision == "not_qualified"
    ko = d.knockouts[0]
    assert ko.rule == "below_minimum_wage" and ko.question is None
    assert "13.52 EUR" in ko.reason and "DE" in ko.reason
    assert "pay_declaration_mismatch" in d.flags


def test_prohibited_country_is_a_knockout():
    policy = OrgPolicy(version="abc", prohibited={"PT": ProhibitedCountry(iso2="PT", reason="board decision")})
    d = assess(make(countries=(("DE", 50, 20, "EUR"), ("PT", 50, 10, "EUR"))), policy=policy, as_of=AS_OF)
    assert d.decision == "not_qualified"
    assert [k.rule for k in d.knockouts] == ["prohibited_country"]
    assert "board decision" in d.knockouts[0].reason
    assert d.geo.band == "prohibited"
    assert d.policy_version == "abc"


def test_several_knockouts_are_all_listed():
    d = assess(make({"PAY-05": "Yes", "WORK-01": "No"}, countries=(("DE", 100, 5, "EUR"),)), as_of=AS_OF)
    assert {k.rule for k in d.knockouts} == {"recruitment_fee", "underage_workers", "below_minimum_wage"}
