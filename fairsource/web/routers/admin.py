"""What admins do: give a vendor a portal link (a new vendor, or again) and revoke one, add staff users, read
the audit log."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairsource import accounts
from fairsource.accounts import Staff
from supplier_models import FairsourceError, Settings, Store
from supplier_models.errors import NotFound, WebError

from ..deps import Admin, SettingsDep, StoreDep, check_csrf
from ..queries import vendor_or_404
from ..rendering import render

router = APIRouter(include_in_schema=False)


def invite_response(request: Request, store: Store, settings: Settings, staff: Staff, name: str,
                    contact: str) -> Response:
    """A portal link made for the vendor (created if new), shown once."""
    try:
        invite, vendor, token = accounts.create_invite(store, name, contact or None, created_by=staff.email,
                                                       days=settings.invite_days)
    except accounts.AuthError as exc:
        raise WebError(str(exc)) from None
    link = f"{settings.web_base_url.rstrip('/')}/portal/{token}"
    return render(request, "invited.html", vendor=vendor, invite=invite, link=link)


@router.post("/vendors/invite")
def invite_new(request: Request, staff: Admin, store: StoreDep, settings: SettingsDep,
               csrf_token: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
               contact: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    return invite_response(request, store, settings, staff, name, contact)


@router.post("/vendors/{vendor_id}/invite")
def invite_again(request: Request, vendor_id: str, staff: Admin, store: StoreDep, settings: SettingsDep,
                 csrf_token: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    return invite_response(request, store, settings, staff, vendor.id, contact or vendor.contact_email or "")


@router.post("/vendors/{vendor_id}/invites/{invite_id}/revoke")
def revoke(request: Request, vendor_id: str, invite_id: str, staff: Admin, store: StoreDep,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    if not any(i.id == invite_id for i in store.invites.of_vendor(vendor.id)):
        raise NotFound("No such portal link for this vendor.")
    store.invites.revoke(invite_id, actor=staff.email, now=accounts.now())
    return RedirectResponse(f"/vendors/{vendor.id}?done=revoked", status_code=303)


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
