"""The audit log: who did what, when, to which vendor. Written in the same transaction as what it records by the
other repositories; `record` is for the actions that change nothing else (a refused upload, a download). Read
newest first, a page at a time after a (time, id) key, narrowed in SQL (`AuditFilters`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlmodel import select as model_select

from .engine import Repository, literal_like, retry_locked
from .rows import AuditFilters, AuditRow
from .tables import AuditEvent, Vendor

NOBODY = "fairsource"
"""Who the log names for an event no person did (actor NULL: the flows, the daily run)."""


class AuditLog(Repository):
    @retry_locked
    def record(self, action: str, *, actor: str | None, vendor_id: str | None = None, subject: str = "",
               detail: dict[str, Any] | None = None) -> None:
        """Record an action taken through the web app, with who took it."""
        with self.writing() as s:
            s.add(AuditEvent(action=action[:40], actor=actor, vendor_id=vendor_id, subject=subject[:1000],
                             detail=detail or {}))
            s.commit()

    def events(self, vendor_id: str | None = None, limit: int = 200) -> list[AuditEvent]:
        """The newest audit events first, a vendor's or everyone's."""
        query = model_select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        if vendor_id is not None:
            query = query.where(AuditEvent.vendor_id == vendor_id)
        with self.session() as s:
            return list(s.exec(query))

    def page(self, filters: AuditFilters, *, before: tuple[dt.datetime, int] | None = None,
             limit: int = 50) -> list[AuditRow]:
        """The events `filters` lets through, newest first (by time, then id), those after `before` (the last
        (at, id) of the page before) when given: a page costs the same deep in the log as at its start."""
        e = AuditEvent.__table__.c
        query = (select(e.id, e.at, e.action, e.actor, e.vendor_id, Vendor.name, e.subject, e.detail)
                 .select_from(AuditEvent.__table__).outerjoin(Vendor, Vendor.id == e.vendor_id)
                 .where(*_narrowed(filters)).order_by(e.at.desc(), e.id.desc()).limit(limit))
        if before is not None:  # a row value: one index range (at, id), not an OR the planners scan through
            query = query.where(tuple_(e.at, e.id) < tuple_(*before))
        with self.connect() as conn:
            return [AuditRow(*row) for row in conn.execute(query)]

    def count(self, filters: AuditFilters) -> int:
        """How many events `filters` lets through."""
        query = select(func.count()).select_from(AuditEvent.__table__).where(*_narrowed(filters))
        with self.connect() as conn:
            return conn.execute(query).scalar_one()


def _narrowed(filters: AuditFilters) -> list:
    e = AuditEvent.__table__.c
    where = []
    if filters.actor:
        text = filters.actor.lower().replace("\x00", "")
        found = func.lower(e.actor).like(f"%{literal_like(text)}%", escape="\\")
        where.append(or_(found, e.actor.is_(None)) if text in NOBODY else found)
    if filters.action:
        where.append(e.action == filters.action)
    if filters.vendor:
        text = filters.vendor.replace("\x00", "")
        named = select(Vendor.id).where(or_(Vendor.id == text, func.lower(Vendor.name).like(
            f"%{literal_like(text.lower())}%", escape="\\")))
        where.append(e.vendor_id.in_(named))
    if filters.since:
        where.append(e.at >= dt.datetime.combine(filters.since, dt.time(), dt.UTC))
    if filters.until and filters.until < dt.date.max:
        where.append(e.at < dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), dt.UTC))
    return where
