"""What admins do: read the audit log (a page at a time, filtered) and export it as CSV (staff users: `users`;
portal links: `invites`)."""

import csv
import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from flows.usecases import audit_log
from supplier_models.errors import ActionRefused, WebError
from supplier_models.store.rows import AuditFilters

from .. import audit_words
from ..deps import Admin, StoreDep
from ..downloads import as_text
from ..rendering import render
from ..schemas import PAGE_SIZES, AuditLogFilters

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, staff: Admin, filters: Annotated[AuditLogFilters, Query()],
               store: StoreDep) -> Response:
    """The audit log newest first, a page at a time (`size`, and a cursor for the next page), narrowed in SQL by
    who, action, vendor and days, with how many events match."""
    narrowed, notices = filters.narrowed()
    try:
        page = audit_log.audit_page(store, narrowed, cursor=filters.cursor or None, limit=filters.size)
    except ActionRefused:  # a cursor from a hand-made URL: the first page
        filters = filters.model_copy(update={"cursor": ""})
        page = audit_log.audit_page(store, narrowed, limit=filters.size)
    filtered = any(narrowed)
    return render(request, "audit.html", events=[audit_words.shown(e) for e in page.events], filters=filters,
                  error=" ".join(notices) or None, actions=sorted(audit_words.ACTIONS.items(), key=lambda item: item[1]),
                  sizes=PAGE_SIZES, matching=store.audit.count(narrowed),
                  total=store.audit.count(AuditFilters()) if filtered else None, filtered=filtered,
                  next_query=filters.query(cursor=page.cursor) if page.cursor else None,
                  first_query=filters.query(cursor="") if filters.cursor else None,
                  csv_query=filters.query(cursor="", size=50))


@router.get("/audit.csv")
def audit_csv(staff: Admin, filters: Annotated[AuditLogFilters, Query()], store: StoreDep) -> Response:
    """The events the filters let through (all of their pages), newest first, as CSV: streamed a thousand at a
    time, so the memory does not grow with the log. No server path; a cell a spreadsheet would take for a formula
    is written as text. The export is recorded first (so it is the file's first line when the filters let it
    through); a day that is not a date is refused (400), not exported unfiltered."""
    narrowed, problems = filters.narrowed()
    if problems:
        raise WebError(" ".join(p.replace(": not applied.", ".") for p in problems) + " Nothing was exported.")

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(audit_words.CSV_COLUMNS)
        for events in audit_log.all_events(store, narrowed):
            writer.writerows([as_text(cell) for cell in audit_words.csv_cells(e)] for e in events)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    store.audit.record("audit_exported", actor=staff.email, detail={"filters": filters.query(cursor="", size=50)})
    day = dt.date.today().isoformat()
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit-{day}.csv"', "Cache-Control": "no-store"})
