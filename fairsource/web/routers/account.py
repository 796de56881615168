"""One's own account (any signed-in staff member): the page, and changing one's password (the current one
required; a wrong one counts as a failed sign-in). And the password-reset link an admin sent: the page where its
user sets a new password, once (`fairsource.user_admin`).

The password work (argon2, 64 MiB each) runs in the pool of password checks, as signing in does."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fairsource import user_admin
from supplier_models.errors import AuthError

from ..deps import StateDep, StoreDep, Viewer, check_csrf, in_pool
from ..rendering import render
from .auth import client_of
from .users import said

router = APIRouter(include_in_schema=False)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, staff: Viewer, done: str = "") -> Response:
    return render(request, "account.html", errors={},
                  notice="Password changed. You stay signed in here; everywhere else you were signed in, you are "
                         "signed out." if done == "password" else None)


@router.post("/account/password")
async def change_password(request: Request, staff: Viewer, web: StateDep, csrf_token: Annotated[str, Form()] = "",
                          current: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                          confirm: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    try:
        await in_pool(web.password_checks, user_admin.change_password, web.store, staff, current, password, confirm,
                      client=client_of(request), per_address=web.settings.web_login_failures_per_address)
    except AuthError as exc:
        return render(request, "account.html", 400, errors={exc.field or "current": said(exc)})
    return RedirectResponse("/account?done=password", status_code=303)


@router.get("/reset/done", response_class=HTMLResponse)
def reset_done(request: Request) -> Response:
    return render(request, "reset.html", done=True, user=None, errors={})


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, token: str, store: StoreDep) -> Response:
    user = user_admin.reset_user(store, token)
    return render(request, "reset.html", 200 if user else 404, token=token, user=user, errors={})


@router.post("/reset/{token}")
async def reset(request: Request, token: str, web: StateDep, csrf_token: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        user = await in_pool(web.password_checks, user_admin.reset_password, web.store, token, password, confirm)
    except AuthError as exc:
        if exc.field is None:  # the link itself does not work (any more)
            return render(request, "reset.html", 410, token=token, user=None, errors={})
        return render(request, "reset.html", 400, token=token,
                      user=await run_in_threadpool(user_admin.reset_user, web.store, token), errors={exc.field: said(exc)})
    await run_in_threadpool(web.store.sessions.clear_failures, user.email, client_of(request))
    return RedirectResponse("/reset/done", status_code=303)
