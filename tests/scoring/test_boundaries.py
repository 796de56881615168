"""Every decision threshold and date at its boundary: at it, just below it, just above it.

The thresholds are the rubric's (docs/scoring.md, "Decision and validity": qualified needs overall >= 75 and
every principle >= 50; `not_qualified_below` refuses a score below it). To put a threshold exactly on a vendor's
score, the tests move the threshold (a copy of the shipped rubric) rather than the score.
"""

import datetime as dt

import pytest

from scoring import assess, load_rubric
from scoring.decision import add_months
from scoring.rubric import DecisionThresholds, QualifiedThresholds
from supplier_models.policy import LivingWage, OrgPolicy
from supplier_models.reference_data import load_country_reference
from tests.helpers.scoring_inputs import AS_OF, make

RUBRIC = load_rubric()
# PAY-06 monthly (3 of 5) and WORK-04 44 hours (8 of 10), the rest full marks:
# fair_pay 43 / 45 = 95.6; worker_selection 33 / 35 = 94.3; the seven other applicable principles 100.
# Overall = (20 x 95.6 + 12 x 94.3 + 100 x (6 + 8 + 10 + 8 + 8 + 4 + 4)) / 80 = 7843.6 / 80 = 98.0.
NEAR = {"PAY-06": "Monthly", "WORK-04": 44}


def rubric(not_qualified_below=None, **qualified):
    decision = DecisionThresholds(qualified=QualifiedThresholds(**qualified), not_qualified_below=not_qualified_below)
    return RUBRIC.model_copy(update={"decision": decision})


def test_the_vendor_the_thresholds_are_moved_to():
    d = assess(make(NEAR), as_of=AS_OF)
    assert d.score == 98.0
    assert (d.principles["fair_pay"], d.principles["worker_selection"]) == (95.6, 94.3)
    assert d.decision == "qualified"


@pytest.mark.parametrize(("min_overall", "decision"), [(97.9, "qualified"), (98.0, "qualified"),
                                                       (98.1, "conditional")])
def test_min_overall_is_inclusive(min_overall, decision):
    d = assess(make(NEAR), rubric=rubric(min_overall=min_overall), as_of=AS_OF)
    assert d.decision == decision
    if decision == "conditional":
        assert d.reasons[0] == "Conditional: the overall score 98 is below 98.1."


@pytest.mark.parametrize(("min_principle", "decision"), [(94.2, "qualified"), (94.3, "qualified"),
                                                         (94.4, "conditional")])
def test_min_principle_is_inclusive(min_principle, decision):
    d = assess(make(NEAR), rubric=rubric(min_principle=min_principle), as_of=AS_OF)
    assert d.decision == decision
    if decision == "conditional":
        assert d.reasons[0] == "Conditional: principle scores below 94.4: worker_selection 94.3."


@pytest.mark.parametrize(("floor", "decision"), [(97.9, "qualified"), (98.0, "qualified"),
                                                 (98.1, "not_qualified")])
def test_not_qualified_below_is_exclusive(floor, decision):
    d = assess(make(NEAR), rubric=rubric(not_qualified_below=floor), as_of=AS_OF)
    assert d.decision == decision
    if decision == "not_qualified":
        assert not d.knockouts
        assert d.reasons[0] == ("Overall score 98 is below 98.1, the rubric's floor for a conditional "
                                "qualification.")


def test_qualified_reason_names_the_thresholds_met():
    d = assess(make(NEAR), as_of=AS_OF)
    assert d.reasons[0] == ("Qualified: overall score 98 (needs 75), every principle at 50 or more, geographic "
                            "risk low, no high-priority remediation open.")


DE_LIVING = OrgPolicy(version="lw", living_wages={
    "DE": LivingWage(iso2="DE", hourly=20, currency="EUR", source="WageIndicator 2026", as_of="2026-07-01")})


