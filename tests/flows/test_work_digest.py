"""The daily digest of work in the daily run (`fairsource requalify`, the Prefect flow of the `scheduled`
deployment), read back from a real SMTP server on 127.0.0.1: each reviewer or admin who wants it is told how many
reviews are theirs, overdue and waiting unassigned, with links; one who turned it off and a viewer are not; a
second run of the day sends no second digest."""

from __future__ import annotations

import datetime as dt

import pytest

from fairsource import accounts
from supplier_models import Store
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.runs import intake, run

pytestmark = pytest.mark.usefixtures("prefect_engine")
TODAY = dt.date(2026, 11, 23)
BASE = "https://fairsource.client.example"
BRIGHT, FRONTIER, SAVANNA = EXAMPLES[1], EXAMPLES[3], EXAMPLES[4]


def test_the_daily_run_mails_each_reviewer_their_work_once_a_day(isolated_home, monkeypatch, smtp_inbox,
                                                                 database_url):
    inbox, url = smtp_inbox
    monkeypatch.setenv("FAIRSOURCE_SMTP_URL", url)
    monkeypatch.setenv("FAIRSOURCE_WEB_BASE_URL", BASE)
    outcomes = intake(isolated_home, [BRIGHT, FRONTIER, SAVANNA], as_of=TODAY)
    store = Store(database_url)
    for email, role in (("rita@example.org", "reviewer"), ("bo@example.org", "admin"), ("vi@example.org", "viewer")):
        accounts.add_user(store, email, role, "correct horse battery staple")
    store.staff.update(store.staff.by_email("bo@example.org").id, digest_mail=False)
    bright = outcomes[BRIGHT.name]["vendor_id"]
    assert store.assignments.assign("review", bright, None, assignee="rita@example.org",
                                    due_on=TODAY - dt.timedelta(days=1), by="bo@example.org")

    run("requalify", "--as-of", TODAY.isoformat(), "--json")
    digests = [(to, m) for to, m in inbox.messages if m["Subject"].startswith(f"fairsource, {TODAY}: ")
               and "assigned to you" in m["Subject"]]
    assert [to for to, _ in digests] == [["rita@example.org"]]  # not bo (turned off), not the viewer
    waiting = store.assignments.count_unassigned_reviews()
    assert waiting >= 1
    (_, mail), = digests
    assert mail["Subject"] == f"fairsource, {TODAY}: 1 assigned to you, 1 overdue, {waiting} unassigned"
    body = mail.get_content()
    assert f"{BRIGHT.name}: review due {TODAY - dt.timedelta(days=1)} (OVERDUE): {BASE}/vendors/{bright}" in body
    assert f"My work: {BASE}/work" in body

    before = len(inbox.messages)
    run("requalify", "--as-of", TODAY.isoformat(), "--json")
    assert not [m for _, m in inbox.messages[before:] if "assigned to you" in m["Subject"]]  # once a day
    store.close()
