"""Benchmark 4: cold start, each command as a user runs it from a shell (the installed `fairsource` script,
a subprocess, wall time; its CPU time is noted beside it, since another load on the machine stretches the wall
time). Issue 13's targets: intake of one workbook against a running Prefect server under
2 s; every command that needs no flow under 1.5 s.

1. Intake with a running Prefect server. `prefect server start` on a free loopback port (its own Prefect
   home, analytics off), waited for on /api/health (not counted). Target: `fairsource intake WORKBOOK --json`
   while `fairsource serve` runs in the same home (on that server), which hands the intake to serve's warm
   process (flows.handoff); serve is started in a fresh working directory before each round and waited for
   (not counted); its first intake, then a second (another vendor). Baseline: the command running the flow
   itself with PREFECT_API_URL set and no serve, in a fresh working directory and Prefect home each time (a
   fresh machine's first intake), then a second intake into each of those stores; and beside it what
   importing Prefect alone costs (`python -c "from prefect import flow, task"`), the floor of running the flow
   in the command. All measured in rounds (one of each per round), so a burst of other load falls on all.
2. The commands that need no flow (`--version`, `form`, `check`, `policy`, `report`, `status`,
   `status VENDOR`) on a small store prepared beforehand (a few intakes, not timed), the server stopped
   (they never start Prefect). Median of several runs each, against the floor of starting this Python
   (`python -c pass`) measured in the same run; `python -c "import openpyxl"` is printed beside it. In
   rounds too: every command once per round.
3. Intake with Prefect's temporary local server (no PREFECT_API_URL): one run, informational.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, Figure, base_vendor_name, example_workbooks, tempdir
from bench.team import free_port, healthy

FAIRSOURCE = Path(sys.executable).with_name("fairsource")
INTAKE_TARGET = 2.0  # seconds, issue 13
COMMAND_TARGET = 1.5  # seconds, issue 13


def _env(work: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FAIRSOURCE_"))}
    env.update({"PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@dataclass
class Timed:
    wall: float  # seconds, as the user waits
    cpu: float  # user + system seconds of the command's process (what the machine's other load cannot inflate much)
    out: str  # the last line it printed


def _run(args: list[str], work: Path, api_url: str | None, ok: tuple[int, ...] = (0,)) -> Timed:
    """Run a command in `work` (its store is `work/.fairsource`); its wall and CPU time and last line of output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=work, env=_env(work, api_url), capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({proc.returncode}): {proc.stdout[-2000:]}\n"
                           f"{proc.stderr[-4000:]}")
    lines = proc.stdout.strip().splitlines()
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timed(elapsed, cpu, (lines[-1] if lines else "")[:80])


def _fresh(work: Path) -> Path:
    work.mkdir(parents=True)
    return work


def _intake(workbooks: list[Path], work: Path, api_url: str | None) -> Timed:
    """`fairsource intake FILE... --json` in `work` (created if new), on copies of the workbooks."""
    work.mkdir(parents=True, exist_ok=True)
    targets = []
    for workbook in workbooks:
        targets.append(work / workbook.name)
        shutil.copy(workbook, targets[-1])
    return _run([str(FAIRSOURCE), "intake", *map(str, targets), "--json"], work, api_url)