def test_pay_below_the_living_wage_alone_makes_a_vendor_conditional():
    # High-priority remediations allowed, so the open pay_declaration_mismatch fix blocks nothing: the only
    # thing between this vendor and `qualified` is its pay below the living wage (README: "at best conditional").
    lenient = rubric(allow_open_high_priority_remediation=True)
    d = assess(make(countries=(("DE", 100, "19.99", "EUR"),)), rubric=lenient, policy=DE_LIVING, as_of=AS_OF)
    assert d.decision == "conditional"
    assert d.reasons[0] == "Conditional: pay is below the organisation's living wage in DE."
    allowed = rubric(allow_open_high_priority_remediation=True, allow_pay_below_living_wage=True)
    d = assess(make(countries=(("DE", 100, "19.99", "EUR"),)), rubric=allowed, policy=DE_LIVING, as_of=AS_OF)
    assert d.decision == "qualified"


def test_open_high_priority_remediation_alone_makes_a_vendor_conditional():
    d = assess(make({"PAY-04": "No"}), as_of=AS_OF)  # 98.9 overall, but unpaid training: a high-priority fix
    assert d.decision == "conditional"
    assert d.reasons[0] == "Conditional: 1 high-priority remediation is open (PAY-04)."
    d = assess(make({"PAY-04": "No", "PAY-07": "No", "WORK-03": "No"}), as_of=AS_OF)
    assert "2 high-priority remediations are open (PAY-04, WORK-03)" in d.reasons[0]  # PAY-07's is normal
    d = assess(make({"PAY-04": "No"}), rubric=rubric(allow_open_high_priority_remediation=True), as_of=AS_OF)
    assert d.decision == "qualified"


