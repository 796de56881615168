"""What keeps commands quick to start (issue 13, bench/cold_start.py): packages load their parts on first use,
and YAML is read with LibYAML."""

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
