"""The dashboard's distribution of Fairwork points over the vendor base: read from the summary stored with each
assessment (kept with the vendor's state row), equal to what the frameworks give when evaluated from the answers,
each count linking to the vendors with those points (docs/frameworks.md)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter

from sqlalchemy import delete, select, update

from flows import usecases
from flows.usecases.frameworks import FAIRWORK, framework_results
from supplier_models import read_workbook
from supplier_models.store.framework_tables import AssessmentFramework
from supplier_models.store.tables import VendorStateRecord
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.web import staff_client, workbook


def _seed(web, folder, inputs):
    _, store, settings = web
    for vendor in EXAMPLES:
        usecases.intake_one(read_workbook(workbook(vendor, folder)), store, inputs, dt.date.today(), settings.sow_dir)
    store.vendors.set_contact("Not Yet Ltd", "ops@notyet.example")  # invited, no answers yet


def _expected(store) -> dict[str, int]:
    """vendor id -> its Fairwork points, evaluated from the stored answers as the vendor page does."""
    return {vid: next(r.points for r in results if r.framework == FAIRWORK)
            for vid, results in framework_results(store)}


def _summaries(store) -> dict[str, dict]:
    with store.connect() as conn:
        return {r["assessment_id"]: dict(r) for r in conn.execute(
            select(AssessmentFramework.__table__).where(AssessmentFramework.framework == FAIRWORK)).mappings()}


def test_the_dashboard_counts_vendors_by_fairwork_points_as_the_frameworks_give_them(web, folder, inputs):
    _seed(web, folder, inputs)
    _, store, _ = web
    staff = staff_client(web, role="viewer")
    expected = _expected(store)
    assert len(expected) == len(EXAMPLES) and len(set(expected.values())) > 1  # the demo vendors differ
    page = staff.get("/")
    assert page.status_code == 200
    panel = html.unescape(page.text.split('id="fairwork"', 1)[1].split("</section>", 1)[0])
    shown = {int(points): int(n.replace(",", "")) for points, n in re.findall(
        r'<a href="/vendors\?fairwork=(\d+)">\d+ points?</a></th>\s*<td>.*?<span class="points-n">([\d,]+)</span>',
        panel, re.S)}
    assert shown == {n: Counter(expected.values()).get(n, 0) for n in range(11)}
    assert re.search(r'Not assessed</a></th>\s*<td>.*?<span class="points-n">1</span>', panel, re.S)

    for points in set(expected.values()):  # each count's link lists those vendors, and only those
        listed = staff.get(f"/vendors?fairwork={points}")
        assert listed.status_code == 200
        ids = set(re.findall(r'href="/vendors/([0-9a-f-]{36})"', listed.text))
        assert ids == {vid for vid, p in expected.items() if p == points}
        api = staff.get(f"/api/vendors?fairwork={points}")
        assert {v["vendor_id"] for v in api.json()} == ids


def test_the_summary_is_stored_with_the_assessment_and_a_rescoring_adds_its_own(web, folder, inputs):
    _, store, settings = web
    vendor = EXAMPLES[0]
    outcome = usecases.intake_one(read_workbook(workbook(vendor, folder)), store, inputs, dt.date.today(),
                                  settings.sow_dir)
    first = store.assessments.latest(outcome.vendor_id)
    stored = _summaries(store)
    points = _expected(store)[outcome.vendor_id]
    assert set(stored) == {first.id} and stored[first.id]["points"] == points
    assert stored[first.id]["max_points"] == 10 and stored[first.id]["version"]
    assert store.states.all()[outcome.vendor_id]["fairwork_points"] == points

    usecases.rescore_batch(store, [first.id], inputs, dt.date.today(), settings.sow_dir)
    second = store.assessments.latest(outcome.vendor_id)
    assert second.id != first.id
    after = _summaries(store)
    assert set(after) == {first.id, second.id} and after[first.id] == stored[first.id]  # never rewritten
    assert after[second.id]["points"] == points


def test_a_store_from_before_summaries_gets_them_at_the_first_read(web, folder, inputs):
    """As revision 0018 leaves a store: assessments without a summary, every state row marked as no longer
    holding. The dashboard's first read evaluates them, stores their summaries and shows their points."""
    _seed(web, folder, inputs)
    _, store, _ = web
    expected = _expected(store)
    with store.begin() as conn:
        conn.execute(delete(AssessmentFramework.__table__))
        conn.execute(update(VendorStateRecord.__table__).values(fairwork_points=None,
                                                                holds_until=dt.date(1900, 1, 1)))
    assert store.states.fairwork_points() == {None: len(EXAMPLES) + 1}
    assert staff_client(web, role="viewer").get("/").status_code == 200
    assert len(_summaries(store)) == len(EXAMPLES)
    assert store.states.fairwork_points() == {**Counter(expected.values()), None: 1}
