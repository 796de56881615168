"""Rubrics as versioned data: `rubrics/<questionnaire>.yaml` and the geographic model `rubrics/geo-1.yaml`.

A rubric is validated against the questionnaire it scores: every question id
must exist, every scored answer must be a real choice, every yes/no and
choice answer must have points, and every question must be either scored or
listed as not scored with a reason.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from supplier_models.errors import ConfigurationError
from supplier_models.questionnaire import Condition, Questionnaire
from supplier_models.questionnaire import load as load_questionnaire
from supplier_models.yamlfile import safe_load as load_yaml

from .terms import Band, Priority


class RemediationRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: str
    due_in_days: int = Field(gt=0)
    priority: Priority = "normal"
    evidence: str | None = Field(None, description="what a reviewer accepts as done, e.g. a signed pay calendar")


class NumberBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    up_to: float | None = None
    points: float = Field(ge=0)
    remediation: RemediationRule | None = None

    @property
    def key(self) -> str:
        return f"<= {self.up_to:g}" if self.up_to is not None else "above"


class MultiRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any_of: tuple[str, ...]
    points: float = Field(ge=0)


class QuestionRule(BaseModel):
    """How one question is scored."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    points: dict[str, float] | None = None
    rules: tuple[MultiRule, ...] | None = None
    otherwise: float | None = None
    bands: tuple[NumberBand, ...] | None = None
    remediation: dict[str, RemediationRule] = Field(default_factory=dict)
    applies_if: Condition | None = None
    applies_unless: Condition | None = None

    @property
    def max_points(self) -> float:
        if self.points is not None:
            return max(self.points.values())
        if self.rules is not None:
            return max([r.points for r in self.rules] + [self.otherwise or 0])
        assert self.bands is not None
        return max(b.points for b in self.bands)

    def applies(self, answers: dict[str, object]) -> bool:
        if self.applies_if is not None and not self.applies_if.holds(answers):
            return False
        return not (self.applies_unless is not None and self.applies_unless.holds(answers))


class Principle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    weight: float = Field(gt=0)
    title: str


class QualifiedThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_overall: float = Field(75, ge=0, le=100)
    min_principle: float = Field(50, ge=0, le=100)
    max_geo_band: Literal["low", "medium", "high"] = "medium"
    allow_open_high_priority_remediation: bool = False
    allow_pay_below_living_wage: bool = False


class DecisionThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    qualified: QualifiedThresholds = QualifiedThresholds()
    not_qualified_below: float | None = Field(None, ge=0, le=100)


class Validity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    qualified_months: int = Field(12, gt=0)
    conditional_months: int = Field(6, gt=0)
    not_qualified_months: int = Field(3, gt=0)
    certification_expiry_question: str | None = "DATA-02"
    certification_margin_days: int = Field(1, ge=0)


