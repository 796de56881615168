"""Submissions built directly (no workbook) for the scoring tests: fast and explicit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from supplier_models.submission import CountryRow, Submission
from supplier_models.workbooks.examples import GOOD_ANSWERS

AS_OF = dt.date(2026, 11, 23)
COLLECTING = ["Data collection from contributors"]


def make(changes=None, countries=(("DE", 100, 20, "EUR"),)) -> Submission:
    """A good vendor's submission with `changes` to its answers; countries are (iso2, share, pay, currency)."""
    answers = {k: Decimal(v) if isinstance(v, int) else v for k, v in GOOD_ANSWERS.items()}
    answers.update({"COMP-01": "Test Vendor GmbH", "COMP-02": "DE", **(changes or {})})
    rows = [CountryRow(iso2=iso2, name=iso2, share_pct=Decimal(str(share)), workers=10,
                       lowest_hourly_pay=Decimal(str(pay)), currency=cur, pay_basis="Hourly wage", row=n + 2)
            for n, (iso2, share, pay, cur) in enumerate(countries)]
    return Submission(questionnaire_id="RDE-1", questionnaire_version="1.0.0", vendor_name="Test Vendor",
                      sha256="0" * 64, answers=answers, countries=rows)
