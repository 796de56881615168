"""Notices over a year, read back from a real SMTP server: one digest per recipient per run, each notice saying
what changed, why, what to do and by when; decision changes told to the vendor and the owner; overdue items told
again weekly until done; nothing lost without SMTP."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from supplier_models import Store
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form
from tests.helpers.runs import Mail
from tests.helpers.runs import contact as _contact
from tests.helpers.runs import policy_prohibiting as _policy_prohibiting
from tests.helpers.runs import requalify as _requalify
from tests.helpers.runs import run as _run

pytestmark = pytest.mark.usefixtures("prefect_engine")
TODAY = dt.date(2026, 11, 23)
OWNER = "procurement@client.example"
BASE = "https://fairsource.client.example"
LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA = EXAMPLES[:5]




def _intake(home: Path, vendors, *, as_of: dt.date = TODAY) -> None:
    """Each vendor's contact recorded (a form issued to it), then its example answers taken in."""
    paths = []
    for v in vendors:
        _run("form", "--vendor", v.name, "--out", str(home / f"blank-{v.slug}.xlsx"), "--contact", _contact(v))
        path = write_example(v, home / "returned")
        paths.append(str(fill_form(path, {"DATA-02": dt.date(2030, 1, 31)}) if v is LUMEN else path))
    _run("intake", *paths, "--as-of", as_of.isoformat())








@pytest.fixture
def mailed(isolated_home, monkeypatch, smtp_inbox):
    inbox, url = smtp_inbox
    monkeypatch.setenv("FAIRSOURCE_SMTP_URL", url)
    monkeypatch.setenv("FAIRSOURCE_OWNER_EMAIL", OWNER)
    monkeypatch.setenv("FAIRSOURCE_WEB_BASE_URL", BASE)
    return inbox


def test_a_year_of_notices_one_digest_per_recipient_with_what_why_what_to_do_and_by_when(
        isolated_home, monkeypatch, mailed, database_url):
    _intake(isolated_home, [LUMEN, BRIGHT, QUICK, FRONTIER, SAVANNA])
    store = Store(database_url)
    ids = {v.name: store.vendors.find(v.name).id for v in EXAMPLES[:5]}
    _run("review", "Brightlabel", "--decision", "approve", "--reason", "Pay plan seen", "--reviewer", "Ana Lima")
    every: list[Mail] = []

    # The day after intake: Brightlabel's review outcome to it and the owner; Frontier's and Savanna's reviews
    # waiting to the owner only (internal). The owner gets one mail for all, grouped by vendor.
    summary, mails = _requalify(mailed, "2026-11-24")
    every += mails.values()
    assert set(mails) == {OWNER, _contact(BRIGHT)}
    bright = mails[_contact(BRIGHT)]
    assert "Ana Lima approved the conditional decision" in bright.text and "Pay plan seen" in bright.text
    sow = store.sows.latest(ids[BRIGHT.name])
    assert sow.reference and sow.reference in bright.text and "(final)" in bright.text
    assert "R6: Warn workers of distressing content" in bright.text and "Evidence needed: The content warning" \
        in bright.text and "Due 2026-12-23" in bright.text
    assert "portal link you were given, or by replying to this e-mail" in bright.text
    assert bright.msg["Reply-To"] == OWNER and BASE not in bright.text  # the owner's links are the owner's
    owner = mails[OWNER]
    for name in (BRIGHT.name, FRONTIER.name, SAVANNA.name):
        assert name in owner.text and f"{BASE}/vendors/{ids[name]}" in owner.text
    assert owner.text.index(BRIGHT.name) < owner.text.index(FRONTIER.name) < owner.text.index(SAVANNA.name)
    assert "waits for a person's review" in owner.text and "(not told: internal)" in owner.text

    assert _requalify(mailed, "2026-11-24")[0]["reminders"] == []  # the same day again: nothing

    # New policy: Ukraine and Ghana prohibited. Frontier (conditional) and Savanna (qualified) are refused on
    # rescoring; both vendors and the owner are told why, what now and by when, with the pre-filled form.
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(_policy_prohibiting(isolated_home, "UA", "GH")))
    summary, mails = _requalify(mailed, "2027-01-24")
    every += mails.values()
    changes = {(r["vendor"], r["kind"]) for r in summary["reminders"]}
    assert {(FRONTIER.name, "decision_changed"), (SAVANNA.name, "decision_changed")} <= changes
    for vendor, was in ((FRONTIER, "conditional"), (SAVANNA, "qualified")):
        told = mails[_contact(vendor)]
        assert f"changed from {was} to not qualified on 2027-01-24" in told.text
        assert "The organisation's policy changed" in told.text and "prohibited list" in told.text
        assert "looked at again on 2027-02-23" in told.text and "By: 2027-02-23" in told.text
        assert [name for name, _ in told.attachments] == [f"{vendor.slug}-reattestation-2027-01-24.xlsx"]
        assert f"changed from {was} to not qualified" in mails[OWNER].text
    assert LUMEN.name not in mails[OWNER].text  # rescored too, but nothing changed: nothing to tell

    # Lumen, 60 days before its end: the pre-filled form does not exist yet, and no mail says it does.
    _, mails = _requalify(mailed, "2027-09-24")
    every += mails.values()
    lumen = mails[_contact(LUMEN)]
    assert "ends on 2027-11-23, in 60 days" in lumen.text
    assert "will be sent to you on 2027-10-24" in lumen.text and lumen.attachments == []
    assert "attach" not in lumen.text.lower() and "attach" not in lumen.html.lower()
    # 30 days before: the form, attached, with the expiry in the same item.
    _, mails = _requalify(mailed, "2027-10-24")
    every += mails.values()
    lumen = mails[_contact(LUMEN)]
    assert "ends on 2027-11-23, in 30 days" in lumen.text and "return the form by 2027-11-23" in lumen.text
    ((name, content),) = lumen.attachments
    assert name.endswith(".xlsx") and content[:2] == b"PK"
    assert lumen.msg["Subject"] == f"{LUMEN.name}: please confirm or correct your answers (form attached)"

    for mail in every:  # a refusal has a review date: nobody is told it "lapses"
        assert not re.search(r"\blaps", mail.text + mail.html, re.IGNORECASE), mail


