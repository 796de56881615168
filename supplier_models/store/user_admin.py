"""What admins change about staff users (role, disabled, API token, sessions) and the password-reset links, each in
one transaction with its audit event.

No change may leave the app without an active admin: a role change or a disabling that would is refused, the count
made inside the write transaction (SQLite's write lock; on PostgreSQL a transaction lock on the admins), so two
admins demoting each other at once cannot both succeed. Disabling a user ends their sessions, their API token and
their reset links in the same transaction: nothing they held opens anything afterwards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, text, update
from sqlmodel import Session, select

from supplier_models.errors import AuthError, StoreError

from .engine import Repository, retry_locked
from .tables import AuditEvent, PasswordReset, StaffUser, WebSession

LAST_ADMIN = ("{email} is the last active admin: make another user an admin first, or nobody could manage users "
              "any more.")


def _lock_admins(s: Session) -> None:
    """On PostgreSQL, one change of the admins at a time (SQLite's write lock already makes it so)."""
    if s.connection().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext('staff_user admins'))"))


def _other_admins(s: Session, user_id: str) -> int:
    return s.exec(select(func.count()).select_from(StaffUser).where(
        StaffUser.role == "admin", StaffUser.disabled == False, StaffUser.id != user_id)).one()  # noqa: E712


def _user(s: Session, user_id: str) -> StaffUser:
    user = s.get(StaffUser, user_id)
    if user is None:
        raise StoreError(f"no user {user_id}")
    return user


def _end_sessions(s: Session, user_id: str, keep: str | None = None) -> int:
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep:
        query = query.where(WebSession.id != keep)
    return s.execute(query).rowcount or 0


def _end_resets(s: Session, user_id: str, now: dt.datetime, how: str) -> int:
    """The user's links that still work end now (`how`: replaced, disabled); an expired one stays as it ended."""
    return s.execute(update(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.ended_at.is_(None),
                                                 PasswordReset.expires_at > now)
                     .values(ended_at=now, ended_how=how)).rowcount or 0


