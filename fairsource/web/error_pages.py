"""How a refused request (`WebError`) is answered: JSON under /api/, a redirect to sign in, or the error page; and
an unexpected error, with the security headers."""

from urllib.parse import quote

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

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
    return render(request, "error.html", exc.status_code, message=exc.message, code=exc.status_code)


def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: Starlette's plain 500, with the security headers (it is answered outside every
    middleware)."""
    return secured(PlainTextResponse("Internal Server Error", 500),
                   https=request.app.state.web.settings.web_secure_cookies)


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
