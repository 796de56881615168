"""The vendors, for the analysts: the list with its filters, a vendor's page, a reviewer's review of a decision
and closing of a remediation, and the SOW as stored (.docx) or converted to PDF."""

import csv
import datetime as dt
import io
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from flows import usecases
from flows.usecases.vendor_list import every_listed, list_order, rows_for_the_day
from flows.usecases.vendor_list import vendor_page as vendor_list_page
from scoring.terms import BANDS, STATUSES
from sow_templates import pdf as sow_pdf
from supplier_models import Settings, Store
from supplier_models.errors import ActionRefused, NotFound, PdfUnavailable, WebError
from supplier_models.questionnaire import current as current_questionnaire
from supplier_models.store.rows import UNASSIGNED, ListedVendor, ListFilters, ListOrder
from supplier_models.store.tables import Vendor
from supplier_models.workbooks.portfolio import write_list

from ..deps import InputsDep, Reviewer, SettingsDep, StoreDep, Viewer, check_csrf
from ..downloads import DOCX, PDF, XLSX, as_text, send_file
from ..queries import vendor_context, vendor_or_404
from ..rendering import render, sentence
from ..schemas import PAGE_SIZES, VendorFilters

router = APIRouter(include_in_schema=False)
NOTICES = {"owner": "Owner recorded.", "review": "Review recorded.", "remediation": "Remediation closed.", "revoked": "Portal link revoked.",
           "evidence": "File attached.", "evidence_again": "This file was attached here before: nothing was stored again.",
           "response_accepted": "Response accepted.", "response_rejected": "Response rejected.",
           "assigned": "Review assigned.", "assigned_mailed": "Review assigned; the assignee was told by e-mail.",
           "unassigned": "Review unassigned: it waits on My work for someone to take it.",
           "response_assigned": "Response assigned.",
           "response_assigned_mailed": "Response assigned; the assignee was told by e-mail.",
           "response_unassigned": "Response unassigned: it waits on My work for someone to take it."}  # (routers/work.py)


@router.get("/vendors", response_class=HTMLResponse)
def vendors_page(request: Request, staff: Viewer, filters: Annotated[VendorFilters, Query()], store: StoreDep,
                 inputs: InputsDep, settings: SettingsDep) -> Response:
    """The vendors a page at a time (`size`, and a cursor for the next page), narrowed by the filters in SQL over
    the state rows and sorted by a column, with how many match and how many there are."""
    narrowed, order = listing(filters, inputs)
    today = dt.date.today()
    try:
        page = vendor_list_page(store, settings, today, narrowed, cursor=filters.cursor or None, limit=filters.size,
                                order=order)
    except ActionRefused:  # a cursor from a hand-made URL, or of another order: the first page
        filters = filters.model_copy(update={"cursor": ""})
        page = vendor_list_page(store, settings, today, narrowed, limit=filters.size, order=order)
    places = {geo.vendor_id: Places(geo.geo_band, [{k: c[k] for k in ("iso2", "name", "band")}
                                                   for c in geo.countries])
              for geo in store.views.geography(vendor_ids=[v.vendor_id for v in page.vendors])} if page.vendors else {}
    return render(request, "vendors.html", rows=page.vendors, filters=filters, q=filters.q, status=filters.status,
                  statuses=STATUSES, bands=BANDS, services=services(), places=places, sizes=PAGE_SIZES,
                  owners=[u.email for u in store.staff.all()], unassigned=UNASSIGNED,
                  matching=store.states.count(narrowed), total=store.states.count(ListFilters()),
                  next_query=filters.query(cursor=page.cursor) if page.cursor else None,
                  first_query=filters.query(cursor="") if filters.cursor else None,
                  export_query=filters.query(cursor="", size=50))


EXPORT_COLUMNS = ("vendor", "vendor_id", "status", "decision", "valid_until", "review_on", "review_pending",
                  "open_remediations", "overdue_remediations", "band", "countries", "contact", "owner")
"""The columns of an exported list (new ones go at the end)."""
SHEET_COLUMNS = {"vendor": 30, "status": 15, "decision": 12, "valid_until": 10.5, "review_on": 10.5,
                 "review_pending": 8, "open_remediations": 12.5, "overdue_remediations": 12.5, "band": 9,
                 "countries": 10, "contact": 24, "owner": 24, "vendor_id": 37}
"""The workbook's columns and widths: as the CSV's, with the vendor id last, on screen only (not printed)."""


def exported(v: ListedVendor) -> list[object]:
    return [v.vendor, v.vendor_id, v.status, v.decision, v.valid_until, v.review_on, v.review_pending,
            v.open_remediations, v.overdue_remediations, v.band, " ".join(v.countries), v.contact, v.owner]


