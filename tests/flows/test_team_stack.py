"""A team's deployment for real: `prefect server start` on PostgreSQL, the process work pool, the deployments of
prefect.yaml, two workers, and vendors stored in PostgreSQL. The commands are the README's ("A team's
deployment"). Runs in CI's PostgreSQL pass (skipped on SQLite: a team's store is PostgreSQL).

- Requalification is shared: every vendor gets exactly one new assessment and each worker did part of it.
- One worker killed with SIGKILL mid-run, its flow-run process with it (a machine that dies), the run retried while
  the dead run's other shards still drain: still exactly one new assessment a vendor, no half-written shard, every
  SOW record's file there (the dead shard's files stay until they are FAIRSOURCE_SOW_SWEEP_AFTER old).
- Two `requalify` started together: one new assessment a vendor, every SOW record's file there.
- A worker and its flow run killed while `requalify` waits for the shard: the server marks the run Crashed once its
  heartbeats stop (prefect-automations.yaml), the run submits the shard again, and it ends well, within minutes.
- Two workers receiving the same workbook at once store one submission.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.team import AS_OF, BIN, Stack, write_policy  # noqa: E402  (the stack's machinery, shared with bench/)

BACKEND_URL = os.environ.get("FAIRSOURCE_TEST_DATABASE_URL", "sqlite")
VENDORS = int(os.environ.get("FAIRSOURCE_TEAM_STACK_VENDORS", "1200"))  # scaled down for CI; bench/ runs 10,000
SHARD = 200

pytestmark = [pytest.mark.team, pytest.mark.skipif(not BACKEND_URL.startswith("postgresql"),
                                                    reason="a team's stack runs on PostgreSQL (CI's second pass)")]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from bench.requalify import seed
    from supplier_models import Store

    tmp = tmp_path_factory.mktemp("team")
    s = Stack(tmp, BACKEND_URL, vendors=VENDORS, shard=SHARD)
    try:
        Store(s.store_url).close()  # the schema, as any command would bring it
        seed(s.store_url, VENDORS, tmp / "seed")
        write_policy(s.policy, [])
        s.up()
        yield s
    finally:
        s.down()


def _requalify(stack: Stack) -> dict:
    result = stack.run([str(BIN / "fairsource"), "requalify", "--as-of", AS_OF, "--json"])
    return json.loads(result.stdout)


def test_two_workers_share_a_requalification_and_rescore_each_vendor_once(stack):
    # Germany rated high by the organisation: the vendors working there turn conditional, and get a new SOW.
    write_policy(stack.policy, [("DE", "high", "Works council dispute")])
    summary = _requalify(stack)
    assert len(summary["rescored"]) == VENDORS
    stack.check_one_rescoring_each(1)
    workers = dict(stack.rows("SELECT actor, count(*) FROM audit_event WHERE action = 'assessment_data_change' "
                              "GROUP BY actor"))
    assert set(workers) == {"w1", "w2"} and all(n >= SHARD for n in workers.values()), workers
    assert stack.check_sow_files() > 0  # SOWs were re-issued, each with its record


def test_a_worker_killed_mid_run_then_the_run_retried_rescores_each_vendor_once(stack):
    write_policy(stack.policy, [("DE", "medium", "Dispute settled"), ("PH", "high", "Typhoon")])
    parent = stack.start("parent", [str(BIN / "fairsource"), "requalify", "--as-of", AS_OF, "--json"], stack.env)
    deadline = time.monotonic() + 600
    while (stack.scalar("SELECT count(*) FROM assessment WHERE reason = 'data_change'") < VENDORS + 2 * SHARD
           or not stack.flow_runs_of("w2")):
        assert time.monotonic() < deadline and parent.poll() is None, stack.log("parent")
        time.sleep(0.2)
    assert stack.kill("w2", tree=True)  # mid-run: w2 and the shard's process it runs, both gone (checked)
    stack.kill("parent")  # and the run that waited for it; its other shards stay queued and drain meanwhile
    done = stack.scalar("SELECT count(*) FROM assessment WHERE reason = 'data_change'") - VENDORS
    assert 0 < done < VENDORS and done % SHARD == 0  # whole shards only: none half-written

    stack.worker("w3")  # a replacement machine
    summary = _requalify(stack)  # the run, retried while the dead run's shards drain
    assert 0 < len(summary["rescored"]) <= VENDORS - done  # the rest only
    stack.check_one_rescoring_each(2)
    stack.check_sow_files(unrecorded=SHARD)  # every record's file; the dead shard's files wait for the sweep age


def _unrecorded(stack: Stack) -> int:
    on_disk, recorded = stack.sow_files()
    return len(on_disk - recorded)


def _waiting_to_store(stack: Stack) -> int:
    """How many rescorings are waiting for the lock on `assessment` to store their batch."""
    return stack.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                        "wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO assessment%'")


def test_two_requalifications_at_once_rescore_each_vendor_once_and_keep_every_file(stack):
    """Two runs whose shards rescore the same vendors side by side, the second's starting while the first has
    written its SOW files and not stored them yet. To hold that moment open, the test keeps the assessment table
    locked (a slow database) until both are waiting to store. Before the sweep age, the second's sweep removed the
    first's files and the first then stored records naming files that were gone (500 such records, issue 20)."""
    from sqlalchemy import text

    write_policy(stack.policy, [("DE", "high", "Dispute resumed"), ("PH", "medium", "Typhoon passed")])
    one_shard = {**stack.env, "FAIRSOURCE_REQUALIFY_SHARD_SIZE": str(VENDORS)}  # each run one shard, one worker
    left_before = _unrecorded(stack)  # the killed shard's, from the test before
    argv = [str(BIN / "fairsource"), "requalify", "--as-of", AS_OF, "--json"]
    deadline = time.monotonic() + 600
    with stack.engine.connect() as lock:
        held = lock.begin()
        lock.execute(text("LOCK TABLE assessment IN EXCLUSIVE MODE"))  # reads go on; the batches' inserts wait
        first = stack.start("first", argv, one_shard)
        while _waiting_to_store(stack) < 1:
            assert time.monotonic() < deadline and first.poll() is None, stack.log("first")
            time.sleep(0.2)
        written = _unrecorded(stack) - left_before
        assert written > 0  # the first's SOW files, on disk, not stored yet
        second = stack.start("second", argv, one_shard)
        while _waiting_to_store(stack) < 2:
            assert time.monotonic() < deadline and second.poll() is None, stack.log("second")
            time.sleep(0.2)
        held.rollback()
    for name, run in (("first", first), ("second", second)):
        assert run.wait(timeout=900) == 0, stack.log(name)
        stack.procs.pop(name)
    stack.check_one_rescoring_each(3)
    assert stack.check_sow_files(unrecorded=SHARD) > 0  # every record's file exists; the loser left none of its own


