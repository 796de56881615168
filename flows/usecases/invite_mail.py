"""A vendor's portal link by e-mail: the message that reaches its contact when the web app makes a link and
`FAIRSOURCE_SMTP_URL` is set (the link itself is shown once to the admin too, to send another way)."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

from supplier_models import Settings

from .mail import SIGNATURE, envelope, send_all


def invite_message(settings: Settings, *, vendor: str, to: str, link: str, expires: dt.date,
                   reply_to: str | None) -> EmailMessage:
    """Plain text: who invites, what the portal is for, the link, until when it works, how to reply."""
    who = settings.organisation or "We"
    subject = f"{settings.organisation + ': ' if settings.organisation else ''}supplier qualification " \
              f"portal link for {vendor}"
    msg = envelope(settings.mail_from, to, subject, reply_to)
    msg.set_content("\n".join([
        "Hello,", "",
        f"{who} {'invite' if who == 'We' else 'invites'} {vendor} to answer the supplier qualification "
        "questionnaire through its portal:", "",
        link, "",
        f"The link is for {vendor} alone and works until {expires.isoformat()} (UTC). In the portal you download "
        "the questionnaire (an Excel workbook), upload it once filled in, and see the outcome and anything left "
        "to do.", "",
        "Questions: reply to this message." if reply_to else "", "",
        "--", SIGNATURE]))
    return msg


def mail_invite(settings: Settings, *, vendor: str, to: str | None, link: str, expires: dt.date,
                reply_to: str | None) -> tuple[bool, str]:
    """Send the link to the vendor's contact: (sent, what to tell the admin)."""
    if not to:
        return False, "No contact e-mail on file: send the link yourself."
    if not settings.smtp_url:
        return False, "E-mail is not set up (FAIRSOURCE_SMTP_URL): send the link yourself."
    try:
        send_all(settings.smtp_url, [invite_message(settings, vendor=vendor, to=to, link=link, expires=expires,
                                                    reply_to=reply_to)], timeout=15)
    except (OSError, smtplib.SMTPException) as exc:
        return False, f"The e-mail to {to} could not be sent ({exc.__class__.__name__}): send the link yourself."
    return True, f"Sent by e-mail to {to}."
