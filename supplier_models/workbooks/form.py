"""The questionnaire workbook a vendor fills in (docs/contracts.md, "The questionnaire workbook").

Sheets: `Instructions` for people; `Questionnaire` (ID, Section, Question,
Guidance, Answer, Evidence: only Answer and Evidence are editable, every
yes/no and choice answer has a dropdown); `Countries` (one row per country
where the vendor's workers are, with dropdowns for ISO country and currency
codes); `Attestation` (name, title and date of the person who attests the answers
are true: attestation.py); hidden `_meta` (questionnaire id and version, vendor,
issue time, form id, where the attestation cells are) and hidden `_lists` (the
dropdowns' values). A pre-filled form (flows/usecases/reattestation.py) carries
a banner saying which answers it holds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ..countries import country_index, currency_codes
from ..questionnaire import Questionnaire, current
from ..submission import Attestation
from .attestation import ATTESTATION_SHEET, attestation_cells, type_attestation, write_attestation_sheet
from .cells import put
from .layout import (
    BANNER_FILL,
    BANNER_FONT,
    EDIT_FILL,
    MARK_FONT,
    UNLOCKED,
    WRAP,
    header,
    print_banner,
    print_setup,
    protect,
)
from .layout import row_height as _row_height
from .marks import AnswerMark, mark_answers

QUESTIONNAIRE_SHEET = "Questionnaire"
COUNTRIES_SHEET = "Countries"
INSTRUCTIONS_SHEET = "Instructions"
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
QUESTION_COLUMNS = ("ID", "Section", "Question", "Guidance", "Answer", "Evidence")
COUNTRY_COLUMNS = (
    "Country",
    "Workforce share %",
    "Workers",
    "Lowest hourly pay",
    "Currency",
    "Pay basis",
)
ANSWER_COL, EVIDENCE_COL = 5, 6

# Column widths (characters) chosen for print as much as for the screen: the Questionnaire, one
# page wide in landscape, prints at about 90% of its 11 pt on A4 and on Letter in Excel (about
# 80%, 9 pt, in LibreOffice without the Calibri metrics); the Countries sheet, one page wide in
# portrait, at about 100%. People may still widen columns on screen.
_QUESTION_WIDTHS = (8, 12, 36, 42, 24, 18)
_COUNTRY_WIDTHS = (26, 12, 10, 14, 10, 24)
INSTRUCTIONS_WIDTH = 100


def requirement_note(question) -> str:
    if question.optional:
        return "Optional."
    if question.required_if is not None:
        return f"Required when {question.required_if.describe()}; otherwise optional."
    if question.optional_if is not None:
        return f"Required unless {question.optional_if.describe()}."
    return "Required."


def _answer_hint(question) -> str:
    if question.type == "multi":
        alone = "".join(f' "{c}" goes alone.' for c in question.exclusive)
        return ("One or more of: " + "; ".join(question.choices) + ". Pick one from the list, or type several "
                "separated by commas." + alone)
    if question.type == "number":
        return f"A number, {question.range_text}."
    if question.type == "date":
        return "A date, YYYY-MM-DD."
    if question.type == "text" and question.dropdown == "countries":
        return "Pick from the list, or type the ISO 3166-1 alpha-2 code (for example KE) or English name."
    if question.type == "text":
        return "Free text."
    return "Pick from the list."


def guidance(question) -> str:
    """The Guidance cell: whether an answer is required, what the question means, how to answer;
    each said once (the questionnaire file's guidance says only what the question means)."""
    parts = (requirement_note(question), question.guidance.strip(), _answer_hint(question))
    return " ".join(part for part in parts if part)


def _multi_validation(question) -> DataValidation:
    """A dropdown of the single choices that also takes several typed, comma-separated.

    Excel and LibreOffice refuse a typed value that is not one list item when the validation's
    error style is Stop (the default), so a list of answers could not be entered at all. With the
    "information" style both show the message and keep the value on OK; the reader then checks
    every item and reports a wrong one by cell."""
    example = ", ".join(question.choices[:2])
    return DataValidation(
        type="list",
        formula1='"' + ",".join(question.choices) + '"',
        allow_blank=True,
        showInputMessage=True,
        promptTitle="One or more answers",
        prompt=f"Pick one from the list, or type several separated by commas, for example: {example}"[:255],
        showErrorMessage=True,
        errorStyle="information",
        errorTitle="Several answers?",
        error=("Not one list item. If you typed several answers separated by commas, click OK to keep them; "
               "each must be written exactly as in the list."),
    )


def _number_bounds(question) -> dict[str, str]:
    low, high = question.min, question.max
    if low is not None and high is not None:
        return {"operator": "between", "formula1": f"{low:g}", "formula2": f"{high:g}"}
    if low is not None:
        return {"operator": "greaterThanOrEqual", "formula1": f"{low:g}"}
    if high is not None:
        return {"operator": "lessThanOrEqual", "formula1": f"{high:g}"}
    return {"operator": "between", "formula1": "-1E+307", "formula2": "1E+307"}


def _write_lists(wb: Workbook) -> tuple[str, str]:
    ws = wb.create_sheet(LISTS_SHEET)
    index = country_index()
    countries = index.names() + sorted(index.by_iso2)
    for row, value in enumerate(countries, start=1):
        ws.cell(row=row, column=1, value=value)
    currencies = sorted(currency_codes())
    for row, value in enumerate(currencies, start=1):
        ws.cell(row=row, column=2, value=value)
    ws.sheet_state = "hidden"
    protect(ws)
    return (
        f"{LISTS_SHEET}!$A$1:$A${len(countries)}",
        f"{LISTS_SHEET}!$B$1:$B${len(currencies)}",
    )


def _write_instructions(ws, q: Questionnaire, vendor: str, issued: dt.datetime, banner: str | None,
                        notes: Iterable[str] = ()) -> None:
    multi = [question for question in q.questions if question.type == "multi"]
    several = ", ".join(f"{question.id} '{question.text}'" for question in multi) or "none in this form"
    example = ", ".join(multi[0].choices[:2]) if multi else "A, B"
    lines = [(banner, BANNER_FONT), *((note, MARK_FONT) for note in notes), ("", None)] if banner else []
    lines += [
        (q.title, Font(bold=True, size=14)),
        (f"Issued to: {vendor}", Font(bold=True)),
        (f"Questionnaire {q.id}, version {q.version}, issued {issued:%Y-%m-%d}", None),
        ("", None),
        ("How to fill in this workbook", Font(bold=True)),
        ("1. On the Questionnaire sheet, answer every question in the yellow Answer column.", None),
        ("   Yes/no and choice questions have a dropdown. Questions that take several answers (" + several + ")", None),
        ("   have a dropdown too: pick one, or type several separated by commas (for example", None),
        (f"   {example}) and click OK when the spreadsheet asks whether to keep them.", None),
        ("2. Use the Evidence column for a document name, link or short explanation (optional).", None),
        ("3. On the Countries sheet, add one row for every country where your workers, including", None),
        ("   your subcontractors' workers, will do our work. Shares must add up to 100% (type 60 or 60%).", None),
        ("   'Lowest hourly pay' is the lowest gross hourly pay of any worker there, in the local currency.", None),
        ("4. On the Attestation sheet, the person who confirms that the answers are true gives their", None),
        ("   name, title and the date. A form returned without them is not accepted.", None),
        ("5. Type values, not formulas: cells holding a formula are rejected.", None),
        ("6. Do not rename or reorder sheets. Save as .xlsx (not .xlsm or .xls) and return the file.", None),
        ("", None),
        ("Questions marked 'Required when ...' depend on an earlier answer. Every problem in a returned", None),
        ("workbook is reported with its sheet and cell so it can be corrected and sent again.", None),
        ("", None),
        ("Sections", Font(bold=True)),
    ]
    lines += [(f"{s.id}: {s.title}", None) for s in q.sections]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1)
        put(cell, text)
        if font is not None:
            cell.font = font
        if font is MARK_FONT:  # a note under the banner wraps within the column, as printed
            cell.alignment, ws.row_dimensions[row].height = WRAP, _row_height([text], [INSTRUCTIONS_WIDTH])
    if banner:
        ws["A1"].fill, ws.row_dimensions[1].height = BANNER_FILL, 22
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    print_setup(ws, "portrait", title_rows=False)
    protect(ws)


