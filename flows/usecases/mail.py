"""Notices by e-mail: one digest per recipient per run (all of that recipient's notices, grouped by vendor), as
plain text and HTML with the pre-filled forms attached, sent over SMTP (`FAIRSOURCE_SMTP_URL`) with the standard
library's smtplib.

    smtp://host:25                      plain (a relay on the local network, or a test server)
    smtp+starttls://user:pass@host:587  STARTTLS, then login
    smtps://user:pass@host:465          TLS from the start, then login

Every piece of text in the HTML part is escaped: vendor names and answers are the vendor's own words.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field

from scoring.terms import STATUS_LABELS
from supplier_models.errors import ConfigurationError

from .notice_words import days, words
from .notices import Notice, RemediationLine, VendorFacts

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
SIGNATURE = "Sent by fairsource, supplier qualification."
OVERDUE_TITLE = "Overdue remediations: do them now and send the evidence each needs"
OPEN_TITLE = "Open remediations"
EVIDENCE_DEFAULT = "what shows it is done"
FULL_SECTIONS = 50
MORE_TITLE = ("More vendors, one line each (every notice is in the run's table artifact `requalification-reminders`, "
              "and each vendor's page in fairsource)")
POLICY = policy.default.clone(max_line_length=998)
"""RFC 5322's hard limit: a subject is never folded (folded, a long one began with a space in some readers)."""


class Section(BaseModel):
    """One vendor's part of a digest."""

    facts: VendorFacts
    items: list[Notice] = Field(description="the notices, overdue remediations left out (see `overdue`)")
    overdue: list[Notice] = Field(default_factory=list, description="the overdue remediations told this run")

    @property
    def told_overdue(self) -> list[RemediationLine]:
        """The remediations told as overdue in this digest, as the vendor's register has them."""
        told = {n.subject_id.split("@")[0] for n in self.overdue}
        return [r for r in self.facts.remediations if r.id in told]

    @property
    def others(self) -> list[RemediationLine]:
        """The vendor's open remediations not told as overdue in this digest."""
        told = {n.subject_id.split("@")[0] for n in self.overdue}
        return [r for r in self.facts.remediations if r.id not in told]

    @property
    def attachments(self) -> list[str]:
        return list(dict.fromkeys(n.attachment for n in self.items if n.attachment))


class Digest(BaseModel):
    """Everything one recipient is told by one run."""

    to: str
    owner: bool = Field(description="the procurement owner (FAIRSOURCE_OWNER_EMAIL), not a vendor's contact")
    as_of: dt.date
    sections: list[Section]
    more: list[Section] = Field(default_factory=list, description=f"past the first {FULL_SECTIONS} vendors: one "
                                                                   "line each (a mail that stays readable)")
    organisation: str = ""
    reply_to: str | None = Field(None, description="where a vendor's reply goes (the owner)")

    @property
    def count(self) -> int:
        return sum(len(s.items) + len(s.overdue) for s in self.sections + self.more)

    @property
    def vendors(self) -> int:
        return len(self.sections) + len(self.more)

    @property
    def subject(self) -> str:
        if self.vendors == 1:
            s = self.sections[0]
            first = (s.items or s.overdue)[0]
            more = self.count - 1
            subject = first.subject + (f" (and {more} more notice{'s' if more > 1 else ''})" if more else "")
        else:
            subject = (f"fairsource, {self.as_of}: {self.count} notices on {self.vendors} vendors "
                       f"({', '.join(s.facts.vendor for s in self.sections[:3])}"
                       f"{', ...' if self.vendors > 3 else ''})")
        return one_line(subject)[:250]


