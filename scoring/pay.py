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

from supplier_models.policy import OrgPolicy
from supplier_models.reference_data import MIN_WAGE_FILE, CountryFacts, CountryReference
from supplier_models.submission import CountryRow

from .models import PayFloor

HOURS_PER_MONTH = Decimal("173.33")
"""40 hours a week x 52 weeks / 12 months: full-time hours in a month."""

DOUBTFUL_QUALITY_FLAGS = frozenset({"implausible_usd_lt_20_check_unit_or_currency", "stale_year"})
CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


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
    flags: list[str] = []
    notes: list[str] = []

    # --- statutory minimum (ILOSTAT, monthly, local currency) ---------------------------
    minimum = facts.minimum_wage if facts else None
    statutory_hourly: Decimal | None = None
    statutory_source = statutory_as_of = None
    if minimum is None or minimum.monthly is None:
        statutory_check = "no_statutory_minimum"
        flags.append("no_statutory_minimum_wage")
        notes.append(f"ILOSTAT has no statutory minimum wage for {row.name}; the statutory check does not apply.")
    else:
        src = reference.source(MIN_WAGE_FILE)
        statutory_source = f"{src.source} ({MIN_WAGE_FILE}, country data {reference.version})"
        statutory_as_of = str(minimum.year) if minimum.year else src.data_year
        hourly = _money(minimum.monthly / hours_per_month)
        doubtful = DOUBTFUL_QUALITY_FLAGS.intersection(minimum.quality_flags)
        if minimum.currency and minimum.currency != currency:
            statutory_check = "unverified"
            flags.append("minimum_wage_currency_mismatch")
            notes.append(
                f"The statutory minimum for {row.name} is reported in {minimum.currency} "
                f"({minimum.monthly} a month, {minimum.year}) but pay is reported in {currency}; "
                "fairsource does not convert currencies, so the statutory check is unverified.")
        elif doubtful:
            statutory_check = "unverified"
            flags.append("minimum_wage_data_doubtful")
            notes.append(
                f"The ILOSTAT minimum for {row.name} ({minimum.monthly} {minimum.currency} a month, "
                f"{minimum.year}) is flagged {', '.join(sorted(doubtful))}; the statutory check is unverified.")
        else:
            statutory_hourly = hourly
            statutory_check = "below" if pay < hourly else "meets"
            notes.append(
                f"Statutory minimum {minimum.monthly} {currency} a month ({minimum.year}) / "
                f"{hours_per_month} h = {hourly} {currency} an hour; lowest pay {pay} {currency} "
                f"{'is below it' if pay < hourly else 'meets it'}.")

    # --- living wage (the organisation's own figure) -------------------------------------
    living = policy.living_wages.get(row.iso2)
    living_hourly: Decimal | None = None
    living_ok: bool | None = None
    if living is None:
        flags.append("living_wage_unverified")
        notes.append(f"The organisation has no living-wage figure for {row.name}.")
    elif living.currency != currency:
        flags.extend(["living_wage_unverified", "living_wage_currency_mismatch"])
        notes.append(f"The organisation's living wage for {row.name} is in {living.currency}, pay is reported "
                     f"in {currency}; not converted, so the living-wage check is unverified.")
    else:
        living_hourly = living.hourly
        living_ok = pay >= living.hourly
        notes.append(f"Living wage {living.hourly} {currency} an hour ({living.source}, {living.as_of}); "
                     f"lowest pay {pay} {currency} {'meets it' if living_ok else 'is below it'}.")

    if statutory_check == "below":
        status = "below_minimum_wage"
    elif living_ok is False:
        status = "below_living_wage"
    elif living_ok:
        status = "meets_living_wage"
    else:
        status = "living_wage_unverified"
    if status in ("below_minimum_wage", "below_living_wage"):
        flags.append(status)
    return PayFloor(
        iso2=row.iso2,
        currency=currency,
        lowest_hourly_pay=pay,
        statutory_minimum_hourly=statutory_hourly,
        statutory_source=statutory_source,
        statutory_as_of=statutory_as_of,
        living_wage_hourly=living_hourly,
        living_wage_source=living.source if living else None,
        living_wage_as_of=living.as_of if living else None,
        living_wage_currency=living.currency if living else None,
        hours_per_month=hours_per_month,
        status=status,
        statutory_check=statutory_check,
        flags=sorted(set(flags)),
        note=" ".join(notes),
    )
