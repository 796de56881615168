"""Prefect tasks: thin wrappers over `flows.usecases`, batched so Prefect's overhead is per batch,
never per vendor or per question. Tasks that touch files or the database retry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import SQLAlchemyError

from flows.usecases.vendor_state import open_store
from supplier_models import FairsourceError, Settings, StoreError, Submission

from . import usecases

if TYPE_CHECKING:
    from .usecases.rescore import DuePage


def _transient(task, task_run, state) -> bool:
    """Retry what a retry can mend (the database or the disk), never a verdict on the input."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, (StoreError, OSError, SQLAlchemyError)) or not isinstance(exc, FairsourceError)


IO_RETRIES = {"retries": 2, "retry_delay_seconds": 1, "cache_policy": NO_CACHE, "retry_condition_fn": _transient}


@task(name="read and validate workbooks", **IO_RETRIES)
def read_workbooks(paths: list[str]) -> list[Submission | usecases.Rejected]:
    return usecases.read_files(paths)


@task(name="load rubric, country data and policy", **IO_RETRIES)
def load_inputs(settings: Settings) -> usecases.ScoringInputs:
    return usecases.load_inputs(settings)


@task(name="score, write SOWs and store", **IO_RETRIES)
def score_and_store(submissions: list[Submission], settings: Settings, inputs: usecases.ScoringInputs,
                    as_of: dt.date, received_on: dt.date | None = None) -> list[usecases.Outcome]:
    store = open_store(settings)
    return [usecases.intake_one(sub, store, inputs, as_of, settings.sow_dir, received_on) for sub in submissions]


@task(name="select vendors whose rubric, policy or country data changed", **IO_RETRIES)
def select_changed(settings: Settings, inputs: usecases.ScoringInputs) -> list[str]:
    return usecases.select_changed(open_store(settings), inputs)


@task(name="select a page of the vendors due for rescoring", **IO_RETRIES)
def select_due_page(settings: Settings, inputs: usecases.ScoringInputs, after: str | None,
                    vendors: int) -> DuePage:
    """A tuple (ids, after): Prefect links a task's result and its items to the task run, not the items' items."""
    from .usecases.rescore import due_page

    return due_page(open_store(settings), inputs, after, vendors)


@task(name="check the run's rubric, country data and policy are not older than the vendors'", **IO_RETRIES)
def older_inputs(settings: Settings, inputs: usecases.ScoringInputs) -> list[str]:
    return usecases.older_inputs(open_store(settings), inputs)


@task(name="ask for fresh attestations (pre-filled forms)", **IO_RETRIES)
def request_reattestations(settings: Settings, inputs: usecases.ScoringInputs, as_of: dt.date,
                           within_days: int) -> usecases.LifecycleRun:
    return usecases.request_reattestations(open_store(settings), settings, inputs, as_of, within_days)


@task(name="bring the due vendors' states up to the day", **IO_RETRIES)
def refresh_states(settings: Settings, as_of: dt.date) -> int:
    from .usecases.vendor_state import refresh_due

    return refresh_due(open_store(settings), settings, as_of)


@task(name="send reminders", **IO_RETRIES)
def send_reminders(settings: Settings, inputs: usecases.ScoringInputs, as_of: dt.date) -> Sequence[usecases.Notice]:
    """The notices due today: one digest per recipient e-mailed when FAIRSOURCE_SMTP_URL is set, every notice
    recorded once and listed in a table artifact, mailed or not (a retry after a failed send sends them again; a
    re-run after they were recorded sends nothing). Without mail the notices are built and recorded a chunk of
    vendors at a time; either way what is returned is each notice without its facts and text (the store keeps what
    it says), as plain tuples (`usecases.notices.Told`): 50,000 notices of a busy day are not held as models."""
    from .usecases.notices import Told, notice_chunks, notice_order

    store = open_store(settings)
    chunks = notice_chunks(store, settings, inputs, as_of)
    recorded = Told()
    if settings.smtp_url:  # one digest per address: every notice of the day, together
        from .usecases import mail

        notices = sorted((n for chunk in chunks for n in chunk), key=notice_order)
        if notices:
            batch = mail.digests(notices, owner_email=settings.owner_email, as_of=as_of,
                                 organisation=settings.organisation)
            mail.send_all(settings.smtp_url, [mail.message(settings.mail_from, d) for d in batch])
            notices = [n.model_copy(update={"emailed": bool(n.to)}) for n in notices]
        recorded.add(usecases.record_notices(store, notices, as_of))
    else:
        for chunk in chunks:
            recorded.add(usecases.record_notices(store, chunk, as_of))
    if recorded:
        count = len(recorded)
        more = f"; the first {TABLE_ROWS:,} of {count:,}, all in the store" if count > TABLE_ROWS else ""
        create_table_artifact([_notice_row(n) for n in islice(recorded.rows(), TABLE_ROWS)],
                              key="requalification-reminders",
                              description=f"Notices of {as_of}: what changed, what to do and by when{more}")
    return recorded


@task(name="remind of expiring certificates", **IO_RETRIES)
def remind_expiring_evidence(settings: Settings, as_of: dt.date) -> int:
    """Certificates (evidence files with an expiry) expiring within 30 days or expired: told once each."""
    from .usecases.evidence import remind_expiring

    return len(remind_expiring(open_store(settings), settings, as_of))


