"""The audit log: who did what, when, to which vendor. Written in the same transaction as what it records by the
other repositories; `record` is for the actions that change nothing else (a refused upload, a download)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from .engine import Repository, retry_locked
from .tables import AuditEvent


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
        query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        if vendor_id is not None:
            query = query.where(AuditEvent.vendor_id == vendor_id)
        with self.session() as s:
            return list(s.exec(query))
