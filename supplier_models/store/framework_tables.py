"""The frameworks' summary of each assessment (revision 0018), beside `tables.py`: written with the vendor's state
row in the transaction that stores the assessment (intake, rescoring), never rewritten (a rescoring is a new
assessment with its own), so the dashboard reads the distribution of Fairwork points in SQL instead of evaluating
every vendor's answers (`flows.usecases.frameworks`). An assessment stored before 0018 gets its summary when its
vendor's state row is next written (0018 marks every row as no longer holding)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class AssessmentFramework(SQLModel, table=True):
    __tablename__ = "assessment_framework"

    assessment_id: str = Field(foreign_key="assessment.id", primary_key=True, max_length=36)
    framework: str = Field(primary_key=True, max_length=60, description="the framework's id, e.g. "
                           "fairwork-cloudwork-2024")
    version: str = Field(max_length=40, description="the framework file's version it was evaluated with")
    points: int = Field(description="items met (Fairwork: points, the second of a principle only with the first)")
    possible_points: int = Field(description="the points the questionnaire version used can answer")
    max_points: int
