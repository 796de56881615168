"""The clause library: versioned contract text that legal owns, loaded and validated.

The library is a YAML file (`clauses/responsible-collection.yaml`); a legal
reviewer edits it without reading Python. This module turns it into pydantic
models, checks every condition and placeholder, and picks the clauses that
apply to one vendor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scoring.terms import Band, DecisionValue
from supplier_models.errors import ClauseLibraryError
from supplier_models.yamlfile import safe_load as load_yaml

DEFAULT_LIBRARY = Path(__file__).parent / "clauses" / "responsible-collection.yaml"

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
REMEDIATION_KEY = re.compile(r"^(?:[A-Z]+-\d+|[a-z][a-z0-9_]*)$")
QUESTION_ID = re.compile(r"^[A-Z]+-\d+$")
SCHEDULE_ITEMS = "items"  # the one placeholder of `schedule_reference`
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
    has_remediations: bool = False


class Condition(BaseModel):
    """When a clause applies: `always`, or every test given here holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    always: bool = False
    question: str | None = None
    equals: str | None = None
    includes: str | None = None
    decision: tuple[DecisionValue, ...] | None = None
    country_flag: str | None = Field(None, description="a flag name, or `any` for any flag")
    country_band: tuple[Band, ...] | None = None
    remediations: bool | None = Field(None, description="true: the decision lists at least one remediation")

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
        tests = [self.question, self.decision, self.country_flag, self.country_band, self.remediations]
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
        if self.remediations is not None and facts.has_remediations != self.remediations:
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
        if self.remediations is not None:
            parts.append("the decision lists remediations" if self.remediations else "no remediation is listed")
        return " and ".join(parts)


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    version: str
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    applies_when: Condition
    mandatory: bool
    amended_by: tuple[str, ...] = Field(
        (), description="remediations (question ids such as PAY-06, or country rules such as below_living_wage) "
                        "that amend this clause: their Schedule 1 items name it and it says it is subject to them")

    @field_validator("amended_by")
    @classmethod
    def _remediation_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [k for k in value if not REMEDIATION_KEY.match(k)]
        if bad:
            raise ValueError(f"amended_by entries must be question ids (PAY-06) or rule keys (below_living_wage): {bad}")
        return value

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
    schedule_reference: str = Field(
        min_length=1, description="the paragraph added to a clause that Schedule 1 items amend; {items} is "
                                  "replaced with e.g. 'item 7' or 'items 7, 8 and 9'")
    clauses: tuple[Clause, ...]

    @field_validator("schedule_reference")
    @classmethod
    def _schedule_reference(cls, value: str) -> str:
        if JINJA_MARKUP.search(value):
            raise ValueError("schedule_reference must be plain prose: no {{ }}, {% %} or {# #} template markup")
        names = set(PLACEHOLDER.findall(value))
        if names != {SCHEDULE_ITEMS}:
            raise ValueError("schedule_reference must use exactly one placeholder, {items} "
                             f"(found: {', '.join(sorted(names)) or 'none'})")
        if "Schedule 1" not in value:
            raise ValueError("schedule_reference must name Schedule 1, the remediation schedule")
        return " ".join(value.split())

    def schedule_paragraph(self, items: Sequence[int | str]) -> str:
        """The `schedule_reference` paragraph for these Schedule 1 items, by the id each row shows (R3, or its
        number in a SOW made without the remediation register)."""
        numbers = [str(n) for n in items]
        text = f"item {numbers[0]}" if len(numbers) == 1 else \
            "items " + ", ".join(numbers[:-1]) + " and " + numbers[-1]
        return self.schedule_reference.replace("{" + SCHEDULE_ITEMS + "}", text)

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

    @staticmethod
    def amended_clause(keys: list[str], clauses: list[Clause]) -> Clause | None:
        """The first of `clauses` (in SOW order) that a remediation with these keys (its rule, its
        question) amends, or None."""
        for key in keys:
            for clause in clauses:
                if key in clause.amended_by:
                    return clause
        return None


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
        data = load_yaml(file.read_text("utf-8"))
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
            unknown = [k for k in clause.amended_by if QUESTION_ID.match(k) and k not in known_questions]
            if unknown:
                raise ClauseLibraryError(f"clause library {file}: clause {clause.id} is amended_by unknown "
                                         f"question(s) {', '.join(unknown)}")
    return library
