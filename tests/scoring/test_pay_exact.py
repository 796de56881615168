"""Pay floors and what the countries lead to, each flag and finding on a vendor where it alone decides.

docs/scoring.md "Pay floors": the statutory minimum is ILOSTAT's monthly figure / 173.33 h, below it a knockout;
the organisation's living wage, below it at best conditional; never converted between currencies. README "How a
score is built": the explanation lists every contribution with its rule, points, source and date.
"""

import datetime as dt
from decimal import Decimal

import pytest

from scoring import assess, pay_floor
from supplier_models.policy import LivingWage, OrgPolicy
from supplier_models.reference_data import load_country_reference
from supplier_models.submission import CountryRow
from tests.helpers.scoring_inputs import AS_OF, make

REF = load_country_reference()
DE_LIVING = OrgPolicy(version="lw", living_wages={
    "DE": LivingWage(iso2="DE", hourly=Decimal("20.00"), currency="EUR", source="WageIndicator 2026",
                     as_of="2026-07-01")})
# Germany: 2343 EUR a month (ILOSTAT, 2026) / 173.33 h = 13.517... -> 13.52 EUR an hour.
DE_STATUTORY = ("Statutory minimum 2343 EUR a month (2026) / 173.33 h = 13.52 EUR an hour; lowest pay {pay} EUR "
                "{verdict}.")


def row(iso2, pay, currency="EUR", name=None):
    return CountryRow(iso2=iso2, name=name or iso2, share_pct=Decimal(100), workers=10,
                      lowest_hourly_pay=Decimal(str(pay)), currency=currency, pay_basis="Hourly wage", row=2)


@pytest.mark.parametrize(("pay", "status", "ok"), [("19.99", "below_living_wage", False),
                                                   ("20.00", "meets_living_wage", True),
                                                   ("20.01", "meets_living_wage", True)])
def test_living_wage_is_met_at_exactly_the_figure(pay, status, ok):
    p = pay_floor(row("DE", pay), REF.get("DE"), REF, DE_LIVING)
    assert (p.status, p.statutory_check, p.living_wage_hourly) == (status, "meets", Decimal("20.00"))
    assert p.flags == ([] if ok else ["below_living_wage"])
    assert (p.living_wage_source, p.living_wage_as_of, p.living_wage_currency) == (
        "WageIndicator 2026", "2026-07-01", "EUR")
    verdict = "meets it" if ok else "is below it"
    assert p.note == (DE_STATUTORY.format(pay=pay, verdict="meets it") + " Living wage 20.00 EUR an hour "
                      f"(WageIndicator 2026, 2026-07-01); lowest pay {pay} EUR {verdict}.")


def test_below_the_minimum_outranks_below_the_living_wage():
    p = pay_floor(row("DE", "13.51"), REF.get("DE"), REF, DE_LIVING)
    assert (p.status, p.statutory_check) == ("below_minimum_wage", "below")
    assert p.flags == ["below_minimum_wage"]
    assert p.note.startswith(DE_STATUTORY.format(pay="13.51", verdict="is below it"))
    assert (p.statutory_minimum_hourly, p.statutory_as_of, p.hours_per_month) == (
        Decimal("13.52"), "2026", Decimal("173.33"))
    assert p.statutory_source == ("ILOSTAT EAR_INEE_NOC_NB_A, statutory nominal gross monthly minimum wage, via "
                                  "gabyro23/globeing commit c0a7e417 (minimum_wage_ilostat.csv, country data "
                                  "2026.11-1)")


def test_the_hourly_minimum_is_rounded_half_up_to_the_cent():
    # 2343 EUR / 120 h = 19.525: rounded half up 19.53 (half to even would give 19.52 and let 19.52 pass, a pay
    # below the exact hourly minimum).
    p = pay_floor(row("DE", "19.52"), REF.get("DE"), REF, OrgPolicy(), hours_per_month=Decimal("120"))
    assert (p.statutory_minimum_hourly, p.statutory_check, p.hours_per_month) == (Decimal("19.53"), "below",
                                                                                  Decimal("120"))


def test_pay_exactly_at_the_minimum_meets_it_in_words_too():
    p = pay_floor(row("DE", "13.52"), REF.get("DE"), REF, OrgPolicy())
    assert p.note.startswith(DE_STATUTORY.format(pay="13.52", verdict="meets it"))


