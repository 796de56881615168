"""The fairsource web app: analysts' pages, the vendor portal and a small JSON API, on the same store as
the command line. Server-rendered (Jinja2, autoescaped), plain HTML forms, no JavaScript build.

`create_app(settings)` builds it; `fairsource web` serves it with uvicorn. Intake runs in-process (read,
score, write the SOW, store: `flows.usecases`), in the threadpool, with the scoring inputs loaded once.
"""


import datetime as dt
import shutil
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from fairsource import accounts
from fairsource.accounts import PortalVendor, Staff
from flows import usecases
from scoring import Decision
from scoring.lifecycle import ReviewView
from scoring.terms import BANDS, STATUS_LABELS, STATUSES
from sow_templates import pdf as sow_pdf
from supplier_models import FairsourceError, Settings, Store, WorkbookRejected, read_workbook
from supplier_models.errors import (
    ActionRefused,
    Forbidden,
    LoginRequired,
    NotFound,
    PdfUnavailable,
    Problem,
    UploadTooLarge,
    WebError,
    WrongVendor,
)
from supplier_models.names import upload_name
from supplier_models.questionnaire import current as current_questionnaire
from supplier_models.store import store_for
from supplier_models.store.rows import VendorGeography
from supplier_models.workbooks.form import write_form
from supplier_models.workbooks.reader import MAX_FILE_BYTES

HERE = Path(__file__).parent
SESSION_COOKIE = "fs_session"
CSRF_COOKIE = "fs_csrf"
MAX_UPLOAD = MAX_FILE_BYTES  # the reader's own limit: 20 MB
BODY_SLACK = 64 * 1024  # the multipart envelope and the small fields around the file
MAX_UPLOAD_FILES = 10  # workbooks per upload on the upload page, each up to MAX_UPLOAD
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class BodyLimit:
    """Refuse a request body over the limit before it is read whole: at once from its Content-Length, or,
    streamed without one, as soon as the bytes received pass the limit (the rest is never read)."""

    def __init__(self, app, limit: int, *, larger: dict[str, int] | None = None, may_send_larger=None) -> None:
        """`larger`: path -> a larger limit there, for the requests `may_send_larger(scope)` (async) admits
        (the upload page's several workbooks, for a signed-in reviewer only)."""
        self.app, self.limit = app, limit
        self.larger, self.may_send_larger = larger or {}, may_send_larger

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.limit
        if scope["path"] in self.larger and (self.may_send_larger is None or await self.may_send_larger(scope)):
            limit = self.larger[scope["path"]]
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(scope, send, limit)
            return
        seen, exceeded, answered = 0, False, False

        async def limited():
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise UploadTooLarge(MAX_UPLOAD)
            return message

        async def guarded(message) -> None:
            nonlocal answered
            if exceeded:  # whatever the app made of the interrupted body, the answer is 413
                if not answered:
                    answered = True
                    await _too_large(scope, send, limit)
                return
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except UploadTooLarge:
            if not answered:
                await _too_large(scope, send, limit)


async def _too_large(scope, send, limit: int = MAX_UPLOAD + BODY_SLACK) -> None:
    message = UploadTooLarge(MAX_UPLOAD).message
    if limit > MAX_UPLOAD + BODY_SLACK:
        message = (f"The files together are larger than {limit // (1024 * 1024)} MB. Upload at most "
                   f"{MAX_UPLOAD_FILES} workbooks, each at most {MAX_UPLOAD // (1024 * 1024)} MB, at a time.")
    if scope["path"].startswith("/api/"):
        response: Response = JSONResponse({"errors": [{"cell": None, "question": None, "message": message}]},
                                          status_code=413)
    else:
        response = HTMLResponse(f"<!doctype html><title>File too large</title><p>{message}</p>", status_code=413)
    response.headers["Connection"] = "close"
    await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


# -- API models -----------------------------------------------------------------------------------------------
class VendorItem(BaseModel):
    vendor_id: str
    vendor: str
    status: str = Field(description="as `fairsource status`, or awaiting_submission before a first submission")
    decision: str | None = None
    valid_until: dt.date | None = None
    review_pending: bool = False
    open_remediations: int = 0
    overdue_remediations: int = 0
    contact: str | None = None


class AssessmentItem(BaseModel):
    assessment_id: str
    assessed_on: dt.date
    decision: str
    score: float
    geo_band: str
    valid_until: dt.date
    reason: str
    rubric_version: str
    country_data_version: str


