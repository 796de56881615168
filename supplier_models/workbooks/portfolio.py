"""The portfolio workbook: one row per vendor, its latest assessment.

Every sheet prints as a person reads it: landscape on A4 or Letter, fitted to the page width (as many pages
down as the rows need), the header row repeated on every page, long text wrapped in columns wide enough to
read it, and no more columns than fit a page at a readable size (`printed_size`). The Portfolio sheet prints
its first `PRINTED` columns; the columns after them (the audit trail: rubric, country data, ids) are there
on screen only, and the principle scores have a sheet of their own.

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
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
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
    valid_until: dt.date | None = Field(None, description="when the qualification lapses (None for a refusal)")
    review_on: dt.date | None = Field(None, description="a refusal's date for a fresh look (None otherwise)")
    assessed_on: dt.date
    open_remediations: list[str]
    sow: str | None = Field(None, description="the SOW's file name (never a path on the server)")
    rubric_version: str
    country_data_version: str
    assessment_id: str
    override_knockout: bool = Field(False, description="a reviewer overrode a knockout")
    frameworks: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="framework id -> its result's summary (points, possible_points, items: "
                                          "item id -> met, not_met or not_answerable), as `status --json` has it")


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
ITEM_FILLS = {"met": PatternFill("solid", fgColor="C6EFCE"), "not_met": PatternFill("solid", fgColor="FFC7CE")}
FRAMEWORK_WIDTHS = {"Vendor": 22, "Decision": 12}
ITEM_WIDTH = 9.5

# The workbook's font, its column widths' unit too: Arial 10, which Excel has everywhere and LibreOffice prints
# as Liberation Sans, of the same metrics. (Calibri, the default, is missing where LibreOffice runs without
# Carlito: its stand-in is wider, so the columns came out a quarter wider there and printed smaller.)
FONT = Font(name="Arial", sz=10, family=2)
BOLD = Font(name="Arial", sz=10, family=2, b=True)
# Every cell wraps and starts at the top, so a row of several lines (remediations, flags) reads down its cells.
WRAP = Alignment(wrap_text=True, vertical="top")
# Numbers and dates stand apart from the text beside them.
CENTRED = Alignment(wrap_text=True, vertical="top", horizontal="center")
# The principle columns hold numbers: narrow, under headers that read upwards.
UPWARDS = Alignment(wrap_text=True, vertical="bottom", horizontal="center", text_rotation=90)
# Column widths in characters (the unit: a digit of Arial 10): wide enough for a line of the column's usual
# content; longer text wraps. The Portfolio sheet prints its first PRINTED columns, the rest are on screen only.
PRINTED = {"Vendor": 15, "Decision": 11, "Status": 14, "Score": 5.5, "Geographic band": 10.5, "Flags": 20,
           "Knockouts": 20, "Valid until": 10, "Review on": 10, "Open remediations": 40, "SOW": 13}
ON_SCREEN = {"Geographic risk": 9, "Assessed on": 10, "Rubric": 10, "Country data": 9.5, "Vendor id": 13,
             "Assessment id": 13}
PRINCIPLE_WIDTH = 5.5
PRINCIPLES_WIDTHS = {"Vendor": 22, "Decision": 12, "Score": 6}
REMEDIATION_WIDTHS = {"Vendor": 16, "Id": 4.5, "State": 8.5, "Priority": 8.5, "Due": 10.5, "Action": 40,
                      "Question": 9, "Country": 8, "Closed on": 10.5, "Closed by": 12, "Evidence": 40}
LINE_HEIGHT = 11.5  # points: a line of 10-point Arial as Excel spaces wrapped text (LibreOffice: 11.2)
ROW_PADDING = 2.0  # points above and below a cell's text (a row of one line: 13.5, Excel's own 12.75)
CHARS_PER_WIDTH = 1.1  # a column `w` wide holds about 1.1 w characters of prose (its unit is the width of a digit)
ID_CHARS_PER_WIDTH = 1.0  # and fewer of an id or a file name, which wrap only at a hyphen or anywhere
UPWARD_CHAR = 6.0  # points: a character of 10-point bold text, read upwards

# Printing. Paper: the printer's own (None), or A4 or Letter when asked (Excel's paperSize codes).
PAPER_SIZES = {"a4": 9, "letter": 1}
MARGIN = 0.25  # inches, left and right (Excel's "narrow")
PAGE_WIDTHS = {"a4": 841.9, "letter": 792.0}  # points, landscape
READABLE = 8.0  # points: the smallest printed text the columns are chosen for, on either paper


def printed_size(widths: Iterable[float], paper: str) -> float:
    """The size the workbook's 10-point text prints at when columns of these widths are fitted to the paper's
    landscape width. Excel's arithmetic: a column `w` wide is 7w + 5 pixels (a digit of Arial 10 is 7 pixels),
    and a pixel is 3/4 point. The Portfolio's 11 printed columns add up to 169 characters: 169 * 7 + 11 * 5 =
    1,238 pixels = 928.5 points. Letter landscape less the margins is 792 - 36 = 756 points wide, so the text
    prints at 10 * 756 / 928.5 = 8.1 points; on A4 (841.9 - 36 = 805.9 points), 8.7 points. (LibreOffice makes
    the columns some 2% wider: 8.0 and 8.5 points.)"""
    width = sum(0.75 * (7 * w + 5) for w in widths)
    return FONT.sz * min(1.0, (PAGE_WIDTHS[paper] - 2 * 72 * MARGIN) / width)


def use_font(wb: Workbook) -> None:
    """Make FONT the workbook's default (the Normal style's font, and the unit of its column widths). openpyxl
    has no public way to: its first font is the default, and the Normal style names it."""
    wb._fonts = IndexedList([FONT])
    wb._named_styles["Normal"].font = copy(FONT)


def print_setup(ws, title: str, paper: str | None = None, title_rows: str | None = "1:1") -> None:
    """Landscape, one page wide and as many down as needed, `title_rows` on every page, narrow margins, the
    sheet's name and page number at the foot. In write-only mode the sheet properties (fit to page) precede the
    rows in the file: call this first."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: as many pages down as the rows need
    if paper is not None:
        ws.page_setup.paperSize = PAPER_SIZES[paper]
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_margins = PageMargins(left=MARGIN, right=MARGIN, top=0.5, bottom=0.5, header=0.2, footer=0.2)
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
        height = ROW_PADDING + LINE_HEIGHT * max(_lines(c.value, w) for c, w in zip(cells, widths, strict=True)
                                                 if c is not None)
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
                cell.font = BOLD
            style = self.styles[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell


class _Sheet:
    """A streamed sheet: its column widths set, its print set up, its header row written; then `row` appends."""

    def __init__(self, wb: Workbook, title: str, widths: dict[str, float], paper: str | None,
                 freeze: str, upwards: range = range(0)) -> None:
        self.ws = wb.create_sheet(title)
        self.titles, self.widths, self.count = list(widths), list(widths.values()), 0
        # Sheet properties, views and column widths precede the rows in the file: set them before the first row.
        print_setup(self.ws, title, paper)
        self.ws.freeze_panes = freeze
        for col, width in enumerate(self.widths, 1):
            self.ws.column_dimensions[get_column_letter(col)].width = width
        self.cell = _Cells(self.ws)
        header = [self.cell(t, bold=True, align=UPWARDS if col in upwards else WRAP)
                  for col, t in enumerate(self.titles)]
        rotated = max((len(self.titles[col]) * UPWARD_CHAR + 8 for col in upwards), default=0)
        _append(self.ws, header, self.widths, 1, max(rotated, ROW_PADDING + LINE_HEIGHT * max(
            _lines(c.value, w) for col, (c, w) in enumerate(zip(header, self.widths, strict=True))
            if col not in upwards)))

    def row(self, values: list[object], fills: dict[int, PatternFill | None]) -> None:
        """Append a row; `fills`: column index -> its fill."""
        self.count += 1
        _append(self.ws, [self.cell(v, fill=fills.get(col)) for col, v in enumerate(values)], self.widths,
                self.count + 1)

    def close(self, printed: int | None = None) -> None:
        """The filter over every column, and the print area (the first `printed` columns); both follow the rows
        in the file, so they can name the last row."""
        last = max(self.count + 1, 2)
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.titles))}{last}"
        if printed is not None:
            self.ws.print_area = f"A1:{get_column_letter(printed)}{last}"


