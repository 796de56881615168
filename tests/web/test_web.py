"""The web app through its HTTP interface (FastAPI's TestClient), on the backend under test: sign-in,
CSRF, roles, the vendor portal and its isolation, uploads, escaping, the API and the audit log."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from helpers.web import BRIGHT, LUMEN, PASSWORD, add_user, csrf_of, sign_in, web_app, workbook
from markupsafe import escape
from sqlalchemy import event
from typer.testing import CliRunner

from fairsource import accounts
from fairsource.cli import app as cli
from flows import usecases
from sow_templates import pdf as sow_pdf
from supplier_models import Settings, WorkbookRejected, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example

MB = 1024 * 1024


@pytest.fixture(scope="module")
def inputs():
    return usecases.load_inputs(Settings())


@pytest.fixture
def web(tmp_path, database_url, inputs):
    app, settings = web_app(tmp_path / "home", database_url, inputs)
    store = app.state.web.store
    with TestClient(app) as client:
        yield client, store, settings


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "returned"
    path.mkdir()
    return path


def _staff(web, email="ana@example.org", role="admin") -> TestClient:
    client, store, _ = web
    add_user(store, email, role)
    assert sign_in(client, email).status_code == 303
    return client


def _api_token(store, email, role) -> dict[str, str]:
    add_user(store, email, role)
    return {"Authorization": f"Bearer {accounts.new_api_token(store, email)}"}


def _intake(client, headers, path):
    with open(path, "rb") as f:
        return client.post("/api/intake", files={"file": (path.name, f, "application/octet-stream")}, headers=headers)


def _portal(store, vendor_name, contact="ops@vendor.example"):
    _, vendor, token = accounts.create_invite(store, vendor_name, contact, created_by="test", days=30)
    return vendor, f"/portal/{token}"


def test_healthz_answers_ok(web):
    client, _, _ = web
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_sign_in_gives_an_httponly_samesite_session_that_sign_out_ends(web):
    client, store, _ = web
    add_user(store, "ana@example.org", "viewer")
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    wrong = sign_in(client, "ana@example.org", "not the password")
    assert wrong.status_code == 401 and "do not match" in wrong.text

    response = sign_in(client, "ana@example.org")
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("fs_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    secret = cookie.split(";")[0].split("=", 1)[1]
    assert store.sessions.live(secret, accounts.now()) is None  # the store keeps a hash of it, never the value
    page = client.get("/")
    assert page.status_code == 200 and "Dashboard" in page.text and "ana@example.org" in page.text

    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    client.cookies.set("fs_session", secret)  # the old cookie opens nothing any more
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_form_posted_without_its_csrf_token_is_refused(web):
    client, store, _ = web
    add_user(store, "ana@example.org", "admin")
    client.get("/login")
    refused = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert refused.status_code == 403
    assert sign_in(client, "ana@example.org").status_code == 303
    vendor, _ = _portal(store, LUMEN.name)
    for data in ({"reason": "ok", "decision": "approve"}, {"reason": "ok", "decision": "approve", "csrf_token": "x"}):
        assert client.post(f"/vendors/{vendor.id}/review", data=data).status_code == 403
    assert client.post("/vendors/invite", data={"name": "Evil Ltd"}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert store.vendors.find("Evil Ltd") is None


def test_five_failed_sign_ins_block_the_next_for_that_email_and_address(web):
    client, store, _ = web
    add_user(store, "ana@example.org", "viewer")
    for _ in range(5):
        assert sign_in(client, "ana@example.org", "guess guess guess").status_code == 401
    blocked = sign_in(client, "ana@example.org")  # even the right password, until the window passes
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    add_user(store, "bo@example.org", "viewer")
    assert sign_in(client, "bo@example.org").status_code == 303  # another account is not blocked
    failures = [e for e in store.audit.events() if e.action == "login_failed"]
    assert len(failures) == 5 and {e.actor for e in failures} == {"ana@example.org"}


def test_a_viewer_reads_but_cannot_review_invite_or_manage_users(web, folder):
    client, store, _ = web
    token = _api_token(store, "rev@example.org", "reviewer")
    outcome = _intake(client, token, workbook(BRIGHT, folder)).json()
    client = _staff(web, "vi@example.org", "viewer")
    page = client.get(f"/vendors/{outcome['vendor_id']}")
    assert page.status_code == 200 and BRIGHT.name in page.text and "Record review" not in page.text
    csrf = csrf_of(page.text)
    review = client.post(f"/vendors/{outcome['vendor_id']}/review",
                         data={"csrf_token": csrf, "decision": "approve", "reason": "fine"})
    assert review.status_code == 403 and store.reviews.of_vendor(outcome["vendor_id"]) == []
    assert client.post("/vendors/R1/remediations/R1/close", data={"csrf_token": csrf, "evidence": "x"}).status_code \
        == 403
    assert client.post("/vendors/invite", data={"csrf_token": csrf, "name": "New Ltd"}).status_code == 403
    assert client.get("/users").status_code == 403
    assert client.post("/users", data={"csrf_token": csrf, "email": "x@example.org", "role": "admin",
                                       "password": PASSWORD}).status_code == 403
    assert store.staff.by_email("x@example.org") is None
    viewer_api = _api_token(store, "vi2@example.org", "viewer")
    assert _intake(client, viewer_api, workbook(LUMEN, folder)).status_code == 403


def test_a_portal_link_sees_its_own_vendor_and_nothing_else(web, folder):
    client, store, _ = web
    lumen, lumen_link = _portal(store, LUMEN.name)
    bright, bright_link = _portal(store, BRIGHT.name)
    staff = _api_token(store, "rev@example.org", "reviewer")
    assert _intake(client, staff, workbook(BRIGHT, folder)).status_code == 200

    page = client.get(lumen_link)
    assert page.status_code == 200 and LUMEN.name in page.text and BRIGHT.name not in page.text
    # Another vendor's workbook through this link: refused, nothing stored for either.
    before = store.counts()
    with open(workbook(BRIGHT, folder), "rb") as f:
        refused = client.post(f"{lumen_link}/upload", data={"csrf_token": csrf_of(page.text)},
                              files={"file": ("b.xlsx", f)})
    assert refused.status_code == 403 and "issued to another vendor" in refused.text
    vendor_token = {"Authorization": f"Bearer {lumen_link.rsplit('/', 1)[1]}"}
    assert _intake(client, vendor_token, workbook(BRIGHT, folder)).status_code == 403
    assert store.counts()["submission"] == before["submission"]
    # The vendor's token opens no staff page and no other vendor's data.
    assert client.get("/api/vendors", headers=vendor_token).status_code == 403
    assert client.get(f"/api/vendors/{bright.id}", headers=vendor_token).status_code == 403
    assert client.get(f"/vendors/{bright.id}", headers=vendor_token, follow_redirects=False).status_code == 303
    form = client.get(f"{lumen_link}/form.xlsx")
    assert form.status_code == 200 and form.content.startswith(b"PK")
    # Unknown, tampered, revoked: not found.
    assert client.get("/portal/" + "A" * 43).status_code == 404
    assert client.get(lumen_link[:-1] + ("a" if lumen_link[-1] != "a" else "b")).status_code == 404
    invite = store.invites.of_vendor(lumen.id)[0]
    store.invites.revoke(invite.id, actor="test", now=accounts.now())
    assert client.get(lumen_link).status_code == 404
    assert client.get(f"{lumen_link}/form.xlsx").status_code == 404


def test_the_portal_form_is_blank_first_then_prefilled_with_the_last_answers(web, folder):
    client, store, _ = web
    _, link = _portal(store, LUMEN.name)
    blank = client.get(f"{link}/form.xlsx")
    assert blank.status_code == 200 and blank.headers["content-type"].startswith("application/vnd.openxml")
    with pytest.raises(WorkbookRejected):  # a blank form is the vendor's own, not yet answered
        read_workbook("blank.xlsx", data=blank.content)
    page = client.get(link)
    with open(workbook(LUMEN, folder), "rb") as f:
        done = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)}, files={"file": ("l.xlsx", f)},
                           follow_redirects=False)
    assert done.status_code == 303
    again = read_workbook("again.xlsx", data=client.get(f"{link}/form.xlsx").content)
    original = read_workbook(workbook(LUMEN, folder))
    assert again.vendor_name == LUMEN.name and again.answers == original.answers
    assert again.countries == original.countries


def test_a_broken_workbook_is_refused_with_every_problem_at_its_cell(web, folder):
    client, store, _ = web
    _, link = _portal(store, BRIGHT.name)
    broken = workbook(BRIGHT, folder, broken=True)
    with pytest.raises(WorkbookRejected) as expected:
        read_workbook(broken)
    problems = expected.value.problems
    assert len(problems) == 2

    page = client.get(link)
    with open(broken, "rb") as f:
        response = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)},
                               files={"file": (broken.name, f)})
    assert response.status_code == 422
    for p in problems:  # the reader's own words, each at its sheet and cell
        assert str(escape(p.cell)) in response.text and str(escape(p.message)) in response.text
    assert "Questionnaire!E9" in response.text and "PAY-04" in response.text
    assert store.counts()["submission"] == 0

    api = _intake(client, _api_token(store, "rev@example.org", "reviewer"), broken)
    assert api.status_code == 422 and api.json() == expected.value.as_json()
    assert store.counts()["submission"] == 0

    with open(workbook(BRIGHT, folder), "rb") as f:  # fixed: received and assessed
        fixed = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)},
                            files={"file": ("fixed.xlsx", f)})
    assert fixed.status_code == 200 and "Your outcome" in fixed.text and "conditional" in fixed.text
    assert "R1" in fixed.text  # its open remediations


def _asgi_post(app, path: str, headers: list[tuple[bytes, bytes]], chunks) -> tuple[int, int]:
    """POST through the ASGI interface, the body streamed chunk by chunk: (status, chunks the app read)."""
    read, status = 0, None

    async def receive():
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 1234), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    return status, read


def test_an_upload_over_20_mb_is_refused_before_it_is_read_whole(web):
    client, store, _ = web
    _, link = _portal(store, LUMEN.name)
    token = link.rsplit("/", 1)[1]
    app = client.app
    boundary = b"xyz"
    multipart = [(b"content-type", b"multipart/form-data; boundary=" + boundary)]
    head = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n\r\n"

    def body(total_mb: int):
        yield head
        for _ in range(total_mb):
            yield b"\0" * MB

    # Declared too large: refused at once, not a byte read.
    status, read = _asgi_post(app, f"/portal/{token}/upload", [*multipart, (b"content-length", b"31457280")],
                              body(30))
    assert (status, read) == (413, 0)
    # Streamed without a length: refused as soon as it passes the limit, the rest never read.
    status, read = _asgi_post(app, f"/portal/{token}/upload", multipart, body(30))
    assert status == 413 and read <= 22
    status, read = _asgi_post(app, "/api/intake", [*multipart, (b"authorization", b"Bearer " + token.encode())],
                              body(30))
    assert status == 413 and read <= 22
    # Just over 20 MB in the file itself (the envelope fits): refused by the capped read.
    staff = _api_token(store, "rev@example.org", "reviewer")
    over = client.post("/api/intake", headers=staff, files={"file": ("big.xlsx", b"\0" * (20 * MB + 1))})
    assert over.status_code == 413 and "larger than 20 MB" in over.json()["errors"][0]["message"]
    assert store.counts()["submission"] == 0


def test_vendor_text_is_shown_as_text_everywhere(web, folder):
    client, store, _ = web
    hostile = "<script>alert(1)</script> {{ 7*7 }} Ltd"
    vendor = EXAMPLES[1].model_copy(update={"name": hostile})
    path = write_example(vendor, folder)
    result = _intake(client, _api_token(store, "rev@example.org", "reviewer"), path)
    assert result.status_code == 200 and result.json()["vendor"] == hostile
    _, link = _portal(store, hostile)
    client = _staff(web)
    vid = result.json()["vendor_id"]
    for url in ("/", "/vendors", f"/vendors/{vid}", link, "/audit", f"/vendors?q={hostile}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)</script>" not in page.text, url
        if url != "/":  # the dashboard lists it only in the review queue
            assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} Ltd" in page.text, url
    assert "&lt;script&gt;" in client.get("/").text


def test_api_intake_returns_the_decision_object_and_the_vendors_read_back(web, folder):
    client, store, _ = web
    staff = _api_token(store, "rev@example.org", "reviewer")
    assert client.post("/api/intake", files={"file": ("x.xlsx", b"x")}).status_code == 401
    path = workbook(LUMEN, folder)
    response = _intake(client, staff, path)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"vendor", "vendor_id", "assessment_id", "decision", "score", "principles", "knockouts",
                         "geo", "remediations", "valid_until", "sow", "rubric_version", "country_data_version",
                         "questionnaire", "reasons", "flags", "file", "duplicate"}
    assert body["vendor"] == LUMEN.name and body["decision"] == "qualified" and body["duplicate"] is False
    assert _intake(client, staff, path).json()["duplicate"] is True  # the same file: stored once

    vendors = client.get("/api/vendors", headers=staff).json()
    assert [(v["vendor"], v["status"]) for v in vendors] == [(LUMEN.name, "qualified")]
    detail = client.get(f"/api/vendors/{body['vendor_id']}", headers=staff).json()
    assert detail["status"]["decision"] == "qualified" and len(detail["assessments"]) == 1
    points = detail["latest_decision"]["explanation"]
    assert points and {"question", "answer", "rule", "source", "points"} <= set(points[0])
    assert client.get("/api/vendors/nope", headers=staff).status_code == 404
    assert "/api/intake" in client.get("/openapi.json").json()["paths"]


def test_a_reviewer_approves_and_closes_a_remediation_each_action_audited_with_the_user(web, folder):
    client, store, _ = web
    outcome = _intake(client, _api_token(store, "rev@example.org", "reviewer"), workbook(BRIGHT, folder)).json()
    vid = outcome["vendor_id"]
    client = _staff(web, "rita@example.org", "reviewer")
    page = client.get(f"/vendors/{vid}")
    assert "Review waiting" in page.text and "Record review" in page.text
    csrf = csrf_of(page.text)
    no_reason = client.post(f"/vendors/{vid}/review", data={"csrf_token": csrf, "decision": "approve", "reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    done = client.post(f"/vendors/{vid}/review", data={"csrf_token": csrf, "decision": "approve",
                                                       "reason": "pilot plan agreed <b>in writing</b>"})
    assert done.status_code == 200 and "Review recorded." in done.text
    assert "pilot plan agreed &lt;b&gt;in writing&lt;/b&gt;" in done.text
    (review,) = store.reviews.of_vendor(vid)
    assert review.reviewer == "rita@example.org" and review.action == "approve"
    assert store.sows.latest(vid).status == "final"

    closed = client.post(f"/vendors/{vid}/remediations/R1/close", data={"csrf_token": csrf,
                                                                       "evidence": "pilot report 2026-11"})
    assert closed.status_code == 200 and "Remediation closed." in closed.text
    r1 = next(r for r in store.remediations.all(vid) if r.code == "R1")
    assert r1.state == "done" and r1.closed_by == "rita@example.org" and r1.evidence == "pilot report 2026-11"

    sow = store.sows.latest(vid)
    download = client.get(f"/vendors/{vid}/sows/{sow.id}")
    assert download.status_code == 200 and download.content == Path(sow.path).read_bytes()

    mine = {e.action for e in store.audit.events() if e.actor == "rita@example.org"}
    assert {"login", "web_review_approve", "web_remediation_closed", "sow_downloaded"} <= mine
    assert {"web_intake"} <= {e.action for e in store.audit.events() if e.actor == "rev@example.org"}


def test_only_sows_the_store_knows_are_downloaded(web, folder):
    client, store, _ = web
    token = _api_token(store, "rev@example.org", "reviewer")
    lumen = _intake(client, token, workbook(LUMEN, folder)).json()
    bright = _intake(client, token, workbook(BRIGHT, folder)).json()
    client = _staff(web, "vi@example.org", "viewer")
    lumen_sow = store.sows.latest(lumen["vendor_id"])
    assert client.get(f"/vendors/{lumen['vendor_id']}/sows/{lumen_sow.id}").status_code == 200
    for url in (f"/vendors/{bright['vendor_id']}/sows/{lumen_sow.id}",  # another vendor's SOW
                f"/vendors/{lumen['vendor_id']}/sows/..%2F..%2F..%2Fetc%2Fpasswd",
                f"/vendors/{lumen['vendor_id']}/sows/{lumen_sow.path}",
                f"/vendors/{lumen['vendor_id']}/sows/nope"):
        assert client.get(url).status_code == 404, url


def test_admins_invite_vendors_and_add_users_from_the_pages(web):
    client = _staff(web, "ana@example.org", "admin")
    _, store, settings = web
    page = client.get("/vendors")
    made = client.post("/vendors/invite", data={"csrf_token": csrf_of(page.text), "name": "Nova Labels SA",
                                                 "contact": "ops@nova.example"})
    assert made.status_code == 200
    link = made.text.split(settings.web_base_url, 1)[1].split('"', 1)[0]
    assert link.startswith("/portal/") and client.get(link).status_code == 200
    vendor = store.vendors.find("Nova Labels SA")
    assert vendor.contact_email == "ops@nova.example"
    assert store.invites.of_vendor(vendor.id)[0].token_sha256 == accounts.digest(link.rsplit("/", 1)[1])
    listed = client.get("/vendors?status=awaiting_submission&q=nova")
    assert "Nova Labels SA" in listed.text
    added = client.post("/users", data={"csrf_token": csrf_of(page.text), "email": "new@example.org",
                                        "role": "reviewer", "password": PASSWORD})
    assert added.status_code == 200 and store.staff.by_email("new@example.org").role == "reviewer"
    short = client.post("/users", data={"csrf_token": csrf_of(page.text), "email": "b@example.org",
                                        "role": "viewer", "password": "short"})
    assert short.status_code == 400 and "12 characters" in short.text
    assert {"invite_created", "user_added"} <= {e.action for e in store.audit.events() if e.actor == "ana@example.org"}


def test_the_user_and_invite_commands(isolated_home, database_url):
    runner = CliRunner()
    added = runner.invoke(cli, ["user", "add", "Ana@Example.org", "--role", "admin", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    again = runner.invoke(cli, ["user", "add", "ana@example.org", "--role", "viewer", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code == 2 and "exists" in again.output
    assert runner.invoke(cli, ["user", "add", "b@example.org", "--role", "boss", "--password-stdin"],
                         input=PASSWORD + "\n").exit_code == 2
    assert runner.invoke(cli, ["user", "add", "b@example.org", "--password-stdin"], input="short\n").exit_code == 2
    invited = runner.invoke(cli, ["invite", LUMEN.name, "--contact", "ops@lumen.example"])
    assert invited.exit_code == 0, invited.output
    link = invited.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/portal/")
    app, _ = web_app(isolated_home / ".fairsource", database_url)
    with TestClient(app) as client:
        assert LUMEN.name in client.get(link.removeprefix("http://127.0.0.1:8000")).text
        assert sign_in(client, "ana@example.org").status_code == 303


# -- where the workers are, the vendor list's filters, uploads by staff, the portfolio, SOWs as PDF ---------------
SAVANNA, FRONTIER = EXAMPLES[4], EXAMPLES[3]
SAVANNA_TWO = SAVANNA.model_copy(update={"name": "Savanna Two Ltd"})  # the same countries as Savanna


def _seed(web, folder, inputs, vendors):
    """Receive each vendor's workbook (as intake does): {vendor name: (vendor id, submission)}."""
    _, store, settings = web
    seeded = {}
    for vendor in vendors:
        submission = read_workbook(workbook(vendor, folder))
        outcome = usecases.intake_one(submission, store, inputs, dt.date.today(), settings.sow_dir)
        seeded[vendor.name] = (outcome.vendor_id, submission, outcome.decision)
    return seeded


