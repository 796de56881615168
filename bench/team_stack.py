"""Benchmark 6: the team stack at full size (issue #13), requalification shared by two workers.

The stack (`bench/team.py`, the same machinery as tests/flows/test_team_stack.py): the store and Prefect's database in
PostgreSQL, `prefect server start`, the process work pool, prefect.yaml's deployments (`prefect --no-prompt deploy
--all`) and two workers `prefect worker start --pool fairsource --limit 1` named w1 and w2 (FAIRSOURCE_WORKER_NAME).
PostgreSQL: FAIRSOURCE_BENCH_DATABASE_URL, else a postgresql FAIRSOURCE_TEST_DATABASE_URL, else
postgresql+psycopg://postgres@127.0.0.1:5432/postgres; the databases are created and dropped here.

Seeding (not timed): N vendors by `bench.requalify.seed` (a submission and an assessment under an older rubric
each, so every vendor is due for rescoring), in the stack's store and, the same way, in a second database.

Team run: `fairsource requalify --as-of AS_OF --json` with FAIRSOURCE_REQUALIFY_SHARD_DEPLOYMENT=requalify-shard/team:
the coordinator selects the vendors due, submits one flow run of the shard deployment per shard, waits for the
workers to run them all, then does the lifecycle pass and the portfolio. Wall time of the command.

Baseline, in the same run on the same server: the same command on the second database without the shard
deployment, so the coordinator's own process rescores every shard (the single-process flow). Both runs use the
same shard size (FAIRSOURCE_REQUALIFY_SHARD_SIZE, a shard and a transaction). The ratio shows what two workers buy
or cost on this machine: each shard is a new Python process on a process worker (start-up, loading the scoring
inputs), and a worker takes a new shard only when it polls (PREFECT_WORKER_QUERY_SECONDS, 10 s by default); the
workers, the server, PostgreSQL and the coordinator share the machine's CPUs.

Checks: every vendor has exactly one new assessment (`data_change`), each superseding a different one; both workers
ran shards (the store's audit rows name the worker; a shard's rows share one timestamp, so distinct timestamps
count shards); the decisions are the same as the baseline's.

Memory (full mode only): the same on 100,000 vendors; every 0.2 s the sum of the resident set sizes of each
worker's process tree (the worker and the flow-run processes it starts), read from /proc, and of the
coordinator's tree. Target: each worker's peak under 1 GB.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from bench.common import AS_OF, Figure, TreePeaks, isolated_env, run_worker, tempdir
from bench.team import BIN, ROOT, Stack, write_policy

MEMORY_LIMIT_MB = 1024
# Vendors, shard size. A shard is a new Python process on a process worker (~10 s from submission to scoring on
# this machine: interpreter, Prefect, fairsource's imports, the scoring inputs) and waits for a worker's poll
# (PREFECT_WORKER_QUERY_SECONDS, 10 s): 2,500 vendors (~20 s of scoring) keep that overhead below half a shard's
# time, give each worker two shards at 10,000, and keep a worker with its shard process near 500 MB.
SIZES = {"quick": (2_000, 500), "full": (10_000, 2_500)}
BIG, BIG_SHARD = 100_000, 2_500
WORKERS = ("w1", "w2")


def _base_url() -> str:
    for key in ("FAIRSOURCE_BENCH_DATABASE_URL", "FAIRSOURCE_TEST_DATABASE_URL"):
        if os.environ.get(key, "").startswith("postgresql"):
            return os.environ[key]
    return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _reachable(url: str) -> str | None:
    """None if PostgreSQL answers at `url`, else why not."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL to run on
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        engine.dispose()


def _seed(url: str, n: int, home: Path) -> float:
    home.mkdir(parents=True)
    r = run_worker("requalify", ["--mode", "seed", "--n", str(n)],
                   env={**isolated_env(home), "FAIRSOURCE_DATABASE_URL": url}, timeout=1800)
    return r["elapsed"]


def _requalify(stack: Stack, name: str, env: dict[str, str], peaks: TreePeaks,
               timeout: float) -> tuple[float, dict, dt.datetime]:
    """`fairsource requalify --as-of AS_OF --json` in its own session, its tree sampled as `name`: (seconds,
    summary, when it started)."""
    out, err = stack.tmp / f"{name}.json", stack.tmp / f"{name}.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        proc = subprocess.Popen([str(BIN / "fairsource"), "requalify", "--as-of", AS_OF, "--json"], cwd=ROOT,
                                env=env, stdout=stdout, stderr=stderr, start_new_session=True)
        peaks.add(name, proc.pid)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            raise RuntimeError(f"fairsource requalify ({name}) did not finish within {timeout:g} s: "
                               f"{err.read_text(errors='replace')[-3000:]}") from None
        elapsed = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"fairsource requalify ({name}) failed ({code}): {out.read_text(errors='replace')[-2000:]}"
                           f"\n{err.read_text(errors='replace')[-4000:]}")
    return elapsed, json.loads(out.read_text()), started


