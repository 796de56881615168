"""Read a returned questionnaire workbook into a validated `Submission`.

The reader collects every problem it finds (sheet, cell, question, a message
a procurement officer understands) and raises them together as
`WorkbookRejected`. It raises nothing else, whatever the file: a damaged zip,
a macro-enabled workbook, an old .xls, a formula, a renamed sheet, an answer
of the wrong type. It takes what a person typed, never a computed value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..countries import Country, country_index, currency_codes, currency_names, suggest_currency
from ..errors import Problem, QuestionnaireNotFound, WorkbookRejected
from ..questionnaire import Questionnaire, load
from ..submission import AnswerValue, Attestation, CountryRow, Submission
from .answers import parse_answer
from .attestation import ATTESTATION_SHEET, attestation_cells, read_attestation
from .cells import cell_place, cell_ref, is_blank, is_formula, parse_number, short
from .container import MAX_FILE_BYTES as MAX_FILE_BYTES  # the web app's upload limit
from .container import ZipLimits, container_problem
from .form import (
    ANSWER_COL,
    COUNTRIES_SHEET,
    COUNTRY_COLUMNS,
    EVIDENCE_COL,
    META_SHEET,
    QUESTION_COLUMNS,
    QUESTIONNAIRE_SHEET,
)

MAX_QUESTION_ROWS = 1000
_SHEET_ORDER = (QUESTIONNAIRE_SHEET, COUNTRIES_SHEET, ATTESTATION_SHEET, META_SHEET)


def _position(problem: Problem) -> tuple[int, int, int]:
    """Where a problem is, for listing problems in reading order: the file first, then sheet by
    sheet (Questionnaire, Countries, Attestation, _meta), a whole-sheet problem before its cells, then row,
    then column. A range (Countries!B2:B4) is placed at its first cell."""
    if problem.cell is None:
        return (-1, 0, 0)
    sheet, _, column, row = cell_place(problem.cell)
    order = _SHEET_ORDER.index(sheet) if sheet in _SHEET_ORDER else len(_SHEET_ORDER)
    return (order, row, column)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, cell: str | None, message: str, question: str | None = None) -> None:
        self.problems.append(Problem(cell=cell, question=question, message=message))

    def ordered(self) -> list[Problem]:
        """Every problem, by sheet, then row, then column (found order among problems of one cell)."""
        return sorted(self.problems, key=_position)


def _read_meta(wb, errors: _Collector) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in wb[META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if row and row[0] is not None:
            meta[str(row[0]).strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    return meta


def _header_ok(header, sheet: str, columns: tuple[str, ...], errors: _Collector) -> bool:
    """Row 1 holds `columns` in order; every column that does not is reported."""
    found = [None if c.value is None else str(c.value).strip() for c in header]
    found += [None] * (len(columns) - len(found))
    ok = True
    for col, expected in enumerate(columns, start=1):
        if (found[col - 1] or "").casefold() != expected.casefold():
            ok = False
            errors.add(cell_ref(sheet, col, 1), f'Column {get_column_letter(col)} must be headed "{expected}", found '
                                                f'"{found[col - 1] or ""}". Do not move, insert or delete columns.')
    return ok


def _read_questions(ws, q: Questionnaire, errors: _Collector):
    sheet = QUESTIONNAIRE_SHEET
    raw: dict[str, object] = {}
    evidence: dict[str, str] = {}
    cells: dict[str, str] = {}
    rows = ws.iter_rows(min_row=1, max_col=len(QUESTION_COLUMNS))
    if not _header_ok(next(rows, ()), sheet, QUESTION_COLUMNS, errors):
        return raw, evidence, cells
    for n, row in enumerate(rows, start=2):
        if n > MAX_QUESTION_ROWS + 1:
            errors.add(sheet, f"The sheet has more than {MAX_QUESTION_ROWS} rows; it is not the questionnaire.")
            break
        row = tuple(row) + (None,) * (len(QUESTION_COLUMNS) - len(row))
        id_cell = row[0]
        qid = None if id_cell is None or id_cell.value is None else str(id_cell.value).strip()
        answer_cell, evidence_cell = row[ANSWER_COL - 1], row[EVIDENCE_COL - 1]
        answer = None if answer_cell is None else answer_cell.value
        ev = None if evidence_cell is None else evidence_cell.value
        if not qid:
            if not is_blank(answer) or not is_blank(ev):
                col = ANSWER_COL if not is_blank(answer) else EVIDENCE_COL
                errors.add(cell_ref(sheet, col, n), "An answer is on a row with no question ID. "
                                                "Answer only on the question rows.")
            continue
        if qid not in q.by_id:
            errors.add(cell_ref(sheet, 1, n), f'"{short(qid)}" is not a question of {q.key}. Do not edit the ID column.')
            continue
        if qid in cells:
            errors.add(cell_ref(sheet, 1, n), f"Question {qid} appears twice (first at {cells[qid]}).", qid)
            continue
        cells[qid] = cell_ref(sheet, ANSWER_COL, n)
        for cell, col in ((answer_cell, ANSWER_COL), (evidence_cell, EVIDENCE_COL)):
            if cell is not None and is_formula(cell):
                errors.add(cell_ref(sheet, col, n), "This cell holds a formula. Type the answer itself; "
                                                "formulas are never evaluated.", qid)
        if answer_cell is not None and is_formula(answer_cell):
            continue
        raw[qid] = answer
        if not is_blank(ev) and not (evidence_cell is not None and is_formula(evidence_cell)):
            evidence[qid] = str(ev).strip()
            if len(evidence[qid]) > q.max_text_length:
                errors.add(cell_ref(sheet, EVIDENCE_COL, n), f"The evidence is {len(evidence[qid])} characters long; "
                                                         f"the limit is {q.max_text_length}.", qid)
    for question in q.questions:
        if question.id not in cells:
            errors.add(sheet, f'Question {question.id} ("{short(question.text)}") is missing from the sheet. '
                              "Do not delete rows; use a fresh form if needed.", question.id)
    return raw, evidence, cells


def _validate_answers(q: Questionnaire, raw: dict[str, object], cells: dict[str, str], errors: _Collector):
    answers: dict[str, AnswerValue] = {}
    for question in q.questions:
        value = raw.get(question.id)
        if question.id not in cells or is_blank(value):
            answers[question.id] = None
            continue
        if isinstance(value, str) and len(value) > q.max_text_length:
            errors.add(cells[question.id], f"The answer is {len(value)} characters long; the limit is "
                                           f"{q.max_text_length}.", question.id)
            answers[question.id] = None
            continue
        answers[question.id], problem = parse_answer(question, value)
        if problem is not None:
            errors.add(cells[question.id], problem, question.id)
    # Requirements depend on other answers (COMP-03 switches CONS on, ...), so check them after parsing.
    reported = {p.cell for p in errors.problems}  # e.g. a formula in the answer cell: not also "required"
    for question in q.questions:
        if question.id not in cells or not is_blank(raw.get(question.id)) or cells[question.id] in reported:
            continue
        condition = question.required_if or question.optional_if
        if condition is not None and answers.get(condition.question) is None:
            continue  # depends on an answer that is itself missing or wrong, reported there
        if question.is_required(answers):
            why = ""
            if question.required_if is not None:
                why = f" (required because {question.required_if.describe()})"
            elif question.optional_if is not None:
                why = f" (it may be left empty only when {question.optional_if.describe()})"
            errors.add(cells[question.id], f'An answer is required: "{question.text}"{why}.', question.id)
    return answers


def _read_countries(ws, q: Questionnaire, errors: _Collector) -> list[CountryRow]:
    sheet = COUNTRIES_SHEET
    rows = ws.iter_rows(min_row=1, max_col=len(COUNTRY_COLUMNS))
    if not _header_ok(next(rows, ()), sheet, COUNTRY_COLUMNS, errors):
        return []
    result: list[CountryRow] = []
    seen: dict[str, int] = {}
    shares: list[Decimal] = []
    complete = True
    for n, row in enumerate(rows, start=2):
        cells = tuple(row) + (None,) * (len(COUNTRY_COLUMNS) - len(row))
        if all(c is None or is_blank(c.value) for c in cells):
            continue
        if len(seen) + 1 > q.countries.max_rows or n > q.countries.max_rows + 1:
            errors.add(cell_ref(sheet, 1, n), f"At most {q.countries.max_rows} countries can be listed.")
            complete = False
            break
        share, country_row = _CountryRow(n, cells, errors).read(q, seen)
        if share is not None:
            shares.append(share)
        else:
            complete = False
        if country_row is not None:
            result.append(country_row)
    if complete:
        _check_shares_total(seen, shares, q, errors)
    return result


def _check_shares_total(seen: dict[str, int], shares: list[Decimal], q: Questionnaire, errors: _Collector) -> None:
    """Once every row is read and every share is valid: some country is listed and the shares make 100%."""
    sheet = COUNTRIES_SHEET
    total = sum(shares, Decimal(0))
    tolerance = Decimal(str(q.countries.share_tolerance))
    if not seen:
        errors.add(cell_ref(sheet, 1, 2), "No country is listed. Add one row for every country where your "
                                      "workers will do the work.")
    elif abs(total - 100) > tolerance:
        hint = ""
        if all(share <= 1 for share in shares) and abs(total * 100 - 100) <= tolerance:
            percent = f"{(shares[0] * 100).normalize():f}"
            hint = f" These look like fractions of 1: type {percent} for {percent}%, not {shares[0]}."
        errors.add(f"{sheet}!B2:B{max(seen.values())}", f"The workforce shares add up to {total}%, not 100%.{hint}",
                   COUNTRY_COLUMNS[1])


class _CountryRow:
    """One filled-in row of the Countries sheet, read cell by cell; `ok` until a problem is found."""

    def __init__(self, n: int, cells: tuple, errors: _Collector) -> None:
        """Row `n`'s cells; every formula is reported at once, and its cell is then read as empty."""
        self.n, self.cells, self.errors = n, cells, errors
        self.formulas: set[int] = set()
        for col, cell in enumerate(cells, start=1):
            if cell is not None and is_formula(cell):
                errors.add(cell_ref(COUNTRIES_SHEET, col, n), "This cell holds a formula. Type the value itself.",
                           COUNTRY_COLUMNS[col - 1])
                self.formulas.add(col)
        self.ok = not self.formulas

    def read(self, q: Questionnaire, seen: dict[str, int]) -> tuple[Decimal | None, CountryRow | None]:
        """The row's share (None if missing or wrong), and the row itself if every cell is right."""
        name, share, workers, pay, currency, basis = (None if c is None or col in self.formulas else c.value
                                                      for col, c in enumerate(self.cells, start=1))
        country = self.country(name, seen)
        share_value = self.share(share, country)
        workers_value = self.workers(workers)
        pay_value = self.pay(pay)
        code = self.currency(currency, country)
        basis_value = self.pay_basis(basis, q.countries.pay_basis_choices)
        if not (self.ok and country is not None):
            return share_value, None
        return share_value, CountryRow(
            iso2=country.iso2, name=country.name, share_pct=share_value, workers=int(workers_value),
            lowest_hourly_pay=pay_value, currency=code, pay_basis=basis_value, row=self.n,
        )

    def bad(self, col: int, message: str) -> None:
        """Report a problem in column `col` of this row."""
        self.ok = False
        if col not in self.formulas:  # reported once, as a formula, not again as missing
            self.errors.add(cell_ref(COUNTRIES_SHEET, col, self.n), message, COUNTRY_COLUMNS[col - 1])

    def country(self, name: object, seen: dict[str, int]) -> Country | None:
        """The country, known and not on an earlier row (`seen`: country to the row it is on)."""
        if is_blank(name):
            if self.ok:
                self.bad(1, "The country is missing on a row that has other values.")
            return None
        index = country_index()
        country = index.resolve(str(name))
        if country is None:
            close = index.suggest(str(name))
            hint = f"; did you mean {close.name} ({close.iso2})?" if close else "."
            self.bad(1, f'"{short(str(name))}" is not a known country{hint} Use an ISO 3166-1 alpha-2 code '
                        "(for example KE) or the English name from the list.")
            return None
        if country.iso2 in seen:
            self.bad(1, f"{country.name} is listed twice (first on row {seen[country.iso2]}); "
                        "give each country one row.")
            return None
        seen[country.iso2] = self.n
        return country

    def share(self, share: object, country: Country | None) -> Decimal | None:
        """The workforce share, a percentage above 0 and at most 100."""
        if is_blank(share):
            if self.ok or country:
                self.bad(2, "The workforce share (%) is missing.")
            return None
        value = _percentage(share, self.cells[1])
        if value is None:
            self.bad(2, f'"{short(str(share))}" is not a number; give the share as a percentage, for example 40.')
        elif not Decimal(0) < value <= Decimal(100):
            self.bad(2, f"{value} is not a valid workforce share; give a percentage above 0 and at most 100.")
            return None
        return value

    def workers(self, workers: object) -> Decimal | None:
        """The number of workers, a whole number, at least 1."""
        if is_blank(workers):
            self.bad(3, "The number of workers is missing.")
            return None
        value = parse_number(workers)
        if value is None or value != value.to_integral_value() or value < 1:
            self.bad(3, f'"{short(str(workers))}" is not a whole number of workers (at least 1).')
            return None
        return value

    def pay(self, pay: object) -> Decimal | None:
        """The lowest gross hourly pay, more than 0."""
        if is_blank(pay):
            self.bad(4, "The lowest hourly pay is missing.")
            return None
        value = parse_number(pay)
        if value is None:
            self.bad(4, f'"{short(str(pay))}" is not an amount; give the lowest gross hourly pay as a number '
                        "in the local currency.")
        elif value <= 0:
            self.bad(4, f"{value} is not a valid hourly pay; give the lowest gross hourly pay, more than 0, "
                        "in the local currency.")
            return None
        return value

    def currency(self, currency: object, country: Country | None) -> str | None:
        """The ISO 4217 code of the pay, the country's own currency."""
        if is_blank(currency):
            self.bad(5, "The currency is missing (an ISO 4217 code such as KES).")
            return None
        code = str(currency).strip().upper()
        if code not in currency_codes():
            self.bad(5, f'"{short(str(currency))}" is not an ISO 4217 currency code{_currency_hint(currency, country)}')
            return None
        if country is not None and country.currencies and code not in country.currencies:
            self.bad(5, f"Pay in {country.name} must be given in its local currency "
                        f"({' or '.join(country.currencies)}), not {code}; amounts are never converted.")
            return None
        return code

    def pay_basis(self, basis: object, choices: tuple[str, ...]) -> str | None:
        """The pay basis, one of the questionnaire's choices."""
        if is_blank(basis):
            self.bad(6, "The pay basis is missing.")
            return None
        value = next((b for b in choices if b.casefold() == str(basis).strip().casefold()), None)
        if value is None:
            self.bad(6, f'"{short(str(basis))}" is not a pay basis: ' + " / ".join(choices) + ".")
        return value


