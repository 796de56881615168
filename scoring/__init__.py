"""Scoring: rubric, geographic risk, pay floors and the decision. Pure functions, no I/O beyond
reading the shipped rubric and reference data files.

    from scoring import assess
    decision = assess(submission, as_of=date.today())
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supplier_models.lazy import lazy_exports

# Imported on first use (PEP 562): `scoring.lifecycle` or `scoring.models` alone does not load the engine.
_EXPORTS = {
    "assess": "decision",
    "country_risk": "geo",
    "geo_risk": "geo",
    **{name: "models" for name in ("Contribution", "CountryRisk", "Decision", "GeoRisk", "KnockoutHit", "PayFloor",
                                   "Remediation")},
    "HOURS_PER_MONTH": "pay",
    "pay_floor": "pay",
    **{name: "rubric" for name in ("GeoModel", "Rubric", "load_geo_model", "load_rubric")},
}
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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:
    from .decision import assess
    from .geo import country_risk, geo_risk
    from .models import Contribution, CountryRisk, Decision, GeoRisk, KnockoutHit, PayFloor, Remediation
    from .pay import HOURS_PER_MONTH, pay_floor
    from .rubric import GeoModel, Rubric, load_geo_model, load_rubric