def prefill_banner(answered_on: dt.date | None) -> str:
    """The line a pre-filled form shows: which answers it holds and what to do with them."""
    answers = f"your answers of {answered_on:%Y-%m-%d}" if answered_on else "your last answers"
    return f"Pre-filled from {answers}: confirm or correct each answer, then return this form."


def write_form(
    out: str | Path,
    vendor: str,
    questionnaire: Questionnaire | None = None,
    issued_at: dt.datetime | None = None,
    form_id: str | None = None,
    banner: str | None = None,
    notes: Iterable[str] = (),
) -> Path:
    """Write a blank questionnaire workbook for `vendor` and return its path.

    `banner` (a pre-filled form's `prefill_banner`) heads the Instructions and Attestation sheets and every
    printed page of the Questionnaire and Countries sheets; a blank form has none. `notes` follow the banner on
    the Instructions sheet, one line each (a pre-filled form's remediations closed with evidence)."""
    q = questionnaire or current()
    issued = issued_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = Path(out)
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, q, vendor, issued, banner, list(notes))
    countries_list, currencies_list = _write_lists(wb)
    _write_questions(wb.create_sheet(QUESTIONNAIRE_SHEET, index=1), q, countries_list)
    _write_countries(wb.create_sheet(COUNTRIES_SHEET, index=2), q, countries_list, currencies_list)
    attestation = write_attestation_sheet(wb.create_sheet(ATTESTATION_SHEET, index=3), vendor, banner)
    _write_meta(wb.create_sheet(META_SHEET), q, vendor, issued, form_id or str(uuid.uuid4()), attestation)
    if banner:
        for sheet in (QUESTIONNAIRE_SHEET, COUNTRIES_SHEET):
            print_banner(wb[sheet], banner)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _write_questions(ws, q: Questionnaire, countries_list: str) -> None:
    """The Questionnaire sheet: one row per question, only Answer and Evidence editable."""
    header(ws, QUESTION_COLUMNS)
    for col, width in zip("ABCDEF", _QUESTION_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    print_setup(ws, "landscape", area=f"A1:F{len(q.questions) + 1}")
    for row, question in enumerate(q.questions, start=2):
        _write_question_row(ws, row, question, q.section(question.section).title)
    _add_answer_validations(ws, q, countries_list)
    protect(ws)


def _write_question_row(ws, row: int, question, section_title: str) -> None:
    """One question's ID, Section, Question and Guidance, then its editable Answer and Evidence cells."""
    values = (question.id, section_title, question.text, guidance(question))
    for col, value in enumerate(values, start=1):
        ws.cell(row=row, column=col, value=value).alignment = WRAP
    ws.row_dimensions[row].height = _row_height(values, _QUESTION_WIDTHS)
    for col in (ANSWER_COL, EVIDENCE_COL):
        cell = ws.cell(row=row, column=col)
        cell.protection, cell.fill, cell.alignment = UNLOCKED, EDIT_FILL, WRAP


def _add_answer_validations(ws, q: Questionnaire, countries_list: str) -> None:
    """Give every Answer cell the dropdown, bounds or date format its question type needs."""
    dropdowns: dict[tuple[str, ...], DataValidation] = {}  # one per set of choices, shared by its questions
    country_answers: DataValidation | None = None
    for row, question in enumerate(q.questions, start=2):
        answer = ws.cell(row=row, column=ANSWER_COL)
        if question.type == "multi":
            dv = _multi_validation(question)
            ws.add_data_validation(dv)
        elif question.options:
            dv = dropdowns.get(question.options)
            if dv is None:
                dv = dropdowns[question.options] = _choice_validation(question.options)
                ws.add_data_validation(dv)
        elif question.type == "number":
            dv = _number_validation(question)
            ws.add_data_validation(dv)
        elif question.type == "date":
            answer.number_format = "yyyy-mm-dd"
            continue
        elif question.dropdown == "countries":
            if country_answers is None:
                country_answers = _country_answer_validation(countries_list)
                ws.add_data_validation(country_answers)
            dv = country_answers
        else:
            continue
        dv.add(answer)


def _choice_validation(options: tuple[str, ...]) -> DataValidation:
    """The dropdown of a yes/no or choice question, refusing anything not in it."""
    return DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not one of the choices",
        error="Pick an answer from the list.",
    )


