"""Scoring: rubric, geographic risk, pay floors and the decision. Pure functions, no I/O beyond
reading the shipped rubric and reference data files.

    from scoring import assess
    decision = assess(submission, as_of=date.today())
"""

from .decision import assess
from .geo import country_risk, geo_risk
from .models import (
    Contribution,
    CountryRisk,
    Decision,
    GeoRisk,
    KnockoutHit,
    PayFloor,
    Remediation,
)
from .pay import HOURS_PER_MONTH, pay_floor
from .rubric import GeoModel, Rubric, load_geo_model, load_rubric

__all__ = [
    "HOURS_PER_MONTH",
    "Contribution",
    "CountryRisk",
    "Decision",
    "GeoModel",
    "GeoRisk",
    "KnockoutHit",
    "PayFloor",
    "Remediation",
    "Rubric",
    "assess",
    "country_risk",
    "geo_risk",
    "load_geo_model",
    "load_rubric",
    "pay_floor",
]
