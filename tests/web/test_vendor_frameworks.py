"""The vendor page's framework panel: each framework's points and every item's result, with why, for the vendor's
latest assessment (docs/frameworks.md)."""

from __future__ import annotations

import datetime as dt
import html

from flows import usecases
from supplier_models import read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.helpers.web import staff_client

BRIGHT = next(v for v in EXAMPLES if v.name.startswith("Brightlabel"))


def test_the_vendor_page_shows_each_framework_item_by_item(web, folder, inputs):
    client, store, settings = web
    staff = staff_client(web, role="viewer")
    usecases.intake_one(read_workbook(write_example(BRIGHT, folder)), store, inputs, dt.date.today(),
                        settings.sow_dir)
    vendor = store.vendors.find(BRIGHT.name)
    page = staff.get(f"/vendors/{vendor.id}")
    assert page.status_code == 200
    text = html.unescape(page.text.split('id="frameworks"', 1)[1].split("</section>", 1)[0])
    assert "Fairwork Cloudwork Principles" in text and "1 / 10" in text  # only 3.1 earns a point
    assert "PAI responsible sourcing of data enrichment" in text and "2 / 5" in text
    assert 'Not met: PAY-07 is "No" (needs PAY-07 is "Yes").' in text
    assert "Not answerable from RDE-1: it needs RESP-03" in text
    assert "up to 2 if every item not answerable were met" in text


def test_a_vendor_without_an_assessment_has_no_framework_panel(web):
    client, store, _ = web
    staff = staff_client(web, role="viewer")
    store.vendors.set_contact("Not Yet Ltd", "ops@notyet.example")
    vendor = store.vendors.find("Not Yet Ltd")
    page = staff.get(f"/vendors/{vendor.id}")
    assert page.status_code == 200 and 'id="frameworks"' not in page.text
