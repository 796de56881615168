"""The command line as a user runs it: commands, exit codes, `--json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from fairsource.cli import app
from supplier_models import Store, read_workbook
from supplier_models.workbooks.examples import EXAMPLES
from supplier_models.workbooks.form import fill_form
from tests.helpers.commands import NO_PREFECT

runner = CliRunner()


def test_form_writes_a_blank_questionnaire_for_the_vendor(tmp_path):
    out = tmp_path / "acme.xlsx"
    result = runner.invoke(app, ["form", "--vendor", "Acme Annotation Ltd", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "RDE-2 v1.0.0" in result.output and "56 questions" in result.output  # the questionnaire issued now
    meta = {r[0].value: r[1].value for r in load_workbook(out)["_meta"].iter_rows()}
    assert meta["vendor"] == "Acme Annotation Ltd"


def test_form_refuses_a_name_that_is_not_xlsx(tmp_path):
    result = runner.invoke(app, ["form", "--vendor", "Acme", "--out", str(tmp_path / "acme.xlsm")])
    assert result.exit_code == 2
    assert "name it .xlsx" in result.output


@pytest.mark.parametrize("name", ["", "   "])
def test_form_refuses_an_empty_vendor_name(tmp_path, name):
    result = runner.invoke(app, ["form", "--vendor", name, "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "cannot be empty" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_form_does_not_overwrite_a_file_without_force(tmp_path):
    out = tmp_path / "acme.xlsx"
    out.write_bytes(b"a filled-in form")
    result = runner.invoke(app, ["form", "--vendor", "Acme", "--out", str(out)])
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_bytes() == b"a filled-in form"
    assert runner.invoke(app, ["form", "--vendor", "Acme", "--out", str(out), "--force"]).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_version_help_and_date_usage_errors():
    assert runner.invoke(app, ["--version"]).stdout.startswith("fairsource ")
    assert "Usage" in runner.invoke(app, ["-h"]).stdout
    result = runner.invoke(app, ["requalify", "--as-of", "31/12/2027"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_check_lists_every_problem_with_its_cell_and_exits_2(tmp_path):
    out = tmp_path / "acme.xlsx"
    runner.invoke(app, ["form", "--vendor", "Acme", "--out", str(out)])
    answers = {**EXAMPLES[0].answers, **EXAMPLES[0].rde2, "PAY-03": "Guesswork", "WORK-04": "forty"}
    fill_form(out, {k: v for k, v in answers.items() if v is not None}, EXAMPLES[0].countries)
    result = runner.invoke(app, ["check", str(out), "--json"])
    assert result.exit_code == 2
    first_line = result.stdout.splitlines()[0]
    errors = json.loads(first_line)["errors"]
    assert [(e["cell"], e["question"]) for e in errors] == [
        ("Questionnaire!E8", "PAY-03"),
        ("Questionnaire!E21", "WORK-04"),  # RDE-2: PAY-08 and PAY-09 come before it
    ]
    assert "Questionnaire!E8 [PAY-03]: \"Guesswork\" is not one of the choices" in result.stderr


def test_check_accepts_a_good_workbook(example_workbooks):
    result = runner.invoke(app, ["check", str(example_workbooks[EXAMPLES[0].name])])
    assert result.exit_code == 0
    assert "OK, Lumen Data Services GmbH" in result.output


def test_demo_runs_end_to_end_on_the_embedded_store(isolated_home, database_url, prefect_engine):
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for vendor in EXAMPLES:
        assert vendor.name.split()[0] in result.output
    for decision in ("qualified", "conditional", "not_qualified"):
        assert decision in result.output
    home = isolated_home / ".fairsource"
    workbooks = sorted((home / "demo").glob("*.xlsx"))
    assert {read_workbook(p).vendor_name for p in workbooks} == {v.name for v in EXAMPLES}
    qualifying = [v for v in EXAMPLES if v.expected_decision != "not_qualified"]
    assert len(list((home / "sows").glob("*.docx"))) == len(qualifying)
    assert (home / "reports" / "portfolio.xlsx").exists()
    counts = Store(database_url).counts()
    assert counts["vendor"] == counts["submission"] == counts["assessment"] == len(EXAMPLES)
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0 and "received before: nothing new was stored" in again.output
    assert Store(database_url).counts()["assessment"] == len(EXAMPLES)


def test_the_console_script_is_installed():
    exe = Path(sys.executable).parent / "fairsource"
    assert exe.exists(), "pip install -e . installs the fairsource command beside python"
    result = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("form", "check", "intake", "sow", "requalify", "report", "serve", "demo", "policy"):
        assert command in result.stdout


def _blocks(output: str) -> dict[str, list[str]]:
    """The intake output, by vendor: each decision's header line and the indented lines under it."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line and not line.startswith(" "):
            current = blocks.setdefault(line.split(":", 1)[0], [])
        current.append(line)
    return blocks


