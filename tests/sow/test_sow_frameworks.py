"""The SOW cites the versions of the frameworks the qualification was checked against, in section 2 beside the
rubric and country data versions, as informative (docs/sow.md, docs/frameworks.md); read back with python-docx."""

from __future__ import annotations

from docx import Document

from scoring.framework_model import shipped_frameworks
from sow_templates import build_context, render_sow
from tests.helpers.sow_stories import STORIES, story


def test_section_2_names_each_framework_and_its_version_as_informative(tmp_path):
    sub, decision = story(next(iter(STORIES)))
    sow = render_sow(build_context(sub, decision, organisation="Northwind AI Ltd"), out=tmp_path / "sow.docx")
    doc = Document(str(sow.path))
    basis = next(t for t in doc.tables if any(r.cells[0].text == "Rubric; country data" for r in t.rows))
    rows = {r.cells[0].text: r.cells[1].text for r in basis.rows}
    assert rows["Rubric; country data"] == f"{decision.rubric_version}; {decision.country_data_version}"
    cited = rows["Frameworks"]
    assert cited.startswith("Checked against Fairwork Cloudwork Principles (fairwork-cloudwork-2024 v")
    for framework in shipped_frameworks():
        assert f"{framework.title} ({framework.id} v{framework.version})" in cited
    assert cited.endswith("informative, and not a condition of this SOW unless the Client's qualification policy "
                          "requires an item.")
