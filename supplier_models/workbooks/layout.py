"""How the questionnaire form's sheets look and print: the styles and page set-up they share."""

from __future__ import annotations

import math
from collections.abc import Iterable

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.page import PageMargins

HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")
BANNER_FONT = Font(name="Calibri", size=12, bold=True, color="9C2A00")
BANNER_FILL = PatternFill("solid", fgColor="FCE4D6")
MARK_FILL = PatternFill("solid", fgColor="C6EFCE")  # an answer a remediation closed with evidence stands on
MARK_FONT = Font(name="Calibri", size=11, bold=True, color="006100")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def header(ws, titles: Iterable[str], height: float | None = None) -> None:
    """Row 1: the column titles, white on blue, frozen above the rows."""
    ws.row_dimensions[1].height = height
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    ws.freeze_panes = "A2"


def row_height(values: Iterable[object], widths: Iterable[int]) -> float:
    """Row height (points) that shows wrapped text whole; spreadsheet programs do not
    always re-measure rows of a generated file."""
    lines = max(math.ceil(len(str(v or "")) / max(w - 2, 1)) for v, w in zip(values, widths, strict=False))
    return 15.0 * max(lines, 1) + 2


def print_setup(ws, orientation: str, area: str | None = None, title_rows: bool = True) -> None:
    """Print one page wide and as many pages long as needed (fit to width, never to one page), on
    whatever paper the printer has (A4 or Letter: no paper size is fixed), header row repeated."""
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.55, bottom=0.55, header=0.25, footer=0.25)
    ws.oddFooter.center.text = "&A, page &P of &N"
    if area is not None:
        ws.print_area = area
    if title_rows:
        ws.print_title_rows = "1:1"


def print_banner(ws, text: str) -> None:
    """`text` at the top of every printed page of the sheet (its page header), bold and dark red."""
    ws.oddHeader.center.text = text.replace("&", "&&")
    ws.oddHeader.center.font = "Calibri,Bold"
    ws.oddHeader.center.size = 11
    ws.oddHeader.center.color = "9C2A00"


def protect(ws) -> None:
    """Lock the sheet but let people resize rows and columns."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
