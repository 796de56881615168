"""A team's stack for real, shared by `tests/flows/test_team_stack.py` and `bench/team_stack.py`: PostgreSQL databases
for the store and for Prefect, `prefect server start` on the latter, the process work pool, the deployments of
prefect.yaml (`prefect --no-prompt deploy --all`), the automation of prefect-automations.yaml (a dead worker's flow run
marked Crashed once its heartbeats stop), and workers (`prefect worker start --pool fairsource --limit 1`),
each named in the store's audit by FAIRSOURCE_WORKER_NAME. The commands are the README's ("A team's deployment").

Every process is started in its own session, so `down` reaches what it started. A worker starts each flow run in
a session of its own (Prefect 3.8), so killing a worker's session leaves its flow run alive: `kill(tree=True)`
kills the flow-run processes too, as a machine that dies would. `down` stops them all and drops the databases.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.common import AS_OF, ROOT

BIN = Path(sys.executable).parent
__all__ = ["AS_OF", "BIN", "ROOT", "Stack", "create_database", "free_port", "healthy", "write_policy"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def create_database(admin, name: str) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


def write_policy(path: Path, overrides: list[tuple[str, str, str]]) -> Path:
    """An organisation policy with score overrides: a new policy version, so every vendor is due again."""
    from supplier_models.workbooks.policy_workbook import OVERRIDES_SHEET, write_blank_policy

    write_blank_policy(path)
    wb = load_workbook(path)
    ws = wb[OVERRIDES_SHEET]
    for row, values in enumerate(overrides, start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
    wb.save(path)
    return path


class Stack:
    """The databases (created here), then `up()`: the server, the work pool, the deployments, the workers.

    `base_url`: a PostgreSQL URL (postgresql+psycopg://...) whose server holds the new databases; `vendors`: how
    many the store holds (for the checks); `shard`: FAIRSOURCE_REQUALIFY_SHARD_SIZE; `shard_timeout`: seconds a
    requalification waits for its shards."""

    def __init__(self, tmp: Path, base_url: str, *, vendors: int, shard: int, shard_timeout: float = 600) -> None:
        self.tmp = tmp
        self.vendors = vendors
        self.shard = shard
        self.procs: dict[str, subprocess.Popen] = {}
        base = make_url(base_url)
        self.base = base
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.suffix = uuid.uuid4().hex[:10]
        self.names = [create_database(self.admin, f"fs_team_{self.suffix}"),
                      create_database(self.admin, f"fs_prefect_{self.suffix}")]
        self.store_url = base.set(database=self.names[0]).render_as_string(hide_password=False)
        prefect_db = base.set(drivername="postgresql+asyncpg", database=self.names[1])
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FAIRSOURCE_"))}
        self.server_env = {**clean, "PREFECT_HOME": str(tmp / "server-home"),
                           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                           "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db.render_as_string(hide_password=False)}
        self.env = {**clean, "PREFECT_API_URL": self.api, "PREFECT_HOME": str(tmp / "client-home"),
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "FAIRSOURCE_REPO": str(ROOT),
                    "FAIRSOURCE_DATABASE_URL": self.store_url, "FAIRSOURCE_HOME": str(tmp / "fairsource"),
                    "FAIRSOURCE_REQUALIFY_SHARD_DEPLOYMENT": "requalify-shard/team",
                    "FAIRSOURCE_REQUALIFY_SHARD_TIMEOUT": f"{shard_timeout:g}",
                    "FAIRSOURCE_REQUALIFY_SHARD_SIZE": str(shard),
                    # one policy file for the run and every worker (the tests rewrite it between runs)
                    "FAIRSOURCE_POLICY_FILE": str(tmp / "policy.xlsx")}
        self.policy = tmp / "policy.xlsx"
        self.engine = create_engine(self.store_url, poolclass=NullPool)

    def database(self, prefix: str) -> str:
        """Another database on the same server (dropped by `down`), as a URL."""
        name = create_database(self.admin, f"{prefix}_{self.suffix}")
        self.names.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    # -- processes ---------------------------------------------------------------------------------
    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("wb")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()  # the child has its own copy
        self.procs[name] = proc
        return proc

    def run(self, argv: list[str], timeout: float = 900, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(argv, cwd=ROOT, env={**self.env, **extra}, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"{argv}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def kill(self, name: str, *, tree: bool = False) -> list[int]:
        """SIGKILL the process and everything in its session; with `tree`, every process it started too, in
        whatever session (a worker's flow runs): a machine that dies. Returns the pids of the processes it
        started, each checked gone."""
        import psutil

        proc = self.procs.pop(name)
        children = psutil.Process(proc.pid).children(recursive=True) if tree else []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(children, timeout=30)
        if alive:
            raise AssertionError(f"still running after SIGKILL: {alive}")
        return [child.pid for child in children]

    def flow_runs_of(self, name: str) -> list[int]:
        """The pids of the flow-run processes a worker has started and that are running now."""
        import psutil

        return [child.pid for child in psutil.Process(self.procs[name].pid).children(recursive=True)
                if "prefect.engine" in child.cmdline()]

    def up(self, workers: tuple[str, ...] = ("w1", "w2")) -> None:
        self.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                              str(self.port)], self.server_env)
        deadline = time.monotonic() + 180
        while not healthy(self.api):
            if self.procs["server"].poll() is not None or time.monotonic() >= deadline:
                raise AssertionError(self.log("server"))
            time.sleep(0.5)
        self.run([str(BIN / "prefect"), "work-pool", "create", "fairsource", "--type", "process"])
        self.run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"])
        self.run([str(BIN / "prefect"), "automation", "create", "--from-file", str(ROOT / "prefect-automations.yaml")])
        for name in workers:
            self.worker(name)

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(name, [str(BIN / "prefect"), "worker", "start", "--pool", "fairsource", "--limit", "1",
                                 "--name", name],
                          # polling the pool every second (default 10 s): a shard starts as soon as it is submitted
                          {**self.env, "FAIRSOURCE_WORKER_NAME": name, "PREFECT_WORKER_QUERY_SECONDS": "1"})

    def down(self) -> None:
        # The workers before the server (the reverse of their start): a worker stopping talks to the server, and
        # one that cannot reach it waits out its retries.
        for name in reversed(list(self.procs)):
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

    def check_one_rescoring_each(self, generation: int, engine=None) -> None:
        """Every vendor has exactly `generation` rescorings, each superseding a different assessment (in the
        stack's store, or the store `engine` reaches)."""
        with (engine or self.engine).connect() as conn:
            counts = list(conn.execute(text(
                "SELECT vendor_id, count(*) FROM assessment WHERE reason = 'data_change' GROUP BY vendor_id")))
            superseded = conn.execute(text(
                "SELECT count(DISTINCT supersedes) FROM assessment WHERE supersedes IS NOT NULL")).scalar()
        if not (len(counts) == self.vendors and {c for _, c in counts} == {generation}):
            raise AssertionError(f"{len(counts)} vendors rescored of {self.vendors}, rescorings a vendor "
                                 f"{sorted({c for _, c in counts})} (expected {generation} each)")
        if superseded != self.vendors * generation:
            raise AssertionError(f"{superseded} assessments superseded, expected {self.vendors * generation}")

    def sow_files(self) -> tuple[set[str], set[str]]:
        """(the SOW files on disk, the files the SOW records name)."""
        on_disk = {str(p.resolve()) for p in (self.tmp / "fairsource" / "sows").glob("*.docx")}
        return on_disk, {str(Path(p).resolve()) for (p,) in self.rows("SELECT path FROM sow_document")}

    def check_sow_files(self, *, unrecorded: int = 0) -> int:
        """Every SOW record's file exists, and at most `unrecorded` SOW files have no record (what a killed run
        wrote is swept only once it is FAIRSOURCE_SOW_SWEEP_AFTER old). Returns how many records there are."""
        on_disk, recorded = self.sow_files()
        if recorded - on_disk or len(on_disk - recorded) > unrecorded:
            raise AssertionError(f"{len(recorded - on_disk)} record(s) without a file, "
                                 f"{len(on_disk - recorded)} SOW file(s) without a record (at most {unrecorded})")
        return len(recorded)

    def work_by_worker(self) -> dict[str, tuple[int, int]]:
        """Per worker (the audit's actor, FAIRSOURCE_WORKER_NAME): (vendors rescored, shards). A shard is one
        transaction and its audit rows share one timestamp, so the distinct timestamps count the shards."""
        return {actor: (vendors, shards) for actor, vendors, shards in self.rows(
            "SELECT actor, count(*), count(DISTINCT at) FROM audit_event WHERE action = 'assessment_data_change' "
            "GROUP BY actor")}
