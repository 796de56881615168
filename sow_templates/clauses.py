"""The clause library: versioned contract text that legal owns, loaded and validated.

The library is a YAML file (`clauses/responsible-collection.yaml`); a legal
reviewer edits it without reading Python. This module turns it into pydantic
models, checks every condition and placeholder, and picks the clauses that
apply to one vendor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ClauseLibraryError

DEFAULT_LIBRARY = Path(__file__).parent / "clauses" / "responsible-collection.yaml"

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
JINJA_MARKUP = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")

# Placeholders build_context fills from the submission and the decision; the
# library's `parameters` are placeholders too.
CONTEXT_PLACEHOLDERS = frozenset({
    "client", "supplier", "services", "countries", "pay_floors", "payment_model", "payment_frequency",
    "living_wage_benchmark",
    "breach_notice_hours", "gender_unsafe_countries", "high_risk_countries", "flagged_countries",
    "remediation_count", "assessed_on", "valid_until", "questionnaire",
})


class ClauseFacts(BaseModel):
    """What a condition is tested against: a view of one submission and its decision."""

    answers: Mapping[str, object]
    decision: str
    country_flags: frozenset[str]
    country_bands: frozenset[str]


class Condition(BaseModel):
    """When a clause applies: `always`, or every test given here holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    always: bool = False
    question: str | None = None
    equals: str | None = None
    includes: str | None = None
    decision: tuple[Literal["qualified", "conditional", "not_qualified"], ...] | None = None
    country_flag: str | None = Field(None, description="a flag name, or `any` for any flag")
    country_band: tuple[Literal["low", "medium", "high", "prohibited"], ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _always(cls, value: object) -> object:
        if value == "always":
            return {"always": True}
        if isinstance(value, str):
            raise ValueError(f"applies_when must be `always` or a mapping of tests, not {value!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Condition:
        tests = [self.question, self.decision, self.country_flag, self.country_band]
        if self.always and any(t is not None for t in tests):
            raise ValueError("`always` cannot be combined with other tests")
        if not self.always and all(t is None for t in tests):
            raise ValueError("applies_when needs `always` or at least one test")
        if self.question is not None and (self.equals is None) == (self.includes is None):
            raise ValueError(f"the test on {self.question} needs exactly one of `equals` or `includes`")
        if self.question is None and (self.equals is not None or self.includes is not None):
            raise ValueError("`equals`/`includes` need a `question`")
        return self

    def holds(self, facts: ClauseFacts) -> bool:
        if self.always:
            return True
        if self.question is not None:
            value = facts.answers.get(self.question)
            if self.equals is not None and value != self.equals:
                return False
            if self.includes is not None and not (isinstance(value, list | tuple) and self.includes in value):
                return False
        if self.decision is not None and facts.decision not in self.decision:
            return False
        if self.country_flag is not None:
            if self.country_flag == "any" and not facts.country_flags:
                return False
            if self.country_flag != "any" and self.country_flag not in facts.country_flags:
                return False
        return self.country_band is None or bool(facts.country_bands & set(self.country_band))

    def describe(self) -> str:
        if self.always:
            return "always"
        parts = []
        if self.question:
            parts.append(f'{self.question} {"is" if self.equals else "includes"} "{self.equals or self.includes}"')
        if self.decision:
            parts.append(f"decision is {' or '.join(self.decision)}")
        if self.country_flag:
            parts.append(f"a country is flagged {self.country_flag}")
        if self.country_band:
            parts.append(f"a country is in band {' or '.join(self.country_band)}")
        return " and ".join(parts)


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    version: str
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    applies_when: Condition
    mandatory: bool

    @field_validator("text", "title")
    @classmethod
    def _no_markup(cls, value: str) -> str:
        if JINJA_MARKUP.search(value):
            raise ValueError("clause text must be plain prose: no {{ }}, {% %} or {# #} template markup")
        return value.strip()

    @property
    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.text)) | set(PLACEHOLDER.findall(self.title))

    def paragraphs(self, values: Mapping[str, str]) -> list[str]:
        """The clause's paragraphs with placeholders filled (one pass: values are never re-read)."""
        filled = PLACEHOLDER.sub(lambda m: values[m.group(1)], self.text)
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", filled) if p.strip()]


class ClauseLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    title: str
    review_status: str = ""
    parameters: dict[str, str] = Field(default_factory=dict)
    clauses: tuple[Clause, ...]

    @model_validator(mode="after")
    def _check(self) -> ClauseLibrary:
        ids = [c.id for c in self.clauses]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate clause ids: {dupes}")
        clash = sorted(set(self.parameters) & CONTEXT_PLACEHOLDERS)
        if clash:
            raise ValueError(f"parameters may not reuse the names of context placeholders: {clash}")
        known = CONTEXT_PLACEHOLDERS | set(self.parameters)
        for clause in self.clauses:
            unknown = sorted(clause.placeholders - known)
            if unknown:
                raise ValueError(
                    f"clause {clause.id}: unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
                    f"known: {', '.join(sorted(known))}"
                )
        return self

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    def applicable(self, facts: ClauseFacts) -> list[Clause]:
        return [c for c in self.clauses if c.applies_when.holds(facts)]


def _question_ids() -> set[str] | None:
    try:
        from supplier_models.questionnaire import available
    except ImportError:  # pragma: no cover - supplier_models ships with fairsource
        return None
    return {q.id for questionnaire in available() for q in questionnaire.questions}


def load_clause_library(path: str | Path | None = None) -> ClauseLibrary:
    """Read and validate a clause library file (the bundled one when `path` is None)."""
    file = Path(path) if path is not None else DEFAULT_LIBRARY
    try:
        data = yaml.safe_load(file.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ClauseLibraryError(f"clause library {file}: cannot be read: {exc}") from exc
    try:
        library = ClauseLibrary.model_validate(data)
    except ValidationError as exc:
        raise ClauseLibraryError(f"clause library {file} is invalid:\n{exc}") from exc
    known_questions = _question_ids()
    if known_questions:
        for clause in library.clauses:
            q = clause.applies_when.question
            if q is not None and q not in known_questions:
                raise ClauseLibraryError(f"clause library {file}: clause {clause.id} tests unknown question {q}")
    return library
