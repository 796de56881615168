"""The audit log a team can use at 100,000 vendors (issue 21): `/audit` a page at a time newest first with a cursor
(no event skipped or shown twice while events are recorded between pages), filtered in SQL by who, action, vendor
and days, every action in words, no server path shown; `/audit.csv` the same events, streamed, audited, formulas
written as text; admins only. And every action the code records has its words."""

from __future__ import annotations

import ast
import base64
import csv
import datetime as dt
import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import insert

from fairsource.web.audit_words import ACTIONS
from scoring.terms import ReviewAction
from supplier_models.store.tables import AuditEvent
from tests.helpers.web import add_user, sign_in, staff_client

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "ana@example.org"
ROW = re.compile(r'<tr class="event" id="e(\d+)">')
NEXT = re.compile(r'<a href="/audit\?([^"]+)" rel="next">')


def add_events(store, *events: dict) -> None:
    """Audit events written as they are (their own `at`), in one statement."""
    rows = [{"at": dt.datetime.now(dt.UTC), "actor": None, "vendor_id": None, "subject": "", "detail": {}, **e}
            for e in events]
    with store.audit.begin() as conn:
        conn.execute(insert(AuditEvent.__table__), rows)


def ids_of(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def walk(client, query: str) -> list[int]:
    """The event ids of every page of the log from `query` on, following the Next links."""
    seen: list[int] = []
    while True:
        page = client.get(f"/audit?{query}")
        assert page.status_code == 200
        seen += ids_of(page.text)
        found = NEXT.search(page.text)
        if not found:
            return seen
        query = unescape(found.group(1))


def newest_first(store, keep=lambda e: True) -> list[int]:
    return [e.id for e in store.audit.events(limit=100_000) if keep(e)]


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_pages_walk_the_log_newest_first_none_skipped_or_repeated_while_events_are_recorded(web):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    same = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)  # one instant for 40 events: the id decides
    add_events(store, *[{"action": "sow_downloaded", "actor": "x@example.org", "subject": f"s{i}",
                            "at": same if i % 3 == 0 else same - dt.timedelta(minutes=i)} for i in range(120)])
    before = newest_first(store)
    page = client.get("/audit?size=25")
    assert ids_of(page.text) == before[:25]
    assert f"{len(before):,} events" in page.text
    seen, query, pages = ids_of(page.text), unescape(NEXT.search(page.text).group(1)), 1
    while query:
        pages += 1
        store.audit.record("logout", actor="late@example.org")  # newer than every page: not among the next ones
        add_events(store, {"action": "login", "actor": "late@example.org"})
        page = client.get(f"/audit?{query}")
        assert 'href="/audit?size=25">First page</a>' in page.text
        seen += ids_of(page.text)
        found = NEXT.search(page.text)
        query = unescape(found.group(1)) if found else ""
    assert seen == before  # each event once, in order
    assert pages == 5 and len(newest_first(store)) == len(before) + 2 * 4


@pytest.mark.parametrize("cursor", ["zzz", "!!", base64.urlsafe_b64encode(b'["2026-11-30T00:00:00", 1e400]').decode(),
                                    base64.urlsafe_b64encode(b'["not a time", 3]').decode(),
                                    base64.urlsafe_b64encode(b'["0001-01-01T00:00:00+05:00", 3]').decode(),
                                    base64.urlsafe_b64encode(b'["2026-11-30T00:00:00", 99999999999999999999]').decode(),
                                    base64.urlsafe_b64encode(b'{"a": 1}').decode()])
def test_a_cursor_the_log_did_not_give_shows_the_first_page(web, cursor):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    add_events(store, *[{"action": "login", "actor": f"u{i}@example.org"} for i in range(30)])
    first = client.get("/audit?size=25")
    page = client.get("/audit", params={"size": 25, "cursor": cursor})
    assert page.status_code == 200 and ids_of(page.text) == ids_of(first.text) == newest_first(store)[:25]
    assert client.get("/audit.csv", params={"cursor": cursor}).status_code == 200  # the export has no pages


def test_the_page_sizes_are_25_50_100_and_200(web):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    add_events(store, *[{"action": "login", "actor": f"u{i}@example.org"} for i in range(260)])
    assert [len(ids_of(client.get(f"/audit?size={n}").text)) for n in ("25", "100", "1000", "7", "x")] == \
           [25, 100, 200, 25, 50]


