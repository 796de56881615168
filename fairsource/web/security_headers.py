"""The security headers every response carries (ASGI middleware, outermost, so refusals, errors and static files
carry them too): a Content-Security-Policy that allows no inline script or style and no framing, X-Frame-Options,
nosniff, a Referrer-Policy that keeps portal links' tokens on this site, and HSTS when cookies are secure (the
site is served over https)."""

from starlette.datastructures import MutableHeaders
from starlette.responses import Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000"


def security_headers(*, https: bool) -> dict[str, str]:
    headers = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin"}
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Adds `security_headers` to every HTTP response that does not set its own (a page may narrow or widen one)."""

    def __init__(self, app, *, https: bool) -> None:
        self.app, self.headers = app, security_headers(https=https)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                add_missing(MutableHeaders(scope=message), self.headers)
            await send(message)

        await self.app(scope, receive, with_headers)


def add_missing(headers: MutableHeaders, wanted: dict[str, str]) -> None:
    for key, value in wanted.items():
        headers.setdefault(key, value)


def secured(response: Response, *, https: bool) -> Response:
    """`response` with the headers: for what Starlette answers outside the middleware (an unexpected error)."""
    add_missing(response.headers, security_headers(https=https))
    return response
