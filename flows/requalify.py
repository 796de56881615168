"""Requalification: rescore vendors whose rubric, policy or country data changed (never past their attestation);
ask vendors whose qualification is about to lapse for a fresh attestation (a pre-filled form); send reminders;
report. Idempotent for one as-of date: a second run adds nothing.

On a team's Prefect server (`FAIRSOURCE_REQUALIFY_SHARD_DEPLOYMENT`, e.g. `requalify-shard/team`), the vendors
due are split into shards of `batch_size` and each shard runs as a flow run of that deployment, picked up by
whichever worker of the work pool is free: several workers share a large run. Each shard stores its
assessments in one transaction and skips a vendor already rescored, so a shard run twice, or a run retried after
a worker died, rescores every vendor once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from prefect import flow
from prefect.utilities.annotations import quote

from supplier_models import ConfigurationError, FairsourceError, Settings, get_settings
from supplier_models.errors import ActionRefused

from . import tasks
from .usecases import LifecycleRun, Notice, ScoringInputs, input_versions
from .usecases.rescore import Rescored


@flow(name="requalify", description="Rescore on data changes, ask for fresh attestations before expiry, remind.")
def requalify(as_of: dt.date | None = None, within_days: int | None = None, report: str | None = None,
              batch_size: int | None = None, allow_older_data: bool = False,
              ) -> tuple[Rescored, str, LifecycleRun, Sequence[Notice]]:
    """`batch_size`: vendors a shard and a transaction (FAIRSOURCE_REQUALIFY_SHARD_SIZE, 500); `allow_older_data`:
    rescore even with a rubric, country data or policy older than what vendors' latest assessments used (else
    the run is refused, ActionRefused, and changes nothing). The outcomes are a sequence of `Requalified` read
    back from the store as it is gone through (`flows.usecases.rescore.Rescored`)."""
    settings = get_settings()
    batch_size = batch_size or settings.requalify_shard_size
    as_of = as_of or dt.date.today()
    within = settings.requalify_within_days if within_days is None else within_days
    inputs = tasks.load_inputs(settings)
    if not allow_older_data and (older := tasks.older_inputs(settings, quote(inputs))):
        raise ActionRefused("requalify would rescore vendors onto older data than they were assessed with: "
                            + "; ".join(older) + ". Give it the newer data (FAIRSOURCE_COUNTRY_DATA, "
                            "FAIRSOURCE_POLICY_FILE, the fairsource version), or run with --allow-older-data to "
                            "rescore onto this data on purpose.")
    # quote(): Prefect walks every task argument looking for futures to wait on; the scoring inputs (the whole
    # country reference), a batch of ids and the list of outcomes hold none, and walking them took longer
    # than the tasks' own work at 10,000 vendors (bench/requalify.py).
    # Memory: the vendors due are read a page at a time and each shard is rescored (or submitted) as it fills; the
    # tasks return counts, not rows, and the outcomes are read back from the store when gone through (`Rescored`):
    # the run holds the due ids alone, whatever the number of vendors (bench/requalify.py, 100,000).
    outcomes = Rescored(settings.url)
    shards = due_shards(settings, inputs, batch_size)
    if settings.requalify_shard_deployment:
        run_shards(settings.requalify_shard_deployment, shards, as_of, settings.requalify_shard_timeout,
                   input_versions(inputs), outcomes)
    else:
        for shard in shards:
            tasks.rescore(quote(shard), settings, quote(inputs), as_of)
            outcomes.add(shard)
    run = tasks.request_reattestations(settings, quote(inputs), as_of, within)
    notices = tasks.send_reminders(settings, quote(inputs), as_of)
    tasks.remind_expiring_evidence(settings, as_of)
    tasks.refresh_states(settings, as_of)
    path = tasks.write_report(settings, report, as_of)
    tasks.publish_requalification(quote(outcomes), as_of, path, run, quote(notices))
    return outcomes, path, run, notices


def due_shards(settings: Settings, inputs: ScoringInputs, size: int) -> Iterator[list[str]]:
    """The latest-assessment ids of the vendors due, `size` at a time, as the pages of vendors are read
    (`FAIRSOURCE_REQUALIFY_READ_SIZE` vendors a page, each page a task run): a shard is rescored before the next
    page is read, so no page's read is open while a shard writes, and what a shard stores does not move the walk
    (it goes on after the page's last vendor id)."""
    after, waiting = None, []
    while True:
        page = tasks.select_due_page(settings, quote(inputs), after, settings.requalify_read_size)
        waiting += page.ids
        while len(waiting) >= size or (page.after is None and waiting):
            shard, waiting = waiting[:size], waiting[size:]
            yield shard
        if page.after is None:
            return
        after = page.after


@flow(name="requalify-shard", description="Rescore one shard of the vendors due, in one transaction.")
def requalify_shard(ids: list[str], as_of: dt.date, versions: dict[str, str | None] | None = None) -> int:
    """`ids`: the vendors' latest-assessment ids; `versions`: the rubric, country data and policy the run selected
    them with. A worker whose own differ refuses the shard: it would score with other data than the run's.
    Returns how many were rescored (fewer when some already were)."""
    settings = get_settings()
    inputs = tasks.load_inputs(settings)
    mine = input_versions(inputs)
    if versions is not None and versions != mine:
        differ = ", ".join(f"{k} {mine.get(k)} (the run's: {v})" for k, v in versions.items() if mine.get(k) != v)
        raise ConfigurationError(f"worker {settings.worker_name or ''} scores with other data than the run: {differ}. "
                                 "Give every worker the same FAIRSOURCE_POLICY_FILE, FAIRSOURCE_COUNTRY_DATA and "
                                 "fairsource version.")
    return tasks.rescore(quote(ids), settings, quote(inputs), as_of)


POLL_PAGE = 200  # flow runs a request while waiting for the shards (the server's default page limit)
RERUNS = 1  # a crashed shard is run again this many times (its worker died; the vendors it stored are skipped)


def run_shards(deployment: str, shards: Iterable[list[str]], as_of: dt.date, timeout: float,
               versions: dict[str, str | None], submitted: Rescored | None = None) -> None:
    """Submit every shard as a flow run of `deployment`, as the shards come (the workers start on the first while
    the next are selected), and wait until all are done. Each shard's ids are added to `submitted`.

    A shard whose run crashed (its worker process ended without a state, or the server marked it Crashed when
    its heartbeats stopped: prefect-automations.yaml) is submitted again, once, for a worker that is alive; a
    rescoring skips the vendors already stored, so the re-run does only what the dead one did not commit.

    Waiting asks the server for the pending runs' states in pages of `POLL_PAGE` a second: one request for up to
    that many shards, not one each (100,000 vendors are 100 shards or more, and the server shares the machines
    with the workers)."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.logging import get_run_logger

    def submit(shard: list[str]):
        return run_deployment(deployment, parameters={"ids": shard, "as_of": as_of.isoformat(),
                                                      "versions": versions}, timeout=0, as_subflow=True).id

    pending = {}
    for shard in shards:
        pending[submit(shard)] = (shard, 0)
        if submitted is not None:
            submitted.add(shard)
    failed: list[str] = []
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while pending and time.monotonic() < deadline:
            for run_id, state in _final_states(client, sorted(pending)):
                shard, reruns = pending.pop(run_id)
                if state.is_crashed() and reruns < RERUNS:
                    get_run_logger().warning("shard %s crashed (%s); running it again", run_id, state.message)
                    pending[submit(shard)] = (shard, reruns + 1)
                elif not state.is_completed():
                    failed.append(f"{run_id} ({state.name})")
            if pending:
                time.sleep(1)
    if pending or failed:
        raise FairsourceError(
            f"{len(failed)} shard(s) failed and {len(pending)} did not finish within {timeout:g} s"
            + (f": {', '.join(failed[:5])}" if failed else "")
            + ". The shards that finished are stored; run requalify again: it rescores only the rest.")


def _final_states(client, ids: list) -> list:
    """(flow run id, state) of those of these runs that have ended, asked in pages of `POLL_PAGE`."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    ended = []
    for start in range(0, len(ids), POLL_PAGE):
        page = ids[start:start + POLL_PAGE]
        for run in client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=page)),
                                         limit=len(page)):
            if run.state is not None and run.state.is_final():
                ended.append((run.id, run.state))
    return ended