def test_the_dashboard_shows_each_country_with_its_vendors_workers_and_band_from_one_query(web, folder, inputs):
    seeded = _seed(web, folder, inputs, [LUMEN, SAVANNA, SAVANNA_TWO])
    client = _staff(web, "vi@example.org", "viewer")
    _, store, _ = web
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        rows = list(store.views.geography())
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and [r.vendor for r in rows] == sorted(seeded)  # one query, every vendor

    page = client.get("/")
    assert page.status_code == 200
    panel = page.text.split('id="countries"', 1)[1].split("</section>", 1)[0]
    expected = {}  # iso2 -> (name, band, vendors, workers), from what the vendors returned and were given
    for _, submission, decision in seeded.values():
        bands = {c.iso2: c.band for c in decision.geo.countries}
        for row in submission.countries:
            name, band, n, workers = expected.get(row.iso2, (row.name, bands[row.iso2], 0, 0))
            expected[row.iso2] = (name, band, n + 1, workers + row.workers)
    assert expected["KE"][2] == 2  # Kenya: both Savannas
    chips = re.findall(r'<li class="country country-(\w+)"><a href="/vendors\?country=(\w\w)".*?'
                       r'<strong>([\d,]+)</strong> workers?.*?<strong>(\d+)</strong> vendors?', panel, re.S)
    shown = {iso2: (band, int(n), int(w.replace(",", ""))) for band, iso2, w, n in chips}
    assert shown == {iso2: (band, n, w) for iso2, (_, band, n, w) in expected.items()}
    workers = [shown[iso2][2] for _, iso2, _, _ in chips]
    assert workers == sorted(workers, reverse=True)  # most workers first
    assert "Kenya" in panel and f'band-{expected["KE"][1]}' in panel
    listed = client.get("/vendors?country=KE")  # each country links to its vendors
    assert SAVANNA.name in listed.text and SAVANNA_TWO.name in listed.text and LUMEN.name not in listed.text