def vendors_and_events(store):
    """Two vendors and events of each kind the filters tell apart, on three days."""
    acme = store.vendors.set_contact("Acme 100% Annotation", None)
    brill = store.vendors.set_contact("Brill_Labels", None)
    day = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    add_events(store,
               {"action": "sow_downloaded", "actor": "Rita@Example.org", "vendor_id": acme.id, "at": day,
                "subject": "/srv/fairsource/sows/sow-acme.docx", "detail": {"sow_id": "s1"}},
               {"action": "web_review_approve", "actor": "rita@example.org", "vendor_id": brill.id,
                "at": day + dt.timedelta(days=1, hours=11, minutes=59), "subject": "fine"},
               {"action": "login_failed", "actor": "100%_sure@example.org", "at": day - dt.timedelta(days=1)},
               {"action": "remediation_rescheduled", "actor": None, "vendor_id": acme.id, "subject": "R3",
                "at": day - dt.timedelta(days=1, hours=12)},  # the first instant of the 9th
               {"action": "an_old_code", "actor": "vi@example.org", "at": day + dt.timedelta(days=2)})
    return acme, brill


def test_each_filter_narrows_the_log_in_the_url_with_the_count(web):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    acme, brill = vendors_and_events(store)

    def actions(query: str) -> list[str]:
        page = client.get(f"/audit?{query}")
        assert page.status_code == 200
        action_of = {e.id: e.action for e in store.audit.events(limit=1000)}
        found = [action_of[i] for i in ids_of(page.text)]
        count = re.search(r"newest first · ([\d,]+) events?(?: of ([\d,]+))?", page.text)
        assert count and int(count[1]) == len(found) and int(count[2]) == len(newest_first(store))
        return found

    assert actions("who=RITA") == ["web_review_approve", "sow_downloaded"]  # case-insensitive
    assert actions("who=100%25_") == ["login_failed"]  # % and _ are letters, not wildcards
    assert actions("who=0%25") == ["login_failed"]
    assert actions("who=_") == ["login_failed"]
    assert actions("who=fairsource") == ["user_added", "remediation_rescheduled"]  # no person: the flows, the CLI
    assert actions("action=sow_downloaded") == ["sow_downloaded"]
    assert actions("action=an_old_code") == ["an_old_code"]  # a code without words still filters
    assert actions("vendor=acme") == ["sow_downloaded", "remediation_rescheduled"]
    assert actions("vendor=100%25") == ["sow_downloaded", "remediation_rescheduled"]
    assert actions(f"vendor={brill.id}") == ["web_review_approve"]
    assert actions("vendor=_") == ["web_review_approve"]
    assert actions("since=2026-11-10&until=2026-11-11") == ["web_review_approve", "sow_downloaded"]  # inclusive
    assert actions("until=2026-11-09") == ["login_failed", "remediation_rescheduled"]
    assert actions("since=2026-11-09&until=2026-11-09") == ["login_failed", "remediation_rescheduled"]
    assert actions("since=2026-11-12&until=2026-11-12") == ["an_old_code"]
    assert actions("since=2026-11-12")[-3:] == ["login", "user_added", "an_old_code"]  # the admin's, today
    assert actions("who=rita&vendor=acme&action=sow_downloaded&since=2026-11-10&until=2026-11-10") == \
           ["sow_downloaded"]
    assert actions("who=nobody-at-all") == []

    page = client.get("/audit?vendor=acme&action=sow_downloaded&size=25")
    assert f'<a href="/vendors/{acme.id}">Acme 100% Annotation</a>' in page.text
    assert '<option value="sow_downloaded" selected>Downloaded a SOW (.docx)</option>' in page.text
    assert 'value="acme"' in page.text and 'href="/audit.csv?action=sow_downloaded&amp;vendor=acme"' in page.text


def test_a_day_that_is_not_a_date_is_said_and_not_applied_on_the_page_and_refused_by_the_export(web):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    vendors_and_events(store)
    page = client.get("/audit?since=2026-13-40&until=2026-11-09")
    assert page.status_code == 200 and "is not a day (YYYY-MM-DD): not applied." in unescape(page.text)
    assert len(ids_of(page.text)) == 2  # the good bound still applies
    assert client.get("/audit?since=9999-12-31&until=9999-12-31").status_code == 200
    assert client.get("/audit?until=0001-01-01").status_code == 200
    refused = client.get("/audit.csv?until=yesterday")
    assert refused.status_code == 400 and "Nothing was exported" in refused.text


