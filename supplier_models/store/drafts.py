"""Questionnaire drafts: what a vendor has typed in the portal's web form, one per vendor and portal link.

A draft is not a submission: saving one changes no status and scores nothing. It is read and written through
its portal link only (the vendor and the link's id both key it), and goes with the link: once the link has
expired or was revoked nothing reaches it, and `purge` deletes it. Built on the store's engine by whoever needs
it (`Drafts(store.engine, store.hooks)`), like every repository.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import delete, or_, select

from .engine import Repository, retry_locked
from .tables import AuditEvent, QuestionnaireDraft, VendorInvite

Change = Callable[[dict[str, Any]], dict[str, Any]]
"""What a save does to the draft's data: the data as stored (empty for a new draft) -> the data to store."""


class Drafts(Repository):
    def get(self, vendor_id: str, invite_id: str) -> QuestionnaireDraft | None:
        with self.session() as s:
            return s.exec(select(QuestionnaireDraft).where(QuestionnaireDraft.vendor_id == vendor_id,
                                                           QuestionnaireDraft.invite_id == invite_id)).first()

    def save(self, vendor_id: str, invite_id: str, change: Change, *, questionnaire: tuple[str, str],
             expires_at: dt.datetime, actor: str, detail: dict[str, Any]) -> QuestionnaireDraft:
        """`change` applied to the vendor's draft under this link (made, with a new form id, under `questionnaire`
        (id, version) if there is none), in one transaction with its audit event (`portal_draft_saved`). Two saves
        at once (two sections sent together) are applied one after the other: neither loses the other's answers."""
        try:
            return self._save(vendor_id, invite_id, change, questionnaire, expires_at, actor, detail)
        except IntegrityError:  # the draft was made meanwhile by another save: change that one
            return self._save(vendor_id, invite_id, change, questionnaire, expires_at, actor, detail)

    @retry_locked
    def _save(self, vendor_id: str, invite_id: str, change: Change, questionnaire: tuple[str, str],
              expires_at: dt.datetime, actor: str, detail: dict[str, Any]) -> QuestionnaireDraft:
        now = dt.datetime.now(dt.UTC)
        with self.writing() as s:
            draft = s.exec(select(QuestionnaireDraft).where(QuestionnaireDraft.vendor_id == vendor_id,
                                                            QuestionnaireDraft.invite_id == invite_id)
                           .with_for_update()).first()
            if draft is None:
                draft = QuestionnaireDraft(vendor_id=vendor_id, invite_id=invite_id, questionnaire_id=questionnaire[0],
                                           questionnaire_version=questionnaire[1], form_id=str(uuid.uuid4()),
                                           data={}, created_at=now, expires_at=expires_at)
            draft.data = change(dict(draft.data))
            draft.updated_at = now
            s.add(draft)
            s.add(AuditEvent(action="portal_draft_saved", actor=actor, vendor_id=vendor_id, subject="",
                             detail={"draft_id": draft.id, **detail}))
            s.commit()
            return draft

    @retry_locked
    def drop(self, vendor_id: str) -> int:
        """Every draft of the vendor deleted (its questionnaire was received, by the web form or a workbook)."""
        with self.writing() as s:
            done = s.exec(delete(QuestionnaireDraft).where(QuestionnaireDraft.vendor_id == vendor_id))
            s.commit()
            return done.rowcount or 0

    @retry_locked
    def purge(self, now: dt.datetime) -> int:
        """The drafts whose portal link has expired or was revoked, deleted."""
        # a draft keeps its link's expiry; a revoked link is looked up by its key, one per draft (drafts are few)
        revoked = exists().where(VendorInvite.id == QuestionnaireDraft.invite_id, VendorInvite.revoked_at.is_not(None))
        with self.writing() as s:
            done = s.exec(delete(QuestionnaireDraft).where(or_(QuestionnaireDraft.expires_at <= now, revoked)))
            s.commit()
            return done.rowcount or 0