def test_the_vendor_list_filters_by_band_country_and_service_and_keeps_them_in_its_url(web, folder, inputs):
    seeded = _seed(web, folder, inputs, [LUMEN, BRIGHT, SAVANNA, FRONTIER])
    client = _staff(web, "vi@example.org", "viewer")
    client.app.state.web.store.vendors.set_contact("Nova Labels SA", "ops@nova.example")  # not assessed yet

    def listed(query: str) -> set[str]:
        page = client.get(f"/vendors?{query}")
        assert page.status_code == 200, query
        return {name for name in [*seeded, "Nova Labels SA"] if f">{escape(name)}</a>" in page.text}

    everyone = set(seeded) | {"Nova Labels SA"}
    assert listed("") == everyone and listed("band=&country=&service=") == everyone
    by_band = {name: decision.geo.band for name, (_, _, decision) in seeded.items()}
    for band in set(by_band.values()):
        assert listed(f"band={band}") == {n for n, b in by_band.items() if b == band}, band
    assert listed("country=KE") == {SAVANNA.name} == listed("country=kenya") == listed("country=%20Ken%20")
    assert listed("country=de") == {LUMEN.name} == listed("country=Germany")
    assert listed("country=Atlantis") == set()
    collects = "Data collection from contributors"
    assert listed(f"service={quote(collects)}") == {SAVANNA.name}
    assert listed(f"service={quote('Transcription or translation')}") == {SAVANNA.name, FRONTIER.name}
    assert listed(f"service={quote('Data annotation')}&country=PH") == {BRIGHT.name}
    assert listed(f"service={quote('Data annotation')}&q=lumen") == {LUMEN.name}
    assert listed("status=awaiting_submission&country=KE") == set()

    # A GET form: the filtered list is its URL, and the page shows the filters it applied.
    page = client.get(f"/vendors?band={by_band[SAVANNA.name]}&country=Kenya&service={quote(collects)}")
    assert 'method="get" action="/vendors"' in page.text and 'name="country" value="Kenya"' in page.text
    assert f'<option value="{by_band[SAVANNA.name]}" selected>' in page.text
    assert f'<option value="{collects}" selected>' in page.text
    assert re.search(r'<span class="iso iso-\w+" title="Kenya: \w+ band">KE</span>', page.text)