def _rescoring_done(engine, started: dt.datetime) -> float | None:
    """Seconds from `started` to the last rescoring's commit (its audit rows' time): the rest of a run is the
    coordinator's lifecycle pass, reminders and portfolio."""
    from sqlalchemy import text

    with engine.connect() as conn:
        done = conn.execute(text("SELECT extract(epoch FROM max(at) - :started) FROM audit_event "
                                 "WHERE action = 'assessment_data_change'"), {"started": started}).scalar()
    return None if done is None else float(done)


def _split(done: float | None, total: float) -> str:
    if done is None:
        return "no rescoring recorded"
    return f"rescoring done at {done:.0f} s, then {total - done:.0f} s of lifecycle pass and portfolio"


def _one_each(stack: Stack, engine=None) -> str | None:
    """None if every vendor has exactly one new assessment, else what is wrong."""
    try:
        stack.check_one_rescoring_each(1, engine)
        return None
    except AssertionError as exc:
        return str(exc)


def _decisions(engine) -> dict[str, int]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT decision, count(*) FROM assessment WHERE reason = 'data_change' "
                                      "GROUP BY decision ORDER BY decision")).all())


def _stack(n: int, shard: int, timeout: float, base: str) -> Stack:
    tmp = tempdir(f"team-{n}")
    stack = Stack(tmp, base, vendors=n, shard=shard, shard_timeout=timeout)
    try:
        took = _seed(stack.store_url, n, tmp / "seed-team")
        print(f"  (seeded {n:,} vendors in the team's store in {took:.1f} s, not timed)", flush=True)
        write_policy(stack.policy, [])  # the organisation's policy, the same file for every process
        return stack
    except BaseException:
        stack.down()
        raise


def _up(stack: Stack) -> None:
    start = time.perf_counter()
    stack.up(WORKERS)
    print(f"  (server, work pool, deployments and {len(WORKERS)} workers up in {time.perf_counter() - start:.1f} s, "
          "not timed)", flush=True)


def _work(stack: Stack) -> tuple[dict[str, tuple[int, int]], str]:
    work = stack.work_by_worker()
    text = ", ".join(f"{w} {work.get(w, (0, 0))[1]} shards / {work.get(w, (0, 0))[0]:,} vendors" for w in WORKERS)
    others = {k: v for k, v in work.items() if k not in WORKERS}
    return work, text + (f", others {others}" if others else "")


