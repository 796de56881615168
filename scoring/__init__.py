"""Scoring: rubric, geographic risk, pay floors and the decision. Pure functions, no I/O beyond
reading the shipped rubric and reference data files.

    from scoring import assess
    decision = assess(submission, as_of=date.today())
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

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


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
    from .decision import assess
    from .geo import country_risk, geo_risk
    from .models import Contribution, CountryRisk, Decision, GeoRisk, KnockoutHit, PayFloor, Remediation
    from .pay import HOURS_PER_MONTH, pay_floor
    from .rubric import GeoModel, Rubric, load_geo_model, load_rubric