class Rubric(BaseModel):
    """One version of the scoring rules for one questionnaire."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    questionnaire: str
    principles: dict[str, Principle]
    not_scored: dict[str, str] = Field(default_factory=dict)
    decision: DecisionThresholds = DecisionThresholds()
    validity: Validity = Validity()
    country_remediations: dict[str, RemediationRule] = Field(default_factory=dict)
    questions: dict[str, QuestionRule]

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    def evidence_for(self, rule: str, action: str) -> str | None:
        """The evidence a remediation needs, by the rule that raised it (`PAY-06:Monthly`, `PAY-06` or a
        country rule such as `below_living_wage`) and, for a question with several remediations, its action."""
        base = rule.split(":")[0]
        if base in self.country_remediations:
            return self.country_remediations[base].evidence
        question = self.questions.get(base)
        if question is None:
            return None
        fixes = [*question.remediation.values(), *(b.remediation for b in question.bands or () if b.remediation)]
        return next((f.evidence for f in fixes if f.action == action), None)

    def answer_that_meets(self, rule: str) -> str | None:
        """The answer that meets the bar a remediation raised by `rule` (`PILOT-01:No`) sets, when the rubric can
        say which: the question's one answer that raises no remediation (yes/no: the other answer). None when
        several answers would (PAY-06: weekly or every two weeks), when it is a number, a several-answer question
        or a country rule: there the rubric cannot say which answer the evidence established."""
        question = self.questions.get(rule.split(":")[0])
        if question is None or question.points is None:
            return None
        meeting = [answer for answer in question.points if answer not in question.remediation]
        return meeting[0] if len(meeting) == 1 else None

    @model_validator(mode="after")
    def _shape(self) -> Rubric:
        for qid, rule in self.questions.items():
            kinds = [rule.points is not None, rule.rules is not None, rule.bands is not None]
            if sum(kinds) != 1:
                raise ValueError(f"{qid}: give exactly one of points, rules, bands")
            if rule.bands is not None:
                bounds = [b.up_to for b in rule.bands]
                if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
                    raise ValueError(f"{qid}: bands need up_to on all but the last, open band")
                if bounds[:-1] != sorted(bounds[:-1]):
                    raise ValueError(f"{qid}: bands must be in increasing order of up_to")
                points = [b.points for b in rule.bands]
                if points != sorted(points, reverse=True):
                    raise ValueError(f"{qid}: a higher number must never score more (bands)")
        for key in ("below_living_wage", "below_minimum_wage", "pay_declaration_mismatch", "high_geo_risk",
                    "certification_expired"):
            if key not in self.country_remediations:
                raise ValueError(f"country_remediations.{key} is missing")
        return self

    def check_against(self, q: Questionnaire) -> None:
        """Raise ConfigurationError unless this rubric fits questionnaire `q`."""
        problems: list[str] = []
        if q.id != self.questionnaire:
            problems.append(f"rubric is for {self.questionnaire}, questionnaire is {q.id}")
        known = set(q.by_id)
        for qid in list(self.questions) + list(self.not_scored):
            if qid not in known:
                problems.append(f"{qid} is not a question of {q.key}")
        for qid in known - set(self.questions) - set(self.not_scored):
            problems.append(f"{qid} is neither scored nor listed under not_scored")
        for qid in set(self.questions) & set(self.not_scored):
            problems.append(f"{qid} is both scored and not_scored")
        for qid, rule in self.questions.items():
            question = q.by_id.get(qid)
            if question is None:
                continue
            principle = q.principle_of(qid)
            if principle not in self.principles:
                problems.append(f"{qid}: principle {principle} has no weight")
            for cond in (rule.applies_if, rule.applies_unless):
                if cond is not None and cond.question not in known:
                    problems.append(f"{qid}: condition on unknown question {cond.question}")
            if question.type in ("yes_no", "choice"):
                if rule.points is None:
                    problems.append(f"{qid}: a {question.type} question is scored with points")
                    continue
                options = set(question.options)
                for answer in rule.points:
                    if answer not in options:
                        problems.append(f'{qid}: "{answer}" is not a choice ({", ".join(question.options)})')
                for answer in options - set(rule.points):
                    problems.append(f'{qid}: the answer "{answer}" has no points')
                for answer in rule.remediation:
                    if answer not in options:
                        problems.append(f'{qid}: remediation for "{answer}", which is not a choice')
            elif question.type == "multi":
                if rule.rules is None:
                    problems.append(f"{qid}: a multi question is scored with rules")
                    continue
                for r in rule.rules:
                    for answer in r.any_of:
                        if answer not in question.choices:
                            problems.append(f'{qid}: "{answer}" is not a choice')
                for answer in rule.remediation:
                    if answer != "otherwise":
                        problems.append(f'{qid}: multi remediation is keyed "otherwise", not "{answer}"')
            elif question.type == "number":
                if rule.bands is None:
                    problems.append(f"{qid}: a number question is scored with bands")
            else:
                problems.append(f"{qid}: {question.type} questions are not scored")
        for p in self.principles:
            if p not in {s.principle for s in q.sections}:
                problems.append(f"principle {p} is not a section of {q.key}")
        if problems:
            raise ConfigurationError(f"rubric {self.key} does not fit {q.key}: " + "; ".join(problems))


class GeoBands(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low_below: float = 30
    high_from: float = 60
    ongoing_war_band: Band = "high"
    no_reference_data_band: Band = "high"
    no_reference_data_score: float = 100

    def band_for(self, score: float) -> Band:
        if score < self.low_below:
            return "low"
        return "medium" if score < self.high_from else "high"


class WarPoints(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ongoing_war: float = 25
    recent_war: float = 12
    recent_years: int = 5
    past_war: float = 6
    data_last_year: int = 2025


class LegalPoints(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    criminalisation: float = 5


class GeoModel(BaseModel):
    """Weights and thresholds of the geographic risk score (rubrics/geo-1.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    governance: dict[str, float]
    war: WarPoints = WarPoints()
    legal: LegalPoints = LegalPoints()
    bands: GeoBands = GeoBands()

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    @model_validator(mode="after")
    def _dims(self) -> GeoModel:
        unknown = set(self.governance) - {"va", "pv", "ge", "rq", "rl", "cc"}
        if unknown:
            raise ValueError(f"unknown WGI dimensions {sorted(unknown)}")
        total = sum(self.governance.values()) + self.war.ongoing_war + self.legal.criminalisation
        if total > 100.0001:
            raise ValueError(f"the components can add up to {total}, more than 100")
        return self


def rubric_dir() -> Path:
    """Where the shipped rubrics are: one `<questionnaire id>.yaml` per questionnaire, and the models beside them."""
    return Path(str(resources.files("scoring") / "rubrics"))


def _read_yaml(path: Path) -> dict:
    try:
        return load_yaml(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"rubric file {path} cannot be read: {exc}") from exc


def load_rubric(path: str | Path | None = None, *, questionnaire: str = "RDE-1") -> Rubric:
    """Load and validate a rubric (the shipped one for `questionnaire` when `path` is None)."""
    if path is None:
        return _shipped_rubric(questionnaire)
    return _load_rubric(Path(path))


@cache
def _shipped_rubric(questionnaire: str) -> Rubric:
    return _load_rubric(rubric_dir() / f"{questionnaire}.yaml")


def _load_rubric(path: Path) -> Rubric:
    data = _read_yaml(path)
    try:
        rubric = Rubric.model_validate(data)
    except ValueError as exc:
        raise ConfigurationError(f"rubric file {path.name} is invalid: {exc}") from exc
    rubric.check_against(load_questionnaire(rubric.questionnaire))
    return rubric


def load_geo_model(path: str | Path | None = None) -> GeoModel:
    """Load the geographic risk model (the shipped geo-1 when `path` is None)."""
    if path is None:
        return _shipped_geo_model()
    return _load_geo(Path(path))


@cache
def _shipped_geo_model() -> GeoModel:
    return _load_geo(rubric_dir() / "geo-1.yaml")


def _load_geo(path: Path) -> GeoModel:
    try:
        return GeoModel.model_validate(_read_yaml(path))
    except ValueError as exc:
        raise ConfigurationError(f"geographic model {path.name} is invalid: {exc}") from exc
