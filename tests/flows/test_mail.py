"""The notices' parts that need no flow: repeat periods, a vendor's decision over time, digests and the e-mail
they become (headers, both parts, attachments), read back with the standard library's parser."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

from flows.usecases import mail
from flows.usecases.notice_events import _timeline
from flows.usecases.notices import Notice, RemediationLine, VendorFacts, repeat_subject
from scoring.lifecycle import load_review_policy
from supplier_models.store.rows import AssessmentStep
from supplier_models.store.tables import ReviewRecord

DAY = dt.date(2027, 1, 24)
AT = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)


def test_a_repeating_notice_has_one_subject_per_period_counted_from_its_first_day():
    first = dt.date(2026, 12, 24)
    assert [repeat_subject("R3", first, first + dt.timedelta(days=d), 7) for d in (0, 6, 7, 13, 14, 30)] == \
        ["R3", "R3", "R3@w1", "R3@w1", "R3@w2", "R3@w4"]
    assert repeat_subject("R3", first, first - dt.timedelta(days=3), 7) == "R3"
    assert len(repeat_subject("x" * 36, first, first + dt.timedelta(days=7000), 7)) <= 64


def _step(aid: str, decision: str, minutes: int, *, submission: str = "s1", reason: str = "data_change",
          policy_version: str | None = None) -> AssessmentStep:
    return AssessmentStep(aid, "v", submission, decision, DAY, AT + dt.timedelta(minutes=minutes), reason,
                          DAY + dt.timedelta(days=90), "rubric 1", "data 1", policy_version)


def _review(rid: str, aid: str, action: str, minutes: int, to: str | None = None) -> ReviewRecord:
    return ReviewRecord(id=rid, vendor_id="v", assessment_id=aid, reviewer="Ana", action=action, reason="why",
                        to_decision=to, at=AT + dt.timedelta(minutes=minutes))


def test_a_vendors_history_yields_each_change_of_its_decision_and_every_review():
    policy = load_review_policy()
    steps = [_step("a1", "conditional", 0, reason="intake"), _step("a2", "conditional", 10),
             _step("a3", "not_qualified", 20, policy_version="p2")]
    events = list(_timeline(steps, [_review("r1", "a1", "approve", 5)], policy))
    assert [(e.kind, e.subject_id, e.before, e.after) for e in events] == [
        ("review_outcome", "r1", "conditional", "conditional"),
        ("decision_changed", "a3", "conditional", "not_qualified")]  # a2 changed nothing: not told
    assert events[1].cause.startswith("the organisation's policy changed")
    # An override carries over a rescoring of the same answers to the same decision; a review that changes the
    # decision is told as a change, and one awaiting a second reviewer to the owner only.
    steps = [_step("a1", "conditional", 0, reason="intake"), _step("a2", "conditional", 30)]
    reviews = [_review("r1", "a1", "override", 5, to="qualified"), _review("r2", "a1", "approve", 6)]
    events = list(_timeline(steps, reviews, policy))
    assert [(e.subject_id, e.before, e.after, e.pending, e.vendor_too) for e in events] == [
        ("r1", "conditional", "qualified", True, False), ("r2", "qualified", "qualified", False, True)]
    # A new submission assessed differently from the overridden decision: the effective decision changes.
    steps.append(_step("a3", "conditional", 40, submission="s2", reason="intake"))
    (*_, last) = _timeline(steps, reviews, policy)
    assert (last.kind, last.before, last.after) == ("decision_changed", "qualified", "conditional")
    assert last.cause.startswith("the questionnaire received on")


def _notice(vendor: str, kind: str, subject_id: str, to: list[str], **fields) -> Notice:
    facts = VendorFacts(vendor=vendor, vendor_id=vendor.lower()[:4], status="conditional", decision="conditional",
                        valid_until=DAY + dt.timedelta(days=60), contact=to[0] if len(to) > 1 else None,
                        sow_reference="SOW-1", sow_status="final",
                        remediations=[RemediationLine(id="R1", action="Pay weekly.", evidence="A pay calendar.",
                                                      due_date=DAY - dt.timedelta(days=3), priority="high",
                                                      overdue=True)])
    return Notice(vendor=vendor, vendor_id=facts.vendor_id, kind=kind, subject_id=subject_id,
                  subject=f"{vendor}: {kind}", to=to, what=f"{kind} happened.", why=["Because."], todo="Do it.",
                  facts=facts, **fields)


def test_one_digest_per_recipient_grouped_by_vendor_internal_items_to_the_owner_only(tmp_path):
    owner = "owner@client.example"
    notices = [_notice("Acme", "decision_changed", "a1", ["ops@acme.example", owner]),
               _notice("Acme", "review_waiting", "a1", [owner], vendor_too=False),
               _notice("Acme", "remediation_overdue", "R1@w2", ["ops@acme.example", owner]),
               _notice("Bolt", "expiry_30", "s1", [owner], shown=False),
               _notice("Bolt", "reattestation_requested", "s1", [owner])]
    digests = {d.to: d for d in mail.digests(notices, owner_email=owner, as_of=DAY)}
    assert set(digests) == {owner, "ops@acme.example"}
    vendor, mine = digests["ops@acme.example"], digests[owner]
    assert [s.facts.vendor for s in mine.sections] == ["Acme", "Bolt"] and mine.owner and not vendor.owner
    assert [n.kind for n in vendor.sections[0].items] == ["decision_changed"] and vendor.count == 2
    assert [n.kind for n in mine.sections[1].items] == ["reattestation_requested"]  # the folded expiry: not twice
    text = mail.render_text(vendor)
    assert "R1: Pay weekly." in text and "Evidence needed: A pay calendar." in text and "3 days overdue" in text
    assert "review_waiting" not in text and "SOW reference SOW-1 (final)" in text
    assert "Vendor contact: ops@acme.example (told too, except of the review waiting)" in mail.render_text(mine)


def test_the_mail_has_date_message_id_both_parts_the_form_and_no_header_a_vendor_name_can_break(tmp_path):
    form = tmp_path / "form.xlsx"
    form.write_bytes(b"PK\x03\x04 a workbook")
    evil = "Evil\r\nBcc: everyone@example.org <b>"
    notices = [_notice(evil, "reattestation_requested", "s1", ["ops@evil.example"], attachment=str(form))]
    (digest,) = mail.digests(notices, owner_email=None, as_of=DAY)
    raw = mail.message("Fairsource <notices@client.example>", digest).as_bytes()
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Date"] and msg["Message-ID"].endswith("@client.example>") and msg["Reply-To"] is None
    assert msg["Bcc"] is None and "\n" not in msg["Subject"] and msg["Subject"].startswith("Evil Bcc:")
    assert msg.get_body(("plain",)).get_content().count("Evil") >= 1
    html = msg.get_body(("html",)).get_content()
    assert "<b>" not in html and "&lt;b&gt;" in html
    (attachment,) = msg.iter_attachments()
    assert attachment.get_filename() == "form.xlsx" and attachment.get_content().startswith(b"PK")
    assert "or by replying" not in msg.get_body(("plain",)).get_content()  # no owner to reply to: the portal only


def test_a_digest_of_many_vendors_gives_the_first_fifty_in_full_and_the_rest_a_line_each():
    owner = "owner@client.example"
    notices = [_notice(f"Vendor {i:03d}", "review_waiting", f"a{i}", [owner], vendor_too=False) for i in range(60)]
    for i, n in enumerate(notices):
        n.vendor_id = n.facts.vendor_id = f"v{i}"
    (digest,) = mail.digests(notices, owner_email=owner, as_of=DAY)
    assert len(digest.sections) == mail.FULL_SECTIONS == 50 and len(digest.more) == 10 and digest.count == 60
    assert digest.subject.startswith(f"fairsource, {DAY}: 60 notices on 60 vendors (Vendor 000, Vendor 001")
    text = mail.render_text(digest)
    assert "- Vendor 059: Review_waiting" in text and "requalification-reminders" in text
    assert "Vendor 059" in mail.message("f@x.example", digest).get_body(("html",)).get_content()


def test_an_owner_who_is_also_the_vendors_contact_gets_one_mail_with_each_notice_once():
    same = "owner@client.example"
    (digest,) = mail.digests([_notice("Acme", "expired", "s1", [same, same])], owner_email=same, as_of=DAY)
    assert digest.owner and digest.count == 1
