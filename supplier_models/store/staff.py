"""Staff accounts (users, their API token hashes), their web sessions and the failed sign-ins the login limit
counts. Secrets are never stored: sessions and tokens are kept as their sha256 (`fairsource.accounts`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import func, literal, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from supplier_models.errors import StoreError

from .engine import Repository, retry_locked
from .tables import AuditEvent, LoginFailure, StaffUser, WebSession


class SignedIn(NamedTuple):
    session: WebSession
    user: StaffUser


class Staff(Repository):
    """Staff users."""

    @retry_locked
    def add(self, email: str, role: str, password_hash: str, *, actor: str | None = None) -> StaffUser:
        """A new staff user; StoreError when the e-mail is taken."""
        user = StaffUser(email=email.strip().lower(), role=role, password_hash=password_hash)
        try:
            with self.writing() as s:
                s.add(user)
                s.flush()
                s.add(AuditEvent(action="user_added", subject=user.email, detail={"role": role}, actor=actor))
                s.commit()
                return user
        except IntegrityError:
            raise StoreError(f"a user {user.email} exists already") from None

    def by_email(self, email: str) -> StaffUser | None:
        with self.session() as s:
            return s.exec(select(StaffUser).where(StaffUser.email == email.strip().lower())).first()

    def get(self, user_id: str) -> StaffUser | None:
        with self.session() as s:
            return s.get(StaffUser, user_id)

    def by_api_token(self, token_sha256: str) -> StaffUser | None:
        with self.session() as s:
            return s.exec(select(StaffUser).where(StaffUser.api_token_sha256 == token_sha256,
                                                  StaffUser.disabled == False)).first()  # noqa: E712

    def all(self) -> list[StaffUser]:
        with self.session() as s:
            return list(s.exec(select(StaffUser).order_by(StaffUser.email)))

    @retry_locked
    def update(self, user_id: str, *, actor: str | None = None, **changes: Any) -> StaffUser:
        """Change a user's role, password hash, API token hash or disabled flag (recorded, without secrets)."""
        with self.writing() as s:
            user = s.get(StaffUser, user_id)
            if user is None:
                raise StoreError(f"no user {user_id}")
            for key, value in changes.items():
                setattr(user, key, value)
            s.add(user)
            shown = {k: v for k, v in changes.items() if k not in ("password_hash", "api_token_sha256")}
            s.add(AuditEvent(action="user_changed", subject=user.email, actor=actor,
                             detail={**shown, **{k: "changed" for k in changes if k not in shown}}))
            s.commit()
            return user


class Sessions(Repository):
    """Web sessions and the failed sign-ins."""

    @retry_locked
    def add(self, web_session: WebSession) -> WebSession:
        with self.writing() as s:
            s.add(web_session)
            s.commit()
            return web_session

    def live(self, session_sha256: str, now: dt.datetime) -> SignedIn | None:
        """The live session with this id and its (enabled) user, or None."""
        with self.session() as s:
            row = s.exec(select(WebSession, StaffUser).join(StaffUser, StaffUser.id == WebSession.user_id)
                         .where(WebSession.id == session_sha256, WebSession.expires_at > now,
                                StaffUser.disabled == False)).first()  # noqa: E712
            return SignedIn(*row) if row else None

    @retry_locked
    def end(self, session_sha256: str) -> None:
        with self.writing() as s:
            found = s.get(WebSession, session_sha256)
            if found is not None:
                s.delete(found)
                s.commit()

    def failures(self, email: str, client: str, since: dt.datetime) -> int:
        """Failed sign-ins for this e-mail from this address since `since`."""
        with self.connect() as conn:
            return conn.execute(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.email == email.strip().lower(), LoginFailure.client == client,
                LoginFailure.at > since)).scalar_one()

    @retry_locked
    def take_attempt(self, email: str, client: str, since: dt.datetime, *, per_email: int, per_client: int) -> bool:
        """Count a sign-in as failed before its password is checked, unless `per_email` failures for this e-mail
        from this address, or `per_client` from this address (any e-mail), are counted since `since`: True when
        counted (the password may be checked), False when a limit is reached. The check and the count are one
        statement (INSERT ... SELECT ... WHERE the counts are under the limits), under SQLite's write lock or, on
        PostgreSQL, a transaction lock per address: sign-ins sent at once cannot all pass a check made before any
        of them counted. A sign-in that succeeds clears the e-mail's failures from that address; failures from
        before `since` count for nothing and are deleted as this address signs in again (so the table holds the
        window's failures, not every wrong password ever typed)."""
        t = LoginFailure.__table__
        email, client = email.strip().lower()[:320], client[:100]
        recent = t.c.at > since
        for_email = select(func.count()).select_from(t).where(recent, t.c.email == email, t.c.client == client)
        for_client = select(func.count()).select_from(t).where(recent, t.c.client == client)
        row = select(literal(email, t.c.email.type), literal(client, t.c.client.type),
                     literal(dt.datetime.now(dt.UTC), t.c.at.type)).where(
            for_email.scalar_subquery() < per_email, for_client.scalar_subquery() < per_client)
        with self.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"login_failure {client}"})
            conn.execute(t.delete().where(t.c.client == client, t.c.at <= since))
            counted = conn.execute(t.insert().from_select(["email", "client", "at"], row).returning(t.c.id))
            return counted.first() is not None  # (psycopg gives no rowcount for INSERT ... SELECT)

    @retry_locked
    def clear_failures(self, email: str, client: str) -> None:
        with self.begin() as conn:
            conn.execute(LoginFailure.__table__.delete().where(
                LoginFailure.__table__.c.email == email.strip().lower(), LoginFailure.__table__.c.client == client))
