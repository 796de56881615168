"""The API's description, `GET /openapi.json`, and its page, `GET /docs`: Swagger UI, whose files the app serves
from the fastapi-offline package (no CDN, so the page works without internet), started by `static/docs.js` (no
inline script: the Content-Security-Policy allows none), its colours darkened to a 4.5:1 contrast by
`static/docs.css`.

`FAIRSOURCE_WEB_DOCS` says who sees them: `signed_in` (the default: staff signed in, or `/openapi.json` with a
staff API token; a procurement team's API is no one else's business), `public`, or `off` (no page, no
description, no Swagger files)."""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from supplier_models import Settings

from ..deps import ApiStaff, CurrentStaff
from ..rendering import HERE

SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"  # swagger-ui-bundle.js, swagger-ui.css, favicon
DOCS_PAGE = (HERE / "templates" / "docs.html").read_text(encoding="utf-8")


def add_docs(app: FastAPI, settings: Settings) -> None:
    """Add /openapi.json, /docs and Swagger UI's files at /docs/assets, as `settings.web_docs` says."""
    if settings.web_docs == "off":
        return
    signed_in = settings.web_docs == "signed_in"
    router = APIRouter(include_in_schema=False)
    reader = [Depends(_staff_reader)] if signed_in else []
    browser = [Depends(_signed_in)] if signed_in else []

    @router.get("/openapi.json", dependencies=reader)
    async def openapi(request: Request) -> Response:
        return JSONResponse(request.app.openapi())

    @router.get("/docs", response_class=HTMLResponse, dependencies=browser)
    async def docs() -> Response:
        return HTMLResponse(DOCS_PAGE, headers={"Cache-Control": "no-store"})

    app.mount("/docs/assets", StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    app.include_router(router)


def _staff_reader(staff: ApiStaff) -> None:
    """A staff member: signed in (a browser) or with an API token; 401 otherwise, 403 for a vendor's token."""


def _signed_in(staff: CurrentStaff) -> None:
    """A signed-in staff member, or a redirect to sign in."""


__all__ = ["add_docs"]