def _started(argv: list[str], work: Path, env: dict[str, str], log: Path, ready, what: str) -> subprocess.Popen:
    """Start `argv` in `work` (its own process group, output to `log`) and wait until `ready()` holds (not counted;
    at most 120 s). Raises with the log's tail if it exits or never gets ready."""
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(argv, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{' '.join(argv[:3])} exited: {log.read_text()[-3000:]}")
        if ready():
            return proc
        time.sleep(0.2)
    _stop(proc)
    raise RuntimeError(f"{' '.join(argv[:3])} did not {what} within 120 s")


def _start_server(home: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    start = time.perf_counter()
    proc = _started([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
                     "--port", str(port)], home, _env(home, None), home / "server.log", lambda: healthy(url),
                    "answer /api/health")
    return proc, url, time.perf_counter() - start


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group (start_new_session)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _figure(name: str, runs: list[Timed], *, baseline: float | None = None, target: float | None = None,
            note: str = "", extra: dict | None = None) -> Figure:
    """The median wall time of the runs, against `baseline` and `target` (seconds); every run and the median CPU
    time in the note, so a reader can tell the machine's other load (wall >> CPU) from the command's own work."""
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    text = (f"median of {len(runs)} runs: " + " ".join(f"{r.wall:.2f}" for r in runs) + f"; CPU {cpu:.2f} s"
            + (f"; {note}" if note else ""))
    return Figure(name, wall, "s", baseline=baseline, ratio=wall / baseline if baseline else None,
                  target=f"< {target:g} s" if target else "(baseline)" if baseline is None else "(informational)",
                  met=wall < target if target else None, note=text,
                  extra={"runs": [r.wall for r in runs], "cpu_runs": [r.cpu for r in runs], "cpu_median": cpu,
                         **(extra or {})})


def _start_serve(work: Path, api_url: str) -> subprocess.Popen:
    """`fairsource serve` in `work` on the running server (as with a team's server: it starts no server of its
    own), waited for until its hand-off socket answers (not counted)."""
    work.mkdir(parents=True, exist_ok=True)
    where = work / ".fairsource" / "serve" / "serve.sock"

    def answers() -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            return where.exists() and probe.connect_ex(str(where)) == 0

    return _started([str(FAIRSOURCE), "serve"], work, _env(work, api_url), work / "serve.log", answers,
                    "open its hand-off socket")


def _served_intakes(workbooks: list[Path], root: Path, runs: int) -> tuple[list[Figure], Path]:
    """Intake against a running server, in rounds (one of each per round, so a burst of the machine's other
    load falls on all): the command running the flow itself (PREFECT_API_URL set; first and second intake into
    fresh stores), the floor of importing Prefect, and the command handing the intake to `fairsource serve`
    (started in a fresh store before the round, not counted; its first and second intake).
    Returns the figures and a store with a few vendors in it (for the commands that need no flow)."""
    server_home = root / "server"
    server_home.mkdir()
    proc, url, boot = _start_server(server_home)
    try:
        floor: list[Timed] = []
        first: list[Timed] = []
        second: list[Timed] = []
        handed_first: list[Timed] = []
        handed_second: list[Timed] = []
        for i in range(runs):
            floor.append(_run([sys.executable, "-c", "from prefect import flow, task"], _fresh(root / f"floor-{i}"),
                              url))
            work = root / f"served-{i}"
            first.append(_intake([workbooks[0]], work, url))
            second.append(_intake([workbooks[1]], work, url))
            work = root / f"handed-{i}"
            serve = _start_serve(work, url)
            try:
                handed_first.append(_intake([workbooks[0]], work, url))
                handed_second.append(_intake([workbooks[1]], work, url))
            finally:
                _stop(serve)
            if not all('"vendor"' in t.out for t in (handed_first[-1], handed_second[-1])):
                raise RuntimeError(f"a handed-off intake printed no decision: {handed_first[-1].out!r}")
        prepared = root / "store"
        _intake(workbooks, prepared, url)  # a small store: every example vendor (not timed)
    finally:
        _stop(proc)
    prefect_floor = statistics.median(r.wall for r in floor)
    itself = statistics.median(r.wall for r in first)
    figures = [
        _figure("Floor: importing Prefect (python -c 'from prefect import flow, task')", floor),
        _figure("Cold start: fairsource intake of 1 workbook, running Prefect server, the command runs the flow "
                "itself, fresh store", first, baseline=prefect_floor,
                note=f"fresh working dir, store and Prefect home each run; PREFECT_API_URL set, no fairsource serve "
                     f"(server took {boot:.1f} s to answer /api/health, not counted); output {first[-1].out!r}",
                extra={"server_boot_seconds": boot}),
        _figure("Cold start: fairsource intake of 1 workbook, running Prefect server, the command runs the flow "
                "itself, second intake into the same store", second, baseline=prefect_floor),
        _figure("Cold start: fairsource intake of 1 workbook, fairsource serve running (the intake is handed to "
                "its process), first intake after serve started on a fresh store", handed_first, baseline=itself,
                target=INTAKE_TARGET,
                note="baseline: the command running the flow itself (above); serve runs on the same Prefect server, "
                     f"started before each round (not counted); output {handed_first[-1].out!r}"),
        _figure("Cold start: fairsource intake of 1 workbook, fairsource serve running, second intake", handed_second,
                baseline=itself, target=INTAKE_TARGET),
    ]
    return figures, prepared


def _no_flow_commands(store: Path, workbook: Path, vendor: str, runs: int) -> list[Figure]:
    """Each command `runs` times, in rounds (every command once per round, the floors too)."""
    python = sys.executable
    fs = str(FAIRSOURCE)
    commands = {
        "floor": lambda i: [python, "-c", "pass"],
        "openpyxl": lambda i: [python, "-c", "import openpyxl"],
        "fairsource --version": lambda i: [fs, "--version"],
        "fairsource form": lambda i: [fs, "form", "--vendor", "Bench Vendor Ltd", "--out", f"blank-{i}.xlsx"],
        "fairsource check WORKBOOK": lambda i: [fs, "check", str(workbook)],
        "fairsource policy": lambda i: [fs, "policy", "--out", f"policy-{i}.xlsx"],
        "fairsource report": lambda i: [fs, "report", "--out", f"portfolio-{i}.xlsx"],
        "fairsource status": lambda i: [fs, "status"],
        "fairsource status VENDOR": lambda i: [fs, "status", vendor],
    }
    timed: dict[str, list[Timed]] = {name: [] for name in commands}
    for i in range(runs):
        for name, args in commands.items():
            timed[name].append(_run(args(i), store, None))
    floor_runs = timed.pop("floor")
    floor = statistics.median(r.wall for r in floor_runs)
    figures = [_figure("Floor: python -c pass (same interpreter)", floor_runs),
               _figure('Floor: python -c "import openpyxl"', timed.pop("openpyxl"), baseline=floor)]
    for name, runs_of in timed.items():
        figures.append(_figure(f"No flow: {name}", runs_of, baseline=floor, target=COMMAND_TARGET,
                               note=f"store of {store.name!r} with a few vendors"))
    return figures


def run(quick: bool) -> list[Figure]:
    runs = 3 if quick else 5
    root = tempdir("cold")
    workbooks = example_workbooks(root / "wb", variants_per_example=1)
    figures, store = _served_intakes(workbooks, root, runs)
    figures += _no_flow_commands(store, workbooks[0], base_vendor_name(workbooks[0]), runs)
    ephemeral = _intake([workbooks[0]], root / "ephemeral", None)
    figures.append(Figure("Cold start: fairsource intake of 1 workbook, temporary local server", ephemeral.wall, "s",
                          target="(no target)", note=f"one run (CPU {ephemeral.cpu:.2f} s); fresh working dir and "
                                                     f"Prefect home; output {ephemeral.out!r}"))
    shutil.rmtree(root, ignore_errors=True)
    return figures


if __name__ == "__main__":
    os.chdir(ROOT)
    from bench.common import print_figure

    for f in run(quick="--quick" in sys.argv):
        print_figure(f)