def test_a_reviewer_uploads_several_workbooks_and_sees_each_outcome_or_every_problem(web, folder):
    client, store, _ = web
    add_user(store, "vi@example.org", "viewer")
    rita = _staff(web, "rita@example.org", "reviewer")
    page = rita.get("/upload")
    assert page.status_code == 200 and 'type="file" name="files" multiple' in page.text
    assert 'href="/upload"' in page.text and 'href="/report.xlsx"' in page.text
    csrf = csrf_of(page.text)
    broken = workbook(BRIGHT, folder, broken=True)
    problems = read_problems(broken)
    files = [("files", ("lumen.xlsx", workbook(LUMEN, folder).read_bytes(), "application/octet-stream")),
             ("files", (broken.name, broken.read_bytes(), "application/octet-stream")),
             ("files", ("notes.xlsx", b"not a workbook", "application/octet-stream")),
             ("files", ("huge.xlsx", b"\0" * (20 * MB + 1), "application/octet-stream"))]
    assert rita.post("/upload", data={"csrf_token": "x"}, files=files[:1]).status_code == 403
    assert store.counts()["submission"] == 0

    done = rita.post("/upload", data={"csrf_token": csrf}, files=files)  # over 20 MB in all: a reviewer may
    assert done.status_code == 200
    rows = done.text.split('id="results"', 1)[1].split("<tbody>", 1)[1].split('<tr class="result ')[1:]
    assert [r.split('"', 1)[0] for r in rows] == ["result-ok", "result-bad", "result-bad", "result-bad"]
    lumen = store.vendors.find(LUMEN.name)
    assert f'<a href="/vendors/{lumen.id}">{LUMEN.name}</a>' in rows[0] and "Qualified" in rows[0]
    for p in problems:  # every problem, each with its sheet and cell, in the reader's words
        assert f"<code>{escape(p.cell)}</code>" in rows[1] and str(escape(p.message)) in rows[1]
    assert f"{len(problems)} problems: nothing stored" in rows[1]
    assert str(escape(read_problems(folder / "notes.xlsx", b"not a workbook")[0].message)) in rows[2]
    assert "larger than 20 MB" in rows[3]
    assert store.counts()["submission"] == 1

    again = rita.post("/upload", data={"csrf_token": csrf}, files=files[:1])
    assert "Received before" in again.text and store.counts()["submission"] == 1
    actions = [(e.action, e.subject) for e in store.audit.events() if e.actor == "rita@example.org"]
    assert {("web_intake", "lumen.xlsx"), ("upload_rejected", broken.name), ("upload_rejected", "notes.xlsx"),
            ("upload_refused_too_large", "huge.xlsx")} <= set(actions)
    empty = (b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode()  # as a browser
             + b'\r\n--b\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'  # sends no file
             b"Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n")
    nothing = rita.post("/upload", content=empty, headers={"content-type": "multipart/form-data; boundary=b"})
    assert nothing.status_code == 400 and "Choose one or more workbooks" in nothing.text

    viewer = TestClient(client.app)
    assert sign_in(viewer, "vi@example.org").status_code == 303
    assert viewer.get("/upload").status_code == 403 and 'href="/upload"' not in viewer.get("/").text
    assert viewer.post("/upload", data={"csrf_token": csrf}, files=files[:1]).status_code == 403
    # Only a signed-in reviewer may send more than one file's worth: anyone else is refused before it is read.
    multipart = [(b"content-type", b"multipart/form-data; boundary=xyz"), (b"content-length", b"31457280")]
    assert _asgi_post(client.app, "/upload", multipart, iter([b"\0" * MB] * 30)) == (413, 0)


