"""The countries of a SOW: where the work is done, and the pay floor each country's workers must be paid
at least, with the figure's source (short in the countries table, in full in the sources appendix)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from scoring.models import CountryRisk, Decision, PayFloor
from supplier_models.countries import country_index
from supplier_models.submission import CountryRow, Submission

from .text import clean_text, format_money

_SOURCE_CODE = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)+$")  # a dataset indicator code such as EAR_INEE_NOC_NB_A


class CountryTerms(BaseModel):
    """One row of the countries table: where the work is done and the pay it must meet."""

    model_config = ConfigDict(frozen=True)
    iso2: str
    name: str
    share: str = Field(description="workforce share, e.g. '60%'")
    workers: str
    pay_basis: str
    currency: str
    declared_lowest_pay: str = Field(description="the vendor's lowest hourly pay, e.g. 'KES 150.00'")
    floor: str = Field(description="the pay floor per hour, e.g. 'KES 250.00', or 'No figure on record'")
    floor_kind: str = Field(description="living wage | statutory minimum wage | none")
    floor_note: str = Field("", description="e.g. 'no living-wage figure on record'")
    floor_source: str = Field(description="the figure's source and its date, e.g. 'ILOSTAT, as of 2024'")
    floor_as_of: str = ""
    floor_basis: str = Field("", description="the countries table's cell: kind of figure, source and date")
    floor_provenance: str = Field("", description="the full provenance of the figure (dataset, file, "
                                                  "conversion), for the sources appendix")
    band: str = ""
    flags: list[str] = Field(default_factory=list)


class _Floor(BaseModel):
    amount: str
    kind: str
    note: str = ""
    source: str
    as_of: str = ""
    basis: str
    provenance: str


def country_name(text: object) -> str:
    """COMP-02 as the country's name where it is a code or name we know, else as typed."""
    typed = clean_text(text or "")
    country = country_index().resolve(typed) if typed else None
    return country.name if country is not None else typed


def short_source(full: str) -> str:
    """The name of a figure's source as a contract states it: the provenance trail (", via <repository>
    commit ...", file names, indicator codes) left to the sources appendix.
    'ILOSTAT EAR_INEE_NOC_NB_A, statutory ... wage, via gabyro23/globeing commit c0a7e417' -> 'ILOSTAT'."""
    head = re.split(r" via |, | \(|; ", full, maxsplit=1)[0]
    words = [w for w in head.split() if not _SOURCE_CODE.match(w)]
    return " ".join(words) or " ".join(full.split())[:60]


def _floor(pay: PayFloor | None, currency: str) -> _Floor:
    """The pay floor of one country as the SOW states it: the figure, its source and date, and (for the
    sources appendix) its full provenance."""
    if pay is None or pay.floor_hourly is None:
        return _Floor(amount="No figure on record", kind="none", source="no living-wage or statutory figure on record",
                      basis="None: no living-wage or statutory figure on record.", provenance=(
                          "The assessment names no living-wage or statutory figure for this country; the Supplier "
                          "documents its living-wage benchmark within 30 days of signature."))
    if pay.living_wage_hourly:
        full = clean_text(pay.living_wage_source or "source not recorded")
        as_of = clean_text(pay.living_wage_as_of or "")
        source = short_source(full) + (f", as of {as_of}" if as_of else "")
        return _Floor(amount=format_money(pay.currency or currency, pay.living_wage_hourly), kind="living wage",
                      source=source, as_of=as_of, basis=f"Living wage. Source: {source}.",
                      provenance=full + (f", as of {as_of}" if as_of else "") + ".")
    full = clean_text(pay.statutory_source or "source not recorded")
    as_of = clean_text(pay.statutory_as_of or "")
    source = short_source(full) + (f", as of {as_of}" if as_of else "")
    provenance = full + (f", as of {as_of}" if as_of else "")
    if pay.hours_per_month:
        provenance += f"; monthly figure divided by {pay.hours_per_month.normalize():f} hours"
    note = "no living-wage figure on record"
    return _Floor(amount=format_money(pay.currency or currency, pay.statutory_minimum_hourly),
                  kind="statutory minimum wage", note=note, source=source, as_of=as_of,
                  basis=f"Statutory minimum wage ({note}). Source: {source}.", provenance=provenance + ".")


def country_terms(submission: Submission, decision: Decision) -> list[CountryTerms]:
    """The countries table: the vendor's countries in its order, then any the decision adds."""
    risk_by_iso = {c.iso2: c for c in decision.geo.countries}
    countries = [_listed_country(row, risk_by_iso.get(row.iso2)) for row in submission.countries or []]
    listed = {c.iso2 for c in countries}
    # a country the decision knows but the sheet lost: still bound
    countries += [_unlisted_country(risk) for risk in decision.geo.countries if risk.iso2 not in listed]
    return countries


def _listed_country(row: CountryRow, risk: CountryRisk | None) -> CountryTerms:
    """A country of the vendor's sheet, with the pay floor and risk the decision gives it."""
    floor = _floor(risk.pay if risk else None, row.currency)
    return CountryTerms(
        iso2=row.iso2, name=clean_text(row.name), share=f"{row.share_pct.normalize():f}%",
        workers=str(row.workers), pay_basis=clean_text(row.pay_basis), currency=row.currency,
        declared_lowest_pay=format_money(row.currency, row.lowest_hourly_pay),
        floor=floor.amount, floor_kind=floor.kind, floor_note=floor.note, floor_source=floor.source,
        floor_as_of=floor.as_of, floor_basis=floor.basis, floor_provenance=floor.provenance,
        band=risk.band if risk else "", flags=list(risk.flags) if risk else [],
    )


def _unlisted_country(risk: CountryRisk) -> CountryTerms:
    """A country the decision knows but the vendor's sheet does not list, from the decision alone."""
    currency = risk.pay.currency if risk.pay else ""
    floor = _floor(risk.pay, currency)
    return CountryTerms(
        iso2=risk.iso2, name=clean_text(risk.name), share=f"{round(risk.share * 100, 1):g}%", workers="",
        pay_basis="", currency=currency,
        declared_lowest_pay=format_money(currency, risk.pay.lowest_hourly_pay) if risk.pay else "",
        floor=floor.amount, floor_kind=floor.kind, floor_note=floor.note, floor_source=floor.source,
        floor_as_of=floor.as_of, floor_basis=floor.basis, floor_provenance=floor.provenance,
        band=risk.band, flags=list(risk.flags))


def country_label(c: CountryTerms) -> str:
    """A country as the clauses name it: 'Kenya (KE)'."""
    return f"{c.name} ({c.iso2})"


def _floor_sentence(c: CountryTerms) -> str:
    """One country's pay floor as a clause states it, with its kind and date."""
    if c.floor_kind == "none":
        return f"{country_label(c)}: no figure on record"
    basis = ", ".join(x for x in (c.floor_kind, c.floor_as_of and f"as of {c.floor_as_of}", c.floor_note) if x)
    return f"{country_label(c)}: at least {c.floor} per hour ({basis})"


def pay_floors(countries: list[CountryTerms]) -> str:
    """The pay floors of every country, as the living-wage clause's placeholder {pay_floors}."""
    return ("; ".join(_floor_sentence(c) for c in countries)
            + ". The source of each figure is stated in the countries table of this SOW.")
