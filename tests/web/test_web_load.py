"""The mixed load of `bench/web_load.py`, small enough for CI: 20 users for 30 seconds (staff signing in, reading
pages and the API, sending new and repeated workbooks; reviewers recording reviews through the vendor page's
form) on a real `fairsource web` on the test's database, one process on SQLite and two worker processes on
PostgreSQL (the team's setup). Correctness, not time: no request fails, and the store holds exactly what was
accepted (one submission and its audit events per new workbook, one review and its event per review sent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.web_load import report, run  # noqa: E402  (the scenario, shared with bench/)

pytestmark = pytest.mark.slow
KINDS = {"GET /login", "POST /login", "GET / (dashboard)", "GET /vendors", "GET /api/vendors", "GET /vendors/{id}",
         "POST /vendors/{id}/review", "POST /api/intake (unique)", "POST /api/intake (repeated)"}


def test_20_users_for_30_seconds_no_request_fails_and_the_store_is_exact(tmp_path, database_url):
    workers = 2 if database_url.startswith("postgresql") else 1
    result = run(tmp_path, users=20, spawn_rate=10, run_time="30s", unique=60, workers=workers,
                 database_url=database_url, rounds=3)
    report(result)  # shown when an assertion fails
    loaded, alone = result["loaded"], result["baseline"]
    assert set(loaded) == set(alone) == KINDS | {"all"}  # every kind of request was sent, under load and alone
    assert {name: failed for name, (_, failed, _, _) in loaded.items() if failed} == {}
    assert alone["all"][:2] == (3 * 10, 0)  # the baseline: 3 rounds of 10 requests, none failed
    assert result["failed"] == 0 and result["after"][0] == 200
    store = result["store"]
    assert store["accepted"] > 3 + 5 and store["reviews sent"] > 3  # the load's own intakes and reviews
    assert store["stored"] == store["submission_received"] == store["web_intake (new)"] == store["accepted"]
    assert store["reviews stored"] == store["web_review_approve"] == store["reviews sent"]
    assert result["exact"]
    assert result["processes"] == (1 if workers == 1 else 1 + workers + 1)  # the parent, its workers, the tracker
