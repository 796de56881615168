"""A team's deployment for real: `prefect server start` on PostgreSQL, the process work pool, the deployments of
prefect.yaml, two workers, and vendors stored in PostgreSQL. The commands are the README's ("A team's
deployment"). Runs in CI's PostgreSQL pass (skipped on SQLite: a team's store is PostgreSQL).

- Requalification is shared: every vendor gets exactly one new assessment and each worker did part of it.
- One worker killed with SIGKILL mid-run, the run retried: still exactly one new assessment a vendor, no SOW file
  without its record, no half-written shard.
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
    while stack.scalar("SELECT count(*) FROM assessment WHERE reason = 'data_change'") < VENDORS + 2 * SHARD:
        assert time.monotonic() < deadline and parent.poll() is None, stack.log("parent")
        time.sleep(0.2)
    stack.kill("w2")  # mid-run: w2 is inside a shard, or about to take one
    stack.kill("parent")  # and the run that waited for it
    done = stack.scalar("SELECT count(*) FROM assessment WHERE reason = 'data_change'") - VENDORS
    assert 0 < done < VENDORS and done % SHARD == 0  # whole shards only: none half-written

    stack.worker("w3")  # a replacement machine
    summary = _requalify(stack)  # the run, retried
    assert 0 < len(summary["rescored"]) <= VENDORS - done  # the rest only
    stack.check_one_rescoring_each(2)
    stack.check_sow_files()  # what the killed shard wrote before it died is gone with its transaction


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
