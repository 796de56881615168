"""Frameworks as versioned data: `rubrics/<framework id>.yaml` (Fairwork's Cloudwork Principles, PAI's steps).

A framework lists items (a Fairwork threshold, a PAI step), each with conditions on questionnaire answers and on
country data. It is validated like a rubric: every question a condition names must be a question of a shipped
questionnaire (the test fitting its type and choices) or be declared under `later_questions` (a question a later
questionnaire version will ask; until then the item is "not answerable" from the version a vendor answered).
`scoring.frameworks.evaluate` applies one to an assessment. See docs/frameworks.md.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from supplier_models.errors import ConfigurationError
from supplier_models.questionnaire import Question, Questionnaire, available
from supplier_models.yamlfile import safe_load as load_yaml

SHIPPED = ("fairwork-cloudwork-2024", "pai-responsible-sourcing")
"""The frameworks fairsource evaluates for every assessment, in the order it shows them."""

CountryTest = Literal["not_below_minimum_wage", "not_below_living_wage"]


class AnswerTest(BaseModel):
    """A test on one question's answer: exactly one of equals, one_of, not_one_of, includes, at_most, at_least."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    equals: str | None = None
    one_of: tuple[str, ...] | None = None
    not_one_of: tuple[str, ...] | None = None
    includes: str | None = None
    at_most: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> AnswerTest:
        tests = [self.equals, self.one_of, self.not_one_of, self.includes, self.at_most, self.at_least]
        if sum(t is not None for t in tests) != 1:
            raise ValueError(f"{self.question}: give exactly one of equals, one_of, not_one_of, includes, "
                             "at_most, at_least")
        return self

    def holds(self, value: object) -> bool:
        if self.equals is not None:
            return value == self.equals
        if self.one_of is not None:
            return value in self.one_of
        if self.not_one_of is not None:
            return value not in self.not_one_of
        if self.includes is not None:
            return isinstance(value, (list, tuple)) and self.includes in value
        number = float(value)  # type: ignore[arg-type]
        return number <= self.at_most if self.at_most is not None else number >= self.at_least  # type: ignore[operator]

    def describe(self) -> str:
        if self.equals is not None:
            return f'{self.question} is "{self.equals}"'
        if self.one_of is not None:
            return f"{self.question} is one of " + ", ".join(f'"{c}"' for c in self.one_of)
        if self.not_one_of is not None:
            return f"{self.question} is not " + " or ".join(f'"{c}"' for c in self.not_one_of)
        if self.includes is not None:
            return f'{self.question} includes "{self.includes}"'
        return f"{self.question} at most {self.at_most:g}" if self.at_most is not None \
            else f"{self.question} at least {self.at_least:g}"

    def problems(self, question: Question, where: str) -> list[str]:
        """What does not fit `question` (its type and choices) in this test."""
        named = [self.equals] if self.equals is not None else list(self.one_of or self.not_one_of or ())
        if named and question.type in ("yes_no", "choice"):
            return [f'{where}: "{c}" is not an answer to {question.id}' for c in named if c not in question.options]
        if named:
            return [f"{where}: {question.id} is a {question.type} question; test it with "
                    + ("includes" if question.type == "multi" else "at_most or at_least")]
        if self.includes is not None and (question.type != "multi" or self.includes not in question.choices):
            return [f'{where}: {question.id} has no choice "{self.includes}" to include']
        if (self.at_most is not None or self.at_least is not None) and question.type != "number":
            return [f"{where}: {question.id} is not a number question"]
        return []