def read_problems(path: Path, data: bytes | None = None):
    """The reader's own problems with this workbook (or these bytes, read under the file's name)."""
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(path.name, data=data) if data is not None else read_workbook(path)
    return rejected.value.problems


def _temp_folders(monkeypatch, prefix: str) -> list[str]:
    """The temporary folders made with this prefix from now on (the list fills as they are made)."""
    made, real = [], tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        path = real(*args, **kwargs)
        if Path(path).name.startswith(prefix):
            made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    return made


def test_a_viewer_downloads_a_fresh_portfolio_workbook_and_nothing_is_left_behind(web, folder, inputs, monkeypatch):
    seeded = _seed(web, folder, inputs, [LUMEN, BRIGHT])
    client, store, _ = web
    assert client.get("/report.xlsx", follow_redirects=False).status_code == 303  # signed in only
    client = _staff(web, "vi@example.org", "viewer")
    folders = _temp_folders(monkeypatch, "fairsource-report-")
    response = client.get("/report.xlsx")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f'filename="fairsource-portfolio-{dt.date.today().isoformat()}.xlsx"' in response.headers[
        "content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert set(seeded) <= cells
    assert len(folders) == 1 and not Path(folders[0]).exists()  # written, sent, removed
    _seed(web, folder, inputs, [SAVANNA])  # fresh each time: a new vendor is in the next one
    book = openpyxl.load_workbook(io.BytesIO(client.get("/report.xlsx").content), read_only=True)
    assert SAVANNA.name in {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert [e.action for e in store.audit.events() if e.actor == "vi@example.org"].count("report_downloaded") == 2


@pytest.mark.skipif(sow_pdf.libreoffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_sow_downloads_as_pdf_converted_from_the_stored_docx(web, folder, inputs, monkeypatch):
    seeded = _seed(web, folder, inputs, [LUMEN])
    client, store, _ = web
    vid = seeded[LUMEN.name][0]
    sow = store.sows.latest(vid)
    client = _staff(web, "vi@example.org", "viewer")
    page = client.get(f"/vendors/{vid}")
    assert f'href="/vendors/{vid}/sows/{sow.id}.pdf"' in page.text and f'href="/vendors/{vid}/sows/{sow.id}"' in page.text
    folders = _temp_folders(monkeypatch, "fairsource-pdf-")
    pdf = client.get(f"/vendors/{vid}/sows/{sow.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and Path(sow.path).stem in pdf.headers["content-disposition"]
    assert len(folders) == 1 and not Path(folders[0]).exists()
    assert "sow_pdf_downloaded" in {e.action for e in store.audit.events() if e.actor == "vi@example.org"}


def test_without_libreoffice_there_is_no_pdf_link_and_the_pdf_answers_503(web, folder, inputs, monkeypatch):
    seeded = _seed(web, folder, inputs, [LUMEN, BRIGHT])
    client, store, _ = web
    lumen, bright = seeded[LUMEN.name][0], seeded[BRIGHT.name][0]
    sow = store.sows.latest(lumen)
    client = _staff(web, "vi@example.org", "viewer")
    monkeypatch.setattr(sow_pdf, "libreoffice", lambda: None)
    page = client.get(f"/vendors/{lumen}")
    assert f'href="/vendors/{lumen}/sows/{sow.id}"' in page.text and ".pdf" not in page.text
    missing = client.get(f"/vendors/{lumen}/sows/{sow.id}.pdf")
    assert missing.status_code == 503 and "LibreOffice is not installed" in missing.text
    for url in (f"/vendors/{bright}/sows/{sow.id}.pdf", f"/vendors/{lumen}/sows/nope.pdf",
                f"/vendors/{lumen}/sows/..%2F..%2Fetc%2Fpasswd.pdf"):
        assert client.get(url).status_code == 404, url
