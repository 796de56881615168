"""The vendors list in a real browser (Chromium driven by Playwright, a real server on a free port) on a seeded
store: an analyst narrows the list, sorts it by a column, walks its pages, and downloads it as CSV and as Excel,
each read back. Skipped where /usr/bin/chromium or Playwright is missing."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.requalify import seed  # noqa: E402  (bulk-inserted vendors, as the benchmarks seed them)
from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_user, running, shoot, web_app  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
SEEDED = 130


def _ids(page) -> list[str]:
    return [href.rsplit("/", 1)[1] for href in page.locator("table.list tbody td:first-child a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]


def test_an_analyst_narrows_sorts_pages_through_and_downloads_the_vendor_list(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    seed(database_url, SEEDED, tmp_path / "seed")
    add_user(store, "rita@example.org", "viewer")

    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
            page.goto(f"{base}/vendors")
            page.get_by_label("E-mail").fill("rita@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.locator("h1")).to_have_text("Vendors")
            expect(page.locator(".pagehead")).to_contain_text(f"{SEEDED} of {SEEDED}")
            everyone = {r["vendor_id"]: r for r in store.states.all().values()}  # made by the first list

            # Narrow: the vendors of the commonest status, 25 a page.
            statuses = [r["status"] for r in everyone.values()]
            status = max(set(statuses), key=statuses.count)
            page.get_by_label("Status").select_option(status)
            page.get_by_label("Vendors a page").select_option("25")
            page.get_by_role("button", name="Filter").click()
            kept = {i for i, r in everyone.items() if r["status"] == status}
            assert len(kept) > 25
            expect(page.locator(".pagehead")).to_contain_text(f"{len(kept)} of {SEEDED}")
            expect(page).to_have_url(re.compile(f"status={status}"))

            # Sort by the day the qualification ends, latest first (the header twice), and walk every page.
            page.get_by_role("link", name="Valid until").click()
            expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Valid until")
            page.get_by_role("link", name="Valid until").click()
            expect(page.locator("th[aria-sort=descending]")).to_contain_text("Valid until")
            shoot(page, tmp_path / "sorted.png")
            seen = _ids(page)
            while page.get_by_role("link", name="Next 25 →").count():
                page.get_by_role("link", name="Next 25 →").click()
                expect(page.get_by_role("link", name="First page")).to_be_visible()
                seen += _ids(page)
            assert sorted(seen) == sorted(kept) and len(seen) == len(set(seen))
            ends = [everyone[i]["valid_until"] for i in seen]
            assert ends == sorted(ends, reverse=True)
            expect(page.locator("th[aria-sort=descending]")).to_contain_text("Valid until")  # kept on every page
            assert f"status={status}" in page.url and "sort=until" in page.url

            # Download what the list shows, whole, as CSV and as Excel: the same vendors in the same order.
            with page.expect_download() as got:
                page.get_by_role("link", name="CSV", exact=True).click()
            rows = list(csv.DictReader(got.value.path().read_text(encoding="utf-8").splitlines()))
            assert [r["vendor_id"] for r in rows] == seen
            with page.expect_download() as got:
                page.get_by_role("link", name="Excel", exact=True).click()
            assert got.value.suggested_filename.endswith(".xlsx")
            got.value.save_as(tmp_path / got.value.suggested_filename)
            sheet = openpyxl.load_workbook(tmp_path / got.value.suggested_filename)["Vendors"]
            assert [r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)] == seen
        finally:
            browser.close()
