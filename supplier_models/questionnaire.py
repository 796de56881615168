"""Questionnaire definitions: versioned data files loaded into pydantic models.

A questionnaire (`questionnaires/<ID>.yaml`) lists the questions a vendor
answers, their types and choices, which answers knock a vendor out, and which
questions are conditional. Adding a questionnaire means adding a file; no code
changes. A returned workbook names the questionnaire id and version it was
issued under, and is read by exactly that definition.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ConfigurationError, QuestionnaireNotFound
from .yamlfile import safe_load as load_yaml

QuestionType = Literal["yes_no", "choice", "multi", "number", "date", "text"]
YES_NO = ("Yes", "No")


class Condition(BaseModel):
    """A test on another question's answer: `equals` one text, `one_of` several texts (any of them), or
    `includes` one choice (of a multi question)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    equals: str | None = None
    one_of: tuple[str, ...] | None = None
    includes: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if sum(test is not None for test in (self.equals, self.one_of, self.includes)) != 1:
            raise ValueError("a condition needs exactly one of 'equals', 'one_of' or 'includes'")
        if self.one_of is not None and not self.one_of:
            raise ValueError("'one_of' needs at least one answer")
        return self

    def holds(self, answers: dict[str, object]) -> bool:
        value = answers.get(self.question)
        if self.equals is not None:
            return value == self.equals
        if self.one_of is not None:
            return isinstance(value, str) and value in self.one_of
        return isinstance(value, (list, tuple)) and self.includes in value

    def describe(self) -> str:
        if self.equals is not None:
            return f'{self.question} is "{self.equals}"'
        if self.one_of is not None:
            return f"{self.question} is " + " or ".join(f'"{answer}"' for answer in self.one_of)
        return f'{self.question} includes "{self.includes}"'


