"""Screenshots of the web app for the docs: docs/images/web-dashboard.png and docs/images/web-vendor.png.

    .venv/bin/python docs/web_screenshots.py

Builds a throw-away store with the six example vendors (some received months ago, so the dashboard has
expiring qualifications, overdue remediations and workers in eleven countries), serves the app with uvicorn
and photographs two pages in Chromium (/usr/bin/chromium), through the same helpers as
tests/web/test_web_browser.py.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: `tests.helpers` comes from the repository

from fairsource import accounts  # noqa: E402
from flows import usecases  # noqa: E402
from supplier_models import read_workbook  # noqa: E402
from supplier_models.workbooks.examples import EXAMPLES, write_example  # noqa: E402
from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_user, running, shoot, web_app  # noqa: E402

# Days ago each example was received: Lumen is up for renewal, Frontier's remediations are overdue.
AGE = {"Lumen Data Services GmbH": 330, "Frontier Language Services LLC": 120, "QuickTask Crowd Ltd": 40}


def main(out: Path = ROOT / "docs" / "images") -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="fairsource-shots-") as tmp:
        home = Path(tmp)
        app, settings = web_app(home / "home", f"sqlite:///{home / 'fairsource.db'}")
        state = app.state.web
        add_user(state.store, "ana.lopez@example.org", "admin")
        today = dt.date.today()
        for vendor in EXAMPLES:
            day = today - dt.timedelta(days=AGE.get(vendor.name, 0))
            sub = read_workbook(write_example(vendor, home / "returned"))
            usecases.intake_one(sub, state.store, state.inputs, day, settings.sow_dir, received_on=day)
            accounts.create_invite(state.store, vendor.name, f"qualification@{vendor.slug}.example", created_by="ana",
                               days=30)
        bright = state.store.vendors.find(EXAMPLES[1].name)
        with running(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
            page.goto(f"{base}/login")
            page.get_by_label("E-mail").fill("ana.lopez@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector("h1:text('Dashboard')")
            height = page.evaluate("document.documentElement.scrollHeight")  # the whole dashboard, countries too
            page.set_viewport_size({"width": 1280, "height": min(height, 1600)})
            print(shoot(page, out / "web-dashboard.png"))
            page.set_viewport_size({"width": 1280, "height": 1700})  # down to the explanation of fair pay
            page.goto(f"{base}/vendors/{bright.id}")
            page.locator("details.principle", has_text="Fair pay").locator("summary").click()
            print(shoot(page, out / "web-vendor.png"))
            browser.close()


if __name__ == "__main__":
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium")
    main()
