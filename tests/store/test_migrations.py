"""Schema changes: a populated store of an earlier revision upgrades to head without losing a row,
and the models match what the migrations build (SQLite, and PostgreSQL in CI's second run)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import TypeDecorator, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from supplier_models import Store, read_workbook
from supplier_models.store import alembic_config, make_engine, migration_heads

ROWS_0001 = {
    "vendor": [{"id": "v1", "name": "Old Vendor Ltd", "created_at": dt.datetime(2026, 1, 5, 9, 0)},
               {"id": "v2", "name": "Other Vendor", "created_at": dt.datetime(2026, 2, 5, 9, 0)}],
    "submission": [{"id": "s1", "vendor_id": "v1", "sha256": "a" * 64, "filename": "old.xlsx",
                    "questionnaire_id": "RDE-1", "questionnaire_version": "1.0.0",
                    "received_at": dt.datetime(2026, 1, 5, 9, 0), "data": json.dumps({"answers": {}})}],
    "assessment": [{"id": f"a{i}", "vendor_id": "v1", "submission_id": "s1",
                    "created_at": dt.datetime(2026, 1, 5, 9, i), "assessed_on": dt.date(2026, 1, 5),
                    "decision": "conditional", "score": 61.5, "geo_band": "medium",
                    "valid_until": dt.date(2026, 7, 5), "rubric_version": "RDE-1-rubric 1.0.0",
                    "country_data_version": "2026.11-1", "policy_version": None,
                    "reason": "intake" if i == 0 else "requalification",
                    "data": json.dumps({"remediations": [], "knockouts": []})} for i in range(2)],
    "sow_document": [{"id": "d1", "assessment_id": "a0", "vendor_id": "v1", "created_at": dt.datetime(2026, 1, 5),
                      "path": "/sows/old.docx", "sha256": "b" * 64, "template_sha256": "c" * 64,
                      "clauses": json.dumps([{"id": "consent"}])}],
    "audit_event": [{"id": 1, "at": dt.datetime(2026, 1, 5), "action": "submission_received", "vendor_id": "v1",
                     "subject": "old.xlsx", "detail": json.dumps({})}],
}


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _populate(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
        for table, rows in ROWS_0001.items():
            columns = ", ".join(rows[0])
            values = ", ".join(f":{c}" for c in rows[0])
            conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
    engine.dispose()


def _dump(url: str) -> dict[str, list[dict]]:
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table, rows in ROWS_0001.items():
            columns = ", ".join(rows[0])
            out[table] = [dict(r._mapping) for r in conn.execute(text(f"SELECT {columns} FROM {table} ORDER BY id"))]
    engine.dispose()
    return out


def test_the_revisions_form_one_line_from_0001():
    revisions = _revisions()
    assert revisions[0] == "0001" and len(revisions) == len(set(revisions)) >= 2


def test_the_heads_read_from_the_migration_files_are_alembics():
    """A store is recognised as up to date without loading Alembic (supplier_models.store.migrate): by the
    revisions the migration files declare, which must be the heads Alembic finds."""
    assert migration_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads()) == {_revisions()[-1]}


def test_a_populated_store_of_every_earlier_revision_upgrades_without_losing_a_row(database_url):
    for revision in _revisions()[:-1]:
        _populate(database_url, revision)
        before = _dump(database_url)
        store = Store(database_url)  # opening migrates to head
        after = _dump(database_url)
        assert after == before, f"rows changed upgrading from {revision}"
        with store.engine.connect() as conn:
            assert conn.execute(text("select version_num from alembic_version")).scalar() == _revisions()[-1]
            # Columns added since keep the old rows meaningful: an old SOW is a final one, a vendor has no contact.
            assert conn.execute(text("select status, override_knockout from sow_document")).one() == ("final", False)
            assert conn.execute(text("select contact_email from vendor where id = 'v1'")).scalar() is None
        with pytest.raises(DBAPIError, match="never updated"), store.engine.begin() as conn:
            conn.execute(text("UPDATE assessment SET score = 1 WHERE id = 'a0'"))  # the trigger survived
        # What the lifecycle reads of an old store works: the latest assessment of each vendor, no remediations.
        rows = list(store.views.status_inputs())
        assert [(r.vendor, r.assessment_id) for r in rows] == [("Old Vendor Ltd", "a1")]
        assert store.remediations.all() == []
        store.close()
        with make_engine(database_url).begin() as conn:  # start the next revision from an empty database
            SQLModel.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _same_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """SQLModel's UTCDateTime is a decorator over DateTime: the database holds the DateTime."""
    if isinstance(metadata_type, TypeDecorator):
        return not isinstance(inspected_type, type(metadata_type.impl))
    return None  # Alembic's own comparison


def test_the_models_match_the_migrations(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": _same_type}),
                                SQLModel.metadata)
    assert diff == []
    assert {"review", "remediation", "reattestation_request", "notice"} <= set(inspect(store.engine).get_table_names())


def test_state_rows_written_on_the_day_of_an_upgrade_get_what_it_adds_at_the_first_read(tmp_path, database_url,
                                                                                         example_workbooks):
    """A store upgraded to 0009 the same day its state rows were written: the first list read fills what the new
    revisions keep (each vendor's services, its countries for the dashboard), not the next day."""
    from flows import usecases
    from flows.usecases.vendor_list import rows_for_the_day
    from flows.usecases.vendor_state import keep_states
    from supplier_models import Settings
    from tests.helpers.intake import AS_OF

    settings = Settings(home=tmp_path / "home", database_url=database_url)
    store = keep_states(Store(database_url))
    inputs = usecases.load_inputs(settings)
    for name in list(example_workbooks)[:2]:
        usecases.intake_one(read_workbook(example_workbooks[name]), store, inputs, AS_OF, settings.sow_dir)
    today = dt.date.today()
    rows_for_the_day(store, settings, today)
    with store.engine.connect() as conn:
        assert conn.execute(text("select count(*) from vendor_place")).scalar() > 0
    with make_engine(database_url).begin() as conn:  # back to 0007: the rows as that revision kept them, today
        command.downgrade(alembic_config(conn), "0007")
        conn.execute(text("UPDATE vendor_state SET state_on = :d, holds_until = NULL"), {"d": today})
    store.close()
    store = keep_states(Store(database_url))  # opening upgrades to head
    rows_for_the_day(store, settings, today)
    with store.engine.connect() as conn:
        assert conn.execute(text("select count(distinct vendor_id) from vendor_place")).scalar() == 2
        assert all(services for (services,) in conn.execute(text("select services from vendor_state")))
    store.close()
