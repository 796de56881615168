"""The Attestation sheet: the person who confirms, for the vendor, that the answers are true (name, title, date).

The form records the sheet's three cells in `_meta` (`attestation_name`, `attestation_title`,
`attestation_date`); that is how the reader knows a form carries the block. On such a form all three are
required. A form issued before the block (no such keys) is read as before, with no attestation. The
block is not a question: it is not scored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from openpyxl.styles import Alignment, Font
from openpyxl.utils.cell import coordinate_to_tuple

from ..submission import Attestation
from .cells import is_blank, is_formula, parse_date, put, short
from .layout import BANNER_FILL, BANNER_FONT, EDIT_FILL, HEADER_FILL, HEADER_FONT, UNLOCKED, WRAP, print_setup, protect
from .layout import row_height as _row_height

ATTESTATION_SHEET = "Attestation"
FIELDS = ("name", "title", "date")
QUESTION = "Attestation"
"""The `question` of a problem in the block (as a Countries problem names its column)."""
MAX_LENGTH = 200
_HEADER_ROW = 5
_CELLS = {"name": "B6", "title": "B7", "date": "B8"}
_WIDTHS = (14, 40, 46)
_COORD = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_TITLE_FONT = Font(name="Calibri", size=14, bold=True, color="1F4E79")
_LABEL_FONT = Font(name="Calibri", size=11, bold=True)
_ANSWER_ALIGNMENT = Alignment(horizontal="left", vertical="top", wrap_text=True)  # a date too: left, as typed
_MISSING = {
    "name": "The attestation is not complete: give the name of the person who attests that the answers are true.",
    "title": "The attestation is not complete: give the title (position) of the person who attests.",
    "date": "The attestation is not complete: give the date of the attestation (YYYY-MM-DD).",
}

Report = Callable[[str, str, str], None]
"""Where a problem is reported: (cell, message, question)."""


def write_attestation_sheet(ws, vendor: str, banner: str | None = None) -> list[tuple[str, str]]:
    """Fill the new sheet `ws`: what is attested, the three cells to fill in (the only editable ones), the
    pre-filled form's banner when there is one. Returns the `_meta` entries that locate the cells."""
    for col, width in zip("ABC", _WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws["A1"].value, ws["A1"].font = "Attestation", _TITLE_FONT
    statement = attestation_statement(vendor, "in this workbook (the Questionnaire and Countries sheets)")
    for row, text, font, fill in ((2, banner, BANNER_FONT, BANNER_FILL), (3, statement, None, None)):
        if not text:
            continue
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_WIDTHS))
        cell = ws.cell(row=row, column=1)
        put(cell, text)
        cell.alignment = WRAP
        if font is not None:
            cell.font, cell.fill = font, fill
        ws.row_dimensions[row].height = _row_height([text], [sum(_WIDTHS)]) + (4 if font is not None else 0)
    for col, title in enumerate(("Who attests", "Answer", "Guidance"), start=1):
        cell = ws.cell(row=_HEADER_ROW, column=col, value=title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    guidance = attestation_guidance(vendor)
    for field, coord in _CELLS.items():
        row = coordinate_to_tuple(coord)[0]
        label = ws.cell(row=row, column=1, value=field.capitalize())
        label.font, label.alignment = _LABEL_FONT, WRAP
        put(ws.cell(row=row, column=3), guidance[field])
        ws.cell(row=row, column=3).alignment = WRAP
        ws.row_dimensions[row].height = _row_height(["", "", guidance[field]], _WIDTHS)
        answer = ws[coord]
        answer.protection, answer.fill, answer.alignment = UNLOCKED, EDIT_FILL, _ANSWER_ALIGNMENT
    ws[_CELLS["date"]].number_format = "yyyy-mm-dd"
    print_setup(ws, "portrait", area=f"A1:C{coordinate_to_tuple(_CELLS['date'])[0]}", title_rows=False)
    protect(ws)
    return meta_entries()


def meta_entries() -> list[tuple[str, str]]:
    """The `_meta` entries that say where the block's cells are (`attestation_name` -> `Attestation!B6`, ...)."""
    return [(f"attestation_{field}", f"{ATTESTATION_SHEET}!{coord}") for field, coord in _CELLS.items()]


def attestation_statement(vendor: str, where: str) -> str:
    """What the person who gives their name, title and date attests, for the answers `where` they are."""
    return (f"By giving their name, title and the date below, the person named attests, for {vendor}, that the "
            f"answers {where} are true and complete to the best of their knowledge. All three are required: a form "
            "returned without them is not accepted.")


def attestation_guidance(vendor: str) -> dict[str, str]:
    """What each of the block's three fields asks for."""
    return {"name": "Required. The full name of the person who attests the answers.",
            "title": f"Required. Their position at {vendor} (for example Managing Director).",
            "date": "Required. The date of the attestation, YYYY-MM-DD."}


def attestation_cells(meta: Mapping[str, str]) -> dict[str, str] | None:
    """field -> its cell on the Attestation sheet ("B6"), as the form's `_meta` records them; None for a form
    issued without the block; {} when `_meta` names them but not as cells of that sheet."""
    refs = {field: meta.get(f"attestation_{field}", "") for field in FIELDS}
    if not any(refs.values()):
        return None
    found = {}
    for field, ref in refs.items():
        sheet, _, coord = ref.partition("!")
        if sheet != ATTESTATION_SHEET or not _COORD.fullmatch(coord):
            return {}
        found[field] = coord
    return found


def type_attestation(ws, cells: Mapping[str, str], attestation: Attestation) -> None:
    """Type `attestation` in the block, as the person attesting would."""
    for field, coord in cells.items():
        put(ws[coord], getattr(attestation, field))


def read_attestation(ws, cells: Mapping[str, str], report: Report) -> Attestation | None:
    """The attestation typed in the block, or None with every missing or wrong cell reported."""
    values = {}
    for field, coord in cells.items():
        row, col = coordinate_to_tuple(coord)
        cell = ws.cell(row=row, column=col)
        ref = f"{ATTESTATION_SHEET}!{coord}"
        if is_formula(cell):
            report(ref, "This cell holds a formula. Type the value itself.", QUESTION)
            continue
        value = _field(field, cell.value, ref, report)
        if value is not None:
            values[field] = value
    return Attestation(**values) if len(values) == len(FIELDS) else None


def _field(field: str, raw: object, ref: str, report: Report):
    if is_blank(raw):
        report(ref, _MISSING[field], QUESTION)
        return None
    if field == "date":
        day = parse_date(raw)
        if day is None:
            report(ref, f'"{short(str(raw))}" is not a date; write the date of the attestation as YYYY-MM-DD '
                        "(for example 2026-11-23).", QUESTION)
        return day
    text = str(raw).strip()
    if len(text) > MAX_LENGTH:
        report(ref, f"The {field} is {len(text)} characters long; the limit is {MAX_LENGTH}.", QUESTION)
        return None
    return text