class Knockout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    answer: str
    rule: str
    reason: str
    when: Condition | None = None

    def triggered(self, answer: object, answers: dict[str, object]) -> bool:
        return answer == self.answer and (self.when is None or self.when.holds(answers))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    principle: str


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str
    type: QuestionType
    guidance: str = ""
    choices: tuple[str, ...] = ()
    exclusive: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    optional: bool = False
    required_if: Condition | None = None
    optional_if: Condition | None = None
    knockout: Knockout | None = None
    dropdown: Literal["countries"] | None = None
    """A text question whose Answer cell offers a list to pick from (the form's country list)
    while still taking any text typed; the answer stays the text as typed."""

    @property
    def section(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def options(self) -> tuple[str, ...]:
        """The answers a dropdown offers (yes/no and choice questions)."""
        return YES_NO if self.type == "yes_no" else self.choices

    @property
    def range_text(self) -> str:
        """The accepted range of a number question, in words."""
        if self.min is not None and self.max is not None:
            return f"from {self.min:g} to {self.max:g}"
        if self.min is not None:
            return f"at least {self.min:g}"
        if self.max is not None:
            return f"at most {self.max:g}"
        return "any number"

    def is_required(self, answers: dict[str, object]) -> bool:
        if self.optional:
            return False
        if self.required_if is not None:
            return self.required_if.holds(answers)
        if self.optional_if is not None:
            return not self.optional_if.holds(answers)
        return True

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type in ("choice", "multi") and not self.choices:
            raise ValueError(f"{self.id}: a {self.type} question needs choices")
        if self.type not in ("choice", "multi") and self.choices:
            raise ValueError(f"{self.id}: only choice and multi questions have choices")
        if self.dropdown is not None and self.type != "text":
            raise ValueError(f"{self.id}: only text questions take a dropdown; choice questions list their choices")
        if self.knockout and self.type == "yes_no" and self.knockout.answer not in YES_NO:
            raise ValueError(f"{self.id}: knockout answer must be Yes or No")
        return self


class CountriesSheetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_rows: int = 200
    share_tolerance: float = 0.5
    pay_basis_choices: tuple[str, ...]


class Questionnaire(BaseModel):
    """One version of a questionnaire, as its data file defines it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    title: str
    issued_by: str = "fairsource"
    max_text_length: int = 2000
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    countries: CountriesSheetSpec
    by_id: dict[str, Question] = Field(default_factory=dict, exclude=True, repr=False)

    @model_validator(mode="after")
    def _index(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate question ids: {sorted(dupes)}")
        sections = {s.id for s in self.sections}
        for q in self.questions:
            if q.section not in sections:
                raise ValueError(f"{q.id}: unknown section {q.section}")
            for cond in (q.required_if, q.optional_if, q.knockout.when if q.knockout else None):
                if cond is not None and cond.question not in ids:
                    raise ValueError(f"{q.id}: condition refers to unknown question {cond.question}")
        self.by_id.update({q.id: q for q in self.questions})
        return self

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"

    def carries_over(self, question_id: str, earlier: Questionnaire) -> bool:
        """Whether an answer given to `question_id` under `earlier` stands as an answer here: the question is
        asked in both with the same text, type, choices, range and conditions (RDE-1's in RDE-2, all of them)."""
        mine, theirs = self.by_id.get(question_id), earlier.by_id.get(question_id)
        if mine is None or theirs is None:
            return False
        same = ("text", "type", "choices", "exclusive", "min", "max", "optional", "required_if", "optional_if",
                "knockout", "dropdown")
        return all(getattr(mine, field) == getattr(theirs, field) for field in same)

    def carried_over(self, given: dict[str, object], earlier: Questionnaire) -> dict[str, object]:
        """What was given under `earlier` per question (its answers, or its evidence texts) for the questions whose
        answers stand here (`carries_over`), empty ones left out: what a re-attestation under this questionnaire is
        pre-filled with. A question asked here only is left to answer."""
        return {qid: value for qid, value in given.items()
                if value is not None and self.carries_over(qid, earlier)}

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def principle_of(self, question_id: str) -> str:
        return self.section(self.by_id[question_id].section).principle


def _definition_files(extra_dir: str | None) -> list:
    folders = [resources.files("supplier_models") / "questionnaires"]
    if extra_dir:
        folders.append(Path(extra_dir))
    files = [f for folder in folders if folder.is_dir() for f in folder.iterdir() if f.name.endswith(".yaml")]
    return sorted(files, key=lambda f: f.name)


def available() -> tuple[Questionnaire, ...]:
    """Every questionnaire definition: those shipped with fairsource and those in the
    folder named by `FAIRSOURCE_QUESTIONNAIRES` (an organisation's own, no code needed)."""
    return _available(os.environ.get("FAIRSOURCE_QUESTIONNAIRES") or None)


@cache
def _available(extra_dir: str | None) -> tuple[Questionnaire, ...]:
    found = []
    for file in _definition_files(extra_dir):
        try:
            found.append(Questionnaire.model_validate(load_yaml(file.read_text("utf-8"))))
        except Exception as exc:  # a broken policy file must say which file
            raise ConfigurationError(f"questionnaire file {file.name} is invalid: {exc}") from exc
    keys = [q.key for q in found]
    if len(set(keys)) != len(keys):
        raise ConfigurationError(f"two questionnaire files define the same id and version: {sorted(keys)}")
    return tuple(found)


def load(questionnaire_id: str = "RDE-1", version: str | None = None) -> Questionnaire:
    """The questionnaire with this id (and version; the newest when None)."""
    matches = [q for q in available() if q.id == questionnaire_id]
    if version is not None:
        matches = [q for q in matches if q.version == version]
    if not matches:
        known = ", ".join(q.key for q in available())
        wanted = questionnaire_id + (f" v{version}" if version else "")
        raise QuestionnaireNotFound(f"no questionnaire {wanted} (known: {known})")
    return max(matches, key=lambda q: tuple(int(p) for p in q.version.split(".") if p.isdigit()))


def current() -> Questionnaire:
    """The questionnaire new forms are issued under."""
    from .settings import get_settings

    return load(get_settings().questionnaire)
