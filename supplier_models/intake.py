"""Receiving a returned workbook: read and validate it, then store it once.

This is the first step of the intake flow, usable without Prefect. A rejected
workbook stores nothing; the same file for the same vendor is stored once.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .reader import read_workbook
from .store import Store
from .submission import Submission
from .tables import SubmissionRecord


class Received(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    submission: Submission
    record: SubmissionRecord
    duplicate: bool


def receive_workbook(path: str | Path, store: Store) -> Received:
    """Read `path` (raises `WorkbookRejected`, storing nothing) and store it unless already stored."""
    submission = read_workbook(path)
    record, created = store.record_submission(submission)
    return Received(submission=submission, record=record, duplicate=not created)
