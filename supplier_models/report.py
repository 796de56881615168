"""The portfolio workbook: one row per vendor, its latest assessment.

Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`
or `@`) is written as a string cell with Excel's quote prefix, so opening the
report never runs anything a vendor typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
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




def _cell(ws, value: object, *, fill: PatternFill | None = None, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if fill is not None:
        cell.fill = fill
    if bold:
        cell.font = Font(bold=True)
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
    # Sheet views and column widths precede the rows in the file: set them before the first row.
    ws.freeze_panes = "B2"
    widths = {"A": 36, "B": 14}
    for col in range(1, len(headers) + 1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = widths.get(letter, 16)
    ws.append([_cell(ws, title, bold=True) for title in headers])
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
        ws.append([_cell(ws, value, fill=fill if col < 2 else None) for col, value in enumerate(values)])
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
    ws.freeze_panes = "C2"
    for letter, width in zip("ABCDEFGHIJK", (32, 7, 10, 9, 12, 60, 10, 9, 12, 18, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([_cell(ws, title, bold=True) for title in REMEDIATION_HEADERS])
    count = 0
    for r in lines:
        count += 1
        values = (r.vendor, r.id, r.state, r.priority, r.due_date, r.action, r.question or "", r.country or "",
                  r.closed_on, r.closed_by or "", r.evidence or "")
        ws.append([_cell(ws, value, fill=STATE_FILLS.get(r.state) if col == 2 else None)
                   for col, value in enumerate(values)])
    ws.auto_filter.ref = f"A1:K{max(count + 1, 2)}"
