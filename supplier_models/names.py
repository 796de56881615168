"""Names people give, in the forms fairsource needs them: a file-name slug (vendors, examples), a client's upload
name made safe to show and log, and the one check of an e-mail address."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def slug(name: str, limit: int = 60) -> str:
    """`Acme Annotation Ltd.` -> `acme-annotation-ltd`: lower-case letters and digits joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:limit].rstrip("-") or "vendor"


def is_email(text: str) -> bool:
    """An address of the form `local@domain.tld` (surrounding spaces ignored), without spaces, `<>`, `,` or `;`."""
    return EMAIL.fullmatch(text.strip()) is not None


def upload_name(name: str | None, default: str = "upload.xlsx") -> str:
    """The last part of a file name a client sent (any `/` or `\\` path dropped), at most 200 characters: a label
    to show and log, never a path to open."""
    return PurePosixPath((name or default).replace("\\", "/")).name[:200] or default
