"""The cursors of the keyset-paged lists (the vendors, the audit log, My work): a page's last place as compact JSON
in URL-safe base64 without padding. Each list checks what it unpacks and refuses, in its own words, a cursor it did
not give."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence


def pack(values: Sequence[object]) -> str:
    """A cursor holding `values` (dates and times as ISO text)."""
    plain = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack(cursor: str) -> list:
    """The values a cursor holds, as JSON gives them; ValueError when it holds no list (not base64, not JSON)."""
    values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    if not isinstance(values, list):
        raise ValueError("a cursor holds a list")
    return values