class UserAdmin(Repository):
    """Role, disabled, API token, sessions and password-reset links of staff users."""

    @retry_locked
    def set_role(self, user_id: str, role: str, *, actor: str | None) -> StaffUser:
        """The user's new role (unchanged: nothing recorded); refused when it would leave no active admin."""
        with self.writing() as s:
            _lock_admins(s)
            user = _user(s, user_id)
            if user.role == role:
                return user
            if user.role == "admin" and not user.disabled and _other_admins(s, user.id) == 0:
                raise AuthError(LAST_ADMIN.format(email=user.email), field="role")
            before, user.role = user.role, role
            s.add(user)
            s.add(AuditEvent(action="user_role_changed", subject=user.email, actor=actor,
                             detail={"from": before, "to": role}))
            s.commit()
            return user

    @retry_locked
    def set_disabled(self, user_id: str, disabled: bool, *, actor: str | None, now: dt.datetime) -> StaffUser:
        """Disable (their sessions, API token and reset links end at once) or enable the user again (they sign in
        with their password; an API token must be made anew). Refused when it would leave no active admin."""
        with self.writing() as s:
            _lock_admins(s)
            user = _user(s, user_id)
            if user.disabled == disabled:
                return user
            detail: dict = {}
            if disabled:
                if user.role == "admin" and _other_admins(s, user.id) == 0:
                    raise AuthError(LAST_ADMIN.format(email=user.email), field="disabled")
                detail = {"sessions_ended": _end_sessions(s, user.id), "api_token_revoked": bool(user.api_token_sha256),
                          "reset_links_ended": _end_resets(s, user.id, now, "disabled")}
                user.api_token_sha256 = None
            user.disabled = disabled
            s.add(user)
            s.add(AuditEvent(action="user_disabled" if disabled else "user_enabled", subject=user.email, actor=actor,
                             detail=detail))
            s.commit()
            return user

    @retry_locked
    def revoke_api_token(self, user_id: str, *, actor: str | None) -> bool:
        """The user's API token stops working (False: they had none, nothing recorded)."""
        with self.writing() as s:
            user = _user(s, user_id)
            if not user.api_token_sha256:
                return False
            user.api_token_sha256 = None
            s.add(user)
            s.add(AuditEvent(action="api_token_revoked", subject=user.email, actor=actor))
            s.commit()
            return True

    def sessions_of(self, user_id: str, now: dt.datetime) -> list[WebSession]:
        """The user's live sessions, newest first."""
        with self.session() as s:
            return list(s.exec(select(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at > now)
                               .order_by(WebSession.created_at.desc())))

    def session_counts(self, now: dt.datetime) -> dict[str, int]:
        """{user id: how many live sessions}, for the users who have any."""
        with self.session() as s:
            return dict(s.exec(select(WebSession.user_id, func.count()).where(WebSession.expires_at > now)
                               .group_by(WebSession.user_id)).all())

    @retry_locked
    def end_sessions(self, user_id: str, *, actor: str | None) -> int:
        """Sign the user out everywhere: every session of theirs ended; how many were."""
        with self.writing() as s:
            user = _user(s, user_id)
            ended = _end_sessions(s, user.id)
            s.add(AuditEvent(action="sessions_ended", subject=user.email, actor=actor, detail={"sessions": ended}))
            s.commit()
            return ended

    @retry_locked
    def set_password(self, user_id: str, password_hash: str, *, actor: str | None, keep_session: str | None) -> int:
        """The user's own new password: their other sessions end (the one they changed it in stays); how many did."""
        with self.writing() as s:
            user = _user(s, user_id)
            user.password_hash = password_hash
            s.add(user)
            ended = _end_sessions(s, user.id, keep=keep_session)
            s.add(AuditEvent(action="password_changed", subject=user.email, actor=actor,
                             detail={"other_sessions_ended": ended}))
            s.commit()
            return ended

    # -- password-reset links ------------------------------------------------------------------------------------
    @retry_locked
    def add_reset(self, user_id: str, token_sha256: str, *, created_by: str, expires_at: dt.datetime,
                  now: dt.datetime) -> tuple[PasswordReset, StaffUser]:
        """A new reset link for the user (their earlier links that still worked end: replaced); refused for a
        disabled user."""
        with self.writing() as s:
            user = _user(s, user_id)
            if user.disabled:
                raise AuthError(f"{user.email} is disabled: enable them before sending a password-reset link.")
            replaced = _end_resets(s, user.id, now, "replaced")
            reset = PasswordReset(user_id=user.id, token_sha256=token_sha256, created_by=created_by,
                                  expires_at=expires_at)
            s.add(reset)
            s.add(AuditEvent(action="password_reset_link_made", subject=user.email, actor=created_by,
                             detail={"expires_at": expires_at.isoformat(), "replaced": replaced}))
            s.commit()
            return reset, user

    def reset_for(self, token_sha256: str, now: dt.datetime) -> tuple[PasswordReset, StaffUser] | None:
        """The live reset link with this token (not ended, not expired, its user enabled) and its user, or None."""
        with self.session() as s:
            row = s.exec(select(PasswordReset, StaffUser).join(StaffUser, StaffUser.id == PasswordReset.user_id)
                         .where(PasswordReset.token_sha256 == token_sha256, PasswordReset.ended_at.is_(None),
                                PasswordReset.expires_at > now, StaffUser.disabled == False)).first()  # noqa: E712
            return (row[0], row[1]) if row else None

    @retry_locked
    def use_reset(self, token_sha256: str, password_hash: str, *, now: dt.datetime) -> StaffUser | None:
        """The link used, once: the user's password set and every session of theirs ended. None when the link does
        not work (used already, expired, replaced, the user disabled): nothing changed. The link is taken by one
        UPDATE ... WHERE it is still live, so two uses at once cannot both set a password."""
        with self.writing() as s:
            taken = s.execute(update(PasswordReset).where(
                PasswordReset.token_sha256 == token_sha256, PasswordReset.ended_at.is_(None),
                PasswordReset.expires_at > now).values(ended_at=now, ended_how="used")
                .returning(PasswordReset.user_id)).first()
            user = s.get(StaffUser, taken[0]) if taken else None
            if user is None or user.disabled:
                s.rollback()
                return None
            user.password_hash = password_hash
            s.add(user)
            ended = _end_sessions(s, user.id)
            s.add(AuditEvent(action="password_reset", subject=user.email, actor=user.email,
                             detail={"sessions_ended": ended}))
            s.commit()
            return user