def _crashed_shards(stack: Stack) -> list[dict]:
    import httpx

    response = httpx.post(f"{stack.api}/flow_runs/filter", json={
        "flow_runs": {"state": {"type": {"any_": ["CRASHED"]}}}, "limit": 200}, timeout=30)
    response.raise_for_status()
    return response.json()


def test_a_shard_whose_machine_died_is_noticed_and_run_again_within_minutes(stack):
    write_policy(stack.policy, [("DE", "medium", "Dispute settled again")])
    crashed_before = {run["id"] for run in _crashed_shards(stack)}
    parent = stack.start("parent", [str(BIN / "fairsource"), "requalify", "--as-of", AS_OF, "--json"], stack.env)
    deadline = time.monotonic() + 600
    while not stack.flow_runs_of("w3"):
        assert time.monotonic() < deadline and parent.poll() is None, stack.log("parent")
        time.sleep(0.2)
    assert stack.kill("w3", tree=True)  # the machine running a shard dies; `requalify` waits on
    killed_at = time.monotonic()
    assert parent.wait(timeout=600) == 0, stack.log("parent")
    stack.procs.pop("parent")
    waited = time.monotonic() - killed_at
    crashed = [run for run in _crashed_shards(stack) if run["id"] not in crashed_before]
    assert crashed, "the dead worker's flow run was not marked Crashed"
    assert waited < 300, f"the run ended {waited:.0f} s after its shard's machine died"
    stack.check_one_rescoring_each(4)  # the shard, run again on w1, rescored what the dead one had not stored
    stack.check_sow_files(unrecorded=2 * SHARD)
    print(f"shard's machine killed; the run finished {waited:.0f} s later ({len(crashed)} flow run marked Crashed)")


def test_two_workers_receiving_the_same_workbook_store_one_submission(stack):
    from supplier_models.workbooks.examples import EXAMPLES, write_example

    path = write_example(EXAMPLES[0], stack.tmp / "returned")
    before = stack.scalar("SELECT count(*) FROM submission")
    runs = [subprocess.Popen([str(BIN / "prefect"), "deployment", "run", "intake/on-demand", "--param",
                              f"paths={json.dumps([str(path)])}", "--watch"], cwd=ROOT, env=stack.env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=600)[0] for r in runs]
    assert all(r.returncode == 0 for r in runs), outputs
    assert stack.scalar("SELECT count(*) FROM submission") == before + 1
    assert stack.scalar("SELECT count(*) FROM assessment WHERE reason = 'intake' AND data->>'vendor' = :v",
                        v=EXAMPLES[0].name) == 1
