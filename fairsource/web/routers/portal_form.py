"""The questionnaire answered in the browser, through the vendor's portal link: one page per part (each section,
the Countries rows, the attestation), each saved on its own as a draft, the draft submitted as a returned workbook
is (`flows.usecases.web_answers`), or downloaded as a workbook to finish offline. Plain forms, no script needed."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairsource import accounts
from fairsource.accounts import PortalVendor
from flows.usecases import web_answers
from supplier_models.errors import NotFound
from supplier_models.names import slug

from ..deps import PortalVendorDep, StateDep, WebState, check_csrf, in_pool, portal_vendor
from ..downloads import XLSX
from ..portal_form_view import MORE_ROWS, page_context
from ..rendering import render

router = APIRouter(include_in_schema=False)
MAX_FIELDS = 2000
"""Form fields a page may send: the Countries page at its 200 rows sends 1,200 (Starlette's default stops at
1,000)."""


def _expires(web: WebState, vendor: PortalVendor) -> dt.datetime:
    """When the vendor's portal link expires: its draft goes with it."""
    invite = next(i for i in web.store.invites.of_vendor(vendor.vendor_id) if i.id == vendor.invite_id)
    return invite.expires_at


def _part(q, part_id: str) -> web_answers.Part:
    found = next((p for p in web_answers.parts(q) if p.id == part_id), None)
    if found is None:
        raise NotFound("There is no such page in the questionnaire.")
    return found


def _page(request: Request, web: WebState, vendor: PortalVendor, token: str, part_id: str, status_code: int = 200,
          rows: int = 0, **extra: Any) -> Response:
    draft, data = web_answers.current_data(web.store, vendor)
    q = web_answers.questionnaire_of(draft)
    part = _part(q, part_id)
    checked = web_answers.check(q, vendor, data, issued_at=web_answers.issued_at(draft),
                                form_id=draft.form_id if draft else "")
    problems = checked if isinstance(checked, list) else []
    context = page_context(q, part, data, problems, vendor.vendor, rows)
    return render(request, "portal_form.html", status_code, token=token, vendor=vendor, started=draft is not None,
                  **context, **extra)


@router.get("/portal/{token}/answer", response_class=HTMLResponse)
def answer_start(token: str, vendor: PortalVendorDep, web: StateDep) -> Response:
    """The web form starts at its first part the vendor has not saved yet (the first, for a new draft)."""
    draft, data = web_answers.current_data(web.store, vendor)
    saved = set(data.get("saved", [])) if draft else set()
    parts = web_answers.parts(web_answers.questionnaire_of(draft))
    first = next((p for p in parts if p.id not in saved), parts[-1])
    return RedirectResponse(f"/portal/{token}/answer/{first.id}", status_code=303)


@router.get("/portal/{token}/answer/draft.xlsx")
def answer_workbook(token: str, vendor: PortalVendorDep, web: StateDep) -> Response:
    """The draft as a workbook, everything typed so far in it, to finish offline and upload."""
    with tempfile.TemporaryDirectory(prefix="fairsource-draft-") as tmp:
        data = web_answers.draft_workbook(web.store, vendor, Path(tmp) / "form.xlsx").read_bytes()
    web.store.audit.record("portal_draft_downloaded", actor=vendor.actor, vendor_id=vendor.vendor_id)
    name = f"{slug(vendor.vendor)}-questionnaire-draft.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                    "Cache-Control": "no-store"})


@router.get("/portal/{token}/answer/{part_id}", response_class=HTMLResponse)
def answer_page(request: Request, token: str, part_id: str, vendor: PortalVendorDep, web: StateDep,
                saved: str = "", rows: int = 0) -> Response:
    return _page(request, web, vendor, token, part_id, rows=max(0, min(rows, 10_000)), saved=bool(saved))


@router.post("/portal/{token}/answer/submit")
async def answer_submit(request: Request, token: str, web: StateDep) -> Response:
    """The draft checked and taken in as a returned workbook is; or every problem, each part showing its own."""
    vendor = await run_in_threadpool(portal_vendor, web.store, token)
    form = await request.form(max_fields=MAX_FIELDS, max_files=0)
    check_csrf(request, str(form.get("csrf_token", "")))
    expires = await run_in_threadpool(_expires, web, vendor)
    result = await in_pool(web.intakes, web_answers.submit, web.store, web.inputs, vendor, as_of=dt.date.today(),
                           sow_dir=web.settings.sow_dir, expires_at=expires)
    if isinstance(result, list):
        return await run_in_threadpool(_page, request, web, vendor, token, web_answers.ATTESTATION, 422,
                                       submitted=True)
    return RedirectResponse(f"/portal/{token}?received={'again' if result.duplicate else '1'}", status_code=303)


@router.post("/portal/{token}/answer/{part_id}")
async def answer_save(request: Request, token: str, part_id: str, web: StateDep) -> Response:
    """One part saved in the draft (a draft changes no status); then this page again, the next part, or this
    page with more Countries rows (`go`: save, next, rows)."""
    vendor = await run_in_threadpool(portal_vendor, web.store, token)
    form = await request.form(max_fields=MAX_FIELDS, max_files=0)
    check_csrf(request, str(form.get("csrf_token", "")))
    fields = {key: [str(v) for v in form.getlist(key)] if key.startswith("a-") else str(form.get(key) or "")
              for key in form}
    rows = _int(form.get("rows"))
    draft = await run_in_threadpool(_save, web, vendor, part_id, fields, rows)
    parts = web_answers.parts(web_answers.questionnaire_of(draft))
    go = str(form.get("go", "save"))
    index = next(i for i, p in enumerate(parts) if p.id == part_id)
    if go == "next" and index + 1 < len(parts):
        return RedirectResponse(f"/portal/{token}/answer/{parts[index + 1].id}?saved=1", status_code=303)
    more = f"&rows={rows + MORE_ROWS}#c{rows}-1" if go == "rows" else ""
    return RedirectResponse(f"/portal/{token}/answer/{part_id}?saved=1{more}", status_code=303)


def _int(value: object) -> int:
    try:
        return max(0, min(int(str(value)), 10_000))
    except ValueError:
        return 0


def _save(web: WebState, vendor: PortalVendor, part_id: str, fields: dict, rows: int):
    draft, _ = web_answers.current_data(web.store, vendor)
    _part(web_answers.questionnaire_of(draft), part_id)  # 404 before anything is stored
    web_answers.drafts(web.store).purge(accounts.now())  # the drafts of links gone, gone too
    return web_answers.save_part(web.store, vendor, part_id, fields, rows=rows, expires_at=_expires(web, vendor))
