"""Every page of the web app checked by axe-core in Chromium, on a desktop (1280 px) and a phone (390 px), on a
store seeded through the real intake (a review waiting, overdue remediations, a portal link, a password-reset link): no serious or critical
violation (colour contrast, names of controls, landmarks...). On the phone: no page scrolls sideways as a whole, the
navigation opens from "Menu" and reaches every link with the keyboard, and the vendor list's last column scrolls
into view inside its card. Skipped where /usr/bin/chromium or Playwright is missing.

Swagger UI's own markup on /docs fails `nested-interactive` (each operation's header is a button holding buttons):
that rule is allowed there, and only inside Swagger UI's root (`SWAGGER_UI_OWN`); anything else on that page fails
the test too (its colours, which failed `color-contrast`, are darkened by static/docs.css)."""

from __future__ import annotations

import itertools

import pytest

from fairsource import user_admin
from tests.helpers.a11y import DESKTOP, PHONE, axe_violations, overflow, report, seed
from tests.helpers.web import BRIGHT, CHROMIUM, CHROMIUM_ARGS, LUMEN, PASSWORD, add_user, running, web_app, workbook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
expect = sync_api.expect

ADMIN = "ana@example.org"
MENU_LINKS = ["/", "/vendors", "/work", "/upload", "/report.xlsx", "/users", "/audit"]
SWAGGER_UI_OWN = {"nested-interactive"}


@pytest.fixture
def site(tmp_path, database_url):
    """A server on a seeded store: (base URL, the app, {vendor name: portal path})."""
    app, _ = web_app(tmp_path / "home", database_url)
    add_user(app.state.web.store, ADMIN, "admin")
    links = seed(app, tmp_path / "returned")
    with running(app) as base:
        yield base, app, links


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Dashboard")