def one_line(text: str) -> str:
    """Text fit for a header: no line breaks or control characters (a vendor's name could carry them)."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def digests(notices: list[Notice], *, owner_email: str | None, as_of: dt.date, organisation: str = "",
            ) -> list[Digest]:
    """One digest per recipient, the vendors in the order of the notices (already most urgent first per vendor)."""
    by_address: dict[str, dict[str, list[Notice]]] = {}
    for n in notices:
        for address in dict.fromkeys(n.to):
            by_address.setdefault(address, {}).setdefault(n.vendor_id, []).append(n)
    out = []
    for address, vendors in by_address.items():
        owner = bool(owner_email) and address.lower() == (owner_email or "").lower()
        sections = []
        for items in vendors.values():
            facts = items[0].facts or VendorFacts(vendor=items[0].vendor, vendor_id=items[0].vendor_id,
                                                  status="", decision="")
            shown = [n for n in items if n.shown]
            overdue = sorted((n for n in shown if n.kind == "remediation_overdue"), key=_by_due)
            sections.append(Section(facts=facts, items=[n for n in shown if n.kind != "remediation_overdue"],
                                    overdue=overdue))
        out.append(Digest(to=address, owner=owner, as_of=as_of, sections=sections[:FULL_SECTIONS],
                          more=sections[FULL_SECTIONS:], organisation=organisation,
                          reply_to=None if owner else owner_email))
    return out


def _by_due(n: Notice) -> tuple:
    code = n.subject_id.split("@")[0]
    return n.by or dt.date.max, int(code[1:]) if code[1:].isdigit() else 0, code


def standing(f: VendorFacts) -> str:
    """Where the vendor stands, in one sentence."""
    label = STATUS_LABELS.get(f.status, f.status.replace("_", " ").capitalize())
    if f.decision == "not_qualified":
        dates = f"; looked at again on {f.review_on}" if f.review_on else ""
        sow = (f"Last SOW issued: {f.sow_reference} ({f.sow_status}); no new SOW while not qualified"
               if f.sow_reference else "No SOW")
        return f"Status: {label}{dates}. {sow}."
    decision = f" ({words(f.decision)})" if label.lower() != words(f.decision) else ""
    if f.status == "expired":
        dates = f" on {f.valid_until}"
    else:
        dates = f"{decision} until {f.valid_until}" if f.valid_until else decision
    sow = f"SOW reference {f.sow_reference} ({f.sow_status})" if f.sow_reference else "No SOW issued"
    return f"Status: {label}{dates}. {sow}."


def contact_line(s: Section) -> str:
    """For the owner: who else was told."""
    f = s.facts
    internal = [n for n in s.items if not n.vendor_too]
    if not f.contact:
        return ("No contact address is recorded for this vendor: only you were told. Forward what concerns the "
                "vendor, and record its address (with a portal invite from the vendor's page in the web app, or "
                "`fairsource form --contact`).")
    if len(internal) == len(s.items) and not s.overdue:
        return f"Vendor contact: {f.contact} (not told: internal)."
    return f"Vendor contact: {f.contact} (told too{', except of the review waiting' if internal else ''})."


def reply_line(d: Digest) -> str:
    """How a vendor returns the form or evidence (its portal links are stored hashed: we cannot resend them)."""
    how = "Return forms and evidence through the portal link you were given"
    return how + (", or by replying to this e-mail with the files." if d.reply_to else ".")


def render_text(d: Digest) -> str:
    lines = [greeting(d), ""]
    for s in d.sections:
        lines += [s.facts.vendor, "=" * min(len(s.facts.vendor), 70), standing(s.facts)]
        if d.owner:
            lines.append(contact_line(s))
            if s.facts.link:
                lines.append(f"Open in fairsource: {s.facts.link}")
        lines.append("")
        shown: set[str] = set()
        for number, n in enumerate(s.items, start=1):
            lines += [f"{number}. {title(n)}", *_indent(n.what), *_why(n.why, shown)]
            lines += _indent(f"To do: {n.todo}") + (_indent(f"By: {n.by}") if n.by else []) + [""]
        if s.overdue:
            lines.append(f"{len(s.items) + 1}. {OVERDUE_TITLE}")
            lines += [line for r in s.told_overdue for line in _remediation(r, d.as_of)]
            lines += _why([w for n in s.overdue for w in n.why], shown) + [""]
        if s.others:
            lines.append(OPEN_TITLE)
            lines += [line for r in s.others for line in _remediation(r, d.as_of)] + [""]
    if d.more:
        lines += [f"{MORE_TITLE}:"] + [f"- {summary(s)}" for s in d.more] + [""]
    if not d.owner:
        lines += [reply_line(d), ""]
    return "\n".join(lines) + f"\n-- \n{SIGNATURE}\n"


def summary(s: Section) -> str:
    """A vendor's notices in one line."""
    titles = "; ".join(title(n) for n in s.items) + ("; " if s.items and s.overdue else "") + (
        f"{len(s.overdue)} overdue remediation{'s' if len(s.overdue) > 1 else ''}" if s.overdue else "")
    return f"{s.facts.vendor}: {titles}" + (f" ({s.facts.link})" if s.facts.link else "")