def _percentage(value: object, cell) -> Decimal | None:
    """A workforce share as a percentage. A cell formatted as a percentage holds a fraction
    (60% is stored as 0.6) and reads as 60; "60%" typed as text reads as 60 too."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_number(value.strip()[:-1])
    number = parse_number(value)
    if number is None or isinstance(value, str) or "%" not in str(getattr(cell, "number_format", "") or ""):
        return number
    number *= 100
    if abs(number) < Decimal("1e15") and number == number.to_integral_value():
        return number.quantize(Decimal(1))  # 60, not 60.0 or 6E+1
    return number.normalize()


def _currency_hint(typed: object, country: Country | None) -> str:
    """"; did you mean KES (Kenyan Shilling), the currency of Kenya?", or "." when nothing is close."""
    code = suggest_currency(str(typed), country)
    if code is None:
        return "."
    own = country is not None and country.currencies == (code,)
    return f"; did you mean {code} ({currency_names()[code]})" + (f", the currency of {country.name}?" if own else "?")


def read_workbook(path: str | Path, *, data: bytes | None = None, limits: ZipLimits | None = None) -> Submission:
    """Read and validate a returned questionnaire; raise `WorkbookRejected` with every problem. `limits`: how far
    its zip may expand (default: `FAIRSOURCE_WORKBOOK_MAX_EXPANDED_MB` and `..._MAX_PART_RATIO`)."""
    path = Path(path)
    errors = _Collector()
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise WorkbookRejected([Problem(message=f"The file cannot be read: {exc.strerror or exc}.")],
                                   str(path)) from None
    problem = container_problem(data, limits)
    if problem is not None:
        errors.add(None, problem)
        raise WorkbookRejected(errors.ordered(), str(path))
    try:
        return _read(data, path, errors)
    except WorkbookRejected:
        raise
    except Exception as exc:  # openpyxl or zip failure deep in a damaged file
        errors.add(None, f"The workbook cannot be read ({type(exc).__name__}); it may be damaged. "
                         "Open it, save it again as .xlsx and resend it.")
        raise WorkbookRejected(errors.ordered(), str(path)) from None


def _read(data: bytes, path: Path, errors: _Collector) -> Submission:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    try:
        return _read_sheets(wb, errors, sha256=hashlib.sha256(data).hexdigest(), filename=path.name,
                            label=str(path))
    finally:
        wb.close()


def read_book(book, *, sha256: str, filename: str) -> Submission:
    """Read and validate answers laid out as the workbook's sheets (`typed.typed_book`: the web form's), exactly
    as a returned workbook is read; raise `WorkbookRejected` with every problem, each at its cell. `sha256`
    identifies what was received (`typed.content_digest` for answers that came in no file)."""
    return _read_sheets(book, _Collector(), sha256=sha256, filename=filename, label=filename)


def _read_sheets(wb, errors: _Collector, *, sha256: str, filename: str, label: str) -> Submission:
    """The submission the sheets of `wb` hold (a workbook opened by openpyxl or a `typed.TypedBook`)."""
    missing = [s for s in (QUESTIONNAIRE_SHEET, COUNTRIES_SHEET, META_SHEET) if s not in wb.sheetnames]
    for sheet in missing:
        hint = ("it identifies the questionnaire; use the form you were sent"
                if sheet == META_SHEET else "do not rename or delete sheets")
        errors.add(sheet, f'The sheet "{sheet}" is missing ({hint}). Sheets found: '
                          + ", ".join(wb.sheetnames) + ".")
    if missing:
        raise WorkbookRejected(errors.ordered(), label)
    meta = _read_meta(wb, errors)
    qid, version = meta.get("questionnaire_id", ""), meta.get("questionnaire_version", "")
    try:
        q = load(qid, version)
    except QuestionnaireNotFound as exc:
        errors.add(f"{META_SHEET}!B1", f"Unknown questionnaire {qid or '(none)'} version {version or '(none)'}: "
                                       f"{exc}. Use a form issued by fairsource.")
        raise WorkbookRejected(errors.ordered(), label) from None
    vendor = meta.get("vendor", "")
    if not vendor:
        errors.add(f"{META_SHEET}!B3", "The form does not name the vendor it was issued to.")
    raw, evidence, cells = _read_questions(wb[QUESTIONNAIRE_SHEET], q, errors)
    answers = _validate_answers(q, raw, cells, errors)
    countries = _read_countries(wb[COUNTRIES_SHEET], q, errors)
    attestation = _read_attestation(wb, meta, errors)
    if errors.problems:
        raise WorkbookRejected(errors.ordered(), label)
    issued = None
    try:
        issued = dt.datetime.fromisoformat(meta["issued_at"]) if meta.get("issued_at") else None
    except ValueError:
        issued = None
    return Submission(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        vendor_name=vendor,
        issued_at=issued,
        form_id=meta.get("form_id") or None,
        sha256=sha256,
        filename=filename,
        answers=answers,
        evidence=evidence,
        countries=countries,
        cells=cells,
        attestation=attestation,
    )


def _read_attestation(wb, meta: dict[str, str], errors: _Collector) -> Attestation | None:
    """The form's attestation: None, and nothing required, on a form issued before forms carried one."""
    cells = attestation_cells(meta)
    if cells is None:
        return None
    if not cells:
        errors.add(META_SHEET, "The form does not say where its attestation is. Use the form you were sent.")
        return None
    if ATTESTATION_SHEET not in wb.sheetnames:
        errors.add(ATTESTATION_SHEET, f'The sheet "{ATTESTATION_SHEET}" is missing (do not rename or delete sheets). '
                                      "Sheets found: " + ", ".join(wb.sheetnames) + ".")
        return None
    return read_attestation(wb[ATTESTATION_SHEET], cells, errors.add)
