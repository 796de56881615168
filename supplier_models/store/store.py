"""The store: SQLite by default, PostgreSQL for teams. Every open brings the schema up to date."""

from __future__ import annotations

import ast
import datetime as dt
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, cast, event, exists, func, insert, inspect, text, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, create_engine, select

from ..errors import StoreError
from ..settings import get_settings
from ..submission import Submission
from .tables import (
    AssessmentRecord,
    AuditEvent,
    LoginFailure,
    NoticeRecord,
    ReattestationRecord,
    RemediationRecord,
    ReviewRecord,
    SowRecord,
    StaffUser,
    SubmissionRecord,
    Vendor,
    VendorInvite,
    WebSession,
)


def _alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("supplier_models") / "store" / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _postgresql_settings(dbapi_connection, _record) -> None:
    """The store streams its large reads through server-side cursors (yield_per) and reads each to the end, so
    the planner is told to plan them for the whole result (cursor_tuple_fraction 1), not, by default, for the
    first 10% of it. With the default, right after a bulk write (a requalification's new assessments, before
    any ANALYZE) it walked the vendors in name order and joined each to a rescan of every latest assessment:
    17 s for 10,000 vendors per lifecycle pass, growing with the square (bench/team_stack.py)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET cursor_tuple_fraction = 1")
    cursor.close()
    dbapi_connection.commit()  # psycopg opens a transaction for the SET: close it, the setting stays


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgresql_settings)
    _engines.add(engine)
    return engine


def close_engines() -> None:
    """Close the pooled connections of every engine this process made (a command about to exit: the database
    server sees each connection ended, not dropped)."""
    for engine in list(_engines):
        engine.dispose()


@cache
def migration_heads() -> frozenset[str]:
    """The newest revision(s) of the shipped migrations, read from their files' `revision` and `down_revision`
    (Alembic itself takes half a second to import and load them; a store at head needs none of it)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (resources.files("supplier_models") / "store" / "migrations" / "versions").iterdir():
        if not path.name.endswith(".py"):
            continue
        found = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
                node.target if isinstance(node, ast.AnnAssign) and node.value is not None else None
            if isinstance(target, ast.Name):
                found[target.id] = node.value
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", ast.Constant(None)))
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def _current_heads(conn) -> set[str] | None:
    """The revisions the database is at; None without Alembic's version table (a new or foreign database)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when it is there already).

    A store at head is recognised without Alembic (one small query); Alembic is loaded only to upgrade."""
    with engine.connect() as conn:
        if _current_heads(conn) == migration_heads():
            return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    with engine.begin() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        if current == set(script.get_heads()):
            return
        command.upgrade(_alembic_config(conn), "head")


def _vendor_named(session: Session, name: str) -> Vendor:
    """The vendor with this name, created (and flushed, so it has its id) if it is new."""
    vendor = session.exec(select(Vendor).where(Vendor.name == name)).first()
    if vendor is None:
        vendor = Vendor(name=name)
        session.add(vendor)
        session.flush()
    return vendor


