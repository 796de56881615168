"""Benchmark 4: cold start, each command as a user runs it from a shell (the installed `fairsource` script,
a subprocess, wall time). Issue 13's targets: intake of one workbook against a running Prefect server under
2 s; every command that needs no flow under 1.5 s.

1. Intake with a running Prefect server: `prefect server start` on a free loopback port (its own Prefect
   home, analytics off), waited for on /api/health (not counted), then `fairsource intake WORKBOOK --json`
   with PREFECT_API_URL set, in a fresh working directory and Prefect home each time (a fresh machine's
   first intake: the store and SOW folder are created by the command). Median of several runs; then a
   second intake (another vendor) into each of those stores, median too. Their baseline, measured the same
   way: `python -c "from prefect import flow, task"`, what importing Prefect alone costs any flow run.
2. The commands that need no flow (`--version`, `form`, `check`, `policy`, `report`, `status`,
   `status VENDOR`) on a small store prepared beforehand (a few intakes, not timed), the server stopped
   (they never start Prefect). Median of several runs each, against the floor of starting this Python
   (`python -c pass`) measured in the same run; `python -c "import openpyxl"` is printed beside it.
3. Intake with Prefect's temporary local server (no PREFECT_API_URL): one run, informational.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, Figure, base_vendor_name, example_workbooks, tempdir

FAIRSOURCE = Path(sys.executable).with_name("fairsource")
INTAKE_TARGET = 2.0  # seconds, issue 13
COMMAND_TARGET = 1.5  # seconds, issue 13


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(work: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FAIRSOURCE_"))}
    env.update({"PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _run(args: list[str], work: Path, api_url: str | None, ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Run a command in `work` (its store is `work/.fairsource`); its wall time and last line of output."""
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=work, env=_env(work, api_url), capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({proc.returncode}): {proc.stdout[-2000:]}\n"
                           f"{proc.stderr[-4000:]}")
    lines = proc.stdout.strip().splitlines()
    return elapsed, (lines[-1] if lines else "")[:80]


def _fresh(work: Path) -> Path:
    work.mkdir(parents=True)
    return work


def _intake(workbooks: list[Path], work: Path, api_url: str | None) -> tuple[float, str]:
    """`fairsource intake FILE... --json` in `work` (created if new), on copies of the workbooks."""
    work.mkdir(parents=True, exist_ok=True)
    targets = []
    for workbook in workbooks:
        targets.append(work / workbook.name)
        shutil.copy(workbook, targets[-1])
    return _run([str(FAIRSOURCE), "intake", *map(str, targets), "--json"], work, api_url)