def test_every_doubt_about_a_minimum_is_named():
    kh = REF.get("KH")
    flags = ("stale_year", "implausible_usd_lt_20_check_unit_or_currency")
    doubtful = kh.model_copy(update={"minimum_wage": kh.minimum_wage.model_copy(update={"quality_flags": flags})})
    p = pay_floor(row("KH", 1, "KHR", "Cambodia"), doubtful, REF, OrgPolicy())
    assert ("is flagged implausible_usd_lt_20_check_unit_or_currency, stale_year; the statutory check is "
            "unverified.") in p.note


def test_a_minimum_without_its_year_is_dated_by_the_source_file():
    de = REF.get("DE")
    undated = de.model_copy(update={"minimum_wage": de.minimum_wage.model_copy(update={"year": None})})
    p = pay_floor(row("DE", 20), undated, REF, OrgPolicy())
    assert p.statutory_as_of == REF.source("minimum_wage_ilostat.csv").data_year != "2026"


def test_no_country_facts_means_no_statutory_minimum():
    p = pay_floor(row("XK", 5, "EUR", "Nowhere"), None, REF, OrgPolicy())
    assert (p.statutory_check, p.status, p.statutory_minimum_hourly, p.statutory_source) == (
        "no_statutory_minimum", "living_wage_unverified", None, None)
    assert p.flags == ["living_wage_unverified", "no_statutory_minimum_wage"]
    assert p.note == ("ILOSTAT has no statutory minimum wage for Nowhere; the statutory check does not apply. "
                      "The organisation has no living-wage figure for Nowhere.")


def test_currency_is_compared_in_upper_case():
    p = pay_floor(row("DE", "13.51", "eur"), REF.get("DE"), REF, OrgPolicy())
    assert (p.currency, p.status) == ("EUR", "below_minimum_wage")


def test_unverified_notes_say_why():
    bg = pay_floor(row("BG", 1, "EUR", "Bulgaria"), REF.get("BG"), REF, OrgPolicy())
    assert bg.statutory_as_of and bg.statutory_source and bg.statutory_minimum_hourly is None
    assert bg.note.startswith("The statutory minimum for Bulgaria is reported in BGN (")
    assert "but pay is reported in EUR; fairsource does not convert currencies, so the statutory check is " \
           "unverified." in bg.note
    kh = pay_floor(row("KH", 1, "KHR", "Cambodia"), REF.get("KH"), REF, OrgPolicy())
    assert kh.flags == ["living_wage_unverified", "minimum_wage_data_doubtful"]
    assert (kh.statutory_as_of, kh.statutory_minimum_hourly) == ("2024", None)
    assert kh.statutory_source.startswith("ILOSTAT")
    assert kh.note.startswith("The ILOSTAT minimum for Cambodia (") and "; the statutory check is unverified." \
        in kh.note
    other = OrgPolicy(living_wages={"DE": LivingWage(iso2="DE", hourly=Decimal(25), currency="USD", source="s",
                                                     as_of="2026")})
    de = pay_floor(row("DE", 20, "EUR", "Germany"), REF.get("DE"), REF, other)
    assert de.flags == ["living_wage_currency_mismatch", "living_wage_unverified"]
    assert de.living_wage_hourly is None and de.living_wage_currency == "USD"
    assert de.note.endswith("The organisation's living wage for Germany is in USD, pay is reported in EUR; not "
                            "converted, so the living-wage check is unverified.")


def test_the_minimum_wage_knockout_names_country_figures_and_date():
    d = assess(make({"PAY-02": "No"}, countries=(("DE", 100, "13.51", "EUR"),)), as_of=AS_OF)
    [ko] = d.knockouts
    assert (ko.rule, ko.question) == ("below_minimum_wage", None)
    assert ko.source.startswith("ILOSTAT")
    assert ko.reason == ("Lowest pay in DE (13.51 EUR an hour) is below the statutory minimum wage (13.52 EUR an "
                         "hour, 2026).")
    fix = next(r for r in d.remediations if r.rule == "below_minimum_wage")
    assert (fix.country, fix.priority, fix.due_in_days, fix.answer) == ("DE", "high", 30, "13.51 EUR")
    assert fix.due_date == dt.date(2026, 12, 23)  # 2026-11-23 + 30 days
    assert fix.action == ("Raise pay to at least the statutory minimum wage in DE: 13.52 EUR per hour (ILOSTAT, "
                          "2026).")
    assert d.reasons[0] == f"Knockout (below_minimum_wage): {ko.reason}"


