"""Vendors' portal links as an admin makes them in the browser's pages (TestClient on the real app): the link
starts with the app's address (FAIRSOURCE_WEB_BASE_URL, else the one the request came to), reaches the contact by
e-mail (read back from a real SMTP server on 127.0.0.1), is shown once (a refresh shows none and makes none), a
refused form comes back as typed, revoking asks first, and `invite --days 0` is refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from fairsource import accounts
from fairsource.cli import app as cli
from tests.flows.conftest import smtp_inbox  # noqa: F401  (a fixture: a real SMTP server on 127.0.0.1)
from tests.helpers.web import LUMEN, add_user, csrf_of, sign_in, web_app


def _admin(tmp_path, database_url, **settings) -> tuple[TestClient, object]:
    app, _ = web_app(tmp_path / "home", database_url, **settings)
    add_user(app.state.web.store, "ana@example.org", "admin")
    client = TestClient(app, base_url="http://fairsource.example:8611")
    assert sign_in(client, "ana@example.org").status_code == 303
    return client, app.state.web.store


def test_a_link_is_mailed_to_the_contact_and_shown_once(tmp_path, database_url, smtp_inbox):  # noqa: F811
    inbox, url = smtp_inbox
    client, store = _admin(tmp_path, database_url, smtp_url=url, organisation="Acme Data")
    form = client.get("/vendors/invite")
    made = client.post("/vendors/invite", data={"csrf_token": csrf_of(form.text), "name": "Nova Labels SA",
                                                "contact": "ops@nova.example"}, follow_redirects=False)
    assert made.status_code == 303
    shown = client.get(made.headers["location"])
    assert shown.status_code == 200 and "Sent by e-mail to ops@nova.example." in shown.text
    link = shown.text.split('id="portal-link"', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert link.startswith("http://fairsource.example:8611/portal/")  # the address the request came to
    vendor = store.vendors.find("Nova Labels SA")
    [invite] = store.invites.of_vendor(vendor.id)
    assert invite.token_sha256 == accounts.digest(link.rsplit("/", 1)[1])

    [(to, mail)] = inbox.messages
    assert to == ["ops@nova.example"] and mail["Reply-To"] == "ana@example.org"
    assert mail["Subject"] == "Acme Data: supplier qualification portal link for Nova Labels SA"
    body = mail.get_content()
    assert link in body and f"works until {invite.expires_at.date().isoformat()}" in body
    assert "Acme Data invites Nova Labels SA" in body

    again = client.get(made.headers["location"])  # a refresh: no link, and none made
    assert again.status_code == 200 and "/portal/" not in again.text and "shown once" in again.text
    assert len(store.invites.of_vendor(vendor.id)) == 1 and len(inbox.messages) == 1
    assert client.get(link.removeprefix("http://fairsource.example:8611")).status_code == 200  # the vendor's page


def test_without_mail_the_link_is_shown_to_send_by_hand_at_the_set_address(tmp_path, database_url):
    client, store = _admin(tmp_path, database_url, web_base_url="https://suppliers.acme.example")
    form = client.get("/vendors/invite")
    shown = client.post("/vendors/invite", data={"csrf_token": csrf_of(form.text), "name": "Nova Labels SA",
                                                 "contact": "ops@nova.example"})
    assert "E-mail is not set up (FAIRSOURCE_SMTP_URL): send the link yourself." in shown.text
    assert 'value="https://suppliers.acme.example/portal/' in shown.text and 'data-copy="portal-link"' in shown.text
    assert [e.action for e in store.audit.events()][:2] == ["invite_not_mailed", "invite_created"]


def test_a_refused_invite_comes_back_as_typed_with_the_reason(tmp_path, database_url):
    client, store = _admin(tmp_path, database_url)
    form = client.get("/vendors/invite")
    refused = client.post("/vendors/invite", data={"csrf_token": csrf_of(form.text), "name": "Nova Labels SA",
                                                   "contact": "ops at nova"})
    assert refused.status_code == 400
    assert 'value="Nova Labels SA"' in refused.text and 'value="ops at nova"' in refused.text
    assert "Ops at nova: not an e-mail address." in refused.text and 'aria-invalid="true"' in refused.text
    assert store.vendors.find("Nova Labels SA") is None  # nothing made


def test_revoking_a_link_asks_first(tmp_path, database_url):
    client, store = _admin(tmp_path, database_url)
    invite, vendor, token = accounts.create_invite(store, LUMEN.name, None, created_by="test", days=30)
    page = client.get(f"/vendors/{vendor.id}").text
    assert f'href="/vendors/{vendor.id}/invites/{invite.id}/revoke">Revoke' in page
    ask = client.get(f"/vendors/{vendor.id}/invites/{invite.id}/revoke")
    assert ask.status_code == 200 and "Revoke this portal link?" in ask.text
    assert accounts.vendor_for_token(store, token) is not None  # asking changed nothing
    done = client.post(f"/vendors/{vendor.id}/invites/{invite.id}/revoke", data={"csrf_token": csrf_of(ask.text)},
                       follow_redirects=False)
    assert done.status_code == 303 and accounts.vendor_for_token(store, token) is None
    assert client.get(f"/vendors/{vendor.id}/invites/nope/revoke").status_code == 404


def test_the_invite_command_refuses_a_link_of_no_days(isolated_home, database_url):
    runner = CliRunner()
    refused = runner.invoke(cli, ["invite", LUMEN.name, "--days", "0"])
    assert refused.exit_code == 2 and "--days" in refused.output
    made = runner.invoke(cli, ["invite", LUMEN.name, "--days", "1"])
    assert made.exit_code == 0, made.output
    assert "set FAIRSOURCE_WEB_BASE_URL" in made.output


def test_in_chromium_the_link_is_copied_with_one_button(tmp_path, database_url):
    import pytest

    from tests.helpers.web import CHROMIUM, CHROMIUM_ARGS, PASSWORD, running, shoot

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    app, _ = web_app(tmp_path / "home", database_url)
    add_user(app.state.web.store, "ana@example.org", "admin")
    with running(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
            page = context.new_page()
            page.goto(f"{base}/vendors/invite")
            page.get_by_label("E-mail").fill("ana@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_label("Vendor's legal name").fill("Nova Labels SA")
            page.get_by_label("Contact e-mail").fill("ops@nova.example")
            page.get_by_role("button", name="Create portal link").click()
            sync_api.expect(page.get_by_role("status").first).to_contain_text("E-mail is not set up")
            page.get_by_role("button", name="Copy").click()
            sync_api.expect(page.locator("#copied")).to_have_text("Copied.")
            link = page.locator("#portal-link").input_value()
            assert link.startswith(f"{base}/portal/") and page.evaluate("navigator.clipboard.readText()") == link
            shoot(page, tmp_path / "invited.png")
            page.reload()  # shown once: the page again shows no link, and no other link is made
            sync_api.expect(page.locator("#portal-link")).to_have_count(0)
        finally:
            browser.close()
    store = app.state.web.store
    assert len(store.invites.of_vendor(store.vendors.find("Nova Labels SA").id)) == 1
