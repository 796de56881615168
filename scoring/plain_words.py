"""The words a contract uses for the assessment's codes: every flag the geographic model (`scoring/geo.py`,
`scoring/rubrics/geo-1.yaml`), the pay floors (`scoring/pay.py`) and the decision (`scoring/decision.py`) put on
a country or a vendor, the pay checks' outcomes, and the risk bands (`scoring/terms.py`). The words are kept here
and only here; `plain_text` puts them in place of the codes in the text scoring writes (a remediation's action),
so no code reaches a SOW paragraph or a line of the portfolio's remediations.

Each flag's words are a noun phrase that reads in a list or in brackets after a country: "Ukraine (active armed
conflict)".
"""

from __future__ import annotations

import re

FLAG_WORDS: dict[str, str] = {
    # The geographic model: war, governance data, legal status, the organisation's policy.
    "active_war": "active armed conflict",
    "recent_war": "a recent armed conflict, now ended",
    "no_reference_data": "no governance data on record for the country",
    "governance_data_incomplete": "incomplete governance data",
    "legal_status_unknown": "the legal status of same-sex relations unknown",
    "gender_question_unsafe": "questions on gender identity unsafe to ask (same-sex relations criminalised or "
                              "gender expression restricted)",
    "score_overridden": "a risk set by the Client's own policy",
    "prohibited_country": "a country the Client's policy prohibits",
    # The pay floors: the statutory minimum and the living wage.
    "no_statutory_minimum_wage": "no statutory minimum wage",
    "minimum_wage_currency_mismatch": "a statutory minimum wage on record in another currency than the pay",
    "minimum_wage_data_doubtful": "a statutory minimum-wage figure on record of doubtful quality",
    "living_wage_unverified": "no living-wage figure on record",
    "living_wage_currency_mismatch": "a living-wage figure on record in another currency than the pay",
    "below_minimum_wage": "pay below the statutory minimum wage",
    "below_living_wage": "pay below the living wage",
    # The decision: the vendor's declarations and certificate.
    "pay_declaration_mismatch": "pay declared at the living wage everywhere, but below the pay floor in a country",
    "no_countries": "no country of work declared",
    "certification_expired": "an expired security certification",
}

PAY_CHECK_WORDS: dict[str, str] = {
    # PayFloor.status, besides the two flags above of the same name.
    "meets_living_wage": "pay at or above the living wage",
    # PayFloor.statutory_check, besides the plain "meets", "below" and "unverified".
    "no_statutory_minimum": "no statutory minimum wage",
}

BAND_WORDS: dict[str, str] = {
    "low": "a low geographic risk",
    "medium": "a medium geographic risk",
    "high": "a high geographic risk",
    "prohibited": "a prohibited country",
}

CODES: dict[str, str] = FLAG_WORDS | PAY_CHECK_WORDS
"""Every code with its words: what `plain_text` replaces."""

_CODE = re.compile(r"\b(" + "|".join(sorted(CODES, key=len, reverse=True)) + r")\b")
_SCORE = re.compile(r"^score (\d+(?:\.\d+)?)$")
# The high_geo_risk remediation of the rubric (scoring/rubrics/RDE-1.yaml): "... plan for {country} (geographic
# risk {band}: {why})", where `why` is flags ("active_war, recent_war") or "score 39".
_GEO_RISK = re.compile(r" \(geographic risk (" + "|".join(BAND_WORDS) + r"): ([^()]*)\)")


def flag_words(flag: str) -> str:
    """A flag in words; a flag this module does not know yet as its code with spaces, never with underscores."""
    return CODES.get(flag, flag.replace("_", " "))


def risk_words(band: str, reasons: list[str]) -> str:
    """A band and its reasons as a contract states them: "a high geographic risk (active armed conflict)",
    "a high geographic risk (score 39 of 100)". `reasons`: flags, or "score N"."""
    words = []
    for reason in reasons:
        score = _SCORE.match(reason.strip())
        words.append(f"score {score[1]} of 100" if score else flag_words(reason.strip()))
    said = BAND_WORDS.get(band, f"a {band} geographic risk")
    return f"{said} ({'; '.join(words)})" if words else said


def plain_text(text: str) -> str:
    """Text that scoring wrote, with its codes in words: the rubric's geographic-risk aside becomes a clause
    ("..., which the Client's assessment rates as a high geographic risk (active armed conflict)."), and any other
    known code its words."""
    text = _GEO_RISK.sub(lambda m: ", which the Client's assessment rates as "
                         + risk_words(m[1], [r for r in m[2].split(",") if r.strip()]), text)
    return _CODE.sub(lambda m: CODES[m[1]], text)
