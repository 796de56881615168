"""Returned workbooks with answers of the wrong kind, conditional questions left out or wrongly answered, and a
Countries sheet that does not add up: each rejected at its cell with a phrase a procurement officer understands,
storing nothing; the legitimate variants accepted. (Cell map of the base workbook: tests/workbooks/test_reader_hostile.py.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers.broken_workbooks import (
    Mutation,
    accepted,
    answer,
    answers,
    country_cells,
    expect,
    mutate,
    only,
    rejected,
    write_bytes,
)

# -- answers of the wrong kind ---------------------------------------------------------


def test_missing_required_answer(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("PAY-03", None)), rejecting_store)
    only(problems, "Questionnaire!E8", "PAY-03", 'An answer is required: "Living-wage benchmark used"')


def test_whitespace_only_answer_is_missing(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("PAY-05", "   ")), rejecting_store)
    only(problems, "Questionnaire!E10", "PAY-05", "An answer is required")


@pytest.mark.parametrize(
    ("qid", "cell", "typed", "phrase"),
    [
        ("PAY-01", "Questionnaire!E6", "Hourly", '"Hourly" is not one of the choices for "Payment model": '
                                                 "Hourly wage / Salary / Piece rate with hourly floor / Piece rate only."),
        ("PAY-05", "Questionnaire!E10", "Maybe", '"Maybe" is not one of the choices for "Workers are charged '
                                                 'any recruitment, placement or platform fee": Yes / No.'),
        ("COMP-03", "Questionnaire!E4", "Data annotation, Crowdsourcing",
         '"Crowdsourcing" is not one of the choices for "Services offered"'),
    ],
    ids=["choice", "yes_no", "multi-one-bad-item"],
)
def test_value_not_among_the_choices(base_bytes, tmp_path, rejecting_store, qid, cell, typed, phrase):
    problems = rejected(mutate(base_bytes, tmp_path, answer(qid, typed)), rejecting_store)
    only(problems, cell, qid, phrase)


def test_none_combined_with_a_certification(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("DATA-01", "None, ISO/IEC 27001")), rejecting_store)
    only(problems, "Questionnaire!E41", "DATA-01",
         '"None" cannot be combined with other answers for "Security certifications held"')


@pytest.mark.parametrize(
    ("qid", "cell", "typed", "phrase"),
    [
        ("WORK-04", "Questionnaire!E19", "forty", '"forty" is not a number; "Maximum hours per worker per week" '
                                                  "needs a number."),
        ("DATA-04", "Questionnaire!E44", True, '"True" is not a number'),
        ("COMM-02", "Questionnaire!E26", "4 hours", '"4 hours" is not a number'),
        ("DATA-02", "Questionnaire!E42", "31/03/2027", '"31/03/2027" is not a date; write it as YYYY-MM-DD'),
        ("DATA-02", "Questionnaire!E42", "2027-02-30", '"2027-02-30" is not a date'),
    ],
    ids=["text-in-number", "bool-in-number", "unit-in-number", "day-first-date", "impossible-date"],
)
def test_wrong_type(base_bytes, tmp_path, rejecting_store, qid, cell, typed, phrase):
    problems = rejected(mutate(base_bytes, tmp_path, answer(qid, typed)), rejecting_store)
    only(problems, cell, qid, phrase)


@pytest.mark.parametrize(
    ("qid", "cell", "typed", "phrase"),
    [
        ("WORK-04", "Questionnaire!E19", 200, '200 is out of range; "Maximum hours per worker per week" '
                                              "must be from 0 to 168."),
        ("COMM-02", "Questionnaire!E26", -4, "-4 is out of range"),
        ("DATA-04", "Questionnaire!E44", "NaN", '"NaN" is not a number'),
    ],
    ids=["work-04-200", "comm-02-negative", "nan"],
)
def test_number_out_of_range(base_bytes, tmp_path, rejecting_store, qid, cell, typed, phrase):
    problems = rejected(mutate(base_bytes, tmp_path, answer(qid, typed)), rejecting_store)
    only(problems, cell, qid, phrase)


# -- conditional questions -------------------------------------------------------------


def test_consent_required_when_collecting_data(base_bytes, tmp_path, rejecting_store):
    services = "Data annotation, Data collection from contributors"
    problems = rejected(mutate(base_bytes, tmp_path, answer("COMP-03", services)), rejecting_store)
    assert len(problems) == 5
    for i in range(1, 6):
        expect(problems, f"Questionnaire!E{29 + i}", f"CONS-0{i}",
               'required because COMP-03 includes "Data collection from contributors"')


def test_conditional_questions_may_be_empty_when_they_do_not_apply(base_bytes, tmp_path, store):
    """No data collection, demographics not collected, no vulnerable groups, no subcontractors."""
    path = write_bytes(tmp_path, base_bytes)
    submission = accepted(path, store)
    for qid in ("CONS-01", "CONS-02", "CONS-03", "CONS-04", "CONS-05", "DEMO-02", "DEMO-03", "VULN-03", "SUPP-02"):
        assert submission.answers[qid] is None
    assert submission.answers["DEMO-01"] == "Not collected"
    assert submission.answers["VULN-01"] == "No" and submission.answers["SUPP-01"] == "No"


def test_consent_given_when_collecting_data_is_accepted(base_bytes, tmp_path, store):
    change = answers(COMP_03="Data collection from contributors", CONS_01="Yes", CONS_02="yes", CONS_03="Yes",
                     CONS_04="No", CONS_05="YES")
    submission = accepted(mutate(base_bytes, tmp_path, change), store)
    assert [submission.answers[f"CONS-0{i}"] for i in range(1, 6)] == ["Yes", "Yes", "Yes", "No", "Yes"]


def test_demographic_questions_required_unless_not_collected(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("DEMO-01", "Self-identified by contributors")), rejecting_store)
    assert len(problems) == 2
    for qid, cell in (("DEMO-02", "Questionnaire!E36"), ("DEMO-03", "Questionnaire!E37")):
        expect(problems, cell, qid, 'it may be left empty only when DEMO-01 is "Not collected"')


def test_vulnerable_group_safeguards_required_when_vulnerable_groups(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("VULN-01", "Yes")), rejecting_store)
    only(problems, "Questionnaire!E40", "VULN-03", 'only when VULN-01 is "No"')


def test_subcontractor_disclosure_required_when_subcontracting(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, answer("SUPP-01", "Yes")), rejecting_store)
    only(problems, "Questionnaire!E48", "SUPP-02", "An answer is required")


def test_condition_on_a_wrong_answer_reports_only_the_wrong_answer(base_bytes, tmp_path, rejecting_store):
    """DEMO-01 unreadable: DEMO-02/03 are not also reported as missing."""
    problems = rejected(mutate(base_bytes, tmp_path, answer("DEMO-01", "Sometimes")), rejecting_store)
    only(problems, "Questionnaire!E35", "DEMO-01", '"Sometimes" is not one of the choices')


# -- the Countries sheet -----------------------------------------------------------------


def test_shares_within_half_a_point_of_100_are_accepted(base_bytes, tmp_path, store):
    submission = accepted(mutate(base_bytes, tmp_path, country_cells(B4=39.6)), store)
    assert sum(c.share_pct for c in submission.countries) == Decimal("99.6")


def percent(**cells: float) -> Mutation:
    """Type shares as Excel stores "30%": the fraction 0.3 in a cell with a percent number format."""

    def change(wb) -> None:
        for ref, value in cells.items():
            wb["Countries"][ref] = value
            wb["Countries"][ref].number_format = "0.0%"

    return change


@pytest.mark.parametrize("typed", [
    {"B2": 0.3, "B3": 0.3, "B4": 0.4},                 # every share typed as 30%, 30%, 40%
    {"B2": 0.3},                                        # 30% beside plain 30 and 40
    {"B2": 0.305, "B3": 0.295},                         # 30.5% and 29.5%
], ids=["all-percent", "mixed", "fractional-percent"])
def test_shares_typed_as_percentages_read_as_percentages(base_bytes, tmp_path, store, typed):
    """Issue: 60% is stored as 0.6 and was read as 0.6, "the shares add up to 1.0%"."""
    submission = accepted(mutate(base_bytes, tmp_path, percent(**typed)), store)
    expected = {"B2": Decimal(30), "B3": Decimal(30), "B4": Decimal(40)}
    expected |= {ref: Decimal(str(value)) * 100 for ref, value in typed.items()}
    assert [c.share_pct for c in submission.countries] == [expected["B2"], expected["B3"], expected["B4"]]
    assert sum(c.share_pct for c in submission.countries) == 100


def test_plain_share_numbers_and_percent_text_read_as_percentages(base_bytes, tmp_path, store):
    submission = accepted(mutate(base_bytes, tmp_path, country_cells(B2=30, B3="30%", B4="40")), store)
    assert [c.share_pct for c in submission.countries] == [Decimal(30), Decimal(30), Decimal(40)]


def test_percent_shares_are_checked_and_reported_as_percentages(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, percent(B3=1.3)), rejecting_store)
    only(problems, "Countries!B3", "Workforce share %", "130 is not a valid workforce share")
    problems = rejected(mutate(base_bytes, tmp_path, percent(B4=0.394)), rejecting_store)
    only(problems, "Countries!B2:B4", "Workforce share %", "The workforce shares add up to 99.4%, not 100%.")


def test_shares_not_adding_up_to_100(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(B4=39.4)), rejecting_store)
    only(problems, "Countries!B2:B4", "Workforce share %", "The workforce shares add up to 99.4%, not 100%.")


def test_unknown_country(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A3="Atlantis")), rejecting_store)
    found = only(problems, "Countries!A3", "Country", '"Atlantis" is not a known country. Use an ISO 3166-1')
    assert "did you mean" not in found.message  # nothing close: no guess


def test_misspelt_country_gets_the_closest_name(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A3="Kenia")), rejecting_store)
    only(problems, "Countries!A3", "Country",
         '"Kenia" is not a known country; did you mean Kenya (KE)? Use an ISO 3166-1 alpha-2 code '
         "(for example KE) or the English name from the list.")


def test_same_country_by_code_and_by_name(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A3="Germany")), rejecting_store)
    only(problems, "Countries!A3", "Country", "Germany is listed twice (first on row 2)")


def test_unknown_currency_code(base_bytes, tmp_path, rejecting_store):
    """The row's country has one currency, which pay must be in anyway: that is the suggestion."""
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A2="Kenya", D2=150, E2="KSH")), rejecting_store)
    found = only(problems, "Countries!E2", "Currency", '"KSH" is not an ISO 4217 currency code')
    assert found.message == ('"KSH" is not an ISO 4217 currency code; did you mean KES (Kenyan Shilling), '
                             "the currency of Kenya?")


