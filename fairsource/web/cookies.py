"""The web app's two cookies: a staff member's session, and the CSRF token of a visitor not signed in."""

from starlette.responses import Response

SESSION_COOKIE = "fs_session"
CSRF_COOKIE = "fs_csrf"


def set_cookie(response: Response, key: str, value: str, max_age: int | None, *, secure: bool) -> None:
    """HttpOnly, SameSite=Lax, for the whole site; Secure when the settings say the site is served over HTTPS."""
    response.set_cookie(key, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/")