TABLE_ROWS = 5000
"""Notices a run's table artifact lists (a busy day has tens of thousands: a table of them is 70 MB to build and
more than a page can show); every notice is recorded in the store."""


def _notice_row(n: dict) -> dict[str, object]:
    return {"vendor": n["vendor"], "notice": n["kind"], "subject": n["subject"], "what": n["what"],
            "to do": n["todo"], "by": n["by"].isoformat() if n["by"] else "", "to": ", ".join(n["to"]) or "(no address)",
            "e-mailed": n["emailed"]}


@task(name="rescore a batch of vendors", **IO_RETRIES)
def rescore(due: list[str], settings: Settings, inputs: usecases.ScoringInputs, as_of: dt.date) -> int:
    """How many were rescored (the outcomes are in the store: `usecases.Rescored`). A count, not the rows: Prefect
    links every item of a task's result to its run, one state copy per item, kept until the flow ends."""
    return len(usecases.rescore_batch(open_store(settings), due, inputs, as_of, settings.sow_dir,
                                      settings.worker_name, sweep_after=settings.sow_sweep_after))


@task(name="write the portfolio workbook", **IO_RETRIES)
def write_report(settings: Settings, out: str | None = None, as_of: dt.date | None = None) -> str:
    return usecases.write_report(settings, out, as_of)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


@task(name="publish decision artifacts", cache_policy=NO_CACHE)
def publish_decisions(outcomes: list[usecases.Outcome], rejected: list[usecases.Rejected]) -> None:
    """A markdown report of every decision with its reasons, and a table of principle scores."""
    lines = ["# Intake decisions", ""]
    for o in outcomes:
        d = o.decision
        lines += [f"## {_cell(o.vendor)}: **{d.decision}** (score {d.score:.1f}, geography {d.geo.band})", ""]
        if o.duplicate:
            lines += ["_This file was received before; the stored assessment stands._", ""]
        lines += [f"- {_cell(r)}" for r in d.reasons] or ["- no reasons recorded"]
        lines += [f"- knockout `{k.rule}` ({k.question or 'country data'}): {_cell(k.reason)}" for k in d.knockouts]
        lines += [f"- remediation: {_cell(r.action)} (due {r.due_date or r.due_in_days})" for r in d.remediations]
        lines += [f"- SOW: `{o.sow}`" if o.sow else "- no SOW", f"- valid until {d.valid_until}; rubric "
                  f"{d.rubric_version}; country data {d.country_data_version}", ""]
    for r in rejected:
        lines += [f"## Rejected: {_cell(r.file)}", ""] + [f"- `{p.cell or 'file'}` {p.question or ''}: "
                                                           f"{_cell(p.message)}" for p in r.problems] + [""]
    create_markdown_artifact("\n".join(lines), key="intake-decisions", description="Intake decisions and reasons")
    table = [{"vendor": o.vendor, "decision": o.decision.decision, "score": round(o.decision.score, 1),
              "geo band": o.decision.geo.band, **{k: round(v, 1) for k, v in o.decision.principles.items()}}
             for o in outcomes]
    if table:
        create_table_artifact(table, key="intake-principle-scores", description="Principle scores, 0-100")


@task(name="publish requalification summary", cache_policy=NO_CACHE)
def publish_requalification(outcomes: Iterable[usecases.Requalified], as_of: dt.date, report: str,
                            run: usecases.LifecycleRun, notices: Sequence[usecases.Notice]) -> None:
    """The summary, from one pass over the outcomes (read back from the store as they are gone through)."""
    counts: dict[str, int] = {}
    first: list[usecases.Requalified] = []
    total = reissued = 0
    for o in outcomes:
        counts[o.decision] = counts.get(o.decision, 0) + 1
        total, reissued = total + 1, reissued + o.sow_reissued
        if len(first) < 200:
            first.append(o)
    lines = [f"# Requalification as of {as_of}", "", f"{total} vendors rescored (rubric, policy or country "
             "data changed); " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) if total
             else "No vendor needed rescoring.", "", f"SOWs re-issued: {reissued}",
             f"Fresh attestations requested: {len(run.reattestation_requested)}", f"Expired: {len(run.expired)}",
             f"Notices: {len(notices)}" + (" (the table `requalification-reminders`)" if notices else ""),
             f"Portfolio: `{report}`", ""]
    lines += [f"- {_cell(r['vendor'])}: pre-filled form `{r['form']}`, due back by {r['expires_on']}"
              for r in run.reattestation_requested[:200]]
    lines += [f"- {_cell(r['vendor'])}: **expired** on {r['expired_on']}: no SOW until a fresh submission"
              for r in run.expired[:200]]
    lines += [f"- {_cell(o.vendor)}: {o.previous_decision} -> **{o.decision}** ({o.score:.1f}), valid until "
              f"{o.valid_until}" for o in first]
    if total > 200:
        lines.append(f"- ... and {total - 200} more: see the portfolio workbook")
    create_markdown_artifact("\n".join(lines), key="requalification-summary",
                             description="Requalification summary")
