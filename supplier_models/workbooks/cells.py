"""What a spreadsheet cell holds, as fairsource's workbooks read it and write it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from openpyxl.utils import column_index_from_string, get_column_letter

_FORMULA_TYPES = ("ArrayFormula", "DataTableFormula")
_REF = re.compile(r"([A-Z]+)([0-9]+)$")


def is_formula(cell) -> bool:
    """A formula (plain, array or data table): we take what a person typed, never a computed value."""
    return getattr(cell, "data_type", None) == "f" or type(cell.value).__name__ in _FORMULA_TYPES


def cell_ref(sheet: str, col: int, row: int) -> str:
    """`Countries!E3` for column 5, row 3 (both counted from 1)."""
    return f"{sheet}!{get_column_letter(col)}{row}"


def cell_place(cell: str | None) -> tuple[str, str, int, int]:
    """Where a problem's cell is (`cell_ref`'s "Countries!B3", or a range "Countries!C2:C9" by its first cell): the
    sheet, the reference after it as written, and the first cell's column and row numbers (0, 0: no cell)."""
    sheet, _, ref = (cell or "").partition("!")
    found = _REF.match(ref.split(":", 1)[0])
    if found is None:
        return sheet, ref, 0, 0
    return sheet, ref, column_index_from_string(found.group(1)), int(found.group(2))


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value: object) -> Decimal | None:
    """A finite Decimal from a number cell or numeric text ("1 250.5"); None if it is not one.
    Floats go through their shortest text form, so 12.5 is Decimal("12.5")."""
    if isinstance(value, bool):
        return None
    text = str(value) if isinstance(value, (int, float)) else str(value).strip().replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def short(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters (an ellipsis at the cut), for quoting what was typed in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_date(value: object) -> dt.date | None:
    """A date from a date cell or from text written YYYY-MM-DD; None if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool | int | float):  # a bare number is not a date, whatever Excel would make of it
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


FORMULA_PREFIXES = ("=", "+", "-", "@")
"""What a spreadsheet program takes as the start of a formula when it is typed (Excel: = + - @)."""


def put(cell, value: object) -> None:
    """Write `value` in `cell` as a person's typed value. Text a spreadsheet program would take for a formula
    (`=HYPERLINK(...)`, `+1-2`, `-3`, `@SUM(A1)`) is written as text with the quote prefix, as Excel stores
    text typed after an apostrophe: openpyxl would otherwise write text starting with "=" as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif cell.quotePrefix:  # a value that no longer needs it (a pre-filled answer corrected)
        cell.quotePrefix = False
