"""The organisation's own policy workbook: prohibited countries, score overrides, living wages, framework minimums.

No open living-wage or country-policy dataset exists, so each organisation
keeps its own in a small workbook fairsource writes blank
(`write_blank_policy`) and reads back (`read_policy`). Reading validates like
the questionnaire reader: every problem is collected with its `Sheet!A1`
cell and raised together as `WorkbookRejected`; formulas are refused (we
take what a person typed, never a computed value).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Collection, Mapping
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..countries import country_index
from ..errors import Problem, WorkbookRejected
from ..policy import OVERRIDE_BANDS, FrameworkMinimum, LivingWage, OrgPolicy, ProhibitedCountry, ScoreOverride
from .cells import cell_ref, is_blank, is_formula, parse_number
from .portfolio import CHARS_PER_WIDTH, FONT, LINE_HEIGHT, print_setup, use_font

PROHIBITED_SHEET = "Prohibited countries"
OVERRIDES_SHEET = "Score overrides"
LIVING_WAGES_SHEET = "Living wages"
PROHIBITED_COLUMNS = ("Country", "Reason")
OVERRIDE_COLUMNS = ("Country", "Score 0-100 or Band", "Reason")
LIVING_WAGE_COLUMNS = ("Country", "Hourly living wage", "Currency", "Source", "As of")
MINIMUMS_SHEET = "Framework minimums"
MINIMUM_COLUMNS = ("Framework", "Item", "If missing", "Reason")
IF_MISSING = {"conditional": "conditional", "not qualified": "not_qualified", "not_qualified": "not_qualified"}
MAX_ROWS = 1000

_HEADER_FONT = Font(name=FONT.name, sz=FONT.sz, family=FONT.family, b=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
# Text wraps in its column and starts at the top: a long reason or source prints on more lines, not over the
# next cell. A column's style is also the style of each cell a person types into it.
_WRAP = Alignment(wrap_text=True, vertical="top")
INSTRUCTIONS_WIDTH = 110  # characters: one column, printed landscape at full size on A4 or Letter
INSTRUCTIONS = (
    f"{PROHIBITED_SHEET}: one row per country you never source from (ISO alpha-2 code or English name), "
    "with the reason. A vendor working there is not qualified.",
    f"{OVERRIDES_SHEET}: your own risk view of a country: a score from 0 (lowest risk) to 100, or a band "
    "(low, medium, high). The reason is required; it is printed in every explanation.",
    f"{LIVING_WAGES_SHEET}: the gross hourly living wage you require per country, in one of the country's "
    "currencies, with its source and the date it was set (YYYY-MM-DD).",
    f"{MINIMUMS_SHEET} (optional): a framework item every vendor must meet, e.g. Framework "
    "fairwork-cloudwork-2024, Item 1.1. A vendor whose answers do not show it met is conditional, with a "
    'remediation naming the item; "not qualified" under If missing refuses it instead. Without rows, '
    "frameworks inform and change no decision.",
    "Type values; formulas are not accepted.",
)


def _header(ws, titles, widths, paper: str | None) -> None:
    """The header row (repeated on every printed page), the column widths, and text wrapped in every column."""
    print_setup(ws, ws.title, paper)
    ws.append(list(titles))
    for cell, width in zip(ws[1], widths, strict=True):
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        column = ws.column_dimensions[cell.column_letter]
        column.width, column.alignment = width, _WRAP
    ws.freeze_panes = "A2"


def _instructions(ws, paper: str | None) -> None:
    """The Instructions sheet: a title and one paragraph a row, wrapped in a column that fits the page."""
    print_setup(ws, ws.title, paper, title_rows=None)
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    ws.append(["fairsource: your organisation's country policy"])
    ws["A1"].font = Font(name=FONT.name, sz=14, family=FONT.family, b=True)
    ws.row_dimensions[1].height = 24
    ws.append([])
    for line in INSTRUCTIONS:
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).alignment = _WRAP
        # Excel measures a wrapped row when it opens the file; LibreOffice prints the height it is given.
        lines = -(-len(line) // int(INSTRUCTIONS_WIDTH * CHARS_PER_WIDTH))
        ws.row_dimensions[ws.max_row].height = LINE_HEIGHT * lines + 4


def write_blank_policy(path: str | Path, paper: str | None = None) -> Path:
    """Write an empty policy workbook for an organisation to fill in. Every sheet prints landscape, one page
    wide; `paper`: "a4" or "letter", else the printer's own paper."""
    path = Path(path)
    wb = Workbook()
    use_font(wb)
    about = wb.active
    about.title = "Instructions"
    _instructions(about, paper)
    _header(wb.create_sheet(PROHIBITED_SHEET), PROHIBITED_COLUMNS, (28, 80), paper)
    ws = wb.create_sheet(OVERRIDES_SHEET)
    _header(ws, OVERRIDE_COLUMNS, (28, 22, 80), paper)
    hint = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showInputMessage=True,
                          promptTitle="Score or band", prompt="A number 0-100, or low, medium or high")
    ws.add_data_validation(hint)
    hint.add(f"B2:B{MAX_ROWS}")
    _header(wb.create_sheet(LIVING_WAGES_SHEET), LIVING_WAGE_COLUMNS, (28, 20, 12, 50, 14), paper)
    _header(wb.create_sheet(MINIMUMS_SHEET), MINIMUM_COLUMNS, (28, 10, 16, 60), paper)
    wb.save(path)
    return path


