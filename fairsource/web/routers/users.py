"""Staff users, for admins: the list and a new user, a user's page (role, disabled, password-reset link, API token,
sessions), every change through `fairsource.user_admin` (as the `fairsource user` commands) and audited.
Disabling, revoking a token and signing everyone out ask first on a page of their own. A refused form comes back
with what was typed (never a password) and the reason beside its field.

A reset link is shown once and never stored (the store keeps a fingerprint): as with portal links (`invites`), the
POST that makes it hands it to the page that shows it in a cookie of that page's own (HttpOnly, SameSite=Strict,
ten minutes), and that page clears it: a refresh shows no link and makes none."""

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairsource import accounts, user_admin
from fairsource.accounts import Staff
from supplier_models import FairsourceError, Store
from supplier_models.errors import AuthError, NotFound
from supplier_models.store.tables import StaffUser

from ..deps import Admin, SettingsDep, StoreDep, check_csrf
from ..rendering import render, sentence
from .invites import portal_base

router = APIRouter(include_in_schema=False)
LINK_COOKIE = "fs_reset_link"

DONE = {"added": "User added.", "role": "Role changed.", "disabled": "Disabled: signed out everywhere, the API "
        "token and any reset link ended.", "enabled": "Enabled: they sign in with their password again.",
        "token": "API token revoked.", "signed_out": "Signed out everywhere."}

CONFIRM = {  # what each destructive action asks first: (title, what happens, the button)
    "disable": ("Disable {email}?", "{email} can no longer sign in. Every session of theirs ends now (they are "
                "signed out everywhere), their API token stops working and any password-reset link sent to them "
                "ends. What they did stays in the record. You can enable them again afterwards; they would then "
                "sign in with their password, and need a new API token.", "Disable the user"),
    "revoke-token": ("Revoke the API token of {email}?", "Scripts using this token are refused from now on. A new "
                     "token can be made with the command fairsource user token.", "Revoke the token"),
    "sign-out": ("Sign {email} out everywhere?", "Every browser where {email} is signed in is signed out now; they "
                 "can sign in again with their password.", "Sign out everywhere"),
}


def said(exc: Exception) -> str:
    """A refusal as a sentence."""
    text = sentence(str(exc))
    return text if text.endswith((".", "?", "!")) else text + "."


def user_or_404(store: Store, user_id: str) -> StaffUser:
    user = store.staff.get(user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, staff: Admin, store: StoreDep) -> Response:
    return users_list(request, store)


def users_list(request: Request, store: Store, status: int = 200, **context) -> Response:
    return render(request, "users.html", status, users=store.staff.all(), roles=accounts.ROLES,
                  signed_in=store.user_admin.session_counts(accounts.now()), **{"typed": {}, "errors": {}, **context})


