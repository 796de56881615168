"""Realistic submissions and decisions for the SOW tests (checked by tests/sow/test_sow_fixtures.py).

Submissions come from the bundled example workbooks, read by the real reader.
Decisions are built by hand here so each test controls exactly what the SOW
sees (flags, bands, pay floors, remediations); test_sow_render.py also runs
the real `scoring.assess`.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from decimal import Decimal
from pathlib import Path

from scoring.models import CountryRisk, Decision, GeoRisk, PayFloor, Remediation
from supplier_models.submission import Submission
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.reader import read_workbook

AS_OF = dt.date(2026, 11, 23)
ILO = "ILOSTAT statutory minimum wage (monthly, local currency)"
ORG = "Northwind living-wage figures 2026"

# iso2 -> (statutory hourly, living wage hourly or None, currency)
PAY = {
    "DE": ("13.90", "15.20", "EUR"), "PT": ("5.80", "7.10", "EUR"), "ZA": ("28.79", None, "ZAR"),
    "PH": ("47.90", "75.00", "PHP"), "CO": ("6100.00", None, "COP"), "BD": ("60.00", None, "BDT"),
    "UA": ("48.00", "110.00", "UAH"), "PL": ("30.50", "33.00", "PLN"), "KE": ("92.50", "140.00", "KES"),
    "GH": ("2.72", "8.00", "GHS"), "IN": ("26.70", None, "INR"),
}
FLAGS = {"KE": ["gender_question_unsafe"], "GH": ["gender_question_unsafe"], "BD": ["gender_question_unsafe"],
         "UA": ["active_war"]}
BANDS = {"UA": "high", "ZA": "medium", "PH": "medium", "CO": "medium", "KE": "medium", "GH": "medium"}
NO_FIGURES = {"CO"}  # a country where the decision names no floor at all


@functools.cache
def _examples_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="fairsource-sow-examples-"))


@functools.cache
def example_submission(name: str) -> Submission:
    vendor = next(v for v in EXAMPLES if v.name == name or v.slug == name)
    return read_workbook(write_example(vendor, _examples_dir()))


def pay_floor(iso2: str, lowest: Decimal) -> PayFloor | None:
    if iso2 in NO_FIGURES:
        return None
    statutory, living, currency = PAY[iso2]
    living_d = Decimal(living) if living else None
    status = ("below_minimum_wage" if lowest < Decimal(statutory) else
              "living_wage_unverified" if living_d is None else
              "below_living_wage" if lowest < living_d else "meets_living_wage")
    return PayFloor(iso2=iso2, currency=currency, lowest_hourly_pay=lowest,
                    statutory_minimum_hourly=Decimal(statutory), statutory_source=ILO, statutory_as_of="2024",
                    living_wage_hourly=living_d, living_wage_source=ORG if living else None,
                    living_wage_as_of="2026" if living else None, hours_per_month=Decimal("173.33"), status=status)


def make_decision(submission: Submission, decision: str = "qualified", *, flags: dict[str, list[str]] | None = None,
                  bands: dict[str, str] | None = None, remediations: list[Remediation] | None = None) -> Decision:
    flags = FLAGS if flags is None else flags
    bands = BANDS if bands is None else bands
    countries = [
        CountryRisk(iso2=row.iso2, name=row.name, share=float(row.share_pct) / 100, score=30.0,
                    band=bands.get(row.iso2, "low"), flags=list(flags.get(row.iso2, [])),
                    pay=pay_floor(row.iso2, row.lowest_hourly_pay))
        for row in submission.countries
    ]
    worst = max((c.band for c in countries), key=["low", "medium", "high", "prohibited"].index)
    if remediations is None and decision == "conditional":
        remediations = [
            Remediation(action="Run a paid pilot with a small group of workers before full launch.",
                        due_in_days=60, question="PILOT-01"),
            Remediation(action="Set up an anonymous grievance channel with protection from retaliation.",
                        due_in_days=90, question="COMM-03", due_date=dt.date(2027, 2, 21)),
        ]
    return Decision(
        vendor=submission.vendor_name, decision=decision, score=72.0 if decision == "conditional" else 88.0,
        principles={"fair_pay": 80.0}, knockouts=[], geo=GeoRisk(score=30.0, band=worst, countries=countries),
        remediations=remediations or [], valid_until=AS_OF + dt.timedelta(days=365 if decision == "qualified" else 180),
        assessed_on=AS_OF, questionnaire_id=submission.questionnaire_id,
        questionnaire_version=submission.questionnaire_version, rubric_version="RDE-1-rubric v1.0.0",
        country_data_version="2026.11-1",
    )


# the stories of the example vendors that may get a SOW, as the fixtures decide them
STORIES = {
    "Lumen Data Services GmbH": "qualified",
    "Brightlabel Solutions Inc.": "conditional",
    "Frontier Language Services LLC": "conditional",
    "Savanna Voices Collection Ltd": "qualified",
}


def story(name: str) -> tuple[Submission, Decision]:
    sub = example_submission(name)
    return sub, make_decision(sub, STORIES[name])
