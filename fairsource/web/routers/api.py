"""The JSON API under /api/ (bearer tokens; see `deps.api_principal`): a questionnaire taken in, the vendors
with their statuses, one vendor in full."""

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse

from fairsource.accounts import PortalVendor, Staff
from flows import usecases
from flows.usecases.status import view_of
from supplier_models.errors import Forbidden
from supplier_models.store.tables import Vendor

from ..deps import ApiPrincipal, ApiStaff, InputsDep, StateDep, StoreDep, in_pool
from ..queries import vendor_context, vendor_or_404, vendor_rows
from ..schemas import AssessmentItem, ErrorDetail, IntakeDecision, IntakeErrors, VendorDetail, VendorItem
from ..uploads import intake_upload

router = APIRouter(prefix="/api")


REFUSED = {401: {"model": ErrorDetail, "description": "no valid bearer token"},
           403: {"model": ErrorDetail, "description": "a token that may not do this"},
           422: {"model": IntakeErrors, "description": "a parameter the API cannot take"}}


@router.post("/intake", tags=["intake"], responses={
    200: {"model": IntakeDecision, "description": "the `fairsource intake --json` decision object"},
    400: {"model": ErrorDetail, "description": "the request's body is not readable multipart"},
    **REFUSED, 403: {"model": ErrorDetail, "description": "a viewer, or another vendor's file"},
    413: {"model": IntakeErrors, "description": "the file is over 20 MB"},
    422: {"model": IntakeErrors, "description": "the workbook is rejected, every problem located (nothing stored); "
                                                "or no file was sent"}})
async def api_intake(file: Annotated[UploadFile, File(description="the returned questionnaire (.xlsx)")],
                     principal: ApiPrincipal, web: StateDep) -> JSONResponse:
    """Read, score and store a returned questionnaire and write its SOW. Bearer token: a staff user's API
    token (reviewer or admin), or a vendor's portal token (its own questionnaire only). Runs in the intake pool
    (`FAIRSOURCE_WEB_INTAKE_WORKERS` at once)."""
    if isinstance(principal, Staff) and not principal.can("reviewer"):
        raise Forbidden("Submitting a questionnaire needs the reviewer or admin role.")
    vendor = principal if isinstance(principal, PortalVendor) else None
    actor = vendor.actor if vendor else principal.email
    result = await in_pool(web.intakes, intake_upload, web, file, actor=actor, vendor=vendor)
    if isinstance(result, list):
        return JSONResponse({"errors": [p.model_dump() for p in result]}, status_code=422)
    body = result.as_json()
    if vendor is not None and body.get("sow"):  # a vendor learns its SOW's name, not the server's folders
        body["sow"] = Path(body["sow"]).name
    return JSONResponse(body)


@router.get("/vendors", tags=["vendors"], response_model=list[VendorItem], responses={**REFUSED})
def api_vendors(staff: ApiStaff, store: StoreDep, inputs: InputsDep,
                status: str | None = Query(None)) -> list[VendorItem]:
    """Every vendor with its status (as `fairsource status`), in name order."""
    items = [vendor_item(v, s) for v, s in vendor_rows(store, inputs.review_policy, dt.date.today())]
    return [item for item in items if status is None or item.status == status]


def vendor_item(v: Vendor, s: usecases.VendorStatus | None) -> VendorItem:
    return VendorItem(vendor_id=v.id, vendor=v.name, status=s.status if s else "awaiting_submission",
                      decision=s.decision if s else None, valid_until=s.valid_until if s else None,
                      review_pending=bool(s and s.review_pending),
                      open_remediations=len(s.open_remediations) if s else 0,
                      overdue_remediations=len(s.overdue_remediations) if s else 0, contact=v.contact_email)


@router.get("/vendors/{vendor_id}", tags=["vendors"], response_model=VendorDetail, responses={
    **REFUSED, 404: {"model": ErrorDetail, "description": "no such vendor"}})
def api_vendor(vendor_id: str, staff: ApiStaff, store: StoreDep, inputs: InputsDep) -> VendorDetail:
    """One vendor: status, assessment history, the latest decision with its explanation, remediations,
    reviews."""
    vendor = vendor_or_404(store, vendor_id)
    ctx = vendor_context(store, inputs.review_policy, vendor, dt.date.today())
    return VendorDetail(
        vendor_id=vendor.id, vendor=vendor.name, contact=vendor.contact_email, status=ctx["status"],
        assessments=[AssessmentItem(assessment_id=a.id, assessed_on=a.assessed_on, decision=a.decision, score=a.score,
                                        geo_band=a.geo_band, valid_until=a.valid_until, reason=a.reason,
                                        rubric_version=a.rubric_version,
                                        country_data_version=a.country_data_version) for a in ctx["history"]],
        latest_decision=ctx["latest"].data if ctx["latest"] else None, remediations=ctx["remediations"],
        reviews=[view_of(r) for r in ctx["reviews"]])
