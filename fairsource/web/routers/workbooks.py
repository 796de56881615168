"""Workbooks in and out for the analysts: the upload page (workbooks received by e-mail, several at once, each
taken in as through the API) and the portfolio workbook (as `fairsource report`)."""

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from flows import usecases
from supplier_models import FairsourceError
from supplier_models.errors import UploadTooLarge, WebError
from supplier_models.names import upload_name

from ..deps import Reviewer, SettingsDep, StateDep, StoreDep, Viewer, WebState, check_csrf, in_pool
from ..downloads import XLSX, send_file
from ..rendering import render
from ..schemas import UploadResult
from ..uploads import MAX_UPLOAD, MAX_UPLOAD_FILES, intake_upload

router = APIRouter(include_in_schema=False)


def upload_page_context() -> dict[str, Any]:
    return dict(max_mb=MAX_UPLOAD // (1024 * 1024), max_files=MAX_UPLOAD_FILES)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, staff: Reviewer) -> Response:
    return render(request, "upload.html", **upload_page_context())


@router.post("/upload")
async def upload_files(request: Request, staff: Reviewer, web: StateDep, csrf_token: Annotated[str, Form()] = "",
                       files: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    """Each workbook read, scored and stored as through the API, one after the other, in the intake pool; one
    failing file does not stop the others."""
    check_csrf(request, csrf_token, staff)
    chosen = [f for f in files or [] if f.filename or f.size]  # a form sent with no file has one empty part
    if not chosen or len(chosen) > MAX_UPLOAD_FILES:
        message = ("Choose one or more workbooks (.xlsx) to upload." if not chosen else
                   f"{len(chosen)} files: upload at most {MAX_UPLOAD_FILES} at a time.")
        return render(request, "upload.html", 400, error=message, **upload_page_context())
    results = [await in_pool(web.intakes, intake_one_file, web, upload, actor=staff.email) for upload in chosen]
    return render(request, "upload.html", results=results, **upload_page_context())


def intake_one_file(web: WebState, upload: UploadFile, *, actor: str) -> UploadResult:
    """One file of the upload page taken in: its outcome, its problems, or why it was not stored (audited)."""
    name = upload_name(upload.filename)
    try:
        found = intake_upload(web, upload, actor=actor, vendor=None)
    except UploadTooLarge as exc:
        web.store.audit.record("upload_refused_too_large", actor=actor, subject=name)
        return UploadResult(filename=name, error=exc.message)
    except FairsourceError as exc:  # this file could not be stored (a SOW or the store failed): say so
        web.store.audit.record("upload_failed", actor=actor, subject=name, detail={"error": str(exc)[:1000]})
        return UploadResult(filename=name, error=f"Not stored: {exc}")
    if isinstance(found, list):
        return UploadResult(filename=name, problems=found)
    return UploadResult(filename=name, outcome=found)


PAPERS = ("a4", "letter")


@router.get("/report.xlsx")
def portfolio(request: Request, staff: Viewer, store: StoreDep, settings: SettingsDep,
              paper: str | None = None) -> Response:
    """The portfolio workbook (as `fairsource report`), written afresh for this request into a temporary
    folder that is removed once it is sent. `?paper=a4|letter`: the paper it prints on (as `--paper`); without
    it, the printer's own; another value is refused (400) before anything is written."""
    if paper is not None and paper.lower() not in PAPERS:
        raise WebError(f"paper={paper}: the portfolio prints on a4 or letter (or leave paper out for the "
                       "printer's own paper).", 400)
    today = dt.date.today()
    folder = tempfile.mkdtemp(prefix="fairsource-report-")
    try:
        path = Path(usecases.write_report(settings, str(Path(folder) / "portfolio.xlsx"), today,
                                          paper=paper.lower() if paper else None))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    store.audit.record("report_downloaded", actor=staff.email, subject=f"portfolio {today.isoformat()}",
                       detail={"paper": paper.lower() if paper else None})
    return send_file(path, XLSX, f"fairsource-portfolio-{today.isoformat()}.xlsx", then_remove=folder)
