"""The fairsource web app: analysts' pages, the vendor portal and a small JSON API, on the same store as
the command line. Server-rendered (Jinja2, autoescaped), plain HTML forms, no JavaScript build.

`create_app(settings)` builds it; `fairsource web` serves it with uvicorn (`--workers N`: N processes, each
building its own with `from_environment`, the factory uvicorn calls). Intake runs in-process (read,
score, write the SOW, store: `flows.usecases`), in the threadpool, with the scoring inputs loaded once.

Where things are: `deps` (what a route may ask for: the store, who is signed in, roles, the API's callers, a
vendor's portal link, the CSRF check), `routers/` (one router per area), `schemas` (the pydantic models),
`rendering` (templates and `render`), `error_pages` (how a `WebError` is answered), `uploads` (a workbook
uploaded, taken in), `body_limit` (413 before a large body is read), `security_headers` (CSP and the others, on
every answer), `downloads`, `queries`, `cookies`.
"""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from flows import usecases
from supplier_models import Settings, get_settings
from supplier_models.errors import WebError

from .body_limit import BODY_SLACK, BodyLimit, signed_in_reviewer
from .deps import WebState
from .error_pages import http_error, invalid_request, server_error, web_error
from .rendering import HERE
from .routers import (
    account,
    admin,
    api,
    auth,
    dashboard,
    evidence,
    health,
    invites,
    portal,
    portal_form,
    users,
    vendors,
    work,
    workbooks,
)
from .routers.docs import add_docs
from .security_headers import SecurityHeaders
from .uploads import MAX_UPLOAD, MAX_UPLOAD_FILES

# In the order routes are matched: within a router, a route before the ones it would shadow.
ROUTERS = (health, auth, dashboard, invites, vendors, work, admin, users, account, workbooks, portal, portal_form, evidence,
           api)  # invites: /vendors/invite first


def create_app(settings: Settings, *, inputs: usecases.ScoringInputs | None = None) -> FastAPI:
    state = WebState(settings, inputs)
    app = FastAPI(title="fairsource", version="0.1.0", summary="Supplier qualification for human-data services",
                  docs_url=None, redoc_url=None, openapi_url=None)  # routers/docs.py serves them
    app.state.web = state
    app.add_middleware(BodyLimit, limit=MAX_UPLOAD + BODY_SLACK,
                       larger={"/upload": MAX_UPLOAD_FILES * (MAX_UPLOAD + BODY_SLACK)},
                       may_send_larger=signed_in_reviewer, patterns=evidence.BODY_LIMITS)
    if settings.web_trusted_proxies.strip():  # behind them, the client is the one they name (the sign-in limits)
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.web_trusted_proxies)
    app.add_exception_handler(WebError, web_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_middleware(SecurityHeaders, https=settings.web_secure_cookies)  # last: outermost, on every answer
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for area in ROUTERS:
        app.include_router(area.router)
    add_docs(app, settings)
    return app


def from_environment() -> FastAPI:
    """The app on this environment's settings: what each worker process of `fairsource web --workers N` serves
    (uvicorn calls it in the worker). Nothing that matters is kept per process: sessions, CSRF tokens and the
    sign-in limits are in the store, so any worker answers any request."""
    return create_app(get_settings())


__all__ = ["create_app", "from_environment"]
