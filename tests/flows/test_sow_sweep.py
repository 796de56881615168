"""The sweep of SOW files no record names, and the rule it shares with the runs that write them: a file is swept
only once it is older than FAIRSOURCE_SOW_SWEEP_AFTER, and no rescoring stores files it wrote half that long ago.
So a run never removes a file another run (two requalifications at once, a re-run while shards drain) is about to
store, and what a killed run left behind goes at the next rescoring of its vendor once it is that old."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from supplier_models import Store
from supplier_models.names import slug
from supplier_models.workbooks.examples import EXAMPLES
from supplier_models.workbooks.policy_workbook import OVERRIDES_SHEET, write_blank_policy
from tests.helpers.runs import intake

TODAY = dt.date(2026, 3, 2)
LUMEN = EXAMPLES[0]  # works in Germany: a policy rating Germany high turns it conditional, with a new SOW


def _rescoring_setup(home: Path, monkeypatch, database_url: str):
    from flows import usecases
    from supplier_models import get_settings

    intake(home, [LUMEN], as_of=TODAY)
    policy = write_blank_policy(home / "policy.xlsx")
    wb = load_workbook(policy)
    for col, value in enumerate(("DE", "high", "Works council dispute"), start=1):
        wb[OVERRIDES_SHEET].cell(row=2, column=col, value=value)
    wb.save(policy)
    monkeypatch.setenv("FAIRSOURCE_POLICY_FILE", str(policy))
    settings = get_settings()
    store, inputs = Store(database_url), usecases.load_inputs(settings)
    due = usecases.select_changed(store, inputs)
    assert len(due) == 1
    return store, inputs, due, settings.sow_dir


def _left_file(sow_dir: Path, hex8: str, age: float) -> Path:
    """A file named as a rescoring names its SOWs, with no record: another run's, or a killed run's."""
    path = sow_dir / f"{slug(LUMEN.name)}-{TODAY.isoformat()}-{hex8}.docx"
    path.write_bytes(b"PK\x03\x04 not stored yet")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def _recorded(store: Store) -> set[str]:
    with store.session() as s:
        from sqlmodel import select

        from supplier_models.store.tables import SowRecord

        return {str(Path(r.path).resolve()) for r in s.exec(select(SowRecord))}


def test_a_file_another_run_is_writing_is_kept_and_an_abandoned_one_is_swept(isolated_home, monkeypatch,
                                                                              database_url):
    from flows import usecases

    store, inputs, due, sow_dir = _rescoring_setup(isolated_home, monkeypatch, database_url)
    in_flight = _left_file(sow_dir, "0000aaaa", age=5)  # written by a run still going: seconds old
    abandoned = _left_file(sow_dir, "0000bbbb", age=2 * 3600)  # a killed run's, two hours ago
    done = usecases.rescore_batch(store, due, inputs, TODAY, sow_dir)  # FAIRSOURCE_SOW_SWEEP_AFTER's hour
    assert len(done) == 1 and done[0].sow is not None and Path(done[0].sow).is_file()
    assert in_flight.exists(), "a file younger than the sweep age may be another run's: kept"
    assert not abandoned.exists(), "a file older than the sweep age that no record names: swept"
    assert {str(p.resolve()) for p in sow_dir.glob("*.docx")} == _recorded(store) | {str(in_flight.resolve())}


def test_a_rescoring_slower_than_half_the_sweep_age_stores_nothing_and_removes_its_files(isolated_home, monkeypatch,
                                                                                       database_url):
    from flows import usecases
    from supplier_models import StoreError

    store, inputs, due, sow_dir = _rescoring_setup(isolated_home, monkeypatch, database_url)
    before, files = store.counts(), set(sow_dir.glob("*.docx"))
    # A sweep age shorter than the rescoring takes: by its commit, its own first file is older than half of it.
    with pytest.raises(StoreError, match="nothing was stored") as refused:
        usecases.rescore_batch(store, due, inputs, TODAY, sow_dir, sweep_after=1e-6)
    assert "FAIRSOURCE_SOW_SWEEP_AFTER" in str(refused.value)
    assert store.counts() == before and set(sow_dir.glob("*.docx")) == files
    assert usecases.rescore_batch(store, due, inputs, TODAY, sow_dir)[0].sow  # with the default age, it stores
