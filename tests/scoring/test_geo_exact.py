"""Exact geographic risk scores from the shipped data, worked out by hand from geo-1.yaml and the reference files.

Governance: weight x (100 - percentile rank) / 100 per WGI dimension, rounded to 2 places per line (weights
pv 21, rl 14, va 14, ge 7, rq 7, cc 7; ranks from wgi_latest_wide.csv, 2023); war: ongoing 25, ended within
5 years of 2025 (2021 or later) 12, older 6, none 0; legal status 5. Bands: < 30 low, < 60 medium, else high.
"""

import pytest

from scoring import country_risk, load_geo_model
from scoring.geo import geo_risk, worst_band
from supplier_models.policy import OrgPolicy, ProhibitedCountry, ScoreOverride
from supplier_models.reference_data import CountryFacts, Governance, War, load_country_reference

REF = load_country_reference()
MODEL = load_geo_model()
NO_POLICY = OrgPolicy()


def risk(iso2, policy=NO_POLICY, share=1.0, reference=REF, model=MODEL):
    return country_risk(iso2, iso2, share, reference, model, policy)


def points(c):
    return {p.rule: p.points for p in c.components}


def test_philippines_as_the_readme_works_it_out():
    # pv 21 x (100 - 23.70) / 100 = 16.02; rl 14 x 62.74 / 100 = 8.78; va 14 x 53.43 / 100 = 7.48;
    # ge 7 x 41.98 / 100 = 2.94; rq 7 x 42.45 / 100 = 2.97; cc 7 x 67.45 / 100 = 4.72  (sum 42.91)
    # war: Marawi 2017, ended 8 years before 2025: past war 6; same-sex acts legal: 0. 48.91 -> 48.9, medium.
    ph = risk("PH")
    assert points(ph) == {"wgi.pv": 16.02, "wgi.rl": 8.78, "wgi.va": 7.48, "wgi.ge": 2.94, "wgi.rq": 2.97,
                          "wgi.cc": 4.72, "war.past": 6, "legal.status": 0}
    assert (ph.score, ph.band, ph.flags) == (48.9, "medium", [])


def test_colombia_no_war_and_legal_status_add_nothing():
    # pv 21 x 81.04 / 100 = 17.02; rl 14 x 64.15 / 100 = 8.98; va 14 x 44.61 / 100 = 6.25;
    # ge 7 x 51.89 / 100 = 3.63; rq 7 x 45.75 / 100 = 3.20; cc 7 x 55.19 / 100 = 3.86; no war 0, legal 0: 42.9.
    co = risk("CO")
    assert points(co) == {"wgi.pv": 17.02, "wgi.rl": 8.98, "wgi.va": 6.25, "wgi.ge": 3.63, "wgi.rq": 3.2,
                          "wgi.cc": 3.86, "war.none": 0, "legal.status": 0}
    assert (co.score, co.band) == (42.9, "medium")
    war, legal = (next(p for p in co.components if p.rule == r) for r in ("war.none", "legal.status"))
    assert (war.max_points, legal.max_points) == (25, 5)  # what was at stake, though none was scored
    assert war.source.startswith("UCDP") and war.as_of == "2025"
    assert war.note == "CO: no war since 2014"


def test_germany_is_low_by_its_exact_score():
    # va 14 x 5.39 / 100 = 0.75; pv 21 x 33.65 / 100 = 7.07; ge 7 x 14.62 / 100 = 1.02; rq 7 x 8.02 / 100 = 0.56;
    # rl 14 x 7.08 / 100 = 0.99; cc 7 x 5.66 / 100 = 0.40; no war, legal: 10.79 -> 10.8, low.
    de = risk("DE")
    assert (de.score, de.band) == (10.8, "low")
    line = next(p for p in de.components if p.rule == "wgi.pv")
    assert (line.principle, line.max_points, line.as_of) == ("geographic_risk", 21, "2023")
    assert line.source.startswith("World Bank") and "percentile rank 66.35" in line.note


