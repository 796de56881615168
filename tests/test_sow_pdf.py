"""PDF conversion with LibreOffice, and the speed of repeated renders."""

from __future__ import annotations

import io
import time

import pytest
from docxtpl import DocxTemplate
from test_sow_fixtures import STORIES, story

from sow_templates import DEFAULT_TEMPLATE, LibreOfficeNotFound, build_context, load_template, render_sow, to_pdf
from sow_templates.pdf import libreoffice


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


def test_repeated_renders_are_much_faster_than_naive_docxtpl(tmp_path):
    sub, decision = story("Savanna Voices Collection Ltd")
    context = build_context(sub, decision)
    values = context.model_dump(mode="json")
    load_template()  # compile once, as a long-running process does
    n = 10
    start = time.perf_counter()
    for _ in range(n):
        tpl = DocxTemplate(DEFAULT_TEMPLATE)
        tpl.render(values, autoescape=True)
        tpl.save(io.BytesIO())
    naive = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(n):
        render_sow(context, out=tmp_path / f"{i}.docx")  # includes read-back verification
    ours = time.perf_counter() - start
    assert ours * 3 < naive, f"naive {naive:.3f}s, ours {ours:.3f}s"
