"""Geographic risk: a RISK score per country (0 = lowest, 100 = highest), a band, flags.

The weights and thresholds are data (`rubrics/geo-1.yaml`); the facts are the
shipped country reference data (`supplier_models/reference/country/`). Every
component of a score is a `Contribution` naming its source and date. A
country with no reference data is `high` with `no_reference_data`, never
low. The organisation's policy can prohibit a country or override its score
or band (the reason is kept in the explanation).
"""

from __future__ import annotations

from supplier_models.policy import OrgPolicy
from supplier_models.reference_data import (
    GENDER_EXPRESSION_FILE,
    WARS_FILE,
    WGI_FILE,
    CountryFacts,
    CountryReference,
)

from .models import Band, Contribution, CountryRisk, GeoRisk
from .rubric import GeoModel
from .terms import BAND_ORDER

PRINCIPLE = "geographic_risk"
UNSAFE_STATUSES = frozenset({"yes", "de_facto", "contested"})
WGI_NAMES = {
    "va": "voice and accountability",
    "pv": "political stability and absence of violence",
    "ge": "government effectiveness",
    "rq": "regulatory quality",
    "rl": "rule of law",
    "cc": "control of corruption",
}


def worst_band(bands: list[Band]) -> Band:
    return max(bands, key=BAND_ORDER.__getitem__) if bands else "high"


def country_risk(
    iso2: str,
    name: str,
    share: float,
    reference: CountryReference,
    model: GeoModel,
    policy: OrgPolicy,
) -> CountryRisk:
    """Score one country from the reference data, then apply the organisation's policy."""
    facts = reference.get(iso2)
    flags: list[str] = []
    parts: list[Contribution] = []
    src = model.key

    def add(rule: str, points: float, max_points: float, source: str, as_of: str | None, note: str) -> None:
        parts.append(Contribution(principle=PRINCIPLE, rule=rule, points=round(points, 2),
                                  max_points=max_points, source=source, as_of=as_of, note=f"{name}: {note}"))

    if facts is None or facts.governance is None:
        score = model.bands.no_reference_data_score
        band: Band = model.bands.no_reference_data_band
        flags.append("no_reference_data")
        add("no_reference_data", score, 100, f"{src}; country data {reference.version}", str(reference.as_of),
            "no governance indicators in the country reference data; scored high, never low")
        if facts is not None:
            _legal(facts, reference, model, flags, add)
            _wars(facts, reference, model, flags, add)
        else:
            flags.extend(["legal_status_unknown", "gender_question_unsafe"])
    else:
        gov = facts.governance
        wgi = reference.source(WGI_FILE)
        for dim, weight in model.governance.items():
            rank = gov.pctrank.get(dim)
            if rank is None:
                flags.append("governance_data_incomplete")
                add(f"wgi.{dim}", weight, weight, wgi.source, str(gov.year),
                    f"{WGI_NAMES[dim]}: no percentile rank; full risk points")
            else:
                add(f"wgi.{dim}", weight * (100 - rank) / 100, weight, wgi.source, str(gov.year),
                    f"{WGI_NAMES[dim]} percentile rank {rank:g} (higher is better)")
        _wars(facts, reference, model, flags, add)
        _legal(facts, reference, model, flags, add)
        score = min(100.0, round(sum(p.points for p in parts), 1))
        band = model.bands.band_for(score)
        if "active_war" in flags and BAND_ORDER[model.bands.ongoing_war_band] > BAND_ORDER[band]:
            band = model.bands.ongoing_war_band
            add("band.ongoing_war", 0, 0, src, None, f"an ongoing war makes the band {band} whatever the score")

    override = policy.overrides.get(iso2)
    if override is not None:
        if override.score is not None:
            score = override.score
            band = model.bands.band_for(score)
        if override.band is not None:
            band = override.band
        flags.append("score_overridden")
        what = f"score {override.score:g}" if override.score is not None else f"band {override.band}"
        add("policy.override", 0, 0, policy.label, None, f"the organisation sets {what}: {override.reason}")
    prohibited = policy.prohibited.get(iso2)
    if prohibited is not None:
        band = "prohibited"
        flags.append("prohibited_country")
        add("policy.prohibited", 0, 0, policy.label, None, f"prohibited by the organisation: {prohibited.reason}")
    return CountryRisk(iso2=iso2, name=name, share=share, score=round(score, 1), band=band,
                       flags=sorted(set(flags)), components=parts)