def test_an_ongoing_war_makes_a_medium_score_high():
    # Israel: va 14 x 30.88 / 100 = 4.32; pv 21 x 90.05 / 100 = 18.91; ge 7 x 16.51 / 100 = 1.16;
    # rq 7 x 15.57 / 100 = 1.09; rl 14 x 22.64 / 100 = 3.17; cc 7 x 21.23 / 100 = 1.49 (30.14); ongoing war 25;
    # legal 0: 55.1, a medium score, made high by the war (README: "an ongoing war is always high").
    il = risk("IL")
    assert (il.score, il.band) == (55.1, "high")
    assert MODEL.bands.band_for(il.score) == "medium"
    forced = next(p for p in il.components if p.rule == "band.ongoing_war")
    assert (forced.points, forced.max_points, forced.source, forced.as_of) == (0, 0, "geo-1 v1.0.0", None)
    assert forced.note == "IL: an ongoing war makes the band high whatever the score"
    war = next(p for p in il.components if p.rule == "war.ongoing")  # both of UCDP's ongoing wars, each named
    assert war.note == ("IL: war ongoing: Government of Israel – Hamas, Palestinian Mujahideen Movement, PIJ, PRC "
                        "(since 1982); Government of Iran – Government of Israel (since 2025)")


def test_the_war_line_only_where_the_war_changed_the_band():
    ua = risk("UA")  # 76.5: high by its score alone
    assert ua.band == "high" and ua.score >= 60
    assert "band.ongoing_war" not in points(ua)


@pytest.mark.parametrize(("iso2", "rule", "war_points", "flag"), [
    ("AF", "war.recent", 12, "recent_war"),  # ended 2021: 4 years before 2025
    ("SY", "war.recent", 12, "recent_war"),  # ended 2024
    ("PH", "war.past", 6, None),             # ended 2017
])
def test_war_points_by_when_it_ended(iso2, rule, war_points, flag):
    c = risk(iso2)
    assert points(c)[rule] == war_points
    assert not {"war.ongoing", "war.recent", "war.past", "war.none"} - {rule} & set(points(c))
    if flag:
        assert flag in c.flags and "active_war" not in c.flags
    else:
        assert not {"recent_war", "active_war"} & set(c.flags)


def test_a_missing_percentile_rank_counts_its_full_weight():
    de = REF.get("DE")
    gov = Governance(year=2023, pctrank={k: v for k, v in de.governance.pctrank.items() if k != "pv"})
    ref = REF.model_copy(update={"countries": {**REF.countries, "XD": de.model_copy(update={"governance": gov})}})
    c = risk("XD", reference=ref)
    line = next(p for p in c.components if p.rule == "wgi.pv")
    assert (line.points, line.max_points) == (21, 21)
    assert (line.note, line.as_of) == ("XD: political stability and absence of violence: no percentile rank; full "
                                       "risk points", "2023")
    assert "governance_data_incomplete" in c.flags
    assert c.score == pytest.approx(10.8 - 7.07 + 21, abs=0.05)  # Germany with pv at its full 21


def test_no_governance_data_is_high_but_other_facts_still_explained():
    va, aq = risk("VA"), risk("AQ")
    assert (va.score, va.band) == (100, "high")
    assert points(va) == {"no_reference_data": 100, "legal.status": 0, "war.none": 0}
    assert va.flags == ["no_reference_data"]  # same-sex acts legal in Vatican City: the question is safe
    line = next(p for p in va.components if p.rule == "no_reference_data")
    assert (line.source, line.as_of, line.max_points) == ("geo-1 v1.0.0; country data 2026.11-1", "2026-11-23", 100)
    assert line.note == "VA: no governance indicators in the country reference data; scored high, never low"
    assert aq.flags == ["gender_question_unsafe", "legal_status_unknown", "no_reference_data"]
    unknown = risk("ZZ")  # no facts at all
    assert unknown.flags == ["gender_question_unsafe", "legal_status_unknown", "no_reference_data"]
    assert points(unknown) == {"no_reference_data": 100}