def _number_validation(question) -> DataValidation:
    """A number question's bounds, its answer hint as the error message."""
    return DataValidation(type="decimal", allow_blank=True, showErrorMessage=True, error=_answer_hint(question),
                          **_number_bounds(question))


def _country_answer_validation(countries_list: str) -> DataValidation:
    """The country list for a text question that asks for a country."""
    return DataValidation(
        type="list", formula1=countries_list, allow_blank=True, showErrorMessage=True,
        errorStyle="warning",  # warning style: a name or code not in the list is still taken
        errorTitle="Country not in the list",
        error="Not in the country list. Keep it only if it is the country's ISO code or English name.")


def _write_countries(cs, q: Questionnaire, countries_list: str, currencies_list: str) -> None:
    """The Countries sheet: empty editable rows under the header, each column validated."""
    header(cs, COUNTRY_COLUMNS, height=32)  # two lines: "Workforce share %", "Lowest hourly pay"
    for col, width in zip("ABCDEF", _COUNTRY_WIDTHS, strict=True):
        cs.column_dimensions[col].width = width
    last = q.countries.max_rows + 1
    # Every row provided prints (empty, with grid lines) so a printed form can be filled by hand.
    print_setup(cs, "portrait", area=f"A1:F{last}")
    cs.print_options.gridLines = True
    # Editable and yellow by column style, not cell by cell: empty rows then cost nothing in the
    # file, and reading a returned workbook touches only the rows a vendor filled in. The header
    # row's own cell style keeps it locked.
    for col in range(1, len(COUNTRY_COLUMNS) + 1):
        dim = cs.column_dimensions[get_column_letter(col)]
        dim.protection, dim.fill = UNLOCKED, EDIT_FILL
    for col, dv in zip("ABCDEF", _country_validations(q, countries_list, currencies_list), strict=True):
        cs.add_data_validation(dv)
        dv.add(f"{col}2:{col}{last}")
    protect(cs)


