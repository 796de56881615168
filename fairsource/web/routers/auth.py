"""Signing in (e-mail and password, rate-limited, a server-side session in an HttpOnly cookie) and out."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairsource import accounts

from ..cookies import SESSION_COOKIE, set_cookie
from ..deps import SettingsDep, StoreDep, Viewer, check_csrf
from ..rendering import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site (`//host`, `/\\host`)."""
    return target if target and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target else "/"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=safe_next(next))


@router.post("/login")
def login(request: Request, store: StoreDep, settings: SettingsDep, email: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    check_csrf(request, csrf_token)
    client = client_of(request)
    email = email.strip().lower()[:320]
    if accounts.login_blocked(store, email, client):
        store.audit.record("login_blocked", actor=email, detail={"client": client})
        return render(request, "login.html", 429, next=safe_next(next), email=email,
                      error="Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.")
    user = store.staff.by_email(email) if email else None
    ok = accounts.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        store.sessions.add_failure(email, client)
        return render(request, "login.html", 401, next=safe_next(next), email=email,
                      error="That e-mail and password do not match an account.")
    store.sessions.clear_failures(email, client)
    secret, _ = accounts.start_session(store, user, settings.web_session_hours)
    store.audit.record("login", actor=user.email, detail={"client": client})
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(response, SESSION_COOKIE, secret, max_age=settings.web_session_hours * 3600,
               secure=settings.web_secure_cookies)
    return response


@router.post("/logout")
def logout(request: Request, staff: Viewer, store: StoreDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    store.sessions.end(staff.session_id or "")
    store.audit.record("logout", actor=staff.email)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
