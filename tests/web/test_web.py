"""The web app through its HTTP interface (FastAPI's TestClient), on the backend under test: sign-in,
CSRF, roles, the vendor portal and its isolation, uploads, escaping, the API and the audit log."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from typer.testing import CliRunner

from fairsource import accounts
from fairsource.cli import app as cli
from supplier_models import WorkbookRejected, read_workbook
from supplier_models.workbooks.examples import EXAMPLES, write_example
from tests.helpers.rde2 import answer_new_questions
from tests.helpers.web import (
    BRIGHT,
    LUMEN,
    PASSWORD,
    add_user,
    api_token,
    asgi_post,
    csrf_of,
    portal_link,
    post_intake,
    sign_in,
    staff_client,
    web_app,
    workbook,
)

MB = 1024 * 1024


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
    vendor, _ = portal_link(store, LUMEN.name)
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
    token = api_token(store, "rev@example.org", "reviewer")
    outcome = post_intake(client, token, workbook(BRIGHT, folder)).json()
    client = staff_client(web, "vi@example.org", "viewer")
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
    viewer_api = api_token(store, "vi2@example.org", "viewer")
    assert post_intake(client, viewer_api, workbook(LUMEN, folder)).status_code == 403


def test_a_portal_link_sees_its_own_vendor_and_nothing_else(web, folder):
    client, store, _ = web
    lumen, lumen_link = portal_link(store, LUMEN.name)
    bright, bright_link = portal_link(store, BRIGHT.name)
    staff = api_token(store, "rev@example.org", "reviewer")
    assert post_intake(client, staff, workbook(BRIGHT, folder)).status_code == 200

    page = client.get(lumen_link)
    assert page.status_code == 200 and LUMEN.name in page.text and BRIGHT.name not in page.text
    # Another vendor's workbook through this link: refused, nothing stored for either.
    before = store.counts()
    with open(workbook(BRIGHT, folder), "rb") as f:
        refused = client.post(f"{lumen_link}/upload", data={"csrf_token": csrf_of(page.text)},
                              files={"file": ("b.xlsx", f)})
    assert refused.status_code == 403 and "issued to another vendor" in refused.text
    vendor_token = {"Authorization": f"Bearer {lumen_link.rsplit('/', 1)[1]}"}
    assert post_intake(client, vendor_token, workbook(BRIGHT, folder)).status_code == 403
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
    _, link = portal_link(store, LUMEN.name)
    blank = client.get(f"{link}/form.xlsx")
    assert blank.status_code == 200 and blank.headers["content-type"].startswith("application/vnd.openxml")
    with pytest.raises(WorkbookRejected):  # a blank form is the vendor's own, not yet answered
        read_workbook("blank.xlsx", data=blank.content)
    page = client.get(link)
    with open(workbook(LUMEN, folder), "rb") as f:
        done = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)}, files={"file": ("l.xlsx", f)},
                           follow_redirects=False)
    assert done.status_code == 303
    prefilled = client.get(f"{link}/form.xlsx").content
    original = read_workbook(workbook(LUMEN, folder))
    banner = openpyxl.load_workbook(io.BytesIO(prefilled))["Instructions"]["A1"].value
    assert banner.startswith(f"Pre-filled from your answers of {dt.date.today().isoformat()}")  # dated, as received
    # Lumen answered RDE-1; the form is RDE-2's: its answers carried over, the questions RDE-2 adds to answer
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook("again.xlsx", data=prefilled)
    assert [p.question for p in rejected.value.problems] == ["PAY-08", "WORK-06", "COMM-06", "RESP-03", "RESP-04"]
    (folder / "again.xlsx").write_bytes(prefilled)
    again = read_workbook(answer_new_questions(folder / "again.xlsx"))
    assert again.vendor_name == LUMEN.name and again.questionnaire_id == "RDE-2"
    assert {k: v for k, v in again.answers.items() if k in original.answers} == original.answers
    assert again.countries == original.countries


def test_the_portal_form_marks_the_answers_a_remediation_closed_with_evidence_stands_on(web, folder):
    """The vendor's own download of its pre-filled form is the re-attestation form requalify sends: a line under
    the banner and a green, commented answer for each remediation closed with evidence."""
    from flows import usecases

    client, store, _ = web
    vendor, link = portal_link(store, BRIGHT.name)
    page = client.get(link)
    with open(workbook(BRIGHT, folder), "rb") as f:
        client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)}, files={"file": ("b.xlsx", f)})
    pilot = next(r.code for r in store.remediations.all(vendor.id) if r.question == "PILOT-01")
    usecases.close_remediation(store, vendor.id, pilot, evidence="Pilot report", reviewer="Ana Lima")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{link}/form.xlsx").content))
    assert book["Instructions"]["A2"].value.startswith("Your last answers were to RDE-1 v1.0.0")  # RDE-2's form
    assert book["Instructions"]["A3"].value.startswith(f"{pilot} closed on {dt.date.today().isoformat()} with evidence")
    answer = next(row[4] for row in book["Questionnaire"].iter_rows(min_row=2) if row[0].value == "PILOT-01")
    assert answer.value == "Yes" and answer.comment.text.startswith(f"{pilot} closed on")


def test_a_broken_workbook_is_refused_with_every_problem_at_its_cell(web, folder):
    client, store, _ = web
    _, link = portal_link(store, BRIGHT.name)
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

    api = post_intake(client, api_token(store, "rev@example.org", "reviewer"), broken)
    assert api.status_code == 422 and api.json() == expected.value.as_json()
    assert store.counts()["submission"] == 0

    with open(workbook(BRIGHT, folder), "rb") as f:  # fixed: received and assessed
        fixed = client.post(f"{link}/upload", data={"csrf_token": csrf_of(page.text)},
                            files={"file": ("fixed.xlsx", f)})
    assert fixed.status_code == 200 and "Your outcome" in fixed.text and "conditional" in fixed.text
    assert "R1" in fixed.text  # its open remediations


def test_an_upload_over_20_mb_is_refused_before_it_is_read_whole(web):
    client, store, _ = web
    _, link = portal_link(store, LUMEN.name)
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
    status, read = asgi_post(app, f"/portal/{token}/upload", [*multipart, (b"content-length", b"31457280")],
                              body(30))
    assert (status, read) == (413, 0)
    # Streamed without a length: refused as soon as it passes the limit, the rest never read.
    status, read = asgi_post(app, f"/portal/{token}/upload", multipart, body(30))
    assert status == 413 and read <= 22
    status, read = asgi_post(app, "/api/intake", [*multipart, (b"authorization", b"Bearer " + token.encode())],
                              body(30))
    assert status == 413 and read <= 22
    # Just over 20 MB in the file itself (the envelope fits): refused by the capped read.
    staff = api_token(store, "rev@example.org", "reviewer")
    over = client.post("/api/intake", headers=staff, files={"file": ("big.xlsx", b"\0" * (20 * MB + 1))})
    assert over.status_code == 413 and "larger than 20 MB" in over.json()["errors"][0]["message"]
    assert store.counts()["submission"] == 0


def test_vendor_text_is_shown_as_text_everywhere(web, folder):
    client, store, _ = web
    hostile = "<script>alert(1)</script> {{ 7*7 }} Ltd"
    vendor = EXAMPLES[1].model_copy(update={"name": hostile})
    path = write_example(vendor, folder)
    result = post_intake(client, api_token(store, "rev@example.org", "reviewer"), path)
    assert result.status_code == 200 and result.json()["vendor"] == hostile
    _, link = portal_link(store, hostile)
    client = staff_client(web)
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
    staff = api_token(store, "rev@example.org", "reviewer")
    assert client.post("/api/intake", files={"file": ("x.xlsx", b"x")}).status_code == 401
    path = workbook(LUMEN, folder)
    response = post_intake(client, staff, path)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"vendor", "vendor_id", "assessment_id", "decision", "score", "principles", "knockouts",
                         "geo", "remediations", "valid_until", "sow", "rubric_version", "country_data_version",
                         "questionnaire", "reasons", "flags", "file", "duplicate"}
    assert body["vendor"] == LUMEN.name and body["decision"] == "qualified" and body["duplicate"] is False
    assert post_intake(client, staff, path).json()["duplicate"] is True  # the same file: stored once

    vendors = client.get("/api/vendors", headers=staff).json()
    assert [(v["vendor"], v["status"]) for v in vendors] == [(LUMEN.name, "qualified")]
    detail = client.get(f"/api/vendors/{body['vendor_id']}", headers=staff).json()
    assert detail["status"]["decision"] == "qualified" and len(detail["assessments"]) == 1
    points = detail["latest_decision"]["explanation"]
    assert points and {"question", "answer", "rule", "source", "points"} <= set(points[0])
    assert client.get("/api/vendors/nope", headers=staff).status_code == 404
    history = client.get(f"/api/vendors/{body['vendor_id']}/assessments", headers=staff)
    assert history.status_code == 200 and history.json() == detail["assessments"]
    assert history.json()[0]["assessment_id"] == body["assessment_id"]
    assert history.json()[0]["country_data_version"] == body["country_data_version"]
    assert client.get("/api/vendors/nope/assessments", headers=staff).status_code == 404
    assert "/api/intake" in client.get("/openapi.json", headers=staff).json()["paths"]


def test_a_reviewer_approves_and_closes_a_remediation_each_action_audited_with_the_user(web, folder):
    client, store, _ = web
    outcome = post_intake(client, api_token(store, "rev@example.org", "reviewer"), workbook(BRIGHT, folder)).json()
    vid = outcome["vendor_id"]
    client = staff_client(web, "rita@example.org", "reviewer")
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
    token = api_token(store, "rev@example.org", "reviewer")
    lumen = post_intake(client, token, workbook(LUMEN, folder)).json()
    bright = post_intake(client, token, workbook(BRIGHT, folder)).json()
    client = staff_client(web, "vi@example.org", "viewer")
    lumen_sow = store.sows.latest(lumen["vendor_id"])
    assert client.get(f"/vendors/{lumen['vendor_id']}/sows/{lumen_sow.id}").status_code == 200
    for url in (f"/vendors/{bright['vendor_id']}/sows/{lumen_sow.id}",  # another vendor's SOW
                f"/vendors/{lumen['vendor_id']}/sows/..%2F..%2F..%2Fetc%2Fpasswd",
                f"/vendors/{lumen['vendor_id']}/sows/{lumen_sow.path}",
                f"/vendors/{lumen['vendor_id']}/sows/nope"):
        assert client.get(url).status_code == 404, url


def test_admins_invite_vendors_and_add_users_from_the_pages(web):
    client = staff_client(web, "ana@example.org", "admin")
    _, store, settings = web
    page = client.get("/vendors")
    made = client.post("/vendors/invite", data={"csrf_token": csrf_of(page.text), "name": "Nova Labels SA",
                                                 "contact": "ops@nova.example"})
    assert made.status_code == 200  # the page that shows the link once, reached by a redirect
    link = made.text.split("http://testserver", 1)[1].split('"', 1)[0]  # the address the request came to
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