def test_intake_names_each_file_prints_a_knockout_once_and_a_refusals_review_date(
        isolated_home, example_workbooks, prefect_engine):
    """A batch names the file each decision came from; a knockout's reason is printed once (it was printed
    as a reason and again as a knockout); a refusal has a date to review it on, not a validity."""
    names = ["QuickTask Crowd Ltd", "Lumen Data Services GmbH", "Cheapmark Data Pvt Ltd"]
    paths = [example_workbooks[n] for n in names]
    result = runner.invoke(app, ["intake", *map(str, paths), "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    blocks = _blocks(result.stdout)
    assert list(blocks) == names
    for name, path in zip(names, paths, strict=True):
        assert blocks[name][1] == f"  file: {path}"
    quicktask = "\n".join(blocks["QuickTask Crowd Ltd"])
    knockout = next(v for v in EXAMPLES if v.name == "QuickTask Crowd Ltd")
    assert knockout.expected_decision == "not_qualified"
    assert quicktask.count("recruitment_fee") == 1 and "knockout recruitment_fee (PAY-05): " in quicktask
    reason = quicktask.split("knockout recruitment_fee (PAY-05): ", 1)[1].splitlines()[0]
    assert quicktask.count(reason) == 1
    for refused in ("QuickTask Crowd Ltd", "Cheapmark Data Pvt Ltd"):
        header = blocks[refused][0]
        assert "not_qualified" in header and "review on 2027-" in header and "valid until" not in header
    assert "qualified" in blocks["Lumen Data Services GmbH"][0]
    assert "valid until 2027-" in blocks["Lumen Data Services GmbH"][0]


# What each command must not load either, to start in about a second (issue 13): the store (SQLAlchemy,
# Alembic) where no record is read or written, the SOW renderer (docx, Jinja), the scoring engine. Alembic
# loads only to upgrade an older store.
NOT_LOADED = {
    "form": {"sqlalchemy", "alembic", "docx", "jinja2"},
    "check": {"sqlalchemy", "alembic", "docx", "jinja2"},
    "policy": {"sqlalchemy", "alembic", "docx", "jinja2"},
    "report": {"alembic", "docx", "jinja2"},
    "status": {"alembic", "docx", "jinja2", "openpyxl"},
}


@pytest.mark.parametrize("args", [["form", "--vendor", "Acme", "--out", "acme.xlsx"], ["check", "acme.xlsx"],
                                  ["policy", "--out", "policy.xlsx"], ["report", "--out", "portfolio.xlsx"],
                                  ["status"]])
def test_commands_that_need_no_orchestration_never_load_prefect(tmp_path, args):
    """form, check, policy, report and status answer in about a second: they never import Prefect, nor what
    they do not use."""
    env = {**os.environ, "FAIRSOURCE_HOME": str(tmp_path / ".fairsource")}
    env.pop("FAIRSOURCE_DATABASE_URL", None)
    # A store at the newest schema first (as a user's is, after the first command that wrote to it).
    subprocess.run([sys.executable, "-c", NO_PREFECT, "form", "--vendor", "Acme", "--out", "acme.xlsx",
                    "--contact", "ops@acme.example"], cwd=tmp_path, env=env, check=True, capture_output=True)
    if args[0] == "form":
        (tmp_path / "acme.xlsx").unlink()
    result = subprocess.run([sys.executable, "-c", NO_PREFECT, *args], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert "PREFECT-MODULES 0" in result.stdout, result.stdout + result.stderr
    loaded = set(result.stdout.split("LOADED", 1)[1].split())
    assert not loaded & NOT_LOADED[args[0]], f"{args[0]} loaded {sorted(loaded & NOT_LOADED[args[0]])}"


def test_the_console_script_exits_with_the_commands_status_and_all_its_output(tmp_path):
    """The installed script skips the interpreter's teardown once a command is done (fairsource.cli.main): its exit
    status, every line it printed (to a pipe: block-buffered) and what it stored are all there."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="fairsource")
    assert script.value == "fairsource.cli:main"  # not `app`: main() ends the process
    exe = Path(sys.executable).parent / "fairsource"
    env = {**os.environ, "FAIRSOURCE_HOME": str(tmp_path / ".fairsource")}
    env.pop("FAIRSOURCE_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert run("--version").returncode == 0
    made = run("form", "--vendor", "Acme Data Ltd", "--out", "acme.xlsx", "--contact", "ops@acme.example")
    assert made.returncode == 0 and made.stdout.rstrip().endswith("reminders go to ops@acme.example."), made
    assert Store(f"sqlite:///{tmp_path / '.fairsource' / 'fairsource.db'}").vendors.find("Acme Data Ltd").contact_email \
        == "ops@acme.example"
    blank = run("check", "acme.xlsx", "--json")  # a blank form: rejected, exit 2, one JSON object
    assert blank.returncode == 2
    assert json.loads(blank.stdout)["errors"] and blank.stderr.count("\n") > 40
    assert run("status", "No Such Vendor").returncode == 2
    assert run("no-such-command").returncode == 2


def test_the_report_prints_on_the_paper_asked_for_and_refuses_another(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRSOURCE_HOME", str(tmp_path / ".fairsource"))
    runner = CliRunner()
    out = tmp_path / "portfolio.xlsx"
    result = runner.invoke(app, ["report", "--out", str(out), "--paper", "A4"])
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["Portfolio"].page_setup.paperSize == 9  # Excel's code for A4
    refused = runner.invoke(app, ["report", "--out", str(out), "--paper", "A3"])
    assert refused.exit_code == 2 and "--paper A3: a4 or letter" in refused.output
