"""`fairsource serve` as a user runs it: a local Prefect server, the deployments, the cron schedule, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, body: dict) -> list:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_schedules_requalification_and_stops_cleanly(tmp_path, stop):
    """Ctrl-C, or SIGTERM from a service manager, stops the runner and then the local server: exit 0, no
    traceback, no "coroutine 'Runner.astop' was never awaited" (SIGTERM used to print it, and hang)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"FAIRSOURCE_HOME": str(tmp_path / ".fairsource"), "FAIRSOURCE_REQUALIFY_CRON": "0 6 1 * *",
                # run logs held back until serve stops: they must reach the server before serve stops it
                "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "120"})
    exe = Path(sys.executable).with_name("fairsource")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 150
        deployments = []
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                deployments = _post(f"{api}/deployments/filter", {"limit": 10, "offset": 0})
            except OSError:
                deployments = []
            if len(deployments) == 3:
                break
            time.sleep(1)
        assert {d["name"] for d in deployments} == {"scheduled", "on-demand"}, deployments
        scheduled = next(d for d in deployments if d["name"] == "scheduled")
        assert [s["schedule"]["cron"] for s in scheduled["schedules"]] == ["0 6 1 * *"]
        if stop == signal.SIGINT:
            # While serve runs, a command in the same home uses its server instead of starting a temporary one.
            from supplier_models.workbooks.examples import EXAMPLES, write_example

            workbook = write_example(EXAMPLES[0], tmp_path / "returned")
            intake = subprocess.run([str(exe), "intake", str(workbook), "--json"], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=300)
            assert intake.returncode == 0, intake.stderr
            assert json.loads(intake.stdout)["vendor"] == EXAMPLES[0].name
            flows = {f["id"]: f["name"] for f in _post(f"{api}/flows/filter", {"limit": 20, "offset": 0})}
            runs = _post(f"{api}/flow_runs/filter", {"limit": 20, "offset": 0})
            # serve's process ran it (flows.handoff): the run is tagged so.
            assert [(flows.get(r["flow_id"]), r["state_type"], r["tags"]) for r in runs] == \
                [("intake", "COMPLETED", ["handed-off"])], runs
            # A command whose settings differ from serve's (another client organisation on the SOW) runs the
            # flow itself, still on serve's server rather than a temporary one.
            other = subprocess.run([str(exe), "intake", str(write_example(EXAMPLES[1], tmp_path / "returned")),
                                    "--json"], cwd=tmp_path, env={**env, "FAIRSOURCE_ORGANISATION": "Other Buyer"},
                                   capture_output=True, text=True, timeout=300)
            assert other.returncode == 0, other.stderr
            runs = _post(f"{api}/flow_runs/filter", {"limit": 20, "offset": 0})
            assert sorted(r["tags"] for r in runs if flows.get(r["flow_id"]) == "intake") == [[], ["handed-off"]]
            # Real flow runs, their tasks visible in the server: each sends their states before it ends.
            for run_id in [r["id"] for r in runs if flows.get(r["flow_id"]) == "intake"]:
                tasks: dict[str, str] = {}
                for _ in range(60):  # the server records task runs from the events it receives: allow it a moment
                    tasks = {t["name"].rsplit("-", 1)[0]: t["state_type"] for t in _post(
                        f"{api}/task_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}, "limit": 20,
                                                    "offset": 0})}
                    if len(tasks) == 4 and set(tasks.values()) == {"COMPLETED"}:
                        break
                    time.sleep(0.5)
                assert tasks == dict.fromkeys(["read and validate workbooks", "load rubric, country data and policy",
                                               "score, write SOWs and store", "publish decision artifacts"],
                                              "COMPLETED"), tasks
    finally:
        proc.send_signal(stop)
        try:
            stdout, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            pytest.fail(f"serve did not stop on {stop.name}: {stderr}")
    assert f"Prefect server and UI: http://127.0.0.1:{port}" in stdout
    assert "Serving requalify/scheduled (cron 0 6 1 * *), intake/on-demand, sow/on-demand" in stdout
    assert f"fairsource intake in this home runs here: {tmp_path / '.fairsource' / 'serve' / 'serve.sock'}" in stdout
    assert not (tmp_path / ".fairsource" / "serve" / "serve.sock").exists()  # removed on the way out
    assert "Traceback" not in stderr, stderr
    assert "Error logging to API" not in stdout + stderr, stdout + stderr
    assert "never awaited" not in stderr and "RuntimeWarning" not in stderr, stderr
    assert proc.returncode == 0, stderr
    assert stdout.rstrip().endswith("Stopped.")
    with socket.socket() as sock:  # the local server is stopped with the runner
        assert sock.connect_ex(("127.0.0.1", port)) != 0