def _sharded(n: int, shard: int, base: str) -> Figure:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    stack = _stack(n, shard, 1800, base)
    try:
        baseline_url = stack.database("fs_single")
        took = _seed(baseline_url, n, stack.tmp / "seed-single")
        print(f"  (seeded {n:,} vendors in the single-process run's store in {took:.1f} s, not timed)", flush=True)
        _up(stack)
        single_env = {k: v for k, v in stack.env.items() if k != "FAIRSOURCE_REQUALIFY_SHARD_DEPLOYMENT"}
        single_env.update({"FAIRSOURCE_DATABASE_URL": baseline_url, "FAIRSOURCE_HOME": str(stack.tmp / "single")})
        with TreePeaks() as single_peaks:
            single, single_summary, single_started = _requalify(stack, "single", single_env, single_peaks, 1800)
        with TreePeaks({w: stack.procs[w].pid for w in WORKERS}) as peaks:
            team, summary, started = _requalify(stack, "coordinator", stack.env, peaks, 1800)
        baseline_engine = create_engine(baseline_url, poolclass=NullPool)
        try:
            wrong = _one_each(stack) or (f"single-process run: {problem}" if (
                problem := _one_each(stack, baseline_engine)) else None)
            decisions, single_decisions = _decisions(stack.engine), _decisions(baseline_engine)
            done, single_done = _rescoring_done(stack.engine, started), _rescoring_done(baseline_engine,
                                                                                         single_started)
        finally:
            baseline_engine.dispose()
        work, work_text = _work(stack)
    finally:
        stack.down()
    shutil.rmtree(stack.tmp, ignore_errors=True)
    both = all(work.get(w, (0, 0))[1] > 0 for w in WORKERS)
    rescored = len(summary["rescored"]) == len(single_summary["rescored"]) == n
    same = decisions == single_decisions
    ok = wrong is None and both and rescored and same
    shards = -(-n // shard)
    return Figure(
        f"Team stack, {n:,} vendors: fairsource requalify sharded on 2 workers", team, "s", baseline=single,
        ratio=team / single,
        target="every vendor rescored exactly once, both workers ran shards, same decisions as the single-process "
               "run (ratio for information)",
        met=ok,
        note=f"{shards} shards of {shard:,} vendors (FAIRSOURCE_REQUALIFY_SHARD_SIZE, each a new process on its "
             "worker; baseline: the same command "
             f"without the shard deployment, one process, same shard size as its transaction size); {work_text}; "
             f"one new assessment each: {'yes' if wrong is None else 'NO: ' + wrong}; same decisions: "
             f"{'yes' if same else 'NO'} ({decisions}); {_split(done, team)}, single-process "
             f"{_split(single_done, single)}; peak RSS: coordinator {peaks.peak_mb['coordinator']:.0f} MB, "
             + ", ".join(f"{w} tree {peaks.peak_mb[w]:.0f} MB" for w in WORKERS)
             + f", single-process run {single_peaks.peak_mb['single']:.0f} MB",
        extra={"vendors": n, "shard_size": shard, "shards": shards, "work_by_worker": work,
               "rescored": len(summary["rescored"]), "single_rescored": len(single_summary["rescored"]),
               "decisions": decisions, "single_decisions": single_decisions, "peak_mb": peaks.peak_mb,
               "peak_processes": peaks.peak_procs, "single_peak_mb": single_peaks.peak_mb["single"],
               "rescoring_done_s": done, "single_rescoring_done_s": single_done})


def _memory(base: str) -> Figure:
    stack = _stack(BIG, BIG_SHARD, 3 * 3600, base)
    try:
        _up(stack)
        with TreePeaks({w: stack.procs[w].pid for w in WORKERS} | {"server": stack.procs["server"].pid}) as peaks:
            elapsed, summary, started = _requalify(stack, "coordinator", stack.env, peaks, 3 * 3600)
        wrong = _one_each(stack)
        done = _rescoring_done(stack.engine, started)
        work, work_text = _work(stack)
    finally:
        stack.down()
    shutil.rmtree(stack.tmp, ignore_errors=True)
    worst = max(peaks.peak_mb[w] for w in WORKERS)
    both = all(work.get(w, (0, 0))[1] > 0 for w in WORKERS)
    return Figure(
        f"Team stack, {BIG:,} vendors on 2 workers: peak RSS of the larger worker tree", worst, "MB",
        target=f"< {MEMORY_LIMIT_MB} MB each worker (worker + its flow-run processes)",
        met=worst < MEMORY_LIMIT_MB and wrong is None and both and len(summary["rescored"]) == BIG,
        note=", ".join(f"{w} {peaks.peak_mb[w]:.0f} MB (at most {peaks.peak_procs[w]} processes)" for w in WORKERS)
             + f"; coordinator (fairsource requalify) {peaks.peak_mb['coordinator']:.0f} MB; Prefect server "
             f"{peaks.peak_mb['server']:.0f} MB; wall time {elapsed:.0f} s ({1000 * elapsed / BIG:.2f} ms/vendor; "
             f"{_split(done, elapsed)}); "
             f"{-(-BIG // BIG_SHARD)} shards of {BIG_SHARD:,}; {work_text}; one new assessment each: "
             f"{'yes' if wrong is None else 'NO: ' + wrong}",
        extra={"vendors": BIG, "shard_size": BIG_SHARD, "elapsed": elapsed, "rescoring_done_s": done,
               "peak_mb": peaks.peak_mb,
               "peak_processes": peaks.peak_procs, "work_by_worker": work, "rescored": len(summary["rescored"])})


def run(quick: bool) -> list[Figure]:
    n, shard = SIZES["quick" if quick else "full"]
    base = _base_url()
    why = _reachable(base)
    big_name = f"Team stack, {BIG:,} vendors on 2 workers: peak RSS of the larger worker tree"
    if why:
        note = f"skipped: no PostgreSQL at {base.split('@')[-1]} ({why}); set FAIRSOURCE_BENCH_DATABASE_URL"
        return [Figure(f"Team stack, {n:,} vendors: fairsource requalify sharded on 2 workers", None, "s", note=note),
                Figure(big_name, None, "MB", target=f"< {MEMORY_LIMIT_MB} MB each worker", note=note)]
    figures = [_sharded(n, shard, base)]
    if quick:
        figures.append(Figure(big_name, None, "MB", target=f"< {MEMORY_LIMIT_MB} MB each worker",
                              note="skipped in --quick"))
        return figures
    figures.append(_memory(base))
    return figures


if __name__ == "__main__":
    import sys

    os.chdir(ROOT)
    from bench.common import print_figure

    for f in run(quick="--quick" in sys.argv):
        print_figure(f)
