"""Evidence files: a vendor's or an analyst's file checked (`supplier_models.evidence`: its kind from its content)
and attached to one of the vendor's remediations, to an answer by its question id, or to the vendor; the vendor's
files as its pages show them, with their expiry."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused
from supplier_models.evidence import MEDIA_TYPES, TEXT, Checked, check, download_name
from supplier_models.questionnaire import current as current_questionnaire
from supplier_models.store.evidence import Added
from supplier_models.store.evidence_tables import EvidenceRecord
from supplier_models.workbooks.container import ZipLimits

EXPIRING_DAYS = 30
"""A certificate expiring within this many days is shown as expiring on the vendor's page."""


def attach(store: Store, vendor_id: str, data: bytes, name: str | None, *, actor: str, remediation: str = "",
           question: str = "", expires_on: dt.date | None = None, limits: ZipLimits | None = None) -> Added:
    """Check the file and attach it; `ActionRefused` (naming the file, field "file") when it is not accepted,
    audited, with nothing stored. The same file sent again to the same place is `duplicate`."""
    remediation, question = remediation.strip().upper(), question.strip().upper()
    if remediation:
        found = store.remediations.get(vendor_id, remediation)
        if found is None:
            raise ActionRefused(f"There is no remediation {remediation} to attach the file to.", "remediation")
        remediation = found.code
    if question and question not in current_questionnaire().by_id:
        raise ActionRefused(f"There is no question {question} in the questionnaire.", "question")
    checked = checked_file(store, vendor_id, data, name, actor=actor, limits=limits)
    record = EvidenceRecord(vendor_id=vendor_id, sha256=checked.sha256, remediation=remediation, question=question,
                            name=checked.name, media_type=checked.kind.media_type, size=checked.size,
                            added_by=actor, expires_on=expires_on)
    return store.evidence.add(record, checked.data)


def checked_file(store: Store, vendor_id: str, data: bytes, name: str | None, *, actor: str,
                 limits: ZipLimits | None = None) -> Checked:
    """The file checked (`supplier_models.evidence.check`); a refusal audited, and raised."""
    try:
        return check(data, name, limits)
    except ActionRefused as exc:
        store.audit.record("evidence_refused", actor=actor, vendor_id=vendor_id, subject=(name or "")[:200],
                           detail={"why": str(exc)[:500], "size": len(data)})
        raise


class EvidenceView(BaseModel):
    """A file as a page lists it."""

    id: str
    name: str
    about: str
    kind: str
    size: str
    added_by: str
    added_at: dt.datetime
    expires_on: dt.date | None = None
    expiry: str = ""
    """expired | expiring | "" (none recorded, or not soon)."""

    @classmethod
    def of(cls, r: EvidenceRecord, today: dt.date) -> EvidenceView:
        kind = MEDIA_TYPES.get(r.media_type, TEXT)
        expiry = "" if r.expires_on is None else "expired" if r.expires_on < today else \
            "expiring" if r.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS) else ""
        about = r.remediation or (f"answer {r.question}" if r.question else "the vendor")
        return cls(id=r.id, name=r.name, about=about, kind=kind.label, size=human_size(r.size), added_by=who(r.added_by),
                   added_at=r.added_at, expires_on=r.expires_on, expiry=expiry)


def who(actor: str) -> str:
    """An actor as a page names it: a staff user's e-mail, or "the vendor" for its portal link."""
    return "the vendor" if actor.startswith("vendor:") else actor


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def evidence_of(store: Store, vendor_id: str, today: dt.date) -> list[EvidenceView]:
    return [EvidenceView.of(r, today) for r in store.evidence.of_vendor(vendor_id)]


def download(store: Store, vendor_id: str, evidence_id: str) -> tuple[EvidenceRecord, bytes, str] | None:
    """(the record, its bytes, the name to download it under), or None when the vendor has no such file."""
    record = store.evidence.get(vendor_id, evidence_id)
    if record is None:
        return None
    return record, store.evidence.content(record), download_name(record.name, MEDIA_TYPES.get(record.media_type,
                                                                                               TEXT))


def remind_expiring(store: Store, settings: Settings, as_of: dt.date) -> list[str]:
    """Tell each vendor's contact and its owner (and FAIRSOURCE_OWNER_EMAIL) of a certificate that expires within
    `EXPIRING_DAYS`, and again once it has expired: a notice each (kind `evidence_expiry`, subject the file's id,
    `<id>@expired` once expired), recorded once, mailed when SMTP is set. The daily run calls it
    (`flows.requalify`). Returns the subjects told now."""
    from .responses import tell

    sent = {subject for _, _, subject in store.notices.sent(("evidence_expiry",))}
    told = []
    for record in store.evidence.expiring_by(as_of + dt.timedelta(days=EXPIRING_DAYS)):
        expired = record.expires_on < as_of
        subject = f"{record.id}@expired" if expired else record.id
        if subject in sent:
            continue
        vendor = store.vendors.get(record.vendor_id)
        if vendor is None:
            continue
        what = (f"The certificate {record.name} of {vendor.name} expired on {record.expires_on}." if expired else
                f"The certificate {record.name} of {vendor.name} expires on {record.expires_on}.")
        to = list(dict.fromkeys(a for a in (vendor.contact_email, vendor.owner, settings.owner_email) if a))
        tell(store, settings, vendor, "evidence_expiry", subject, to,
             f"certificate {record.name} {'expired' if expired else 'expires'} on {record.expires_on}",
             [what, "To do: send the renewed certificate through the portal (Evidence files), with its new expiry "
                    "date."], as_of, reply_to=None)
        told.append(subject)
    return told
