"""Models, questionnaire definitions, workbook I/O and the store."""

from .errors import ConfigurationError, FairsourceError, Problem, QuestionnaireNotFound, StoreError, WorkbookRejected
from .form import fill_form, write_form
from .intake import Received, receive_workbook
from .questionnaire import Question, Questionnaire, current, load
from .reader import read_workbook
from .settings import Settings, get_settings
from .store import Store
from .submission import CountryRow, Submission

__all__ = [
    "ConfigurationError",
    "CountryRow",
    "FairsourceError",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireNotFound",
    "Received",
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
    "receive_workbook",
    "write_form",
]
