"""The bundled example vendors, each a story a procurement team meets.

Their workbooks are generated here, through the same `write_form` a real
vendor's blank form comes from, then filled in with openpyxl the way a vendor
fills a spreadsheet. `fairsource demo`, the tests and the benchmarks use them.

The examples answered RDE-1 (their workbooks are RDE-1 forms unless asked
otherwise): a vendor base qualified before RDE-2 was issued, as a team's is
when it upgrades. Each also has its answers to the six questions RDE-2 adds
(`rde2`), true to its story, for its RDE-2 workbook.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from pydantic import BaseModel

from ..names import slug
from ..questionnaire import load
from ..submission import Attestation
from .form import fill_form, write_form

ISSUED_AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
ATTESTED_ON = dt.date(2026, 11, 16)

# A vendor that does everything the questionnaire asks; each example below
# changes only what its story needs.
GOOD_ANSWERS: dict[str, object] = {
    "COMP-03": ["Data annotation", "Model evaluation or RLHF"],
    "COMP-04": ["Employees"],
    "PAY-01": "Hourly wage",
    "PAY-02": "Yes",
    "PAY-03": "WageIndicator",
    "PAY-04": "Yes",
    "PAY-05": "No",
    "PAY-06": "Every two weeks",
    "PAY-07": "Yes",
    "PILOT-01": "Yes",
    "PILOT-02": "Yes",
    "PILOT-03": "Yes",
    "WORK-01": "Yes",
    "WORK-02": "Yes",
    "WORK-03": "Yes",
    "WORK-04": 40,
    "WORK-05": "Yes",
    "TRAIN-01": "Yes",
    "TRAIN-02": "Yes",
    "TRAIN-03": "Yes",
    "TRAIN-04": "Yes",
    "COMM-01": "Yes",
    "COMM-02": 4,
    "COMM-03": "Yes",
    "COMM-04": "Yes",
    "COMM-05": "Yes",
    "DEMO-01": "Not collected",
    "VULN-01": "No",
    "VULN-02": "Yes",
    "DATA-01": ["ISO/IEC 27001", "SOC 2 Type II"],
    "DATA-02": dt.date(2027, 9, 30),
    "DATA-03": "Yes",
    "DATA-04": 24,
    "DATA-05": "Yes",
    "DATA-06": "Yes",
    "SUPP-01": "No",
    "SUPP-03": "Yes",
    "RESP-01": "Yes",
    "RESP-02": "Yes",
}

CONSENT_YES = {f"CONS-0{i}": "Yes" for i in range(1, 6)}

# The six questions RDE-2 adds, answered by a vendor that does all of it (PAY-09 is asked only of piece-rate pay).
GOOD_RDE2_ANSWERS: dict[str, object] = {
    "PAY-08": "Yes", "WORK-06": "Yes", "COMM-06": "Yes", "RESP-03": "Yes", "RESP-04": "Yes",
}


class ExampleVendor(BaseModel):
    name: str
    story: str
    expected_decision: str
    answers: dict[str, object]
    countries: list[tuple[str, float, int, float, str, str]]
    evidence: dict[str, str] = {}
    attestation: Attestation
    rde2: dict[str, object] = {}
    """its answers to the questions RDE-2 adds (with `answers`, its RDE-2 answers)"""

    @property
    def slug(self) -> str:
        return slug(self.name)


def _vendor(name: str, country: str, story: str, expected: str, countries, signer: tuple[str, str],
            rde2: dict[str, object] | None = None, **changes) -> ExampleVendor:
    """An example vendor: the good answers with `changes`, attested by `signer` (name, title); `rde2` changes the
    good answers to RDE-2's new questions."""
    answers = {**GOOD_ANSWERS, "COMP-01": name, "COMP-02": country, **changes}
    return ExampleVendor(name=name, story=story, expected_decision=expected, answers=answers,
                         countries=countries, rde2={**GOOD_RDE2_ANSWERS, **(rde2 or {})},
                         attestation=Attestation(name=signer[0], title=signer[1], date=ATTESTED_ON))


