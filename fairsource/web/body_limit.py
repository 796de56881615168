"""The request body limit (ASGI middleware): a body over the limit is refused with 413 before it is read whole.
The upload page takes several workbooks at once, and so a larger body, from a signed-in reviewer only."""

import re
from html import escape

from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from fairsource import accounts
from supplier_models.errors import UploadTooLarge

from .cookies import SESSION_COOKIE
from .error_pages import way_back
from .uploads import MAX_UPLOAD, MAX_UPLOAD_FILES

BODY_SLACK = 64 * 1024  # the multipart envelope and the small fields around the file


class BodyLimit:
    """Refuse a request body over the limit before it is read whole: at once from its Content-Length, or,
    streamed without one, as soon as the bytes received pass the limit (the rest is never read)."""

    def __init__(self, app, limit: int, *, larger: dict[str, int] | None = None, may_send_larger=None,
                 patterns: tuple[tuple[re.Pattern, int, str], ...] = ()) -> None:
        """`larger`: path -> a larger limit there, for the requests `may_send_larger(scope)` (async) admits
        (the upload page's several workbooks, for a signed-in reviewer only). `patterns`: (path pattern, limit,
        what to say over it) for the paths that read their files with a cap of their own and name a file too
        large (evidence files: `routers/evidence.py`)."""
        self.app, self.limit = app, limit
        self.larger, self.may_send_larger, self.patterns = larger or {}, may_send_larger, patterns

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit, said = self.limit, None
        if scope["path"] in self.larger and (self.may_send_larger is None or await self.may_send_larger(scope)):
            limit = self.larger[scope["path"]]
        for pattern, size, words in self.patterns:
            if pattern.fullmatch(scope["path"]):
                limit, said = size, words
                break
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(scope, send, limit, said)
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
                    await _too_large(scope, send, limit, said)
                return
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except UploadTooLarge:
            if not answered:
                await _too_large(scope, send, limit, said)


def too_large_page(path: str, message: str) -> str:
    """A page for a browser: what was wrong, and the way back to the form the file was sent from (the portal's
    page for its upload, the upload page for its own)."""
    back, label = way_back(path) or ("/", "Back to the start")
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>File too large · fairsource</title>'
            '<link rel="stylesheet" href="/static/app.css"></head><body><main><section class="card narrow">'
            f'<h1>File too large</h1><p>{escape(message)}</p><p><a href="{escape(back)}">{escape(label)}</a></p>'
            '</section></main></body></html>')


async def _too_large(scope, send, limit: int = MAX_UPLOAD + BODY_SLACK, said: str | None = None) -> None:
    message = said or UploadTooLarge(MAX_UPLOAD).message
    if limit > MAX_UPLOAD + BODY_SLACK and said is None:
        message = (f"The files together are larger than {limit // (1024 * 1024)} MB. Upload at most "
                   f"{MAX_UPLOAD_FILES} workbooks, each at most {MAX_UPLOAD // (1024 * 1024)} MB, at a time.")
    if scope["path"].startswith("/api/"):
        response: Response = JSONResponse({"errors": [{"cell": None, "question": None, "message": message}]},
                                          status_code=413)
    else:
        response = HTMLResponse(too_large_page(scope["path"], message), status_code=413)
    response.headers["Connection"] = "close"
    await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


async def signed_in_reviewer(scope) -> bool:
    """Whether the request comes with the session of a reviewer (or admin): who may send the larger body."""
    connection = HTTPConnection(scope)
    cookie = connection.cookies.get(SESSION_COOKIE)
    store = connection.app.state.web.store
    staff = await run_in_threadpool(accounts.staff_for_session, store, cookie) if cookie else None
    return staff is not None and staff.can("reviewer")