def staff_pages(page, base: str, app, tmp_path):
    """Each staff page in turn, as a person reaches it, yielding its name once it shows what it should."""
    store = app.state.web.store
    bright = store.vendors.find(BRIGHT.name)
    expect(page.locator(".card", has_text="Reviews waiting")).to_contain_text(BRIGHT.name)
    expect(page.locator(".card", has_text="Overdue remediations").locator("tbody tr").first).to_be_visible()
    yield "dashboard"
    page.goto(f"{base}/vendors?status=pending_review&q=a")
    expect(page.locator("table.list tbody tr").first).to_contain_text(BRIGHT.name)
    yield "vendors (filtered)"
    page.goto(f"{base}/vendors/{bright.id}")
    expect(page.locator("section.card", has_text="Review waiting")).to_be_visible()
    expect(page.locator("section.card", has_text="Remediations").locator("tbody tr").first).to_be_visible()
    page.locator("details.principle", has_text="Fair pay").locator("summary").click()  # its table checked too
    yield "vendor (review waiting)"
    page.locator(".callout select[name=decision]").select_option("override")
    page.locator(".callout textarea").fill("Plan agreed")
    page.locator(".callout").get_by_role("button", name="Record review").click()
    expect(page.locator(".field-error")).to_contain_text("An override needs the decision it sets")
    yield "vendor (review refused)"
    page.goto(f"{base}/vendors/{bright.id}")
    expect(page.locator("#responses")).to_contain_text("R1: the vendor says it is done")
    page.locator("#evidence summary").click()
    page.locator("#evidence input[type=file]").set_input_files(
        files=[{"name": "setup.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + bytes(64)}])
    page.locator("#evidence").get_by_role("button", name="Attach file").click()
    expect(page.locator(".alert-error")).to_contain_text("setup.pdf: the file is a Windows program")
    yield "vendor (response waiting, file refused)"
    page.goto(f"{base}/vendors/{bright.id}")
    page.locator(".callout").get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".callout")).to_contain_text(f"Assigned to {ADMIN}")
    page.get_by_role("link", name="Unassign…").click()
    expect(page.locator("h1")).to_have_text("Unassign this review?")
    yield "unassign (confirm)"
    page.goto(f"{base}/vendors/{bright.id}")
    page.locator("#responses").get_by_role("button", name="Assign the response to R1").click()
    expect(page.locator("#responses")).to_contain_text(f"Assigned to {ADMIN}")
    page.locator("#responses").get_by_role("link", name="Unassign…").click()
    expect(page.locator("h1")).to_have_text("Unassign this response?")
    yield "unassign a response (confirm)"
    page.goto(f"{base}/work")
    expect(page.locator("#mine tbody tr").first).to_contain_text(BRIGHT.name)
    expect(page.locator("#unassigned tbody tr").first).to_be_visible()
    yield "my work"
    page.goto(f"{base}/upload")
    yield "upload"
    page.set_input_files("input[type=file]", [str(workbook(BRIGHT, tmp_path, broken=True)),
                                              str(workbook(LUMEN, tmp_path))])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#results > table > tbody > tr")).to_have_count(2)
    yield "upload results"
    page.goto(f"{base}/users")
    yield "users"
    admin = store.staff.by_email(ADMIN)
    page.goto(f"{base}/users/{admin.id}")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Change the role").click()
    expect(page.locator("#role-error")).to_contain_text("is the last active admin")
    yield "user (refused)"
    page.get_by_role("button", name="Send a password-reset link").click()
    expect(page.locator("h1")).to_have_text(f"Password-reset link for {ADMIN}")
    yield "reset link (shown)"
    page.goto(f"{base}/users/{admin.id}/sign-out")
    expect(page.locator("h1")).to_have_text(f"Sign {ADMIN} out everywhere?")
    yield "user (confirm)"
    page.goto(f"{base}/account")
    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password (12 characters or more)").fill("a new long passphrase")
    page.get_by_label("New password again").fill("a new long passphrase")
    page.get_by_role("button", name="Change the password").click()
    expect(page.locator("#current-error")).to_have_text("That is not your current password.")
    yield "account (refused)"
    page.goto(f"{base}/audit")
    expect(page.locator("table.list tbody tr").first).to_be_visible()
    yield "audit log"
    page.goto(f"{base}/vendors")
    page.get_by_label("Vendor's legal name").fill("Northwind Annotation BV")
    page.get_by_role("button", name="Create portal link").click()
    expect(page.locator("h1")).to_have_text("Portal link for Northwind Annotation BV")
    yield "invited"
    page.get_by_role("link", name="Go to Northwind Annotation BV").click()
    page.get_by_role("link", name="Revoke…").click()
    expect(page.locator("h1")).to_have_text("Revoke this portal link?")
    yield "revoke (confirm)"
    page.goto(f"{base}/vendors/invite")
    page.get_by_label("Vendor's legal name").fill("Southwind Data BV")
    page.get_by_label("Contact e-mail").fill("ops@southwind.example")
    page.get_by_label("Contact e-mail").evaluate("field => { field.type = 'text'; field.value = 'ops at southwind'; }")
    page.get_by_role("button", name="Create portal link").click()
    expect(page.locator(".field-error")).to_contain_text("not an e-mail address")
    yield "invite (refused)"
    page.goto(f"{base}/vendors/no-such-vendor")
    expect(page.locator("h1")).to_have_text("Not found")
    yield "404"
    page.goto(f"{base}/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    yield "docs"


def portal_pages(page, base: str, portal: str, tmp_path):
    page.goto(base + portal)
    expect(page.locator("h1")).to_have_text(BRIGHT.name)
    yield "portal"
    page.set_input_files("input[type=file]", str(workbook(BRIGHT, tmp_path, broken=True)))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#problems tbody tr")).to_have_count(2)
    yield "portal with problems"
    page.goto(base + portal)
    row = page.locator("#rem-R1")
    row.get_by_text("Respond to R1").click()
    row.get_by_role("button", name="Send response").click()  # neither words nor a file
    expect(page.locator("#response-error")).to_contain_text("Say what was done, or attach a file")
    yield "portal (response refused)"
    row = page.locator("#rem-R1")
    row.get_by_label("What was done").fill("Pay calendar changed to fortnightly")
    report = tmp_path / "pay-calendar.txt"
    report.write_text("Paid on the 1st and 15th.\n", encoding="utf-8")
    row.get_by_label("Evidence files").set_input_files(str(report))
    row.get_by_role("button", name="Send response").click()
    expect(page.locator("#rem-R1")).to_contain_text("waits for a reviewer")
    yield "portal (response sent)"
    page.goto(f"{base}{portal}/answer/WORK")  # the web form, pre-filled with the vendor's last answers
    expect(page.locator("h2").first).to_have_text("Appropriate workers")
    yield "web form (section)"
    page.locator("#a-WORK-04").fill("lots")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-error").first).to_contain_text('"lots" is not a number')
    yield "web form (errors)"
    page.goto(f"{base}{portal}/answer/countries")
    expect(page.locator("fieldset.country-row").first).to_be_visible()
    yield "web form (countries)"


def reset_pages(page, base: str, path: str):
    """The page of a password-reset link, and its form refused (the two passwords differ)."""
    page.goto(base + path)
    expect(page.locator("h1")).to_have_text("Set your password")
    yield "reset"
    page.get_by_label("New password (12 characters or more)").fill("a new long passphrase")
    page.get_by_label("New password again").fill("another long passphrase")
    page.get_by_role("button", name="Set the password").click()
    expect(page.locator("#confirm-error")).to_contain_text("The two passwords are not the same")
    yield "reset (refused)"


def blocking(page, axe, name: str) -> list[dict]:
    found = axe_violations(page, axe)
    if name == "docs":  # Swagger UI's own markup: see the module's docstring
        found = [v for v in found if not (v["id"] in SWAGGER_UI_OWN and swagger_only(page, v))]
    return found


def swagger_only(page, violation: dict) -> bool:
    """Every element of the violation lies inside Swagger UI's root (#swagger-ui)."""
    return all(page.evaluate("s => !!document.querySelector('#swagger-ui').querySelector(s)", t)
               for t in violation["targets"])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_no_page_has_a_serious_accessibility_violation(site, browser, tmp_path, viewport):
    base, app, links = site
    axe = axe_playwright.Axe()
    found, checked, wide = {}, [], {}
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{base}/login")
        reset = user_admin.issue_reset(app.state.web.store, app.state.web.settings, ADMIN, actor="test", base="")
        for name in itertools.chain(["login"], portal_pages(page, base, links[BRIGHT.name], tmp_path),
                                    reset_pages(page, base, reset.link)):  # lazily
            checked.append((name, page.url.removeprefix(base)))
            found[name], wide[name] = blocking(page, axe, name), overflow(page)
        sign_in(page, base)
        for name in staff_pages(page, base, app, tmp_path):
            checked.append((name, page.url.removeprefix(base)))
            found[name], wide[name] = blocking(page, axe, name), overflow(page)
    finally:
        context.close()
    assert len(checked) == 31 and checked[0] == ("login", "/login") and checked[-1] == ("docs", "/docs"), checked
    portal = links[BRIGHT.name]
    assert [url for name, url in checked if name.startswith("portal")] == [
        portal, portal + "/upload", portal + "/remediations/R1/respond", portal + "?responded=R1#remediations"]
    assert report(found) == ""  # each violation a line: page, rule (impact: what it asks) at its elements
    if viewport is PHONE:
        assert {name: px for name, px in wide.items() if px > 0} == {}  # px past 390 the page scrolls sideways


def test_on_a_phone_the_menu_reaches_every_link_and_the_vendor_list_scrolls_in_its_card(site, browser):
    base, _, _ = site
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, base)
        assert overflow(page) == 0
        assert page.locator("nav.wide").is_hidden()  # the bar's own links are behind "Menu"
        menu = page.locator("details.menu")
        links = menu.locator("nav a")
        expect(links.first).to_be_hidden()
        menu.locator("summary").focus()
        page.keyboard.press("Enter")
        reached = []
        for _ in MENU_LINKS:
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
            box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                                " return [r.left, r.right, r.top, r.bottom]; })()")
            left, right_edge, top, bottom = box
            assert left >= 0 and right_edge <= PHONE["width"] and top >= 0 and bottom <= PHONE["height"], reached
        assert reached == MENU_LINKS
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_attribute("href", "/account")  # the user's own account
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Sign out")
        menu.get_by_role("link", name="Vendors", exact=True).click()
        expect(page).to_have_url(f"{base}/vendors")

        card = page.get_by_role("region", name="Vendors")
        last = card.locator("thead th").last  # the last column (Contact, or a column added after it)
        assert overflow(page) == 0
        assert right(last) > right(card) + 50  # the table is wider than its card: the last column starts out of view
        card.focus()  # a keyboard user: the table's region takes focus, the arrow key scrolls it
        for _ in range(60):
            if right(last) <= right(card) + 1:  # to a pixel: the scroll ends on a fraction
                break
            page.keyboard.press("ArrowRight")
        assert right(last) <= right(card) + 1 and right(card) <= PHONE["width"]
        assert card.evaluate("e => e.scrollLeft") > 0
        assert overflow(page) == 0
    finally:
        context.close()


def right(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"]