EXAMPLES: list[ExampleVendor] = [
    _vendor(
        "Lumen Data Services GmbH", "DE",
        "A strong vendor: salaried annotators in Germany, Portugal and South Africa, paid well above "
        "the minimum wage, pilots every project, certified.",
        "qualified",
        [("DE", 30, 45, 16.50, "EUR", "Hourly wage"),
         ("Portugal", 30, 40, 8.50, "EUR", "Hourly wage"),
         ("ZA", 40, 60, 60, "ZAR", "Hourly wage")],
        ("Anna Weber", "Managing Director"),
    ),
    _vendor(
        "Brightlabel Solutions Inc.", "PH",
        "Several remediable gaps: piece rates with a floor, monthly pay, no pilot, no anonymous "
        "grievance channel, no certification, slow answers to workers.",
        "conditional",
        [("PH", 70, 300, 60, "PHP", "Piece rate with hourly floor"),
         ("Colombia", 30, 120, 9000, "COP", "Piece rate with hourly floor")],
        ("Maria Santos", "Chief Operating Officer"),
        {"PAY-09": "No", "WORK-06": "No", "COMM-06": "No"},
        **{"COMP-04": ["Crowd platform workers"], "PAY-01": "Piece rate with hourly floor",
           "PAY-03": "National or own study", "PAY-06": "Monthly", "PAY-07": "No",
           "PILOT-01": "No", "PILOT-02": "No", "PILOT-03": "No", "WORK-03": "No",
           "COMM-02": 72, "COMM-03": "No", "COMM-04": "No", "DATA-01": ["None"], "DATA-02": None,
           "DATA-05": "No"},
    ),
    _vendor(
        "QuickTask Crowd Ltd", "BD",
        "Charges its crowd workers a platform registration fee: a knockout, whatever else it does.",
        "not_qualified",
        [("BD", 100, 800, 90, "BDT", "Piece rate with hourly floor")],
        ("Rahim Chowdhury", "Director"),
        {"PAY-08": "No", "PAY-09": "No", "WORK-06": "No", "COMM-06": "No", "RESP-03": "No"},
        **{"COMP-04": ["Crowd platform workers"], "PAY-01": "Piece rate with hourly floor", "PAY-05": "Yes"},
    ),
    _vendor(
        "Frontier Language Services LLC", "UA",
        "Good practices, but three quarters of its transcribers work in Ukraine, a country at war "
        "since 2022.",
        "conditional",
        [("UA", 75, 150, 120, "UAH", "Hourly wage"),
         ("Poland", 25, 50, 35, "PLN", "Hourly wage")],
        ("Olena Kovalenko", "Head of Operations"),
        {"COMM-06": "No"},
        **{"COMP-03": ["Transcription or translation"]},
    ),
    _vendor(
        "Savanna Voices Collection Ltd", "KE",
        "Collects speech and self-identified demographics from contributors in Kenya and Ghana, where "
        "same-sex acts are criminalised: the SOW's survey must leave out the gender-identity question.",
        "qualified",
        [("Kenya", 70, 200, 150, "KES", "Hourly wage"),
         ("GH", 30, 80, 9, "GHS", "Hourly wage")],
        ("Grace Wanjiru", "Chief Executive Officer"),
        {"COMM-06": "No"},
        **{"COMP-03": ["Data collection from contributors", "Transcription or translation"],
           "COMP-04": ["Employees", "Individual contractors"], **CONSENT_YES,
           "DEMO-01": "Self-identified by contributors", "DEMO-02": "Yes", "DEMO-03": "Yes",
           "VULN-01": "Yes", "VULN-02": "Yes", "VULN-03": "Yes"},
    ),
    _vendor(
        "Cheapmark Data Pvt Ltd", "IN",
        "Declares living-wage pay (PAY-02 Yes) but lists an hourly rate below India's statutory "
        "minimum wage: a knockout and a declaration mismatch.",
        "not_qualified",
        [("IN", 100, 500, 20, "INR", "Piece rate only")],
        ("Ravi Kumar", "Director"),
        {"PAY-09": "No", "WORK-06": "No", "COMM-06": "No", "RESP-04": "No"},
        **{"PAY-01": "Piece rate only", "PAY-03": "None", "COMP-04": ["Individual contractors"]},
    ),
]


def write_example(vendor: ExampleVendor, folder: str | Path, questionnaire: str = "RDE-1") -> Path:
    """Write `vendor`'s blank form of `questionnaire` (RDE-1, or RDE-2 with its `rde2` answers too) and fill it
    in; returns the workbook's path (`<slug>.xlsx`, `<slug>-rde2.xlsx` for RDE-2)."""
    q = load(questionnaire)
    rde1 = questionnaire == "RDE-1"
    path = Path(folder) / f"{vendor.slug}{'' if rde1 else '-' + questionnaire.lower().replace('-', '')}.xlsx"
    form_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fairsource-example:{vendor.slug}{'' if rde1 else ':' + q.key}"))
    write_form(path, vendor.name, questionnaire=q, issued_at=ISSUED_AT, form_id=form_id)
    answers = {k: v for k, v in {**vendor.answers, **({} if rde1 else vendor.rde2)}.items()
               if v is not None and k in q.by_id}
    return fill_form(path, answers, vendor.countries, vendor.evidence, attestation=vendor.attestation)


def write_examples(folder: str | Path, questionnaire: str = "RDE-1") -> list[Path]:
    return [write_example(v, folder, questionnaire) for v in EXAMPLES]
