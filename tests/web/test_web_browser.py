"""The web app in a real browser (Chromium driven by Playwright) against a real server (uvicorn on a free
port): a vendor fixes its workbook through its portal link; an analyst finds the vendor, reads the
explanation, approves the review, and uploads two workbooks received by e-mail at once. Skipped where
/usr/bin/chromium or Playwright is missing."""

from __future__ import annotations

import re

import httpx
import pytest

from fairsource import accounts
from tests.helpers.web import (
    BRIGHT,
    CHROMIUM,
    CHROMIUM_ARGS,
    LUMEN,
    PASSWORD,
    add_user,
    api_token,
    running,
    shoot,
    web_app,
    workbook,
)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_a_vendor_fixes_its_workbook_and_an_analyst_approves_it(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    add_user(store, "rita@example.org", "reviewer")
    _, vendor, token = accounts.create_invite(store, BRIGHT.name, "ops@brightlabel.example", created_by="test", days=30)
    broken, fixed = workbook(BRIGHT, tmp_path, broken=True), workbook(BRIGHT, tmp_path)
    lumen = workbook(LUMEN, tmp_path)

    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # The vendor: upload, see every problem at its cell, upload the fixed workbook, see the outcome.
            portal = browser.new_page(viewport={"width": 1280, "height": 900})
            portal.goto(f"{base}/portal/{token}")
            expect(portal.locator("h1")).to_have_text(BRIGHT.name)
            portal.set_input_files("input[type=file]", str(broken))
            portal.get_by_role("button", name="Upload").click()
            problems = portal.locator("#problems")
            expect(problems).to_contain_text("2 problems in brightlabel-solutions-inc-broken.xlsx")
            expect(problems.locator("tbody tr")).to_have_count(2)
            expect(problems).to_contain_text("Questionnaire!E9")
            expect(problems).to_contain_text('"Maybe" is not one of the choices')
            expect(problems).to_contain_text("Questionnaire!E19")
            portal.set_input_files("input[type=file]", str(fixed))
            portal.get_by_role("button", name="Upload").click()
            expect(portal.get_by_role("status")).to_contain_text("received and assessed")
            expect(portal.locator("#outcome")).to_contain_text("conditional")
            expect(portal.locator("#outcome tbody tr").first).to_contain_text("R1")

            # The analyst: sign in, find the vendor, read the explanation, approve.
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/")
            expect(page).to_have_url(re.compile(r"/login\?next="))
            page.get_by_label("E-mail").fill("rita@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.locator("h1")).to_have_text("Dashboard")
            expect(page.locator(".card", has_text="Reviews waiting")).to_contain_text(BRIGHT.name)
            shoot(page, tmp_path / "shots" / "web-dashboard.png")
            page.get_by_role("link", name="Vendors", exact=True).click()
            page.get_by_placeholder("Search name or contact").fill("bright")
            page.get_by_role("button", name="Filter").click()
            page.get_by_role("link", name=BRIGHT.name).click()
            expect(page.locator("h1")).to_have_text(BRIGHT.name)
            fair_pay = page.locator("details.principle", has_text="Fair pay")
            fair_pay.locator("summary").click()
            points = fair_pay.locator("table.points")
            expect(points).to_be_visible()
            expect(points).to_contain_text("PAY-01")
            expect(points).to_contain_text("Piece rate")
            expect(points).to_contain_text("RDE-1")
            shoot(page, tmp_path / "shots" / "web-vendor.png")
            page.get_by_label("Reason (kept in the record)").first.fill("Pilot plan agreed with the vendor")
            page.get_by_role("button", name="Record review").first.click()
            expect(page.get_by_role("status")).to_have_text("Review recorded.")
            expect(page.locator("section.card", has_text="Reviews").last).to_contain_text(
                "Pilot plan agreed with the vendor")

            # Workbooks received by e-mail: two at once through the file input's `multiple`, one result each.
            page.get_by_role("link", name="Upload", exact=True).click()
            page.set_input_files("input[type=file]", [str(broken), str(lumen)])
            page.get_by_role("button", name="Upload").click()
            results = page.locator("#results > table > tbody > tr")
            expect(results).to_have_count(2)
            expect(results.nth(0)).to_contain_text("2 problems: nothing stored")
            expect(results.nth(0)).to_contain_text("Questionnaire!E9")
            expect(results.nth(1)).to_contain_text("Qualified")
            results.nth(1).get_by_role("link", name=LUMEN.name).click()
            expect(page.locator("h1")).to_have_text(LUMEN.name)
        finally:
            browser.close()
    (review,) = store.reviews.of_vendor(vendor.id)
    assert (review.reviewer, review.action) == ("rita@example.org", "approve")
    uploaded = [e for e in store.audit.events() if e.action == "web_intake" and e.actor == "rita@example.org"]
    assert [e.subject for e in uploaded] == [lumen.name]
    assert (tmp_path / "shots" / "web-vendor.png").stat().st_size > 10_000


def test_the_api_page_works_offline_and_no_page_breaks_the_content_security_policy(tmp_path, database_url):
    """/docs with every request off this machine refused: Swagger UI comes from the app and lists the operations;
    no page (the API page, the dashboard, a vendor's page with its score bars, the portal) meets a CSP refusal."""
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    add_user(store, "rita@example.org", "reviewer")
    _, vendor, token = accounts.create_invite(store, BRIGHT.name, None, created_by="test", days=30)
    staff = api_token(store, "rev@example.org", "reviewer")
    elsewhere, refused = [], []
    with running(app) as base, sync_api.sync_playwright() as p:
        with open(workbook(BRIGHT, tmp_path), "rb") as f:  # a decision, so the vendor's page has its score bars
            assert httpx.post(f"{base}/api/intake", headers=staff, files={"file": ("b.xlsx", f)}).status_code == 200
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                                 "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                       else (elsewhere.append(route.request.url), route.abort()))
            page.goto(f"{base}/docs")
            page.get_by_label("E-mail").fill("rita@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(f"{base}/docs")
            expect(page.locator(".opblock")).to_have_count(5)  # /healthz, intake, the list, a vendor, its assessments
            expect(page.locator(".opblock-summary-path", has_text="/api/intake")).to_be_visible()
            shoot(page, tmp_path / "shots" / "docs-offline.png")
            violations = page.evaluate("window.__csp")
            for url in ("/", f"/vendors/{vendor.id}", f"/portal/{token}", "/upload"):
                page.goto(base + url)
                if url.startswith("/vendors/"):
                    expect(page.locator("meter.bar").first).to_be_visible()
                violations += page.evaluate("window.__csp")
            expect(page.locator("h1")).to_have_text("Upload workbooks")
        finally:
            browser.close()
    assert elsewhere == [] and violations == [] and refused == []
    assert (tmp_path / "shots" / "docs-offline.png").stat().st_size > 10_000