def due_words(r: RemediationLine, as_of: dt.date) -> str:
    """`due 2027-01-22 (high priority)`, or `due 2026-12-23, 32 days overdue (high priority)`."""
    late = f", {days(as_of - r.due_date)} overdue" if r.overdue else ""
    return f"due {r.due_date}{late} ({r.priority} priority)"


def _remediation(r: RemediationLine, as_of: dt.date) -> list[str]:
    return (_indent(f"{r.id}: {r.action}") + _indent(f"Evidence needed: {r.evidence or EVIDENCE_DEFAULT}", 3 + 2 + len(r.id))
            + _indent(due_words(r, as_of).capitalize() + ".", 3 + 2 + len(r.id)))


def new_reasons(why: list[str], shown: set[str]) -> tuple[list[str], bool]:
    """The reasons not given yet in this vendor's part of the mail, and whether some were (said "as above")."""
    fresh = [w for w in dict.fromkeys(why) if w not in shown]
    shown.update(fresh)
    return fresh, len(fresh) < len(set(why))


def _why(why: list[str], shown: set[str]) -> list[str]:
    fresh, repeated = new_reasons(why, shown)
    if not fresh:
        return _indent("Why: as above.") if repeated else []
    return _indent("Why:") + [line for w in fresh for line in _indent(f"- {w}", 5)] + (
        _indent("  (and the reasons above)", 3) if repeated else [])


def greeting(d: Digest) -> str:
    if d.owner:
        return (f"{d.count} notice{'s' if d.count > 1 else ''} of {d.as_of} on {d.vendors} vendor"
                f"{'s' if d.vendors > 1 else ''}, each with what changed, why, what to do and by when. Under each "
                "vendor: whether its contact was told too.")
    of = f" of {d.organisation}" if d.organisation else ""
    return (f"Hello,\n\nThis is fairsource, the supplier qualification{of}. Here is what changed for "
            f"{', '.join(s.facts.vendor for s in d.sections)} and what to do, as of {d.as_of}.")


def title(n: Notice) -> str:
    """The notice's subject without the vendor's name (the section names it)."""
    prefix = f"{n.vendor}: "
    text = n.subject[len(prefix):] if n.subject.startswith(prefix) else n.subject
    return text[:1].upper() + text[1:]


def _indent(text: str, width: int = 3) -> list[str]:
    return [" " * width + line for line in text.splitlines() or [""]]


def envelope(sender: str, to: str, subject: str, reply_to: str | None = None) -> EmailMessage:
    """A message from fairsource, its body still to set: From, To, Subject, Date, a Message-ID on the sender's
    domain, and Reply-To when someone is to be answered."""
    msg = EmailMessage(policy=POLICY)
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "fairsource.localhost")
    if reply_to:
        msg["Reply-To"] = reply_to
    return msg


def message(sender: str, d: Digest) -> EmailMessage:
    """The digest as an e-mail: Date, Message-ID, plain text and HTML, the pre-filled forms attached."""
    from .mail_html import render_html

    msg = envelope(sender, d.to, d.subject, d.reply_to)
    msg.set_content(render_text(d))
    msg.add_alternative(render_html(d), subtype="html")
    for path in dict.fromkeys(p for s in d.sections for p in s.attachments):
        if Path(path).is_file():
            ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
            maintype, subtype = ctype.split("/", 1)
            msg.add_attachment(Path(path).read_bytes(), maintype=maintype, subtype=subtype, filename=Path(path).name)
    return msg


def _connect(url: str, timeout: float) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ConfigurationError(f"FAIRSOURCE_SMTP_URL: {parts.scheme}://... is not one of "
                                 + ", ".join(f"{s}://host:port" for s in SCHEMES))
    port = parts.port or SCHEMES[parts.scheme]
    if parts.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, port, timeout=timeout)
    else:
        server = smtplib.SMTP(parts.hostname, port, timeout=timeout)
        if parts.scheme == "smtp+starttls":
            server.starttls()
    if parts.username:
        server.login(unquote(parts.username), unquote(parts.password or ""))
    return server


def send_all(url: str, messages: list[EmailMessage], timeout: float = 30) -> None:
    """Send every message over one connection; raises OSError/SMTPException (a task retries them)."""
    if not messages:
        return
    with _connect(url, timeout) as server:
        for msg in messages:
            server.send_message(msg)
