"""Staff users managed: a role changed, a user disabled and enabled again, their API token revoked, signed out
everywhere, a password-reset link sent and used, one's own password changed. One function per action, called by
the web app's pages and the `fairsource user` commands alike (same rules, same words, same audit events).

A reset link is a random token (`accounts.new_secret`, 256 bits) the store keeps as its sha256: single use, it works
for `RESET_HOURS`, a newer link replaces it, and disabling the user ends it. It is mailed to the user when e-mail is
set up and shown to whoever made it once, to pass on another way."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flows.usecases.reset_mail import mail_reset
from supplier_models import Settings, Store
from supplier_models.errors import AuthError
from supplier_models.store.tables import PasswordReset, StaffUser

from . import accounts

RESET_HOURS = 24


class ResetIssued(NamedTuple):
    user: StaffUser
    reset: PasswordReset
    link: str
    sent: bool
    said: str


def user_of(store: Store, who: str) -> StaffUser:
    """A user by e-mail address or id."""
    user = store.staff.by_email(who) if "@" in who else store.staff.get(who)
    if user is None:
        raise AuthError(f"no user {who}", field="email")
    return user


def set_role(store: Store, who: str, role: str, *, actor: str) -> StaffUser:
    accounts.check_role(role)
    return store.user_admin.set_role(user_of(store, who).id, role, actor=actor)


def disable(store: Store, who: str, *, actor: str) -> StaffUser:
    """The user can no longer sign in; their sessions, API token and reset links end now."""
    return store.user_admin.set_disabled(user_of(store, who).id, True, actor=actor, now=accounts.now())


def enable(store: Store, who: str, *, actor: str) -> StaffUser:
    """The user signs in again with their password (an API token must be made anew)."""
    return store.user_admin.set_disabled(user_of(store, who).id, False, actor=actor, now=accounts.now())


def revoke_api_token(store: Store, who: str, *, actor: str) -> bool:
    return store.user_admin.revoke_api_token(user_of(store, who).id, actor=actor)


def sign_out_everywhere(store: Store, who: str, *, actor: str) -> int:
    return store.user_admin.end_sessions(user_of(store, who).id, actor=actor)


def reset_path(token: str) -> str:
    return f"/reset/{token}"


def issue_reset(store: Store, settings: Settings, who: str, *, actor: str, base: str,
                reply_to: str | None = None) -> ResetIssued:
    """A new reset link for the user, mailed to them when e-mail is set up (recorded either way), to show once."""
    user = user_of(store, who)
    token, now = accounts.new_secret(), accounts.now()
    reset, user = store.user_admin.add_reset(user.id, accounts.digest(token), created_by=actor,
                                             expires_at=now + dt.timedelta(hours=RESET_HOURS), now=now)
    link = base.rstrip("/") + reset_path(token)
    sent, said = mail_reset(settings, to=user.email, link=link, expires=reset.expires_at, reply_to=reply_to)
    store.audit.record("password_reset_mailed" if sent else "password_reset_not_mailed", actor=actor,
                       subject=user.email, detail={"said": said})
    return ResetIssued(user, reset, link, sent, said)


def reset_user(store: Store, token: str) -> StaffUser | None:
    """The user a reset link is for, while it works (not used, replaced or expired, the user enabled)."""
    if not token or len(token) > 200:
        return None
    found = store.user_admin.reset_for(accounts.digest(token), accounts.now())
    return found[1] if found else None


def reset_password(store: Store, token: str, password: str, confirm: str) -> StaffUser:
    """The link used: the new password set (the rules of every password), every session of the user ended. Slow
    (argon2): the web app calls it in its pool of password checks."""
    accounts.check_password(password, confirm)
    user = store.user_admin.use_reset(accounts.digest(token), accounts.hash_password(password), now=accounts.now()) \
        if token and len(token) <= 200 else None
    if user is None:
        raise AuthError("this link does not work any more: it was used, replaced by a newer one, or has expired. "
                        "Ask an admin for a new one")
    return user


def change_password(store: Store, staff: accounts.Staff, current: str, password: str, confirm: str, *,
                    client: str, per_address: int) -> int:
    """One's own new password, the current one required: a wrong current password counts as a failed sign-in
    (the same limits), and is recorded. The other sessions end; how many did. Slow (argon2, twice): the web app
    calls it in its pool of password checks."""
    accounts.check_password(password, confirm)
    if not current:
        raise AuthError("type your current password", field="current")
    allowed, user = accounts.sign_in_attempt(store, staff.email, client, per_address)
    if not allowed:
        store.audit.record("login_blocked", actor=staff.email, detail={"client": client})
        raise AuthError("too many wrong passwords: wait 15 minutes, or ask an admin for a password-reset link",
                        field="current")
    if user is None or not accounts.verify_password(user.password_hash, current):
        store.audit.record("password_change_failed", actor=staff.email, subject=staff.email,
                           detail={"client": client})
        raise AuthError("that is not your current password", field="current")
    store.sessions.clear_failures(staff.email, client)
    return store.user_admin.set_password(user.id, accounts.hash_password(password), actor=staff.email,
                                         keep_session=staff.session_id)
