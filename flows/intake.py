"""Intake: returned questionnaires -> validated -> scored -> SOW -> stored -> reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from prefect import flow
from prefect.utilities.annotations import quote

from supplier_models import Submission, get_settings

from . import tasks
from .usecases import Outcome, Rejected


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


BATCH = 25  # files a flow run: a long list is several runs, so each shows up (and completes) in the server


def intake_in_batches(paths: list[str], as_of: dt.date | None = None
                      ) -> Iterator[tuple[list[Outcome], list[Rejected], list[str | None]]]:
    """Run the intake flow over `paths` in batches of BATCH, yielding each batch's outcomes, rejected files and,
    for each outcome, the path it was read from (None where that cannot be told)."""
    for start in range(0, len(paths), BATCH):
        chunk = paths[start:start + BATCH]
        done, bad = intake(chunk, as_of=as_of)
        # The flow keeps the order of the files it accepts: pair each outcome with its path.
        refused = {r.file for r in bad}
        accepted = [p for p in chunk if p not in refused]
        yield done, bad, accepted if len(accepted) == len(done) else [None] * len(done)
