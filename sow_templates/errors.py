"""Errors of the SOW generator; every one derives from `FairsourceError`."""

from __future__ import annotations

from supplier_models.errors import FairsourceError


class SowError(FairsourceError):
    """Base class of the SOW generator's errors."""


class ClauseLibraryError(SowError):
    """The clause library or the survey definition file is invalid; the message names the file and entry."""


class TemplateError(SowError):
    """A Word template cannot be used: unknown variables, no clause loop, broken template syntax."""


class SowNotAllowed(SowError):
    """No SOW may be written for this decision (the vendor is not qualified)."""


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
