"""The store: SQLite by default, PostgreSQL for teams. Every open brings the schema up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, func, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, create_engine, select

from .errors import StoreError
from .settings import get_settings
from .submission import Submission
from .tables import AssessmentRecord, AuditEvent, SowRecord, SubmissionRecord, Vendor


def _alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("supplier_models") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when it is there already)."""
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
    def record_submission(self, submission: Submission) -> tuple[SubmissionRecord, bool]:
        """Store a validated submission once per vendor and file; returns (record, created)."""
        try:
            with self.session() as s:
                vendor = _vendor_named(s, submission.vendor_name)
                existing = s.exec(
                    select(SubmissionRecord).where(
                        SubmissionRecord.vendor_id == vendor.id, SubmissionRecord.sha256 == submission.sha256
                    )
                ).first()
                if existing is not None:
                    return existing, False
                record = SubmissionRecord(
                    vendor_id=vendor.id,
                    sha256=submission.sha256,
                    filename=submission.filename,
                    questionnaire_id=submission.questionnaire_id,
                    questionnaire_version=submission.questionnaire_version,
                    data=submission.model_dump(mode="json"),
                )
                s.add(record)
                s.add(AuditEvent(action="submission_received", vendor_id=vendor.id, subject=submission.filename,
                                 detail={"sha256": submission.sha256, "submission_id": record.id}))
                s.commit()
                return record, True
        except IntegrityError:
            # A concurrent intake of the same file won the race: return its record.
            with self.session() as s:
                vendor = s.exec(select(Vendor).where(Vendor.name == submission.vendor_name)).one()
                record = s.exec(select(SubmissionRecord).where(
                    SubmissionRecord.vendor_id == vendor.id, SubmissionRecord.sha256 == submission.sha256)).one()
                return record, False
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the submission: {exc}") from exc

    def find_submission(self, vendor_name: str, sha256: str) -> SubmissionRecord | None:
        """The stored submission of this file for this vendor, if it was received before."""
        with self.session() as s:
            return s.exec(
                select(SubmissionRecord).join(Vendor).where(Vendor.name == vendor_name,
                                                            SubmissionRecord.sha256 == sha256)
            ).first()

    def record_intake(self, submission: Submission, submission_id: str, assessment: AssessmentRecord,
                      sow: SowRecord | None) -> tuple[SubmissionRecord, AssessmentRecord]:
        """Store a new submission with its first assessment and SOW, all or nothing."""
        try:
            with self.session() as s:
                vendor = _vendor_named(s, submission.vendor_name)
                record = SubmissionRecord(
                    id=submission_id, vendor_id=vendor.id, sha256=submission.sha256, filename=submission.filename,
                    questionnaire_id=submission.questionnaire_id,
                    questionnaire_version=submission.questionnaire_version,
                    data=submission.model_dump(mode="json"),
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
                s.commit()
                return record, assessment
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the intake of {submission.filename}: {exc}") from exc

    def add_assessments(self, items: list[tuple[AssessmentRecord, SowRecord | None]]) -> None:
        """Write a batch of assessments (requalification) in one transaction.

        Speed: Core bulk inserts of the records' column values (one executemany per table), not the ORM's
        unit of work, which costs more per row than scoring the vendor did (bench/requalify.py)."""
        if not items:
            return

        def row(record) -> dict[str, Any]:
            return {c.name: getattr(record, c.name) for c in record.__table__.columns}

        now = dt.datetime.now(dt.UTC)  # AuditEvent.at's default, as plain rows (no model per event)
        audits = [{"at": now, "action": f"assessment_{a.reason}", "vendor_id": a.vendor_id, "subject": a.decision,
                   "detail": {"assessment_id": a.id}} for a, _ in items]
        sows = [sow for _, sow in items if sow is not None]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(AssessmentRecord.__table__), [row(a) for a, _ in items])
                if sows:
                    conn.execute(insert(SowRecord.__table__), [row(sow) for sow in sows])
                conn.execute(insert(AuditEvent.__table__), audits)
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

    def requalification_candidates(self, *, due_by: dt.date, rubric_version: str, country_data_version: str,
                                   policy_version: str | None, batch: int = 5000) -> Iterator[tuple]:
        """Each vendor's latest assessment that expires by `due_by` or was made with another rubric,
        country-data or policy version, streamed as (id, expiring, rubric_changed, policy_changed,
        country_data_changed, country_fingerprints)."""
        expiring = AssessmentRecord.valid_until <= due_by
        rubric_changed = AssessmentRecord.rubric_version != rubric_version
        policy_changed = func.coalesce(AssessmentRecord.policy_version, "") != (policy_version or "")
        data_changed = AssessmentRecord.country_data_version != country_data_version
        with self.session() as s:
            query = (select(AssessmentRecord.id, AssessmentRecord.valid_until, AssessmentRecord.rubric_version,
                            AssessmentRecord.policy_version, AssessmentRecord.country_data_version,
                            AssessmentRecord.data["country_fingerprints"])
                     .where(AssessmentRecord.id.in_(self._latest_ids()))
                     .where(expiring | rubric_changed | policy_changed | data_changed)
                     .order_by(AssessmentRecord.vendor_id)
                     .execution_options(yield_per=batch))
            for aid, valid_until, rubric, policy, data_version, fingerprints in s.exec(query):
                yield (aid, valid_until <= due_by, rubric != rubric_version,
                       (policy or "") != (policy_version or ""), data_version != country_data_version,
                       fingerprints or {})

    def requalification_batch(self, ids: list[str]) -> list[tuple[str, str, str, str, dict, dict, str]]:
        """For these latest-assessment ids: (id, vendor_id, submission_id, decision, the previous decision's
        data as far as `sow_needs_reissue` reads it, submission data, vendor name), in one query of plain rows
        (no ORM objects to build, no parsing of the whole ~30 kB previous decision)."""
        # Of the previous decision only what `sow_needs_reissue` compares: its geo countries (pay floors).
        query = (select(AssessmentRecord.id, AssessmentRecord.vendor_id, AssessmentRecord.submission_id,
                        AssessmentRecord.decision, AssessmentRecord.data["geo"]["countries"], SubmissionRecord.data,
                        Vendor.name)
                 .join(SubmissionRecord, SubmissionRecord.id == AssessmentRecord.submission_id)
                 .join(Vendor, Vendor.id == AssessmentRecord.vendor_id)
                 .where(AssessmentRecord.id.in_(ids)))
        with self.engine.connect() as conn:
            return [(aid, vid, sid, decision, {"decision": decision, "geo": {"countries": countries or []}}, sub, name)
                    for aid, vid, sid, decision, countries, sub, name in conn.execute(query)]

    def find_vendor(self, name_or_id: str) -> Vendor | None:
        """A vendor by exact name, id, or case-insensitive name."""
        with self.session() as s:
            found = s.exec(select(Vendor).where((Vendor.name == name_or_id) | (Vendor.id == name_or_id))).first()
            if found is None:
                found = s.exec(select(Vendor).where(func.lower(Vendor.name) == name_or_id.lower())).first()
            return found

    def latest_qualifying_assessment(self, vendor_id: str) -> AssessmentRecord | None:
        latest = self.latest_assessment(vendor_id)
        return latest if latest is not None and latest.decision != "not_qualified" else None

    def latest_sow(self, vendor_id: str) -> SowRecord | None:
        with self.session() as s:
            return s.exec(select(SowRecord).where(SowRecord.vendor_id == vendor_id)
                          .order_by(SowRecord.created_at.desc())).first()

    def latest_sow_paths(self) -> dict[str, str]:
        """vendor id -> path of its newest SOW."""
        paths: dict[str, str] = {}
        with self.session() as s:
            rows = s.exec(select(SowRecord.vendor_id, SowRecord.path).order_by(SowRecord.created_at)
                          .execution_options(yield_per=5000))
            for vendor_id, path in rows:
                paths[vendor_id] = path
        return paths

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

    # -- counts ----------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per table: what a test or `fairsource status` checks."""
        out = {}
        with self.session() as s:
            for table in (Vendor, SubmissionRecord, AssessmentRecord, SowRecord, AuditEvent):
                out[table.__tablename__] = s.exec(select(func.count()).select_from(table)).one()
        return out


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
