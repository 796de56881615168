"""The dashboard's Fairwork points panel in Chromium at 390 px: every row in view without scrolling sideways, each
count in words, and a count's link opens the vendor list filtered by those points."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from flows import usecases
from supplier_models import read_workbook
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_user, running, shoot, web_app, workbook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_the_fairwork_panel_reads_at_390_px_and_links_to_the_filtered_list(tmp_path, database_url):
    app, settings = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    inputs = usecases.load_inputs(settings)
    for vendor in EXAMPLES:
        usecases.intake_one(read_workbook(workbook(vendor, tmp_path)), store, inputs, dt.date.today(),
                            settings.sow_dir)
    add_user(store, "vi@example.org", "viewer")
    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{base}/login")
            page.get_by_label("E-mail").fill("vi@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            panel = page.locator("#fairwork")
            expect(panel.locator("tbody tr")).to_have_count(12)  # 0 to 10 points, and not assessed
            panel.scroll_into_view_if_needed()
            shoot(page, tmp_path / "shots" / "web-phone-fairwork.png")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            box = panel.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
            row = panel.locator("tbody tr").filter(has=page.locator(".points-n", has_text=re.compile(r"^[1-9]")))
            first = row.first
            label = first.locator("th a").inner_text()
            count = int(first.locator(".points-n").inner_text())
            first.locator("th a").click()
            expect(page).to_have_url(re.compile(r"/vendors\?fairwork=\d+$"))
            expect(page.get_by_label("Fairwork points")).to_have_value(label.split()[0])
            expect(page.locator("table tbody tr")).to_have_count(count)
        finally:
            browser.close()
