"""User administration in a real browser (Chromium driven by Playwright) against a real server (uvicorn on a free
port): an admin adds a user, changes their role, sends them a password-reset link (shown with a Copy button) and
disables them after the confirmation page; the user, signed in elsewhere, is signed out at once. Each page is
photographed (the pictures in docs/images/ are made the same way by docs/web_screenshots.py). Skipped where
/usr/bin/chromium or Playwright is missing."""

from __future__ import annotations

import re

import pytest

from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_user, running, shoot, web_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

ADMIN, CLEO = "ana@example.org", "cleo@example.org"


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Dashboard")


def test_an_admin_adds_a_user_changes_their_role_and_disables_them(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    add_user(store, ADMIN, "admin")
    shots = tmp_path / "shots"
    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(page, base, ADMIN)
            page.get_by_role("link", name="Users", exact=True).first.click()
            expect(page.locator("h1")).to_have_text("Users")

            # A refused form keeps what was typed, the reason beside its field; then the user is added.
            form = page.locator("form[action='/users']")
            form.get_by_label("E-mail").fill(ADMIN)
            form.get_by_label("Role").select_option("reviewer")
            form.get_by_label("Password (12 characters or more)").fill(PASSWORD)
            form.get_by_role("button", name="Add").click()
            expect(page.locator("#email-error")).to_have_text(f"A user {ADMIN} exists already.")
            form = page.locator("form[action='/users']")
            expect(form.get_by_label("E-mail")).to_have_value(ADMIN)
            expect(form.get_by_label("Role")).to_have_value("reviewer")
            form.get_by_label("E-mail").fill(CLEO)
            form.get_by_label("Password (12 characters or more)").fill(PASSWORD)
            form.get_by_role("button", name="Add").click()
            expect(page.get_by_role("status")).to_have_text("User added.")
            expect(page.locator("h1")).to_contain_text(CLEO)

            # Cleo signs in elsewhere.
            cleo = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(cleo, base, CLEO)

            # The role.
            page.get_by_label("Role").select_option("viewer")
            page.get_by_role("button", name="Change the role").click()
            expect(page.get_by_role("status")).to_have_text("Role changed.")
            expect(page.get_by_label("Role")).to_have_value("viewer")
            expect(page.locator("section.card", has_text="Signed in")).to_contain_text("Sign out everywhere")
            shoot(page, shots / "web-user.png")

            # A password-reset link, shown once with a Copy button (no e-mail set up: to pass on by hand).
            page.get_by_role("button", name="Send a password-reset link").click()
            expect(page.locator("h1")).to_have_text(f"Password-reset link for {CLEO}")
            expect(page.get_by_role("status").first).to_contain_text("E-mail is not set up")
            expect(page.get_by_label("Password-reset link")).to_have_value(re.compile(f"^{re.escape(base)}/reset/"))
            expect(page.get_by_role("button", name="Copy")).to_be_visible()
            shoot(page, shots / "web-user-reset.png")
            page.get_by_role("link", name=f"Go to {CLEO}").click()

            # Disabling asks first, then signs Cleo out at once.
            page.get_by_role("link", name="Disable the user…").click()
            expect(page.locator("h1")).to_have_text(f"Disable {CLEO}?")
            shoot(page, shots / "web-user-disable.png")
            page.get_by_role("button", name="Disable the user").click()
            expect(page.get_by_role("status")).to_contain_text("Disabled: signed out everywhere")
            expect(page.get_by_role("button", name="Enable the user")).to_be_visible()
            cleo.reload()
            expect(cleo).to_have_url(re.compile(r"/login\?next="))

            page.locator("nav.wide").get_by_role("link", name="Users", exact=True).click()
            row = page.locator("table.list tbody tr", has_text=CLEO)
            expect(row).to_contain_text("viewer")
            expect(row).to_contain_text("disabled")
            shoot(page, shots / "web-users.png")
        finally:
            browser.close()
    user = store.staff.by_email(CLEO)
    assert user.role == "viewer" and user.disabled
    mine = [e.action for e in store.audit.events() if e.actor == ADMIN and e.subject == CLEO]
    assert mine == ["user_disabled", "password_reset_not_mailed", "password_reset_link_made", "user_role_changed",
                    "user_added"]
    assert all((shots / name).stat().st_size > 10_000 for name in ("web-users.png", "web-user.png",
                                                                   "web-user-reset.png", "web-user-disable.png"))

