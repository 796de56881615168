"""Hostile and broken questionnaire workbooks: every one is rejected, located, and stores nothing.

Each broken file is built here from a valid one (the first example vendor's
workbook, written once per module), mutated with openpyxl or at the zip level.
Every rejection is checked for the exact cell, the question, a phrase a
procurement officer understands, and an untouched store. A few hostile-looking
but legitimate answers must be accepted exactly as typed.

Cell map of the valid base workbook (RDE-1, one question per row from row 2):
COMP-01 E2, COMP-03 E4, PAY-01 E6, PAY-03 E8, PAY-05 E10, WORK-04 E19,
COMM-02 E26, CONS-01..05 E30..E34, DEMO-01..03 E35..E37, VULN-01..03 E38..E40,
DATA-01 E41, DATA-02 E42, DATA-04 E44, SUPP-01 E47, SUPP-02 E48. Countries
rows 2-4: DE 30%, Portugal 30%, ZA 40%.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplier_models.errors import WorkbookRejected
from supplier_models.submission import Submission
from supplier_models.workbooks.examples import GOOD_ANSWERS, GOOD_RDE2_ANSWERS, ISSUED_AT
from supplier_models.workbooks.form import fill_form, write_form
from supplier_models.workbooks.reader import read_workbook
from tests.helpers.broken_workbooks import (
    accepted,
    answer,
    answers,
    country_cells,
    expect,
    mutate,
    only,
    rejected,
    rezip,
    write_bytes,
)
from tests.helpers.intake import receive

# -- the workbook's structure ----------------------------------------------------------------


def test_unknown_questionnaire_version(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, lambda wb: wb["_meta"].cell(row=2, column=2, value="9.9.9")),
                        rejecting_store)
    only(problems, "_meta!B1", None, "Unknown questionnaire RDE-1 version 9.9.9")


def test_form_not_naming_its_vendor(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, lambda wb: wb["_meta"].delete_rows(3)),
                        rejecting_store)
    only(problems, "_meta!B3", None, "The form does not name the vendor it was issued to.")


def test_missing_meta_sheet(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, lambda wb: wb.remove(wb["_meta"])), rejecting_store)
    only(problems, "_meta", None, 'The sheet "_meta" is missing (it identifies the questionnaire')


def test_renamed_sheet(base_bytes, tmp_path, rejecting_store):
    def rename(wb) -> None:
        wb["Questionnaire"].title = "Questions"

    problems = rejected(mutate(base_bytes, tmp_path, rename), rejecting_store)
    found = only(problems, "Questionnaire", None, 'The sheet "Questionnaire" is missing (do not rename')
    assert "Questions" in found.message


def test_renamed_answer_column(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, lambda wb: wb["Questionnaire"].cell(1, 5, "Response")), rejecting_store)
    only(problems, "Questionnaire!E1", None, 'Column E must be headed "Answer", found "Response".')


def test_moved_columns(base_bytes, tmp_path, rejecting_store):
    """Answer and Evidence swapped: both headers reported, no answer read from the wrong column."""
    def swap(wb) -> None:
        ws = wb["Questionnaire"]
        for row in range(1, ws.max_row + 1):
            e, f = ws.cell(row, 5), ws.cell(row, 6)
            e.value, f.value = f.value, e.value

    problems = rejected(mutate(base_bytes, tmp_path, swap), rejecting_store)
    assert len(problems) == 2
    expect(problems, "Questionnaire!E1", None, 'must be headed "Answer", found "Evidence"')
    expect(problems, "Questionnaire!F1", None, 'must be headed "Evidence", found "Answer"')


def test_renamed_countries_column(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(E1="Currency code")), rejecting_store)
    only(problems, "Countries!E1", None, 'Column E must be headed "Currency", found "Currency code"')


def test_every_renamed_countries_column_is_reported(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A1="Nation", E1="Currency code")), rejecting_store)
    assert len(problems) == 2
    expect(problems, "Countries!A1", None, 'Column A must be headed "Country", found "Nation"')
    expect(problems, "Countries!E1", None, 'Column E must be headed "Currency", found "Currency code"')


def test_deleted_question_row(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, lambda wb: wb["Questionnaire"].delete_rows(8)), rejecting_store)
    only(problems, "Questionnaire", "PAY-03", "Question PAY-03 (\"Living-wage benchmark used\") is missing")


def test_duplicated_question_row(base_bytes, tmp_path, rejecting_store):
    def duplicate(wb) -> None:
        ws = wb["Questionnaire"]
        for col in range(1, 7):
            ws.cell(52, col, ws.cell(8, col).value)
        ws.cell(52, 5, "None")

    problems = rejected(mutate(base_bytes, tmp_path, duplicate), rejecting_store)
    only(problems, "Questionnaire!A52", "PAY-03", "Question PAY-03 appears twice (first at Questionnaire!E8).")


def test_unknown_question_id(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("PAY-03", "PAY-99", column=1)), rejecting_store)
    assert len(problems) == 2
    expect(problems, "Questionnaire!A8", None, '"PAY-99" is not a question of RDE-1 v1.0.0')
    expect(problems, "Questionnaire", "PAY-03", "is missing from the sheet")


@pytest.mark.parametrize(("column", "cell"), [(5, "Questionnaire!E60"), (6, "Questionnaire!F60")],
                         ids=["answer", "evidence"])
def test_answer_on_a_row_with_no_id(base_bytes, tmp_path, rejecting_store, column, cell):
    change = lambda wb: wb["Questionnaire"].cell(60, column, "Yes, we do")  # noqa: E731
    problems = rejected(mutate(base_bytes, tmp_path, change), rejecting_store)
    only(problems, cell, None, "An answer is on a row with no question ID.")


# -- files that are not a plain .xlsx --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"ID,Answer\nPAY-01,Hourly wage\n", "This is not an Excel workbook (.xlsx)."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "This is not an Excel workbook (.xlsx)."),
        (b"", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "old-format Excel file (.xls)"),
    ],
    ids=["csv", "pdf", "empty", "ole-xls"],
)
def test_file_that_is_not_a_workbook(tmp_path, rejecting_store, data, phrase):
    only(rejected(write_bytes(tmp_path, data), rejecting_store), None, None, phrase)


def test_word_document_renamed_xlsx(tmp_path, rejecting_store):
    import docx

    document = docx.Document()
    document.add_paragraph("Our answers: yes to everything.")
    document.save(tmp_path / "returned.xlsx")
    only(rejected(tmp_path / "returned.xlsx", rejecting_store), None, None,
         "This file is a Word document, not the Excel questionnaire (.xlsx).")


def test_truncated_zip(base_bytes, tmp_path, rejecting_store):
    path = write_bytes(tmp_path, base_bytes[: len(base_bytes) // 2])
    only(rejected(path, rejecting_store), None, None, "The file is damaged or incomplete")


def test_zip_without_workbook_part(base_bytes, tmp_path, rejecting_store):
    path = write_bytes(tmp_path, rezip(base_bytes, drop=("xl/workbook.xml",)))
    only(rejected(path, rejecting_store), None, None, "it has no workbook part")


def test_damaged_member_inside_a_readable_zip(base_bytes, tmp_path, rejecting_store):
    """The zip directory is intact but a compressed part is garbage (once let zlib.error escape)."""
    with zipfile.ZipFile(io.BytesIO(base_bytes)) as archive:
        info = archive.getinfo("[Content_Types].xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(base_bytes)
    for k in range(start, start + info.compress_size, 5):
        data[k] ^= 0x5A
    only(rejected(write_bytes(tmp_path, bytes(data)), rejecting_store), None, None, "The file is damaged or incomplete")


def _macro_types(base: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        types = archive.read("[Content_Types].xml")
    return types.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda base: rezip(base, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake VBA"}), "returned.xlsx"),
        (lambda base: rezip(base, replace={"[Content_Types].xml": _macro_types(base)}), "returned.xlsx"),
        (lambda base: rezip(base, replace={"[Content_Types].xml": _macro_types(base)},
                            add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake VBA"}), "returned.xlsm"),
    ],
    ids=["vba-part", "macro-content-type", "xlsm-name"],
)
def test_macro_enabled_workbook(base_bytes, tmp_path, rejecting_store, build, name):
    path = write_bytes(tmp_path, build(base_bytes), name)
    only(rejected(path, rejecting_store), None, None, "This is a macro-enabled workbook (.xlsm); macros are not accepted.")


def test_zip_bomb(base_bytes, tmp_path, rejecting_store):
    """An extra member expanding to 201 MB of zeros; the file itself stays small (tests/workbooks/test_reader_bomb.py
    has more)."""
    out = io.BytesIO(rezip(base_bytes))
    with (zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
          archive.open("xl/media/padding.bin", "w") as member):
        chunk = bytes(1024 * 1024)
        for _ in range(201):
            member.write(chunk)
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024
    only(rejected(write_bytes(tmp_path, data), rejecting_store), None, None, "The workbook expands to more than 25 MB")


# -- formulas and oversized text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "cell", "question"),
    [
        (answer("WORK-04", "=1+1"), "Questionnaire!E19", "WORK-04"),
        (answer("COMP-01", '=HYPERLINK("http://x","y")'), "Questionnaire!E2", "COMP-01"),
        (answer("PAY-03", "=A1", column=6), "Questionnaire!F8", "PAY-03"),
    ],
    ids=["arithmetic", "hyperlink", "in-evidence"],
)
def test_formula_in_questionnaire(base_bytes, tmp_path, rejecting_store, change, cell, question):
    problems = rejected(mutate(base_bytes, tmp_path, change), rejecting_store)
    only(problems, cell, question, "This cell holds a formula. Type the answer itself; formulas are never evaluated.")


@pytest.mark.parametrize(("cell", "column"), [("A3", "Country"), ("B3", "Workforce share %"), ("C3", "Workers"),
                                              ("D3", "Lowest hourly pay")])
def test_formula_in_countries(base_bytes, tmp_path, rejecting_store, cell, column):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(**{cell: "=20+10"})), rejecting_store)
    only(problems, f"Countries!{cell}", column, "This cell holds a formula. Type the value itself.")


def test_overlong_answer(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("COMP-01", "A" * 2001)), rejecting_store)
    only(problems, "Questionnaire!E2", "COMP-01", "The answer is 2001 characters long; the limit is 2000.")


def test_overlong_evidence(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("PAY-03", "see policy " * 250, column=6)), rejecting_store)
    only(problems, "Questionnaire!F8", "PAY-03", "The evidence is 2749 characters long; the limit is 2000.")


def test_text_of_exactly_the_limit_is_accepted(base_bytes, tmp_path, store):
    submission = accepted(mutate(base_bytes, tmp_path, answer("COMP-01", "B" * 2000)), store)
    assert submission.answers["COMP-01"] == "B" * 2000


# -- several problems at once ------------------------------------------------------------------


def test_every_problem_is_reported_with_its_own_cell(base_bytes, tmp_path, rejecting_store):
    def many(wb) -> None:
        answers(PAY_01="Hourly", WORK_04=200, PAY_03=None, DATA_02="soon")(wb)
        answer("COMP-01", "=1+1")(wb)
        country_cells(E2="USD", C3=2.5, A4="Atlantis")(wb)

    problems = rejected(mutate(base_bytes, tmp_path, many), rejecting_store)
    expected = [
        ("Questionnaire!E2", "COMP-01", "holds a formula"),
        ("Questionnaire!E6", "PAY-01", "is not one of the choices"),
        ("Questionnaire!E8", "PAY-03", "An answer is required"),
        ("Questionnaire!E19", "WORK-04", "out of range"),
        ("Questionnaire!E42", "DATA-02", "is not a date"),
        ("Countries!E2", "Currency", "Pay in Germany must be given in its local currency (EUR), not USD"),
        ("Countries!C3", "Workers", "is not a whole number"),
        ("Countries!A4", "Country", "is not a known country"),
    ]
    for cell, question, phrase in expected:
        expect(problems, cell, question, phrase)
    assert len(problems) == len(expected), [str(p) for p in problems]
    assert len({p.cell for p in problems}) == len(problems)
    assert WorkbookRejected(problems).as_json()["errors"][0].keys() == {"cell", "question", "message"}


def test_problems_are_listed_in_row_order(base_bytes, tmp_path, rejecting_store):
    """Sheet by sheet (Questionnaire, Countries, _meta), then row, then column; a required answer
    found missing only after every answer was read is listed at its own row, not at the end."""
    def many(wb) -> None:
        answers(WORK_04=200, PAY_03=None, COMP_03="Data annotation, Crowdsourcing")(wb)
        answer("COMP-01", "=1+1")(wb)
        answer("PAY-03", "x" * 2001, column=6)(wb)
        wb["Questionnaire"].cell(60, 6, "stray")
        country_cells(E2="USD", C3=2.5, A4="Atlantis", A5="Kenya", C5=20)(wb)
        wb["_meta"].delete_rows(3)

    problems = rejected(mutate(base_bytes, tmp_path, many), rejecting_store)
    assert [(p.cell, p.question) for p in problems] == [
        ("Questionnaire!E2", "COMP-01"),
        ("Questionnaire!E4", "COMP-03"),
        ("Questionnaire!E8", "PAY-03"),
        ("Questionnaire!F8", "PAY-03"),
        ("Questionnaire!E19", "WORK-04"),
        ("Questionnaire!F60", None),
        ("Countries!E2", "Currency"),
        ("Countries!C3", "Workers"),
        ("Countries!A4", "Country"),
        ("Countries!B5", "Workforce share %"),
        ("Countries!D5", "Lowest hourly pay"),
        ("Countries!E5", "Currency"),
        ("Countries!F5", "Pay basis"),
        ("_meta!B3", None),
    ]
    assert [p.cell for p in WorkbookRejected(problems).problems] == [p.cell for p in problems]


# -- hostile text that is a legitimate answer ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{{ 7*7 }}",
        "<w:t>x</w:t>",
        "{% for x in y %}",
        "Acme 🚀 Data ✅ Ltd",
        "شركة البيانات المسؤولة",
        "Robert'); DROP TABLE vendor;--",
        "Müller & Söhne <GmbH> \"Daten\"",
    ],
    ids=["jinja-expression", "docx-xml", "jinja-block", "emoji", "rtl-arabic", "sql", "markup-chars"],
)
def test_hostile_text_is_kept_literally(base_bytes, tmp_path, store, text):
    change = answers(COMP_01=text)
    evidence = answer("PAY-03", text, column=6)
    submission = accepted(mutate(base_bytes, tmp_path, lambda wb: (change(wb), evidence(wb))), store)
    assert submission.answers["COMP-01"] == text
    assert submission.legal_entity == text
    assert submission.evidence["PAY-03"] == text
    stored = store.submissions.read(receive(tmp_path / "returned.xlsx", store).record)
    assert stored.answers["COMP-01"] == text


# -- accepted files ------------------------------------------------------------------------------


def test_identical_file_resubmitted_is_stored_once(base_bytes, tmp_path, store):
    path = write_bytes(tmp_path, base_bytes)
    first = receive(path, store)
    counts = store.counts()
    assert not first.duplicate
    assert (counts["vendor"], counts["submission"], counts["assessment"], counts["audit_event"]) == (1, 1, 1, 2)
    second = receive(write_bytes(tmp_path, base_bytes, "resent.xlsx"), store)
    assert second.duplicate
    assert second.record.id == first.record.id
    assert store.counts() == counts


def test_excel_booleans_and_any_case_are_read_as_yes_no(base_bytes, tmp_path, store):
    submission = accepted(mutate(base_bytes, tmp_path, answers(PAY_02=True, PAY_05=False, PAY_04="yes")), store)
    assert (submission.answers["PAY-02"], submission.answers["PAY-05"], submission.answers["PAY-04"]) == (
        "Yes", "No", "Yes")


def test_fill_form_round_trips_exactly(tmp_path, store):
    typed: dict[str, object] = {
        **GOOD_ANSWERS, **GOOD_RDE2_ANSWERS,  # a new form is RDE-2's
        "COMP-01": "Round Trip Collective Ltd",
        "COMP-02": "KE",
        "COMP-03": ["Data collection from contributors", "Transcription or translation"],
        "COMP-04": ["Employees", "Subcontracted teams"],
        "CONS-01": "Yes", "CONS-02": "Yes", "CONS-03": "No", "CONS-04": "Yes", "CONS-05": "Yes",
        "DEMO-01": "Self-identified by contributors", "DEMO-02": "Yes", "DEMO-03": "No",
        "VULN-01": "Yes", "VULN-02": "Yes", "VULN-03": "Yes",
        "SUPP-01": "Yes", "SUPP-02": "Yes",
        "WORK-04": 37.5, "COMM-02": 0, "DATA-04": 72,
        "DATA-01": ["ISO/IEC 27701"],
        "DATA-02": dt.date(2028, 2, 29),
    }
    countries = [("Kenya", 60.5, 120, 180.25, "KES", "Hourly wage"),
                 ("UG", 39.5, 30, 4500, "UGX", "Piece rate with hourly floor")]
    evidence = {"PAY-03": "WageIndicator 2026 tables", "CONS-02": "consent-register.pdf"}
    path = write_form(tmp_path / "round-trip.xlsx", "Round Trip Collective Ltd", issued_at=ISSUED_AT, form_id="f-1")
    fill_form(path, typed, countries, evidence)

    submission = accepted(path, store)

    def canonical(value: object) -> object:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Decimal(str(value))
        return list(value) if isinstance(value, (list, tuple)) else value

    expected = {q: None for q in submission.answers} | {q: canonical(v) for q, v in typed.items()}
    assert submission.answers == expected
    assert submission.answers["WORK-04"] == Decimal("37.5") and isinstance(submission.answers["DATA-04"], Decimal)
    assert submission.answers["DATA-02"] == dt.date(2028, 2, 29)
    assert submission.evidence == evidence
    assert [(c.iso2, c.share_pct, c.workers, c.lowest_hourly_pay, c.currency, c.pay_basis, c.row)
            for c in submission.countries] == [
        ("KE", Decimal("60.5"), 120, Decimal("180.25"), "KES", "Hourly wage", 2),
        ("UG", Decimal("39.5"), 30, Decimal("4500"), "UGX", "Piece rate with hourly floor", 3),
    ]
    assert (submission.vendor_name, submission.form_id, submission.issued_at) == (
        "Round Trip Collective Ltd", "f-1", ISSUED_AT)
    assert submission.cells["PAY-03"] == "Questionnaire!E8"
    assert store.submissions.read(receive(path, store).record) == submission


# -- whatever the bytes, only WorkbookRejected ----------------------------------------------------

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _read_or_reject(data: bytes) -> None:
    try:
        result = read_workbook("fuzzed.xlsx", data=data)
    except WorkbookRejected as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert isinstance(result, Submission)


@FUZZ
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=12))
def test_mutated_bytes_raise_only_workbook_rejected(base_bytes, edits):
    data = bytearray(base_bytes)
    for where, value in edits:
        data[int(where * len(data))] = value
    _read_or_reject(bytes(data))


@FUZZ
@given(data=st.one_of(st.binary(max_size=4096), st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b)))
def test_random_bytes_raise_only_workbook_rejected(data):
    _read_or_reject(data)


@FUZZ
@given(cut=st.integers(0, 20000), tail=st.binary(max_size=64))
def test_cut_and_padded_workbooks_raise_only_workbook_rejected(base_bytes, cut, tail):
    _read_or_reject(base_bytes[: len(base_bytes) - cut] + tail)