def _country_validations(q: Questionnaire, countries_list: str, currencies_list: str) -> list[DataValidation]:
    """One validation per Countries column, in column order."""
    return [
        # Warning style: Excel and Calc warn, then keep a name or code not in the list ("United Kingdom",
        # "GBR"): the reader accepts more spellings than the list holds, and it is the judge.
        DataValidation(type="list", formula1=countries_list, allow_blank=True, showErrorMessage=True,
                       errorStyle="warning", errorTitle="Country not in the list",
                       error="Not in the country list. Keep it if it is the country's ISO code or English name; "
                             "otherwise pick the country from the list."),
        DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                       showErrorMessage=True, error="A percentage from 0 to 100."),
        DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=True,
                       showErrorMessage=True, error="A whole number of workers, at least 1."),
        DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True,
                       showErrorMessage=True, error="The lowest gross hourly pay, in the local currency."),
        DataValidation(type="list", formula1=currencies_list, allow_blank=True, showErrorMessage=True,
                       error="Pick an ISO 4217 currency code."),
        DataValidation(type="list", formula1='"' + ",".join(q.countries.pay_basis_choices) + '"',
                       allow_blank=True, showErrorMessage=True, error="Pick a pay basis from the list."),
    ]


def _write_meta(meta, q: Questionnaire, vendor: str, issued: dt.datetime, form_id: str,
                extra: Iterable[tuple[str, str]] = ()) -> None:
    """The hidden _meta sheet: the questionnaire and version, the vendor, the issue time, the form id, and
    `extra` entries (where the attestation cells are)."""
    entries = [
        ("questionnaire_id", q.id),
        ("questionnaire_version", q.version),
        ("vendor", vendor),
        ("issued_at", issued.isoformat()),
        ("form_id", form_id),
        *extra,
    ]
    for row, (key, value) in enumerate(entries, start=1):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=value).data_type = "s"
    meta.sheet_state = "hidden"
    protect(meta)


