"""The default SOW for each example vendor's story: figures, clauses, appendix (read back with python-docx)."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import pytest
from docx import Document

from sow_templates import (
    SowNotAllowed,
    build_context,
    load_clause_library,
    load_template,
    read_docx_text,
    render_sow,
)
from sow_templates.verify import _body_text, normalise, read_body_text
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.sow_stories import AS_OF, STORIES, example_submission, make_decision, story

GENDER_PROMPT = "How do you describe your gender identity?"
REASON = "The gender-identity question is left out for contributors in"
MANDATORY_ALWAYS = {c.id for c in load_clause_library().clauses
                    if c.mandatory and c.applies_when.always}


def render(tmp_path, sub, decision, **kw):
    context = build_context(sub, decision, organisation="Northwind AI Ltd", **kw)
    out = tmp_path / "sow.docx"
    sow = render_sow(context, out=out)
    blocks = read_docx_text(out)
    return context, sow, blocks, normalise(" ".join(blocks))


def survey_versions(blocks: list[str]) -> dict[str, list[str]]:
    """Appendix text per survey version heading."""
    start = blocks.index("Appendix A: Self-identification survey")
    versions: dict[str, list[str]] = {}
    current = None
    for block in blocks[start:]:
        if block.startswith("Version "):
            current = block
            versions[current] = []
        elif current:
            versions[current].append(block)
    return versions


@pytest.mark.parametrize("name", list(STORIES))
def test_story_sow_has_the_right_clauses_figures_and_appendix(tmp_path, name):
    sub, decision = story(name)
    context, sow, blocks, text = render(tmp_path, sub, decision)
    ids = {c.id for c in sow.clauses}

    # every mandatory clause that always applies is there, with its title and full text
    assert ids >= MANDATORY_ALWAYS
    for clause in context.clauses:
        assert normalise(clause.title) in text
        assert normalise(" ".join(clause.paragraphs)) in text

    # the pay floor of every country, and its source, in the countries table and in the pay clause
    doc = Document(str(sow.path))
    countries_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Country")
    rows = {r.cells[0].text: r for r in countries_table.rows[1:]}
    for c in context.countries:
        row = rows[f"{c.name} ({c.iso2})"]
        assert row.cells[4].text == c.floor
        assert c.floor_source in row.cells[5].text
        assert f"{c.name} ({c.iso2}): " in text
    for row in sub.countries:
        pay = next(x.pay for x in decision.geo.countries if x.iso2 == row.iso2)
        if pay is None:
            assert f"{row.name} ({row.iso2}): no figure on record" in text
        else:
            assert f"{pay.currency} {pay.floor_hourly:,.2f}" in text

    # clauses that must not be there
    collects = "Data collection from contributors" in sub.answers["COMP-03"]
    assert ("informed-consent" in ids) == collects
    assert ("vulnerable-groups" in ids) == (sub.answers["VULN-01"] == "Yes")
    assert ("remediation-schedule" in ids) == (decision.decision == "conditional")
    if decision.decision == "qualified":
        assert "Remediation schedule" not in text
        assert "Safeguards for vulnerable groups" not in text or sub.answers["VULN-01"] == "Yes"
    else:
        for r in decision.remediations:
            due = r.due_date or AS_OF + dt.timedelta(days=r.due_in_days)
            assert r.action in text
            assert f"{due.day} {due:%B %Y}" in text
    if not collects:
        assert "Informed consent of contributors" not in text

    # the appendix: gender question left out (with the reason) exactly where a country is flagged
    versions = survey_versions(blocks)
    flagged = {c.name for c in context.countries if "gender_question_unsafe" in c.flags}
    for heading, body in versions.items():
        body_text = " ".join(body)
        names_in_heading = {c.name for c in context.countries if c.name in heading}
        assert names_in_heading
        if names_in_heading & flagged:
            assert names_in_heading <= flagged
            assert not any(GENDER_PROMPT in b for b in body)
            assert REASON in body_text
        else:
            assert any(GENDER_PROMPT in b for b in body)
            assert REASON not in body_text
        assert body.count("☐  Prefer not to answer") == len([b for b in body if b[:2].rstrip(".").isdigit()])

    # the record
    assert sow.sha256 == hashlib.sha256(sow.path.read_bytes()).hexdigest()
    assert sow.template_sha256 == load_template().sha256
    assert sow.decision == decision


def test_mixed_countries_get_two_survey_versions(tmp_path):
    sub = example_submission("Savanna Voices Collection Ltd")
    decision = make_decision(sub, "qualified", flags={"KE": ["gender_question_unsafe"]})
    _, sow, blocks, text = render(tmp_path, sub, decision)
    versions = survey_versions(blocks)
    assert list(versions) == ["Version A: contributors in Ghana", "Version B: contributors in Kenya"]
    assert any(GENDER_PROMPT in b for b in versions["Version A: contributors in Ghana"])
    kenya = versions["Version B: contributors in Kenya"]
    assert not any(GENDER_PROMPT in b for b in kenya)
    assert any(b.startswith(f"{REASON} Kenya, because") for b in kenya)
    assert "gender-question-safety" in {c.id for c in sow.clauses}
    assert "Kenya (KE)" in text


def test_no_flag_no_gender_safety_clause(tmp_path):
    sub = example_submission("Savanna Voices Collection Ltd")
    _, sow, blocks, text = render(tmp_path, sub, make_decision(sub, "qualified", flags={}))
    assert "gender-question-safety" not in {c.id for c in sow.clauses}
    assert REASON not in text
    assert list(survey_versions(blocks)) == ["Version A: contributors in Kenya and Ghana"]


def test_high_risk_country_gets_its_mitigation_clause(tmp_path):
    sub, decision = story("Frontier Language Services LLC")
    _, sow, _, text = render(tmp_path, sub, decision)
    assert "high-risk-geography" in {c.id for c in sow.clauses}
    assert "rates Ukraine (UA) as high risk" in text


def test_not_qualified_vendor_gets_no_sow(tmp_path):
    sub = example_submission("QuickTask Crowd Ltd")
    with pytest.raises(SowNotAllowed, match="not_qualified"):
        build_context(sub, make_decision(sub, "not_qualified"))


def test_rendering_is_deterministic_and_renders_do_not_leak(tmp_path):
    sub_a, dec_a = story("Lumen Data Services GmbH")
    sub_b, dec_b = story("Brightlabel Solutions Inc.")
    ctx_a, ctx_b = build_context(sub_a, dec_a), build_context(sub_b, dec_b)
    first = render_sow(ctx_a, out=tmp_path / "a1.docx")
    render_sow(ctx_b, out=tmp_path / "b.docx")
    again = render_sow(ctx_a, out=tmp_path / "a2.docx")
    assert first.sha256 == again.sha256
    assert "Brightlabel" not in " ".join(read_docx_text(again.path))
    assert load_template() is load_template()  # compiled once, reused


def test_the_fast_reader_agrees_with_python_docx(tmp_path):
    for name in STORIES:
        sub, decision = story(name)
        out = tmp_path / f"{name}.docx"
        render_sow(build_context(sub, decision), out=out)
        assert read_body_text(out) == read_docx_text(out)
        # the one-pass text the verifier compares against says the same, once white space is folded
        assert normalise(_body_text(out)) == normalise(" ".join(read_docx_text(out)))
        with zipfile.ZipFile(out) as zf:
            assert zf.testzip() is None


scoring = pytest.importorskip("scoring")


@pytest.mark.parametrize("vendor", EXAMPLES, ids=lambda v: v.slug)
def test_real_decisions_from_scoring(tmp_path, vendor):
    if not hasattr(scoring, "assess"):
        pytest.skip("scoring.assess has not landed")
    sub = example_submission(vendor.name)
    decision = scoring.assess(sub, as_of=AS_OF)
    assert decision.decision == vendor.expected_decision
    if decision.decision == "not_qualified":
        with pytest.raises(SowNotAllowed):
            build_context(sub, decision)
        return
    context, sow, blocks, text = render(tmp_path, sub, decision)
    ids = {c.id for c in sow.clauses}
    for c in decision.geo.countries:
        assert f"{c.pay.currency} {c.pay.floor_hourly:,.2f}" in text
    assert ("informed-consent" in ids) == ("Data collection from contributors" in sub.answers["COMP-03"])
    assert ("vulnerable-groups" in ids) == (sub.answers["VULN-01"] == "Yes")
    assert ("remediation-schedule" in ids) == (decision.decision == "conditional")
    versions = survey_versions(blocks)
    unsafe = [c for c in decision.geo.countries if "gender_question_unsafe" in c.flags]
    for heading, body in versions.items():
        has_unsafe = any(c.name in heading for c in unsafe)
        assert any(GENDER_PROMPT in b for b in body) != has_unsafe
        assert (REASON in " ".join(body)) == has_unsafe


def test_parties_table_names_the_country_of_registration(tmp_path):
    savanna = next(v for v in EXAMPLES if v.name.startswith("Savanna"))
    sub, decision = story(savanna.name)
    assert sub.answers["COMP-02"] == "KE"
    context, _, blocks, _ = render(tmp_path, sub, decision)
    assert context.supplier.registered_in == "Kenya"
    assert "Kenya" in blocks


def test_text_box_content_is_not_body_text(tmp_path):
    """With a text box in the body the verifier takes the careful reader, which leaves box text out."""
    from docx.oxml import parse_xml

    doc = Document()
    paragraph = doc.add_paragraph("Visible clause text")
    paragraph._p.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:txbxContent>'
        "<w:p><w:r><w:t>Hidden box text</w:t></w:r></w:p></w:txbxContent></w:r>"))
    path = tmp_path / "box.docx"
    doc.save(str(path))
    text = _body_text(path)
    assert "Visible clause text" in text and "Hidden box text" not in text
    assert text == " ".join(read_body_text(path))
