"""The portfolio workbook: one row per vendor, its latest assessment.

Both sheets print as a person reads them: landscape, fitted to the page width (as many pages down as the
rows need), the header row repeated on every page, long text wrapped in columns wide enough to read it.

Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`
or `@`) is written as a string cell with Excel's quote prefix, so opening the
report never runs anything a vendor typed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable
from copy import copy
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from pydantic import BaseModel, Field

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DECISION_FILLS = {
    "qualified": PatternFill("solid", fgColor="C6EFCE"),
    "conditional": PatternFill("solid", fgColor="FFEB9C"),
    "not_qualified": PatternFill("solid", fgColor="FFC7CE"),
}


class PortfolioRow(BaseModel):
    vendor: str
    vendor_id: str
    decision: str
    status: str = Field("", description="the lifecycle status (scoring.lifecycle.Status), e.g. expired")
    score: float
    principles: dict[str, float]
    geo_band: str
    geo_score: float
    flags: list[str]
    knockouts: list[str]
    valid_until: dt.date
    assessed_on: dt.date
    open_remediations: list[str]
    sow: str | None
    rubric_version: str
    country_data_version: str
    assessment_id: str
    override_knockout: bool = Field(False, description="a reviewer overrode a knockout")


class RemediationLine(BaseModel):
    """One tracked remediation, a row of the Remediations sheet."""

    vendor: str
    id: str
    state: str = Field(description="open, overdue or done")
    priority: str
    due_date: dt.date
    action: str
    question: str | None = None
    country: str | None = None
    closed_on: dt.date | None = None
    closed_by: str | None = None
    evidence: str | None = None

STATE_FILLS = {"overdue": PatternFill("solid", fgColor="FFC7CE"), "done": PatternFill("solid", fgColor="C6EFCE")}

# Every cell wraps and starts at the top, so a row of several lines (remediations, flags) reads down its cells.
WRAP = Alignment(wrap_text=True, vertical="top")
# Numbers and dates stand apart from the text beside them.
CENTRED = Alignment(wrap_text=True, vertical="top", horizontal="center")
# The principle columns hold numbers: narrow, under headers that read upwards.
UPWARDS = Alignment(wrap_text=True, vertical="bottom", horizontal="center", text_rotation=90)
# Column widths in characters: wide enough for a line of the column's usual content; longer text wraps.
PORTFOLIO_WIDTHS = {"Vendor": 22, "Decision": 13, "Status": 15, "Score": 6, "Geographic band": 11,
                    "Geographic risk": 11, "Flags": 24, "Knockouts": 22, "Valid until": 10.5, "Assessed on": 10.5,
                    "Open remediations": 46, "SOW": 26, "Rubric": 10, "Country data": 9.5, "Vendor id": 13,
                    "Assessment id": 13}
PRINCIPLE_WIDTH = 5.5
REMEDIATION_WIDTHS = {"Vendor": 26, "Id": 6, "State": 10, "Priority": 9, "Due": 11, "Action": 60, "Question": 10,
                      "Country": 9, "Closed on": 11, "Closed by": 16, "Evidence": 48}
LINE_HEIGHT = 15.0  # points: a line of 11-point text
CHARS_PER_WIDTH = 1.1  # a column `w` wide holds about 1.1 w characters of prose (its unit is the width of a digit)
ID_CHARS_PER_WIDTH = 0.85  # and fewer of an id or a path, which wrap only at a hyphen or anywhere
UPWARD_CHAR = 6.5  # points: a character of 11-point bold text, read upwards


def _print_setup(ws, title: str) -> None:
    """Landscape, one page wide and as many down as needed, header row on every page, narrow margins.
    In write-only mode the sheet properties (fit to page) precede the rows in the file: call this first."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: as many pages down as the rows need
    ws.print_title_rows = "1:1"
    ws.page_margins = PageMargins(left=0.3, right=0.3, top=0.5, bottom=0.5, header=0.2, footer=0.2)
    ws.oddFooter.center.text = f"{title}, page &P of &N"


def _lines(value: object, width: float) -> int:
    """How many lines `value` takes wrapped in a column `width` characters wide (a close estimate)."""
    if not isinstance(value, str) or not value:
        return 1
    lines = 0
    for line in value.split("\n"):
        # Prose holds more characters than the width; ids, dates and paths (digits, no spaces) fewer.
        chars = max(int(width * (CHARS_PER_WIDTH if " " in line else ID_CHARS_PER_WIDTH)), 1)
        lines += 1 if len(line) <= chars else _wrapped(line, chars)
    return lines


@lru_cache(maxsize=4096)
def _wrapped(line: str, chars: int) -> int:
    """Lines of a long line wrapped at `chars` (remediation actions and flags repeat across vendors)."""
    return len(textwrap.wrap(line, chars)) or 1


def _append(ws, cells: list[WriteOnlyCell | None], widths: list[float], row: int, height: float | None = None) -> None:
    """Append a row of cells, tall enough for its wrapped text: in write-only mode no application measures it
    (LibreOffice prints a row at its stored height), so the height is estimated here and written with the row,
    then forgotten (the sheet stays a stream)."""
    if height is None:
        height = LINE_HEIGHT * max(_lines(c.value, w) for c, w in zip(cells, widths, strict=True) if c is not None)
    ws.row_dimensions[row].height = height
    ws.append(cells)
    del ws.row_dimensions[row]


