"""What keeps commands quick to start (issue 13, bench/cold_start.py): packages load their parts on first use,
YAML is read with LibYAML, and a command's own flow runs carry no heartbeat thread to wait for."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

import scoring
import supplier_models
from supplier_models.yamlfile import safe_load


@pytest.mark.parametrize("package", [supplier_models, scoring], ids=lambda p: p.__name__)
def test_every_name_a_package_exports_resolves(package):
    for name in package.__all__:
        assert getattr(package, name) is not None
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


def test_importing_a_name_loads_only_its_module():
    code = ("import sys\nfrom supplier_models import FairsourceError, get_settings\nfrom scoring.models import Decision\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                timeout=60).stdout.split())
    assert not loaded & {"sqlalchemy", "sqlmodel", "alembic", "openpyxl", "docx", "jinja2", "prefect"}


SHIPPED_YAML = sorted(p for package in ("scoring", "supplier_models", "sow_templates")
                      for p in Path(str(resources.files(package))).rglob("*.y*ml"))


def test_the_shipped_yaml_reads_the_same_with_libyaml():
    assert len(SHIPPED_YAML) >= 6  # questionnaire, rubric, geo model, review policy, clauses, survey, ...
    for path in SHIPPED_YAML:
        text = path.read_text("utf-8")
        assert safe_load(text) == yaml.safe_load(text), path


def test_broken_yaml_is_still_a_yaml_error():
    with pytest.raises(yaml.YAMLError):
        safe_load("a: [1, 2\nb: {")
    with pytest.raises(yaml.YAMLError):  # a safe loader: no Python objects
        safe_load("!!python/object/apply:os.system ['true']")


def test_a_commands_flow_runs_have_no_heartbeat_unless_configured(monkeypatch):
    """Prefect's heartbeat thread sleeps in 1 s steps that the end of a flow run waits out; a command's run
    needs none (it lasts seconds and its person sees it end). A frequency set in the environment is kept."""
    from prefect.settings import get_current_settings

    from flows.runtime import one_off_flow_runs

    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    monkeypatch.delenv("PREFECT_RUNNER_HEARTBEAT_FREQUENCY", raising=False)
    before = get_current_settings()
    with one_off_flow_runs():
        inside = get_current_settings()
        assert inside.flows.heartbeat_frequency is None
        assert inside.api.url == before.api.url and inside.logging.level == before.logging.level
    assert get_current_settings().flows.heartbeat_frequency == 180

    from prefect.settings import temporary_settings

    with temporary_settings(updates={"flows.heartbeat_frequency": 60}), one_off_flow_runs():
        assert get_current_settings().flows.heartbeat_frequency == 60  # the profile's choice
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "180")
    with one_off_flow_runs():
        assert get_current_settings().flows.heartbeat_frequency == 180  # the environment's choice


def test_the_intake_command_runs_its_flow_without_a_heartbeat(monkeypatch, tmp_path):
    from prefect.settings import get_current_settings
    from typer.testing import CliRunner

    from fairsource.cli import app, intakes  # intakes: the module of the intake command, which has its own `_flow`

    seen = []

    class Flow:
        @staticmethod
        def intake_in_batches(paths, as_of=None):
            seen.append(get_current_settings().flows.heartbeat_frequency)
            yield [], [], []

    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    monkeypatch.setattr(intakes, "flow_module", lambda name: Flow)
    monkeypatch.setenv("FAIRSOURCE_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["intake", str(tmp_path / "a.xlsx")])
    assert result.exit_code == 0, result.output
    assert seen == [None]
