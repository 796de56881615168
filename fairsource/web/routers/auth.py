"""Signing in (e-mail and password, rate-limited per e-mail and per address, a server-side session in an HttpOnly
cookie) and out."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairsource import accounts

from ..cookies import SESSION_COOKIE, set_cookie
from ..deps import StateDep, StoreDep, Viewer, check_csrf, in_pool
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
async def login(request: Request, web: StateDep, email: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = "/") -> Response:
    """Counted first (atomically, in the store), then checked in the password pool (argon2 takes 64 MiB: a burst
    waits its turn), the store's work in the threadpool: a burst holds neither memory nor threads."""
    check_csrf(request, csrf_token)
    store, client, target = web.store, client_of(request), safe_next(next)
    email = email.strip().lower()[:320]
    allowed, user = await run_in_threadpool(accounts.sign_in_attempt, store, email, client,
                                            web.settings.web_login_failures_per_address)
    if not allowed:
        await run_in_threadpool(store.audit.record, "login_blocked", actor=email, detail={"client": client})
        return render(request, "login.html", 429, next=target, email=email,
                      error="Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.")
    ok = await in_pool(web.password_checks, accounts.verify_password, user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        await run_in_threadpool(store.audit.record, "login_failed", actor=email, subject=email,
                                detail={"client": client})
        return render(request, "login.html", 401, next=target, email=email,
                      error="That e-mail and password do not match an account.")
    secret = await run_in_threadpool(accounts.signed_in, store, user, client, web.settings.web_session_hours)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, SESSION_COOKIE, secret, max_age=web.settings.web_session_hours * 3600,
               secure=web.settings.web_secure_cookies)
    return response


@router.post("/logout")
def logout(request: Request, staff: Viewer, store: StoreDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    store.sessions.end(staff.session_id or "")
    store.audit.record("logout", actor=staff.email)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
