"""Vendor-supplied text is data, never template code: it comes out literally and the docx stays valid."""

from __future__ import annotations

import pytest
from docx import Document
from jinja2.sandbox import SandboxedEnvironment

from sow_templates import build_context, read_docx_text, render_sow
from tests.helpers.sow_stories import example_submission, make_decision

HOSTILE = {
    "jinja-expression": "Acme {{ 7*7 }} Ltd",
    "jinja-statement": "Acme {% for x in y %}loop{% endfor %} Ltd",
    "jinja-comment": "Acme {# hidden #} Ltd",
    "docxtpl-literal-braces": "Acme {_{ 7*7 }_} {_% x %_} Ltd",
    "docxtpl-tags": "Acme {%p if x %} {%tr for r in rows %} {{r x }} Ltd",
    "xml-markup": "Acme <w:t>injected</w:t></w:r></w:p><w:p> Ltd",
    "entities": "Acme &amp; Sons & <Partners> Ltd",
    "quotes": "Acme \"Quoted\" 'Single' “curly” ‘curly’ Ltd",
    "emoji": "Acme 🚀 Data 👩🏽‍💻 Ltd",
    "arabic-rtl": "شركة البيانات المسؤولة المحدودة",
    "hebrew-rtl": "חברת נתונים אחראית בע״מ",
    "long": "A" * 4999 + "{{ 7*7 }}" + "B" * 4992,
}


def _render(tmp_path, text: str, *, evidence: str | None = None):
    sub = example_submission("Savanna Voices Collection Ltd")
    sub = sub.model_copy(update={
        "vendor_name": text,
        "answers": {**sub.answers, "COMP-01": text},
        "evidence": {**sub.evidence, "PAY-02": evidence if evidence is not None else text},
    })
    decision = make_decision(sub, "conditional")
    context = build_context(sub, decision, organisation=text)
    out = tmp_path / "hostile.docx"
    render_sow(context, out=out)
    doc = Document(str(out))  # re-opens: the package and its XML are valid
    return out, doc, read_docx_text(out)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_comes_out_literally(tmp_path, case):
    text = HOSTILE[case]
    out, doc, blocks = _render(tmp_path, text)
    assert any(b == text for b in blocks)  # the supplier's legal name in the parties table, verbatim
    assert f"{text} (the \"Supplier\")" in " ".join(blocks)
    assert any(b == text for b in blocks if b)  # the evidence cell
    assert "Acme 49 Ltd" not in " ".join(blocks)
    assert "A49B" not in " ".join(blocks)
    assert text in doc.sections[0].header.paragraphs[0].text  # headers are rendered as data too


def test_evidence_with_newlines_and_control_characters(tmp_path):
    evidence = "Line one {{ 7*7 }}\nLine two\ttabbed\x01\x0b end"
    _, doc, blocks = _render(tmp_path, "Plain Vendor Ltd", evidence=evidence)
    cell = next(b for b in blocks if b.startswith("Line one"))
    assert cell == "Line one {{ 7*7 }}\nLine two\ttabbed end"


def test_jinja_does_not_reparse_values():
    env = SandboxedEnvironment(autoescape=True)
    assert env.from_string("{{ v }}").render(v="{{ 7*7 }}") == "{{ 7*7 }}"
    assert env.from_string("{{ v }}").render(v="{% if 1 %}x{% endif %}") == "{% if 1 %}x{% endif %}"