@pytest.mark.parametrize(("typed", "message"), [
    ("EURO", '"EURO" is not an ISO 4217 currency code; did you mean EUR (Euro)?'),
    ("Kenyan shillings", '"Kenyan shillings" is not an ISO 4217 currency code; did you mean KES (Kenyan Shilling)?'),
    ("QQQ", '"QQQ" is not an ISO 4217 currency code.'),
], ids=["close-code", "currency-name", "nothing-close"])
def test_unknown_currency_without_a_known_country_gets_the_closest_code_or_name(base_bytes, tmp_path,
                                                                                 rejecting_store, typed, message):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A3="Atlantis", E3=typed)), rejecting_store)
    assert len(problems) == 2
    expect(problems, "Countries!A3", "Country", "is not a known country")
    assert expect(problems, "Countries!E3", "Currency", "is not an ISO 4217").message == message


def test_currency_not_the_countrys(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A2="KE", D2=3, E2="USD")), rejecting_store)
    only(problems, "Countries!E2", "Currency", "Pay in Kenya must be given in its local currency (KES), not USD")


def test_missing_pay_basis(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(F3=None)), rejecting_store)
    only(problems, "Countries!F3", "Pay basis", "The pay basis is missing.")


def test_unknown_pay_basis(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(F3="Per task")), rejecting_store)
    only(problems, "Countries!F3", "Pay basis", '"Per task" is not a pay basis')


