"""The scored outcome of one submission: what `--json` prints and the store keeps.

These models are the contract between scoring, the SOW and the store. Fields
may be added; none are renamed or removed (docs/contracts.md,
"The `--json` decision object").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .terms import Band, DecisionValue, Priority


class Contribution(BaseModel):
    """One line of an explanation: where a point (or a risk point) came from."""

    model_config = ConfigDict(frozen=True)
    principle: str | None = None
    question: str | None = Field(None, description="question id, e.g. PAY-01; None for country data")
    answer: str | None = Field(None, description="the answer as text")
    rule: str = Field(description="stable rule id from the rubric or the geographic model")
    points: float = Field(description="points earned")
    max_points: float = Field(description="points available")
    source: str = Field(description="rubric id and version, or the data set that supplied a figure")
    as_of: str | None = Field(None, description="date or year of the figure, for data sources")
    note: str = ""


class KnockoutHit(BaseModel):
    model_config = ConfigDict(frozen=True)
    rule: str
    question: str | None = None
    reason: str
    source: str = ""


class Remediation(BaseModel):
    model_config = ConfigDict(frozen=True)
    action: str
    due_in_days: int
    question: str | None = None
    principle: str | None = None
    country: str | None = Field(None, description="ISO alpha-2 when the remediation is about one country")
    due_date: dt.date | None = None
    priority: Priority = Field(
        "normal", description="high: must be closed before the vendor can be qualified")
    rule: str | None = Field(None, description="the rubric or country rule that raised it")
    evidence: str | None = Field(None, description="what a reviewer accepts as done (None: not stated)")
    answer: str | None = Field(
        None, description="what the vendor answered that raised it, as text: the question's answer, or for a "
                          "country rule the country's lowest hourly pay and currency (pay) or its code (geographic "
                          "risk); None in decisions made before it was recorded")


class PayFloor(BaseModel):
    """The vendor's lowest pay in one country against the statutory minimum and the living wage."""

    model_config = ConfigDict(frozen=True)
    iso2: str
    currency: str
    lowest_hourly_pay: Decimal
    statutory_minimum_hourly: Decimal | None = None
    statutory_source: str | None = None
    statutory_as_of: str | None = None
    living_wage_hourly: Decimal | None = None
    living_wage_source: str | None = None
    living_wage_as_of: str | None = None
    hours_per_month: Decimal | None = Field(None, description="assumption used to turn a monthly minimum hourly")
    status: Literal["meets_living_wage", "below_living_wage", "below_minimum_wage", "living_wage_unverified"]
    statutory_check: Literal["meets", "below", "unverified", "no_statutory_minimum"] | None = Field(
        None, description="the pay against the statutory minimum; unverified when the data cannot be compared")
    living_wage_currency: str | None = None
    flags: list[str] = Field(default_factory=list)
    note: str = Field("", description="plain-language account of the checks, e.g. why one was left unverified")

    @property
    def floor_hourly(self) -> Decimal | None:
        """The pay the SOW must require: the living wage where known, else the statutory minimum."""
        return self.living_wage_hourly or self.statutory_minimum_hourly


class CountryRisk(BaseModel):
    model_config = ConfigDict(frozen=True)
    iso2: str
    name: str
    share: float = Field(description="share of the workforce, 0-1")
    score: float = Field(description="geographic risk, 0 (lowest) to 100 (highest)")
    band: Band
    flags: list[str] = Field(default_factory=list)
    components: list[Contribution] = Field(default_factory=list)
    pay: PayFloor | None = None


class GeoRisk(BaseModel):
    model_config = ConfigDict(frozen=True)
    score: float = Field(description="workforce-weighted risk, 0-100")
    band: Band = Field(description="the worst band of the vendor's countries")
    countries: list[CountryRisk]


class Decision(BaseModel):
    """The outcome of scoring one submission on one day with one rubric and one country data set."""

    model_config = ConfigDict(frozen=True)
    vendor: str
    decision: DecisionValue
    score: float = Field(description="overall responsible-sourcing score, 0-100")
    principles: dict[str, float]
    knockouts: list[KnockoutHit]
    geo: GeoRisk
    remediations: list[Remediation]
    valid_until: dt.date
    assessed_on: dt.date
    reasons: list[str] = Field(default_factory=list, description="plain-language reasons for the decision")
    explanation: list[Contribution] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    questionnaire_id: str
    questionnaire_version: str
    rubric_version: str
    country_data_version: str
    policy_version: str | None = Field(None, description="the organisation's policy workbook (sha256 prefix)")
    country_fingerprints: dict[str, str] = Field(
        default_factory=dict, description="iso2 -> hash of the reference facts used for that country"
    )
    geo_model_version: str | None = Field(None, description="the geographic risk model (rubrics/geo-1.yaml)")
    principles_not_applicable: list[str] = Field(
        default_factory=list, description="principles with no applicable question; left out of `principles`")
