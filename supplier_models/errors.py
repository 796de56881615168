"""The one error hierarchy of fairsource: every error the project raises is defined here.

Every error derives from :class:`FairsourceError`, so a caller (the command line, a flow, the web app, a
user's script) can catch one type. The packages re-export the ones their callers meet (`sow_templates`
re-exports the SOW errors); the classes themselves live only in this module::

    FairsourceError
    ├── ConfigurationError        a setting, a data file or a template is unusable
    ├── QuestionnaireNotFound     no questionnaire definition for an id and version
    ├── StoreError                the database refused or lost a write
    │   └── RegisterChanged       the remediation register changed while a SOW was written: nothing stored
    ├── WorkbookRejected          a returned workbook cannot be accepted (carries every Problem)
    ├── ActionRefused             a lifecycle action that cannot be taken as asked (exit status 2)
    ├── AuthError                 an account or a portal link cannot be made or changed as asked
    ├── ServeStopped              `fairsource serve` went away during a handed-off intake
    ├── SowError                  the SOW generator's errors
    │   ├── ClauseLibraryError    the clause library or survey definition is invalid
    │   ├── TemplateError         a Word template cannot be used
    │   ├── SowNotAllowed         no SOW for this decision (the vendor is not qualified)
    │   ├── NotQualified          no qualifying assessment for the vendor (the `sow` flow)
    │   ├── SowVerificationError  a rendered SOW lacks mandatory clauses or facts
    │   └── PdfConversionError    LibreOffice failed to convert a SOW to PDF
    │       └── LibreOfficeNotFound   neither `soffice` nor `libreoffice` is on PATH
    └── WebError                  a request the web app refuses, with its HTTP status
        ├── LoginRequired         401
        ├── Forbidden             403
        ├── WrongVendor           403: a questionnaire issued to another vendor, sent through a portal link
        ├── NotFound              404
        ├── UploadTooLarge        413
        └── PdfUnavailable        503
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


class RegisterChanged(StoreError):
    """The remediation ids a SOW printed are not those the register gives in the write transaction (another
    write changed the vendor's register meanwhile): nothing is stored, and the SOW file is removed."""


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


class ActionRefused(FairsourceError):
    """A lifecycle action that cannot be taken as asked (exit status 2): the message says why, in words; `field`
    names what was missing or wrong (reason, reviewer, to, override_knockout, evidence), so each front door points
    at it its own way (the command line: its option; the web app: the form's field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AuthError(FairsourceError):
    """An account or a portal link cannot be made or changed as asked: the message says why, in words; `field`
    names what was wrong when one thing was (email, role, password, current, confirm), so each front door points at
    it its own way (the command line: its argument or option; the web app: the form's field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ServeStopped(FairsourceError):
    """serve's process went away while it ran the command's intake."""


# -- the SOW -----------------------------------------------------------------------------------------------
class SowError(FairsourceError):
    """Base class of the SOW generator's errors."""


class ClauseLibraryError(SowError):
    """The clause library or the survey definition file is invalid; the message names the file and entry."""


class TemplateError(SowError):
    """A Word template cannot be used: unknown variables, no clause loop, broken template syntax."""


class SowNotAllowed(SowError):
    """No SOW may be written for this decision (the vendor is not qualified)."""


class NotQualified(SowError):
    """The vendor has no qualifying assessment, so no SOW can be written."""


class SowVerificationError(SowError):
    """A rendered SOW lacks mandatory clauses or facts; nothing was stored."""

    def __init__(self, missing_clauses: list[str], details: list[str] | None = None) -> None:
        self.missing_clauses = list(missing_clauses)
        self.details = list(details or [])
        lines = "\n".join(f"  {d}" for d in self.details)
        super().__init__(
            "the rendered SOW is missing mandatory clause(s) "
            f"{', '.join(self.missing_clauses)}; nothing was stored" + (f":\n{lines}" if lines else "")
        )


class PdfConversionError(SowError):
    """LibreOffice failed to convert a SOW to PDF."""


class LibreOfficeNotFound(PdfConversionError):
    """Neither `soffice` nor `libreoffice` is on PATH."""


# -- the web app ---------------------------------------------------------------------------------------------
class WebError(FairsourceError):
    """A request the web app refuses, with the HTTP status to answer."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class LoginRequired(WebError):
    status_code = 401


class Forbidden(WebError):
    status_code = 403


class WrongVendor(WebError):
    """A questionnaire issued to another vendor, sent through a vendor's portal link."""

    status_code = 403


class NotFound(WebError):
    status_code = 404


class UploadTooLarge(WebError):
    """A request body over the upload limit (`limit` bytes)."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        mb = limit // (1024 * 1024)
        super().__init__(f"The file is larger than {mb} MB; a questionnaire is never more than {mb} MB. Send the "
                         "workbook without embedded files.")


class PdfUnavailable(WebError):
    status_code = 503