def test_below_the_living_wage_raises_a_dated_remediation():
    d = assess(make({"PAY-02": "No"}, countries=(("DE", 100, "19.99", "EUR"),)), policy=DE_LIVING, as_of=AS_OF)
    fix = next(r for r in d.remediations if r.rule == "below_living_wage")
    assert (fix.country, fix.priority, fix.due_date, fix.answer) == ("DE", "high", dt.date(2027, 2, 21),
                                                                     "19.99 EUR")  # + 90 days
    assert fix.action == ("Raise pay to at least the living wage in DE: 20.00 EUR per hour (WageIndicator 2026, "
                          "as of 2026-07-01).")
    assert "pay_declaration_mismatch" not in d.flags and "below_living_wage" in d.flags


def test_the_pay_declaration_mismatch_flags_only_the_countries_below():
    d = assess(make(countries=(("DE", 50, "19.99", "EUR"), ("PT", 50, 10, "EUR"))), policy=DE_LIVING, as_of=AS_OF)
    de, pt = d.geo.countries
    assert "pay_declaration_mismatch" in de.flags and "pay_declaration_mismatch" not in pt.flags
    fix = next(r for r in d.remediations if r.rule == "pay_declaration_mismatch")
    assert (fix.question, fix.country, fix.answer, fix.due_date) == ("PAY-02", None, "Yes", dt.date(2026, 12, 23))
    assert fix.action == "Correct PAY-02: the Countries sheet shows pay below the floor in DE."
    assert "PAY-02 declares living-wage pay everywhere, but the Countries sheet shows pay below the floor." \
        in d.reasons


def test_a_high_risk_country_raises_a_normal_priority_plan_due_in_30_days():
    d = assess(make(countries=(("UA", 100, 100, "UAH"),)), as_of=AS_OF)
    [fix] = [r for r in d.remediations if r.rule == "high_geo_risk"]
    assert (fix.country, fix.priority, fix.due_date, fix.answer) == ("UA", "normal", dt.date(2026, 12, 23), "UA")
    assert fix.action == ("Agree a worker safety and business-continuity plan for UA (geographic risk high: "
                          "active_war).")
    assert d.reasons[0] == "Conditional: geographic risk is high in UA (active_war)."
    sy = assess(make(countries=(("SY", 100, 100, "SYP"),)), as_of=AS_OF)
    assert "(geographic risk high: recent_war)" in next(r.action for r in sy.remediations if r.country == "SY")
    assert sy.reasons[0] == "Conditional: geographic risk is high in SY (86.1)."


def test_a_high_score_alone_is_named_by_its_score():
    d = assess(make(countries=(("VE", 100, 100, "VES"),)), as_of=AS_OF)  # 65.8: no war, data complete
    assert "(geographic risk high: score 65.8)" in next(r.action for r in d.remediations if r.country == "VE")
    assert d.reasons[0] == "Conditional: geographic risk is high in VE (65.8)."


def test_the_same_remediation_twice_is_listed_once():
    d = assess(make(countries=(("UA", 50, 100, "UAH"), ("UA", 50, 100, "UAH"))), as_of=AS_OF)
    assert [r.rule for r in d.remediations] == ["high_geo_risk"]


def test_no_countries_is_flagged_and_high_risk():
    d = assess(make(countries=()), as_of=AS_OF)
    assert "no_countries" in d.flags
    assert (d.geo.score, d.geo.band, d.decision) == (100, "high", "conditional")
    assert "no_countries" not in assess(make(), as_of=AS_OF).flags


def test_a_prohibited_country_is_a_knockout_with_the_reason():
    from supplier_models.policy import ProhibitedCountry
    policy = OrgPolicy(version="p", prohibited={"DE": ProhibitedCountry(iso2="DE", reason="sanctions")})
    d = assess(make(), policy=policy, as_of=AS_OF)
    [ko] = d.knockouts
    assert (ko.rule, ko.source) == ("prohibited_country", policy.label)
    assert ko.reason == "DE is on the organisation's prohibited list: sanctions"


