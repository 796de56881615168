"""The vendor list as pages: the state rows brought to the day, then read a page at a time in name order with a
cursor (keyset pagination: the next page starts after the last vendor shown, so a page costs the same at the
100,000th vendor as at the first, and a vendor added meanwhile is neither skipped nor shown twice)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import NamedTuple

from scoring.terms import BANDS, DECISIONS, STATUSES
from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused
from supplier_models.store.engine import retry_locked
from supplier_models.store.rows import SORTS, ListedVendor, ListFilters, ListOrder

from .cursors import pack, unpack
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


RANKS = {"status": STATUSES, "decision": DECISIONS, "band": BANDS}
"""The order of the ranked columns' values: statuses as a person works through them (what needs action first),
decisions from qualified to not qualified, bands from low to prohibited."""


def list_order(by: str = "vendor", descending: bool = False) -> ListOrder:
    """The order a list is asked for, with the ranks of its column's values (ActionRefused for no such column)."""
    if by not in SORTS:
        raise ActionRefused(f"a vendor list sorts by {', '.join(SORTS)}: not {by!r}")
    return ListOrder(by, descending, RANKS.get(by, ()))


def vendor_page(store: Store, settings: Settings, on: dt.date, filters: ListFilters, *, cursor: str | None = None,
                limit: int = 100, order: ListOrder | None = None) -> VendorPage:
    """The vendors after `cursor` (from the start when None), narrowed by `filters`, in `order` (by name when
    None), as they stand on `on`."""
    order = order or list_order()
    rows_for_the_day(store, settings, on)
    after = decode_cursor(cursor, order) if cursor else None
    vendors, places = store.states.page(filters, order=order, after=after, limit=limit + 1)
    more = len(vendors) > limit
    return VendorPage(vendors[:limit], encode_cursor(order, places[limit - 1]) if more else None)


def encode_cursor(order: ListOrder, place: tuple) -> str:
    """Where the next page starts: the order and the last vendor's place in it (its sort value, name and id)."""
    return pack([order.by, order.descending, *place])


def decode_cursor(cursor: str, order: ListOrder) -> tuple:
    """The place a cursor holds, if this list in this order gave it."""
    try:
        by, descending, *place = unpack(cursor)
        width = 2 if order.by == "vendor" else 3
        if (by, descending) == (order.by, order.descending) and len(place) == width and all(
                isinstance(v, str) for v in place[-2:]):
            if order.by == "until":
                place[0] = dt.date.fromisoformat(place[0])
            elif order.by in ("status", "decision", "band", "remediations") and type(place[0]) is not int or order.by in ("contact", "owner") and not isinstance(place[0], str):
                raise ValueError(place[0])
            return tuple(place)
    except (ValueError, TypeError):
        pass
    raise ActionRefused("the cursor is not one this list gave: start again from the first page")


def every_listed(store: Store, filters: ListFilters, order: ListOrder | None = None,
                 chunk: int = 1000) -> Iterator[ListedVendor]:
    """Every vendor the filters keep, in `order`, read `chunk` at a time (keyset): an export's memory does not grow
    with the vendors. The rows must hold for the day (`rows_for_the_day`)."""
    after = None
    while True:
        vendors, places = store.states.page(filters, order=order or list_order(), after=after, limit=chunk)
        yield from vendors
        if len(vendors) < chunk:
            return
        after = places[-1]
