"""Geographic risk from the shipped country reference data."""

import datetime as dt
from decimal import Decimal

import pytest

from scoring import assess, country_risk, load_geo_model
from scoring.geo import geo_risk
from supplier_models.policy import OrgPolicy, ScoreOverride
from supplier_models.reference_data import load_country_reference
from supplier_models.submission import CountryRow, Submission
from supplier_models.workbooks.examples import GOOD_ANSWERS

AS_OF = dt.date(2026, 11, 23)
REF = load_country_reference()
MODEL = load_geo_model()
NO_POLICY = OrgPolicy()


def risk(iso2, policy=NO_POLICY, share=1.0):
    return country_risk(iso2, iso2, share, REF, MODEL, policy)


def test_reference_data_has_a_version_and_sources():
    assert REF.version == "2026.11-1"
    assert REF.as_of == dt.date(2026, 11, 23)
    for name in ("wgi_latest_wide.csv", "ucdp_wars_since2014.csv", "minimum_wage_ilostat.csv",
                 "same_sex_acts_status.csv", "criminalisation_supplement.csv", "countries.csv"):
        assert REF.sources[name].source and REF.sources[name].data_year


def test_germany_is_low():
    de = risk("DE")
    assert de.band == "low" and de.score < 30
    assert "gender_question_unsafe" not in de.flags and "active_war" not in de.flags


@pytest.mark.parametrize("iso2", ["UA", "SD", "RU"])
def test_war_countries_are_high_with_active_war(iso2):
    c = risk(iso2)
    assert c.band == "high"
    assert "active_war" in c.flags
    war = next(p for p in c.components if p.rule == "war.ongoing")
    assert war.points == MODEL.war.ongoing_war and war.source.startswith("UCDP") and war.as_of == "2025"


@pytest.mark.parametrize("iso2", ["AQ", "VA", "ZZ"])
def test_countries_without_data_are_high_never_low(iso2):
    c = risk(iso2)
    assert c.band == "high" and c.score == 100
    assert "no_reference_data" in c.flags


def test_every_component_names_source_and_date():
    for iso2 in ("KE", "DE", "UA", "EG"):
        c = risk(iso2)
        assert c.components
        assert all(p.source and p.as_of for p in c.components)
        assert sum(p.points for p in c.components) == pytest.approx(c.score, abs=0.1)


@pytest.mark.parametrize(("iso2", "why"), [
    ("GH", "criminalised by law"),        # derived table
    ("SD", "Criminal Act 1991"),          # supplement: missing from the derived table
    ("EG", "de facto"),                   # supplement
    ("LB", "contested"),                  # supplement
    ("RU", "gender expression restricted"),
])
def test_gender_question_unsafe(iso2, why):
    c = risk(iso2)
    assert "gender_question_unsafe" in c.flags
    legal = next(p for p in c.components if p.rule == "legal.status")
    assert why in legal.note and legal.points == MODEL.legal.criminalisation


@pytest.mark.parametrize("iso2", ["DE", "ZA", "AU", "IN"])
def test_gender_question_safe(iso2):
    assert "gender_question_unsafe" not in risk(iso2).flags


def test_bands_follow_thresholds():
    for iso2 in ("DE", "PT", "PL", "ZA", "KE", "GH", "PH", "BD", "AF", "SO", "CH", "BR"):
        c = risk(iso2)
        if "active_war" in c.flags:
            assert c.band == "high"
        else:
            assert c.band == MODEL.bands.band_for(c.score)


def test_recent_war_adds_risk_but_is_not_active():
    sy = risk("SY")  # war ended 2024
    assert "recent_war" in sy.flags and "active_war" not in sy.flags
    assert any(p.rule == "war.recent" for p in sy.components)


def test_score_override_with_reason():
    policy = OrgPolicy(version="p1", overrides={
        "KE": ScoreOverride(iso2="KE", score=20, reason="our own site visit, 2026"),
        "DE": ScoreOverride(iso2="DE", band="high", reason="works council dispute")})
    ke, de = risk("KE", policy), risk("DE", policy)
    assert (ke.score, ke.band) == (20, "low")
    assert de.band == "high" and de.score == risk("DE").score
    assert "score_overridden" in ke.flags
    note = next(p for p in ke.components if p.rule == "policy.override")
    assert "site visit" in note.note and "p1" in note.source


def test_vendor_geo_is_share_weighted_with_worst_band():
    de, ua = risk("DE", share=0.75), risk("UA", share=0.25)
    g = geo_risk([de, ua])
    assert g.score == round(0.75 * de.score + 0.25 * ua.score, 1)
    assert g.band == "high"


def test_assess_reports_geo_per_country():
    answers = {k: Decimal(v) if isinstance(v, int) else v for k, v in GOOD_ANSWERS.items()}
    rows = [CountryRow(iso2="DE", name="Germany", share_pct=Decimal(60), workers=5, lowest_hourly_pay=Decimal(20),
                       currency="EUR", pay_basis="Hourly wage", row=2),
            CountryRow(iso2="AQ", name="Antarctica", share_pct=Decimal(40), workers=5, lowest_hourly_pay=Decimal(20),
                       currency="USD", pay_basis="Hourly wage", row=3)]
    sub = Submission(questionnaire_id="RDE-1", questionnaire_version="1.0.0", vendor_name="V", sha256="0",
                     answers=answers, countries=rows)
    d = assess(sub, as_of=AS_OF)
    assert d.geo.band == "high" and d.decision == "conditional"
    assert {c.iso2: c.share for c in d.geo.countries} == {"DE": 0.6, "AQ": 0.4}
    assert "no_reference_data" in d.flags
