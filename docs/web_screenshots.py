"""Screenshots of the web app for the docs: docs/images/web-dashboard.png and docs/images/web-vendor.png, at a
phone's 390 px docs/images/web-phone-*.png (the dashboard, its menu open, the vendor list, a vendor, the portal), and
the user administration: docs/images/web-users.png (the list), web-user.png (a user's page), web-user-reset.png (a
password-reset link shown once).

    .venv/bin/python docs/web_screenshots.py              # every picture
    .venv/bin/python docs/web_screenshots.py users        # the user administration's only

Builds a throw-away store with the six example vendors (some received months ago, so the dashboard has
expiring qualifications, overdue remediations and workers in eleven countries), serves the app with uvicorn
and photographs the pages in Chromium (/usr/bin/chromium), through the same helpers as
tests/web/test_web_browser.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: `tests.helpers` comes from the repository

from supplier_models.workbooks.examples import EXAMPLES  # noqa: E402
from tests.helpers.a11y import PHONE, seed  # noqa: E402
from tests.helpers.web import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    add_user,
    running,
    shoot,
    web_app,
    workbook,
)


def main(out: Path = ROOT / "docs" / "images", only: str | None = None) -> None:
    from playwright.sync_api import sync_playwright

    if only == "users":
        return users_only(out)

    with tempfile.TemporaryDirectory(prefix="fairsource-shots-") as tmp:
        home = Path(tmp)
        app, _ = web_app(home / "home", f"sqlite:///{home / 'fairsource.db'}")
        add_user(app.state.web.store, "ana.lopez@example.org", "admin")
        links = seed(app, home / "returned")  # the six examples, some received months ago; a portal link each
        bright = app.state.web.store.vendors.find(EXAMPLES[1].name)
        with running(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
            sign_in(page, base)
            height = page.evaluate("document.documentElement.scrollHeight")  # the whole dashboard, countries too
            page.set_viewport_size({"width": 1280, "height": min(height, 1600)})
            print(shoot(page, out / "web-dashboard.png"))
            page.set_viewport_size({"width": 1280, "height": 1700})  # down to the explanation of fair pay
            page.goto(f"{base}/vendors/{bright.id}")
            page.locator("details.principle", has_text="Fair pay").locator("summary").click()
            print(shoot(page, out / "web-vendor.png"))
            page.close()
            broken = workbook(EXAMPLES[1], home, broken=True)
            phone(browser, base, (f"/vendors/{bright.id}", links[EXAMPLES[1].name], broken), out)
            browser.close()


def users_only(out: Path) -> None:
    """The user administration's pictures, on a store of its own: a team of five, one disabled, one with an API
    token, the reviewer signed in on two browsers."""
    from playwright.sync_api import sync_playwright

    from fairsource import accounts, user_admin

    with tempfile.TemporaryDirectory(prefix="fairsource-shots-") as tmp:
        home = Path(tmp)
        app, _ = web_app(home / "home", f"sqlite:///{home / 'fairsource.db'}")
        store = app.state.web.store
        add_user(store, "ana.lopez@example.org", "admin")
        for email, role in (("rita.okafor@example.org", "reviewer"), ("sam.berg@example.org", "reviewer"),
                            ("vik.rao@example.org", "viewer"), ("lee.chan@example.org", "viewer")):
            add_user(store, email, role)
        accounts.new_api_token(store, "sam.berg@example.org")
        user_admin.disable(store, "lee.chan@example.org", actor="ana.lopez@example.org")
        rita = store.staff.by_email("rita.okafor@example.org")
        for _ in range(2):
            accounts.start_session(store, rita, 12)
        with running(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 620}, device_scale_factor=1)
            sign_in(page, base)
            page.goto(f"{base}/users")
            print(shoot(page, out / "web-users.png"))
            page.set_viewport_size({"width": 1280, "height": 860})
            page.goto(f"{base}/users/{rita.id}")
            page.get_by_label("Role").select_option("admin")
            page.get_by_role("button", name="Change the role").click()
            page.wait_for_selector("text=Role changed.")
            print(shoot(page, out / "web-user.png"))
            page.set_viewport_size({"width": 1280, "height": 560})
            page.get_by_role("button", name="Send a password-reset link").click()
            page.wait_for_selector("#reset-link")
            print(shoot(page, out / "web-user-reset.png"))
            browser.close()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill("ana.lopez@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:text('Dashboard')")


def phone(browser, base: str, paths: tuple[str, str, Path], out: Path) -> None:
    """The pages at a phone's 390 px: the dashboard, its menu open, the vendor list scrolled to its last column,
    a vendor's page, and the portal showing a workbook's problems (web-phone-*.png)."""
    vendor, portal, broken = paths
    page = browser.new_page(viewport=PHONE, device_scale_factor=1)
    sign_in(page, base)
    print(shoot(page, out / "web-phone-dashboard.png"))
    page.locator("details.menu > summary").click()
    print(shoot(page, out / "web-phone-menu.png"))
    page.goto(f"{base}/vendors")
    table = page.get_by_role("region", name="Vendors")
    table.scroll_into_view_if_needed()
    table.evaluate("e => { e.scrollLeft = e.scrollWidth; }")  # its last column, Contact, in view
    print(shoot(page, out / "web-phone-vendors.png"))
    page.goto(base + vendor)
    print(shoot(page, out / "web-phone-vendor.png"))
    page.goto(base + portal)
    page.set_input_files("input[type=file]", str(broken))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("#problems")
    print(shoot(page, out / "web-phone-portal.png"))
    page.close()


if __name__ == "__main__":
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium")
    main(only=sys.argv[1] if len(sys.argv) > 1 else None)