def _start_server(home: Path) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    env = _env(home, None)
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed with the process
    start = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
                             "127.0.0.1", "--port", str(port)], cwd=home, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited: {(home / 'server.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url, time.perf_counter() - start
        except OSError:
            time.sleep(0.25)
    _stop(proc)
    raise RuntimeError("prefect server did not answer /api/health within 120 s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group (start_new_session)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _runs_note(times: list[float]) -> str:
    return f"median of {len(times)} runs: " + " ".join(f"{t:.2f}" for t in times)


def _median(fn, runs: int) -> tuple[float, list[float]]:
    times = [fn(i) for i in range(runs)]
    return statistics.median(times), times


def _served_intakes(workbooks: list[Path], root: Path, runs: int) -> tuple[list[Figure], Path]:
    """Intake against a running server: first and second intake into fresh stores. Returns the figures
    and a store with a few vendors in it (for the commands that need no flow)."""
    server_home = root / "server"
    server_home.mkdir()
    proc, url, boot = _start_server(server_home)
    try:
        prefect_floor, floor_runs = _median(
            lambda i: _run([sys.executable, "-c", "from prefect import flow, task"], _fresh(root / f"floor-{i}"),
                           url)[0], runs)
        first, second, out = [], [], ""
        for i in range(runs):
            work = root / f"served-{i}"
            t, out = _intake([workbooks[0]], work, url)
            first.append(t)
            second.append(_intake([workbooks[1]], work, url)[0])
        prepared = root / "store"
        _intake(workbooks, prepared, url)  # a small store: every example vendor (not timed)
    finally:
        _stop(proc)
    med_first, med_second = statistics.median(first), statistics.median(second)
    figures = [
        Figure("Floor: importing Prefect (python -c 'from prefect import flow, task')", prefect_floor, "s",
               target="(baseline)", note=_runs_note(floor_runs), extra={"runs": floor_runs}),
        Figure("Cold start: fairsource intake of 1 workbook, running Prefect server, fresh store", med_first, "s",
               baseline=prefect_floor, ratio=med_first / prefect_floor,
               target=f"< {INTAKE_TARGET:g} s", met=med_first < INTAKE_TARGET,
               note=f"{_runs_note(first)}; fresh working dir, store and Prefect home each run; PREFECT_API_URL set "
                    f"(server took {boot:.1f} s to answer /api/health, not counted); output {out!r}",
               extra={"runs": first, "server_boot_seconds": boot}),
        Figure("Cold start: fairsource intake of 1 workbook, running Prefect server, second intake into the "
               "same store", med_second, "s", baseline=prefect_floor, ratio=med_second / prefect_floor,
               target=f"< {INTAKE_TARGET:g} s", met=med_second < INTAKE_TARGET,
               note=_runs_note(second), extra={"runs": second}),
    ]
    return figures, prepared


def _no_flow_commands(store: Path, workbook: Path, vendor: str, runs: int) -> list[Figure]:
    python = sys.executable
    floor, floor_runs = _median(lambda i: _run([python, "-c", "pass"], store, None)[0], runs)
    openpyxl, openpyxl_runs = _median(lambda i: _run([python, "-c", "import openpyxl"], store, None)[0], runs)
    fs = str(FAIRSOURCE)
    commands = {
        "fairsource --version": lambda i: [fs, "--version"],
        "fairsource form": lambda i: [fs, "form", "--vendor", "Bench Vendor Ltd", "--out", f"blank-{i}.xlsx"],
        "fairsource check WORKBOOK": lambda i: [fs, "check", str(workbook)],
        "fairsource policy": lambda i: [fs, "policy", "--out", f"policy-{i}.xlsx"],
        "fairsource report": lambda i: [fs, "report", "--out", f"portfolio-{i}.xlsx"],
        "fairsource status": lambda i: [fs, "status"],
        "fairsource status VENDOR": lambda i: [fs, "status", vendor],
    }
    figures = [
        Figure("Floor: python -c pass (same interpreter)", floor, "s", target="(baseline)",
               note=_runs_note(floor_runs), extra={"runs": floor_runs}),
        Figure('Floor: python -c "import openpyxl"', openpyxl, "s", baseline=floor, ratio=openpyxl / floor,
               target="(informational)", note=_runs_note(openpyxl_runs), extra={"runs": openpyxl_runs}),
    ]
    for name, args in commands.items():
        value, times = _median(lambda i, args=args: _run(args(i), store, None)[0], runs)
        figures.append(Figure(f"No flow: {name}", value, "s", baseline=floor, ratio=value / floor,
                              target=f"< {COMMAND_TARGET:g} s", met=value < COMMAND_TARGET,
                              note=f"{_runs_note(times)}; store of {store.name!r} with a few vendors",
                              extra={"runs": times}))
    return figures


def run(quick: bool) -> list[Figure]:
    runs = 3 if quick else 5
    root = tempdir("cold")
    workbooks = example_workbooks(root / "wb", variants_per_example=1)
    figures, store = _served_intakes(workbooks, root, runs)
    figures += _no_flow_commands(store, workbooks[0], base_vendor_name(workbooks[0]), runs)
    ephemeral, out = _intake([workbooks[0]], root / "ephemeral", None)
    figures.append(Figure("Cold start: fairsource intake of 1 workbook, temporary local server", ephemeral, "s",
                          target="(no target)", note=f"one run; fresh working dir and Prefect home; output {out!r}"))
    shutil.rmtree(root, ignore_errors=True)
    return figures


if __name__ == "__main__":
    os.chdir(ROOT)
    from bench.common import print_figure

    for f in run(quick="--quick" in sys.argv):
        print_figure(f)