@pytest.mark.parametrize(("max_band", "decision"), [("low", "conditional"), ("medium", "qualified")])
def test_geo_band_at_the_threshold(max_band, decision):
    d = assess(make(countries=(("CO", 100, 9000, "COP"),)), rubric=rubric(max_geo_band=max_band), as_of=AS_OF)
    assert d.geo.band == "medium" and d.decision == decision
    if decision == "conditional":
        assert d.reasons[0] == "Conditional: geographic risk is medium in CO (42.9)."


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 11, 23), 0, dt.date(2026, 11, 23)),
    (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),     # across the year's end
    (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),     # across it and clamped to February's end
    (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),     # a leap year
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2026, 6, 30), 18, dt.date(2027, 12, 30)),
    (dt.date(2026, 1, 15), 11, dt.date(2026, 12, 15)),    # December, not the next year's January
    (dt.date(2026, 1, 15), 12, dt.date(2027, 1, 15)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


NO_CERT = {"DATA-02": None}


@pytest.mark.parametrize(("changes", "as_of", "decision", "until"), [
    (NO_CERT, dt.date(2026, 11, 30), "qualified", dt.date(2027, 11, 30)),                     # 12 months
    ({**NO_CERT, "PAY-04": "No"}, dt.date(2026, 8, 31), "conditional", dt.date(2027, 2, 28)),  # 6, clamped
    ({**NO_CERT, "PAY-05": "Yes"}, dt.date(2026, 11, 30), "not_qualified", dt.date(2027, 2, 28)),  # 3
])
def test_validity_months_across_the_year_end(changes, as_of, decision, until):
    d = assess(make(changes), as_of=as_of)
    assert (d.decision, d.valid_until, d.assessed_on) == (decision, until, as_of)
    assert not [r for r in d.reasons if r.startswith(("Valid until", "The certification"))]


@pytest.mark.parametrize(("expiry", "until", "expired"), [
    (AS_OF - dt.timedelta(days=1), dt.date(2026, 12, 23), True),   # expired: holds until the fix is due
    (AS_OF, dt.date(2026, 12, 23), True),                          # expiring today is expired
    (AS_OF + dt.timedelta(days=1), AS_OF, False),                  # the day before expiry is today
    (AS_OF + dt.timedelta(days=2), AS_OF + dt.timedelta(days=1), False),
])
def test_certificate_expiring_around_the_assessment_date(expiry, until, expired):
    d = assess(make({"DATA-02": expiry}), as_of=AS_OF)
    assert d.valid_until == until
    assert ("certification_expired" in d.flags) is expired
    fixes = [r for r in d.remediations if r.rule == "certification_expired"]
    if expired:
        assert d.decision == "conditional"  # a high-priority fix is open
        [fix] = fixes
        assert (fix.question, fix.priority, fix.due_date, fix.answer) == ("DATA-02", "high", until,
                                                                         expiry.isoformat())
        assert f"expired on {expiry.isoformat()}" in fix.action
        assert d.reasons[-1] == (f"The certification expired on {expiry.isoformat()} (DATA-02): valid only until "
                                 f"{until.isoformat()}, when renewed evidence is due.")
    else:
        assert d.decision == "qualified" and not fixes
        assert d.reasons[-1] == (f"Valid until {until.isoformat()}, before the certification expires "
                                 f"({expiry.isoformat()}, DATA-02).")


@pytest.mark.parametrize(("expiry", "until", "capped"), [
    (dt.date(2027, 11, 23), dt.date(2027, 11, 22), True),   # cap one day before the 12 months: capped
    (dt.date(2027, 11, 24), dt.date(2027, 11, 23), False),  # cap on the 12 months' last day: no reason needed
    (dt.date(2027, 11, 25), dt.date(2027, 11, 23), False),
])
def test_certificate_cap_against_the_validity(expiry, until, capped):
    d = assess(make({"DATA-02": expiry}), as_of=AS_OF)
    assert d.valid_until == until
    assert any(r.startswith("Valid until") for r in d.reasons) is capped


def test_margin_days_come_from_the_rubric():
    wide = RUBRIC.model_copy(update={"validity": RUBRIC.validity.model_copy(update={"certification_margin_days": 10})})
    d = assess(make({"DATA-02": dt.date(2027, 9, 30)}), rubric=wide, as_of=AS_OF)
    assert d.valid_until == dt.date(2027, 9, 20)


def test_every_blocker_is_named_in_one_reason():
    # pilot 0 of 13; communication COMM-02 5 + COMM-04 3 = 8 of 23 = 34.8; overall (10 x 34.8 + 100 x 64) / 80 =
    # 84.35, above 75. UA has an ongoing war, AQ no data: both high. COMM-03's fix is the one high-priority fix.
    no = {q: "No" for q in ("PILOT-01", "PILOT-02", "PILOT-03", "COMM-01", "COMM-03", "COMM-05")}
    d = assess(make(no, countries=(("UA", 50, 100, "UAH"), ("AQ", 50, 5, "USD"))), as_of=AS_OF)
    assert d.reasons[0] == ("Conditional: principle scores below 50: pilot 0, communication 34.8; geographic risk is "
                            "high in UA (active_war), AQ (no_reference_data); 1 high-priority remediation is open "
                            "(COMM-03).")


def test_only_the_countries_above_the_band_threshold_are_named():
    d = assess(make(countries=(("UA", 50, 100, "UAH"), ("CO", 50, 9000, "COP"))), as_of=AS_OF)
    assert d.reasons[0] == "Conditional: geographic risk is high in UA (active_war)."  # CO is medium: allowed


def test_every_flag_and_country_is_named_in_the_blockers():
    from supplier_models.reference_data import War
    va = load_country_reference().get("VA")
    at_war = va.model_copy(update={"wars": (War(conflict="w", ongoing=True, start_year=2025),)})
    ref = load_country_reference()
    ref = ref.model_copy(update={"countries": {**ref.countries, "XV": at_war}})
    d = assess(make(countries=(("XV", 100, 5, "EUR"),)), reference=ref, as_of=AS_OF)
    assert d.reasons[0].startswith("Conditional: geographic risk is high in XV (active_war, no_reference_data)")


def test_open_high_priority_fixes_are_named_by_question_or_country():
    both = OrgPolicy(version="lw", living_wages={
        **DE_LIVING.living_wages,
        "PT": LivingWage(iso2="PT", hourly=12, currency="EUR", source="s", as_of="2026-07-01")})
    allowed = rubric(allow_pay_below_living_wage=True)
    d = assess(make({"PAY-02": "No"}, countries=(("DE", 50, "19.99", "EUR"), ("PT", 50, 11, "EUR"))),
               rubric=allowed, policy=both, as_of=AS_OF)
    assert d.reasons[0] == "Conditional: 3 high-priority remediations are open (PAY-02, DE, PT)."
    strict = assess(make({"PAY-02": "No"}, countries=(("DE", 50, "19.99", "EUR"), ("PT", 50, 11, "EUR"))),
                    rubric=rubric(allow_open_high_priority_remediation=True), policy=both, as_of=AS_OF)
    assert strict.reasons[0] == "Conditional: pay is below the organisation's living wage in DE, PT."
