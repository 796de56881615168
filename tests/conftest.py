"""Shared fixtures: a fresh store per test on the database CI chose, and example workbooks.

`FAIRSOURCE_TEST_DATABASE_URL` selects the backend: unset or `sqlite` gives a
SQLite file per test; a `postgresql+psycopg://...` URL gives a fresh PostgreSQL
database per test on that server (created and dropped here).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

# Prefect reads its settings at import: keep the test run offline, quiet and out of ~/.prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="fairsource-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from supplier_models import Store
from supplier_models.workbooks.examples import EXAMPLES, write_example

BACKEND_URL = os.environ.get("FAIRSOURCE_TEST_DATABASE_URL", "sqlite")


def _fresh_postgres(base_url: str) -> tuple[str, callable]:
    url = make_url(base_url)
    name = f"fairsource_t_{uuid.uuid4().hex[:12]}"
    # Connect through the database CI created for this run; each test gets its own beside it.
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def empty_database(folder: Path, name: str = "fairsource.db"):
    """A URL to an empty database on the backend under test (a SQLite file `name` in `folder`), dropped after."""
    if BACKEND_URL.startswith("postgresql"):
        url, drop = _fresh_postgres(BACKEND_URL)
        yield url
        drop()
    else:
        yield f"sqlite:///{folder / name}"


@pytest.fixture
def database_url(tmp_path: Path):
    """A URL to an empty database on the backend under test."""
    yield from empty_database(tmp_path)


@pytest.fixture
def store(database_url: str):
    s = Store(database_url)
    yield s
    s.close()


@pytest.fixture(scope="session")
def example_workbooks(tmp_path_factory) -> dict[str, Path]:
    """Each example vendor's filled-in workbook, by vendor name (written once per run)."""
    folder = tmp_path_factory.mktemp("examples")
    return {v.name: write_example(v, folder) for v in EXAMPLES}


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch, database_url: str) -> Path:
    """Run commands as a user would, in an empty working directory with its own store."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRSOURCE_HOME", str(tmp_path / ".fairsource"))
    monkeypatch.setenv("FAIRSOURCE_DATABASE_URL", database_url)
    return tmp_path


@pytest.fixture(scope="session")
def prefect_engine():
    """A real Prefect engine and temporary API server for the whole test session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


# Fixtures through which a test reaches the database under test (`FAIRSOURCE_TEST_DATABASE_URL`); the `team`
# marker's tests read it themselves.
BACKEND_FIXTURES = frozenset({"database_url", "_module_store"})


def depends_on_the_backend(item: pytest.Item) -> bool:
    return bool(BACKEND_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("team") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`FAIRSOURCE_TEST_BACKEND_ONLY=1` (CI's PostgreSQL pass, after the SQLite pass ran everything): only the
    tests whose outcome can depend on the database under test. The others use no store, or a SQLite file of
    their own, and would run exactly as they did in the first pass."""
    if os.environ.get("FAIRSOURCE_TEST_BACKEND_ONLY") != "1":
        return
    keep = [item for item in items if depends_on_the_backend(item)]
    config.hook.pytest_deselected(items=[item for item in items if not depends_on_the_backend(item)])
    items[:] = keep
