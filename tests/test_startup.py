"""What keeps commands quick to start (issue 13, bench/cold_start.py): packages load their parts on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import scoring
import supplier_models


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