def test_actions_show_in_words_and_no_server_path_is_shown(web):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    vendors_and_events(store)
    add_events(store, {"action": "assessment_intake", "subject": "qualified",
                       "detail": {"sow": "/home/ops/.fairsource/sows/sow-x.docx", "assessment_id": "a1"}},
               {"action": "upload_failed", "actor": "rita@example.org", "subject": "C:\\Users\\rita\\book.xlsx",
                "detail": {"error": "cannot open /var/lib/fairsource/tmp/upload-1/book.xlsx: truncated"}})
    page = client.get("/audit").text
    for words in ("Downloaded a SOW (.docx)", "Approved a decision in the web app", "Scored a questionnaire",
                  "Failed to sign in (wrong e-mail or password)", "Moved a remediation&#39;s due date"):
        assert words in page
    assert "an_old_code" in page  # unknown: the code itself
    assert "sow-acme.docx" in page and "sow-x.docx" in page and "cannot open book.xlsx: truncated" in page
    assert not re.search(r"/srv/|/home/|/var/|Users\\\\|\\\\rita", page)


def test_the_csv_holds_the_pages_events_streamed_with_formulas_as_text_no_path_and_is_audited(web):
    client = staff_client(web, ADMIN)
    _, store, _ = web
    acme, _ = vendors_and_events(store)
    evil = store.vendors.set_contact("=HYPERLINK(\"http://x\")", None)
    add_events(store, *[{"action": "sow_downloaded", "actor": "-1+rita@example.org", "vendor_id": evil.id,
                         "subject": f"@SUM(A{i})", "detail": {"sow": f"/srv/sows/sow-{i}.docx"},
                         "at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC) - dt.timedelta(seconds=i)}
                        for i in range(2_345)])  # more than two chunks of a thousand
    query = "action=sow_downloaded&since=2026-11-01&until=2026-11-25"
    rows = csv_rows(client.get(f"/audit.csv?{query}"))
    assert len(rows) == 2_346 and walk(client, f"{query}&size=200") == newest_first(
        store, lambda e: e.action == "sow_downloaded")
    assert list(rows[0]) == ["time_utc", "who", "action", "action_in_words", "vendor_id", "vendor", "subject",
                             "detail"]
    assert rows[0] == {"time_utc": "2026-11-20T00:00:00Z", "who": "'-1+rita@example.org", "action": "sow_downloaded",
                       "action_in_words": "Downloaded a SOW (.docx)", "vendor_id": evil.id,
                       "vendor": "'=HYPERLINK(\"http://x\")", "subject": "'@SUM(A0)",
                       "detail": '{"sow": "sow-0.docx"}'}
    assert [r["subject"] for r in rows[-2:]] == ["'@SUM(A2344)", "sow-acme.docx"]
    assert rows[-1]["vendor"] == "Acme 100% Annotation" and rows[-1]["vendor_id"] == acme.id
    cells = [c for r in rows for c in r.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not [c for c in cells if "/srv/" in c]

    exported = [e for e in store.audit.events() if e.action == "audit_exported"]
    assert [(e.actor, e.detail) for e in exported] == [(ADMIN, {"filters": query})]
    everything = csv_rows(client.get("/audit.csv"))
    assert everything[0]["action"] == "audit_exported" and everything[0]["who"] == ADMIN  # recorded first
    assert len(everything) == len(newest_first(store))
    by_page = walk(client, "who=rita&size=200")
    action_of = {e.id: e.action for e in store.audit.events(limit=10_000)}
    assert [r["action"] for r in csv_rows(client.get("/audit.csv?who=rita"))] == [action_of[i] for i in by_page]


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_only_admins_read_or_export_the_log(web, role):
    client, store, _ = web
    add_user(store, "someone@example.org", role)
    assert sign_in(client, "someone@example.org").status_code == 303
    assert client.get("/audit").status_code == 403
    assert client.get("/audit.csv").status_code == 403
    assert not [e for e in store.audit.events() if e.action == "audit_exported"]
    client.cookies.clear()
    assert client.get("/audit.csv", follow_redirects=False).status_code in (303, 401)


# -- every action recorded has its words -------------------------------------------------------------------------
PLACEHOLDERS = {
    "review.action": ReviewAction.__args__,  # a review's action: scoring.terms.ReviewAction
    "decision": ReviewAction.__args__,  # the review form's, checked against the same three
    "a.reason": ("intake", "data_change", "requalification"),  # AssessmentRecord.reason's description
}
"""What each f-string placeholder of an action code stands for; a new placeholder fails the test until added."""
FORWARDED = {"audit", "action"}
"""Names that pass an action code on (`audit=` of an intake, `record`'s own parameter): their values are found where
they are given as text (`audit="web_intake"`)."""


def recorded_actions() -> tuple[set[str], list[str]]:
    """Every action code the source records (store.audit.record(...), AuditEvent(action=...), an insert's
    {"action": ...} in the store, audit="..." passed on), and the places whose code this test cannot read."""
    found, unreadable = set(), []
    for path in [p for top in ("fairsource", "flows", "supplier_models") for p in (ROOT / top).rglob("*.py")]:
        tree, where = ast.parse(path.read_text(encoding="utf-8")), path.relative_to(ROOT)
        for node in ast.walk(tree):
            for value in _action_values(node, in_store="store" in path.parts):
                codes = _codes(value)
                if codes is None:
                    unreadable.append(f"{where}:{value.lineno}: {ast.unparse(value)}")
                found |= codes or set()
    return found, unreadable


def _action_values(node: ast.AST, in_store: bool) -> list[ast.expr]:
    if isinstance(node, ast.Call):
        func, args = node.func, list(node.args)
        if args and _is_record(args[0]):  # run_in_threadpool(store.audit.record, "login_failed", ...)
            return args[1:2]
        if _is_record(func):
            return args[:1] + [k.value for k in node.keywords if k.arg == "action"]
        named = [k.value for k in node.keywords if k.arg == "audit"]
        if isinstance(func, ast.Name) and func.id == "AuditEvent":
            named += [k.value for k in node.keywords if k.arg == "action"]
        return named
    if isinstance(node, ast.Dict) and in_store:
        return [v for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "action"]
    return []


def _is_record(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "record" and isinstance(node.value, ast.Attribute)
            and node.value.attr == "audit")


def _codes(value: ast.expr) -> set[str] | None:
    """The codes an action expression writes; None when it is not text, a known f-string or a name passed on."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}
    if isinstance(value, ast.Subscript):  # action[:40]
        return _codes(value.value)
    if isinstance(value, ast.Name) and value.id in FORWARDED:
        return set()
    if isinstance(value, ast.IfExp):  # "invite_mailed" if sent else "invite_not_mailed"
        body, orelse = _codes(value.body), _codes(value.orelse)
        return None if body is None or orelse is None else body | orelse
    if isinstance(value, ast.JoinedStr):
        codes = {""}
        for part in value.values:
            if isinstance(part, ast.Constant):
                codes = {c + part.value for c in codes}
            elif isinstance(part, ast.FormattedValue) and ast.unparse(part.value) in PLACEHOLDERS:
                codes = {c + str(v) for c in codes for v in PLACEHOLDERS[ast.unparse(part.value)]}
            else:
                return None
        return codes
    return None


def test_every_action_the_code_records_has_its_words():
    found, unreadable = recorded_actions()
    assert not unreadable, f"actions this test cannot read (add their values to PLACEHOLDERS): {unreadable}"
    assert {"login", "login_failed", "web_intake", "review_override", "web_review_reject", "assessment_data_change",
            "sow_downloaded", "vendors_exported", "audit_exported", "remediation_rescheduled",
            "portal_form_downloaded"} <= found  # the walk reads each way an action is written
    missing = sorted(found - set(ACTIONS))
    assert not missing, f"actions without words in fairsource/web/audit_words.py ACTIONS: {missing}"
    assert not sorted(set(ACTIONS) - found), "words for an action nothing records"
    assert len(set(ACTIONS.values())) == len(ACTIONS), "two actions in the same words"


def test_the_cursor_round_trips_an_events_time_and_id():
    from flows.usecases.audit_log import decode_cursor, encode_cursor
    from supplier_models.store.rows import AuditRow

    at = dt.datetime(2026, 11, 30, 4, 5, 6, 789, tzinfo=dt.UTC)
    cursor = encode_cursor(AuditRow(42, at, "login", None, None, None, "", {}))
    assert decode_cursor(cursor) == (at, 42) and json.loads(base64.urlsafe_b64decode(cursor + "==")) == [
        at.isoformat(), 42]
