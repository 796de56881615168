"""An answer as text, one way everywhere: the explanation, the remediation register, the framework results."""

from __future__ import annotations

from decimal import Decimal


def answer_text(value: object) -> str | None:
    """An answer as the explanation and the remediation register write it: a list joined with ", ", a number
    without trailing zeros, a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)