def test_every_answer_line_has_its_rule_points_source_and_date():
    d = assess(make({"PAY-06": "Monthly"}), as_of=AS_OF)
    line = next(c for c in d.explanation if c.question == "PAY-06")
    assert (line.principle, line.answer, line.rule, line.points, line.max_points, line.source, line.as_of) == (
        "fair_pay", "Monthly", "PAY-06:Monthly", 3, 5, "RDE-1-rubric v1.0.0", "2026-11-23")
    fair = next(c for c in d.explanation if c.rule == "principle.fair_pay")
    assert (fair.points, fair.max_points, fair.note) == (95.6, 100, "43 of 45 points; weight 20")
    overall = next(c for c in d.explanation if c.rule == "overall")
    assert (overall.points, overall.max_points, overall.as_of) == (d.score, 100, "2026-11-23")
    statutory = next(c for c in d.explanation if c.rule.startswith("pay.statutory_minimum."))
    assert (statutory.rule, statutory.principle, statutory.as_of) == ("pay.statutory_minimum.meets", "fair_pay", "2026")
    assert statutory.source.startswith("ILOSTAT")
    assert statutory.note.startswith("DE: " + DE_STATUTORY.format(pay="20", verdict="meets it"))


def test_the_living_wage_line_when_the_organisation_has_a_figure():
    d = assess(make(countries=(("DE", 100, "19.99", "EUR"),)), policy=DE_LIVING, as_of=AS_OF)
    line = next(c for c in d.explanation if c.rule.startswith("pay.living_wage."))
    assert (line.rule, line.source, line.as_of, line.points) == (
        "pay.living_wage.below_living_wage", "WageIndicator 2026", "2026-07-01", 0)
    assert line.note == "DE: living wage 20.00 EUR, lowest pay 19.99 EUR"
    assert not [c for c in assess(make(), as_of=AS_OF).explanation if c.rule.startswith("pay.living_wage.")]


def test_context_reasons_name_each_country():
    d = assess(make(countries=(("BG", 50, 1, "EUR"), ("AQ", 25, 5, "USD"), ("KH", 25, 1, "KHR"))), as_of=AS_OF)
    assert "BG: the statutory minimum wage is in another currency than the pay reported; the statutory check is " \
           "unverified (no silent conversion)." in d.reasons
    assert "AQ: no country reference data; scored high risk." in d.reasons
    assert "KH: the ILOSTAT minimum-wage figure is flagged doubtful; the statutory check is unverified." in d.reasons
    assert "Gender-identity question unsafe in AQ: the SOW's survey leaves it out there." in d.reasons
    assert ("Living wage unverified in BG, AQ, KH (no organisation figure): the decision relies on PAY-02 (Yes) "
            "and PAY-03 (WageIndicator).") in d.reasons


def test_the_plan_for_a_high_risk_country_names_every_reason():
    d = assess(make(countries=(("AQ", 100, 5, "USD"),)), as_of=AS_OF)
    assert "(geographic risk high: no_reference_data)" in next(r.action for r in d.remediations if r.country == "AQ")
    from supplier_models.reference_data import War
    va = REF.get("VA")
    at_war = va.model_copy(update={"wars": (War(conflict="w", ongoing=True, start_year=2025),)})
    ref = REF.model_copy(update={"countries": {**REF.countries, "XV": at_war}})
    d = assess(make(countries=(("XV", 100, 5, "EUR"),)), reference=ref, as_of=AS_OF)
    assert "(geographic risk high: active_war, no_reference_data)" in next(
        r.action for r in d.remediations if r.country == "XV")


def test_the_declaration_mismatch_names_every_country_and_one_flag():
    both = OrgPolicy(version="lw", living_wages={
        **DE_LIVING.living_wages, "PT": LivingWage(iso2="PT", hourly=12, currency="EUR", source="s", as_of="2026")})
    d = assess(make(countries=(("DE", 50, "19.99", "EUR"), ("PT", 50, 11, "EUR"))), policy=both, as_of=AS_OF)
    fix = next(r for r in d.remediations if r.rule == "pay_declaration_mismatch")
    assert fix.action == "Correct PAY-02: the Countries sheet shows pay below the floor in DE, PT."
    assert d.flags == ["below_living_wage", "pay_declaration_mismatch"]