class Store:
    """Reads and writes fairsource's records. One per process is enough."""

    def __init__(self, url: str | None = None, *, upgrade: bool = True) -> None:
        self.url = url or get_settings().url
        try:
            self.engine = make_engine(self.url)
            if upgrade:
                migrate(self.engine)
        except SQLAlchemyError as exc:
            safe = make_url(self.url).render_as_string(hide_password=True)
            raise StoreError(f"cannot open the store at {safe}: {exc.__class__.__name__}: {exc.args[0] if exc.args else exc}") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    # -- vendors and submissions -------------------------------------------
    def find_submission(self, vendor_name: str, sha256: str) -> SubmissionRecord | None:
        """The stored submission of this file for this vendor, if it was received before."""
        with self.session() as s:
            return s.exec(
                select(SubmissionRecord).join(Vendor).where(Vendor.name == vendor_name,
                                                            SubmissionRecord.sha256 == sha256)
            ).first()

    def record_intake(self, submission: Submission, submission_id: str, assessment: AssessmentRecord,
                      sow: SowRecord | None, received_at: dt.datetime | None = None,
                      ) -> tuple[SubmissionRecord, AssessmentRecord]:
        """Store a new submission with its first assessment, its SOW and the vendor's remediations (opened,
        kept, or closed because the new answers meet the bar), all or nothing."""
        try:
            with self.session() as s:
                vendor = _vendor_named(s, submission.vendor_name)
                record = SubmissionRecord(
                    id=submission_id, vendor_id=vendor.id, sha256=submission.sha256, filename=submission.filename,
                    questionnaire_id=submission.questionnaire_id,
                    questionnaire_version=submission.questionnaire_version,
                    data=submission.model_dump(mode="json"),
                    **({"received_at": received_at} if received_at else {}),
                )
                s.add(record)
                s.flush()
                assessment.vendor_id = vendor.id
                assessment.submission_id = record.id
                s.add(assessment)
                s.flush()
                if sow is not None:
                    sow.vendor_id = vendor.id
                    s.add(sow)
                s.add(AuditEvent(action="submission_received", vendor_id=vendor.id, subject=submission.filename,
                                 detail={"sha256": submission.sha256, "submission_id": record.id}))
                s.add(AuditEvent(action="assessment_intake", vendor_id=vendor.id, subject=assessment.decision,
                                 detail={"assessment_id": assessment.id, "sow": sow.path if sow else None}))
                s.flush()
                _sync_remediations(s.connection(), [(assessment, True)])
                s.commit()
                return record, assessment
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the intake of {submission.filename}: {exc}") from exc

    def add_assessments(self, items: list[tuple[AssessmentRecord, SowRecord | None]], actor: str | None = None) -> None:
        """Write a batch of assessments (requalification) in one transaction; `actor`: the worker, for the audit.

        Speed: Core bulk inserts of the records' column values (one executemany per table), not the ORM's
        unit of work, which costs more per row than scoring the vendor did (bench/requalify.py)."""
        if not items:
            return

        def row(record) -> dict[str, Any]:
            return {c.name: getattr(record, c.name) for c in record.__table__.columns}

        now = dt.datetime.now(dt.UTC)  # AuditEvent.at's default, as plain rows (no model per event)
        audits = [{"at": now, "action": f"assessment_{a.reason}", "vendor_id": a.vendor_id, "subject": a.decision,
                   "actor": actor, "detail": {"assessment_id": a.id}} for a, _ in items]
        sows = [sow for _, sow in items if sow is not None]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(AssessmentRecord.__table__), [row(a) for a, _ in items])
                if sows:
                    conn.execute(insert(SowRecord.__table__), [row(sow) for sow in sows])
                conn.execute(insert(AuditEvent.__table__), audits)
                _sync_remediations(conn, [(a, a.reason == "intake") for a, _ in items])
        except IntegrityError as exc:
            raise StoreError(f"could not store {len(items)} assessments: another run rescored some of these vendors "
                             f"at the same time; a retry skips them ({exc.orig})") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store {len(items)} assessments: {exc}") from exc

    def add_sow(self, sow: SowRecord) -> SowRecord:
        with self.session() as s:
            s.add(sow)
            s.add(AuditEvent(action="sow_issued", vendor_id=sow.vendor_id, subject=sow.path,
                             detail={"assessment_id": sow.assessment_id, "sha256": sow.sha256}))
            s.commit()
            return sow

    def _latest_ids(self):
        """Subquery: the id of each vendor's latest assessment."""
        ranked = select(
            AssessmentRecord.id,
            func.row_number().over(
                partition_by=AssessmentRecord.vendor_id,
                order_by=(AssessmentRecord.created_at.desc(), AssessmentRecord.id.desc()),
            ).label("rank"),
        ).subquery()
        return select(ranked.c.id).where(ranked.c.rank == 1)

    def latest_assessment_summaries(self, batch: int = 1000) -> Iterator[tuple[Any, Any]]:
        """Every vendor with its latest assessment, streamed in vendor-name order, for the portfolio
        workbook: only the columns it shows and, of each assessment's `data`, only the parts it shows
        (principles, geo score, flags, knockouts, remediations). Speed: the database extracts those from each ~30 kB decision, so
        Python neither parses the whole of it nor builds an ORM object per vendor (bench/requalify.py)."""
        from types import SimpleNamespace

        a, d = AssessmentRecord, AssessmentRecord.data
        query = (select(Vendor.id, Vendor.name, a.id, a.decision, a.score, a.geo_band, a.valid_until, a.assessed_on,
                        a.rubric_version, a.country_data_version, d["principles"], d["geo"]["score"], d["flags"],
                        d["knockouts"], d["remediations"])
                 .join(a, a.vendor_id == Vendor.id)
                 .where(a.id.in_(self._latest_ids())).order_by(Vendor.name)
                 .execution_options(yield_per=batch))
        with self.engine.connect() as conn:
            for (vid, name, aid, decision, score, geo_band, valid_until, assessed_on, rubric, country_data,
                 principles, geo_score, flags, knockouts, remediations) in conn.execute(query):
                data = {"principles": principles or {}, "geo": {"score": geo_score or 0}, "flags": flags or [],
                        "knockouts": knockouts or [], "remediations": remediations or []}
                yield (SimpleNamespace(id=vid, name=name),
                       SimpleNamespace(id=aid, decision=decision, score=score, geo_band=geo_band,
                                       valid_until=valid_until, assessed_on=assessed_on, rubric_version=rubric,
                                       country_data_version=country_data, data=data))

    def requalification_candidates(self, *, rubric_version: str, country_data_version: str,
                                   policy_version: str | None, batch: int = 5000) -> Iterator[tuple]:
        """Each vendor's latest assessment made with another rubric, country-data or policy version,
        streamed as (id, rubric_changed, policy_changed, country_data_changed, country_fingerprints)."""
        rubric_changed = AssessmentRecord.rubric_version != rubric_version
        policy_changed = func.coalesce(AssessmentRecord.policy_version, "") != (policy_version or "")
        data_changed = AssessmentRecord.country_data_version != country_data_version
        with self.session() as s:
            query = (select(AssessmentRecord.id, AssessmentRecord.rubric_version,
                            AssessmentRecord.policy_version, AssessmentRecord.country_data_version,
                            AssessmentRecord.data["country_fingerprints"])
                     .where(AssessmentRecord.id.in_(self._latest_ids()))
                     .where(rubric_changed | policy_changed | data_changed)
                     .order_by(AssessmentRecord.vendor_id)
                     .execution_options(yield_per=batch))
            for aid, rubric, policy, data_version, fingerprints in s.exec(query):
                yield (aid, rubric != rubric_version, (policy or "") != (policy_version or ""),
                       data_version != country_data_version, fingerprints or {})

    def requalification_batch(self, ids: list[str]) -> list[tuple]:
        """For these latest-assessment ids: (id, vendor_id, submission_id, decision, the previous decision's
        data as far as `sow_needs_reissue` reads it, submission data, vendor name, submission received at), in
        one query of plain rows (no ORM objects to build, no parsing of the whole ~30 kB previous decision)."""
        # Of the previous decision only what `sow_needs_reissue` compares: its geo countries (pay floors).
        later = AssessmentRecord.__table__.alias("later")
        query = (select(AssessmentRecord.id, AssessmentRecord.vendor_id, AssessmentRecord.submission_id,
                        AssessmentRecord.decision, AssessmentRecord.data["geo"]["countries"], SubmissionRecord.data,
                        Vendor.name, SubmissionRecord.received_at)
                 .join(SubmissionRecord, SubmissionRecord.id == AssessmentRecord.submission_id)
                 .join(Vendor, Vendor.id == AssessmentRecord.vendor_id)
                 .where(AssessmentRecord.id.in_(ids))
                 # Still the vendor's latest: a batch given twice (a retried or duplicated shard) rescores nothing twice.
                 # NOT EXISTS, an anti-join on the unique supersedes index; NOT IN (SELECT supersedes ...) made
                 # PostgreSQL hash every superseded id, or rescan them for each row once they outgrow work_mem.
                 .where(~exists().where(later.c.supersedes == AssessmentRecord.id)))
        with self.engine.connect() as conn:
            return [(aid, vid, sid, decision, {"decision": decision, "geo": {"countries": countries or []}}, sub, name,
                     received) for aid, vid, sid, decision, countries, sub, name, received in conn.execute(query)]

    def sow_paths_of(self, vendor_ids: list[str]) -> list[str]:
        """The paths of every SOW stored for these vendors."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(SowRecord.path).where(SowRecord.vendor_id.in_(vendor_ids))).scalars())

    def rescorings(self, superseded_ids: list[str], chunk: int = 1000) -> list[tuple]:
        """For the assessments that rescored these: (id, vendor id, vendor name, previous decision, decision, score,
        valid until, SOW path or None), in vendor-name order."""
        new, old = AssessmentRecord.__table__.alias("new"), AssessmentRecord.__table__.alias("old")
        out = []
        with self.engine.connect() as conn:
            for start in range(0, len(superseded_ids), chunk):
                query = (select(new.c.id, new.c.vendor_id, Vendor.name, old.c.decision, new.c.decision, new.c.score,
                                new.c.valid_until, SowRecord.path)
                         .join(old, old.c.id == new.c.supersedes)
                         .join(Vendor, Vendor.id == new.c.vendor_id)
                         .outerjoin(SowRecord, SowRecord.assessment_id == new.c.id)
                         .where(new.c.supersedes.in_(superseded_ids[start:start + chunk])))
                out += [tuple(row) for row in conn.execute(query)]
        return sorted(out, key=lambda row: row[2])

    def find_vendor(self, name_or_id: str) -> Vendor | None:
        """A vendor by exact name, id, case-insensitive name, or the start of one name only."""
        with self.session() as s:
            found = s.exec(select(Vendor).where((Vendor.name == name_or_id) | (Vendor.id == name_or_id))).first()
            if found is None:
                found = s.exec(select(Vendor).where(func.lower(Vendor.name) == name_or_id.lower())).first()
            if found is None and name_or_id.strip():
                prefix = name_or_id.strip().lower()  # % and _ are letters here, not patterns (autoescape)
                matches = list(s.exec(select(Vendor).where(func.lower(Vendor.name).startswith(prefix, autoescape=True))
                                      .limit(2)))
                found = matches[0] if len(matches) == 1 else None
            return found

    def latest_sow(self, vendor_id: str) -> SowRecord | None:
        with self.session() as s:
            return s.exec(select(SowRecord).where(SowRecord.vendor_id == vendor_id)
                          .order_by(SowRecord.created_at.desc())).first()

    def submission(self, record: SubmissionRecord) -> Submission:
        return Submission.model_validate(record.data)

    def submission_by_id(self, submission_id: str) -> Submission:
        with self.session() as s:
            return self.submission(s.get(SubmissionRecord, submission_id))

    # -- assessments ---------------------------------------------------------
    def add_assessment(self, record: AssessmentRecord, sow: SowRecord | None = None) -> AssessmentRecord:
        """Write one assessment (and its SOW record) in one transaction."""
        self.add_assessments([(record, sow)])
        return record

    def latest_assessment(self, vendor_id: str) -> AssessmentRecord | None:
        with self.session() as s:
            return s.exec(
                select(AssessmentRecord)
                .where(AssessmentRecord.vendor_id == vendor_id)
                .order_by(AssessmentRecord.created_at.desc(), AssessmentRecord.id.desc())
            ).first()

    def assessments_for(self, submission_id: str) -> list[AssessmentRecord]:
        with self.session() as s:
            return list(s.exec(select(AssessmentRecord).where(AssessmentRecord.submission_id == submission_id)))


    # -- the lifecycle: contacts, reviews, remediations, re-attestation, notices ---------
    def set_contact(self, vendor_name: str, email: str) -> Vendor:
        """Record the vendor's contact (creating the vendor, as issuing a form to it does)."""
        with self.session() as s:
            vendor = _vendor_named(s, vendor_name)
            if vendor.contact_email != email:
                vendor.contact_email = email
                s.add(vendor)
                s.add(AuditEvent(action="contact_set", vendor_id=vendor.id, subject=email))
            s.commit()
            return vendor

    def vendor_names(self) -> Iterator[tuple[str, str]]:
        """(vendor id, name) of every vendor."""
        with self.engine.connect() as conn:
            yield from conn.execute(select(Vendor.id, Vendor.name))

    def vendor_by_id(self, vendor_id: str) -> Vendor | None:
        with self.session() as s:
            return s.get(Vendor, vendor_id)

    def reviews_for(self, vendor_id: str) -> list[ReviewRecord]:
        with self.session() as s:
            return list(s.exec(select(ReviewRecord).where(ReviewRecord.vendor_id == vendor_id)
                               .order_by(ReviewRecord.at, ReviewRecord.id)))

    def add_review(self, review: ReviewRecord, sow: SowRecord | None = None) -> ReviewRecord:
        """Append a review (and the SOW it made final, if any) in one transaction."""
        with self.session() as s:
            s.add(review)
            s.flush()
            if sow is not None:
                sow.review_id = review.id
                s.add(sow)
            s.add(AuditEvent(action=f"review_{review.action}", vendor_id=review.vendor_id, subject=review.reviewer,
                             detail={"assessment_id": review.assessment_id, "reason": review.reason,
                                     "to": review.to_decision, "override_knockout": review.override_knockout,
                                     "sow": sow.path if sow else None}))
            s.commit()
            return review

    def remediations(self, vendor_id: str | None = None) -> list[RemediationRecord]:
        """Tracked remediations, a vendor's or everyone's, in vendor and id order."""
        query = select(RemediationRecord)
        if vendor_id is not None:
            query = query.where(RemediationRecord.vendor_id == vendor_id)
        number = cast(func.substr(RemediationRecord.code, 2), Integer)
        with self.session() as s:
            return list(s.exec(query.order_by(RemediationRecord.vendor_id, number)))

    def close_remediation(self, vendor_id: str, code: str, *, evidence: str, reviewer: str,
                          on: dt.date) -> RemediationRecord | None:
        """Close an open remediation with its evidence; None when the vendor has no such remediation."""
        with self.session() as s:
            found = s.exec(select(RemediationRecord).where(RemediationRecord.vendor_id == vendor_id,
                                                           func.upper(RemediationRecord.code) == code.upper())).first()
            if found is None or found.state != "open":
                return found
            found.state, found.closed_on, found.closed_by = "done", on, reviewer
            found.closed_how, found.evidence = "evidence", evidence
            s.add(found)
            s.add(AuditEvent(action="remediation_closed", vendor_id=vendor_id, subject=found.code,
                             detail={"by": reviewer, "evidence": evidence, "on": on.isoformat()}))
            s.commit()
            return found

    def add_reattestation(self, request: ReattestationRecord) -> bool:
        """Record that a fresh attestation was asked for; False if it had been (a concurrent run won)."""
        try:
            with self.session() as s:
                s.add(request)
                s.add(AuditEvent(action="reattestation_requested", vendor_id=request.vendor_id,
                                 subject=request.form_path, detail={"submission_id": request.submission_id,
                                                                    "expires_on": request.expires_on.isoformat()}))
                s.commit()
                return True
        except IntegrityError:
            return False

    def notices_sent(self, kinds: tuple[str, ...] | None = None) -> set[tuple[str, str, str]]:
        """(vendor_id, kind, subject_id) of every notice sent."""
        query = select(NoticeRecord.vendor_id, NoticeRecord.kind, NoticeRecord.subject_id)
        if kinds:
            query = query.where(NoticeRecord.kind.in_(kinds))
        with self.engine.connect() as conn:
            return {tuple(row) for row in conn.execute(query)}

    def add_notices(self, notices: list[NoticeRecord]) -> list[bool]:
        """Record notices once each, in one transaction; for each, whether it was recorded now (False: it was
        before). Speed: one bulk insert (thousands of reminders on a busy day); only when another run recorded
        some at the same moment does it fall back to one insert each."""
        if not notices:
            return []
        rows = [{c.name: getattr(n, c.name) for c in NoticeRecord.__table__.columns if c.name != "id"}
                for n in notices]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(NoticeRecord.__table__), rows)
            return [True] * len(rows)
        except IntegrityError:
            recorded = []
            for row in rows:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(NoticeRecord.__table__), [row])
                    recorded.append(True)
                except IntegrityError:
                    recorded.append(False)
            return recorded

    def lifecycle_rows(self, vendor_id: str | None = None, *, questions: list[str] = (),
                       batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Each vendor's latest assessment with what its status depends on, as plain dicts: the assessment's
        decision and validity, the answers to `questions` (what the review policy reads), the submission's
        received date, and whether a fresh attestation was asked for. Vendors without an assessment are left
        out. Speed: the database extracts the few answers needed from each submission's JSON."""
        a, sub = AssessmentRecord, SubmissionRecord
        questions = list(dict.fromkeys(questions))
        query = (select(Vendor.id, Vendor.name, Vendor.contact_email, a.id, a.submission_id, a.decision, a.valid_until,
                        a.assessed_on, a.reason, sub.received_at, ReattestationRecord.requested_on,
                        ReattestationRecord.form_path, *[sub.data["answers"][q] for q in questions])
                 .join(a, a.vendor_id == Vendor.id)
                 .join(sub, sub.id == a.submission_id)
                 .outerjoin(ReattestationRecord, ReattestationRecord.submission_id == a.submission_id)
                 .where(a.id.in_(self._latest_ids())).order_by(Vendor.name)
                 .execution_options(yield_per=batch))
        if vendor_id is not None:
            query = query.where(Vendor.id == vendor_id)
        keys = ("vendor_id", "vendor", "contact", "assessment_id", "submission_id", "decision", "valid_until",
                "assessed_on", "reason", "received_at", "reattestation_requested_on", "reattestation_form")
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                out = dict(zip(keys, row[:len(keys)], strict=True))
                out["answers"] = dict(zip(questions, row[len(keys):], strict=True))
                yield out

    def assessment_decisions_of_vendors(self, vendor_ids: list[str]) -> dict[str, tuple[str, str]]:
        """assessment id -> (submission id, decision), for every assessment of these vendors."""
        a = AssessmentRecord
        with self.engine.connect() as conn:
            rows = conn.execute(select(a.id, a.submission_id, a.decision).where(a.vendor_id.in_(vendor_ids)))
            return {aid: (sid, decision) for aid, sid, decision in rows}

    def all_reviews(self, vendor_id: str | None = None) -> dict[str, list[ReviewRecord]]:
        """vendor id -> its reviews, oldest first."""
        query = select(ReviewRecord).order_by(ReviewRecord.at, ReviewRecord.id)
        if vendor_id is not None:
            query = query.where(ReviewRecord.vendor_id == vendor_id)
        out: dict[str, list[ReviewRecord]] = {}
        with self.session() as s:
            for r in s.exec(query):
                out.setdefault(r.vendor_id, []).append(r)
        return out

    def latest_sows(self, vendor_id: str | None = None) -> dict[str, tuple[str, str]]:
        """vendor id -> (path, status) of its newest SOW. Speed: two short columns a row, never the records
        (each carries its clause list): 100,000 vendors stay a few MB."""
        query = (select(SowRecord.vendor_id, SowRecord.path, SowRecord.status)
                 .order_by(SowRecord.created_at, SowRecord.id).execution_options(yield_per=5000))
        if vendor_id is not None:
            query = query.where(SowRecord.vendor_id == vendor_id)
        with self.engine.connect() as conn:
            return {vid: (path, status) for vid, path, status in conn.execute(query)}

    def remediation_rows(self, vendor_id: str | None = None, batch: int = 5000) -> Iterator[tuple]:
        """Every tracked remediation as a plain row, streamed in vendor-name then id order (the order of
        `lifecycle_rows`, so the two merge). Each row's fields by name: vendor_id, name (the vendor's), code,
        action, question, country, priority, due_date, state, closed_on, closed_by, evidence."""
        r = RemediationRecord
        number = cast(func.substr(r.code, 2), Integer)
        query = (select(r.vendor_id, Vendor.name, r.code, r.action, r.question, r.country, r.priority, r.due_date,
                        r.state, r.closed_on, r.closed_by, r.evidence)
                 .join(Vendor, Vendor.id == r.vendor_id).order_by(Vendor.name, number)
                 .execution_options(yield_per=batch))
        if vendor_id is not None:
            query = query.where(r.vendor_id == vendor_id)
        with self.engine.connect() as conn:
            yield from conn.execute(query)

    # -- counts ----------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per table: what a test checks."""
        out = {}
        with self.session() as s:
            for table in (Vendor, SubmissionRecord, AssessmentRecord, SowRecord, AuditEvent, ReviewRecord,
                          RemediationRecord, ReattestationRecord, NoticeRecord):
                out[table.__tablename__] = s.exec(select(func.count()).select_from(table)).one()
        return out


    # -- the web app: staff users, sessions, login failures, vendor portal links, audit ----------------
    def add_user(self, email: str, role: str, password_hash: str, *, actor: str | None = None) -> StaffUser:
        """A new staff user; StoreError when the e-mail is taken."""
        user = StaffUser(email=email.strip().lower(), role=role, password_hash=password_hash)
        try:
            with self.session() as s:
                s.add(user)
                s.flush()
                s.add(AuditEvent(action="user_added", subject=user.email, detail={"role": role}, actor=actor))
                s.commit()
                return user
        except IntegrityError:
            raise StoreError(f"a user {user.email} exists already") from None

    def user_by_email(self, email: str) -> StaffUser | None:
        with self.session() as s:
            return s.exec(select(StaffUser).where(StaffUser.email == email.strip().lower())).first()

    def user_by_id(self, user_id: str) -> StaffUser | None:
        with self.session() as s:
            return s.get(StaffUser, user_id)

    def user_by_api_token(self, token_sha256: str) -> StaffUser | None:
        with self.session() as s:
            return s.exec(select(StaffUser).where(StaffUser.api_token_sha256 == token_sha256,
                                                  StaffUser.disabled == False)).first()  # noqa: E712

    def users(self) -> list[StaffUser]:
        with self.session() as s:
            return list(s.exec(select(StaffUser).order_by(StaffUser.email)))

    def update_user(self, user_id: str, *, actor: str | None = None, **changes: Any) -> StaffUser:
        """Change a user's role, password hash, API token hash or disabled flag (recorded, without secrets)."""
        with self.session() as s:
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

    def add_web_session(self, web_session: WebSession) -> WebSession:
        with self.session() as s:
            s.add(web_session)
            s.commit()
            return web_session

    def web_session(self, session_sha256: str, now: dt.datetime) -> tuple[WebSession, StaffUser] | None:
        """The live session with this id and its (enabled) user, or None."""
        with self.session() as s:
            row = s.exec(select(WebSession, StaffUser).join(StaffUser, StaffUser.id == WebSession.user_id)
                         .where(WebSession.id == session_sha256, WebSession.expires_at > now,
                                StaffUser.disabled == False)).first()  # noqa: E712
            return (row[0], row[1]) if row else None

    def end_web_session(self, session_sha256: str) -> None:
        with self.session() as s:
            found = s.get(WebSession, session_sha256)
            if found is not None:
                s.delete(found)
                s.commit()

    def login_failures(self, email: str, client: str, since: dt.datetime) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.email == email.strip().lower(), LoginFailure.client == client,
                LoginFailure.at > since)).scalar_one()

    def add_login_failure(self, email: str, client: str) -> None:
        with self.session() as s:
            s.add(LoginFailure(email=email.strip().lower()[:320], client=client[:100]))
            s.add(AuditEvent(action="login_failed", subject=email[:1000], actor=email.strip().lower()[:320],
                             detail={"client": client}))
            s.commit()

    def clear_login_failures(self, email: str, client: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(LoginFailure.__table__.delete().where(
                LoginFailure.__table__.c.email == email.strip().lower(), LoginFailure.__table__.c.client == client))

    def add_invite(self, invite: VendorInvite) -> VendorInvite:
        with self.session() as s:
            s.add(invite)
            s.add(AuditEvent(action="invite_created", vendor_id=invite.vendor_id, subject=invite.contact or "",
                             actor=invite.created_by, detail={"invite_id": invite.id,
                                                              "expires_at": invite.expires_at.isoformat()}))
            s.commit()
            return invite

    def invite_by_token(self, token_sha256: str) -> VendorInvite | None:
        with self.session() as s:
            return s.exec(select(VendorInvite).where(VendorInvite.token_sha256 == token_sha256)).first()

    def invites_for(self, vendor_id: str) -> list[VendorInvite]:
        with self.session() as s:
            return list(s.exec(select(VendorInvite).where(VendorInvite.vendor_id == vendor_id)
                               .order_by(VendorInvite.created_at.desc())))

    def revoke_invite(self, invite_id: str, *, actor: str, now: dt.datetime) -> VendorInvite | None:
        with self.session() as s:
            invite = s.get(VendorInvite, invite_id)
            if invite is None or invite.revoked_at is not None:
                return invite
            invite.revoked_at, invite.revoked_by = now, actor
            s.add(invite)
            s.add(AuditEvent(action="invite_revoked", vendor_id=invite.vendor_id, subject=invite.contact or "",
                             actor=actor, detail={"invite_id": invite.id}))
            s.commit()
            return invite

    def audit(self, action: str, *, actor: str | None, vendor_id: str | None = None, subject: str = "",
              detail: dict[str, Any] | None = None) -> None:
        """Record an action taken through the web app, with who took it."""
        with self.session() as s:
            s.add(AuditEvent(action=action[:40], actor=actor, vendor_id=vendor_id, subject=subject[:1000],
                             detail=detail or {}))
            s.commit()

    def audit_events(self, vendor_id: str | None = None, limit: int = 200) -> list[AuditEvent]:
        """The newest audit events first, a vendor's or everyone's."""
        query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        if vendor_id is not None:
            query = query.where(AuditEvent.vendor_id == vendor_id)
        with self.session() as s:
            return list(s.exec(query))

    def vendors(self) -> list[Vendor]:
        with self.session() as s:
            return list(s.exec(select(Vendor).order_by(Vendor.name)))

    def vendor_assessments(self, vendor_id: str) -> list[tuple]:
        """A vendor's assessment history, newest first, without the decision data: (id, created_at,
        assessed_on, decision, score, geo_band, valid_until, reason, rubric_version, country_data_version)."""
        a = AssessmentRecord
        with self.engine.connect() as conn:
            return list(conn.execute(select(a.id, a.created_at, a.assessed_on, a.decision, a.score, a.geo_band,
                                            a.valid_until, a.reason, a.rubric_version, a.country_data_version)
                                     .where(a.vendor_id == vendor_id)
                                     .order_by(a.created_at.desc(), a.id.desc())))

    def sow_by_id(self, sow_id: str) -> SowRecord | None:
        with self.session() as s:
            return s.get(SowRecord, sow_id)

    def latest_submission_of(self, vendor_id: str) -> Submission | None:
        """The vendor's newest submission, as read."""
        with self.session() as s:
            record = s.exec(select(SubmissionRecord).where(SubmissionRecord.vendor_id == vendor_id)
                            .order_by(SubmissionRecord.received_at.desc())).first()
            return self.submission(record) if record else None

    def vendor_geography(self, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Where each assessed vendor's workers are, by its latest assessment, streamed in vendor-name order
        from one query: vendor_id, vendor, geo_band (the vendor's band), countries (the decision's, each with
        iso2, name, share, score, band, flags), workers (iso2 -> workers, from the Countries sheet of the
        submission that assessment rests on) and services (its COMP-03 answer). Speed: the database extracts
        those parts of the decision and the submission, as `latest_assessment_summaries` does."""
        a, sub = AssessmentRecord, SubmissionRecord
        query = (select(Vendor.id, Vendor.name, a.geo_band, a.data["geo"]["countries"], sub.data["countries"],
                        sub.data["answers"]["COMP-03"])
                 .join(a, a.vendor_id == Vendor.id)
                 .join(sub, sub.id == a.submission_id)
                 .where(a.id.in_(self._latest_ids())).order_by(Vendor.name)
                 .execution_options(yield_per=batch))
        keep = ("iso2", "name", "share", "score", "band", "flags")
        with self.engine.connect() as conn:
            for vid, name, geo_band, countries, rows, services in conn.execute(query):
                workers: dict[str, int] = {}
                for r in rows or []:
                    workers[r["iso2"]] = workers.get(r["iso2"], 0) + int(r.get("workers") or 0)
                yield {"vendor_id": vid, "vendor": name, "geo_band": geo_band,
                       "countries": [{k: c.get(k) for k in keep} for c in countries or []], "workers": workers,
                       "services": services if isinstance(services, list) else [services] if services else []}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _sync_remediations(conn, assessments: list[tuple[AssessmentRecord, bool]]) -> None:
    """Bring each vendor's tracked remediations in line with its new assessment, in the caller's transaction
    (see `scoring.lifecycle.plan_remediations`). `assessments`: (new assessment, from a new submission?)."""
    from scoring.lifecycle import TrackedRemediation, plan_remediations, remediation_key
    from scoring.models import Remediation

    if not assessments:
        return
    r = RemediationRecord.__table__.c
    vendor_ids = list({a.vendor_id for a, _ in assessments})
    tracked: dict[str, list[TrackedRemediation]] = {}
    for vid, code, key, state, how in conn.execute(
            core_select(r.vendor_id, r.code, r.key, r.state, r.closed_how).where(r.vendor_id.in_(vendor_ids))):
        tracked.setdefault(vid, []).append(TrackedRemediation(code=code, key=key, state=state, closed_how=how))
    inserts, closes = [], []
    for assessment, new_submission in assessments:
        raised = [Remediation.model_validate(x) for x in assessment.data.get("remediations", [])]
        plan = plan_remediations(tracked.get(assessment.vendor_id, []), raised, new_submission=new_submission)
        for code, rem in plan.open:
            inserts.append({"id": str(uuid.uuid4()), "vendor_id": assessment.vendor_id, "code": code,
                            "key": remediation_key(rem), "action": rem.action, "question": rem.question,
                            "country": rem.country, "priority": rem.priority,
                            "due_date": rem.due_date or assessment.assessed_on + dt.timedelta(days=rem.due_in_days),
                            "opened_on": assessment.assessed_on, "opened_assessment_id": assessment.id,
                            "state": "open"})
        how = "answer" if new_submission else "data_change"
        closes += [(assessment.vendor_id, code, how, assessment) for code in plan.close]
    if inserts:
        conn.execute(insert(RemediationRecord.__table__), inserts)
    for vendor_id, code, how, assessment in closes:
        evidence = (f"no longer raised by the submission of {assessment.assessed_on.isoformat()}: the answer now "
                    "meets the bar" if how == "answer" else
                    f"no longer raised when rescored on {assessment.assessed_on.isoformat()} (rubric, policy or "
                    "country data changed)")
        conn.execute(update(RemediationRecord.__table__)
                     .where(r.vendor_id == vendor_id, r.code == code, r.state == "open")
                     .values(state="done", closed_on=assessment.assessed_on, closed_by="fairsource",
                             closed_how=how, evidence=evidence, closed_assessment_id=assessment.id))


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def store_for(url: str) -> Store:
    """One store (engine and pool) per database per process, shared by the tasks (and by the threads of
    `fairsource serve`, which run several commands' intakes at once: one of them opens and upgrades it)."""
    with _stores_lock:
        if url not in _stores:
            _stores[url] = Store(url)
        return _stores[url]