@pytest.mark.parametrize("workers", [12.5, 0, "some"], ids=["fraction", "zero", "text"])
def test_workers_not_a_whole_number(base_bytes, tmp_path, rejecting_store, workers):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(C3=workers)), rejecting_store)
    only(problems, "Countries!C3", "Workers", "is not a whole number of workers (at least 1)")


@pytest.mark.parametrize(("pay", "phrase"), [(0, "0 is not a valid hourly pay"), (-2.5, "-2.5 is not a valid hourly pay"),
                                             ("eight", '"eight" is not an amount')],
                         ids=["zero", "negative", "text"])
def test_pay_zero_negative_or_not_a_number(base_bytes, tmp_path, rejecting_store, pay, phrase):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(D3=pay)), rejecting_store)
    only(problems, "Countries!D3", "Lowest hourly pay", phrase)


@pytest.mark.parametrize("share", [0, 130], ids=["zero", "over-100"])
def test_share_not_a_percentage(base_bytes, tmp_path, rejecting_store, share):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(B3=share)), rejecting_store)
    only(problems, "Countries!B3", "Workforce share %", "is not a valid workforce share")


def test_countries_row_with_only_some_columns(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A5="Kenya", C5=20)), rejecting_store)
    assert len(problems) == 4
    expect(problems, "Countries!B5", "Workforce share %", "The workforce share (%) is missing.")
    expect(problems, "Countries!D5", "Lowest hourly pay", "The lowest hourly pay is missing.")
    expect(problems, "Countries!E5", "Currency", "The currency is missing")
    expect(problems, "Countries!F5", "Pay basis", "The pay basis is missing.")


def test_countries_row_without_a_country(base_bytes, tmp_path, rejecting_store):
    problems = rejected(mutate(base_bytes, tmp_path, country_cells(A3=None)), rejecting_store)
    expect(problems, "Countries!A3", "Country", "The country is missing on a row that has other values.")


def test_no_country_at_all(base_bytes, tmp_path, rejecting_store):
    def clear(wb) -> None:
        for row in wb["Countries"].iter_rows(min_row=2, max_row=4):
            for cell in row:
                cell.value = None

    problems = rejected(mutate(base_bytes, tmp_path, clear), rejecting_store)
    only(problems, "Countries!A2", None, "No country is listed.")
