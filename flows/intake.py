"""Intake: returned questionnaires -> validated -> scored -> SOW -> stored -> reported."""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.utilities.annotations import quote

from supplier_models import Submission, get_settings

from . import tasks
from .steps import Outcome, Rejected


@flow(name="intake", description="Read, score and store returned questionnaires; write SOWs.")
def intake(paths: list[str], as_of: dt.date | None = None) -> tuple[list[Outcome], list[Rejected]]:
    """`as_of`: the day the files count as received (paper or back-dated files); today by default."""
    settings = get_settings()
    received_on = as_of
    as_of = as_of or dt.date.today()
    read = tasks.read_workbooks(paths)
    accepted = [r for r in read if isinstance(r, Submission)]
    rejected = [r for r in read if isinstance(r, Rejected)]
    outcomes = []
    if accepted:
        inputs = tasks.load_inputs(settings)
        # quote(): Prefect walks every task argument looking for futures; the scoring inputs (the whole country
        # reference) hold none, and walking them took longer than scoring a vendor (bench/cold_start.py).
        outcomes = tasks.score_and_store(accepted, settings, quote(inputs), as_of, received_on)
    tasks.publish_decisions(outcomes, rejected)
    return outcomes, rejected
