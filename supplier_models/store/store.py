"""The store: SQLite by default, PostgreSQL for teams. One `Store` per database per process (`store_for`); every
open brings the schema up to date. Its repositories, one per aggregate, hold the queries:

    store.vendors        vendors and their contacts                    (vendors.py)
    store.submissions    the answers vendors returned                   (submissions.py)
    store.assessments    scored outcomes, intakes and rescorings stored  (assessments.py)
    store.sows           the SOWs issued                                (sows.py)
    store.rescorings     the queries of a requalification               (rescoring.py)
    store.views          streams over every vendor's latest assessment  (views.py)
    store.reviews        reviews of decisions                           (reviews.py)
    store.remediations   the remediation register                       (reviews.py)
    store.notices        reminders sent                                 (notices.py)
    store.reattestations re-attestation requests                        (notices.py)
    store.staff          staff users                                    (staff.py)
    store.sessions       web sessions and failed sign-ins               (staff.py)
    store.user_admin     roles, disabling, tokens, sessions, reset links (user_admin.py)
    store.invites        vendors' portal links                          (invites.py)
    store.audit          the audit log                                  (audit.py)
    store.evidence       evidence files, stored once per vendor and content (evidence.py)
    store.responses      vendors' responses to remediations             (evidence.py)
    store.states         each vendor's current state, kept with events  (states.py)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from ..errors import StoreError
from ..settings import get_settings
from .assessments import Assessments
from .audit import AuditLog
from .engine import Repository, make_engine, migrate
from .evidence import Evidence, Responses
from .invites import Invites
from .notices import Notices, Reattestations
from .rescoring import Rescorings
from .reviews import Remediations, Reviews
from .sows import Sows
from .staff import Sessions, Staff
from .states import Hooks, VendorStates
from .submissions import Submissions
from .tables import (
    AssessmentRecord,
    AuditEvent,
    NoticeRecord,
    ReattestationRecord,
    RemediationRecord,
    ReviewRecord,
    SowRecord,
    SubmissionRecord,
    Vendor,
)
from .user_admin import UserAdmin
from .vendors import Vendors
from .views import Views

COUNTED = (Vendor, SubmissionRecord, AssessmentRecord, SowRecord, AuditEvent, ReviewRecord, RemediationRecord,
           ReattestationRecord, NoticeRecord)


class Store(Repository):
    """fairsource's records on one database: the engine, a repository per aggregate, and (as a repository itself)
    sessions for what spans them (the row counts, the tests)."""

    def __init__(self, url: str | None = None, *, upgrade: bool = True) -> None:
        self.url = url or get_settings().url
        try:
            self.engine = make_engine(self.url)
            if upgrade:
                migrate(self.engine)
        except SQLAlchemyError as exc:
            safe = make_url(self.url).render_as_string(hide_password=True)
            raise StoreError(f"cannot open the store at {safe}: {exc.__class__.__name__}: "
                             f"{exc.args[0] if exc.args else exc}") from None
        self.hooks = Hooks()
        self._repositories(self.engine, self.hooks)

    def _repositories(self, engine: Engine | Connection, hooks: Hooks) -> None:
        self.vendors, self.submissions = Vendors(engine, hooks), Submissions(engine, hooks)
        self.assessments, self.sows = Assessments(engine, hooks), Sows(engine, hooks)
        self.rescorings, self.views = Rescorings(engine, hooks), Views(engine, hooks)
        self.reviews, self.remediations = Reviews(engine, hooks), Remediations(engine, hooks)
        self.notices, self.reattestations = Notices(engine, hooks), Reattestations(engine, hooks)
        self.staff, self.sessions, self.invites = Staff(engine, hooks), Sessions(engine, hooks), Invites(engine, hooks)
        self.audit, self.states = AuditLog(engine, hooks), VendorStates(engine, hooks)
        self.user_admin = UserAdmin(engine, hooks)
        self.evidence, self.responses = Evidence(engine, hooks), Responses(engine, hooks)

    def within(self, conn: Connection) -> Store:
        """The same store read through `conn`, inside its transaction (what a write's keeper reads: the rows it
        has just written, before they are committed). Its writes call no keeper."""
        bound = object.__new__(Store)
        bound.url, bound.engine, bound.hooks = self.url, conn, Hooks()
        bound._repositories(conn, bound.hooks)
        return bound

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """The store read through one connection of its own (or the one it is bound to, `within`): for a reader
        that merges several streamed queries, so that it holds one of the pool's connections, never one per
        stream (threads each holding one and waiting for a second can drain the pool: each then waits its 30 s
        and fails)."""
        if isinstance(self.engine, Connection):
            yield self
        else:
            with self.engine.connect() as conn:
                yield self.within(conn)

    def close(self) -> None:
        self.engine.dispose()

    def counts(self) -> dict[str, int]:
        """Rows per table: what a test checks."""
        with self.session() as s:
            return {table.__tablename__: s.exec(select(func.count()).select_from(table)).one() for table in COUNTED}


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def store_for(url: str) -> Store:
    """One store (engine and pool) per database per process, shared by the tasks (and by the threads of
    `fairsource serve`, which run several commands' intakes at once: one of them opens and upgrades it)."""
    with _stores_lock:
        if url not in _stores:
            _stores[url] = Store(url)
        return _stores[url]