def _words(codes: list[str]) -> str:
    """Flags or knockout rules as the web app shows them, "living wage unverified": a line breaks between words,
    never inside a long code."""
    return ", ".join(code.replace("_", " ") for code in codes)


def _principle_title(principle: str) -> str:
    return principle.replace("_", " ").capitalize()


def _framework_sheet(wb: Workbook, framework: str, max_points: int, items: list[str], paper: str | None) -> _Sheet:
    """A framework's sheet: each vendor's points, the points it could reach, and each item's result."""
    return _Sheet(wb, framework[:31], FRAMEWORK_WIDTHS | {f"Points of {max_points}": 7, "Possible": 8}
                  | {f"Item {i}": ITEM_WIDTH for i in items}, paper, "B2")


def _framework_row(sheet: _Sheet, row: PortfolioRow, framework: str, items: list[str],
                   fill: PatternFill | None) -> None:
    found = row.frameworks.get(framework)
    if found is None:  # not evaluated (no assessment the framework could read)
        sheet.row([row.vendor, row.decision], {0: fill, 1: fill})
        return
    statuses = [found["items"].get(i) for i in items]
    sheet.row([row.vendor, row.decision, found["points"], found["possible_points"],
               *[s.replace("_", " ") if s else None for s in statuses]],
              {0: fill, 1: fill, **{4 + n: ITEM_FILLS.get(s or "") for n, s in enumerate(statuses)}})