def test_war_rules_on_made_up_facts():
    de = REF.get("DE")

    def with_wars(*wars):
        facts: CountryFacts = de.model_copy(update={"wars": wars})
        return risk("XW", reference=REF.model_copy(update={"countries": {**REF.countries, "XW": facts}}))

    ended_2021 = War(conflict="c", ongoing=False, start_year=2019, end_year=2021)
    ended_2019 = War(conflict="c", ongoing=False, start_year=2015, end_year=2019)
    assert points(with_wars(ended_2021))["war.recent"] == 12
    assert points(with_wars(ended_2019))["war.past"] == 6
    # exactly recent_years before the data's last year is past, not recent (2025 - 2020 = 5, not < 5): the docs say
    # "2021 or later"; Azerbaijan's 2020 war scores 6, its band medium (docs/scoring.md)
    ended_2020 = War(conflict="c", ongoing=False, start_year=2016, end_year=2020)
    assert points(with_wars(ended_2020))["war.past"] == 6
    assert "war.recent" not in points(with_wars(ended_2020))
    recent = next(p for p in with_wars(ended_2021, War(conflict="e", ongoing=False, start_year=2022, end_year=2023),
                                       ended_2019).components if p.rule == "war.recent")
    assert recent.note == "XW: war ended within 5 years of 2025: c (2019-2021); e (2022-2023)"  # 2019's left out
    assert (recent.max_points, recent.as_of) == (25, "2025") and recent.source.startswith("UCDP")
    past = next(p for p in with_wars(ended_2019, War(conflict="f", ongoing=False, start_year=2014, end_year=2016))
                .components if p.rule == "war.past")
    assert past.note == "XW: war since 2014, now ended: c (2015-2019); f (2014-2016)"
    assert (past.max_points, past.as_of) == (25, "2025")
    both = with_wars(ended_2019, War(conflict="d", ongoing=True, start_year=2024))
    assert points(both)["war.ongoing"] == 25 and "active_war" in both.flags
    assert "d (since 2024)" in next(p.note for p in both.components if p.rule == "war.ongoing")


def test_overrides_and_prohibition():
    policy = OrgPolicy(version="p1", overrides={"CO": ScoreOverride(iso2="CO", score=65, reason="site visit")},
                       prohibited={"PH": ProhibitedCountry(iso2="PH", reason="sanctions")})
    co, ph = risk("CO", policy), risk("PH", policy)
    assert (co.score, co.band) == (65, "high")  # the overriding score sets the band too
    assert (ph.score, ph.band) == (48.9, "prohibited")
    assert "prohibited_country" in ph.flags
    override = next(p for p in co.components if p.rule == "policy.override")
    assert (override.note, override.points, override.max_points, override.as_of) == (
        "CO: the organisation sets score 65: site visit", 0, 0, None)
    prohibited = next(p for p in ph.components if p.rule == "policy.prohibited")
    assert (prohibited.points, prohibited.max_points, prohibited.as_of) == (0, 0, None)
    odd = risk("CO", OrgPolicy(overrides={"CO": ScoreOverride(iso2="CO", score=33.33, reason="r")}))
    assert (odd.score, odd.band) == (33.3, "medium")  # shown to one decimal like every score
    banded = risk("CO", OrgPolicy(overrides={"CO": ScoreOverride(iso2="CO", band="low", reason="audit")}))
    assert (banded.score, banded.band) == (42.9, "low")
    assert next(p.note for p in banded.components if p.rule == "policy.override") == (
        "CO: the organisation sets band low: audit")
    line = next(p for p in ph.components if p.rule == "policy.prohibited")
    assert "sanctions" in line.note and line.source == policy.label


def test_vendor_score_is_normalised_by_the_shares_given():
    co, ph = risk("CO", share=0.1), risk("PH", share=0.3)  # shares add up to 0.4, not 1
    g = geo_risk([co, ph])
    assert g.score == pytest.approx(47.4)  # (0.1 x 42.9 + 0.3 x 48.9) / 0.4 = (4.29 + 14.67) / 0.4
    assert g.band == "medium"


def test_vendor_score_without_shares_is_the_plain_mean():
    g = geo_risk([risk("DE", share=0), risk("CO", share=0), risk("PH", share=0)])
    assert g.score == pytest.approx(34.2)  # (10.8 + 42.9 + 48.9) / 3 = 102.6 / 3


def test_no_countries_is_high_risk():
    g = geo_risk([])
    assert (g.score, g.band, g.countries) == (100, "high", [])
    assert worst_band([]) == "high"
    assert worst_band(["low", "prohibited", "medium"]) == "prohibited"


