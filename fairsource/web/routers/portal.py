"""A vendor's portal, through the link it was given (no account): its status and outcome, its questionnaire to
download (blank, or pre-filled with its last answers), and the upload of the returned workbook."""

import datetime as dt
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairsource import accounts
from fairsource.accounts import PortalVendor
from flows import usecases
from flows.usecases import web_answers
from scoring import Decision
from supplier_models import Store
from supplier_models.errors import WrongVendor
from supplier_models.names import slug
from supplier_models.questionnaire import load as load_questionnaire
from supplier_models.store.rows import Received
from supplier_models.workbooks.form import write_form

from ..deps import PortalVendorDep, StateDep, WebState, check_csrf, in_pool, portal_vendor
from ..downloads import XLSX
from ..evidence_views import evidence_context
from ..rendering import render
from ..uploads import MAX_UPLOAD, intake_upload

router = APIRouter(include_in_schema=False)


def portal_context(store: Store, inputs: usecases.ScoringInputs, vendor: PortalVendor) -> dict[str, Any]:
    today = dt.date.today()
    found = list(usecases.statuses(store, inputs.review_policy, today, vendor.vendor_id))
    latest = store.assessments.latest(vendor.vendor_id)
    draft = web_answers.drafts(store).get(vendor.vendor_id, vendor.invite_id)
    total = len(web_answers.parts(load_questionnaire(draft.questionnaire_id, draft.questionnaire_version))) \
        if draft else 0
    return dict(vendor=vendor, status=found[0] if found else None,
                draft={"saved": len(draft.data.get("saved", [])), "total": total} if draft else None,
                decision=Decision.model_validate(latest.data) if latest else None,
                max_mb=MAX_UPLOAD // (1024 * 1024), **evidence_context(store, vendor.vendor_id, today))


@router.get("/portal/{token}", response_class=HTMLResponse)
def portal(request: Request, token: str, vendor: PortalVendorDep, web: StateDep, received: str = "",
           evidence: str = "", responded: str = "") -> Response:
    return render(request, "portal.html", token=token, received=bool(received), again=received == "again",
                  evidence_added=evidence, responded=responded,
                  **portal_context(web.store, web.inputs, vendor))


@router.get("/portal/{token}/form.xlsx")
def portal_form(token: str, vendor: PortalVendorDep, web: StateDep) -> Response:
    latest = web.store.submissions.latest_of(vendor.vendor_id)
    data = questionnaire(vendor, latest, usecases.closed_with_evidence(web.store, vendor.vendor_id) if latest else [])
    web.store.audit.record("portal_form_downloaded", actor=vendor.actor, vendor_id=vendor.vendor_id,
                           detail={"prefilled": latest is not None})
    name = f"{slug(vendor.vendor)}-questionnaire.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                    "Cache-Control": "no-store"})


def questionnaire(vendor: PortalVendor, latest: Received | None, closed: list | None = None) -> bytes:
    """The vendor's form: blank, or for a re-attestation its last answers (dated), to confirm or correct, marking
    those that remediations closed with evidence (`closed`, `usecases.closed_with_evidence`) stand on."""
    with tempfile.TemporaryDirectory(prefix="fairsource-form-") as tmp:
        out = Path(tmp) / "form.xlsx"
        if latest is not None:
            usecases.prefilled_form(latest.submission, out, form_id=str(uuid.uuid4()), issued_at=accounts.now(),
                                    answered_on=latest.received_on, closed=closed or [])
        else:
            write_form(out, vendor.vendor)
        return out.read_bytes()


@router.post("/portal/{token}/upload")
async def portal_upload(request: Request, token: str, file: Annotated[UploadFile, File()], web: StateDep,
                        csrf_token: Annotated[str, Form()] = "") -> Response:
    """The vendor's workbook taken in, in the intake pool; its problems, or on to its outcome."""
    # not PortalVendorDep: a missing file is a 422 before a bad link
    vendor = await run_in_threadpool(portal_vendor, web.store, token)
    check_csrf(request, csrf_token)
    try:
        result = await in_pool(web.intakes, intake_upload, web, file, actor=vendor.actor, vendor=vendor)
    except WrongVendor as exc:
        return await run_in_threadpool(portal_page, request, web, vendor, token, 403, error=exc.message)
    if isinstance(result, list):
        return await run_in_threadpool(portal_page, request, web, vendor, token, 422, problems=result,
                                       filename=file.filename)
    # a file received before is not stored again: say so, rather than thank for it as new
    return RedirectResponse(f"/portal/{token}?received={'again' if result.duplicate else '1'}", status_code=303)


def portal_page(request: Request, web: WebState, vendor: PortalVendor, token: str, status_code: int,
                **extra: Any) -> Response:
    return render(request, "portal.html", status_code, token=token, **extra,
                  **portal_context(web.store, web.inputs, vendor))