def _wars(facts: CountryFacts, reference: CountryReference, model: GeoModel, flags: list[str], add) -> None:
    war = model.war
    source = reference.source(WARS_FILE)
    ongoing = [w for w in facts.wars if w.ongoing]
    recent = [w for w in facts.wars if not w.ongoing and w.end_year is not None
              and war.data_last_year - w.end_year < war.recent_years]
    if ongoing:
        flags.append("active_war")
        names = "; ".join(f"{w.conflict} (since {w.start_year})" for w in ongoing)
        add("war.ongoing", war.ongoing_war, war.ongoing_war, source.source, source.data_year,
            f"war ongoing: {names}")
    elif recent:
        flags.append("recent_war")
        names = "; ".join(f"{w.conflict} ({w.start_year}-{w.end_year})" for w in recent)
        add("war.recent", war.recent_war, war.ongoing_war, source.source, source.data_year,
            f"war ended within {war.recent_years} years of {war.data_last_year}: {names}")
    elif facts.wars:
        names = "; ".join(f"{w.conflict} ({w.start_year}-{w.end_year})" for w in facts.wars)
        add("war.past", war.past_war, war.ongoing_war, source.source, source.data_year,
            f"war since 2014, now ended: {names}")
    else:
        add("war.none", 0, war.ongoing_war, source.source, source.data_year, "no war since 2014")


def _legal(facts: CountryFacts, reference: CountryReference, model: GeoModel, flags: list[str], add) -> None:
    points = model.legal.criminalisation
    legal = facts.legal_status
    reasons: list[str] = []
    if legal is None or legal.same_sex_acts_criminalised == "unknown":
        flags.extend(["legal_status_unknown", "gender_question_unsafe"])
        reasons.append("legal status of same-sex acts unknown (treated as unsafe)")
    elif legal.same_sex_acts_criminalised in UNSAFE_STATUSES:
        flags.append("gender_question_unsafe")
        kind = {"yes": "criminalised by law", "de_facto": "criminalised de facto",
                "contested": "criminalisation contested in the courts"}[legal.same_sex_acts_criminalised]
        basis = f" ({legal.legal_basis})" if legal.legal_basis else ""
        reasons.append(f"same-sex acts {kind}{basis}")
    if facts.gender_expression_restricted:
        flags.append("gender_question_unsafe")
        reasons.append(f"gender expression restricted: {facts.gender_expression_note}")
    if legal is not None:
        source = reference.source(legal.source_file).source
        as_of = legal.as_of
    else:
        source, as_of = f"country data {reference.version}", str(reference.as_of)
    if facts.gender_expression_restricted:
        source += "; " + reference.source(GENDER_EXPRESSION_FILE).source
    if reasons:
        add("legal.status", points, points, source, as_of,
            "; ".join(reasons) + ". The SOW's survey leaves out the gender-identity question here.")
    else:
        add("legal.status", 0, points, source, as_of, "same-sex acts legal; no gender-expression restriction listed")


def geo_risk(countries: list[CountryRisk]) -> GeoRisk:
    """The vendor's geographic risk: workforce-share-weighted score, the worst country band."""
    if not countries:
        return GeoRisk(score=100.0, band="high", countries=[])
    total = sum(c.share for c in countries)
    if total > 0:
        score = sum(c.share * c.score for c in countries) / total
    else:
        score = sum(c.score for c in countries) / len(countries)
    return GeoRisk(score=round(score, 1), band=worst_band([c.band for c in countries]), countries=countries)
