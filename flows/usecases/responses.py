"""A vendor's response to an open remediation, and a reviewer's decision on it.

The vendor (through its portal link) says a remediation is done, with its evidence in words and files, or asks for
a new due date with the reason. A reviewer accepts or rejects it, with a reason: an accepted "done" closes the
remediation through the one close path (`review.close_remediation`: the register, the vendor's state and what the
next form marks stay right), its closing evidence the vendor's words and the files' names; an accepted new date
moves the due date (the vendor's state row, its overdue count and `holds_until`, kept in the same transaction);
a rejection leaves it as it was. Each step is audited and told to the other side at once: a notice recorded
(kind `remediation_response` to the staff, `response_decided` to the vendor's contact), mailed when SMTP is set.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

from pydantic import BaseModel

from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused
from supplier_models.store.evidence_tables import RemediationResponse
from supplier_models.store.tables import NoticeRecord, Vendor

from .mail import SIGNATURE, envelope, send_all
from .notices import web_base
from .review import close_remediation

KINDS = {"done": "done", "new_date": "a new due date"}


class Told(BaseModel):
    to: list[str]
    emailed: bool
    text: str


def validate(store: Store, vendor: Vendor, code: str, *, kind: str, text: str, due_date: dt.date | None,
             with_files: bool):
    """The open remediation a response is about, or `ActionRefused` naming the field that is wrong (checked before
    any of its files is stored)."""
    found = store.remediations.get(vendor.id, code)
    if found is None or found.state != "open":
        raise ActionRefused(f"Remediation {code} is not open: there is nothing to respond to.", "remediation")
    if kind not in KINDS:
        raise ActionRefused("Choose whether the remediation is done or needs a new due date.", "kind")
    if kind == "done" and not text.strip() and not with_files:
        raise ActionRefused("Say what was done, or attach a file, as evidence.", "text")
    if kind == "new_date":
        if with_files:
            raise ActionRefused("Files go with a remediation marked done; a new due date needs a reason only.",
                                "files")
        if due_date is None or due_date <= found.due_date:
            raise ActionRefused(f"The new due date must be after the current one ({found.due_date}).", "due_date")
        if not text.strip():
            raise ActionRefused("Give the reason for a new due date.", "text")
    if any(r.state == "waiting" and r.remediation == found.code for r in store.responses.of_vendor(vendor.id)):
        raise ActionRefused(f"A response to {found.code} already waits for a reviewer.", "remediation")
    return found


def respond(store: Store, settings: Settings, vendor: Vendor, code: str, *, kind: str, text: str,
            due_date: dt.date | None, evidence_ids: list[str], actor: str, today: dt.date) -> RemediationResponse:
    """Record the vendor's response to its open remediation `code`, audited, and tell the staff."""
    found = validate(store, vendor, code, kind=kind, text=text, due_date=due_date, with_files=bool(evidence_ids))
    text = text.strip()
    response = store.responses.add(RemediationResponse(
        vendor_id=vendor.id, remediation=found.code, kind=kind, text=text[:4000], due_date=due_date,
        evidence_ids=evidence_ids, sent_by=actor))
    staff = [a for a in (vendor.owner, settings.owner_email) if a]
    what = (f"{vendor.name} says remediation {found.code} is done" if kind == "done" else
            f"{vendor.name} asks for a new due date for remediation {found.code}: {due_date} (now {found.due_date})")
    words = [what + ".", f"{'Evidence' if kind == 'done' else 'Reason'}: {text or '(files only)'}"]
    if evidence_ids:
        names = {e.id: e.name for e in store.evidence.of_vendor(vendor.id)}
        words.append("Files: " + ", ".join(names.get(i, i) for i in evidence_ids))
    base = web_base(settings)
    words.append(f"To do: accept or reject it on the vendor's page{': ' + base + '/vendors/' + vendor.id if base else ''}.")
    tell(store, settings, vendor, "remediation_response", response.id, staff, what, words, today, reply_to=None)
    return response


