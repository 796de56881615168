"""Pay floors: a vendor's lowest hourly pay per country against the statutory minimum and the living wage.

Everything is compared in the currency the vendor reported, never converted:
a figure in another currency (Bulgaria's ILOSTAT minimum is in BGN while the
country now pays in EUR) leaves its check unverified, with a flag and a note
that says why. ILOSTAT gives a monthly minimum; it is turned hourly with an
hours-per-month assumption (default 40 h x 52 weeks / 12 = 173.33 h) that a
caller may override.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from supplier_models.policy import LivingWage, OrgPolicy
from supplier_models.reference_data import MIN_WAGE_FILE, CountryFacts, CountryReference, MinimumWage
from supplier_models.submission import CountryRow

from .models import PayFloor

HOURS_PER_MONTH = Decimal("173.33")
"""40 hours a week x 52 weeks / 12 months: full-time hours in a month."""

DOUBTFUL_QUALITY_FLAGS = frozenset({"implausible_usd_lt_20_check_unit_or_currency", "stale_year"})
CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class _Statutory(NamedTuple):
    """The statutory-minimum check of one country: its outcome, hourly figure, source, flags and note."""

    check: str  # meets, below, unverified or no_statutory_minimum (PayFloor.statutory_check)
    hourly: Decimal | None
    source: str | None
    as_of: str | None
    flags: list[str]
    note: str


class _Living(NamedTuple):
    """The living-wage check of one country: the hourly figure compared, whether pay meets it, flags and note."""

    hourly: Decimal | None
    ok: bool | None
    flags: list[str]
    note: str


def pay_floor(
    row: CountryRow,
    facts: CountryFacts | None,
    reference: CountryReference,
    policy: OrgPolicy,
    *,
    hours_per_month: Decimal = HOURS_PER_MONTH,
) -> PayFloor:
    """Check one Countries-sheet row against the statutory minimum and the organisation's living wage."""
    pay, currency = row.lowest_hourly_pay, row.currency.upper()
    statutory = _statutory_check(row.name, facts.minimum_wage if facts else None, reference, pay, currency,
                                 hours_per_month)
    living = policy.living_wages.get(row.iso2)
    checked = _living_wage_check(row.name, living, pay, currency)
    status = _pay_status(statutory.check, checked.ok)
    flags = [*statutory.flags, *checked.flags]
    if status in ("below_minimum_wage", "below_living_wage"):
        flags.append(status)
    return PayFloor(
        iso2=row.iso2,
        currency=currency,
        lowest_hourly_pay=pay,
        statutory_minimum_hourly=statutory.hourly,
        statutory_source=statutory.source,
        statutory_as_of=statutory.as_of,
        living_wage_hourly=checked.hourly,
        living_wage_source=living.source if living else None,
        living_wage_as_of=living.as_of if living else None,
        living_wage_currency=living.currency if living else None,
        hours_per_month=hours_per_month,
        status=status,
        statutory_check=statutory.check,
        flags=sorted(set(flags)),
        note=" ".join([statutory.note, checked.note]),
    )


def _statutory_check(name: str, minimum: MinimumWage | None, reference: CountryReference, pay: Decimal,
                     currency: str, hours_per_month: Decimal) -> _Statutory:
    """The lowest pay against the statutory minimum (ILOSTAT, monthly, local currency) made hourly."""
    if minimum is None or minimum.monthly is None:
        return _Statutory("no_statutory_minimum", None, None, None, ["no_statutory_minimum_wage"],
                          f"ILOSTAT has no statutory minimum wage for {name}; the statutory check does not apply.")
    src = reference.source(MIN_WAGE_FILE)
    source = f"{src.source} ({MIN_WAGE_FILE}, country data {reference.version})"
    as_of = str(minimum.year) if minimum.year else src.data_year
    hourly = _money(minimum.monthly / hours_per_month)
    doubtful = DOUBTFUL_QUALITY_FLAGS.intersection(minimum.quality_flags)
    if minimum.currency and minimum.currency != currency:
        return _Statutory(
            "unverified", None, source, as_of, ["minimum_wage_currency_mismatch"],
            f"The statutory minimum for {name} is reported in {minimum.currency} "
            f"({minimum.monthly} a month, {minimum.year}) but pay is reported in {currency}; "
            "fairsource does not convert currencies, so the statutory check is unverified.")
    if doubtful:
        return _Statutory(
            "unverified", None, source, as_of, ["minimum_wage_data_doubtful"],
            f"The ILOSTAT minimum for {name} ({minimum.monthly} {minimum.currency} a month, "
            f"{minimum.year}) is flagged {', '.join(sorted(doubtful))}; the statutory check is unverified.")
    return _Statutory(
        "below" if pay < hourly else "meets", hourly, source, as_of, [],
        f"Statutory minimum {minimum.monthly} {currency} a month ({minimum.year}) / "
        f"{hours_per_month} h = {hourly} {currency} an hour; lowest pay {pay} {currency} "
        f"{'is below it' if pay < hourly else 'meets it'}.")


def _living_wage_check(name: str, living: LivingWage | None, pay: Decimal, currency: str) -> _Living:
    """The lowest pay against the organisation's own living-wage figure, unverified without a comparable one."""
    if living is None:
        return _Living(None, None, ["living_wage_unverified"],
                       f"The organisation has no living-wage figure for {name}.")
    if living.currency != currency:
        return _Living(None, None, ["living_wage_unverified", "living_wage_currency_mismatch"],
                       f"The organisation's living wage for {name} is in {living.currency}, pay is reported "
                       f"in {currency}; not converted, so the living-wage check is unverified.")
    ok = pay >= living.hourly
    return _Living(living.hourly, ok, [],
                   f"Living wage {living.hourly} {currency} an hour ({living.source}, {living.as_of}); "
                   f"lowest pay {pay} {currency} {'meets it' if ok else 'is below it'}.")


def _pay_status(statutory_check: str, living_ok: bool | None) -> str:
    """One status for the row: below the statutory minimum outranks below the living wage."""
    if statutory_check == "below":
        return "below_minimum_wage"
    if living_ok is False:
        return "below_living_wage"
    if living_ok:
        return "meets_living_wage"
    return "living_wage_unverified"
