"""Evidence and remediation responses in a real browser (Chromium driven by Playwright, uvicorn on a free port):
the vendor answers an open remediation in its portal, "done", with its words and a PDF; the reviewer opens the
file from the vendor's page and accepts the response, which closes the remediation. Screenshots at 1280 px go to
FAIRSOURCE_SCREENSHOTS (docs/images for the README: `FAIRSOURCE_SCREENSHOTS=docs/images pytest
tests/web/test_evidence_browser.py`), else to the test's own folder. Skipped where /usr/bin/chromium or
Playwright is missing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from fairsource import accounts
from flows import usecases
from supplier_models import read_workbook
from tests.helpers import evidence_files as files
from tests.helpers.web import BRIGHT, CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_user, running, shoot, web_app, workbook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_a_vendor_sends_evidence_for_a_remediation_and_a_reviewer_accepts_it(tmp_path, database_url):
    shots = Path(os.environ.get("FAIRSOURCE_SCREENSHOTS") or tmp_path / "shots")
    app, config = web_app(tmp_path / "home", database_url)
    state = app.state.web
    day = dt.date.today() - dt.timedelta(days=40)
    usecases.intake_one(read_workbook(workbook(BRIGHT, tmp_path)), state.store, state.inputs, day, config.sow_dir,
                        received_on=day)
    _, vendor, token = accounts.create_invite(state.store, BRIGHT.name, "ops@brightlabel.example",
                                              created_by="test", days=30)
    add_user(state.store, "rita@example.org", "reviewer")
    report = tmp_path / "pilot-report.pdf"
    report.write_bytes(files.PDF)

    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # The vendor: open R3, say it is done, attach the report, send.
            portal = browser.new_page(viewport={"width": 1280, "height": 900})
            portal.goto(f"{base}/portal/{token}")
            row = portal.locator("#rem-R3")
            row.get_by_text("Respond to R3").click()
            row.get_by_label("It is done").check()
            row.get_by_label("What was done").fill("Pilot run with 12 workers in October; report attached.")
            row.get_by_label("Evidence files").set_input_files(str(report))
            row.scroll_into_view_if_needed()
            portal.evaluate("window.scrollBy(0, -120)")
            shoot(portal, shots / "evidence-portal-respond.png")
            row.get_by_role("button", name="Send response").click()
            expect(portal.get_by_role("status")).to_contain_text("your response to R3 was sent")
            expect(portal.locator("#rem-R3")).to_contain_text("waits for a reviewer")
            expect(portal.locator("#evidence")).to_contain_text("pilot-report.pdf")

            # The reviewer: the response waits on the vendor's page; open the file, accept with a reason.
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/login")
            page.get_by_label("E-mail").fill("rita@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.goto(f"{base}/vendors/{vendor.id}")
            waiting = page.locator("#responses")
            expect(waiting).to_contain_text("R3: the vendor says it is done")
            with page.expect_download() as download:
                waiting.get_by_role("link", name="pilot-report.pdf").click()
            assert Path(download.value.path()).read_bytes() == files.PDF
            assert download.value.suggested_filename == "pilot-report.pdf"
            waiting.get_by_label("Reason").fill("Report read: the pilot is done.")
            waiting.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -80)")
            shoot(page, shots / "evidence-vendor-response.png")
            waiting.get_by_role("button", name="Accept: close R3").click()
            expect(page.get_by_role("status").first).to_contain_text("Response accepted.")
            closed = page.locator("tr.rem-done", has_text="R3")
            expect(closed).to_contain_text("Pilot run with 12 workers in October; report attached. Files: "
                                           "pilot-report.pdf. Sent by the vendor.")
            closed.scroll_into_view_if_needed()
            shoot(page, shots / "evidence-vendor-accepted.png")

            portal.reload()
            expect(portal.locator("#rem-R3")).to_have_count(0)  # no longer open
            expect(portal.locator("#remediations ~ ul.plain, ul.plain").first).to_contain_text("accepted")
        finally:
            browser.close()
    store = state.store
    assert store.remediations.get(vendor.id, "R3").state == "done"
    assert {"remediation_response_done", "evidence_downloaded", "remediation_response_accepted"} <= {
        e.action for e in store.audit.events(vendor.id)}
