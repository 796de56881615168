"""The daily digest of work, by e-mail to each reviewer and admin who has not turned it off (My work): how many
reviews and responses to decide are assigned to them, how many of those are overdue, how many wait with nobody
assigned (reviews and responses), and links to them. Part of the daily run (`flows.requalify`, after the states are brought to the day); once per user per day
(`work_digest`), so a second run of the day sends nothing twice. Nothing to tell (nothing assigned, nothing
waiting): no mail."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import NamedTuple

from supplier_models import Settings, Store
from supplier_models.store.assignments import WorkItem

from .mail import SIGNATURE, envelope, one_line, send_all
from .notices import web_base

FIRST = 10
"""Assignments a digest names one by one (the rest are on My work)."""


class WorkDigest(NamedTuple):
    to: str
    on: dt.date
    assigned: int
    overdue: int
    unassigned: int
    first: list[WorkItem]
    """the first of the assignments, soonest due first"""
    responses: int = 0
    """of `unassigned`, the responses (the rest are reviews)"""


def work_digests(store: Store, on: dt.date) -> list[WorkDigest]:
    """The digest of each reader due one on `on` (enabled reviewers and admins with the digest on, not sent one
    that day) who has something to be told."""
    readers = store.assignments.digest_readers(on)
    if not readers:
        return []
    counts = store.assignments.counts(on)
    responses = store.assignments.count_unassigned_responses()
    unassigned = store.assignments.count_unassigned_reviews() + responses
    out = []
    for email in readers:
        assigned, late = counts.get(email, (0, 0))
        if assigned or unassigned:
            out.append(WorkDigest(email, on, assigned, late, unassigned,
                                  store.assignments.mine(email, FIRST) if assigned else [], responses))
    return out


def digest_text(d: WorkDigest, base: str | None) -> str:
    def link(path: str) -> str:
        return f"{base}{path}" if base else path

    reviews = d.unassigned - d.responses
    mine = (f"review{'s' if d.assigned != 1 else ''}" if all(i.kind == "review" for i in d.first)
            else "reviews and responses to decide")
    lines = ["Hello,", "", f"Your work in fairsource on {d.on.isoformat()}:", "",
             f"- assigned to you: {d.assigned} {mine}" + (f", {d.overdue} overdue" if d.overdue else ""),
             f"- waiting with nobody assigned: {reviews} review{'s' if reviews != 1 else ''}"
             + (f" and {d.responses} response{'s' if d.responses != 1 else ''} to decide" if d.responses else ""), ""]
    if d.first:
        lines.append("Assigned to you, soonest due first:")
        for item in d.first:
            late = " (OVERDUE)" if item.due_on < d.on else ""
            what = ("review" if item.kind != "response" else f"decide the response to {item.remediation}"
                    if not item.set_aside else f"unassign the response to {item.remediation} (set aside)")
            anchor = "#responses" if item.kind == "response" else ""
            lines.append(f"- {one_line(item.vendor)}: {what} due {item.due_on.isoformat()}{late}: "
                         f"{link('/vendors/' + item.vendor_id + anchor)}")
        if d.assigned > len(d.first):
            lines.append(f"- and {d.assigned - len(d.first)} more")
        lines.append("")
    lines += [f"My work: {link('/work')}", "",
              "You get this e-mail each day there is work. To stop it, turn off the daily digest on My work.", "",
              "--", SIGNATURE]
    return "\n".join(lines)


def digest_message(settings: Settings, d: WorkDigest) -> EmailMessage:
    late = f", {d.overdue} overdue" if d.overdue else ""
    msg = envelope(settings.mail_from, d.to,
                   f"fairsource, {d.on.isoformat()}: {d.assigned} assigned to you{late}, {d.unassigned} unassigned")
    msg.set_content(digest_text(d, web_base(settings)))
    return msg


def send_work_digests(store: Store, settings: Settings, on: dt.date) -> list[WorkDigest]:
    """E-mail each digest due on `on` and record it (so it is sent once that day); nothing without
    FAIRSOURCE_SMTP_URL. Raises OSError or SMTPException when the server fails (the task retries: what was sent
    before is recorded and not sent again)."""
    if not settings.smtp_url:
        return []
    sent = []
    for d in work_digests(store, on):
        send_all(settings.smtp_url, [digest_message(settings, d)], timeout=30)
        store.assignments.digest_sent(d.to, on, d.assigned, d.overdue, d.unassigned)
        sent.append(d)
    return sent