class _Rows:
    """Reads one sheet's data rows, recording problems with their cells."""

    def __init__(self, wb, sheet: str, columns: tuple[str, ...], problems: list[Problem]) -> None:
        self.sheet, self.columns, self.problems = sheet, columns, problems
        self.ws = wb[sheet] if sheet in wb.sheetnames else None
        if self.ws is None:
            problems.append(Problem(cell=sheet, message=f'The sheet "{sheet}" is missing; use the blank policy '
                                                        "workbook fairsource writes."))
            return
        header = [c.value for c in next(self.ws.iter_rows(min_row=1, max_row=1, max_col=len(columns)), ())]
        header = [str(v).strip() if v is not None else "" for v in header]
        if header != list(columns):
            problems.append(Problem(cell=f"{sheet}!A1", message=f"The header must be {', '.join(columns)}; "
                                                                f"found {', '.join(h or '(empty)' for h in header)}."))
            self.ws = None

    def __iter__(self):
        if self.ws is None:
            return
        for row in self.ws.iter_rows(min_row=2, max_row=MAX_ROWS + 1, max_col=len(self.columns)):
            cells = list(row) + [None] * (len(self.columns) - len(row))
            values = [getattr(c, "value", None) for c in cells]
            if all(is_blank(v) for v in values):
                continue
            r = cells[0].row
            bad = False
            for col, c in enumerate(cells):
                if c is not None and is_formula(c):
                    self.add(col, r, "Formulas are not accepted; type the value.")
                    bad = True
            if not bad:
                yield r, values

    def add(self, col: int, row: int, message: str) -> None:
        self.problems.append(Problem(cell=cell_ref(self.sheet, col + 1, row),
                                     question=self.columns[col], message=message))

    def country(self, value, row: int, seen: dict[str, int]) -> str | None:
        if is_blank(value):
            self.add(0, row, "The country is missing (ISO alpha-2 code or English name).")
            return None
        found = country_index().resolve(str(value).strip())
        if found is None:
            self.add(0, row, f'"{str(value).strip()[:60]}" is not a country we know; use its ISO alpha-2 code.')
            return None
        if found.iso2 in seen:
            self.add(0, row, f"{found.name} is already listed on row {seen[found.iso2]}.")
            return None
        seen[found.iso2] = row
        return found.iso2

    def text(self, value, col: int, row: int, what: str) -> str | None:
        if is_blank(value):
            self.add(col, row, f"The {what} is required.")
            return None
        return str(value).strip()