class ItemCondition(AnswerTest):
    """One condition of an item: a test on an answer (optionally only `when` another holds), or on country data."""

    question: str | None = None  # type: ignore[assignment]
    countries: CountryTest | None = None
    when: AnswerTest | None = None

    @model_validator(mode="after")
    def _one_test(self) -> ItemCondition:
        if self.countries is not None:
            if self.question is not None or self.when is not None:
                raise ValueError("a countries condition takes no question and no when")
            return self
        if self.question is None:
            raise ValueError("a condition needs a question or countries")
        return AnswerTest._one_test(self)  # type: ignore[return-value]

    def describe(self) -> str:
        if self.countries == "not_below_minimum_wage":
            return "no country's lowest pay below its statutory minimum wage"
        if self.countries == "not_below_living_wage":
            return "no country's lowest pay below a minimum or living wage known for it"
        text = self.describe_test()
        return f"{text}, when {self.when.describe()}" if self.when is not None else text

    def describe_test(self) -> str:
        """The test on the answer, without its `when`."""
        return AnswerTest.describe(self)


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    group: str
    title: str
    reading: str = Field(description="the project's own short words for what the item asks")
    points: int = Field(1, ge=0)
    requires: str | None = Field(None, description="the item whose being met this item's points need")
    conditions: tuple[ItemCondition, ...] = Field(min_length=1)


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    edition: str
    publisher: str
    published: str = Field(description="where it is published, in words (no address is cited)")

    @property
    def label(self) -> str:
        return f"{self.publisher}, {self.title} ({self.edition})"


class Framework(BaseModel):
    """One version of a framework's mapping to questionnaire answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    title: str
    source: Source
    reviewer: str = Field(min_length=1, description="who must check the mapping against the published text")
    points_rule: str
    groups: tuple[Group, ...]
    later_questions: dict[str, str] = Field(default_factory=dict)
    items: tuple[Item, ...]

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    @property
    def max_points(self) -> int:
        return sum(item.points for item in self.items)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    @model_validator(mode="after")
    def _shape(self) -> Framework:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate item ids in {sorted(ids)}")
        groups = {g.id for g in self.groups}
        for position, item in enumerate(self.items):
            if item.group not in groups:
                raise ValueError(f"item {item.id}: unknown group {item.group}")
            earlier = {i.id: i for i in self.items[:position]}
            if item.requires is not None and (item.requires not in earlier
                                              or earlier[item.requires].group != item.group):
                raise ValueError(f"item {item.id}: requires {item.requires}, which must be an earlier item "
                                 "of the same group")
        return self

    def check_against(self, questionnaires: tuple[Questionnaire, ...]) -> None:
        """Raise ConfigurationError unless every condition fits a questionnaire or names a later question."""
        problems: list[str] = []
        for item in self.items:
            for cond in item.conditions:
                for test in (cond, cond.when):
                    if test is None or test.question is None:
                        continue
                    asked = [q.by_id[test.question] for q in questionnaires if test.question in q.by_id]
                    if not asked and test.question not in self.later_questions:
                        problems.append(f"item {item.id}: {test.question} is neither a question of "
                                        f"{', '.join(q.key for q in questionnaires)} nor listed under "
                                        "later_questions")
                    for question in asked:
                        problems.extend(test.problems(question, f"item {item.id}"))
        if problems:
            raise ConfigurationError(f"framework {self.key} does not fit the questionnaires: " + "; ".join(problems))


def framework_dir() -> Path:
    return Path(str(resources.files("scoring") / "rubrics"))


def load_framework(framework_id: str, path: str | Path | None = None) -> Framework:
    """Load and validate a framework: the shipped one named `framework_id`, or the file at `path`."""
    if path is None:
        if framework_id not in SHIPPED:
            raise ConfigurationError(f"no framework {framework_id} (known: {', '.join(SHIPPED)})")
        return _shipped(framework_id)
    return _load(Path(path))


def shipped_frameworks() -> tuple[Framework, ...]:
    return tuple(load_framework(f) for f in SHIPPED)


@cache
def _shipped(framework_id: str) -> Framework:
    return _load(framework_dir() / f"{framework_id}.yaml")


def _load(path: Path) -> Framework:
    try:
        framework = Framework.model_validate(load_yaml(path.read_text("utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigurationError(f"framework file {path.name} is invalid: {exc}") from exc
    framework.check_against(available())
    return framework
