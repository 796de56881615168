"""Vendors' portal links, for admins: made (for a new vendor, or again for a known one) and mailed to the
contact when e-mail is set up, shown once, and revoked after a confirmation.

A link is shown once and never stored (the store keeps a fingerprint): the POST that makes it hands it to the page
that shows it in a cookie of that page's own (HttpOnly, SameSite=Strict, ten minutes) and redirects there
(POST-redirect-GET): the page shows it and clears the cookie, so a refresh shows no link and makes none."""

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairsource import accounts
from fairsource.accounts import Staff
from flows.usecases.invite_mail import mail_invite
from supplier_models import Settings, Store
from supplier_models.errors import NotFound
from supplier_models.store.tables import Vendor, VendorInvite

from ..deps import Admin, SettingsDep, StoreDep, check_csrf
from ..queries import vendor_or_404
from ..rendering import render

router = APIRouter(include_in_schema=False)
LINK_COOKIE = "fs_link"


def portal_base(request: Request, settings: Settings) -> str:
    """Where vendors reach the app: FAIRSOURCE_WEB_BASE_URL when set, else the address this request came to."""
    if "web_base_url" in settings.model_fields_set:
        return settings.web_base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def page_of(vendor_id: str, invite_id: str) -> str:
    return f"/vendors/{vendor_id}/invites/{invite_id}"


@router.get("/vendors/invite", response_class=HTMLResponse)
def invite_form(request: Request, staff: Admin) -> Response:
    return render(request, "invite.html", vendor=None, vendor_name="", contact="")


@router.post("/vendors/invite")
def invite_new(request: Request, staff: Admin, store: StoreDep, settings: SettingsDep,
               csrf_token: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
               contact: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    return make_link(request, store, settings, staff, None, name, contact)


@router.post("/vendors/{vendor_id}/invite")
def invite_again(request: Request, vendor_id: str, staff: Admin, store: StoreDep, settings: SettingsDep,
                 csrf_token: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor = vendor_or_404(store, vendor_id)
    return make_link(request, store, settings, staff, vendor, vendor.id, contact or vendor.contact_email or "")


def make_link(request: Request, store: Store, settings: Settings, staff: Staff, vendor: Vendor | None, name: str,
              contact: str) -> Response:
    """A portal link made for the vendor (created if new) and mailed to its contact when e-mail is set up; then
    the page that shows it once. A refused form comes back with what was typed and why."""
    try:
        invite, vendor, token = accounts.create_invite(store, name, contact or None, created_by=staff.email,
                                                       days=settings.invite_days)
    except accounts.AuthError as exc:
        return render(request, "invite.html", 400, vendor=vendor, vendor_name=name if vendor is None else vendor.name,
                      contact=contact, field_error=str(exc).capitalize() + ".")
    link = f"{portal_base(request, settings)}/portal/{token}"
    sent, said = mail_invite(settings, vendor=vendor.name, to=invite.contact or vendor.contact_email, link=link,
                             expires=invite.expires_at.date(), reply_to=staff.email)
    store.audit.record("invite_mailed" if sent else "invite_not_mailed", actor=staff.email, vendor_id=vendor.id,
                       subject=invite.id, detail={"said": said})
    response = RedirectResponse(page_of(vendor.id, invite.id), status_code=303)
    flash = base64.urlsafe_b64encode(json.dumps({"token": token, "said": said, "sent": sent}).encode()).decode()
    response.set_cookie(LINK_COOKIE, flash, max_age=600, path=page_of(vendor.id, invite.id), httponly=True,
                        samesite="strict", secure=settings.web_secure_cookies)
    return response


def invite_of(store: Store, vendor_id: str, invite_id: str) -> tuple[Vendor, VendorInvite]:
    vendor = vendor_or_404(store, vendor_id)
    invite = next((i for i in store.invites.of_vendor(vendor.id) if i.id == invite_id), None)
    if invite is None:
        raise NotFound("No such portal link for this vendor.")
    return vendor, invite


@router.get("/vendors/{vendor_id}/invites/{invite_id}", response_class=HTMLResponse)
def invited(request: Request, vendor_id: str, invite_id: str, staff: Admin, store: StoreDep,
            settings: SettingsDep) -> Response:
    """The link, once: from the cookie the POST left (if it is this link's); after that, only that it was made."""
    vendor, invite = invite_of(store, vendor_id, invite_id)
    try:
        flash = json.loads(base64.urlsafe_b64decode(request.cookies.get(LINK_COOKIE, "")))
        token, said, sent = str(flash["token"]), str(flash["said"]), bool(flash["sent"])
    except (ValueError, KeyError, TypeError):
        token = said = ""
        sent = False
    shown = bool(token) and accounts.digest(token) == invite.token_sha256
    response = render(request, "invited.html", vendor=vendor, invite=invite, said=said, sent=sent,
                      link=f"{portal_base(request, settings)}/portal/{token}" if shown else None)
    response.delete_cookie(LINK_COOKIE, path=page_of(vendor.id, invite.id), httponly=True, samesite="strict",
                           secure=settings.web_secure_cookies)
    return response


@router.get("/vendors/{vendor_id}/invites/{invite_id}/revoke", response_class=HTMLResponse)
def revoke_form(request: Request, vendor_id: str, invite_id: str, staff: Admin, store: StoreDep) -> Response:
    """Are you sure? (The vendor's link stops working at once; a new one can be made.)"""
    vendor, invite = invite_of(store, vendor_id, invite_id)
    return render(request, "revoke.html", vendor=vendor, invite=invite)


@router.post("/vendors/{vendor_id}/invites/{invite_id}/revoke")
def revoke(request: Request, vendor_id: str, invite_id: str, staff: Admin, store: StoreDep,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token, staff)
    vendor, invite = invite_of(store, vendor_id, invite_id)
    store.invites.revoke(invite.id, actor=staff.email, now=accounts.now())
    return RedirectResponse(f"/vendors/{vendor.id}?done=revoked", status_code=303)
