"""The Statement of Work: clause library, survey, Word template, rendering and verification.

    from sow_templates import build_context, render_sow
    context = build_context(submission, decision, organisation="Northwind AI Ltd")
    sow = render_sow(context, out=Path("sow.docx"))   # verified before it appears at `out`

Pure rendering: no database, no Prefect.
"""

from supplier_models.errors import (
    ClauseLibraryError,
    LibreOfficeNotFound,
    PdfConversionError,
    SowError,
    SowNotAllowed,
    SowVerificationError,
    TemplateError,
)

from .clauses import Clause, ClauseLibrary, load_clause_library
from .context import SowContext, build_context
from .pdf import to_pdf
from .render import DEFAULT_TEMPLATE, RenderedSow, SowTemplate, load_template, render_sow
from .survey import SurveyDefinition, load_survey
from .verify import read_docx_text, verify_document

__all__ = [
    "DEFAULT_TEMPLATE",
    "Clause",
    "ClauseLibrary",
    "ClauseLibraryError",
    "LibreOfficeNotFound",
    "PdfConversionError",
    "RenderedSow",
    "SowContext",
    "SowError",
    "SowNotAllowed",
    "SowTemplate",
    "SowVerificationError",
    "SurveyDefinition",
    "TemplateError",
    "build_context",
    "load_clause_library",
    "load_survey",
    "load_template",
    "read_docx_text",
    "render_sow",
    "to_pdf",
    "verify_document",
]
