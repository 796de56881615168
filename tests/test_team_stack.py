"""A team's deployment for real: `prefect server start` on PostgreSQL, the process work pool, the deployments of
prefect.yaml, two workers, and vendors stored in PostgreSQL. The commands are the README's ("A team's
deployment"). Runs in CI's PostgreSQL pass (skipped on SQLite: a team's store is PostgreSQL).

- Requalification is shared: every vendor gets exactly one new assessment and each worker did part of it.
- One worker killed with SIGKILL mid-run, the run retried: still exactly one new assessment a vendor, no SOW file
  without its record, no half-written shard.
- Two workers receiving the same workbook at once store one submission.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

BACKEND_URL = os.environ.get("FAIRSOURCE_TEST_DATABASE_URL", "sqlite")
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VENDORS = int(os.environ.get("FAIRSOURCE_TEAM_STACK_VENDORS", "1200"))  # scaled down for CI; bench/ runs 10,000
SHARD = 200
AS_OF = "2026-11-23"

pytestmark = [pytest.mark.team, pytest.mark.skipif(not BACKEND_URL.startswith("postgresql"),
                                                    reason="a team's stack runs on PostgreSQL (CI's second pass)")]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _database(admin, name: str) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


def _policy(path: Path, overrides: list[tuple[str, str, str]]) -> Path:
    """An organisation policy with score overrides: a new policy version, so every vendor is due again."""
    from supplier_models.policy import OVERRIDES_SHEET, write_blank_policy

    write_blank_policy(path)
    wb = load_workbook(path)
    ws = wb[OVERRIDES_SHEET]
    for row, values in enumerate(overrides, start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
    wb.save(path)
    return path


class Stack:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        base = make_url(BACKEND_URL)
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        suffix = uuid.uuid4().hex[:10]
        self.names = [_database(self.admin, f"fs_team_{suffix}"), _database(self.admin, f"fs_prefect_{suffix}")]
        self.store_url = base.set(database=self.names[0]).render_as_string(hide_password=False)
        prefect_db = base.set(drivername="postgresql+asyncpg", database=self.names[1])
        self.port = _free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FAIRSOURCE_"))}
        self.server_env = {**clean, "PREFECT_HOME": str(tmp / "server-home"),
                           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                           "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db.render_as_string(hide_password=False)}
        self.env = {**clean, "PREFECT_API_URL": self.api, "PREFECT_HOME": str(tmp / "client-home"),
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "FAIRSOURCE_REPO": str(ROOT),
                    "FAIRSOURCE_DATABASE_URL": self.store_url, "FAIRSOURCE_HOME": str(tmp / "fairsource"),
                    "FAIRSOURCE_REQUALIFY_SHARD_DEPLOYMENT": "requalify-shard/team",
                    "FAIRSOURCE_REQUALIFY_SHARD_TIMEOUT": "600", "FAIRSOURCE_REQUALIFY_SHARD_SIZE": str(SHARD),
                    # one policy file for the run and every worker (the tests rewrite it between runs)
                    "FAIRSOURCE_POLICY_FILE": str(tmp / "policy.xlsx")}
        self.policy = tmp / "policy.xlsx"
        self.engine = create_engine(self.store_url, poolclass=NullPool)

    # -- processes ---------------------------------------------------------------------------------
    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("wb")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def run(self, argv: list[str], **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(argv, cwd=ROOT, env={**self.env, **extra}, capture_output=True, text=True,
                                timeout=900)
        assert result.returncode == 0, f"{argv}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started (its session): a machine that dies."""
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def up(self) -> None:
        self.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                              str(self.port)], self.server_env)
        deadline = time.monotonic() + 180
        while not _healthy(self.api):
            assert self.procs["server"].poll() is None and time.monotonic() < deadline, self.log("server")
            time.sleep(0.5)
        self.run([str(BIN / "prefect"), "work-pool", "create", "fairsource", "--type", "process"])
        self.run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"])
        for name in ("w1", "w2"):
            self.worker(name)

    def worker(self, name: str) -> None:
        self.start(name, [str(BIN / "prefect"), "worker", "start", "--pool", "fairsource", "--limit", "1",
                          "--name", name], {**self.env, "FAIRSOURCE_WORKER_NAME": name})

    def down(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        self.engine.dispose()
        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-4000:]

    # -- what the store holds -------------------------------------------------------------------------
    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def check_one_rescoring_each(self, generation: int) -> None:
        """Every vendor has exactly `generation` rescorings, each superseding a different assessment."""
        counts = self.rows("SELECT vendor_id, count(*) FROM assessment WHERE reason = 'data_change' GROUP BY vendor_id")
        assert len(counts) == VENDORS and {c for _, c in counts} == {generation}
        assert self.scalar("SELECT count(DISTINCT supersedes) FROM assessment WHERE supersedes IS NOT NULL") \
            == VENDORS * generation

    def check_sow_files(self) -> int:
        """Every SOW record's file exists and every SOW file has its record."""
        on_disk = {str(p.resolve()) for p in (self.tmp / "fairsource" / "sows").glob("*.docx")}
        recorded = {str(Path(p).resolve()) for (p,) in self.rows("SELECT path FROM sow_document")}
        assert on_disk == recorded
        return len(recorded)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    from bench.requalify import seed
    from supplier_models import Store

    tmp = tmp_path_factory.mktemp("team")
    s = Stack(tmp)
    try:
        Store(s.store_url).close()  # the schema, as any command would bring it
        seed(s.store_url, VENDORS, tmp / "seed")
        _policy(s.policy, [])
        s.up()
        yield s
    finally:
        s.down()


def _requalify(stack: Stack) -> dict:
    result = stack.run([str(BIN / "fairsource"), "requalify", "--as-of", AS_OF, "--json"])
    return json.loads(result.stdout)


def test_two_workers_share_a_requalification_and_rescore_each_vendor_once(stack):
    # Germany rated high by the organisation: the vendors working there turn conditional, and get a new SOW.
    _policy(stack.policy, [("DE", "high", "Works council dispute")])
    summary = _requalify(stack)
    assert len(summary["rescored"]) == VENDORS
    stack.check_one_rescoring_each(1)
    workers = dict(stack.rows("SELECT actor, count(*) FROM audit_event WHERE action = 'assessment_data_change' "
                              "GROUP BY actor"))
    assert set(workers) == {"w1", "w2"} and all(n >= SHARD for n in workers.values()), workers
    assert stack.check_sow_files() > 0  # SOWs were re-issued, each with its record


def test_a_worker_killed_mid_run_then_the_run_retried_rescores_each_vendor_once(stack):
    _policy(stack.policy, [("DE", "medium", "Dispute settled"), ("PH", "high", "Typhoon")])
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
    from supplier_models.examples import EXAMPLES, write_example

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
