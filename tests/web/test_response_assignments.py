"""A vendor's response to a remediation given to a reviewer (TestClient on the real app, the backend under test): a
reviewer assigns the decision from the response's card on the vendor page with a due date, reassigns and
unassigns it (after a confirmation), each step audited with the response's id; My work lists it under Assigned to
me, and the responses nobody has under their own heading, a page at a time, to take; deciding the response ends
the assignment as done, in its transaction; a response set aside (its remediation closed meanwhile) cannot be
assigned; a viewer cannot assign; the daily digest counts the responses waiting unassigned."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from fairsource import accounts
from fairsource.web.audit_words import in_words
from flows import usecases
from flows.usecases import assignments as work
from flows.usecases.work_digest import digest_text, work_digests
from supplier_models import read_workbook
from tests.flows.conftest import smtp_inbox  # noqa: F401  (a fixture: a real SMTP server on 127.0.0.1)
from tests.helpers.web import BRIGHT, add_user, csrf_of, sign_in, web_app, workbook

TODAY = dt.date.today()


def _site(tmp_path, database_url, inputs, **settings):
    """Brightlabel assessed 40 days ago (11 remediations open), its portal link, and rita (reviewer) signed in."""
    app, _ = web_app(tmp_path / "home", database_url, inputs, **settings)
    state = app.state.web
    day = TODAY - dt.timedelta(days=40)
    usecases.intake_one(read_workbook(workbook(BRIGHT, tmp_path)), state.store, state.inputs, day,
                        state.settings.sow_dir, received_on=day)
    _, vendor, token = accounts.create_invite(state.store, BRIGHT.name, "ops@brightlabel.example",
                                              created_by="test", days=30)
    add_user(state.store, "rita@example.org", "reviewer")
    rita = TestClient(app)
    assert sign_in(rita, "rita@example.org").status_code == 303
    return app, rita, state.store, vendor, f"/portal/{token}"


def _respond(app, link: str, code: str) -> str:
    """The vendor says remediation `code` is done, through its portal link: the response's id."""
    client = TestClient(app)
    page = client.get(link)
    sent = client.post(f"{link}/remediations/{code}/respond", follow_redirects=False,
                       data={"csrf_token": csrf_of(page.text), "kind": "done", "text": f"{code} done"})
    assert sent.status_code == 303
    store = app.state.web.store
    [found] = [r for r in store.responses.of_vendor(store.vendors.find(BRIGHT.name).id)
               if r.remediation == code and r.state == "waiting"]
    return found.id


def _assign(client, vendor_id: str, response_id: str, assignee: str, due: dt.date | str, **more):
    csrf = csrf_of(client.get("/work").text)
    return client.post(f"/vendors/{vendor_id}/responses/{response_id}/assignment", follow_redirects=False,
                       data={"csrf_token": csrf, "assignee": assignee, "due_on": str(due), **more})


def _section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def test_a_response_assigned_shows_in_my_work_and_deciding_it_ends_the_assignment(tmp_path, database_url, inputs):
    app, rita, store, vendor, link = _site(tmp_path, database_url, inputs)
    add_user(store, "bo@example.org", "admin")
    rid = _respond(app, link, "R3")
    card = _section(rita.get(f"/vendors/{vendor.id}").text, "responses")
    assert "Nobody is assigned this response yet." in card
    assert f'action="/vendors/{vendor.id}/responses/{rid}/assignment"' in card

    due = TODAY + dt.timedelta(days=3)
    made = _assign(rita, vendor.id, rid, "bo@example.org", due)
    assert made.status_code == 303 and made.headers["location"] == f"/vendors/{vendor.id}?done=response_assigned#responses"
    shown = rita.get(made.headers["location"]).text
    assert "Response assigned." in shown
    assert "Assigned to <strong>bo@example.org</strong>, due" in _section(shown, "responses")
    assert _assign(rita, vendor.id, rid, "rita@example.org", TODAY + dt.timedelta(days=4)).status_code == 303
    assert [(a.assignee, a.ended_how) for a in store.assignments.of_vendor(vendor.id)] == [
        ("rita@example.org", None), ("bo@example.org", "reassigned")]

    mine = _section(rita.get("/work").text, "mine")
    assert f'<a href="/vendors/{vendor.id}#responses">Decide the response to R3</a>' in mine
    assert (TODAY + dt.timedelta(days=4)).isoformat() in mine

    ask = rita.get(f"/vendors/{vendor.id}/responses/{rid}/assignment/unassign")
    assert ask.status_code == 200 and "Unassign this response?" in ask.text and "Keep it assigned" in ask.text
    assert store.assignments.live("response", vendor.id, rid) is not None  # asking changes nothing
    gone = rita.post(f"/vendors/{vendor.id}/responses/{rid}/assignment/unassign",
                     data={"csrf_token": csrf_of(ask.text)})
    assert gone.status_code == 200 and "Response unassigned" in gone.text
    assert store.assignments.live("response", vendor.id, rid) is None

    page = rita.get("/work").text
    waiting = _section(page, "unassigned-responses")
    assert "Decide the response to R3" in waiting and "Nothing is assigned to you." in page
    taken = _assign(rita, vendor.id, rid, "rita@example.org", work.default_due(TODAY), back="work")
    assert taken.headers["location"] == "/work?done=taken_response"
    after = rita.get("/work?done=taken_response").text
    assert "The response is yours to decide" in after and "No response waits unassigned." in after
    assert "Decide the response to R3" in _section(after, "mine")

    page = rita.get(f"/vendors/{vendor.id}").text
    decided = rita.post(f"/vendors/{vendor.id}/responses/{rid}", data={
        "csrf_token": csrf_of(page), "decision": "accept", "reason": "Pilot report read"})
    assert decided.status_code == 200 and "Response accepted." in decided.text
    ended = store.assignments.of_vendor(vendor.id)[0]
    assert (ended.assignee, ended.ended_how, ended.ended_by, ended.live_key) == ("rita@example.org", "done", None, None)
    assert "Nothing is assigned to you." in rita.get("/work").text

    events = [e for e in store.audit.events(vendor.id) if e.action.startswith("work_")]
    assert [(e.action, e.actor, e.subject) for e in events] == [
        ("work_done", None, "rita@example.org"), ("work_assigned", "rita@example.org", "rita@example.org"),
        ("work_unassigned", "rita@example.org", "rita@example.org"),
        ("work_reassigned", "rita@example.org", "rita@example.org"),
        ("work_assigned", "rita@example.org", "bo@example.org")]
    assert all(e.detail["kind"] == "response" and e.detail["ref_id"] == rid for e in events)
    assert all(in_words(e.action) != e.action for e in events)
    refused = _assign(rita, vendor.id, rid, "rita@example.org", TODAY)  # decided: nothing to assign
    assert refused.status_code == 400 and "was accepted already by rita@example.org" in refused.text


