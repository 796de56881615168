"""`fairsource intake` handed to serve's warm process (flows.handoff): the command loads no Prefect and no store,
serve's process runs the real intake flow (on the test session's Prefect server) and the command prints what it
would have printed itself. When serve would give another result, the command is told to run the flow itself."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.handoff import TAG, ServeStopped, handoff_service, intake_via_serve, settings_key, socket_path
from supplier_models import ConfigurationError, FairsourceError, Store, get_settings
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.commands import NO_PREFECT


def _api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _command(home: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """`fairsource ARGS` in a fresh process that reports which modules it loaded (see tests/cli/test_cli.py)."""
    return subprocess.Popen([sys.executable, "-c", NO_PREFECT, *args], cwd=home, env=env or dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> tuple[int, list[dict], set[str], str]:
    """Exit status, the JSON objects printed, the top-level modules loaded and stderr of a `_command`."""
    stdout, stderr = proc.communicate(timeout=300)
    assert "PREFECT-MODULES 0" in stdout, stdout + stderr  # the command itself never imported Prefect
    code = int(stdout.split(" EXIT ", 1)[1].split()[0])
    objects = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return code, objects, set(stdout.split("LOADED", 1)[1].split()), stderr


def _tagged_intake_runs() -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    async def read() -> list:
        async with get_client() as client:
            return await client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[TAG])))

    return asyncio.run(read())


@pytest.fixture
def serving(isolated_home, prefect_engine):
    """serve's hand-off service in this process, running the real intake flow."""
    from flows.serve import run_handed_off, warm_up

    warm_up()
    with handoff_service(get_settings(), _api_url(), run_handed_off) as where:
        assert where == socket_path(get_settings())
        yield where


def test_a_handed_off_intake_prints_the_same_decisions_and_stores_them_once(
        serving, isolated_home, example_workbooks, database_url):
    """Relative paths as given, a good workbook and a file that is not one: the decision object of docs/contracts.md,
    the rejected file with its problem, exit 2 for the rejection; the command loaded neither Prefect, nor the
    store, nor openpyxl; serve's process ran the flow, tagged, and stored the assessment."""
    lumen = next(v for v in EXAMPLES if v.name == "Lumen Data Services GmbH")
    (isolated_home / "in").mkdir()
    workbook = Path("in") / "lumen.xlsx"
    (isolated_home / workbook).write_bytes(example_workbooks[lumen.name].read_bytes())
    (isolated_home / "in" / "notes.xlsx").write_text("not a workbook")
    before = len(_tagged_intake_runs())

    code, printed, loaded, stderr = _finish(_command(isolated_home, "intake", str(workbook), "in/notes.xlsx",
                                                     "--json"))
    assert code == 2, stderr
    rejected, decision = printed
    assert rejected["file"] == "in/notes.xlsx" and "not an Excel workbook" in rejected["errors"][0]["message"]
    assert "in/notes.xlsx: rejected, 1 problem(s)" in stderr
    assert decision["vendor"] == lumen.name and decision["decision"] == lumen.expected_decision
    assert decision["file"] == "lumen.xlsx" and "source" not in decision and decision["duplicate"] is False
    assert {"rubric_version", "country_data_version", "policy_version", "geo", "knockouts"} <= decision.keys()
    assert not loaded & {"prefect", "sqlalchemy", "openpyxl", "docx", "jinja2"}, sorted(loaded)
    assert len(_tagged_intake_runs()) == before + 1

    store = Store(database_url)
    vendor = store.vendors.find(lumen.name)
    assert store.assessments.latest(vendor.id).id == decision["assessment_id"]
    assert Path(decision["sow"]).is_file()

    # The same file again, printed for a person: received before, nothing new stored.
    again = subprocess.run([sys.executable, "-m", "fairsource.cli", "intake", str(workbook)], cwd=isolated_home,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"{lumen.name}: {lumen.expected_decision} - score ")
    assert "(received before: nothing new stored)" in again.stdout.splitlines()[0]
    assert f"  file: {workbook}" in again.stdout.splitlines()
    assert store.assessments.latest(vendor.id).id == decision["assessment_id"]


def test_the_same_workbook_handed_off_twice_at_once_is_stored_once(serving, isolated_home, example_workbooks,
                                                                   database_url):
    """serve runs each command in its own thread: two commands with the same file store one submission."""
    name = EXAMPLES[1].name
    commands = [_command(isolated_home, "intake", str(example_workbooks[name]), "--json") for _ in range(2)]
    results = [_finish(c) for c in commands]
    assert [r[0] for r in results] == [0, 0], [r[3] for r in results]
    decisions = [r[1][0] for r in results]
    assert decisions[0]["assessment_id"] == decisions[1]["assessment_id"]
    assert sorted(d["duplicate"] for d in decisions) == [False, True]
    store = Store(database_url)
    assert len(store.assessments.history(store.vendors.find(name).id)) == 1