def read_policy(path: str | Path, frameworks: Mapping[str, Collection[str]] | None = None) -> OrgPolicy:
    """Read and validate an organisation's policy workbook; raise `WorkbookRejected` with every problem.
    `frameworks` (framework id -> its item ids), when given, is what a framework minimum may name."""
    path = Path(path)
    data, wb = _open(path)
    problems: list[Problem] = []
    prohibited = _read_prohibited(_Rows(wb, PROHIBITED_SHEET, PROHIBITED_COLUMNS, problems))
    overrides = _read_overrides(_Rows(wb, OVERRIDES_SHEET, OVERRIDE_COLUMNS, problems))
    living = _read_living_wages(_Rows(wb, LIVING_WAGES_SHEET, LIVING_WAGE_COLUMNS, problems))
    minimums = (_read_minimums(_Rows(wb, MINIMUMS_SHEET, MINIMUM_COLUMNS, problems), frameworks)
                if MINIMUMS_SHEET in wb.sheetnames else ())  # optional: workbooks written before it had none
    wb.close()
    if problems:
        raise WorkbookRejected(problems, str(path))
    return OrgPolicy(version=hashlib.sha256(data).hexdigest()[:12], filename=path.name,
                     prohibited=prohibited, overrides=overrides, living_wages=living, framework_minimums=minimums)


def _open(path: Path) -> tuple[bytes, Workbook]:
    """The file's bytes and the workbook in them; a file that cannot be read or opened is rejected."""
    try:
        data = path.read_bytes()
        wb = load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except OSError as exc:
        raise WorkbookRejected([Problem(message=f"The file cannot be read: {exc.strerror or exc}.")],
                               str(path)) from None
    except Exception as exc:  # not an xlsx, damaged zip, ...
        raise WorkbookRejected([Problem(message=f"This is not a readable Excel workbook (.xlsx) "
                                                f"({type(exc).__name__}).")], str(path)) from None
    return data, wb


def _read_prohibited(rows: _Rows) -> dict[str, ProhibitedCountry]:
    """The countries never sourced from, each with its reason."""
    prohibited: dict[str, ProhibitedCountry] = {}
    seen: dict[str, int] = {}
    for r, (country, reason) in rows:
        iso2 = rows.country(country, r, seen)
        reason_text = rows.text(reason, 1, r, "reason")
        if iso2 and reason_text:
            prohibited[iso2] = ProhibitedCountry(iso2=iso2, reason=reason_text)
    return prohibited


def _read_overrides(rows: _Rows) -> dict[str, ScoreOverride]:
    """The organisation's own risk score or band per country, each with its reason."""
    overrides: dict[str, ScoreOverride] = {}
    seen: dict[str, int] = {}
    for r, (country, value, reason) in rows:
        iso2 = rows.country(country, r, seen)
        reason_text = rows.text(reason, 2, r, "reason (why your organisation overrides the computed risk)")
        score, band = _score_or_band(rows, value, r)
        if iso2 and reason_text and (score is not None or band is not None):
            overrides[iso2] = ScoreOverride(iso2=iso2, score=score, band=band, reason=reason_text)
    return overrides


def _score_or_band(rows: _Rows, value, r: int) -> tuple[float | None, str | None]:
    """An override's score from 0 to 100, or its band (low, medium, high); (None, None) if neither."""
    score, band = None, None
    if is_blank(value):
        rows.add(1, r, "Give a score from 0 to 100 or a band (low, medium, high).")
    elif isinstance(value, str) and value.strip().lower() in OVERRIDE_BANDS:
        band = value.strip().lower()
    else:
        number = parse_number(value)
        if number is None or not 0 <= number <= 100:
            rows.add(1, r, f'"{str(value)[:40]}" is neither a score from 0 to 100 nor a band '
                           "(low, medium, high). To exclude a country, list it on the "
                           f'"{PROHIBITED_SHEET}" sheet.')
        else:
            score = float(number)
    return score, band


