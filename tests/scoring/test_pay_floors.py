"""Pay floors: statutory minimum (ILOSTAT, monthly -> hourly) and the organisation's living wage."""

import datetime as dt
from decimal import Decimal

import pytest

from scoring import HOURS_PER_MONTH, assess, pay_floor
from supplier_models.policy import LivingWage, OrgPolicy
from supplier_models.reference_data import load_country_reference
from supplier_models.submission import CountryRow, Submission
from supplier_models.workbooks.examples import GOOD_ANSWERS

AS_OF = dt.date(2026, 11, 23)
REF = load_country_reference()


def row(iso2, pay, currency, name=None):
    return CountryRow(iso2=iso2, name=name or iso2, share_pct=Decimal(100), workers=10,
                      lowest_hourly_pay=Decimal(str(pay)), currency=currency, pay_basis="Hourly wage", row=2)


def make(rows, changes=None):
    answers = {k: Decimal(v) if isinstance(v, int) else v for k, v in GOOD_ANSWERS.items()}
    answers.update(changes or {})
    return Submission(questionnaire_id="RDE-1", questionnaire_version="1.0.0", vendor_name="V", sha256="0",
                      answers=answers, countries=rows)


KENYA_LIVING = OrgPolicy(version="lw1", living_wages={
    "KE": LivingWage(iso2="KE", hourly=Decimal("180"), currency="KES", source="WageIndicator 2026", as_of="2026-07-01")})


def test_statutory_minimum_turned_hourly():
    p = pay_floor(row("KE", 150, "KES"), REF.get("KE"), REF, OrgPolicy())
    assert Decimal("173.33") == HOURS_PER_MONTH
    assert p.statutory_minimum_hourly == Decimal("92.50")  # 16033.14 / 173.33
    assert p.statutory_check == "meets" and p.status == "living_wage_unverified"
    assert "living_wage_unverified" in p.flags
    assert p.statutory_as_of == "2024" and "ILOSTAT" in p.statutory_source


def test_hours_assumption_can_be_overridden():
    p = pay_floor(row("KE", 90, "KES"), REF.get("KE"), REF, OrgPolicy(), hours_per_month=Decimal("208"))
    assert p.statutory_minimum_hourly == Decimal("77.08") and p.statutory_check == "meets"


def test_below_statutory_minimum():
    p = pay_floor(row("KE", 90, "KES"), REF.get("KE"), REF, OrgPolicy())
    assert p.status == "below_minimum_wage" and p.statutory_check == "below"


def test_living_wage_met_and_missed():
    ok = pay_floor(row("KE", 200, "KES"), REF.get("KE"), REF, KENYA_LIVING)
    assert ok.status == "meets_living_wage" and ok.floor_hourly == Decimal("180")
    low = pay_floor(row("KE", 150, "KES"), REF.get("KE"), REF, KENYA_LIVING)
    assert low.status == "below_living_wage" and "below_living_wage" in low.flags


def test_below_living_wage_is_conditional_with_remediation_naming_country_and_floor():
    d = assess(make([row("KE", 150, "KES", "Kenya")]), policy=KENYA_LIVING, as_of=AS_OF)
    assert d.decision == "conditional"
    fix = next(r for r in d.remediations if r.rule == "below_living_wage")
    assert fix.country == "KE" and "Kenya" in fix.action and "180 KES" in fix.action
    assert "raise pay to at least the living wage" in fix.action.lower()
    assert "pay_declaration_mismatch" in d.flags  # PAY-02 says Yes
    assert any(r.rule == "pay_declaration_mismatch" for r in d.remediations)


def test_no_mismatch_when_pay02_admits_it():
    d = assess(make([row("KE", 150, "KES", "Kenya")], {"PAY-02": "No"}), policy=KENYA_LIVING, as_of=AS_OF)
    assert "pay_declaration_mismatch" not in d.flags
    assert d.decision == "conditional"


def test_meeting_the_living_wage_can_qualify():
    d = assess(make([row("KE", 200, "KES", "Kenya")]), policy=KENYA_LIVING, as_of=AS_OF)
    assert d.decision == "qualified", d.reasons
    assert "living_wage_unverified" not in d.flags


def test_minimum_wage_currency_mismatch_is_flagged_not_converted():
    # Bulgaria's ILOSTAT minimum is in BGN; the vendor pays in EUR.
    p = pay_floor(row("BG", 1, "EUR", "Bulgaria"), REF.get("BG"), REF, OrgPolicy())
    assert "minimum_wage_currency_mismatch" in p.flags
    assert p.statutory_check == "unverified" and p.statutory_minimum_hourly is None
    assert p.status != "below_minimum_wage"
    assert "BGN" in p.note and "does not convert" in p.note
    d = assess(make([row("BG", 1, "EUR", "Bulgaria")]), as_of=AS_OF)
    assert not d.knockouts
    assert any("Bulgaria" in r and "unverified" in r for r in d.reasons)


def test_same_currency_in_bulgaria_is_checked():
    p = pay_floor(row("BG", 1, "BGN"), REF.get("BG"), REF, OrgPolicy())
    assert p.status == "below_minimum_wage"


def test_doubtful_minimum_wage_is_unverified():
    p = pay_floor(row("KH", 1, "KHR"), REF.get("KH"), REF, OrgPolicy())
    assert "minimum_wage_data_doubtful" in p.flags and p.statutory_check == "unverified"


def test_country_without_statutory_minimum():
    p = pay_floor(row("DK", 150, "DKK"), REF.get("DK"), REF, OrgPolicy())
    assert p.statutory_check == "no_statutory_minimum" and "no_statutory_minimum_wage" in p.flags


def test_living_wage_in_another_currency_is_unverified():
    policy = OrgPolicy(living_wages={"PA": LivingWage(iso2="PA", hourly=Decimal(5), currency="USD", source="s",
                                                      as_of="2026-01-01")})
    p = pay_floor(row("PA", 3, "PAB"), REF.get("PA"), REF, policy)
    assert "living_wage_currency_mismatch" in p.flags and p.status == "living_wage_unverified"


@pytest.mark.parametrize(("pay", "expected"), [("13.52", "meets"), ("13.51", "below")])
def test_boundary_is_inclusive(pay, expected):
    p = pay_floor(row("DE", pay, "EUR"), REF.get("DE"), REF, OrgPolicy())
    assert p.statutory_check == expected
