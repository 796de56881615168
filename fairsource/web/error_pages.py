"""How a refused request (`WebError`) is answered: JSON under /api/, a redirect to sign in, or the error page; and
an unexpected error, with the security headers."""

from urllib.parse import quote

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from supplier_models.errors import LoginRequired, UploadTooLarge, WebError

from .rendering import render
from .security_headers import secured


def web_error(request: Request, exc: WebError) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        if isinstance(exc, UploadTooLarge):
            return JSONResponse({"errors": [{"cell": None, "question": None, "message": exc.message}]}, 413)
        return JSONResponse({"detail": exc.message}, exc.status_code)
    if isinstance(exc, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return render(request, "error.html", exc.status_code, message=exc.message, code=exc.status_code,
                  back=way_back(request.url.path))


def way_back(path: str) -> tuple[str, str] | None:
    """Where a refused form was sent from, to go back to it: a vendor's portal page (its upload, its form), the
    upload page; None: the dashboard, for staff."""
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "portal":
        return "/".join(parts[:3]), "Back to your portal page"
    if path == "/upload":
        return "/upload", "Back to the upload form"
    if len(parts) > 3 and parts[1] == "vendors":  # a file attached on a vendor's page
        return "/".join(parts[:3]), "Back to the vendor's page"
    return None


HTTP_MESSAGES = {404: "There is no page at this address.", 405: "This address does not take that kind of request."}


def http_error(request: Request, exc: HTTPException) -> Response:
    """What no route answers (404, 405): JSON under /api/, the error page for a browser."""
    if _for_a_program(request):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    return render(request, "error.html", exc.status_code, code=exc.status_code,
                  message=HTTP_MESSAGES.get(exc.status_code, str(exc.detail)))


SERVER_ERROR_PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Server error - fairsource"
                     "</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>"
                     "<main><h1>Something went wrong</h1><p>The server could not answer this request. Nothing was "
                     "half-stored: try again, and if it happens again, tell whoever runs fairsource (the server's "
                     "log says what failed).</p><p><a href=\"/\">Back to the start</a></p></main></body></html>")


def _for_a_program(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/openapi.json", "/healthz") or \
        "text/html" not in request.headers.get("accept", "text/html")


def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: a 500 (JSON's plain text under /api/, a page of its own for a browser), with the
    security headers (it is answered outside every middleware, so the page is a fixed one, not a template)."""
    answer = PlainTextResponse("Internal Server Error", 500) if _for_a_program(request) else \
        HTMLResponse(SERVER_ERROR_PAGE, 500)
    return secured(answer, https=request.app.state.web.settings.web_secure_cookies)


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """A request FastAPI could not take (no file, a body that is not multipart): under /api/ in the `errors` form
    of a refused workbook (the API's description says so), FastAPI's own list kept as `detail`; elsewhere
    FastAPI's answer."""
    if not request.url.path.startswith("/api/"):
        return await request_validation_exception_handler(request, exc)
    found = jsonable_encoder(exc.errors())
    errors = [{"cell": None, "question": None,
               "message": f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'request'}: {e.get('msg')}"}
              for e in found]
    return JSONResponse({"errors": errors, "detail": found}, 422)
