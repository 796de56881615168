"""Country and currency names: resolve what a vendor typed to an ISO code.

The country list (ISO 3166-1 codes, names, official currencies) is the
project's copy of the datasets/country-codes table; see
`reference/country/SOURCES.md`. pycountry supplies the other spellings a
person may type (common and official names, alpha-3 codes) and the ISO 4217
currency list.
"""

from __future__ import annotations

import csv
import difflib
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

    def suggest(self, text: str) -> Country | None:
        """The country whose name is closest to a misspelt one ("Kenia" -> Kenya); None if none is close.
        Only names are compared: two- and three-letter codes are too short to tell a typo from another code."""
        names = sorted(key for key in self._lookup if len(key) > 3)
        found = difflib.get_close_matches(_fold(str(text)), names, n=1, cutoff=0.75)
        return self.by_iso2[self._lookup[found[0]]] if found else None


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


@cache
def currency_names() -> dict[str, str]:
    """ISO 4217 code -> English name ("KES" -> "Kenyan Shilling")."""
    return {c.alpha_3: c.name for c in pycountry.currencies}


def suggest_currency(text: str, country: Country | None = None) -> str | None:
    """The ISO 4217 code a vendor most likely meant by an unknown one, or None.

    The row's country decides when it has one currency (pay must be in it anyway: "KSH" in Kenya
    is KES); otherwise the closest code or currency name ("EURO" -> EUR, "Kenyan shillings" -> KES)."""
    if country is not None and len(country.currencies) == 1 and country.currencies[0] in currency_names():
        return country.currencies[0]
    typed = _fold(str(text))
    if not typed:
        return None
    candidates = {code.lower(): code for code in currency_names()}
    candidates.update({_fold(name): code for code, name in currency_names().items()})
    keys = sorted(candidates)
    scored = [(difflib.SequenceMatcher(None, typed, key).ratio(), key) for key in keys]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, ""))
    if best[0] < 0.75:
        return None
    winners = sorted({candidates[key] for ratio, key in scored if ratio == best[0]})
    return winners[0] if len(winners) == 1 else None
