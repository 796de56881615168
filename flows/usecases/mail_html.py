"""A digest's HTML part: the same words as its plain text, laid out for a mail client (inline styles, tables).

Every piece of text goes through `esc`: vendor names, answers, reviewers' reasons and remediation texts can hold
`<script>` or `{{ 7*7 }}`, and are shown as written, never run or parsed. No template engine is involved.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .mail import (
    EVIDENCE_DEFAULT,
    MORE_TITLE,
    OPEN_TITLE,
    OVERDUE_TITLE,
    Digest,
    Section,
    contact_line,
    greeting,
    new_reasons,
    reply_line,
    standing,
    summary,
    title,
)
from .notice_words import days
from .notices import Notice, RemediationLine

FONT = 'font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2933;'
MUTED = "color:#52606d;"
BADGE = {"high": "background:#fde2e1;color:#9b1c1c;", "normal": "background:#e4e7eb;color:#323f4b;"}
KIND_COLOUR = {"decision_changed": "#b44d12", "review_outcome": "#2f6fb3", "expired": "#9b1c1c",
               "reattestation_requested": "#2f8f5b", "review_waiting": "#6b4fbb"}


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def render_html(d: Digest) -> str:
    intro = "".join(f"<p style='margin:0 0 12px'>{esc(p)}</p>" for p in greeting(d).split("\n\n"))
    body = "".join(_section(d, s) for s in d.sections)
    if d.more:
        body += (f"<h3 style='font-size:15px;margin:24px 0 6px'>{esc(MORE_TITLE)}</h3><ul style='margin:0 0 0 18px;"
                 f"padding:0;font-size:14px'>" + "".join(f"<li>{esc(summary(s))}</li>" for s in d.more) + "</ul>")
    reply = "" if d.owner else f"<p style='margin:20px 0 0'><strong>How to reply.</strong> {esc(reply_line(d))}</p>"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(d.subject)}</title></head>"
            f"<body style='margin:0;padding:24px;background:#f5f7fa;{FONT}'>"
            f"<div style='max-width:760px;margin:0 auto;background:#ffffff;border:1px solid #d9e2ec;"
            f"border-radius:6px;padding:24px 28px;font-size:15px;line-height:1.45'>"
            f"<div style='font-size:13px;letter-spacing:.04em;text-transform:uppercase;{MUTED}'>fairsource &middot; "
            f"supplier qualification &middot; {esc(d.as_of)}</div>"
            f"<h1 style='font-size:20px;margin:8px 0 16px'>{esc(d.subject)}</h1>{intro}{body}{reply}"
            f"<p style='margin:24px 0 0;font-size:12px;{MUTED}'>Sent by fairsource, supplier qualification.</p>"
            "</div></body></html>")


def _section(d: Digest, s: Section) -> str:
    f = s.facts
    owner = ""
    if d.owner:
        owner = f"<p style='margin:4px 0;font-size:14px;{MUTED}'>{esc(contact_line(s))}</p>"
        if f.link:
            owner += (f"<p style='margin:4px 0 0'><a href='{esc(f.link)}' style='color:#2f6fb3'>Open "
                      f"{esc(f.vendor)} in fairsource</a></p>")
    shown: set[str] = set()
    items = "".join(_item(n, number, shown) for number, n in enumerate(s.items, start=1))
    if s.overdue:
        items += _overdue(s, len(s.items) + 1, shown, d.as_of)
    return (f"<div style='margin:24px 0 0;padding:16px 0 0;border-top:2px solid #d9e2ec'>"
            f"<h2 style='font-size:18px;margin:0 0 4px'>{esc(f.vendor)}</h2>"
            f"<p style='margin:0;font-size:14px'>{esc(standing(f))}</p>{owner}{items}{_remediations(s, d.as_of)}</div>")


def _why(why: list[str], shown: set[str]) -> str:
    fresh, repeated = new_reasons(why, shown)
    more = "<li style='color:#52606d'>and the reasons above</li>" if fresh and repeated else ""
    if not fresh:
        return "<p style='margin:6px 0 0'><strong>Why:</strong> as above.</p>" if repeated else ""
    items = "".join(f"<li>{esc(w)}</li>" for w in fresh)
    return (f"<div style='margin:6px 0 0'><strong>Why</strong><ul style='margin:2px 0 0 18px;padding:0'>{items}{more}"
            "</ul></div>")


def _item(n: Notice, number: int, shown: set[str]) -> str:
    colour = KIND_COLOUR.get(n.kind, "#b7791f")
    by = f"<p style='margin:6px 0 0'><strong>By:</strong> {esc(n.by)}</p>" if n.by else ""
    return (f"<div style='margin:14px 0 0;padding:10px 14px;border-left:4px solid {colour};background:#f8fafc'>"
            f"<div style='font-weight:600'>{number}. {esc(title(n))}</div>"
            f"<p style='margin:6px 0 0'>{esc(n.what)}</p>{_why(n.why, shown)}"
            f"<p style='margin:6px 0 0'><strong>To do:</strong> {esc(n.todo)}</p>{by}</div>")


def _overdue(s: Section, number: int, shown: set[str], as_of: dt.date) -> str:
    return (f"<div style='margin:14px 0 0;padding:10px 14px;border-left:4px solid #9b1c1c;background:#fff5f5'>"
            f"<div style='font-weight:600'>{number}. {esc(OVERDUE_TITLE)}</div>"
            f"{_table(s.told_overdue, as_of)}{_why([w for n in s.overdue for w in n.why], shown)}</div>")


def _remediations(s: Section, as_of: dt.date) -> str:
    if not s.others:
        return ""
    return f"<h3 style='font-size:15px;margin:18px 0 6px'>{esc(OPEN_TITLE)}</h3>{_table(s.others, as_of)}"


def _table(lines: list[RemediationLine], as_of: dt.date) -> str:
    cell = "padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top;text-align:left"
    rows = "".join(
        f"<tr><td style='{cell};font-weight:600'>{esc(r.id)}</td><td style='{cell}'>{esc(r.action)}</td>"
        f"<td style='{cell}'>{esc(r.evidence or EVIDENCE_DEFAULT)}</td>"
        f"<td style='{cell};white-space:nowrap'>{_due(r, as_of)}</td></tr>"
        for r in lines)
    head = "".join(f"<th style='{cell};font-size:13px;{MUTED}'>{h}</th>"
                   for h in ("Id", "Action", "Evidence needed", "Due"))
    return (f"<table style='border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 0'><tr>{head}</tr>{rows}"
            "</table>")


def _due(r: RemediationLine, as_of: dt.date) -> str:
    late = (f"<br><span style='color:#9b1c1c;font-weight:600'>{esc(days(as_of - r.due_date))} overdue</span>"
            if r.overdue else "")
    return (f"{esc(r.due_date)}{late}<br><span style='font-size:12px;padding:1px 6px;border-radius:3px;"
            f"{BADGE.get(r.priority, '')}'>{esc(r.priority)} priority</span>")
