"""The domain: questionnaire definitions, submissions, countries and their reference data, the organisation's
policy, settings and the one error hierarchy (`errors`); with `store/` (the database) and `workbooks/` (every Excel
file fairsource reads or writes).

The names below are imported on first use (PEP 562), so `from supplier_models import FairsourceError` does not
load the store (SQLAlchemy, Alembic) or the workbook writer (openpyxl): a command loads only what it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

_EXPORTS = {
    "ConfigurationError": "errors",
    "FairsourceError": "errors",
    "Problem": "errors",
    "QuestionnaireNotFound": "errors",
    "StoreError": "errors",
    "WorkbookRejected": "errors",
    "fill_form": "workbooks.form",
    "write_form": "workbooks.form",
    "Question": "questionnaire",
    "Questionnaire": "questionnaire",
    "current": "questionnaire",
    "load": "questionnaire",
    "read_workbook": "workbooks.reader",
    "Settings": "settings",
    "get_settings": "settings",
    "Store": "store",
    "CountryRow": "submission",
    "Submission": "submission",
}

__all__ = [
    "ConfigurationError",
    "CountryRow",
    "FairsourceError",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireNotFound",
    "Settings",
    "Store",
    "StoreError",
    "Submission",
    "WorkbookRejected",
    "current",
    "fill_form",
    "get_settings",
    "load",
    "read_workbook",
    "write_form",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .errors import (
        ConfigurationError,
        FairsourceError,
        Problem,
        QuestionnaireNotFound,
        StoreError,
        WorkbookRejected,
    )
    from .questionnaire import Question, Questionnaire, current, load
    from .settings import Settings, get_settings
    from .store import Store
    from .submission import CountryRow, Submission
    from .workbooks.form import fill_form, write_form
    from .workbooks.reader import read_workbook