def write_portfolio(rows: Iterable[PortfolioRow], out: str | Path, principles: list[str],
                    remediations: Iterable[RemediationLine] = (), paper: str | None = None) -> Path:
    """Write the portfolio workbook; `principles` fixes the order of the principle columns. A second sheet,
    Remediations, lists every tracked remediation, one per row, with its state; a third, Principles, each
    vendor's principle scores; then a sheet per framework the rows carry results of (the first such row's
    frameworks, their items in its order), each vendor's points and item results. `paper`: "a4" or "letter",
    else the printer's own paper.

    The workbook is written as a stream (openpyxl write-only mode), so a portfolio of
    100,000 vendors never sits in memory as cells.
    """
    out = Path(out)
    wb = Workbook(write_only=True)
    use_font(wb)
    portfolio = _Sheet(wb, "Portfolio", PRINTED | ON_SCREEN, paper, "B2")
    remediation_sheet = _Sheet(wb, "Remediations", REMEDIATION_WIDTHS, paper, "C2")  # filled last, shown second
    by_principle = _Sheet(wb, "Principles", PRINCIPLES_WIDTHS | {_principle_title(p): PRINCIPLE_WIDTH
                                                               for p in principles},
                          paper, "B2", upwards=range(len(PRINCIPLES_WIDTHS), len(PRINCIPLES_WIDTHS) + len(principles)))
    framework_sheets: dict[str, tuple[_Sheet, list[str]]] = {}
    for row in rows:
        fill = DECISION_FILLS.get(row.decision)
        knockouts = _words(row.knockouts) + (" (overridden by review)" if row.override_knockout else "")
        portfolio.row([row.vendor, row.decision, row.status, round(row.score, 1), row.geo_band, _words(row.flags),
                       knockouts, row.valid_until, row.review_on, "\n".join(row.open_remediations), row.sow or "",
                       round(row.geo_score, 1), row.assessed_on, row.rubric_version, row.country_data_version,
                       row.vendor_id, row.assessment_id], {0: fill, 1: fill})
        by_principle.row([row.vendor, row.decision, round(row.score, 1)]
                         + [None if p not in row.principles else round(row.principles[p], 1) for p in principles],
                         {0: fill, 1: fill})
        if not framework_sheets and row.frameworks:  # the sheets follow Principles, made at the first results
            framework_sheets = {f: (_framework_sheet(wb, f, r["max_points"], list(r["items"]), paper), list(r["items"]))
                                for f, r in row.frameworks.items()}
        for framework, (sheet, items) in framework_sheets.items():
            _framework_row(sheet, row, framework, items, fill)
    portfolio.close(printed=len(PRINTED))
    by_principle.close()
    for sheet, _ in framework_sheets.values():
        sheet.close()
    for r in remediations:
        remediation_sheet.row([r.vendor, r.id, r.state, r.priority, r.due_date, r.action, r.question or "",
                               r.country or "", r.closed_on, r.closed_by or "", r.evidence or ""],
                              {2: STATE_FILLS.get(r.state)})
    remediation_sheet.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out



def write_list(rows: Iterable[list[object]], out: str | Path, title: str, columns: dict[str, float],
               paper: str | None = None, printed: int | None = None) -> Path:
    """Write a list (e.g. the web app's filtered vendors) as a one-sheet workbook, streamed (write-only mode:
    memory flat in the rows): `columns` gives each column's title and width; dates are date cells, text never a
    formula, the header row frozen, filtered and printed on every page; `printed`: the first columns printed
    (the others on screen only), all when None."""
    out = Path(out)
    wb = Workbook(write_only=True)
    use_font(wb)
    sheet = _Sheet(wb, title, columns, paper, "B2")
    for values in rows:
        sheet.row(values, {})
    sheet.close(printed)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
