"""The organisation's own country policy: prohibited countries, score overrides, living wages.

`OrgPolicy` is what scoring reads; the organisation keeps it in a small workbook that fairsource writes blank and
reads back (`supplier_models.workbooks.policy_workbook`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

OVERRIDE_BANDS = ("low", "medium", "high")


class ProhibitedCountry(BaseModel):
    model_config = ConfigDict(frozen=True)
    iso2: str
    reason: str


class ScoreOverride(BaseModel):
    """The organisation's own view of a country's risk; replaces the computed score or band."""

    model_config = ConfigDict(frozen=True)
    iso2: str
    score: float | None = Field(None, ge=0, le=100)
    band: Literal["low", "medium", "high"] | None = None
    reason: str


class LivingWage(BaseModel):
    model_config = ConfigDict(frozen=True)
    iso2: str
    hourly: Decimal = Field(gt=0)
    currency: str
    source: str
    as_of: str


class OrgPolicy(BaseModel):
    """An organisation's country policy. `OrgPolicy()` (empty) when it has none."""

    model_config = ConfigDict(frozen=True)
    version: str | None = Field(None, description="sha256 prefix of the policy workbook")
    filename: str = ""
    prohibited: dict[str, ProhibitedCountry] = Field(default_factory=dict)
    overrides: dict[str, ScoreOverride] = Field(default_factory=dict)
    living_wages: dict[str, LivingWage] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"organisation policy {self.filename or 'workbook'} ({self.version})" if self.version else "no policy"
