"""The audit log as pages: newest first, a page at a time with a cursor (keyset pagination on (time, id): the next
page starts after the last event shown, so a page costs the same a million events deep as at the top, and an
event recorded meanwhile, newer than the page, is neither skipped nor shown twice on the pages that follow)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from supplier_models import Store
from supplier_models.errors import ActionRefused
from supplier_models.store.rows import AuditFilters, AuditRow

from .cursors import pack, unpack


class AuditPage(NamedTuple):
    events: list[AuditRow]
    cursor: str | None
    """where the next page starts; None on the last page"""


def audit_page(store: Store, filters: AuditFilters, *, cursor: str | None = None, limit: int = 50) -> AuditPage:
    """The events after `cursor` (from the newest when None) that `filters` lets through; a cursor this log did
    not give is refused (`ActionRefused`)."""
    events = store.audit.page(filters, before=decode_cursor(cursor) if cursor else None, limit=limit + 1)
    more = len(events) > limit
    events = events[:limit]
    return AuditPage(events, encode_cursor(events[-1]) if more else None)


def all_events(store: Store, filters: AuditFilters, chunk: int = 1000) -> Iterator[list[AuditRow]]:
    """Every event `filters` lets through, newest first, `chunk` at a time (one query each: the memory is one
    chunk's, whatever the size of the log)."""
    before = None
    while True:
        events = store.audit.page(filters, before=before, limit=chunk)
        if events:
            yield events
        if len(events) < chunk:
            return
        before = (events[-1].at, events[-1].id)


def encode_cursor(last: AuditRow) -> str:
    return pack([last.at, last.id])


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, last = unpack(cursor)
        if isinstance(at, str) and isinstance(last, int) and not isinstance(last, bool) and 0 <= last < 2**63:
            when = dt.datetime.fromisoformat(at)
            return (when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)), last
    except (ValueError, TypeError, OverflowError):
        pass
    raise ActionRefused("the cursor is not one this log gave: start again from the first page")
