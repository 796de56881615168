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
from sqlalchemy import event, func
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
    def vendor_by_name(self, name: str) -> Vendor | None:
        with self.session() as s:
            return s.exec(select(Vendor).where(Vendor.name == name)).first()

    def record_submission(self, submission: Submission) -> tuple[SubmissionRecord, bool]:
        """Store a validated submission once per vendor and file; returns (record, created)."""
        try:
            with self.session() as s:
                vendor = s.exec(select(Vendor).where(Vendor.name == submission.vendor_name)).first()
                if vendor is None:
                    vendor = Vendor(name=submission.vendor_name)
                    s.add(vendor)
                    s.flush()
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

    def submission(self, record: SubmissionRecord) -> Submission:
        return Submission.model_validate(record.data)

    # -- assessments ---------------------------------------------------------
    def add_assessment(self, record: AssessmentRecord, sow: SowRecord | None = None,
                       audit: dict[str, Any] | None = None) -> AssessmentRecord:
        """Write an assessment (and its SOW record) in one transaction."""
        try:
            with self.session() as s:
                s.add(record)
                if sow is not None:
                    s.flush()
                    s.add(sow)
                s.add(AuditEvent(action=f"assessment_{record.reason}", vendor_id=record.vendor_id,
                                 subject=record.decision, detail={"assessment_id": record.id, **(audit or {})}))
                s.commit()
                return record
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the assessment: {exc}") from exc

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

    # -- audit and counts ----------------------------------------------------
    def audit(self, action: str, *, vendor_id: str | None = None, subject: str = "", **detail: Any) -> None:
        with self.session() as s:
            s.add(AuditEvent(action=action, vendor_id=vendor_id, subject=subject[:1000], detail=detail))
            s.commit()

    def counts(self) -> dict[str, int]:
        """Rows per table: what a test or `fairsource status` checks."""
        out = {}
        with self.session() as s:
            for table in (Vendor, SubmissionRecord, AssessmentRecord, SowRecord, AuditEvent):
                out[table.__tablename__] = s.exec(select(func.count()).select_from(table)).one()
        return out


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