def test_serve_refuses_a_command_it_would_answer_differently(serving, isolated_home, example_workbooks,
                                                             monkeypatch, database_url):
    """Other settings (here the client organisation named in the SOW) or another Prefect server: the command
    is told to run the flow itself, and serve stored nothing."""
    workbook = str(example_workbooks[EXAMPLES[0].name])
    other = get_settings().model_copy(update={"organisation": "Another Buyer Ltd"})
    assert settings_key(other) != settings_key(get_settings())
    assert intake_via_serve(other, [workbook], None) is None
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert intake_via_serve(get_settings(), [workbook], None) is None
    monkeypatch.setenv("PREFECT_API_URL", _api_url())  # serve's own server: answered
    result = intake_via_serve(get_settings(), [workbook], None)
    assert [o["vendor"] for o in result["outcomes"]] == [EXAMPLES[0].name] and result["rejected"] == []
    store = Store(database_url)
    assert len(store.assessments.history(store.vendors.find(EXAMPLES[0].name).id)) == 1


def test_errors_in_serve_reach_the_command(isolated_home):
    """An error serve reports (a FairsourceError) is the command's error; an unexpected one is named without
    a traceback; progress arrives as batches finish."""
    def run(paths, as_of, progress):
        progress(len(paths))
        if paths[0].endswith("boom.xlsx"):
            raise RuntimeError("disk on fire")
        raise ConfigurationError("FAIRSOURCE_POLICY_FILE: no such file")

    seen: list[int] = []
    with handoff_service(get_settings(), "http://127.0.0.1:4200/api", run):
        with pytest.raises(FairsourceError, match="FAIRSOURCE_POLICY_FILE: no such file"):
            intake_via_serve(get_settings(), ["a.xlsx", "b.xlsx"], None, seen.append)
        assert seen == [2]
        with pytest.raises(FairsourceError, match="could not run the intake: RuntimeError: disk on fire"):
            intake_via_serve(get_settings(), ["boom.xlsx"], None)


def test_a_serve_gone_mid_intake_is_reported_and_a_dead_socket_is_ignored(isolated_home):
    """A serve that closes the connection before answering: the command says so (nothing stored twice if it
    is run again). A socket left by a killed serve: the command runs the flow itself, and the next serve
    replaces the socket. A second serve of the same home leaves the socket to the first."""
    where = socket_path(get_settings())
    where.parent.mkdir(parents=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(where))
    listener.listen()

    def hang_up() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()

    thread = threading.Thread(target=hang_up)
    thread.start()
    with pytest.raises(ServeStopped, match="run the command again"):
        intake_via_serve(get_settings(), ["a.xlsx"], None)
    thread.join()
    listener.close()  # the socket file stays, as after a SIGKILL
    assert where.exists()
    assert intake_via_serve(get_settings(), ["a.xlsx"], None) is None

    def run(paths, as_of, progress):
        return {"outcomes": [], "rejected": []}

    with handoff_service(get_settings(), "http://127.0.0.1:4200/api", run) as first:
        assert first == where and oct(where.parent.stat().st_mode & 0o777) == "0o700"
        with handoff_service(get_settings(), "http://127.0.0.1:4200/api", run) as second:
            assert second is None
        assert intake_via_serve(get_settings(), ["a.xlsx"], None) == {"outcomes": [], "rejected": []}
    assert not where.exists()


def _deployments() -> list:
    from prefect.client.orchestration import get_client

    async def read() -> list:
        async with get_client() as client:
            return await client.read_deployments()

    return asyncio.run(read())


def test_serve_intake_only_runs_a_teams_intakes_and_serves_no_deployment(isolated_home, prefect_engine,
                                                                          example_workbooks, database_url):
    """On a team's server (the deployments are the work pool's, prefect.yaml), `serve --intake-only` keeps a
    warm process for this home's intakes without registering any deployment; SIGTERM stops it cleanly."""
    deployments = {d.id for d in _deployments()}
    runs = len(_tagged_intake_runs())
    env = {**os.environ, "PREFECT_API_URL": _api_url()}
    serve = subprocess.Popen([sys.executable, "-m", "fairsource.cli", "serve", "--intake-only"], cwd=isolated_home,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    where = socket_path(get_settings())
    try:
        for _ in range(600):
            if where.exists() or serve.poll() is not None:
                break
            time.sleep(0.1)
        name = EXAMPLES[2].name
        code, printed, loaded, stderr = _finish(_command(isolated_home, "intake", str(example_workbooks[name]),
                                                         "--json", env=env))
        assert code == 0, stderr
        assert printed[0]["vendor"] == name and "prefect" not in loaded
        assert len(_tagged_intake_runs()) == runs + 1
        assert {d.id for d in _deployments()} == deployments
    finally:
        serve.send_signal(signal.SIGTERM)
        stdout, stderr = serve.communicate(timeout=60)
    assert serve.returncode == 0, stderr
    assert stdout.splitlines()[-2:] == ["Serving intakes only. Ctrl-C stops.", "Stopped."], stdout
    assert "Traceback" not in stderr and not where.exists()
    store = Store(database_url)
    assert store.assessments.latest(store.vendors.find(name).id).id == printed[0]["assessment_id"]
