"""The baseline of `bench/vendors_scale.py`: plain SQL (SQLAlchemy Core `text`, one pooled connection) returning
the rows each page shows, without the app: no session check, no status rules, no template, no HTTP.

The vendors list and the API: the page's rows of vendor joined with vendor_state in name order after the cursor,
and the counts the list page shows (vendors matching, vendors in all). The dashboard: the counts by status, and
the count and first ten of each panel (reviews waiting, expiring in 30/60/90 days, overdue remediations), and the
countries grouped. A vendor: its row, latest assessment (with its decision data), history, remediations, reviews,
latest SOW. The CSV: every row of the list, fetched in one query.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

STATUS = "COALESCE(s.status, 'awaiting_submission')"
LIST = (f"SELECT v.id, v.name, v.contact_email, {STATUS}, s.decision, s.valid_until, s.review_on, s.review_pending, "
        "s.open_remediations - s.overdue_remediations, s.overdue_remediations, s.band, s.countries "
        "FROM vendor v LEFT JOIN vendor_state s ON s.vendor_id = v.id ")
COUNT = "SELECT count(*) FROM vendor v "
COUNTRY = "v.id IN (SELECT vendor_id FROM vendor_place WHERE iso2 = :country)"


def _where(after: tuple[str, str] | None, country: str | None) -> tuple[str, dict]:
    parts, params = [], {}
    if country:
        parts.append(COUNTRY)
        params["country"] = country
    if after:
        parts.append("(v.name, v.id) > (:name, :vid)")
        params.update(name=after[0], vid=after[1])
    return ("WHERE " + " AND ".join(parts) + " " if parts else ""), params


def list_page(conn, limit: int, after: tuple[str, str] | None = None, country: str | None = None,
              counts: bool = True) -> list:
    """A page of the list (limit rows after `after`), and the counts the web page shows (not the API)."""
    where, params = _where(after, country)
    rows = conn.execute(text(LIST + where + "ORDER BY v.name, v.id LIMIT :limit"), {**params, "limit": limit}).all()
    if counts:  # a country alone: its vendors counted from their places (the index), as the app counts them
        rows.append(conn.execute(text("SELECT count(DISTINCT vendor_id) FROM vendor_place WHERE iso2 = :country"),
                                 {"country": country}).scalar_one() if country else
                    conn.execute(text(COUNT)).scalar_one())
        rows.append(conn.execute(text("SELECT count(*) FROM vendor")).scalar_one())
    return rows


def cursor_at(conn, offset: int, country: str | None = None) -> tuple[str, str] | None:
    """(name, id) of the vendor at `offset` in the list's order (where page offset/size + 1 starts after)."""
    where, params = _where(None, country)
    row = conn.execute(text("SELECT v.name, v.id FROM vendor v LEFT JOIN vendor_state s ON s.vendor_id = v.id "
                            + where + "ORDER BY v.name, v.id LIMIT 1 OFFSET :o"), {**params, "o": offset}).first()
    return tuple(row) if row else None


def dashboard(conn, today: dt.date) -> list:
    out: list = [conn.execute(text("SELECT status, count(*) FROM vendor_state GROUP BY status")).all(),
                 conn.execute(text("SELECT count(*) FROM vendor")).scalar_one()]
    out.append(conn.execute(text("SELECT count(*) FROM vendor_state WHERE review_pending")).scalar_one())
    out += conn.execute(text("SELECT s.vendor_id, v.name, s.assessed_on FROM vendor_state s JOIN vendor v ON "
                             "v.id = s.vendor_id WHERE s.review_pending "
                             "ORDER BY s.assessed_on, v.name LIMIT 10")).all()
    start = today
    for days in (30, 60, 90):
        end = today + dt.timedelta(days=days)
        window = "s.valid_until >= :a AND s.valid_until <= :b AND s.decision <> 'not_qualified'"
        out.append(conn.execute(text("SELECT count(*) FROM vendor_state s WHERE " + window),
                                {"a": start, "b": end}).scalar_one())
        out += conn.execute(text("SELECT s.vendor_id, v.name, s.valid_until FROM vendor_state s JOIN vendor v ON "
                                 "v.id = s.vendor_id WHERE " + window + " ORDER BY s.valid_until, v.name LIMIT 10"),
                            {"a": start, "b": end}).all()
        start = end + dt.timedelta(days=1)
    overdue = "r.state = 'open' AND r.due_date < :on"
    out.append(conn.execute(text("SELECT count(*) FROM remediation r WHERE " + overdue), {"on": today}).scalar_one())
    out += conn.execute(text("SELECT r.vendor_id, v.name, r.code, r.priority, r.due_date, r.action FROM remediation r "
                             "JOIN vendor v ON v.id = r.vendor_id WHERE " + overdue +
                             " ORDER BY r.due_date, v.name, r.code LIMIT 10"), {"on": today}).all()
    out += conn.execute(text("SELECT iso2, min(name), band, count(*), coalesce(sum(workers), 0) FROM vendor_place "
                             "GROUP BY iso2, band")).all()
    return out


def vendor(conn, vendor_id: str) -> list:
    p = {"v": vendor_id}
    return [conn.execute(text("SELECT * FROM vendor WHERE id = :v"), p).all(),
            conn.execute(text("SELECT * FROM vendor_state WHERE vendor_id = :v"), p).all(),
            conn.execute(text("SELECT * FROM assessment WHERE vendor_id = :v ORDER BY created_at DESC"), p).all(),
            conn.execute(text("SELECT * FROM remediation WHERE vendor_id = :v ORDER BY code"), p).all(),
            conn.execute(text("SELECT * FROM review WHERE vendor_id = :v ORDER BY at"), p).all(),
            conn.execute(text("SELECT * FROM sow_document WHERE vendor_id = :v ORDER BY created_at DESC LIMIT 1"),
                         p).all()]


def every_row(conn) -> int:
    """The whole list, streamed from one query: how many rows."""
    result = conn.execution_options(stream_results=True, yield_per=1000).execute(text(LIST + "ORDER BY v.name, v.id"))
    return sum(len(chunk) for chunk in result.partitions())
