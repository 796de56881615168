"""Reviews given to people (TestClient on the real app, the backend under test): a reviewer assigns a vendor's
review waiting from its page with a due date, the assignee is told by e-mail (read back from a real SMTP server on
127.0.0.1), reassigns and unassigns (after a confirmation), each step audited in words; a viewer cannot; My work
lists what is assigned to me soonest due first (so the overdue first) and what waits unassigned a page at a time;
the assignment ends with the review, in its transaction; the daily digest reaches each reviewer who wants it, once
a day."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.requalify import seed  # noqa: E402  (bulk-inserted vendors, as the benchmarks seed them)
from fairsource.web.audit_words import in_words  # noqa: E402
from flows import usecases  # noqa: E402
from flows.usecases.vendor_list import rows_for_the_day  # noqa: E402
from flows.usecases.work_digest import send_work_digests  # noqa: E402
from scoring.lifecycle import load_review_policy  # noqa: E402
from tests.flows.conftest import smtp_inbox  # noqa: E402, F401  (a fixture: a real SMTP server on 127.0.0.1)
from tests.helpers.web import BRIGHT, add_user, api_token, csrf_of, post_intake, sign_in, web_app, workbook  # noqa: E402

TODAY = dt.date.today()


def _signed_in(app, email: str, role: str) -> TestClient:
    add_user(app.state.web.store, email, role)
    client = TestClient(app)
    assert sign_in(client, email).status_code == 303
    return client


def _waiting_vendor(app, folder) -> str:
    """A vendor whose decision waits for a review (BRIGHT, through the real intake): its id."""
    token = api_token(app.state.web.store, "intake@example.org", "reviewer")
    outcome = post_intake(TestClient(app), token, workbook(BRIGHT, folder)).json()
    return outcome["vendor_id"]


def _assign(client, vendor_id: str, assignee: str, due: dt.date | str, **more):
    csrf = csrf_of(client.get("/work").text)
    return client.post(f"/vendors/{vendor_id}/assignment", follow_redirects=False,
                       data={"csrf_token": csrf, "assignee": assignee, "due_on": str(due), **more})


def test_a_reviewer_assigns_reassigns_and_unassigns_a_review_the_assignee_told_by_mail(tmp_path, database_url,
                                                                                     smtp_inbox):  # noqa: F811
    inbox, url = smtp_inbox
    app, _ = web_app(tmp_path / "home", database_url, smtp_url=url, web_base_url="https://fs.example")
    store = app.state.web.store
    vid = _waiting_vendor(app, tmp_path)
    rita = _signed_in(app, "rita@example.org", "reviewer")
    add_user(store, "bo@example.org", "admin")
    add_user(store, "vi@example.org", "viewer")

    page = rita.get(f"/vendors/{vid}").text
    assert "Nobody is assigned this review yet." in page
    assert re.findall(r'<option value="([^"]+)"', page.split('name="assignee"')[1].split("</select>")[0]) == [
        "bo@example.org", "intake@example.org", "rita@example.org"]  # reviewers and admins: never a viewer

    due = TODAY + dt.timedelta(days=3)
    made = _assign(rita, vid, "bo@example.org", due)
    assert made.status_code == 303 and made.headers["location"] == f"/vendors/{vid}?done=assigned_mailed"
    shown = rita.get(made.headers["location"]).text
    assert "Review assigned; the assignee was told by e-mail." in shown
    assert "Assigned to <strong>bo@example.org</strong>, due" in shown and due.isoformat() in shown
    [(to, mail)] = inbox.messages
    assert to == ["bo@example.org"] and mail["Reply-To"] == "rita@example.org"
    assert mail["Subject"] == f"Review of {BRIGHT.name} assigned to you, due {due.isoformat()}"
    body = mail.get_content()
    assert f"rita@example.org assigned you the review of {BRIGHT.name}, due {due}" in body
    assert f"https://fs.example/vendors/{vid}" in body

    later = TODAY + dt.timedelta(days=9)
    assert _assign(rita, vid, "rita@example.org", later).status_code == 303  # reassigned, to herself: no mail
    assert len(inbox.messages) == 1
    live = store.assignments.live("review", vid)
    assert (live.assignee, live.due_on, live.assigned_by) == ("rita@example.org", later, "rita@example.org")
    assert [(a.assignee, a.ended_how) for a in store.assignments.of_vendor(vid)] == [
        ("rita@example.org", None), ("bo@example.org", "reassigned")]  # who had it stays known

    refused = _assign(rita, vid, "vi@example.org", later)  # a viewer cannot be given a review
    assert refused.status_code == 400 and "only enabled reviewers and admins can" in refused.text
    past = _assign(rita, vid, "bo@example.org", TODAY - dt.timedelta(days=1))
    assert past.status_code == 400 and "has passed: give today or a later day" in past.text
    assert store.assignments.live("review", vid).assignee == "rita@example.org"  # nothing changed

    ask = rita.get(f"/vendors/{vid}/assignment/unassign")
    assert ask.status_code == 200 and "Unassign this review?" in ask.text and "Keep it assigned" in ask.text
    assert store.assignments.live("review", vid) is not None  # asking changes nothing
    gone = rita.post(f"/vendors/{vid}/assignment/unassign", data={"csrf_token": csrf_of(ask.text)})
    assert gone.status_code == 200 and "Review unassigned" in gone.text
    assert store.assignments.live("review", vid) is None

    actions = [(e.action, e.actor, e.subject) for e in store.audit.events(vid) if e.action.startswith("work_")]
    assert actions == [("work_unassigned", "rita@example.org", "rita@example.org"),
                       ("work_reassigned", "rita@example.org", "rita@example.org"),
                       ("work_assignment_mailed", "rita@example.org", "bo@example.org"),
                       ("work_assigned", "rita@example.org", "bo@example.org")]
    assert all(in_words(a) != a for a, _, _ in actions)


def test_a_viewer_sees_who_has_the_review_but_cannot_assign_it_nor_open_my_work(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    vid = _waiting_vendor(app, tmp_path)
    add_user(store, "rita@example.org", "reviewer")
    store.assignments.assign("review", vid, None, assignee="rita@example.org", due_on=TODAY, by="rita@example.org")
    viewer = _signed_in(app, "vi@example.org", "viewer")
    page = viewer.get(f"/vendors/{vid}").text
    assert "Assigned to <strong>rita@example.org</strong>" in page
    assert 'name="assignee"' not in page and "Unassign" not in page and 'href="/work"' not in page
    csrf = csrf_of(page)
    for path in (f"/vendors/{vid}/assignment", f"/vendors/{vid}/assignment/unassign", "/work/digest"):
        answer = viewer.post(path, data={"csrf_token": csrf, "assignee": "vi@example.org", "due_on": str(TODAY)})
        assert answer.status_code == 403, path
    assert viewer.get("/work").status_code == 403
    assert store.assignments.live("review", vid).assignee == "rita@example.org"


def _mine(html: str) -> list[tuple[str, str]]:
    section = html.split('id="mine"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<td class="nowrap[^"]*">(\d{4}-\d\d-\d\d)(?: \(overdue\))?</td>\s*<td><a href="/vendors/[^"]+">'
                      r'([^<]+)</a>', section)


def _waiting(html: str) -> list[str]:
    section = html.split('id="unassigned"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<td><a href="/vendors/([0-9a-f-]+)">', section)


def test_my_work_lists_mine_overdue_first_then_by_due_date_and_pages_what_waits_unassigned(tmp_path, database_url):
    app, settings = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    seed(database_url, 130, tmp_path / "seed")
    rows_for_the_day(store, settings, TODAY)
    found = list(usecases.statuses(store, load_review_policy(None), TODAY))
    waiting = sorted((s.assessed_on, s.vendor, s.vendor_id) for s in found if s.review_pending)
    assert len(waiting) > 30
    rita = _signed_in(app, "rita@example.org", "reviewer")
    add_user(store, "bo@example.org", "reviewer")
    dues = {0: 6, 1: -3, 2: 2, 3: -10, 4: 2}  # days from today; two made earlier, now overdue
    for i, days in dues.items():
        store.assignments.assign("review", waiting[i][2], None, assignee="rita@example.org",
                                 due_on=TODAY + dt.timedelta(days=days), by="bo@example.org")
    store.assignments.assign("review", waiting[5][2], None, assignee="bo@example.org", due_on=TODAY, by="bo@example.org")

    page = rita.get("/work")
    assert page.status_code == 200 and 'aria-current="page">My work' in page.text
    expected = sorted(((TODAY + dt.timedelta(days=d)).isoformat(), waiting[i][1]) for i, d in dues.items())
    assert _mine(page.text) == expected  # the overdue first (the earliest due), then by due date, then by name
    assert [d for d, _ in _mine(page.text)][:2] == [(TODAY + dt.timedelta(days=-10)).isoformat(),
                                                    (TODAY + dt.timedelta(days=-3)).isoformat()]
    assert page.text.count("(overdue)") == 2 and "2 overdue" in page.text

    unassigned = [vid for _, _, vid in waiting[6:]]  # the longest waiting first; none of those assigned
    assert f'<span class="count">{len(unassigned)}</span>' in page.text
    seen, url = [], "/work?size=25"
    while url:
        html = rita.get(url).text
        seen += _waiting(html)
        found_next = re.search(r'<a href="(/work\?[^"]+)" rel="next">', html)
        url = found_next.group(1).replace("&amp;", "&") if found_next else None
        assert ("First page" in html) == (len(seen) > 25)
    assert seen == unassigned

    taken = rita.post(f"/vendors/{unassigned[0]}/assignment", follow_redirects=False,
                      data={"csrf_token": csrf_of(page.text), "assignee": "rita@example.org",
                            "due_on": str(TODAY + dt.timedelta(days=5)), "back": "work"})
    assert taken.headers["location"] == "/work?done=taken"
    after = rita.get("/work?done=taken").text
    assert "The review is yours" in after and _waiting(after)[0] == unassigned[1]
    assert len(_mine(after)) == len(dues) + 1
    assert rita.get("/work?cursor=not-a-cursor").status_code == 200  # a hand-made URL: the first page


def test_the_assignment_ends_with_the_review_in_its_transaction(tmp_path, database_url):
    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    vid = _waiting_vendor(app, tmp_path)
    rita = _signed_in(app, "rita@example.org", "reviewer")
    assert _assign(rita, vid, "rita@example.org", TODAY + dt.timedelta(days=2)).status_code == 303
    assert [v for _, v in _mine(rita.get("/work").text)] == [BRIGHT.name]

    page = rita.get(f"/vendors/{vid}").text
    done = rita.post(f"/vendors/{vid}/review", data={"csrf_token": csrf_of(page), "decision": "approve",
                                                      "reason": "pilot plan agreed in writing"})
    assert done.status_code == 200 and "Review recorded." in done.text
    [ended] = store.assignments.of_vendor(vid)
    assert (ended.ended_how, ended.ended_by, ended.live_key) == ("done", None, None)
    work = rita.get("/work").text
    assert _mine(work) == [] and "Nothing is assigned to you." in work and _waiting(work) == []
    [event] = [e for e in store.audit.events(vid) if e.action == "work_done"]
    assert event.actor is None and event.subject == "rita@example.org"
    gone = _assign(rita, vid, "rita@example.org", TODAY)  # nothing waits: nothing to assign
    assert gone.status_code == 400 and "no review of" in gone.text.lower() and "waits any more" in gone.text

    from supplier_models.workbooks.form import fill_form  # a new submission that needs a review again: new work
    again = fill_form(workbook(BRIGHT, tmp_path), {"DATA-02": dt.date(2030, 1, 31)}, out=tmp_path / "again.xlsx")
    assert post_intake(TestClient(app), api_token(store, "in2@example.org", "reviewer"), again).status_code == 200
    work = rita.get("/work").text
    assert _mine(work) == [] and _waiting(work) == [vid]  # unassigned: the ended assignment does not come back


def test_the_daily_digest_reaches_each_reviewer_who_wants_it_once_a_day(tmp_path, database_url,
                                                                         smtp_inbox):  # noqa: F811
    inbox, url = smtp_inbox
    app, settings = web_app(tmp_path / "home", database_url, smtp_url=url, web_base_url="https://fs.example")
    store = app.state.web.store
    seed(database_url, 60, tmp_path / "seed")
    rows_for_the_day(store, settings, TODAY)
    waiting = sorted((s.assessed_on, s.vendor, s.vendor_id)
                     for s in usecases.statuses(store, load_review_policy(None), TODAY) if s.review_pending)
    rita = _signed_in(app, "rita@example.org", "reviewer")
    bo = _signed_in(app, "bo@example.org", "admin")
    add_user(store, "vi@example.org", "viewer")  # a viewer gets no digest
    for i, days in enumerate((-2, 4)):
        store.assignments.assign("review", waiting[i][2], None, assignee="rita@example.org",
                                 due_on=TODAY + dt.timedelta(days=days), by="bo@example.org")

    page = bo.get("/work").text
    assert 'name="digest" value="on" checked' in page
    off = bo.post("/work/digest", data={"csrf_token": csrf_of(page)}, follow_redirects=False)  # unchecked
    assert off.headers["location"] == "/work?done=digest_off"
    after = bo.get("/work?done=digest_off").text
    assert "no longer get the daily digest" in after and 'name="digest" value="on" >' in after
    assert store.staff.by_email("bo@example.org").digest_mail is False

    sent = send_work_digests(store, settings, TODAY)
    assert [d.to for d in sent] == ["rita@example.org"]
    [(to, mail)] = inbox.messages
    unassigned = len(waiting) - 2
    assert to == ["rita@example.org"]
    assert mail["Subject"] == f"fairsource, {TODAY}: 2 assigned to you, 1 overdue, {unassigned} unassigned"
    body = mail.get_content()
    assert "- assigned to you: 2 reviews, 1 overdue" in body
    assert f"- waiting with nobody assigned: {unassigned} reviews" in body
    first = body.split("soonest due first:", 1)[1]
    assert first.index(waiting[0][1]) < first.index(waiting[1][1]) and "(OVERDUE)" in first
    assert f"https://fs.example/vendors/{waiting[0][2]}" in body and "My work: https://fs.example/work" in body
    assert "turn off the daily digest on My work" in body

    assert send_work_digests(store, settings, TODAY) == [] and len(inbox.messages) == 1  # once a day
    on = rita.get("/work").text
    rita.post("/work/digest", data={"csrf_token": csrf_of(on), "digest": "on"})
    assert [e.action for e in store.audit.events() if e.action == "work_digest_mailed"] == ["work_digest_mailed"]
    changed = [e for e in store.audit.events() if e.action == "user_changed" and e.actor == "bo@example.org"]
    assert changed and changed[0].detail == {"digest_mail": False}


def test_two_people_assigning_one_review_at_once_leave_one_live_assignment(tmp_path, database_url):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    app, _ = web_app(tmp_path / "home", database_url)
    store = app.state.web.store
    vid = _waiting_vendor(app, tmp_path)
    people = [f"r{i}@example.org" for i in range(4)]
    start = Barrier(len(people))

    def assign(email: str):
        start.wait()
        return store.assignments.assign("review", vid, None, assignee=email, due_on=TODAY, by=email)

    with ThreadPoolExecutor(len(people)) as pool:
        done = list(pool.map(assign, people))
    assert all(done)
    rows = store.assignments.of_vendor(vid)
    assert len(rows) == len(people) and sorted(a.assignee for a in rows) == people
    assert [a.ended_how for a in rows if a.live_key] == [None]  # one live; the others ended as reassigned
    assert sorted(a.ended_how or "live" for a in rows) == ["live"] + ["reassigned"] * (len(people) - 1)