class VendorDetail(BaseModel):
    vendor_id: str
    vendor: str
    contact: str | None
    status: usecases.VendorStatus | None
    assessments: list[AssessmentItem]
    latest_decision: dict[str, Any] | None = Field(None, description="the latest assessment's full decision, "
                                                   "with the explanation of every point")
    remediations: list[usecases.RemediationView]
    reviews: list[ReviewView]


class IntakeErrors(BaseModel):
    errors: list[Problem]


# -- page models -------------------------------------------------------------------------------------------------
class CountryWorkers(BaseModel):
    """One country of the dashboard's panel: how many vendors have workers there, and how many workers."""

    iso2: str
    name: str
    band: str = Field(description="the worst band any vendor's latest assessment gave the country")
    vendors: int = 0
    workers: int = 0


class VendorFilters(BaseModel):
    """The vendor list's filters, as given in its URL (GET form): each empty one filters nothing."""

    model_config = ConfigDict(str_strip_whitespace=True)
    q: str = ""
    status: str = ""
    band: str = ""
    country: str = ""
    service: str = ""

    @field_validator("*", mode="after")
    @classmethod
    def _short(cls, value: str) -> str:  # a hand-made URL gets a list, not an error page
        return value[:200]

    @property
    def by_places(self) -> bool:
        return bool(self.band or self.country or self.service)

    def country_matches(self, iso2: str, name: str) -> bool:
        """By ISO code (KE) or by name, whole or in part (kenya, "united")."""
        needle = self.country.lower()
        return iso2.lower() == needle or name.lower() == needle or (len(needle) > 2 and needle in name.lower())

    def places_match(self, geo: VendorGeography) -> bool:
        """`geo`: a row of `store.views.geography`."""
        return ((not self.band or geo.geo_band == self.band)
                and (not self.country or any(self.country_matches(c["iso2"], c["name"]) for c in geo.countries))
                and (not self.service or self.service in geo.services))


