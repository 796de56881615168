"""Text as a SOW states it: vendor text cleaned so it cannot break the document, and dates, money and
lists formatted for reading."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

# XML 1.0 forbids most control characters; a vendor's text must not be able to break the document.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: object) -> str:
    """Vendor text as it can appear in Word: XML-invalid characters dropped, newlines normalised."""
    text = "" if value is None else str(value)
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def format_money(currency: str, amount: Decimal) -> str:
    return f"{currency} {amount:,.2f}"


def join_names(names: list[str]) -> str:
    """Names as a sentence lists them: 'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def as_list(value: object) -> list[str]:
    """An answer as a list of cleaned texts: none, one, or each of a multiple choice."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [clean_text(v) for v in value]
    return [clean_text(value)]
