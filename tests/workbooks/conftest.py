"""Fixtures of the reader's tests: the valid workbook every broken one starts from, and one store per module that
every rejection must leave empty."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlmodel import delete

from supplier_models import Store
from supplier_models.store.tables import AssessmentRecord, AuditEvent, SowRecord, SubmissionRecord, Vendor
from supplier_models.workbooks.examples import write_example
from tests.helpers.broken_workbooks import BASE, EMPTY

BACKEND_URL = os.environ.get("FAIRSOURCE_TEST_DATABASE_URL", "sqlite")

@pytest.fixture(scope="module")
def base_bytes(tmp_path_factory) -> bytes:
    """The valid workbook every broken one starts from, written once."""
    return write_example(BASE, tmp_path_factory.mktemp("base")).read_bytes()


@pytest.fixture(scope="module")
def _module_store(tmp_path_factory):
    """One store for all the rejections of this module (a fresh database per test is slow on PostgreSQL)."""
    if BACKEND_URL.startswith("postgresql"):
        url = make_url(BACKEND_URL)
        name = f"fairsource_t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sql(f'CREATE DATABASE "{name}"'))
        store = Store(url.set(database=name).render_as_string(hide_password=False))
        yield store
        store.close()
        with admin.connect() as conn:
            conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        store = Store(f"sqlite:///{tmp_path_factory.mktemp('rejections') / 'fairsource.db'}")
        yield store
        store.close()


@pytest.fixture
def rejecting_store(_module_store):
    """The shared store, empty before each test: every rejection in the module leaves it empty.

    Should a test wrongly store something, the rows are removed afterwards so the failure stays its own."""
    assert _module_store.counts() == EMPTY
    yield _module_store
    if _module_store.counts() != EMPTY:
        with _module_store.session() as s:
            for table in (AuditEvent, SowRecord, AssessmentRecord, SubmissionRecord, Vendor):
                s.exec(delete(table))
            s.commit()

