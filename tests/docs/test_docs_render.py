"""docs/render.py: the pictures of what users see come from the real documents, converted by LibreOffice."""

from __future__ import annotations

import importlib.util
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sow_templates.context import DRAFT_NOTICE

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("docs_render", ROOT / "docs" / "render.py")
render = importlib.util.module_from_spec(_spec)
sys.modules["docs_render"] = render  # pydantic resolves the models' annotations through it
_spec.loader.exec_module(render)

MISSING = [name for name, path in render.tools().items() if path is None]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} (LibreOffice, poppler)")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run([render.tools()["pdfinfo"], str(pdf)], capture_output=True, text=True, check=True).stdout
    line = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, _, height = line.split(":", 1)[1].split()[:3]
    return float(width), float(height)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    work = tmp_path_factory.mktemp("docs-render")
    return {p.name: p for p in render.render(work / "images", work)}


def test_every_picture_is_a_png_of_the_first_page_of_a_real_pdf(pictures):
    assert list(pictures) == ["form", "sow-qualified", "sow-conditional", "report"]
    for name, p in pictures.items():
        assert p.pdf.read_bytes().startswith(b"%PDF") and p.pages >= 1, name
        width, height = _png_size(p.png)
        assert 400 <= max(width, height) <= 2000 and min(width, height) >= 200, (name, width, height)
        assert p.png.stat().st_size < 300_000, name
        assert p.png.name == f"{name}.png"


def _docx_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:  # the body, headers and properties: wherever a draft notice could be
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))


def test_the_documents_are_the_ones_the_readme_describes(pictures):
    assert "Lumen Data Services GmbH" in _docx_xml(pictures["sow-qualified"].source)
    conditional = _docx_xml(pictures["sow-conditional"].source)
    assert "Brightlabel Solutions Inc." in conditional and "Qualified with conditions" in conditional
    # The approval recorded by the script makes the conditional SOW the final one, not the draft.
    assert DRAFT_NOTICE not in conditional


def test_the_portfolio_prints_landscape_one_page_wide_a_page_a_sheet(pictures):
    """It printed as 8 portrait pages of 3-4 columns, then as 2 landscape pages at 3.6 points: at 8 points
    the six vendors take two pages (Brightlabel's eleven remediations fill most of one), the Remediations
    sheet a third and the Principles sheet a fourth; a sheet per framework (docs/frameworks.md) a page each."""
    report = pictures["report"]
    width, height = _page_size(report.pdf)
    assert width > height
    assert report.pages == 6
