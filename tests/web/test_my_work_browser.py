"""My work in a real browser (Chromium driven by Playwright, uvicorn on a free port): a reviewer finds the review
assigned to them days ago overdue, takes one that waits, assigns another to a colleague from the vendor's page and
unassigns it after the confirmation; My work then lists theirs overdue first and the one that waits again
(`tests.helpers.work.my_work_story`, which docs/web_screenshots.py photographs as docs/images/web-my-work.png).
Skipped where /usr/bin/chromium or Playwright is missing."""

from __future__ import annotations

import pytest

from tests.helpers.a11y import seed
from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_user, running, shoot, web_app
from tests.helpers.work import BRIGHT, FRONTIER, SAVANNA, my_work_story

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_a_reviewer_takes_assigns_and_unassigns_reviews_and_my_work_lists_them(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    add_user(store, "rita@example.org", "reviewer")
    add_user(store, "bo@example.org", "admin")
    seed(app, tmp_path / "returned")
    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 760})
            page.goto(f"{base}/login")
            page.get_by_label("E-mail").fill("rita@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.locator("h1")).to_have_text("Dashboard")
            my_work_story(page, base, store, "rita@example.org", "bo@example.org")
            mine = page.locator("#mine tbody tr")
            expect(mine.nth(0)).to_contain_text(FRONTIER)
            expect(mine.nth(0)).to_contain_text("(overdue)")
            expect(mine.nth(1)).to_contain_text(BRIGHT)
            expect(page.locator("#mine h2")).to_contain_text("1 overdue")
            expect(page.locator("#unassigned tbody tr")).to_contain_text(SAVANNA)
            shot = shoot(page, tmp_path / "shots" / "web-my-work.png")
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    savanna = store.vendors.find(SAVANNA)
    assert [(a.assignee, a.ended_how) for a in store.assignments.of_vendor(savanna.id)] == [
        ("bo@example.org", "unassigned")]
    assert store.assignments.live("review", store.vendors.find(BRIGHT).id).assignee == "rita@example.org"
