"""Country and currency names: resolve what a vendor typed to an ISO code.

The country list (ISO 3166-1 codes, names, official currencies) is the
project's copy of the datasets/country-codes table; see
`reference/country/SOURCES.md`. pycountry supplies the other spellings a
person may type (common and official names, alpha-3 codes) and the ISO 4217
currency list.
"""

from __future__ import annotations

import csv
import unicodedata
from functools import cache
from importlib import resources

import pycountry
from pydantic import BaseModel, ConfigDict


class Country(BaseModel):
    model_config = ConfigDict(frozen=True)
    iso2: str
    iso3: str
    name: str
    currencies: tuple[str, ...]
    region: str = ""
    sub_region: str = ""


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for matching names."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class CountryIndex:
    def __init__(self, countries: list[Country]) -> None:
        self.by_iso2 = {c.iso2: c for c in countries}
        self._lookup: dict[str, str] = {}
        for c in countries:
            for key in (c.iso2, c.iso3, c.name):
                self._lookup.setdefault(_fold(key), c.iso2)
        for pc in pycountry.countries:
            if pc.alpha_2 not in self.by_iso2:
                continue
            for attr in ("name", "common_name", "official_name"):
                if value := getattr(pc, attr, None):
                    self._lookup.setdefault(_fold(value), pc.alpha_2)

    def resolve(self, text: str) -> Country | None:
        """The country for an ISO alpha-2 or alpha-3 code or an English name; None if unknown."""
        iso2 = self._lookup.get(_fold(str(text)))
        return self.by_iso2.get(iso2) if iso2 else None

    def names(self) -> list[str]:
        return sorted((c.name for c in self.by_iso2.values()), key=_fold)


@cache
def country_index() -> CountryIndex:
    path = resources.files("supplier_models") / "reference" / "country" / "countries.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [
            Country(
                iso2=r["iso2"],
                iso3=r["iso3"],
                name=r["name"],
                currencies=tuple(r["currencies"].split()),
                region=r["region"],
                sub_region=r["sub_region"],
            )
            for r in csv.DictReader(fh)
        ]
    return CountryIndex(rows)


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic codes in current use."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)