class UploadResult(BaseModel):
    """What became of one file of the upload page: an outcome, or every problem found, or why it was not read."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    filename: str
    outcome: usecases.Outcome | None = None
    problems: list[Problem] = Field(default_factory=list)
    error: str | None = None


# -- the app ----------------------------------------------------------------------------------------------------
class WebState:
    """What every request shares: settings, the store, and the scoring inputs (loaded once)."""

    def __init__(self, settings: Settings, inputs: usecases.ScoringInputs | None = None) -> None:
        self.settings = settings
        self.store: Store = store_for(settings.url)
        self.inputs = inputs or usecases.load_inputs(settings)


def templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(status_label=STATUS_LABELS)
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f}%"
    env.filters["num"] = lambda v, n=1: f"{float(v):.{n}f}"
    return Jinja2Templates(env=env)


def create_app(settings: Settings, *, inputs: usecases.ScoringInputs | None = None) -> FastAPI:
    state = WebState(settings, inputs)
    pages = templates()
    app = FastAPI(title="fairsource", version="0.1.0", summary="Supplier qualification for human-data services",
                  docs_url="/docs", redoc_url=None)
    app.state.web = state

    async def signed_in_reviewer(scope) -> bool:
        cookie = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        staff = await run_in_threadpool(accounts.staff_for_session, state.store, cookie) if cookie else None
        return staff is not None and staff.can("reviewer")

    app.add_middleware(BodyLimit, limit=MAX_UPLOAD + BODY_SLACK,
                       larger={"/upload": MAX_UPLOAD_FILES * (MAX_UPLOAD + BODY_SLACK)},
                       may_send_larger=signed_in_reviewer)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    store = state.store

    # -- rendering, cookies, CSRF ---------------------------------------------------------------------------
    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        staff: Staff | None = getattr(request.state, "staff", None)
        anonymous_csrf = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if staff is None and not anonymous_csrf:
            fresh = anonymous_csrf = accounts.new_secret()
        context.update(staff=staff, csrf_token=staff.csrf if staff else anonymous_csrf, today=dt.date.today())
        response = pages.TemplateResponse(request, name, context, status_code=status_code)
        if fresh:
            _cookie(response, CSRF_COOKIE, fresh, max_age=None)
        response.headers["Cache-Control"] = "no-store"
        return response

    def _cookie(response: Response, key: str, value: str, max_age: int | None) -> None:
        response.set_cookie(key, value, max_age=max_age, httponly=True, samesite="lax",
                            secure=settings.web_secure_cookies, path="/")

    def check_csrf(request: Request, given: str, staff: Staff | None = None) -> None:
        expected = staff.csrf if staff else request.cookies.get(CSRF_COOKIE)
        if not accounts.same(given, expected):
            raise Forbidden("This form has expired or did not come from this site (CSRF check). Reload the page "
                            "and try again.")

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    # -- who is asking ---------------------------------------------------------------------------------------
    def current_staff(request: Request) -> Staff:
        staff = accounts.staff_for_session(store, request.cookies.get(SESSION_COOKIE))
        if staff is None:
            raise LoginRequired("Sign in to continue.")
        request.state.staff = staff
        return staff

    def role(needed: str):
        def dependency(staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
            if not staff.can(needed):
                raise Forbidden(f"This needs the {needed} role; you are signed in as a {staff.role}.")
            return staff
        return dependency

    Viewer = Annotated[Staff, Depends(role("viewer"))]
    Reviewer = Annotated[Staff, Depends(role("reviewer"))]
    Admin = Annotated[Staff, Depends(role("admin"))]

    def api_principal(request: Request) -> Staff | PortalVendor:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            token = token.strip()
            found = accounts.staff_for_api_token(store, token) or accounts.vendor_for_token(store, token)
            if found is not None:
                return found
            raise WebError("The bearer token is not valid (or has expired or been revoked).", 401)
        staff = accounts.staff_for_session(store, request.cookies.get(SESSION_COOKIE))
        if staff is not None and request.method == "GET":  # a signed-in browser reads; writes need a token
            return staff
        raise WebError("Send a staff API token or a vendor's portal token: Authorization: Bearer TOKEN.", 401)

    def api_staff(principal: Annotated[Staff | PortalVendor, Depends(api_principal)]) -> Staff:
        if not isinstance(principal, Staff):
            raise Forbidden("A vendor's token gives access to its own portal and intake only.")
        return principal

    def portal_vendor(token: str) -> PortalVendor:
        vendor = accounts.vendor_for_token(store, token)
        if vendor is None:
            raise NotFound("This link is not valid: it may have expired or been revoked. Ask your contact for a "
                           "new one.")
        return vendor

    # -- errors ----------------------------------------------------------------------------------------------
    @app.exception_handler(WebError)
    def web_error(request: Request, exc: WebError) -> Response:
        if request.url.path.startswith("/api/"):
            if isinstance(exc, UploadTooLarge):
                return JSONResponse({"errors": [{"cell": None, "question": None, "message": exc.message}]}, 413)
            return JSONResponse({"detail": exc.message}, exc.status_code)
        if isinstance(exc, LoginRequired):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return render(request, "error.html", exc.status_code, message=exc.message, code=exc.status_code)

    # -- health, sign-in --------------------------------------------------------------------------------------
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def _safe_next(target: str | None) -> str:
        return target if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target else "/"

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str | None = None) -> Response:
        return render(request, "login.html", next=_safe_next(next))

    @app.post("/login", include_in_schema=False)
    def login(request: Request, email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
              csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
        check_csrf(request, csrf_token)
        client = client_of(request)
        email = email.strip().lower()[:320]
        if accounts.login_blocked(store, email, client):
            store.audit.record("login_blocked", actor=email, detail={"client": client})
            return render(request, "login.html", 429, next=_safe_next(next), email=email,
                          error="Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.")
        user = store.staff.by_email(email) if email else None
        ok = accounts.verify_password(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled:
            store.sessions.add_failure(email, client)
            return render(request, "login.html", 401, next=_safe_next(next), email=email,
                          error="That e-mail and password do not match an account.")
        store.sessions.clear_failures(email, client)
        secret, _ = accounts.start_session(store, user, settings.web_session_hours)
        store.audit.record("login", actor=user.email, detail={"client": client})
        response = RedirectResponse(_safe_next(next), status_code=303)
        _cookie(response, SESSION_COOKIE, secret, max_age=settings.web_session_hours * 3600)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, staff: Viewer, csrf_token: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        store.sessions.end(staff.session_id or "")
        store.audit.record("logout", actor=staff.email)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- analysts' pages --------------------------------------------------------------------------------------
    def vendor_rows(today: dt.date) -> list[tuple[Any, usecases.VendorStatus | None]]:
        found = {s.vendor_id: s for s in usecases.statuses(store, state.inputs.review_policy, today)}
        return [(v, found.get(v.id)) for v in store.vendors.all()]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request, staff: Viewer) -> Response:
        today = dt.date.today()
        rows = vendor_rows(today)
        counts = Counter(s.status if s else "awaiting_submission" for _, s in rows)
        expiring: dict[int, list] = {30: [], 60: [], 90: []}
        for _, s in rows:
            if s and s.valid_until and s.status != "expired":
                days = (s.valid_until - today).days
                for limit in (30, 60, 90):
                    if days <= limit:
                        expiring[limit].append((s, days))
                        break
        overdue = [(s, r) for _, s in rows if s for r in s.overdue_remediations]
        waiting = [s for _, s in rows if s and s.review_pending]
        return render(request, "dashboard.html", counts=[(k, counts.get(k, 0)) for k in STATUSES],
                      total=len(rows), expiring=expiring, overdue=overdue, waiting=waiting,
                      countries=country_panel(), bands=BANDS)

    def worse(a: str, b: str) -> str:
        return max(a, b, key=lambda band: BANDS.index(band) if band in BANDS else len(BANDS))

    def country_panel() -> list[CountryWorkers]:
        """Every country where the assessed vendors' workers are (by each vendor's latest assessment), with
        its vendors and workers, most workers first: one streamed query."""
        found: dict[str, CountryWorkers] = {}
        for geo in store.views.geography():
            for c in geo.countries:
                entry = found.setdefault(c["iso2"], CountryWorkers(iso2=c["iso2"], name=c["name"], band=c["band"]))
                entry.band = worse(entry.band, c["band"])
                entry.vendors += 1
                entry.workers += geo.workers.get(c["iso2"], 0)
        return sorted(found.values(), key=lambda c: (-c.workers, -c.vendors, c.name))

    def services() -> tuple[str, ...]:
        question = current_questionnaire().by_id.get("COMP-03")
        return question.choices if question else ()

    @app.get("/vendors", response_class=HTMLResponse, include_in_schema=False)
    def vendors_page(request: Request, staff: Viewer, filters: Annotated[VendorFilters, Query()]) -> Response:
        rows = vendor_rows(dt.date.today())
        places: dict[str, tuple[str, list[dict[str, Any]], bool]] = {}  # vendor id -> (band, countries, matches)
        for geo in store.views.geography():  # one streamed pass: what the list shows, and the place filters
            places[geo.vendor_id] = (geo.geo_band, [{k: c[k] for k in ("iso2", "name", "band")}
                                                          for c in geo.countries], filters.places_match(geo))
        needle = filters.q.lower()
        shown = [(v, s) for v, s in rows if (not needle or needle in v.name.lower()
                                              or needle in (v.contact_email or "").lower())
                 and (not filters.status or (s.status if s else "awaiting_submission") == filters.status)
                 and (not filters.by_places or (v.id in places and places[v.id][2]))]
        return render(request, "vendors.html", rows=shown, filters=filters, q=filters.q, status=filters.status,
                      statuses=STATUSES, bands=BANDS, services=services(), places=places, total=len(rows))

    def vendor_or_404(vendor_id: str):
        vendor = store.vendors.get(vendor_id)
        if vendor is None:
            raise NotFound("No such vendor.")
        return vendor

    def vendor_context(vendor, today: dt.date) -> dict[str, Any]:
        found = list(usecases.statuses(store, state.inputs.review_policy, today, vendor.id))
        latest = store.assessments.latest(vendor.id)
        decision = Decision.model_validate(latest.data) if latest else None
        explanation: dict[str, list] = {}
        if decision:
            for c in decision.explanation:
                explanation.setdefault(c.principle or "other", []).append(c)
        sow = store.sows.latest(vendor.id)
        return dict(
            vendor=vendor, status=found[0] if found else None, decision=decision, explanation=explanation,
            history=store.assessments.history(vendor.id), latest=latest,
            remediations=[usecases.RemediationView.of(r, today) for r in store.remediations.all(vendor.id)],
            reviews=store.reviews.of_vendor(vendor.id), sow=sow, invites=store.invites.of_vendor(vendor.id), now=accounts.now(),
            pdf=sow_pdf.libreoffice() is not None,
        )

    @app.get("/vendors/{vendor_id}", response_class=HTMLResponse, include_in_schema=False)
    def vendor_page(request: Request, vendor_id: str, staff: Viewer, done: str = "") -> Response:
        vendor = vendor_or_404(vendor_id)
        return render(request, "vendor.html", notice=_notice(done), **vendor_context(vendor, dt.date.today()))

    def _notice(key: str) -> str | None:
        return {"review": "Review recorded.", "remediation": "Remediation closed.",
                "revoked": "Portal link revoked."}.get(key)

    def vendor_refused(request: Request, vendor, message: str) -> Response:
        return render(request, "vendor.html", 400, error=message, **vendor_context(vendor, dt.date.today()))

    @app.post("/vendors/{vendor_id}/review", include_in_schema=False)
    def review(request: Request, vendor_id: str, staff: Reviewer, csrf_token: Annotated[str, Form()] = "",
               decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
               to: Annotated[str, Form()] = "", override_knockout: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        vendor = vendor_or_404(vendor_id)
        if decision not in ("approve", "reject", "override"):
            return vendor_refused(request, vendor, "Choose approve, reject or override.")
        try:
            done = usecases.record_review(store, settings, state.inputs, vendor.id, action=decision, reason=reason,
                                           reviewer=staff.email, to_decision=to or None,
                                           override_knockout=bool(override_knockout))
        except ActionRefused as exc:
            return vendor_refused(request, vendor, str(exc))
        store.audit.record(f"web_review_{decision}", actor=staff.email, vendor_id=vendor.id, subject=reason[:1000],
                    detail={"to": to or None, "status": done.status.status, "sow": done.sow})
        return RedirectResponse(f"/vendors/{vendor.id}?done=review", status_code=303)

    @app.post("/vendors/{vendor_id}/remediations/{code}/close", include_in_schema=False)
    def close_remediation(request: Request, vendor_id: str, code: str, staff: Reviewer,
                          csrf_token: Annotated[str, Form()] = "", evidence: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        vendor = vendor_or_404(vendor_id)
        try:
            closed = usecases.close_remediation(store, vendor.id, code, evidence=evidence, reviewer=staff.email)
        except ActionRefused as exc:
            return vendor_refused(request, vendor, str(exc))
        store.audit.record("web_remediation_closed", actor=staff.email, vendor_id=vendor.id, subject=closed.id,
                    detail={"evidence": evidence[:2000]})
        return RedirectResponse(f"/vendors/{vendor.id}?done=remediation", status_code=303)

    def sow_or_404(vendor_id: str, sow_id: str):
        """The SOW the store knows by this id, of this vendor, with its file in place: nothing from the request
        reaches a path."""
        sow = store.sows.get(sow_id)
        if sow is None or sow.vendor_id != vendor_id or not Path(sow.path).is_file():
            raise NotFound("No such SOW for this vendor.")
        return sow

    # Registered before the .docx route, whose {sow_id} would take "<id>.pdf" whole.
    @app.get("/vendors/{vendor_id}/sows/{sow_id}.pdf", include_in_schema=False)
    def download_sow_pdf(request: Request, vendor_id: str, sow_id: str, staff: Viewer) -> Response:
        sow = sow_or_404(vendor_id, sow_id)
        folder = tempfile.mkdtemp(prefix="fairsource-pdf-")  # per request; removed once the PDF is sent
        try:
            pdf = sow_pdf.to_pdf(sow.path, folder)
        except sow_pdf.LibreOfficeNotFound:
            shutil.rmtree(folder, ignore_errors=True)
            raise PdfUnavailable("A PDF cannot be made here: LibreOffice is not installed on the server. Download "
                                 "the Word document (.docx) instead, or ask the administrator to install "
                                 "LibreOffice (libreoffice-writer-nogui).") from None
        except sow_pdf.PdfConversionError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise WebError(f"The SOW could not be converted to PDF ({exc}). Download the Word document (.docx) "
                           "instead.", 500) from None
        store.audit.record("sow_pdf_downloaded", actor=staff.email, vendor_id=vendor_id, subject=sow.path,
                    detail={"sow_id": sow.id})
        return FileResponse(pdf, media_type=PDF, filename=pdf.name, headers={"Cache-Control": "no-store"},
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    @app.get("/vendors/{vendor_id}/sows/{sow_id}", include_in_schema=False)
    def download_sow(request: Request, vendor_id: str, sow_id: str, staff: Viewer) -> Response:
        sow = sow_or_404(vendor_id, sow_id)
        store.audit.record("sow_downloaded", actor=staff.email, vendor_id=vendor_id, subject=sow.path,
                    detail={"sow_id": sow.id})
        return FileResponse(sow.path, media_type=DOCX, filename=Path(sow.path).name,
                            headers={"Cache-Control": "no-store"})

    def invite_response(request: Request, staff: Staff, name: str, contact: str) -> Response:
        try:
            invite, vendor, token = accounts.create_invite(store, name, contact or None, created_by=staff.email,
                                                       days=settings.invite_days)
        except accounts.AuthError as exc:
            raise WebError(str(exc)) from None
        link = f"{settings.web_base_url.rstrip('/')}/portal/{token}"
        return render(request, "invited.html", vendor=vendor, invite=invite, link=link)

    @app.post("/vendors/invite", include_in_schema=False)
    def invite_new(request: Request, staff: Admin, csrf_token: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        return invite_response(request, staff, name, contact)

    @app.post("/vendors/{vendor_id}/invite", include_in_schema=False)
    def invite_again(request: Request, vendor_id: str, staff: Admin, csrf_token: Annotated[str, Form()] = "",
                     contact: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        vendor = vendor_or_404(vendor_id)
        return invite_response(request, staff, vendor.id, contact or vendor.contact_email or "")

    @app.post("/vendors/{vendor_id}/invites/{invite_id}/revoke", include_in_schema=False)
    def revoke(request: Request, vendor_id: str, invite_id: str, staff: Admin,
               csrf_token: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        vendor = vendor_or_404(vendor_id)
        if not any(i.id == invite_id for i in store.invites.of_vendor(vendor.id)):
            raise NotFound("No such portal link for this vendor.")
        store.invites.revoke(invite_id, actor=staff.email, now=accounts.now())
        return RedirectResponse(f"/vendors/{vendor.id}?done=revoked", status_code=303)

    @app.get("/users", response_class=HTMLResponse, include_in_schema=False)
    def users_page(request: Request, staff: Admin) -> Response:
        return render(request, "users.html", users=store.staff.all(), roles=accounts.ROLES)

    @app.post("/users", include_in_schema=False)
    def add_user(request: Request, staff: Admin, csrf_token: Annotated[str, Form()] = "",
                 email: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "viewer",
                 password: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf_token, staff)
        try:
            accounts.add_user(store, email, role, password, actor=staff.email)
        except FairsourceError as exc:
            return render(request, "users.html", 400, users=store.staff.all(), roles=accounts.ROLES, error=str(exc),
                          email=email, role=role)
        return RedirectResponse("/users", status_code=303)

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, staff: Admin) -> Response:
        names = dict(store.vendors.names())
        return render(request, "audit.html", events=store.audit.events(limit=300), names=names)

    # -- workbooks received by e-mail, several at once; the portfolio workbook -------------------------------------
    def upload_page_context() -> dict[str, Any]:
        return dict(max_mb=MAX_UPLOAD // (1024 * 1024), max_files=MAX_UPLOAD_FILES)

    @app.get("/upload", response_class=HTMLResponse, include_in_schema=False)
    def upload_page(request: Request, staff: Reviewer) -> Response:
        return render(request, "upload.html", **upload_page_context())

    @app.post("/upload", include_in_schema=False)
    def upload_files(request: Request, staff: Reviewer, csrf_token: Annotated[str, Form()] = "",
                     files: Annotated[list[UploadFile] | None, File()] = None) -> Response:
        """Each workbook read, scored and stored as through the API, one after the other; one failing file
        does not stop the others."""
        check_csrf(request, csrf_token, staff)
        chosen = [f for f in files or [] if f.filename or f.size]  # a form sent with no file has one empty part
        if not chosen or len(chosen) > MAX_UPLOAD_FILES:
            message = ("Choose one or more workbooks (.xlsx) to upload." if not chosen else
                       f"{len(chosen)} files: upload at most {MAX_UPLOAD_FILES} at a time.")
            return render(request, "upload.html", 400, error=message, **upload_page_context())
        results = []
        for upload in chosen:
            name = upload_name(upload.filename)
            try:
                found = intake_upload(upload, actor=staff.email, vendor=None)
            except UploadTooLarge as exc:
                store.audit.record("upload_refused_too_large", actor=staff.email, subject=name)
                results.append(UploadResult(filename=name, error=exc.message))
                continue
            except FairsourceError as exc:  # this file could not be stored (a SOW or the store failed): say so
                store.audit.record("upload_failed", actor=staff.email, subject=name, detail={"error": str(exc)[:1000]})
                results.append(UploadResult(filename=name, error=f"Not stored: {exc}"))
                continue
            if isinstance(found, list):
                results.append(UploadResult(filename=name, problems=found))
            else:
                results.append(UploadResult(filename=name, outcome=found))
        return render(request, "upload.html", results=results, **upload_page_context())

    @app.get("/report.xlsx", include_in_schema=False)
    def portfolio(request: Request, staff: Viewer) -> Response:
        """The portfolio workbook (as `fairsource report`), written afresh for this request into a temporary
        folder that is removed once it is sent."""
        from flows.usecases import write_report

        today = dt.date.today()
        folder = tempfile.mkdtemp(prefix="fairsource-report-")
        try:
            path = Path(write_report(settings, str(Path(folder) / "portfolio.xlsx"), today))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        store.audit.record("report_downloaded", actor=staff.email, subject=f"portfolio {today.isoformat()}")
        return FileResponse(path, media_type=XLSX, filename=f"fairsource-portfolio-{today.isoformat()}.xlsx",
                            headers={"Cache-Control": "no-store"},
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    # -- intake, shared by the portal and the API ---------------------------------------------------------------
    def read_capped(upload: UploadFile) -> bytes:
        """The uploaded file, read in chunks: refused as soon as it passes 20 MB."""
        data = bytearray()
        while chunk := upload.file.read(1024 * 1024):
            data += chunk
            if len(data) > MAX_UPLOAD:
                raise UploadTooLarge(MAX_UPLOAD)
        return bytes(data)

    def intake_upload(upload: UploadFile, *, actor: str, vendor: PortalVendor | None
                      ) -> usecases.Outcome | list[Problem]:
        """Read, score, write the SOW, store; or every problem of a rejected workbook. A vendor's upload
        must be its own questionnaire."""
        data = read_capped(upload)
        filename = upload_name(upload.filename)
        try:
            submission = read_workbook(filename, data=data)  # the name is a label: nothing is read from disk
        except WorkbookRejected as exc:
            store.audit.record("upload_rejected", actor=actor, vendor_id=vendor.vendor_id if vendor else None,
                        subject=filename, detail={"problems": len(exc.problems)})
            return exc.problems
        if vendor is not None and submission.vendor_name != vendor.vendor:
            store.audit.record("upload_refused_wrong_vendor", actor=actor, vendor_id=vendor.vendor_id, subject=filename)
            raise WrongVendor(f'This questionnaire was issued to another vendor. Upload the form of '
                              f'"{vendor.vendor}", downloaded from this page.')
        outcome = usecases.intake_one(submission, store, state.inputs, dt.date.today(), settings.sow_dir)
        store.audit.record("web_intake", actor=actor, vendor_id=outcome.vendor_id, subject=filename,
                    detail={"assessment_id": outcome.assessment_id, "decision": outcome.decision.decision,
                            "duplicate": outcome.duplicate})
        return outcome

    # -- the vendor portal -------------------------------------------------------------------------------------------
    def portal_context(vendor: PortalVendor) -> dict[str, Any]:
        today = dt.date.today()
        found = list(usecases.statuses(store, state.inputs.review_policy, today, vendor.vendor_id))
        latest = store.assessments.latest(vendor.vendor_id)
        return dict(vendor=vendor, status=found[0] if found else None,
                    decision=Decision.model_validate(latest.data) if latest else None,
                    max_mb=MAX_UPLOAD // (1024 * 1024))

    @app.get("/portal/{token}", response_class=HTMLResponse, include_in_schema=False)
    def portal(request: Request, token: str, received: str = "") -> Response:
        vendor = portal_vendor(token)
        return render(request, "portal.html", token=token, received=bool(received), **portal_context(vendor))

    @app.get("/portal/{token}/form.xlsx", include_in_schema=False)
    def portal_form(token: str) -> Response:
        vendor = portal_vendor(token)
        submission = store.submissions.latest_of(vendor.vendor_id)
        with tempfile.TemporaryDirectory(prefix="fairsource-form-") as tmp:
            out = Path(tmp) / "form.xlsx"
            if submission is not None:  # re-attestation: the last answers, to confirm or correct
                usecases.prefilled_form(submission, out, form_id=str(uuid.uuid4()), issued_at=accounts.now())
            else:
                write_form(out, vendor.vendor)
            data = out.read_bytes()
        store.audit.record("portal_form_downloaded", actor=vendor.actor, vendor_id=vendor.vendor_id,
                    detail={"prefilled": submission is not None})
        from supplier_models.names import slug

        name = f"{slug(vendor.vendor)}-questionnaire.xlsx"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                        "Cache-Control": "no-store"})

    @app.post("/portal/{token}/upload", include_in_schema=False)
    def portal_upload(request: Request, token: str, file: Annotated[UploadFile, File()],
                      csrf_token: Annotated[str, Form()] = "") -> Response:
        vendor = portal_vendor(token)
        check_csrf(request, csrf_token)
        try:
            result = intake_upload(file, actor=vendor.actor, vendor=vendor)
        except WrongVendor as exc:
            return render(request, "portal.html", 403, token=token, error=exc.message, **portal_context(vendor))
        if isinstance(result, list):
            return render(request, "portal.html", 422, token=token, problems=result, filename=file.filename,
                          **portal_context(vendor))
        return RedirectResponse(f"/portal/{token}?received=1", status_code=303)

    # -- the API -------------------------------------------------------------------------------------------------------
    @app.post("/api/intake", tags=["intake"], responses={
        200: {"description": "the `fairsource intake --json` decision object"},
        401: {"description": "no valid bearer token"}, 403: {"description": "a viewer, or another vendor's file"},
        413: {"description": "the file is over 20 MB"}, 422: {"model": IntakeErrors}})
    def api_intake(file: Annotated[UploadFile, File(description="the returned questionnaire (.xlsx)")],
                   principal: Annotated[Staff | PortalVendor, Depends(api_principal)]) -> JSONResponse:
        """Read, score and store a returned questionnaire and write its SOW. Bearer token: a staff user's API
        token (reviewer or admin), or a vendor's portal token (its own questionnaire only)."""
        if isinstance(principal, Staff) and not principal.can("reviewer"):
            raise Forbidden("Submitting a questionnaire needs the reviewer or admin role.")
        vendor = principal if isinstance(principal, PortalVendor) else None
        actor = vendor.actor if vendor else principal.email
        result = intake_upload(file, actor=actor, vendor=vendor)
        if isinstance(result, list):
            return JSONResponse({"errors": [p.model_dump() for p in result]}, status_code=422)
        body = result.as_json()
        if vendor is not None and body.get("sow"):  # a vendor learns its SOW's name, not the server's folders
            body["sow"] = Path(body["sow"]).name
        return JSONResponse(body)

    @app.get("/api/vendors", tags=["vendors"], response_model=list[VendorItem])
    def api_vendors(staff: Annotated[Staff, Depends(api_staff)], status: str | None = Query(None)) -> list[VendorItem]:
        """Every vendor with its status (as `fairsource status`), in name order."""
        items = []
        for v, s in vendor_rows(dt.date.today()):
            item = VendorItem(vendor_id=v.id, vendor=v.name, status=s.status if s else "awaiting_submission",
                              decision=s.decision if s else None, valid_until=s.valid_until if s else None,
                              review_pending=bool(s and s.review_pending),
                              open_remediations=len(s.open_remediations) if s else 0,
                              overdue_remediations=len(s.overdue_remediations) if s else 0, contact=v.contact_email)
            if status is None or item.status == status:
                items.append(item)
        return items

    @app.get("/api/vendors/{vendor_id}", tags=["vendors"], response_model=VendorDetail)
    def api_vendor(vendor_id: str, staff: Annotated[Staff, Depends(api_staff)]) -> VendorDetail:
        """One vendor: status, assessment history, the latest decision with its explanation, remediations,
        reviews."""
        vendor = vendor_or_404(vendor_id)
        ctx = vendor_context(vendor, dt.date.today())
        return VendorDetail(
            vendor_id=vendor.id, vendor=vendor.name, contact=vendor.contact_email, status=ctx["status"],
            assessments=[AssessmentItem(assessment_id=a.id, assessed_on=a.assessed_on, decision=a.decision, score=a.score,
                                        geo_band=a.geo_band, valid_until=a.valid_until, reason=a.reason,
                                        rubric_version=a.rubric_version,
                                        country_data_version=a.country_data_version) for a in ctx["history"]],
            latest_decision=ctx["latest"].data if ctx["latest"] else None, remediations=ctx["remediations"],
            reviews=[ReviewView(action=r.action, reviewer=r.reviewer, reason=r.reason, at=r.at,
                                to_decision=r.to_decision, override_knockout=r.override_knockout)
                     for r in ctx["reviews"]])

    return app


__all__ = ["BodyLimit", "MAX_UPLOAD", "WebError", "create_app"]
