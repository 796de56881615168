"""File-name forms of names people give (vendors, examples)."""

from __future__ import annotations

import re


def slug(name: str, limit: int = 60) -> str:
    """`Acme Annotation Ltd.` -> `acme-annotation-ltd`: lower-case letters and digits joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:limit].rstrip("-") or "vendor"
