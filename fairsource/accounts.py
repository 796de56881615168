"""Who may do what in the web app: staff accounts (argon2 password hashes, server-side sessions, API
tokens), the login rate limit, and vendors' portal links.

Secrets are never stored: a session cookie, an API token and a portal link each carry a random value
(`secrets.token_urlsafe(32)`, 256 bits); the store keeps its sha256 only, so a copy of the database
opens no session and no portal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import BaseModel

from supplier_models import Store
from supplier_models.errors import AuthError
from supplier_models.names import is_email
from supplier_models.store.tables import StaffUser, Vendor, VendorInvite, WebSession

ROLES = ("viewer", "reviewer", "admin")
"""Each role can do what the ones before it can: viewers read; reviewers also review and close
remediations (and submit workbooks through the API); admins also invite vendors and manage users."""

MIN_PASSWORD_LENGTH = 12
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW = dt.timedelta(minutes=15)

_hasher = PasswordHasher()  # argon2id with the library's current defaults (RFC 9106 low-memory profile): 64 MiB


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def dummy_hash() -> str:
    """The hash an unknown e-mail's password is checked against: a random secret's, with the same parameters as
    every user's (the web app makes it at start, so the first unknown e-mail costs no more than the next)."""
    return _hasher.hash(new_secret())


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. Without a user, the dummy hash is checked, so an unknown e-mail
    takes as long to refuse as a wrong password."""
    dummy = password_hash is None
    try:
        return _hasher.verify(dummy_hash() if dummy else password_hash, password) and not dummy
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(password: str, confirm: str | None = None) -> None:
    """The one rule for every password (the command line's and the web app's): at least 12 characters; and, when
    it was typed twice, the same both times."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if confirm is not None and confirm != password:
        raise AuthError("the two passwords are not the same: type the new one twice", field="confirm")


def check_role(role: str) -> None:
    if role not in ROLES:
        raise AuthError(f"the role {role!r} is not one of {', '.join(ROLES)}", field="role")


def check_new_user(email: str, role: str, password: str) -> None:
    if not is_email(email):
        raise AuthError(f"{email!r} is not an e-mail address", field="email")
    check_role(role)
    check_password(password)


def add_user(store: Store, email: str, role: str, password: str, *, actor: str | None = None) -> StaffUser:
    check_new_user(email, role, password)
    return store.staff.add(email, role, hash_password(password), actor=actor)


def new_api_token(store: Store, email: str, *, actor: str | None = None) -> str:
    """A fresh API token for the user (replacing any earlier one); shown once, stored as its sha256."""
    user = store.staff.by_email(email)
    if user is None:
        raise AuthError(f"no user {email}")
    if user.disabled:  # a token made now would work the moment they are enabled again
        raise AuthError(f"{user.email} is disabled: enable them first")
    token = new_secret()
    store.staff.update(user.id, api_token_sha256=digest(token), actor=actor)
    return token


class Staff(BaseModel):
    """A signed-in staff user (from a session cookie or an API token)."""

    id: str
    email: str
    role: str
    csrf: str | None = None
    session_id: str | None = None

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class PortalVendor(BaseModel):
    """A vendor, through its portal link: it sees its own vendor and nothing else."""

    vendor_id: str
    vendor: str
    invite_id: str
    contact: str | None = None

    @property
    def actor(self) -> str:
        return f"vendor:{self.invite_id}"


def start_session(store: Store, user: StaffUser, hours: int) -> tuple[str, WebSession]:
    """A new session for the user: (the cookie's value, the stored session)."""
    secret = new_secret()
    record = store.sessions.add(WebSession(id=digest(secret), user_id=user.id, csrf=new_secret(),
                                              expires_at=now() + dt.timedelta(hours=hours)))
    return secret, record


def staff_for_session(store: Store, cookie: str | None) -> Staff | None:
    if not cookie or len(cookie) > 200:
        return None
    found = store.sessions.live(digest(cookie), now())
    if found is None:
        return None
    session, user = found
    return Staff(id=user.id, email=user.email, role=user.role, csrf=session.csrf, session_id=session.id)


def staff_for_api_token(store: Store, token: str) -> Staff | None:
    user = store.staff.by_api_token(digest(token)) if token and len(token) <= 200 else None
    return Staff(id=user.id, email=user.email, role=user.role) if user else None


def sign_in_attempt(store: Store, email: str, client: str, per_address: int) -> tuple[bool, StaffUser | None]:
    """(may the password be checked, the user of this e-mail or None). The attempt is counted as failed first
    (`Sessions.take_attempt`, atomic in the store, so every worker process sees it): five failed sign-ins for
    one e-mail from one address within 15 minutes, or `per_address` from one address whatever the e-mails,
    block the next ones until the oldest leaves the window."""
    if not store.sessions.take_attempt(email, client, now() - LOGIN_WINDOW, per_email=LOGIN_FAILURES_ALLOWED,
                                       per_client=per_address):
        return False, None
    return True, (store.staff.by_email(email) if email else None)


def signed_in(store: Store, user: StaffUser, client: str, hours: int) -> str:
    """A sign-in that succeeded: the e-mail's failures from this address cleared, a new session (its cookie's
    value returned), recorded."""
    store.sessions.clear_failures(user.email, client)
    secret, _ = start_session(store, user, hours)
    store.audit.record("login", actor=user.email, detail={"client": client})
    return secret


# -- vendor portal links --------------------------------------------------------------------------------
def create_invite(store: Store, vendor_name: str, contact: str | None, *, created_by: str,
                  days: int) -> tuple[VendorInvite, Vendor, str]:
    """A portal link for the vendor (created if new): (invite, vendor, token). The token is shown once."""
    name = vendor_name.strip()
    if not name:
        raise AuthError("give the vendor's name")
    if contact is not None and contact.strip() and not is_email(contact):
        raise AuthError(f"{contact}: not an e-mail address")
    contact = contact.strip() if contact and contact.strip() else None
    if days < 1:
        raise AuthError("a portal link lasts at least a day")
    existing = store.vendors.find(name)  # by id or name (not a prefix of another vendor's name)
    if existing is not None and name.lower() != existing.name.lower() and name != existing.id:
        existing = None
    if contact:
        vendor = store.vendors.set_contact(existing.name if existing else name, contact)
    else:  # a new vendor is created, as issuing a form creates it; a known one keeps its contact
        vendor = existing or store.vendors.set_contact(name, None)
    token = new_secret()
    invite = store.invites.add(VendorInvite(vendor_id=vendor.id, token_sha256=digest(token), contact=contact,
                                           created_by=created_by, expires_at=now() + dt.timedelta(days=days)))
    return invite, vendor, token


def vendor_for_token(store: Store, token: str) -> PortalVendor | None:
    """The vendor of a live portal link (not expired, not revoked), or None."""
    if not token or len(token) > 200:
        return None
    invite = store.invites.by_token(digest(token))
    if invite is None or invite.revoked_at is not None or invite.expires_at <= now():
        return None
    vendor = store.vendors.get(invite.vendor_id)
    if vendor is None:
        return None
    return PortalVendor(vendor_id=vendor.id, vendor=vendor.name, invite_id=invite.id, contact=invite.contact)
