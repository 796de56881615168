"""The organisation's own country policy: prohibited countries, score overrides, living wages, and the framework
items it requires (`FrameworkMinimum`).

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


class FrameworkMinimum(BaseModel):
    """An item of a framework (a Fairwork threshold, a PAI step) the organisation requires of every vendor:
    a vendor whose answers do not show it met is at best `conditional` (`not_qualified` when the policy says so),
    with a remediation naming the item. Without any, frameworks inform and change no decision."""

    model_config = ConfigDict(frozen=True)
    framework: str = Field(description="framework id, e.g. fairwork-cloudwork-2024")
    item: str = Field(description="the framework's item id, e.g. 1.1")
    if_missing: Literal["conditional", "not_qualified"] = "conditional"
    reason: str = ""


class OrgPolicy(BaseModel):
    """An organisation's country policy. `OrgPolicy()` (empty) when it has none."""

    model_config = ConfigDict(frozen=True)
    version: str | None = Field(None, description="sha256 prefix of the policy workbook")
    filename: str = ""
    prohibited: dict[str, ProhibitedCountry] = Field(default_factory=dict)
    overrides: dict[str, ScoreOverride] = Field(default_factory=dict)
    living_wages: dict[str, LivingWage] = Field(default_factory=dict)
    framework_minimums: tuple[FrameworkMinimum, ...] = ()

    @property
    def label(self) -> str:
        return f"organisation policy {self.filename or 'workbook'} ({self.version})" if self.version else "no policy"