@router.post("/users")
def add_user(request: Request, staff: Admin, store: StoreDep, csrf_token: Annotated[str, Form()] = "",
             email: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "viewer",
             password: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    try:
        user = accounts.add_user(store, email, role, password, actor=staff.email)
    except FairsourceError as exc:
        field = getattr(exc, "field", None) or "email"  # "exists already" is about the e-mail
        return users_list(request, store, 400, typed={"email": email, "role": role}, errors={field: said(exc)})
    return RedirectResponse(f"/users/{user.id}?done=added", status_code=303)


def user_page(request: Request, store: Store, staff: Staff, user: StaffUser, status: int = 200, **context) -> Response:
    return render(request, "user.html", status, user=user, roles=accounts.ROLES, me=staff.id == user.id,
                  sessions=store.user_admin.sessions_of(user.id, accounts.now()), this_session=staff.session_id,
                  errors=context.pop("errors", {}), **context)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_view(request: Request, user_id: str, staff: Admin, store: StoreDep, done: str = "") -> Response:
    return user_page(request, store, staff, user_or_404(store, user_id), notice=DONE.get(done))


@router.post("/users/{user_id}/role")
def change_role(request: Request, user_id: str, staff: Admin, store: StoreDep,
                csrf_token: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    user = user_or_404(store, user_id)
    try:
        user_admin.set_role(store, user.id, role, actor=staff.email)
    except AuthError as exc:
        return user_page(request, store, staff, user, 400, errors={"role": said(exc)}, typed_role=role)
    return RedirectResponse(f"/users/{user.id}?done=role", status_code=303)


@router.get("/users/{user_id}/{action}", response_class=HTMLResponse)
def confirm(request: Request, user_id: str, action: str, staff: Admin, store: StoreDep) -> Response:
    """Are you sure? (disable, revoke-token, sign-out)"""
    if action not in CONFIRM:
        raise NotFound("There is no page at this address.")
    user = user_or_404(store, user_id)
    title, what, button = (text.format(email=user.email) for text in CONFIRM[action])
    return render(request, "user_confirm.html", user=user, action=action, title=title, what=what, button=button,
                  me=staff.id == user.id)


@router.post("/users/{user_id}/disable")
def disable(request: Request, user_id: str, staff: Admin, store: StoreDep,
            csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    user = user_or_404(store, user_id)
    try:
        user_admin.disable(store, user.id, actor=staff.email)
    except AuthError as exc:
        return user_page(request, store, staff, user, 400, errors={"disabled": said(exc)})
    if user.id == staff.id:  # they disabled themself: their own session has ended
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(f"/users/{user.id}?done=disabled", status_code=303)


@router.post("/users/{user_id}/enable")
def enable(request: Request, user_id: str, staff: Admin, store: StoreDep,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    user_admin.enable(store, user_or_404(store, user_id).id, actor=staff.email)
    return RedirectResponse(f"/users/{user_id}?done=enabled", status_code=303)


@router.post("/users/{user_id}/revoke-token")
def revoke_token(request: Request, user_id: str, staff: Admin, store: StoreDep,
                 csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    user_admin.revoke_api_token(store, user_or_404(store, user_id).id, actor=staff.email)
    return RedirectResponse(f"/users/{user_id}?done=token", status_code=303)


@router.post("/users/{user_id}/sign-out")
def sign_out(request: Request, user_id: str, staff: Admin, store: StoreDep,
             csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    user_admin.sign_out_everywhere(store, user_or_404(store, user_id).id, actor=staff.email)
    if user_id == staff.id:  # their own sessions, this one too
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(f"/users/{user_id}?done=signed_out", status_code=303)


def reset_page_of(user_id: str, reset_id: str) -> str:
    return f"/users/{user_id}/resets/{reset_id}"


@router.post("/users/{user_id}/reset")
def send_reset(request: Request, user_id: str, staff: Admin, store: StoreDep, settings: SettingsDep,
               csrf_token: Annotated[str, Form()] = "") -> Response:
    """A new reset link, mailed to the user when e-mail is set up; then the page that shows it once."""
    check_csrf(request, csrf_token, staff)
    user = user_or_404(store, user_id)
    try:
        issued = user_admin.issue_reset(store, settings, user.id, actor=staff.email,
                                        base=portal_base(request, settings), reply_to=staff.email)
    except AuthError as exc:
        return user_page(request, store, staff, user, 400, errors={"reset": said(exc)})
    page = reset_page_of(user.id, issued.reset.id)
    response = RedirectResponse(page, status_code=303)
    flash = base64.urlsafe_b64encode(json.dumps({"link": issued.link, "said": issued.said,
                                                 "sent": issued.sent}).encode()).decode()
    response.set_cookie(LINK_COOKIE, flash, max_age=600, path=page, httponly=True, samesite="strict",
                        secure=settings.web_secure_cookies)
    return response


@router.get("/users/{user_id}/resets/{reset_id}", response_class=HTMLResponse)
def reset_sent(request: Request, user_id: str, reset_id: str, staff: Admin, store: StoreDep,
               settings: SettingsDep) -> Response:
    """The link, once: from the cookie the POST left (if it is this link's); after that, only that it was made."""
    user = user_or_404(store, user_id)
    try:
        flash = json.loads(base64.urlsafe_b64decode(request.cookies.get(LINK_COOKIE, "")))
        link, words, sent = str(flash["link"]), str(flash["said"]), bool(flash["sent"])
    except (ValueError, KeyError, TypeError):
        link = words = ""
        sent = False
    found = store.user_admin.reset_for(accounts.digest(link.rsplit("/", 1)[-1]), accounts.now()) if link else None
    shown = found is not None and found[0].id == reset_id and found[1].id == user.id
    response = render(request, "reset_sent.html", user=user, link=link if shown else None, said=words, sent=sent,
                      hours=user_admin.RESET_HOURS)
    response.delete_cookie(LINK_COOKIE, path=reset_page_of(user_id, reset_id), httponly=True, samesite="strict",
                           secure=settings.web_secure_cookies)
    return response