def test_a_response_set_aside_cannot_be_assigned_nor_waits_on_my_work(tmp_path, database_url, inputs):
    """R3 closed by hand while the vendor's "done" waits: the response cannot be given to anyone, and the one
    who had it sees on My work that it was set aside, with the way to unassign it."""
    app, rita, store, vendor, link = _site(tmp_path, database_url, inputs)
    rid = _respond(app, link, "R3")
    other = _respond(app, link, "R6")
    assert "Decide the response to R3" in _section(rita.get("/work").text, "unassigned-responses")
    assert _assign(rita, vendor.id, other, "rita@example.org", TODAY).status_code == 303
    usecases.close_remediation(store, vendor.id, "R3", evidence="Read at the site visit",
                               reviewer="rita@example.org", as_of=TODAY)
    usecases.close_remediation(store, vendor.id, "R6", evidence="Trainer's invoice seen",
                               reviewer="rita@example.org", as_of=TODAY)
    mine = _section(rita.get("/work").text, "mine")
    assert "Set aside: R6 was closed meanwhile, nothing to decide." in mine and "Decide the response" not in mine
    unassign = f"/vendors/{vendor.id}/responses/{other}/assignment/unassign"
    assert f'href="{unassign}"' in mine
    ask = rita.get(unassign)
    assert "Unassign this response?" in ask.text
    gone = rita.post(unassign, data={"csrf_token": csrf_of(ask.text)})
    assert gone.status_code == 200 and "Response unassigned" in gone.text
    assert "Nothing is assigned to you." in rita.get("/work").text

    refused = _assign(rita, vendor.id, rid, "rita@example.org", TODAY)
    assert refused.status_code == 400
    assert "R3 was closed meanwhile: the response is set aside, with nothing left to decide or assign" in refused.text
    assert 'href="/vendors"' in refused.text  # the vendor page again, its way back
    assert store.assignments.live("response", vendor.id, rid) is None
    assert store.assignments.assign("response", vendor.id, rid, assignee="rita@example.org", due_on=TODAY,
                                    by="rita@example.org") is None  # the store's own condition, in SQL
    page = rita.get("/work").text
    assert "No response waits unassigned." in page
    assert '<span class="count">0</span>' in page.split('id="unassigned-responses"', 1)[1].split("</h2>", 1)[0]


def test_a_viewer_sees_who_has_the_response_but_cannot_assign_it(tmp_path, database_url, inputs):
    app, rita, store, vendor, link = _site(tmp_path, database_url, inputs)
    rid = _respond(app, link, "R3")
    store.assignments.assign("response", vendor.id, rid, assignee="rita@example.org", due_on=TODAY,
                             by="rita@example.org")
    add_user(store, "vi@example.org", "viewer")
    viewer = TestClient(app)
    assert sign_in(viewer, "vi@example.org").status_code == 303
    page = viewer.get(f"/vendors/{vendor.id}").text
    assert "Assigned to <strong>rita@example.org</strong>" in _section(page, "responses")
    assert 'name="assignee"' not in page and "Unassign" not in page
    csrf = csrf_of(page)
    for path in (f"/vendors/{vendor.id}/responses/{rid}/assignment",
                 f"/vendors/{vendor.id}/responses/{rid}/assignment/unassign"):
        answer = viewer.post(path, data={"csrf_token": csrf, "assignee": "vi@example.org", "due_on": str(TODAY)})
        assert answer.status_code == 403, path
    assert viewer.get(f"/vendors/{vendor.id}/responses/{rid}/assignment/unassign").status_code == 403
    assert store.assignments.live("response", vendor.id, rid).assignee == "rita@example.org"
    viewer_made = _assign(rita, vendor.id, rid, "vi@example.org", TODAY)  # nor be given one
    assert viewer_made.status_code == 400 and "only enabled reviewers and admins can" in viewer_made.text


