"""Vendors' portal links (invites): created, found by their token's hash, listed, revoked."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from .engine import Repository, retry_locked
from .tables import AuditEvent, VendorInvite


class Invites(Repository):
    @retry_locked
    def add(self, invite: VendorInvite) -> VendorInvite:
        with self.writing() as s:
            s.add(invite)
            s.add(AuditEvent(action="invite_created", vendor_id=invite.vendor_id, subject=invite.contact or "",
                             actor=invite.created_by, detail={"invite_id": invite.id,
                                                              "expires_at": invite.expires_at.isoformat()}))
            s.commit()
            return invite

    def by_token(self, token_sha256: str) -> VendorInvite | None:
        with self.session() as s:
            return s.exec(select(VendorInvite).where(VendorInvite.token_sha256 == token_sha256)).first()

    def of_vendor(self, vendor_id: str) -> list[VendorInvite]:
        """A vendor's invites, newest first."""
        with self.session() as s:
            return list(s.exec(select(VendorInvite).where(VendorInvite.vendor_id == vendor_id)
                               .order_by(VendorInvite.created_at.desc())))

    @retry_locked
    def revoke(self, invite_id: str, *, actor: str, now: dt.datetime) -> VendorInvite | None:
        with self.writing() as s:
            invite = s.get(VendorInvite, invite_id)
            if invite is None or invite.revoked_at is not None:
                return invite
            invite.revoked_at, invite.revoked_by = now, actor
            s.add(invite)
            s.add(AuditEvent(action="invite_revoked", vendor_id=invite.vendor_id, subject=invite.contact or "",
                             actor=actor, detail={"invite_id": invite.id}))
            s.commit()
            return invite
