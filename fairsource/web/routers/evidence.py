"""Evidence files and remediation responses, both sides: a vendor attaches files and answers its open remediations
through its portal link; an analyst attaches files from the vendor's page, downloads them, and accepts or rejects
a vendor's response. A file is read with the 20 MB cap, its kind decided from its content
(`supplier_models.evidence`); it is sent back by its evidence id only, never by a name from the request."""

import datetime as dt
import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from fairsource import accounts
from flows.usecases import evidence as evidence_use
from flows.usecases import responses as responses_use
from supplier_models.errors import ActionRefused, NotFound, UploadTooLarge
from supplier_models.evidence import display_name

from ..body_limit import BODY_SLACK
from ..deps import InputsDep, PortalVendorDep, Reviewer, SettingsDep, StateDep, StoreDep, Viewer, check_csrf
from ..queries import vendor_context, vendor_or_404
from ..rendering import render
from ..uploads import MAX_UPLOAD, read_capped
from .portal import portal_page

router = APIRouter(include_in_schema=False)

MAX_FILES = 5
"""Files one remediation response may carry, each up to 20 MB."""
_MB = MAX_UPLOAD // (1024 * 1024)
BODY_LIMITS = (
    # one file: read with the cap, so a file a little over 20 MB is refused by name; far over it, before it is read
    (re.compile(r"/(portal/[^/]+|vendors/[^/]+)/evidence"), 2 * (MAX_UPLOAD + BODY_SLACK),
     f"The file is far larger than {_MB} MB: an evidence file is at most {_MB} MB. Send a smaller file (a PDF of "
     "fewer pages, a smaller image). Nothing was stored."),
    (re.compile(r"/portal/[^/]+/remediations/[^/]+/respond"), MAX_FILES * (MAX_UPLOAD + BODY_SLACK),
     f"The files together are larger than {MAX_FILES * _MB} MB: send at most {MAX_FILES} files, each at most "
     f"{_MB} MB. Nothing was stored."),
)
"""The request body limits of the evidence routes (`body_limit.BodyLimit` patterns)."""