def test_overdue_remediations_are_told_again_weekly_until_done_and_not_before(isolated_home, mailed, database_url):
    _intake(isolated_home, [BRIGHT])
    _run("review", "Brightlabel", "--decision", "approve", "--reason", "ok", "--reviewer", "Ana")
    due = dt.date(2026, 12, 23)  # R6 (high) and R7 (normal): due 30 days after intake

    def overdue(summary: dict) -> set[str]:
        return {r["subject"].split("remediation ")[1].split(" ")[0] for r in summary["reminders"]
                if r["kind"] == "remediation_overdue"}

    first, mails = _requalify(mailed, (due + dt.timedelta(days=1)).isoformat())
    assert overdue(first) == {"R6", "R7"}
    text = mails[_contact(BRIGHT)].text
    assert "Overdue remediations: do them now and send the evidence" in text
    assert "R6: Warn workers" in text and "Due 2026-12-23, 1 day overdue (high priority)" in text and \
        "Evidence needed: The content warning" in text
    assert 'status is "action required"' in text
    for day in (2, 7):  # within the week: nothing again
        assert overdue(_requalify(mailed, (due + dt.timedelta(days=day)).isoformat())[0]) == set()
    again, mails = _requalify(mailed, (due + dt.timedelta(days=8)).isoformat())
    assert overdue(again) == {"R6", "R7"} and "8 days overdue" in mails[_contact(BRIGHT)].text
    assert _requalify(mailed, (due + dt.timedelta(days=8)).isoformat())[0]["reminders"] == []

    _run("remediate", "Brightlabel", "R6", "--evidence", "Warning text and support rota", "--reviewer", "Ana")
    assert overdue(_requalify(mailed, (due + dt.timedelta(days=15)).isoformat())[0]) == {"R7"}  # R6 is done
    store = Store(database_url)
    with store.session() as s:
        from sqlmodel import select

        from supplier_models.store.tables import NoticeRecord

        subjects = sorted(n.subject_id for n in s.exec(select(NoticeRecord)) if n.kind == "remediation_overdue")
    assert subjects == ["R6", "R6@w1", "R7", "R7@w1", "R7@w2"]  # each period's notice recorded once


def test_a_review_that_changes_the_decision_is_told_and_an_override_awaiting_approval_only_to_the_owner(
        isolated_home, mailed):
    _intake(isolated_home, [BRIGHT])
    _run("review", "Brightlabel", "--decision", "override", "--to", "qualified", "--reason",
         "Pay plan agreed at the kick-off", "--reviewer", "Ana")
    summary, mails = _requalify(mailed, "2026-11-24")
    assert set(mails) == {OWNER}
    assert "Ana changed the decision on Brightlabel Solutions Inc. from conditional to qualified" in mails[OWNER].text
    assert "four-eyes" in mails[OWNER].text
    _run("review", "Brightlabel", "--decision", "approve", "--reason", "Plan seen", "--reviewer", "Ben")
    summary, mails = _requalify(mailed, "2026-11-25")
    assert set(mails) == {OWNER, _contact(BRIGHT)}
    text = mails[_contact(BRIGHT)].text
    assert "Ben approved the qualified decision" in text and "The reviewer's reason: Plan seen" in text
    assert "The qualification runs until 2027-05-23" in text


HOSTILE = '<script>alert("x")</script> {{ 7*7 }} <b>Data</b> & Co'


def test_the_html_part_shows_a_hostile_vendor_name_as_written_never_as_markup(isolated_home, mailed):
    hostile = LUMEN.model_copy(update={"name": HOSTILE})
    _intake(isolated_home, [hostile])
    _run("review", HOSTILE, "--decision", "reject", "--reason", "<img src=x onerror=alert(1)> {{ 7*7 }}",
         "--reviewer", "Ana")
    summary, mails = _requalify(mailed, "2026-11-24")
    assert [r["kind"] for r in summary["reminders"]] == ["review_outcome"]
    for mail in mails.values():
        assert HOSTILE in mail.text and mail.msg["Subject"].startswith(HOSTILE)  # plain text: as written
        assert "<script" not in mail.html and "<img" not in mail.html and "<b>Data" not in mail.html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; {{ 7*7 }} &lt;b&gt;Data&lt;/b&gt; &amp; Co" \
            in mail.html
        assert "&lt;img src=x onerror=alert(1)&gt;" in mail.html


def test_without_smtp_every_notice_is_recorded_and_listed_in_the_runs_artifact(isolated_home, monkeypatch,
                                                                               database_url):
    from prefect.artifacts import Artifact

    monkeypatch.setenv("FAIRSOURCE_OWNER_EMAIL", OWNER)
    _intake(isolated_home, [BRIGHT])
    summary = json.loads(_run("requalify", "--as-of", "2026-12-24", "--json").stdout)
    kinds = sorted(r["kind"] for r in summary["reminders"])
    assert kinds == ["remediation_overdue", "remediation_overdue", "review_waiting"]
    assert not any(r["emailed"] for r in summary["reminders"])
    store = Store(database_url)
    assert store.counts()["notice"] == 3
    artifact = str(Artifact.get("requalification-reminders").data)
    assert "remediation_overdue" in artifact and "review_waiting" in artifact and BRIGHT.name in artifact
    assert "Do it now and send the evidence" in artifact
