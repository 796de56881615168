"""Reminders: the notices due on a date (expiry, expired, overdue remediations, reviews waiting, re-attestation
forms) that were not sent before, and their record once sent."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from scoring.lifecycle import REMINDER_DAYS, expiry_reminder
from supplier_models import Settings, Store
from supplier_models.store.tables import NoticeRecord

from .status import VendorStatus, statuses

if TYPE_CHECKING:
    from .inputs import ScoringInputs


class Notice(BaseModel):
    """A reminder to send: to the vendor's contact and the owner, or the owner only for internal matters."""

    vendor: str
    vendor_id: str
    kind: str
    subject_id: str
    subject: str
    text: str
    to: list[str] = Field(default_factory=list)
    attachment: str | None = None
    emailed: bool = False


def due_notices(store: Store, settings: Settings, inputs: ScoringInputs, as_of: dt.date) -> list[Notice]:
    """Every reminder due on `as_of` that was not sent before (expiry in 60/30/7 days, expired, overdue
    remediations, reviews waiting, re-attestation forms to send)."""
    sent = store.notices.sent()
    owner = [settings.owner_email] if settings.owner_email else []
    out: list[Notice] = []

    def add(s: VendorStatus, kind: str, subject_id: str, subject: str, text: str, *, vendor_too: bool = True,
            attachment: str | None = None) -> None:
        if (s.vendor_id, kind, subject_id) in sent:
            return
        to = ([s.contact] if vendor_too and s.contact else []) + owner
        out.append(Notice(vendor=s.vendor, vendor_id=s.vendor_id, kind=kind, subject_id=subject_id, subject=subject,
                          text=text, to=to, attachment=attachment))

    horizon = as_of + dt.timedelta(days=max(REMINDER_DAYS))
    concerned = [s for s in statuses(store, inputs.review_policy, as_of)
                 if (s.valid_until and s.valid_until <= horizon) or s.reattestation_form or s.overdue_remediations
                 or s.review_pending]
    for s in concerned:
        attestation = s.submission_id
        if s.valid_until and s.status != "expired":
            already = [int(kind.split("_")[1]) for vid, kind, sid in sent
                       if vid == s.vendor_id and sid == attestation and kind.startswith("expiry_")]
            days = expiry_reminder(s.valid_until, as_of, already)
            if days is not None:
                add(s, f"expiry_{days}", attestation, f"{s.vendor}: qualification expires on {s.valid_until}",
                    f"The qualification of {s.vendor} expires on {s.valid_until} (in "
                    f"{(s.valid_until - as_of).days} days). Please confirm or correct your answers on the "
                    "pre-filled form and return it.")
        if s.status == "expired":
            add(s, "expired", attestation, f"{s.vendor}: qualification expired",
                f"The qualification of {s.vendor} expired on {s.valid_until}. No SOW can be issued until a fresh, "
                "confirmed questionnaire is received.")
        if s.reattestation_form and s.reattestation_requested_on:
            add(s, "reattestation_requested", attestation, f"{s.vendor}: please confirm your answers",
                f"Your qualification rests on the answers you gave; it lapses on {s.valid_until or s.review_on}. "
                "The attached form is pre-filled with them: confirm or correct each answer and return it.",
                attachment=s.reattestation_form)
        for r in s.overdue_remediations:
            add(s, "remediation_overdue", r.id, f"{s.vendor}: remediation {r.id} overdue",
                f"Remediation {r.id} ({r.priority} priority) was due on {r.due_date}: {r.action}")
        if s.review_pending:
            add(s, "review_waiting", s.assessment_id, f"{s.vendor}: review waiting",
                f"The {s.assessed_decision} assessment of {s.vendor} of {s.assessed_on} waits for a review: "
                + "; ".join(s.review_required) + ".", vendor_too=False)
    return out


def record_notices(store: Store, notices: list[Notice], as_of: dt.date) -> list[Notice]:
    """Record the notices sent (once each); returns those recorded now."""
    done = store.notices.add([NoticeRecord(vendor_id=n.vendor_id, kind=n.kind, subject_id=n.subject_id,
                                           sent_on=as_of, recipients=n.to, emailed=n.emailed, text=n.text[:4000])
                              for n in notices])
    return [n for n, now in zip(notices, done, strict=True) if now]