class _Cells:
    """Makes a sheet's cells. A cell's look (alignment, fill, bold, date format, quote prefix) is one of a few
    combinations; each is registered with the workbook once and every cell of that look shares its style ids.
    (Setting the style attributes cell by cell registers them again each time: at 100,000 vendors that was
    most of the report's time.)"""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.styles: dict[tuple, StyleArray] = {}

    def __call__(self, value: object, *, fill: PatternFill | None = None, bold: bool = False,
                 align: Alignment | None = None) -> WriteOnlyCell | None:
        if (value is None or value == "") and fill is None:
            return None  # no cell at all: an empty cell needs no look, and a sheet of 100,000 rows has many
        cell = WriteOnlyCell(self.ws, value=value)
        text = isinstance(value, str)
        if text:
            cell.data_type = "s"  # never a formula, whatever the text starts with
        align = align or (CENTRED if isinstance(value, (int, float, dt.date)) else WRAP)
        key = (id(align), id(fill), bold, isinstance(value, dt.date), text and value.startswith(FORMULA_TRIGGERS))
        style = self.styles.get(key)
        if style is None:
            cell.alignment = align
            if key[4]:
                cell.quotePrefix = True  # Excel shows the text as typed and never evaluates it
            if key[3]:
                cell.number_format = "yyyy-mm-dd"
            if fill is not None:
                cell.fill = fill
            if bold:
                cell.font = Font(bold=True)
            style = self.styles[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell


def write_portfolio(rows: Iterable[PortfolioRow], out: str | Path, principles: list[str],
                    remediations: Iterable[RemediationLine] = ()) -> Path:
    """Write the portfolio workbook; `principles` fixes the order of the principle columns. A second sheet,
    Remediations, lists every tracked remediation, one per row, with its state.

    The workbook is written as a stream (openpyxl write-only mode), so a portfolio of
    100,000 vendors never sits in memory as cells.
    """
    out = Path(out)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Portfolio")
    headers = (["Vendor", "Decision", "Status", "Score"] + [p.replace("_", " ").capitalize() for p in principles]
               + ["Geographic band", "Geographic risk", "Flags", "Knockouts", "Valid until", "Assessed on",
                  "Open remediations", "SOW", "Rubric", "Country data", "Vendor id", "Assessment id"])
    # Sheet properties, views and column widths precede the rows in the file: set them before the first row.
    _print_setup(ws, "Portfolio")
    ws.freeze_panes = "B2"
    widths = [PORTFOLIO_WIDTHS.get(title, PRINCIPLE_WIDTH) for title in headers]
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    upwards = range(4, 4 + len(principles))
    cell = _Cells(ws)
    header = [cell(title, bold=True, align=UPWARDS if col in upwards else WRAP)
              for col, title in enumerate(headers)]
    rotated = max((len(headers[col]) * UPWARD_CHAR + 8 for col in upwards), default=0)
    _append(ws, header, widths, 1, max(rotated, LINE_HEIGHT * max(
        _lines(c.value, w) for col, (c, w) in enumerate(zip(header, widths, strict=True)) if col not in upwards)))
    count = 0
    for row in rows:
        count += 1
        fill = DECISION_FILLS.get(row.decision)
        knockouts = ", ".join(row.knockouts) + (" (overridden by review)" if row.override_knockout else "")
        values = ([row.vendor, row.decision, row.status, round(row.score, 1)]
                  + [None if p not in row.principles else round(row.principles[p], 1) for p in principles]
                  + [row.geo_band, round(row.geo_score, 1), ", ".join(row.flags), knockouts,
                     row.valid_until, row.assessed_on, "\n".join(row.open_remediations), row.sow or "",
                     row.rubric_version, row.country_data_version, row.vendor_id, row.assessment_id])
        _append(ws, [cell(value, fill=fill if col < 2 else None) for col, value in enumerate(values)], widths,
                count + 1)
    # The filter follows the rows in the file, so it can name the last row.
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(count + 1, 2)}"
    _remediation_sheet(wb, remediations)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


REMEDIATION_HEADERS = ("Vendor", "Id", "State", "Priority", "Due", "Action", "Question", "Country", "Closed on",
                       "Closed by", "Evidence")


def _remediation_sheet(wb: Workbook, lines: Iterable[RemediationLine]) -> None:
    ws = wb.create_sheet("Remediations")
    _print_setup(ws, "Remediations")
    ws.freeze_panes = "C2"
    widths = [REMEDIATION_WIDTHS[title] for title in REMEDIATION_HEADERS]
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    cell = _Cells(ws)
    _append(ws, [cell(title, bold=True) for title in REMEDIATION_HEADERS], widths, 1)
    count = 0
    for r in lines:
        count += 1
        values = (r.vendor, r.id, r.state, r.priority, r.due_date, r.action, r.question or "", r.country or "",
                  r.closed_on, r.closed_by or "", r.evidence or "")
        _append(ws, [cell(value, fill=STATE_FILLS.get(r.state) if col == 2 else None)
                     for col, value in enumerate(values)], widths, count + 1)
    ws.auto_filter.ref = f"A1:K{max(count + 1, 2)}"