def test_an_unknown_legal_status_is_unsafe_and_scored():
    # docs/scoring.md: legal status points for criminalised, de facto, contested *or status unknown*.
    de = REF.get("DE")
    unknown = de.model_copy(update={"legal_status": de.legal_status.model_copy(
        update={"same_sex_acts_criminalised": "unknown"})})
    c = risk("XU", reference=REF.model_copy(update={"countries": {**REF.countries, "XU": unknown}}))
    assert {"legal_status_unknown", "gender_question_unsafe"} <= set(c.flags)
    legal = next(p for p in c.components if p.rule == "legal.status")
    assert (legal.points, legal.max_points, legal.as_of) == (5, 5, "2025-06")
    assert legal.note == ("XU: legal status of same-sex acts unknown (treated as unsafe). The SOW's survey leaves "
                          "out the gender-identity question here.")
    assert c.score == 15.8  # Germany's 10.8 + 5
    aq = next(p for p in risk("AQ").components if p.rule == "legal.status")  # no legal data at all
    assert (aq.points, aq.note.split(". ")[0]) == (5, "AQ: legal status of same-sex acts unknown (treated as unsafe)")


SURVEY = " The SOW's survey leaves out the gender-identity question here."
DERIVED = REF.source("same_sex_acts_status.csv").source
SUPPLEMENT = REF.source("criminalisation_supplement.csv").source


@pytest.mark.parametrize(("iso2", "note", "source", "as_of"), [
    ("GH", "same-sex acts criminalised by law.", DERIVED, "2025-06"),  # same_sex_acts_status.csv: yes, no basis
    ("EG", "same-sex acts criminalised de facto (Law 10/1961 on debauchery used to prosecute).", SUPPLEMENT, "2024"),
    ("LB", "same-sex acts criminalisation contested in the courts (Penal Code art. 534).", SUPPLEMENT, "2024"),
    ("RU", "gender expression restricted: 2023: gender transition banned by law; the 'international LGBT movement' "
           "designated extremist by the Supreme Court.",
     DERIVED + "; " + REF.source("gender_expression_restrictions.csv").source, "2025-06"),
    ("AQ", "legal status of same-sex acts unknown (treated as unsafe).", "country data 2026.11-1", "2026-11-23"),
])
def test_the_legal_line_says_why_from_which_source(iso2, note, source, as_of):
    legal = next(p for p in risk(iso2).components if p.rule == "legal.status")
    assert (legal.note, legal.source, legal.as_of, legal.points) == (f"{iso2}: {note}{SURVEY}", source, as_of, 5)


def test_a_war_still_counts_where_governance_data_is_missing():
    va = REF.get("VA")
    at_war = va.model_copy(update={"wars": (War(conflict="w", ongoing=True, start_year=2025),)})
    c = risk("XV", reference=REF.model_copy(update={"countries": {**REF.countries, "XV": at_war}}))
    assert c.flags == ["active_war", "no_reference_data"]
    assert (c.score, c.band) == (100, "high")
    assert points(c)["war.ongoing"] == 25  # explained, though the score is already 100


def test_the_band_is_read_from_the_score_as_shown():
    # Germany's lines add up to 10.79, shown as 10.8: with `low` ending at 10.8, a shown 10.8 is medium, as a
    # shown 30.0 is under geo-1 ("low < 30 <= medium"); the band never disagrees with the score a reader sees.
    model = MODEL.model_copy(update={"bands": MODEL.bands.model_copy(update={"low_below": 10.8})})
    de = risk("DE", model=model)
    assert (de.score, de.band) == (10.8, "medium")


def test_the_legal_line_joins_every_reason_and_says_when_there_is_none():
    gh = REF.get("GH")
    both = gh.model_copy(update={"gender_expression_restricted": True, "gender_expression_note": "n"})
    c = risk("XG", reference=REF.model_copy(update={"countries": {**REF.countries, "XG": both}}))
    legal = next(p for p in c.components if p.rule == "legal.status")
    assert legal.note == f"XG: same-sex acts criminalised by law; gender expression restricted: n.{SURVEY}"
    assert legal.points == 5  # once, however many reasons
    de = next(p for p in risk("DE").components if p.rule == "legal.status")
    assert (de.note, de.points, de.max_points) == ("DE: same-sex acts legal; no gender-expression restriction listed",
                                                   0, 5)
