"""The JSON API under /api/ (bearer tokens; see `deps.api_principal`): a questionnaire taken in, the vendors
with their statuses, one vendor in full."""

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from fairsource.accounts import PortalVendor, Staff
from flows.usecases.status import view_of
from flows.usecases.vendor_list import list_order, vendor_page
from supplier_models.errors import ActionRefused, Forbidden, WebError
from supplier_models.store.rows import SORTS, ListFilters

from ..deps import ApiPrincipal, ApiStaff, InputsDep, SettingsDep, StateDep, StoreDep, in_pool
from ..queries import vendor_context, vendor_or_404
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


LIMIT = 500  # vendors a page of the API at the most


@router.get("/vendors", tags=["vendors"], response_model=list[VendorItem], responses={
    **REFUSED, 200: {"description": "a page of vendors in name order; the next page's address, when there is one, "
                                    'in the `Link` header (`<...>; rel="next"`)',
                     "headers": {"Link": {"description": "the next page (RFC 8288), absent on the last page",
                                          "schema": {"type": "string"}}}},
    400: {"model": ErrorDetail, "description": "a cursor this list did not give"}})
def api_vendors(staff: ApiStaff, store: StoreDep, settings: SettingsDep, request: Request, response: Response,
                status: str | None = Query(None, max_length=40, pattern=r"^[a-z_]+$",
                                           description="only the vendors with this status"),
                band: str | None = Query(None, max_length=20, pattern=r"^[a-z_]+$",
                                         description="only this geographic risk band"),
                country: str | None = Query(None, pattern=r"^[A-Za-z]{2}$",
                                            description="only vendors with workers in this country (ISO alpha-2)"),
                q: str | None = Query(None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$",
                                      description="text in the vendor's name or contact"),
                owner: str | None = Query(None, max_length=320, pattern=r"^(none|[^\x00-\x1f\x7f\s]+@[^\s]+)$",
                                          description="only the vendors this analyst (e-mail) looks after; `none`: "
                                                      "those no one does"),
                until_from: Annotated[dt.date | None, Query(description="only the vendors whose qualification ends "
                                                            "(a refusal: whose review day is) on or after this day")
                                      ] = None,
                until_to: Annotated[dt.date | None, Query(description="... on or before this day")] = None,
                fairwork: Annotated[int | None, Query(ge=0, le=10, description="only the vendors with these "
                                                      "Fairwork points (their latest assessment's)")] = None,
                sort: str = Query("vendor", pattern=f"^({'|'.join(SORTS)})$",
                                  description="the order: by vendor name, or by a column, then by name"),
                desc: bool = Query(False, description="the other way"),
                limit: int = Query(100, ge=1, le=LIMIT, description=f"vendors a page (up to {LIMIT})"),
                cursor: str | None = Query(None, max_length=2000, pattern=r"^[A-Za-z0-9_-]+$",
                                           description="where the page starts: the `Link` header of the page before"),
                ) -> list[VendorItem]:
    """The vendors with their statuses (as `fairsource status` on today's date), in name order (or `sort`'s), a
    page at a time: follow the `Link` header's `rel="next"` address for the next page."""
    filters = ListFilters(status=status, band=band, countries=(country,) if country else None, text=q, owner=owner,
                          until_from=until_from, until_to=until_to, fairwork=fairwork)
    try:
        page = vendor_page(store, settings, dt.date.today(), filters, cursor=cursor, limit=limit,
                           order=list_order(sort, desc))
    except ActionRefused as exc:
        raise WebError(str(exc)) from None
    if page.cursor is not None:
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=page.cursor)}>; rel="next"'
    return [VendorItem(vendor_id=v.vendor_id, vendor=v.vendor, status=v.status, decision=v.decision,
                       valid_until=v.valid_until, review_pending=v.review_pending,
                       open_remediations=v.open_remediations, overdue_remediations=v.overdue_remediations,
                       contact=v.contact, owner=v.owner) for v in page.vendors]


@router.get("/vendors/{vendor_id}", tags=["vendors"], response_model=VendorDetail, responses={
    **REFUSED, 404: {"model": ErrorDetail, "description": "no such vendor"}})
def api_vendor(vendor_id: str, staff: ApiStaff, store: StoreDep, inputs: InputsDep) -> VendorDetail:
    """One vendor: status, assessment history, the latest decision with its explanation, remediations,
    reviews."""
    vendor = vendor_or_404(store, vendor_id)
    ctx = vendor_context(store, inputs.review_policy, vendor, dt.date.today())
    return VendorDetail(
        vendor_id=vendor.id, vendor=vendor.name, contact=vendor.contact_email, status=ctx["status"],
        assessments=[assessment_item(a) for a in ctx["history"]],
        latest_decision=ctx["latest"].data if ctx["latest"] else None, remediations=ctx["remediations"],
        reviews=[view_of(r) for r in ctx["reviews"]])


@router.get("/vendors/{vendor_id}/assessments", tags=["vendors"], response_model=list[AssessmentItem], responses={
    **REFUSED, 404: {"model": ErrorDetail, "description": "no such vendor"}})
def api_assessments(vendor_id: str, staff: ApiStaff, store: StoreDep) -> list[AssessmentItem]:
    """A vendor's assessments, newest first: each with the rubric and country data versions it was made with (an
    assessment is never rewritten: a rescoring or a new submission adds one)."""
    vendor = vendor_or_404(store, vendor_id)
    return [assessment_item(a) for a in store.assessments.history(vendor.id)]


def assessment_item(a) -> AssessmentItem:
    return AssessmentItem(assessment_id=a.id, assessed_on=a.assessed_on, decision=a.decision, score=a.score,
                          geo_band=a.geo_band, valid_until=a.valid_until, reason=a.reason,
                          rubric_version=a.rubric_version, country_data_version=a.country_data_version)
