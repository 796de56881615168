"""What a vendor returned: the parsed, validated answers of one workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

AnswerValue = str | Decimal | dt.date | list[str] | None
"""yes_no and choice -> the canonical choice text; multi -> list of choice texts;
number -> Decimal; date -> date; text -> str; an unanswered optional question -> None."""


class CountryRow(BaseModel):
    """One row of the Countries sheet: where some of the vendor's workers are."""

    model_config = ConfigDict(frozen=True)
    iso2: str
    name: str
    share_pct: Decimal = Field(description="share of the workforce on our projects, percent")
    workers: int
    lowest_hourly_pay: Decimal = Field(description="lowest gross hourly pay, local currency")
    currency: str = Field(description="ISO 4217 code")
    pay_basis: str
    row: int = Field(description="row number on the Countries sheet, for error messages")


class Attestation(BaseModel):
    """Who confirmed, for the vendor, that the answers are true and complete: the form's Attestation sheet."""

    model_config = ConfigDict(frozen=True)
    name: str = Field(description="the person who attests")
    title: str = Field(description="their position at the vendor")
    date: dt.date = Field(description="the date they gave for the attestation")


class Submission(BaseModel):
    """A returned questionnaire, validated against the definition it was issued under."""

    model_config = ConfigDict(frozen=True)
    questionnaire_id: str
    questionnaire_version: str
    vendor_name: str = Field(description="the vendor the form was issued to (_meta sheet)")
    issued_at: dt.datetime | None = None
    form_id: str | None = None
    sha256: str = Field(description="sha256 of the workbook file as received")
    filename: str = ""
    answers: dict[str, AnswerValue]
    evidence: dict[str, str] = Field(default_factory=dict)
    countries: list[CountryRow]
    cells: dict[str, str] = Field(
        default_factory=dict, description="question id -> Questionnaire!E12, for explanations"
    )
    attestation: Attestation | None = Field(
        None, description="who attested the answers; None for a form issued before forms carried the attestation"
    )

    @model_validator(mode="before")
    @classmethod
    def _typed_answers(cls, data: object) -> object:
        """Stored as JSON, numbers and dates come back as text: re-type them by the definition."""
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            return data
        from .questionnaire import load

        definition = load(data["questionnaire_id"], data["questionnaire_version"])
        answers = dict(data["answers"])
        for qid, value in answers.items():
            question = definition.by_id.get(qid)
            if question is None or not isinstance(value, str):
                continue
            if question.type == "number":
                answers[qid] = Decimal(value)
            elif question.type == "date":
                answers[qid] = dt.date.fromisoformat(value)
        return {**data, "answers": answers}

    @property
    def legal_entity(self) -> str:
        return str(self.answers.get("COMP-01") or self.vendor_name)

    def answer(self, question_id: str) -> AnswerValue:
        return self.answers.get(question_id)