def _day(text: str, field: str, label: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ActionRefused(f"{label} must be a date (YYYY-MM-DD).", field) from None


def read_named(upload: UploadFile) -> bytes:
    """The file read with the 20 MB cap; over it, refused naming the file."""
    try:
        return read_capped(upload)
    except UploadTooLarge:
        raise ActionRefused(f"{display_label(upload.filename)}: the file is over {_MB} MB; an evidence file is at "
                            f"most {_MB} MB. Send a smaller file (a PDF of fewer pages, a smaller image). Nothing "
                            "was stored.", "file") from None


def display_label(name: str | None) -> str:
    try:
        return display_name(name)
    except ActionRefused:
        return (name or "file")[-200:]


def _sent(files: list[UploadFile]) -> list[UploadFile]:
    """The files a form sent (a browser sends an empty part for a file input left empty)."""
    return [f for f in files if f.filename or (f.size or 0) > 0]


def attachment(data: bytes, media_type: str, name: str) -> Response:
    """The file as an attachment under its name (ASCII, and in full as RFC 5987), never sniffed nor cached."""
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


# -- the vendor, through its portal link ------------------------------------------------------------------------
@router.post("/portal/{token}/evidence")
def portal_attach(request: Request, token: str, vendor: PortalVendorDep, web: StateDep,
                  file: Annotated[UploadFile, File()], csrf_token: Annotated[str, Form()] = "",
                  remediation: Annotated[str, Form()] = "", question: Annotated[str, Form()] = "",
                  expires_on: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        added = evidence_use.attach(web.store, vendor.vendor_id, read_named(file), file.filename,
                                    actor=vendor.actor, remediation=remediation, question=question,
                                    expires_on=_day(expires_on, "expires_on", "The expiry date"),
                                    limits=web.zip_limits)
    except ActionRefused as exc:
        return portal_page(request, web, vendor, token, 422, evidence_error=str(exc))
    return RedirectResponse(f"/portal/{token}?evidence={'again' if added.duplicate else 'added'}#evidence",
                            status_code=303)


@router.get("/portal/{token}/evidence/{evidence_id}")
def portal_download(token: str, evidence_id: str, vendor: PortalVendorDep, web: StateDep) -> Response:
    return _download(web.store, vendor.vendor_id, evidence_id, vendor.actor, audited=False)


@router.post("/portal/{token}/remediations/{code}/respond")
def portal_respond(request: Request, token: str, code: str, vendor: PortalVendorDep, web: StateDep,
                   csrf_token: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
                   text: Annotated[str, Form()] = "", due_date: Annotated[str, Form()] = "",
                   files: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006 (FastAPI's default)
    """The vendor's response: every file checked before any is stored (one refused: nothing is stored)."""
    check_csrf(request, csrf_token)
    store = web.store
    try:
        asked = _day(due_date, "due_date", "The new due date")
        if len(_sent(files)) > MAX_FILES:
            raise ActionRefused(f"Send at most {MAX_FILES} files with one response.", "files")
        sent = [(read_named(f), f.filename) for f in _sent(files)]
        the_vendor = vendor_or_404(store, vendor.vendor_id)
        responses_use.validate(store, the_vendor, code, kind=kind, text=text, due_date=asked, with_files=bool(sent))
        for data, name in sent:  # every file checked before any is stored
            evidence_use.checked_file(store, vendor.vendor_id, data, name, actor=vendor.actor, limits=web.zip_limits)
        ids = [evidence_use.attach(store, vendor.vendor_id, data, name, actor=vendor.actor, remediation=code,
                                   limits=web.zip_limits).record.id for data, name in sent]
        responses_use.respond(store, web.settings, the_vendor, code, kind=kind, text=text, due_date=asked,
                              evidence_ids=ids, actor=vendor.actor, today=dt.date.today())
    except ActionRefused as exc:
        return portal_page(request, web, vendor, token, 422, response_error=str(exc), response_code=code.upper(),
                           typed={"kind": kind, "text": text, "due_date": due_date})
    return RedirectResponse(f"/portal/{token}?responded={code.upper()}#remediations", status_code=303)


# -- the analysts, from the vendor's page ----------------------------------------------------------------------
def vendor_refused(request: Request, store, inputs, vendor, message: str) -> Response:
    """The vendor's page again, with why the action was refused, as said (a file's name first, as it is)."""
    return render(request, "vendor.html", 400, error=message,
                  **vendor_context(store, inputs.review_policy, vendor, dt.date.today()))


@router.post("/vendors/{vendor_id}/evidence")
def staff_attach(request: Request, vendor_id: str, staff: Reviewer, web: StateDep, inputs: InputsDep,
                 file: Annotated[UploadFile, File()], csrf_token: Annotated[str, Form()] = "",
                 remediation: Annotated[str, Form()] = "", question: Annotated[str, Form()] = "",
                 expires_on: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(web.store, vendor_id)
    try:
        added = evidence_use.attach(web.store, vendor.id, read_named(file), file.filename, actor=staff.email,
                                    remediation=remediation, question=question,
                                    expires_on=_day(expires_on, "expires_on", "The expiry date"),
                                    limits=web.zip_limits)
    except ActionRefused as exc:
        return vendor_refused(request, web.store, inputs, vendor, str(exc))
    return RedirectResponse(f"/vendors/{vendor.id}?done={'evidence_again' if added.duplicate else 'evidence'}"
                            "#evidence", status_code=303)


@router.get("/vendors/{vendor_id}/evidence/{evidence_id}")
def staff_download(vendor_id: str, evidence_id: str, staff: Viewer, store: StoreDep) -> Response:
    return _download(store, vendor_id, evidence_id, staff.email, audited=True)


def _download(store, vendor_id: str, evidence_id: str, actor: str, *, audited: bool) -> Response:
    found = evidence_use.download(store, vendor_id, evidence_id)
    if found is None:
        raise NotFound("No such file for this vendor.")
    record, data, name = found
    if audited:
        store.audit.record("evidence_downloaded", actor=actor, vendor_id=vendor_id, subject=record.name,
                           detail={"evidence_id": record.id, "sha256": record.sha256})
    return attachment(data, record.media_type, name)


@router.post("/vendors/{vendor_id}/responses/{response_id}")
def staff_decide(request: Request, vendor_id: str, response_id: str, staff: Reviewer, store: StoreDep,
                 settings: SettingsDep, inputs: InputsDep, csrf_token: Annotated[str, Form()] = "",
                 decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    if decision not in ("accept", "reject"):
        return vendor_refused(request, store, inputs, vendor, "Choose accept or reject.")
    try:
        responses_use.decide(store, settings, vendor, response_id, accept=decision == "accept", reason=reason,
                             reviewer=staff.email, today=dt.date.today(), now=accounts.now())
    except ActionRefused as exc:
        return vendor_refused(request, store, inputs, vendor, str(exc))
    return RedirectResponse(f"/vendors/{vendor.id}?done=response_{decision}ed#responses", status_code=303)
