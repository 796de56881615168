"""`fairsource status --rebuild` reads, compares and writes the vendors' state rows a chunk of vendors at a time (in
vendor-name order, a transaction each), so its memory stays flat at 100,000 vendors: chunks smaller than the vendor
base give what one chunk gives, row for row and change for change (real flows, real store)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from supplier_models import get_settings
from supplier_models.store.tables import VendorPlaceRecord, VendorStateRecord
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.helpers.runs import run as _run

pytestmark = pytest.mark.usefixtures("prefect_engine")
DAY = dt.date(2027, 3, 2)


def _a_dozen_vendors(home) -> list[str]:
    """The six example vendors, and each again under another name: twelve vendors, taken in on two days."""
    twins = [v.model_copy(update={"name": f"{v.name} Twin", "answers": {**v.answers, "COMP-01": f"{v.name} Twin"}})
             for v in EXAMPLES]
    _run("intake", *[str(write_example(v, home / "first")) for v in EXAMPLES], "--as-of", "2026-12-01")
    _run("intake", *[str(write_example(v, home / "twins")) for v in twins], "--as-of", "2026-12-15")
    return [v.name for v in [*EXAMPLES, *twins]]


def _left_behind(store, names: list[str]) -> None:
    """Rows out of step with the history, as writes that bypassed the keeper leave them: one row gone (and its
    places), one with other counts, one due on a day that has come."""
    ids = {v.name: v.id for v in store.vendors.all()}
    state, places = VendorStateRecord.__table__, VendorPlaceRecord.__table__
    with store.engine.begin() as conn:
        conn.execute(delete(state).where(state.c.vendor_id == ids[names[1]]))
        conn.execute(delete(places).where(places.c.vendor_id == ids[names[1]]))
        conn.execute(update(state).where(state.c.vendor_id == ids[names[4]])
                     .values(status="conditional", open_remediations=7))
        conn.execute(update(state).where(state.c.vendor_id == ids[names[9]]).values(next_action_on=dt.date(2027, 3, 1)))


def _stored(store) -> tuple[dict, list]:
    with store.engine.connect() as conn:
        places = sorted(tuple(r) for r in conn.execute(select(VendorPlaceRecord.__table__)))
    return store.states.all(), places


def test_a_rebuild_two_vendors_at_a_time_equals_one_in_a_single_chunk(isolated_home):
    from flows.usecases.vendor_state import open_store, rebuild

    names = _a_dozen_vendors(isolated_home)
    _run("review", EXAMPLES[1].name, "--decision", "approve", "--reason", "Pay plan seen", "--reviewer", "Ana Lima")
    _run("requalify", "--as-of", "2027-01-10")
    settings = get_settings()
    store = open_store(settings)
    assert len(store.states.all()) == 12

    brought = rebuild(store, settings, DAY, chunk=3)  # the rows brought to the day: the calendar changed some
    assert brought["added"] == 0 and brought["changed"] > 0

    _left_behind(store, names)
    in_twos = rebuild(store, settings, DAY, chunk=2)
    after_twos = _stored(store)
    _left_behind(store, names)
    at_once = rebuild(store, settings, DAY, chunk=1000)
    assert in_twos == at_once
    assert _stored(store) == after_twos
    ids = {v.name: v.id for v in store.vendors.all()}
    assert at_once["added"] == 1 and at_once["added"] + at_once["changed"] + at_once["unchanged"] == 12
    assert ids[names[4]] in [c["vendor_id"] for c in at_once["changes"]]  # the counts written past the keeper
    changed = [c["vendor_id"] for c in at_once["changes"]]
    assert changed == sorted(changed, key=lambda vid: store.vendors.get(vid).name)  # in vendor-name order
    assert rebuild(store, settings, DAY, chunk=5) == {"added": 0, "changed": 0, "unchanged": 12, "changes": []}
