"""What a route may ask for, as `Annotated` aliases: the shared state (store, settings, scoring inputs), who is
asking (a signed-in staff member with a role, an API caller, a vendor through its portal link), and the CSRF
check a form's handler makes first."""

import functools
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fairsource import accounts
from fairsource.accounts import PortalVendor, Staff
from flows import usecases
from flows.usecases.vendor_state import keep_states
from supplier_models import Settings, Store
from supplier_models.errors import Forbidden, LoginRequired, NotFound, WebError
from supplier_models.store import store_for
from supplier_models.workbooks.container import ZipLimits

from .cookies import CSRF_COOKIE, SESSION_COOKIE


class WebState:
    """What every request shares (`app.state.web`): settings, the store, the scoring inputs (loaded once), how far
    an uploaded workbook may expand, and the two bounded pools: password checks (argon2 takes 64 MiB each, so a
    burst of sign-ins waits its turn instead of taking a gigabyte) and intakes (a heavy upload takes one of a few
    places, never the threads that serve pages)."""

    def __init__(self, settings: Settings, inputs: usecases.ScoringInputs | None = None) -> None:
        self.settings = settings
        self.store: Store = keep_states(store_for(settings.url))
        self.inputs = inputs or usecases.load_inputs(settings)
        self.zip_limits = ZipLimits.from_settings(settings)
        self.password_checks = anyio.CapacityLimiter(settings.web_password_checks)
        accounts.dummy_hash()  # made now: the first unknown e-mail costs what the next does
        self.intakes = anyio.CapacityLimiter(settings.web_intake_workers)


T = TypeVar("T")


async def in_pool(limiter: anyio.CapacityLimiter, fn: Callable[..., T], *args, **kwargs) -> T:
    """`fn(*args, **kwargs)` in a worker thread once `limiter` has a place: an async route waits without holding
    a thread."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=limiter)


# -- the shared state (async: an attribute read is not worth a worker thread) ------------------------------------
async def get_state(request: Request) -> WebState:
    return request.app.state.web


async def get_store(request: Request) -> Store:
    return request.app.state.web.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.web.settings


async def get_inputs(request: Request) -> usecases.ScoringInputs:
    return request.app.state.web.inputs


StateDep = Annotated[WebState, Depends(get_state)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
InputsDep = Annotated[usecases.ScoringInputs, Depends(get_inputs)]


# -- staff, signed in with a session cookie ----------------------------------------------------------------------
def current_staff(request: Request, store: StoreDep) -> Staff:
    """The signed-in staff member (kept on `request.state` for the page's header), or a redirect to sign in."""
    staff = accounts.staff_for_session(store, request.cookies.get(SESSION_COOKIE))
    if staff is None:
        raise LoginRequired("Sign in to continue.")
    request.state.staff = staff
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def role(needed: str) -> Callable[[Staff], Staff]:
    """A dependency: the signed-in staff member, who must have this role (or a higher one)."""
    def dependency(staff: CurrentStaff) -> Staff:
        if not staff.can(needed):
            raise Forbidden(f"This needs the {needed} role; you are signed in as a {staff.role}.")
        return staff
    return dependency


Viewer = Annotated[Staff, Depends(role("viewer"))]
Reviewer = Annotated[Staff, Depends(role("reviewer"))]
Admin = Annotated[Staff, Depends(role("admin"))]


# -- the API's callers -----------------------------------------------------------------------------------------
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", description=(
    "A staff user's API token (`fairsource user token EMAIL`) or a vendor's portal token (the last part of its "
    "/portal/<token> link). A signed-in browser's session may also read (GET)."))


def api_principal(request: Request, store: StoreDep,
                  _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
                  ) -> Staff | PortalVendor:
    """A bearer token (a staff user's API token or a vendor's portal token); or, to read only, a signed-in
    browser's session. (`BEARER` declares the scheme in the API's description; the header is read here.)"""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        token = token.strip()
        found = accounts.staff_for_api_token(store, token) or accounts.vendor_for_token(store, token)
        if found is not None:
            return found
        raise WebError("The bearer token is not valid (or has expired or been revoked).", 401)
    staff = accounts.staff_for_session(store, request.cookies.get(SESSION_COOKIE))
    if staff is not None and request.method == "GET":  # a signed-in browser reads; writes need a token
        return staff
    raise WebError("Send a staff API token or a vendor's portal token: Authorization: Bearer TOKEN.", 401)


ApiPrincipal = Annotated[Staff | PortalVendor, Depends(api_principal)]


def api_staff(principal: ApiPrincipal) -> Staff:
    if not isinstance(principal, Staff):
        raise Forbidden("A vendor's token gives access to its own portal and intake only.")
    return principal


ApiStaff = Annotated[Staff, Depends(api_staff)]


# -- a vendor, through its portal link ---------------------------------------------------------------------------
def portal_vendor(store: Store, token: str) -> PortalVendor:
    """The vendor of a live portal link, or 404."""
    vendor = accounts.vendor_for_token(store, token)
    if vendor is None:
        raise NotFound("This link is not valid: it may have expired or been revoked. Ask your contact for a "
                       "new one.")
    return vendor


def vendor_of_link(token: str, store: StoreDep) -> PortalVendor:
    return portal_vendor(store, token)


# The vendor of the `{token}` in the path. A route with a required body calls `portal_vendor` itself instead: a
# dependency runs before the body is checked, so a missing file would answer 404 rather than 422.
PortalVendorDep = Annotated[PortalVendor, Depends(vendor_of_link)]


# -- forms -------------------------------------------------------------------------------------------------------
def check_csrf(request: Request, given: str, staff: Staff | None = None) -> None:
    """The form's token must be the session's (signed in) or the CSRF cookie's (not signed in)."""
    expected = staff.csrf if staff else request.cookies.get(CSRF_COOKIE)
    if not accounts.same(given, expected):
        raise Forbidden("This form has expired or did not come from this site (CSRF check). Reload the page "
                        "and try again.")
