"""A returned workbook through the real intake path (`flows.usecases`: read, score, SOW, store in one
transaction), for the tests of what the store keeps of a workbook."""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path
from typing import NamedTuple

from flows import usecases
from supplier_models import Settings, Store, Submission, read_workbook
from supplier_models.store.tables import SubmissionRecord

AS_OF = dt.date(2026, 11, 23)


class Received(NamedTuple):
    submission: Submission
    record: SubmissionRecord
    duplicate: bool


@functools.cache
def _run() -> tuple[usecases.ScoringInputs, Path]:
    home = Path(tempfile.mkdtemp(prefix="fairsource-intake-"))
    settings = Settings(home=home)
    return usecases.load_inputs(settings), settings.sow_dir


def receive(path: str | Path, store: Store) -> Received:
    """Read `path` (raises `WorkbookRejected`, storing nothing), score it and store it unless received before."""
    read = read_workbook(path)
    inputs, sow_dir = _run()
    outcome = usecases.intake_one(read, store, inputs, AS_OF, sow_dir)
    record = store.submissions.find(read.vendor_name, read.sha256)
    return Received(submission=read, record=record, duplicate=outcome.duplicate)
