"""Reminder e-mail over SMTP (`FAIRSOURCE_SMTP_URL`), with the standard library's smtplib.

    smtp://host:25                      plain (a relay on the local network, or a test server)
    smtp+starttls://user:pass@host:587  STARTTLS, then login
    smtps://user:pass@host:465          TLS from the start, then login
"""

from __future__ import annotations

import mimetypes
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from supplier_models.errors import ConfigurationError

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


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


def message(sender: str, to: list[str], subject: str, text: str, attachment: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg.set_content(text + "\n\n-- \nSent by fairsource, supplier qualification.\n")
    if attachment and Path(attachment).is_file():
        ctype = mimetypes.guess_type(attachment)[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(Path(attachment).read_bytes(), maintype=maintype, subtype=subtype,
                           filename=Path(attachment).name)
    return msg


def send_all(url: str, messages: list[EmailMessage], timeout: float = 30) -> None:
    """Send every message over one connection; raises OSError/SMTPException (a task retries them)."""
    if not messages:
        return
    with _connect(url, timeout) as server:
        for msg in messages:
            server.send_message(msg)
