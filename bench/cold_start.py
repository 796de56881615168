"""Benchmark 4: cold start, `fairsource intake FILE` of one workbook, wall time, as a user runs it.

1. With Prefect's temporary local server (no PREFECT_API_URL): a fresh working directory and Prefect
   home, so the store, the SOW folder and Prefect's database are all created by the command.
2. With a running Prefect server: `prefect server start` on a free loopback port (its own Prefect home,
   analytics off), waited for on /api/health, then the same command in another fresh directory with
   PREFECT_API_URL set. The server is stopped at the end.
No ratio target: the figures are reported as they are.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, Figure, example_workbooks, tempdir

FAIRSOURCE = Path(sys.executable).with_name("fairsource")


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


def _intake(workbook: Path, work: Path, api_url: str | None) -> tuple[float, str]:
    work.mkdir(parents=True)
    target = work / workbook.name
    shutil.copy(workbook, target)
    start = time.perf_counter()
    proc = subprocess.run([str(FAIRSOURCE), "intake", str(target), "--json"], cwd=work, env=_env(work, api_url),
                          capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"fairsource intake failed ({proc.returncode}): {proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return elapsed, proc.stdout.strip().splitlines()[-1][:80]


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


def run(quick: bool) -> list[Figure]:
    root = tempdir("cold")
    workbook = example_workbooks(root / "wb", variants_per_example=1)[0]
    ephemeral, out = _intake(workbook, root / "ephemeral", None)
    figures = [Figure("Cold start: fairsource intake of 1 workbook, temporary local server", ephemeral, "s",
                      target="(no target)", note=f"fresh working dir and Prefect home; output {out!r}")]
    if quick:
        figures.append(Figure("Cold start: fairsource intake of 1 workbook, running Prefect server", None, "s",
                              target="(no target)", note="skipped in --quick"))
        return figures
    server_home = root / "server"
    server_home.mkdir()
    proc, url, boot = _start_server(server_home)
    try:
        served, out = _intake(workbook, root / "served", url)
    finally:
        _stop(proc)
    figures.append(Figure("Cold start: fairsource intake of 1 workbook, running Prefect server", served, "s",
                          target="(no target)",
                          note=f"PREFECT_API_URL={url} (server took {boot:.1f} s to answer /api/health, not counted)"))
    shutil.rmtree(root, ignore_errors=True)
    return figures


if __name__ == "__main__":
    os.chdir(ROOT)
    from bench.common import print_figure

    for f in run(quick="--quick" in sys.argv):
        print_figure(f)