def export_rows(store: Store, settings: Settings, filters: VendorFilters, inputs: usecases.ScoringInputs,
                today: dt.date, staff, kind: str) -> Iterator[list[object]]:
    """The whole list the page's filters and order give, as export rows, read a thousand at a time; audited."""
    narrowed, order = listing(filters, inputs)
    rows_for_the_day(store, settings, today)
    store.audit.record("vendors_exported", actor=staff.email, detail={"filters": filters.query(cursor=""),
                                                                      "format": kind})
    return (exported(v) for v in every_listed(store, narrowed, order))


@router.get("/vendors.csv")
def vendors_csv(staff: Viewer, filters: Annotated[VendorFilters, Query()], store: StoreDep, inputs: InputsDep,
                settings: SettingsDep) -> Response:
    """The list as the filters narrow it and in its order (all of its pages), as CSV: streamed a thousand rows at
    a time, so the memory does not grow with the vendors. A cell that a spreadsheet would read as a formula is
    written as text."""
    today = dt.date.today()
    rows = export_rows(store, settings, filters, inputs, today, staff, "csv")

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        while chunk := list(itertools.islice(rows, 1000)):
            writer.writerows([as_text(value) for value in row] for row in chunk)
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="vendors-{today.isoformat()}.csv"', "Cache-Control": "no-store"})


@router.get("/vendors.xlsx")
def vendors_xlsx(staff: Viewer, filters: Annotated[VendorFilters, Query()], store: StoreDep, inputs: InputsDep,
                 settings: SettingsDep) -> Response:
    """The same list as an Excel workbook: written as a stream (openpyxl's write-only mode) into a file of the
    request's own, sent, then removed; dates are date cells, text is never a formula."""
    today = dt.date.today()
    rows = export_rows(store, settings, filters, inputs, today, staff, "xlsx")
    folder = tempfile.mkdtemp(prefix="fairsource-list-")
    try:
        at = [EXPORT_COLUMNS.index(code) for code in SHEET_COLUMNS]
        path = write_list(([("yes" if r[i] else "no") if isinstance(r[i], bool) else r[i] for i in at] for r in rows),
                          Path(folder) / f"vendors-{today.isoformat()}.xlsx", "Vendors",
                          {code.replace("_", " ").capitalize(): width for code, width in SHEET_COLUMNS.items()},
                          printed=len(SHEET_COLUMNS) - 1)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return send_file(path, XLSX, path.name, then_remove=folder)


class Places(NamedTuple):
    """Where an assessed vendor's workers are, as the list shows it."""

    band: str
    countries: list[dict[str, Any]]
    """Each with iso2, name and band."""


def listing(filters: VendorFilters, inputs: usecases.ScoringInputs) -> tuple[ListFilters, ListOrder]:
    """What the list's URL asks for, as the store narrows and sorts a list (the page and its exports alike)."""
    order = list_order(filters.sort or "vendor", bool(filters.desc))
    return ListFilters(status=filters.status or None, band=filters.band or None,
                       countries=country_codes(filters, inputs), service=filters.service or None,
                       text=filters.q or None, owner=filters.owner or None, until_from=filters.day("until_from"),
                       until_to=filters.day("until_to"),
                       fairwork=int(filters.fairwork) if filters.fairwork else None), order


def country_codes(filters: VendorFilters, inputs: usecases.ScoringInputs) -> tuple[str, ...] | None:
    """The ISO codes the list's country filter names (a code, or a name whole or in part); None: no filter."""
    if not filters.country:
        return None
    return tuple(iso2 for iso2, facts in inputs.reference.countries.items()
                 if filters.country_matches(iso2, facts.name))


def services() -> tuple[str, ...]:
    """The services a vendor may say it offers (COMP-03's choices): the list's service filter."""
    question = current_questionnaire().by_id.get("COMP-03")
    return question.choices if question else ()


@router.get("/vendors/{vendor_id}", response_class=HTMLResponse)
def vendor_page(request: Request, vendor_id: str, staff: Viewer, store: StoreDep, inputs: InputsDep,
                done: str = "") -> Response:
    vendor = vendor_or_404(store, vendor_id)
    return render(request, "vendor.html", notice=NOTICES.get(done),
                  **vendor_context(store, inputs.review_policy, vendor, dt.date.today()))


REVIEW_FIELDS = ("reason", "reviewer", "to", "override_knockout")
"""The review form's fields a refusal may name (the error is shown beside it)."""


def vendor_refused(request: Request, store: Store, inputs: usecases.ScoringInputs, vendor: Vendor,
                   message: str, *, field: str | None = None, typed: dict[str, Any] | None = None) -> Response:
    """The vendor page again, with why the action was refused (as a sentence), and what was typed in the form
    with the error beside its `field`."""
    message = sentence(message.rstrip(".")) + "."
    beside = field in REVIEW_FIELDS and typed is not None
    return render(request, "vendor.html", 400, field=field if beside else None, typed=typed, field_error=message,
                  error="The review was not recorded: see the form below." if beside else message,
                  **vendor_context(store, inputs.review_policy, vendor, dt.date.today()))