def test_responses_waiting_unassigned_are_paged_longest_waiting_first_and_counted_in_the_digest(
        tmp_path, database_url, inputs):
    app, rita, store, vendor, link = _site(tmp_path, database_url, inputs)
    ids = [_respond(app, link, code) for code in ("R3", "R6", "R7", "R1", "R2")]
    store.assignments.assign("response", vendor.id, ids[1], assignee="rita@example.org", due_on=TODAY,
                             by="rita@example.org")
    expected = [r.id for r in sorted(store.responses.of_vendor(vendor.id), key=lambda r: (r.sent_at, r.id))
                if r.id != ids[1]]
    seen, cursor = [], None
    while True:
        page = work.unassigned_responses_page(store, cursor, limit=2)
        seen += [r.response_id for r in page.responses]
        if page.cursor is None:
            break
        cursor = page.cursor
    assert seen == expected and len(seen) == 4
    assert store.assignments.count_unassigned_responses() == 4
    html = rita.get("/work").text
    listed = re.findall(r"Decide the response to (R\d+)</a> <span", _section(html, "unassigned-responses"))
    assert listed == ["R3", "R7", "R1", "R2"]
    assert rita.get("/work?rcursor=not-a-cursor").status_code == 200  # a hand-made URL: the first page

    reviews = store.assignments.count_unassigned_reviews()
    [digest] = work_digests(store, TODAY)
    assert digest.to == "rita@example.org" and digest.unassigned == reviews + 4 and digest.responses == 4
    text = digest_text(digest, "https://fs.example")
    assert "and 4 responses to decide" in text
    assert f"- {BRIGHT.name}: decide the response to R6 due {TODAY.isoformat()}: " \
           f"https://fs.example/vendors/{vendor.id}#responses" in text


def test_assigning_a_response_while_it_is_decided_leaves_no_live_assignment_on_a_decided_response(
        tmp_path, database_url, inputs):
    """An assignment and the decision at once, several times: whichever comes first, the decided response has no
    live assignment (the assignment waits for the decision, or the decision ends it)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    app, _, store, vendor, link = _site(tmp_path, database_url, inputs)
    codes = ["R1", "R2", "R3", "R6", "R7"]
    ids = [_respond(app, link, code) for code in codes]
    for rid in ids:
        response = store.responses.get(vendor.id, rid)
        start = Barrier(2)

        def assign(rid=rid, start=start):
            start.wait()
            return store.assignments.assign("response", vendor.id, rid, assignee="rita@example.org",
                                            due_on=TODAY, by="rita@example.org")

        def decide(response=response, start=start):
            start.wait()
            return store.responses.decide(response, accepted=False, by="rita@example.org", reason="not yet",
                                          on=TODAY, now=accounts.now())

        with ThreadPoolExecutor(2) as pool:
            made, decided = pool.submit(assign), pool.submit(decide)
            assert decided.result() is True
            made = made.result()
        assert store.responses.get(vendor.id, rid).state == "rejected"
        assert store.assignments.live("response", vendor.id, rid) is None
        if made is not None:  # assigned first: ended by the decision, as done
            assert [a.ended_how for a in store.assignments.of_vendor(vendor.id) if a.ref_id == rid] == ["done"]


def test_the_assignee_of_a_response_is_told_by_mail(tmp_path, database_url, inputs, smtp_inbox):  # noqa: F811
    inbox, url = smtp_inbox
    app, rita, store, vendor, link = _site(tmp_path, database_url, inputs, smtp_url=url,
                                           web_base_url="https://fs.example")
    add_user(store, "bo@example.org", "reviewer")
    rid = _respond(app, link, "R3")
    inbox.messages.clear()  # the vendor's response told to the staff
    due = TODAY + dt.timedelta(days=2)
    made = _assign(rita, vendor.id, rid, "bo@example.org", due)
    assert made.headers["location"] == f"/vendors/{vendor.id}?done=response_assigned_mailed#responses"
    [(to, mail)] = inbox.messages
    assert to == ["bo@example.org"] and mail["Reply-To"] == "rita@example.org"
    assert mail["Subject"] == f"Decision on the response to R3 of {BRIGHT.name} assigned to you, due {due}"
    assert f"https://fs.example/vendors/{vendor.id}#responses" in mail.get_content()
    [event] = [e for e in store.audit.events(vendor.id) if e.action == "work_assignment_mailed"]
    assert event.detail["kind"] == "response" and event.detail["ref_id"] == rid