def _read_living_wages(rows: _Rows) -> dict[str, LivingWage]:
    """The gross hourly living wage required per country, with its currency, source and date."""
    living: dict[str, LivingWage] = {}
    seen: dict[str, int] = {}
    for r, (country, amount, currency, source, as_of) in rows:
        iso2 = rows.country(country, r, seen)
        hourly = parse_number(amount)
        if hourly is None or hourly <= 0:
            rows.add(1, r, "The hourly living wage must be a positive number (gross, per hour).")
        code = _wage_currency(rows, currency, iso2, r)
        src = rows.text(source, 3, r, "source of the living-wage figure")
        when = _as_of(rows, as_of, r)
        if iso2 and hourly is not None and hourly > 0 and code and src and when:
            living[iso2] = LivingWage(iso2=iso2, hourly=hourly, currency=code, source=src, as_of=when)
    return living


def _read_minimums(rows: _Rows, frameworks: Mapping[str, Collection[str]] | None) -> tuple[FrameworkMinimum, ...]:
    """The framework items every vendor must meet, each once, with what a vendor missing one gets."""
    minimums: list[FrameworkMinimum] = []
    seen: dict[tuple[str, str], int] = {}
    for r, (framework, item, if_missing, reason) in rows:
        name = rows.text(framework, 0, r, "framework (e.g. fairwork-cloudwork-2024)")
        item_id = rows.text(item if not isinstance(item, float) else f"{item:g}", 1, r, "item (e.g. 1.1)")
        outcome = IF_MISSING.get(str(if_missing or "conditional").strip().lower())
        if outcome is None:
            rows.add(2, r, f'"{str(if_missing)[:30]}" is neither conditional nor not qualified.')
        if name and frameworks is not None and name not in frameworks:
            rows.add(0, r, f'"{name[:60]}" is not a framework fairsource knows ({", ".join(sorted(frameworks))}).')
            continue
        if name and item_id and frameworks is not None and item_id not in frameworks[name]:
            rows.add(1, r, f'{name} has no item "{item_id[:20]}" ({", ".join(frameworks[name])}).')
            continue
        if name and item_id and (name, item_id) in seen:
            rows.add(1, r, f"{name} {item_id} is already listed on row {seen[(name, item_id)]}.")
            continue
        if name and item_id and outcome:
            seen[(name, item_id)] = r
            minimums.append(FrameworkMinimum(framework=name, item=item_id, if_missing=outcome,
                                             reason=str(reason).strip() if not is_blank(reason) else ""))
    return tuple(minimums)


def _wage_currency(rows: _Rows, currency, iso2: str | None, r: int) -> str | None:
    """A living wage's currency code, one of its country's currencies."""
    if is_blank(currency):
        rows.add(2, r, "The currency is missing (ISO 4217 code, e.g. KES).")
        return None
    if not iso2:
        return None
    index = country_index()
    code = str(currency).strip().upper()
    allowed = index.by_iso2[iso2].currencies
    if code not in allowed:
        rows.add(2, r, f"{code} is not a currency of {index.by_iso2[iso2].name} "
                       f"(expected {' or '.join(allowed) or 'none known'}).")
        return None
    return code


def _as_of(rows: _Rows, as_of, r: int) -> str | None:
    """The date a living-wage figure was set, as YYYY-MM-DD."""
    if isinstance(as_of, dt.datetime):
        return as_of.date().isoformat()
    if isinstance(as_of, dt.date):
        return as_of.isoformat()
    if is_blank(as_of):
        rows.add(4, r, "The date the figure was set is required (YYYY-MM-DD).")
        return None
    try:
        return dt.date.fromisoformat(str(as_of).strip()).isoformat()
    except ValueError:
        rows.add(4, r, f'"{str(as_of)[:30]}" is not a date (YYYY-MM-DD).')
        return None
