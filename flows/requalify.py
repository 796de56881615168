"""Requalification: rescore vendors whose rubric, policy or country data changed (never past their attestation);
ask vendors whose qualification is about to lapse for a fresh attestation (a pre-filled form); send reminders;
report. Idempotent for one as-of date: a second run adds nothing."""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.utilities.annotations import quote

from supplier_models import get_settings

from . import tasks
from .lifecycle import LifecycleRun, Notice
from .steps import Requalified

BATCH = 500


@flow(name="requalify", description="Rescore on data changes, ask for fresh attestations before expiry, remind.")
def requalify(as_of: dt.date | None = None, within_days: int | None = None, report: str | None = None,
              batch_size: int = BATCH) -> tuple[list[Requalified], str, LifecycleRun, list[Notice]]:
    settings = get_settings()
    as_of = as_of or dt.date.today()
    within = settings.requalify_within_days if within_days is None else within_days
    inputs = tasks.load_inputs(settings)
    # quote(): Prefect walks every task argument looking for futures to wait on; the scoring inputs (the whole
    # country reference), a batch of ids and the list of outcomes hold none, and walking them took longer
    # than the tasks' own work at 10,000 vendors (bench/requalify.py).
    due = tasks.select_changed(settings, quote(inputs))
    outcomes: list[Requalified] = []
    for start in range(0, len(due), batch_size):
        outcomes += tasks.rescore(quote(due[start:start + batch_size]), settings, quote(inputs), as_of)
    run = tasks.request_reattestations(settings, quote(inputs), as_of, within)
    notices = tasks.send_reminders(settings, quote(inputs), as_of)
    path = tasks.write_report(settings, report, as_of)
    tasks.publish_requalification(quote(outcomes), as_of, path, run, notices)
    return outcomes, path, run, notices
