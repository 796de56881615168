"""Country reference data: the shipped facts geographic risk and pay floors are scored against.

The files live in `reference/country/` (see its SOURCES.md for where each
fact comes from, its licence and caveats, and VERSION.yaml for the version a
decision records). This module only reads them into a `CountryReference`;
`scoring.geo` and `scoring.pay` decide what the facts mean.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .errors import ConfigurationError
from .yamlfile import safe_load as load_yaml

LegalStatusValue = Literal["yes", "no", "de_facto", "contested", "unknown"]
WGI_DIMENSIONS = ("va", "pv", "ge", "rq", "rl", "cc")

WGI_FILE = "wgi_latest_wide.csv"
WARS_FILE = "ucdp_wars_since2014.csv"
MIN_WAGE_FILE = "minimum_wage_ilostat.csv"
SAME_SEX_FILE = "same_sex_acts_status.csv"
SUPPLEMENT_FILE = "criminalisation_supplement.csv"
GENDER_EXPRESSION_FILE = "gender_expression_restrictions.csv"
COUNTRIES_FILE = "countries.csv"


class SourceFile(BaseModel):
    """One file of the reference data, as VERSION.yaml describes it."""

    model_config = ConfigDict(frozen=True)
    file: str
    source: str
    licence: str = ""
    data_year: str = ""


class Governance(BaseModel):
    """World Bank WGI percentile ranks (0-100, higher is better) for one year."""

    model_config = ConfigDict(frozen=True)
    year: int
    pctrank: dict[str, float] = Field(description="dimension (va, pv, ge, rq, rl, cc) -> percentile rank")


class War(BaseModel):
    model_config = ConfigDict(frozen=True)
    conflict: str
    ongoing: bool
    start_year: int
    end_year: int | None = None
    type_of_conflict: str = ""


class MinimumWage(BaseModel):
    model_config = ConfigDict(frozen=True)
    monthly: Decimal | None = Field(None, description="statutory gross monthly minimum, local currency")
    currency: str | None = None
    year: int | None = None
    quality_flags: tuple[str, ...] = ()


class LegalStatus(BaseModel):
    """Whether consensual same-sex acts are criminalised, and on what authority."""

    model_config = ConfigDict(frozen=True)
    same_sex_acts_criminalised: LegalStatusValue
    legal_basis: str = ""
    note: str = ""
    source_file: str
    as_of: str


class CountryFacts(BaseModel):
    model_config = ConfigDict(frozen=True)
    iso2: str
    iso3: str
    name: str
    currencies: tuple[str, ...] = ()
    governance: Governance | None = None
    wars: tuple[War, ...] = ()
    minimum_wage: MinimumWage | None = None
    legal_status: LegalStatus | None = None
    gender_expression_restricted: bool = False
    gender_expression_note: str = ""


class CountryReference(BaseModel):
    """One version of the country reference data."""

    model_config = ConfigDict(frozen=True)
    version: str
    as_of: dt.date
    sources: dict[str, SourceFile]
    countries: dict[str, CountryFacts]
    # fingerprint() per country, computed once per reference (the data is frozen): requalification asks for
    # every vendor's countries, and dumping a country's facts to JSON each time cost more than scoring it.
    # (Keyed by the countries mapping too, so a model_copy(update=...) sharing this dict never reads stale values.)
    _fingerprints: dict[tuple[int, str], str] = PrivateAttr(default_factory=dict)

    def get(self, iso2: str) -> CountryFacts | None:
        return self.countries.get(iso2.upper())

    def source(self, file: str) -> SourceFile:
        return self.sources.get(file) or SourceFile(file=file, source=file)

    def fingerprint(self, iso2: str) -> str:
        """A short hash of everything this data says about one country: when a new version of the
        data changes it, the vendors working there are due for requalification."""
        key = (id(self.countries), iso2)
        cached = self._fingerprints.get(key)
        if cached is None:
            facts = self.get(iso2)
            text = facts.model_dump_json() if facts is not None else "no reference data"
            cached = self._fingerprints[key] = hashlib.sha256(text.encode()).hexdigest()[:16]
        return cached


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def default_folder() -> Path:
    return Path(str(resources.files("supplier_models") / "reference" / "country"))


def load_country_reference(folder: str | Path | None = None) -> CountryReference:
    """Read the country reference data (the shipped copy when `folder` is None)."""
    if folder is None:
        return _default_reference()
    return _load(Path(folder))


@cache
def _default_reference() -> CountryReference:
    return _load(default_folder())


def _load(folder: Path) -> CountryReference:
    try:
        manifest = load_yaml((folder / "VERSION.yaml").read_text("utf-8"))
        sources = {
            name: SourceFile(file=name, **{k: str(v) for k, v in info.items()})
            for name, info in manifest["files"].items()
        }
        facts: dict[str, dict] = {}
        for r in _rows(folder, COUNTRIES_FILE):
            facts[r["iso2"]] = {"iso2": r["iso2"], "iso3": r["iso3"], "name": r["name"],
                                "currencies": tuple(r["currencies"].split()), "wars": []}

        def entry(iso2: str) -> dict | None:
            return facts.get(iso2) if iso2 else None

        for r in _rows(folder, WGI_FILE):
            if (f := entry(r["iso2"])) is not None:
                ranks = {d: float(r[f"{d}_pctrank"]) for d in WGI_DIMENSIONS if r.get(f"{d}_pctrank")}
                f["governance"] = Governance(year=int(r["year"]), pctrank=ranks)
        for r in _rows(folder, WARS_FILE):
            if (f := entry(r["iso2"])) is not None:
                f["wars"].append(War(conflict=r["conflict_name"], ongoing=r["ongoing"] == "1",
                                     start_year=int(r["start_year"]),
                                     end_year=int(r["end_year"]) if r["end_year"] else None,
                                     type_of_conflict=r["type_of_conflict"]))
        for r in _rows(folder, MIN_WAGE_FILE):
            if (f := entry(r["iso2"])) is not None:
                f["minimum_wage"] = MinimumWage(
                    monthly=_decimal(r["min_wage_monthly_local"]),
                    currency=r["currency_code"] or None,
                    year=int(r["year"]) if r["year"] else None,
                    quality_flags=tuple(x for x in r["quality_flag"].split(";") if x),
                )
        for r in _rows(folder, SAME_SEX_FILE):
            if (f := entry(r["iso2"])) is not None:
                f["legal_status"] = LegalStatus(same_sex_acts_criminalised=r["same_sex_acts_criminalised"],
                                                source_file=SAME_SEX_FILE, as_of=r["as_of"])
        supplement_year = sources.get(SUPPLEMENT_FILE, SourceFile(file="", source="")).data_year
        for r in _rows(folder, SUPPLEMENT_FILE):  # reviewed facts win over the derived table
            if (f := entry(r["iso2"])) is not None:
                f["legal_status"] = LegalStatus(same_sex_acts_criminalised=r["same_sex_acts_criminalised"],
                                                legal_basis=r["legal_basis"], note=r["note"],
                                                source_file=SUPPLEMENT_FILE, as_of=supplement_year)
        for r in _rows(folder, GENDER_EXPRESSION_FILE):
            if (f := entry(r["iso2"])) is not None and r["restriction"].lower() == "yes":
                f["gender_expression_restricted"] = True
                f["gender_expression_note"] = r["note"]
        countries = {k: CountryFacts(**{**v, "wars": tuple(v["wars"])}) for k, v in facts.items()}
        return CountryReference(version=str(manifest["version"]), as_of=manifest["as_of"],
                                sources=sources, countries=countries)
    except (OSError, KeyError, ValueError, TypeError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"country reference data in {folder} is unusable: {exc}") from exc
