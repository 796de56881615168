"""Bring-your-own templates: refused before rendering when unusable, refused after when a clause is lost."""

from __future__ import annotations

import pytest
from docx import Document

from sow_templates import (
    SowVerificationError,
    TemplateError,
    load_clause_library,
    read_docx_text,
    render_sow,
)
from tests.helpers.templates import context, make_template, minimal


def test_a_minimal_custom_template_renders_and_verifies(tmp_path):
    tpl = make_template(tmp_path / "own.docx", minimal())
    sow = render_sow(context(), tpl, tmp_path / "out" / "sow.docx")
    text = " ".join(read_docx_text(sow.path))
    assert "Northwind AI Ltd and Brightlabel Solutions Inc." in text
    assert "remediation-schedule" in {c.id for c in sow.clauses}


def test_a_template_without_the_clause_list_is_refused(tmp_path):
    tpl = make_template(tmp_path / "noclauses.docx", ["SOW {{ reference }}", "{{ supplier.name }}"])
    out = tmp_path / "sow.docx"
    with pytest.raises(TemplateError, match=r"(?s)no place for the clause list.*for clause in clauses"):
        render_sow(context(), tpl, out)
    assert not out.exists()


def test_a_template_with_unknown_variables_is_refused(tmp_path):
    tpl = make_template(tmp_path / "unknown.docx", minimal(["{{ vendor_bank_account }}", "{{ secret }}"]))
    with pytest.raises(TemplateError, match="secret, vendor_bank_account") as err:
        render_sow(context(), tpl, tmp_path / "sow.docx")
    assert "clauses" in str(err.value)  # the message lists what may be used


def test_a_misspelt_attribute_is_an_error_not_empty_text(tmp_path):
    tpl = make_template(tmp_path / "typo.docx", minimal(["{{ supplier.nmae }}"]))
    out = tmp_path / "sow.docx"
    with pytest.raises(TemplateError, match="nmae"):
        render_sow(context(), tpl, out)
    assert not out.exists()


def test_broken_template_syntax_is_refused(tmp_path):
    tpl = make_template(tmp_path / "broken.docx", minimal(["{% if supplier.name %}"]))
    with pytest.raises(TemplateError, match="broken.docx"):
        render_sow(context(), tpl, tmp_path / "sow.docx")


def test_not_a_docx_is_refused(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match="not a readable Word"):
        render_sow(context(), bad, tmp_path / "sow.docx")


def test_a_template_that_renders_only_titles_stores_nothing(tmp_path):
    paragraphs = [p for p in minimal() if p != "{{ clause.text }}"]
    tpl = make_template(tmp_path / "titles.docx", paragraphs)
    out = tmp_path / "out" / "sow.docx"
    ctx = context()
    with pytest.raises(SowVerificationError) as err:
        render_sow(ctx, tpl, out)
    mandatory = [c.id for c in ctx.clauses if c.mandatory]
    assert err.value.missing_clauses == mandatory
    assert "living-wage" in str(err.value) and "termination-for-breach" in str(err.value)
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temp file left behind


def test_a_template_that_filters_out_a_clause_is_caught(tmp_path):
    paragraphs = ["{%p for clause in clauses if clause.id != 'audit-rights' %}" if p.startswith("{%p for clause")
                  else p for p in minimal()]
    tpl = make_template(tmp_path / "filtered.docx", paragraphs)
    out = tmp_path / "sow.docx"
    with pytest.raises(SowVerificationError, match="audit-rights") as err:
        render_sow(context(), tpl, out)
    assert err.value.missing_clauses == ["audit-rights"]
    assert not out.exists()


def test_a_template_that_truncates_clause_text_is_caught(tmp_path):
    paragraphs = ["{{ clause.text[:200] }}" if p == "{{ clause.text }}" else p for p in minimal()]
    tpl = make_template(tmp_path / "short.docx", paragraphs)
    with pytest.raises(SowVerificationError):
        render_sow(context(), tpl, tmp_path / "sow.docx")


def test_dropping_the_remediation_table_is_caught(tmp_path):
    paragraphs = minimal()
    paragraphs = paragraphs[: paragraphs.index("{%p for r in remediations %}")]
    tpl = make_template(tmp_path / "noremed.docx", paragraphs)
    with pytest.raises(SowVerificationError) as err:
        render_sow(context(), tpl, tmp_path / "sow.docx")
    assert err.value.missing_clauses == ["remediation-schedule"]


def test_an_optional_clause_may_be_left_out(tmp_path):
    optional = [c.id for c in load_clause_library().clauses if not c.mandatory]
    assert "supplier-representations" in optional
    cond = " and ".join(f"clause.id != '{i}'" for i in optional)
    paragraphs = [f"{{%p for clause in clauses if {cond} %}}" if p.startswith("{%p for clause") else p
                  for p in minimal()]
    sow = render_sow(context(), make_template(tmp_path / "lean.docx", paragraphs), tmp_path / "sow.docx")
    assert sow.path.exists()


def test_a_template_that_renders_invalid_xml_is_refused_and_nothing_is_written(tmp_path):
    """An {% if %} opened in a paragraph and closed inside a table cell drops Word's closing tags."""
    doc = Document()
    for text in minimal():
        doc.add_paragraph(text)
    doc.add_paragraph("Before {% if supplier.name == 'nobody' %}")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "{% endif %} after"
    template = tmp_path / "split.docx"
    doc.save(str(template))
    out = tmp_path / "out" / "sow.docx"
    with pytest.raises(TemplateError, match="renders to invalid XML.*put \\{%p"):
        render_sow(context(), template, out)
    assert not out.exists() and list(out.parent.iterdir()) == []