def waiting_response(store: Store, vendor: Vendor, response_id: str) -> RemediationResponse:
    """The vendor's response still waiting for a decision on a remediation still open (what may be decided or
    assigned), or `ActionRefused` saying why it waits no more: decided, or set aside (its remediation was closed
    meanwhile, by a new submission or by hand)."""
    response = store.responses.get(vendor.id, response_id)
    if response is None:
        raise ActionRefused("there is no such response for this vendor", "response")
    if response.state != "waiting":
        raise ActionRefused(f"the response to {response.remediation} was {response.state} already by "
                            f"{response.decided_by}: there is nothing left to decide or assign", "response")
    remediation = store.remediations.get(vendor.id, response.remediation)
    if remediation is None or remediation.state != "open":
        raise ActionRefused(f"{response.remediation} was closed meanwhile: the response is set aside, with nothing "
                            "left to decide or assign", "response")
    return response


def decide(store: Store, settings: Settings, vendor: Vendor, response_id: str, *, accept: bool, reason: str,
           reviewer: str, today: dt.date, now: dt.datetime) -> RemediationResponse:
    """Accept or reject a waiting response (audited), and tell the vendor's contact."""
    response = waiting_response(store, vendor, response_id)
    reason = reason.strip()
    if not reason and not accept:
        raise ActionRefused("Give the reason for rejecting the response, for the vendor to read.", "reason")
    if accept and response.kind == "done":
        names = {e.id: e.name for e in store.evidence.of_vendor(vendor.id)}
        files = [names[i] for i in response.evidence_ids if i in names]
        said = response.text + ("" if not response.text or response.text.endswith((".", "!", "?")) else ".")
        evidence = " ".join(p for p in (said, f"Files: {', '.join(files)}." if files else "", "Sent by the vendor.")
                            if p)
        close_remediation(store, vendor.id, response.remediation, evidence=evidence[:4000], reviewer=reviewer,
                          as_of=today)
    if not store.responses.decide(response, accepted=accept, by=reviewer, reason=reason, on=today, now=now):
        raise ActionRefused("This response was decided already by someone else.", "response")
    decided = store.responses.get(vendor.id, response_id)
    verb = "accepted" if accept else "rejected"
    if response.kind == "done":
        what = f"Your response that remediation {response.remediation} is done was {verb}" + \
            (": the remediation is closed." if accept else "; the remediation stays open.")
    else:
        what = f"Your request for a new due date for remediation {response.remediation} was {verb}" + \
            (f": it is now due on {response.due_date}." if accept else "; the due date stays as it was.")
    words = [what, *([f"Reason: {reason}"] if reason else []),
             "To do: see your portal page for your open remediations." if not accept or response.kind != "done" else ""]
    tell(store, settings, vendor, "response_decided", response.id, [vendor.contact_email] if vendor.contact_email
         else [], f"remediation {response.remediation}: response {verb}", [w for w in words if w], today,
         reply_to=reviewer)
    return decided or response


def tell(store: Store, settings: Settings, vendor: Vendor, kind: str, subject_id: str, to: list[str], subject: str,
         words: list[str], today: dt.date, *, reply_to: str | None) -> Told:
    """Record the notice (once per subject) and mail it when SMTP is set; a failed mail is recorded as not
    e-mailed (the page still shows the response)."""
    text = "\n".join(words)
    emailed = False
    if to and settings.smtp_url:
        try:
            send_all(settings.smtp_url, [message(settings, to, f"{vendor.name}: {subject}", text, reply_to)],
                     timeout=15)
            emailed = True
        except (OSError, smtplib.SMTPException):
            emailed = False
    store.responses.told(NoticeRecord(vendor_id=vendor.id, kind=kind, subject_id=subject_id, sent_on=today,
                                      recipients=to, emailed=emailed, text=text[:4000]))
    return Told(to=to, emailed=emailed, text=text)


def message(settings: Settings, to: list[str], subject: str, text: str, reply_to: str | None) -> EmailMessage:
    msg = envelope(settings.mail_from, ", ".join(to),
                   f"{settings.organisation + ': ' if settings.organisation else ''}{subject}", reply_to)
    msg.set_content(f"Hello,\n\n{text}\n\n-- \n{SIGNATURE}\n")
    return msg