@router.post("/vendors/{vendor_id}/review")
def review(request: Request, vendor_id: str, staff: Reviewer, store: StoreDep, settings: SettingsDep,
           inputs: InputsDep, csrf_token: Annotated[str, Form()] = "", decision: Annotated[str, Form()] = "",
           reason: Annotated[str, Form()] = "", to: Annotated[str, Form()] = "",
           override_knockout: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    typed = {"decision": decision, "to": to, "reason": reason, "override_knockout": bool(override_knockout)}
    if decision not in ("approve", "reject", "override"):
        return vendor_refused(request, store, inputs, vendor, "Choose approve, reject or override.", typed=typed)
    try:
        done = usecases.record_review(store, settings, inputs, vendor.id, action=decision, reason=reason,
                                       reviewer=staff.email, to_decision=to or None,
                                       override_knockout=bool(override_knockout))
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, str(exc), field=exc.field, typed=typed)
    store.audit.record(f"web_review_{decision}", actor=staff.email, vendor_id=vendor.id, subject=reason[:1000],
                detail={"to": to or None, "status": done.status.status, "sow": done.sow})
    return RedirectResponse(f"/vendors/{vendor.id}?done=review", status_code=303)


@router.post("/vendors/{vendor_id}/remediations/{code}/close")
def close_remediation(request: Request, vendor_id: str, code: str, staff: Reviewer, store: StoreDep,
                      inputs: InputsDep, csrf_token: Annotated[str, Form()] = "",
                      evidence: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    try:
        closed = usecases.close_remediation(store, vendor.id, code, evidence=evidence, reviewer=staff.email)
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, str(exc))
    store.audit.record("web_remediation_closed", actor=staff.email, vendor_id=vendor.id, subject=closed.id,
                detail={"evidence": evidence[:2000]})
    return RedirectResponse(f"/vendors/{vendor.id}?done=remediation", status_code=303)


@router.post("/vendors/{vendor_id}/owner")
def set_owner(request: Request, vendor_id: str, staff: Reviewer, store: StoreDep, inputs: InputsDep,
              csrf_token: Annotated[str, Form()] = "", owner: Annotated[str, Form()] = "") -> Response:
    """Give the vendor to an analyst (a staff user), or to no one (empty)."""
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    user = store.staff.by_email(owner.strip().lower()) if owner.strip() else None
    if owner.strip() and user is None:
        return vendor_refused(request, store, inputs, vendor, "The owner must be a user of this app (Users page).")
    store.vendors.set_owner(vendor.id, user.email if user else None, actor=staff.email)
    return RedirectResponse(f"/vendors/{vendor.id}?done=owner", status_code=303)


def sow_or_404(store: Store, vendor_id: str, sow_id: str):
    """The SOW the store knows by this id, of this vendor, with its file in place: nothing from the request
    reaches a path."""
    sow = store.sows.get(sow_id)
    if sow is None or sow.vendor_id != vendor_id or not Path(sow.path).is_file():
        raise NotFound("No such SOW for this vendor.")
    return sow


# Registered before the .docx route, whose {sow_id} would take "<id>.pdf" whole.
@router.get("/vendors/{vendor_id}/sows/{sow_id}.pdf")
def download_sow_pdf(request: Request, vendor_id: str, sow_id: str, staff: Viewer, store: StoreDep) -> Response:
    sow = sow_or_404(store, vendor_id, sow_id)
    folder = tempfile.mkdtemp(prefix="fairsource-pdf-")  # per request; removed once the PDF is sent
    pdf = to_pdf(sow.path, folder)
    store.audit.record("sow_pdf_downloaded", actor=staff.email, vendor_id=vendor_id, subject=sow.path,
                detail={"sow_id": sow.id})
    return send_file(pdf, PDF, pdf.name, then_remove=folder)


def to_pdf(docx: str, folder: str) -> Path:
    """The SOW converted by LibreOffice into the folder; a missing LibreOffice or a failed conversion said
    plainly, with the .docx as the way out (and the folder removed)."""
    try:
        return sow_pdf.to_pdf(docx, folder)
    except sow_pdf.LibreOfficeNotFound:
        shutil.rmtree(folder, ignore_errors=True)
        raise PdfUnavailable("A PDF cannot be made here: LibreOffice is not installed on the server. Download "
                             "the Word document (.docx) instead, or ask the administrator to install "
                             "LibreOffice (libreoffice-writer-nogui).") from None
    except sow_pdf.PdfConversionError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise WebError(f"The SOW could not be converted to PDF ({exc}). Download the Word document (.docx) "
                       "instead.", 500) from None


@router.get("/vendors/{vendor_id}/sows/{sow_id}")
def download_sow(request: Request, vendor_id: str, sow_id: str, staff: Viewer, store: StoreDep) -> Response:
    sow = sow_or_404(store, vendor_id, sow_id)
    store.audit.record("sow_downloaded", actor=staff.email, vendor_id=vendor_id, subject=sow.path,
                detail={"sow_id": sow.id})
    return send_file(sow.path, DOCX, Path(sow.path).name)
