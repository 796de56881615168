"""Remediation responses, both sides, through the web app on a real store (TestClient): the vendor marks a
remediation done with words and a file, or asks for a new due date with a reason; a reviewer accepts or rejects it
with a reason; an accepted "done" closes the remediation with the vendor's evidence, an accepted date moves the
due date and the vendor's state row (its overdue count) with it, a rejection leaves it open. Each step audited,
and each told to the other side by mail, read back from a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from fairsource import accounts
from flows import usecases
from flows.usecases.vendor_list import rows_for_the_day
from supplier_models import Settings, read_workbook
from tests.flows.conftest import smtp_inbox  # noqa: F401  (a fixture: a real SMTP server on 127.0.0.1)
from tests.helpers import evidence_files as files
from tests.helpers.web import BRIGHT, add_user, csrf_of, sign_in, web_app, workbook

DAYS_AGO = 40  # Brightlabel's R6 and R7 fall due 30 days after its assessment: overdue today


def _site(tmp_path, database_url, inputs, **settings):
    app, config = web_app(tmp_path / "home", database_url, inputs, owner_email="owner@buyer.example",
                          organisation="Acme Data", **settings)
    state = app.state.web
    day = dt.date.today() - dt.timedelta(days=DAYS_AGO)
    usecases.intake_one(read_workbook(workbook(BRIGHT, tmp_path)), state.store, state.inputs, day, config.sow_dir,
                        received_on=day)
    _, vendor, token = accounts.create_invite(state.store, BRIGHT.name, "ops@brightlabel.example",
                                              created_by="test", days=30)
    add_user(state.store, "rita@example.org", "reviewer")
    staff = TestClient(app)
    assert sign_in(staff, "rita@example.org").status_code == 303
    return TestClient(app), staff, state.store, vendor, f"/portal/{token}"


def _respond(client, link, code, **fields):
    page = client.get(link)
    sent = fields.pop("files", [])
    return client.post(f"{link}/remediations/{code}/respond", data={"csrf_token": csrf_of(page.text), **fields},
                       files=[("files", f) for f in sent] or None, follow_redirects=False)


def _decide(staff, vendor, response_id, decision, reason=""):
    page = staff.get(f"/vendors/{vendor.id}")
    return staff.post(f"/vendors/{vendor.id}/responses/{response_id}",
                      data={"csrf_token": csrf_of(page.text), "decision": decision, "reason": reason})


def test_done_with_evidence_is_accepted_and_closes_the_remediation_both_told(tmp_path, database_url, inputs,
                                                                             smtp_inbox):  # noqa: F811
    inbox, url = smtp_inbox
    vendor_client, staff, store, vendor, link = _site(tmp_path, database_url, inputs, smtp_url=url)
    sent = _respond(vendor_client, link, "R3", kind="done", text="Pilot run with 12 workers, report attached",
                    files=[("pilot-report.pdf", files.PDF)])
    assert sent.status_code == 303 and sent.headers["location"].endswith("?responded=R3#remediations")
    page = vendor_client.get(sent.headers["location"])
    assert "your response to R3 was sent" in page.text and "waits for a reviewer" in page.text
    [report] = store.evidence.of_vendor(vendor.id)
    assert report.remediation == "R3" and report.name == "pilot-report.pdf"
    again = _respond(vendor_client, link, "R3", kind="done", text="again")
    assert again.status_code == 422 and "A response to R3 already waits for a reviewer." in again.text

    [(to, mail)] = inbox.messages  # to the staff: the vendor's owner (none) and the owner e-mail
    assert to == ["owner@buyer.example"]
    assert mail["Subject"] == f"Acme Data: {BRIGHT.name}: {BRIGHT.name} says remediation R3 is done"
    assert "Evidence: Pilot run with 12 workers, report attached" in mail.get_content()
    assert "Files: pilot-report.pdf" in mail.get_content()

    page = staff.get(f"/vendors/{vendor.id}")
    assert "Responses waiting" in page.text and "R3: the vendor says it is done" in page.text
    [response] = store.responses.of_vendor(vendor.id)
    no_reason = _decide(staff, vendor, response.id, "reject")
    assert no_reason.status_code == 400 and "Give the reason for rejecting the response" in no_reason.text
    accepted = _decide(staff, vendor, response.id, "accept", "Report read: pilot done")
    assert accepted.status_code == 200 and "Response accepted." in accepted.text
    r3 = store.remediations.get(vendor.id, "R3")
    assert r3.state == "done" and r3.closed_by == "rita@example.org" and r3.closed_how == "evidence"
    assert r3.evidence == "Pilot run with 12 workers, report attached. Files: pilot-report.pdf. Sent by the vendor."
    assert store.states.all()[vendor.id]["open_remediations"] == 10  # of 11, R3 closed: the state row kept
    twice = _decide(staff, vendor, response.id, "accept", "twice")
    assert twice.status_code == 400 and "was accepted already by rita@example.org" in twice.text
    assert store.responses.get(vendor.id, response.id).state == "accepted"

    (to, told) = inbox.messages[-1]
    assert to == ["ops@brightlabel.example"] and told["Reply-To"] == "rita@example.org"
    assert "Your response that remediation R3 is done was accepted: the remediation is closed." in told.get_content()
    assert "Reason: Report read: pilot done" in told.get_content()
    actions = [e.action for e in store.audit.events(vendor.id)]
    assert {"remediation_response_done", "evidence_added", "remediation_response_accepted",
            "remediation_closed"} <= set(actions)
    kinds = {kind for _, kind, _ in store.notices.sent(vendor_ids=[vendor.id])}
    assert {"remediation_response", "response_decided"} <= kinds
    assert "R3" not in [r.id for r in usecases.status_of(store, inputs.review_policy, vendor.id,
                                                          dt.date.today()).open_remediations]


def test_a_new_date_accepted_moves_the_due_date_and_the_overdue_count(tmp_path, database_url, inputs):
    vendor_client, staff, store, vendor, link = _site(tmp_path, database_url, inputs)
    rows_for_the_day(store, Settings(), dt.date.today())  # the row of 40 days ago, brought to today
    row = store.states.all()[vendor.id]
    assert row["overdue_remediations"] == 2  # R6, R7
    r6 = store.remediations.get(vendor.id, "R6")
    early = _respond(vendor_client, link, "R6", kind="new_date", text="Training booked", due_date=str(r6.due_date))
    assert early.status_code == 422 and "must be after the current one" in early.text
    no_reason = _respond(vendor_client, link, "R6", kind="new_date", due_date="2027-01-15")
    assert no_reason.status_code == 422 and "Give the reason for a new due date." in no_reason.text
    assert 'value="2027-01-15"' in no_reason.text  # what was typed comes back
    asked = _respond(vendor_client, link, "R6", kind="new_date", text="Trainer booked for January",
                     due_date="2027-01-15")
    assert asked.status_code == 303
    [response] = store.responses.of_vendor(vendor.id)
    assert "asks for a new due date, 2027-01-15" in staff.get(f"/vendors/{vendor.id}").text
    accepted = _decide(staff, vendor, response.id, "accept", "Fine")
    assert accepted.status_code == 200
    assert store.remediations.get(vendor.id, "R6").due_date == dt.date(2027, 1, 15)
    row = store.states.all()[vendor.id]  # kept with the accepted date, in its transaction
    assert row["overdue_remediations"] == 1 and row["open_remediations"] == 11 and row["state_on"] == dt.date.today()
    assert "new date 2027-01-15 — <strong>accepted</strong>" in vendor_client.get(link).text


def test_a_rejected_response_leaves_the_remediation_open_and_the_vendor_may_respond_again(tmp_path, database_url,
                                                                                       inputs):
    vendor_client, staff, store, vendor, link = _site(tmp_path, database_url, inputs)
    _respond(vendor_client, link, "R7", kind="done", text="We talk to workers")
    [response] = store.responses.of_vendor(vendor.id)
    rejected = _decide(staff, vendor, response.id, "reject", "Send the channel's minutes")
    assert rejected.status_code == 200 and "Response rejected." in rejected.text
    assert store.remediations.get(vendor.id, "R7").state == "open"
    page = vendor_client.get(link)
    assert "rejected" in page.text and "Send the channel&#39;s minutes" in page.text
    assert "Respond to R7" in page.text  # again
    refused = _respond(vendor_client, link, "R7", kind="done", text="minutes", files=[("minutes.pdf", files.EXE)])
    assert refused.status_code == 422 and "minutes.pdf: the file is a Windows program" in refused.text
    assert store.evidence.blobs() == 0 and len(store.responses.of_vendor(vendor.id)) == 1
    assert [e.action for e in store.audit.events(vendor.id)][:2] == ["evidence_refused",
                                                                     "remediation_response_rejected"]
    big = [(f"minutes-{n}.pdf", files.PDF + bytes([n]) * (12 * files.MB)) for n in (1, 2)]  # 24 MB together
    sent = _respond(vendor_client, link, "R7", kind="done", text="Minutes of both meetings", files=big)
    assert sent.status_code == 303 and store.evidence.blobs() == 2
    assert sorted(r.name for r in store.evidence.of_vendor(vendor.id)) == ["minutes-1.pdf", "minutes-2.pdf"]


def test_a_response_to_a_remediation_closed_meanwhile_is_set_aside_not_decided(tmp_path, database_url, inputs):
    """The reviewer closes R3 by hand (or a new submission closes it) while the vendor's "done" waits: the
    response no longer waits on either side, and accepting it is refused with the reason; R3 keeps the closing
    it was given."""
    vendor_client, staff, store, vendor, link = _site(tmp_path, database_url, inputs)
    assert _respond(vendor_client, link, "R3", kind="done", text="Pilot done").status_code == 303
    [response] = store.responses.of_vendor(vendor.id)
    usecases.close_remediation(store, vendor.id, "R3", evidence="Pilot report read at the site visit",
                               reviewer="rita@example.org", as_of=dt.date.today())
    page = staff.get(f"/vendors/{vendor.id}")
    assert "Responses waiting" not in page.text and "set aside: R3 was closed meanwhile" in page.text
    refused = _decide(staff, vendor, response.id, "accept", "ok")
    assert refused.status_code == 400 and "R3 was closed meanwhile" in refused.text
    assert store.responses.get(vendor.id, response.id).state == "waiting"  # nothing written by the refusal
    assert store.remediations.get(vendor.id, "R3").evidence == "Pilot report read at the site visit"
    assert "set aside</strong>: R3 was closed meanwhile" in vendor_client.get(link).text
