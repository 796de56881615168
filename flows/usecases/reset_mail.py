"""A staff user's password-reset link by e-mail: the message that reaches them when an admin sends one and
`FAIRSOURCE_SMTP_URL` is set (the link is shown once to the admin too, to pass on another way)."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

from supplier_models import Settings

from .mail import SIGNATURE, envelope, send_all


def reset_message(settings: Settings, *, to: str, link: str, expires: dt.datetime, reply_to: str | None
                  ) -> EmailMessage:
    """Plain text: what the link is for, the link, until when it works (once), what to do if it was not asked for."""
    msg = envelope(settings.mail_from, to,
                   f"{settings.organisation + ': ' if settings.organisation else ''}set your fairsource password",
                   reply_to)
    msg.set_content("\n".join([
        "Hello,", "",
        f"An administrator of fairsource, the supplier qualification{' of ' + settings.organisation if settings.organisation else ''}, "
        f"sent you this link to set a new password for {to}:", "",
        link, "",
        f"It works once, until {expires.strftime('%Y-%m-%d %H:%M')} UTC. Setting the password signs you out "
        "everywhere you were signed in.", "",
        "If you did not expect this message, do not use the link, and tell the administrator"
        f"{' (reply to this message)' if reply_to else ''}.", "",
        "--", SIGNATURE]))
    return msg


def mail_reset(settings: Settings, *, to: str, link: str, expires: dt.datetime, reply_to: str | None
               ) -> tuple[bool, str]:
    """Send the link to the user: (sent, what to tell the admin)."""
    if not settings.smtp_url:
        return False, f"E-mail is not set up (FAIRSOURCE_SMTP_URL): give the link to {to} yourself."
    try:
        send_all(settings.smtp_url, [reset_message(settings, to=to, link=link, expires=expires, reply_to=reply_to)],
                 timeout=15)
    except (OSError, smtplib.SMTPException) as exc:
        return False, f"The e-mail to {to} could not be sent ({exc.__class__.__name__}): give them the link yourself."
    return True, f"Sent by e-mail to {to}."
