"""The vendor list as pages: the state rows brought to the day, then read a page at a time in name order with a
cursor (keyset pagination: the next page starts after the last vendor shown, so a page costs the same at the
100,000th vendor as at the first, and a vendor added meanwhile is neither skipped nor shown twice)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from typing import NamedTuple

from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused
from supplier_models.store.engine import retry_locked
from supplier_models.store.rows import ListedVendor, ListFilters

from .vendor_state import rebuild, refresh_rows

_complete: set[str] = set()  # the stores whose rows were seen complete (they stay so: every event keeps its row)
_lock = threading.Lock()


class VendorPage(NamedTuple):
    vendors: list[ListedVendor]
    cursor: str | None
    """where the next page starts; None on the last page"""


@retry_locked  # idempotent: run again whole when SQLite's write lock was not had in time
def rows_for_the_day(store: Store, settings: Settings, on: dt.date) -> None:
    """Make every vendor's state row hold on `on`: a store from before the rows were kept is rebuilt once (per
    process), then the rows whose day has passed are recomputed (none, most of the time)."""
    if store.url not in _complete:
        with _lock:
            if store.url not in _complete and not store.states.complete():
                rebuild(store, settings, on)
            _complete.add(store.url)
    refresh_rows(store, settings, on)


def vendor_page(store: Store, settings: Settings, on: dt.date, filters: ListFilters, *, cursor: str | None = None,
                limit: int = 100) -> VendorPage:
    """The vendors after `cursor` (from the start when None), narrowed by `filters`, as they stand on `on`."""
    rows_for_the_day(store, settings, on)
    vendors = store.states.page(filters, after=decode_cursor(cursor) if cursor else None, limit=limit + 1)
    more = len(vendors) > limit
    vendors = vendors[:limit]
    return VendorPage(vendors, encode_cursor(vendors[-1]) if more else None)


def encode_cursor(last: ListedVendor) -> str:
    raw = json.dumps([last.vendor, last.vendor_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        name, vendor_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(name, str) and isinstance(vendor_id, str):
            return name, vendor_id
    except (ValueError, TypeError):
        pass
    raise ActionRefused("the cursor is not one this list gave: start again from the first page")