SAMPLE_SIGNER = ("Sam Example", "Authorised signatory")
"""Who attests a form filled in by `fill_form` without an attestation of its own (tests, benchmarks)."""


def fill_form(
    path: str | Path,
    answers: Mapping[str, object],
    countries: Iterable[Iterable[object]] = (),
    evidence: Mapping[str, str] | None = None,
    out: str | Path | None = None,
    attestation: Attestation | Literal["sample"] | None = "sample",
    marks: Iterable[AnswerMark] = (),
) -> Path:
    """Fill a form the way a vendor would in a spreadsheet program.

    `answers` maps question id to what is typed in the Answer cell (lists are
    joined with ", "); `countries` are rows of the Countries sheet in column
    order; `attestation` is typed in the Attestation sheet: by default ("sample")
    `SAMPLE_SIGNER` on the form's issue date when the block is still empty, None
    leaves the block as it is. Text is typed as text, never as a formula. Used by
    the example vendors, the pre-filled forms, the tests and the benchmarks. `marks`: answers to mark
    (`AnswerMark`), once they are typed.
    """
    path = Path(path)
    wb = load_workbook(path)
    ws = wb[QUESTIONNAIRE_SHEET]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for qid, value in answers.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        put(ws.cell(row=rows[qid], column=ANSWER_COL), value)
    for qid, text in (evidence or {}).items():
        put(ws.cell(row=rows[qid], column=EVIDENCE_COL), text)
    cs = wb[COUNTRIES_SHEET]
    for r, values in enumerate(countries, start=2):
        for c, value in enumerate(values, start=1):
            put(cs.cell(row=r, column=c), value)
    mark_answers(ws, cs, marks, ANSWER_COL)
    if attestation is not None:
        _attest(wb, attestation)
    target = Path(out) if out else path
    wb.save(target)
    return target


def _attest(wb, attestation: Attestation | Literal["sample"]) -> None:
    """Type the attestation (or the sample one, if the block is empty) on a form that has the block."""
    meta = {str(row[0]): str(row[1] or "") for row in wb[META_SHEET].iter_rows(max_col=2, values_only=True) if row[0]}
    cells = attestation_cells(meta)
    if not cells:
        if attestation == "sample":
            return  # a form issued before the block: nothing to attest
        raise ValueError("this form has no attestation block (it was issued before forms carried one)")
    ws = wb[ATTESTATION_SHEET]
    if attestation == "sample":
        if any(ws[coord].value not in (None, "") for coord in cells.values()):
            return
        issued = dt.datetime.fromisoformat(meta["issued_at"]).date()
        attestation = Attestation(name=SAMPLE_SIGNER[0], title=SAMPLE_SIGNER[1], date=issued)
    type_attestation(ws, cells, attestation)
