"""The self-identification survey (Appendix A of every SOW), as versioned data."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from supplier_models.errors import ClauseLibraryError
from supplier_models.yamlfile import safe_load as load_yaml

DEFAULT_SURVEY = Path(__file__).parent / "survey" / "self-identification.yaml"


class SurveyQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    prompt: str
    multiple: bool = False
    self_describe: bool = False
    options: tuple[str, ...] = Field(min_length=1)
    omit_for_flags: dict[str, str] = Field(
        default_factory=dict, description="country flag -> the sentence saying why the question is left out"
    )


class SurveyDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    title: str
    review_status: str = ""
    prefer_not_to_answer: str = "Prefer not to answer"
    self_describe_label: str = "Prefer to self-describe"
    introduction: str = ""
    questions: tuple[SurveyQuestion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SurveyDefinition:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate survey question ids: {ids}")
        for q in self.questions:
            if self.prefer_not_to_answer in q.options:
                raise ValueError(f"{q.id}: '{self.prefer_not_to_answer}' is added to every question; do not list it")
        return self

    @property
    def key(self) -> str:
        return f"{self.id} v{self.version}"


def load_survey(path: str | Path | None = None) -> SurveyDefinition:
    """Read and validate a survey definition (the bundled one when `path` is None)."""
    file = Path(path) if path is not None else DEFAULT_SURVEY
    try:
        return SurveyDefinition.model_validate(load_yaml(file.read_text("utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ClauseLibraryError(f"survey definition {file} is invalid: {exc}") from exc
