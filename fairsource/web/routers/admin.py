"""What admins do: add staff users, read the audit log (portal links: `invites`)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairsource import accounts
from supplier_models import FairsourceError

from ..deps import Admin, StoreDep, check_csrf
from ..rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, staff: Admin, store: StoreDep) -> Response:
    return render(request, "users.html", users=store.staff.all(), roles=accounts.ROLES)


@router.post("/users")
def add_user(request: Request, staff: Admin, store: StoreDep, csrf_token: Annotated[str, Form()] = "",
             email: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "viewer",
             password: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    try:
        accounts.add_user(store, email, role, password, actor=staff.email)
    except FairsourceError as exc:
        return render(request, "users.html", 400, users=store.staff.all(), roles=accounts.ROLES, error=str(exc),
                      email=email, role=role)
    return RedirectResponse("/users", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, staff: Admin, store: StoreDep) -> Response:
    names = dict(store.vendors.names())
    return render(request, "audit.html", events=store.audit.events(limit=300), names=names)
