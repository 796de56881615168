"""The one error hierarchy of fairsource.

Every error the project raises derives from :class:`FairsourceError`, so a
caller (the command line, a flow, a user's script) can catch one type.
"""

from __future__ import annotations

from pydantic import BaseModel


class FairsourceError(Exception):
    """Base class of every error fairsource raises."""


class ConfigurationError(FairsourceError):
    """A setting, a data file or a template is unusable."""


class QuestionnaireNotFound(FairsourceError):
    """No questionnaire definition exists for an id and version."""


class StoreError(FairsourceError):
    """The database refused or lost a write."""


class Problem(BaseModel):
    """One thing wrong with a returned workbook, located for the person fixing it."""

    cell: str | None = None
    """`Sheet!A1` reference, or just the sheet name, or None for the file."""
    question: str | None = None
    """The question id (e.g. `PAY-03`) or Countries column the problem is about."""
    message: str

    def __str__(self) -> str:
        where = self.cell or "file"
        about = f" [{self.question}]" if self.question else ""
        return f"{where}{about}: {self.message}"


class WorkbookRejected(FairsourceError):
    """A returned questionnaire cannot be accepted; carries every problem found."""

    def __init__(self, problems: list[Problem], path: str | None = None) -> None:
        self.problems = problems
        self.path = path
        head = f"{path}: " if path else ""
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{head}workbook rejected, {count} problem{'s' if count != 1 else ''}:\n{lines}")

    def as_json(self) -> dict:
        return {"errors": [p.model_dump() for p in self.problems]}
