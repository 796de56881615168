"""PDF conversion with LibreOffice. (Rendering speed is measured in bench/, never in the tests.)"""

from __future__ import annotations

import pytest

from sow_templates import LibreOfficeNotFound, build_context, render_sow, to_pdf
from sow_templates.pdf import libreoffice
from tests.helpers.sow_stories import STORIES, story


@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice (soffice) is not on PATH")
def test_every_example_sow_converts_to_pdf(tmp_path):
    for name in STORIES:
        sub, decision = story(name)
        sow = render_sow(build_context(sub, decision), out=tmp_path / f"{sub.vendor_name[:10]}.docx")
        pdf = to_pdf(sow.path, tmp_path / "pdf")
        assert pdf.read_bytes().startswith(b"%PDF")


def test_without_libreoffice_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LibreOfficeNotFound, match="LibreOffice is not installed"):
        to_pdf(tmp_path / "x.docx", tmp_path)
