"""What the lawyer who signs a SOW checks: clauses agree with Schedule 1, every cross-reference resolves,
one reference per document, provenance in an appendix, drafts say so, files follow the umask."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat

import pytest
from docx import Document
from docx.shared import Cm

from scoring.lifecycle import RegisterRef
from scoring.models import Remediation
from sow_templates import DEFAULT_TEMPLATE, SowVerificationError, build_context, read_docx_text, render_sow
from sow_templates.build_template import build
from sow_templates.verify import normalise
from supplier_models.errors import SowError
from supplier_models.workbooks.examples import EXAMPLES
from tests.helpers.sow_stories import AS_OF, example_submission, make_decision, story
from tests.helpers.templates import make_template, minimal

scoring = pytest.importorskip("scoring")

CLAUSE_HEADING = re.compile(r"^5\.(\d+)\s+\S")
SUBJECT_TO = re.compile(r"subject to Schedule 1, items? ((?:R?\d+)(?:(?:, | and )R?\d+)*)")


def _numbers(listing: str) -> list[str]:
    """The item ids a 'subject to Schedule 1, items R3, R5 and R7' lists (or 1, 2 and 3 without a register)."""
    return re.findall(r"R?\d+", listing)


def _lumen_with_remediations():
    """A qualified vendor with open (normal-priority) remediations: one on an answer, one on a country."""
    sub = example_submission("Lumen Data Services GmbH")
    decision = scoring.assess(sub, as_of=AS_OF)
    assert decision.decision == "qualified"
    return sub, decision.model_copy(update={"remediations": [
        Remediation(action="Obtain ISO/IEC 27001 or SOC 2 Type II, or give the client an independent security "
                           "audit report.", due_in_days=180, question="DATA-01", rule="DATA-01:otherwise"),
        Remediation(action="Raise pay to at least the living wage in Portugal.", due_in_days=90,
                    rule="below_living_wage", country="PT", due_date=AS_OF + dt.timedelta(days=90)),
    ]})


def _cases():
    cases = {}
    for vendor in EXAMPLES:
        sub = example_submission(vendor.name)
        decision = scoring.assess(sub, as_of=AS_OF)
        if decision.decision != "not_qualified":
            cases[vendor.slug] = (sub, decision)
    cases["lumen-qualified-with-remediations"] = _lumen_with_remediations()
    cases["brightlabel-fixture"] = story("Brightlabel Solutions Inc.")
    return cases


def _register(decision) -> list[RegisterRef]:
    """Register ids as a vendor's register gives them after some history: not 1..n, one of them done."""
    return [RegisterRef(f"R{2 * n + 3}", AS_OF - dt.timedelta(days=5) if n == 1 else None)
            for n in range(len(decision.remediations))]


CASES = _cases()


def _render(tmp_path, sub, decision, name="sow.docx", **kw):
    kw.setdefault("organisation", "Northwind AI Ltd")
    context = build_context(sub, decision, **kw)
    sow = render_sow(context, out=tmp_path / name)
    return context, sow, [normalise(b) for b in read_docx_text(sow.path)]


def _schedule_rows(path) -> list[dict[str, str]]:
    doc = Document(str(path))
    table = next((t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["Item", "Action and evidence"]),
                 None)
    if table is None:
        return []
    header = [c.text for c in table.rows[0].cells]
    return [{h: normalise(c.text) for h, c in zip(header, row.cells, strict=True)} for row in table.rows[1:]]


def _clause_bodies(blocks: list[str]) -> dict[int, str]:
    """Clause number (the N of 5.N) -> its heading and text, as read in the document."""
    bodies: dict[int, list[str]] = {}
    current = None
    for block in blocks:
        heading = CLAUSE_HEADING.match(block)
        if heading:
            current = int(heading.group(1))
            bodies[current] = [block]
        elif re.match(r"^\d+\. \S", block) or block.startswith(("Signatures", "Schedule ", "Appendix ")):
            current = None
        elif current is not None:
            bodies[current].append(block)
    return {n: " ".join(b) for n, b in bodies.items()}


def unresolved_references(blocks: list[str], schedule_ids: list[str]) -> list[str]:
    """Every 'clause N.N', 'section N', 'Schedule N', 'Schedule 1, item N', 'Appendix X', 'Annex X' of the
    text that names nothing the document contains."""
    clauses = {f"5.{m.group(1)}" for b in blocks if (m := CLAUSE_HEADING.match(b))}
    sections = {m.group(1) for b in blocks if (m := re.match(r"^(\d+)\. \S", b))}
    schedules = {m.group(1) for b in blocks if (m := re.match(r"^Schedule (\d+): ", b))}
    appendices = {m.group(1) for b in blocks if (m := re.match(r"^(?:Appendix|Annex) ([A-Z]): ", b))}
    text = " ".join(blocks)
    bad = [f"clause {n}" for n in re.findall(r"\bclauses? (\d+(?:\.\d+)?)", text) if n not in clauses]
    bad += [f"section {n}" for n in re.findall(r"\bsections? (\d+)", text) if n not in sections]
    bad += [f"Schedule {n}" for n in re.findall(r"\bSchedule (\d+)", text) if n not in schedules]
    bad += [f"Appendix/Annex {x}" for x in re.findall(r"\b(?:Appendix|Annex) ([A-Z])\b", text) if x not in appendices]
    bad += [f"Schedule 1, item {n}" for listing in SUBJECT_TO.findall(text) for n in _numbers(listing)
            if n not in schedule_ids]
    return bad


@pytest.mark.parametrize("register", [False, True], ids=["numbered", "register-ids"])
@pytest.mark.parametrize("name", list(CASES))
def test_every_schedule_item_and_its_clause_name_each_other_and_every_reference_resolves(tmp_path, name, register):
    sub, decision = CASES[name]
    context, sow, blocks = _render(tmp_path, sub, decision, register=_register(decision) if register else None)
    rows = _schedule_rows(sow.path)
    assert len(rows) == len(decision.remediations)
    expected = [r.code for r in _register(decision)] if register else [str(n) for n in range(1, len(rows) + 1)]
    assert [row["Item"] for row in rows] == expected  # each row under its id, which the clauses cite
    bodies = _clause_bodies(blocks)
    amended: dict[int, set[str]] = {}
    for row in rows:
        item = row["Item"]
        match = re.fullmatch(r"clause 5\.(\d+)", row["Amends"])
        assert match, f"Schedule 1 item {item} names no clause: {row['Amends']!r}"
        number = int(match.group(1))
        assert number in bodies, f"item {item} amends clause 5.{number}, which the SOW does not contain"
        cited = [n for listing in SUBJECT_TO.findall(bodies[number]) for n in _numbers(listing)]
        assert item in cited, f"clause 5.{number} does not say it is subject to Schedule 1, item {item}"
        amended.setdefault(number, set()).add(item)
        assert row["Country"] and row["Country"] != "-"
    for number, body in bodies.items():  # and no clause claims an item that does not amend it
        cited = {n for listing in SUBJECT_TO.findall(body) for n in _numbers(listing)}
        assert cited == amended.get(number, set()), f"clause 5.{number}"
    if rows:  # the clause that governs Schedule 1 is there whenever Schedule 1 is
        assert "remediation-schedule" in {c.id for c in context.clauses}
    else:
        assert not any(b.startswith("Schedule 1: Remediation") for b in blocks)
    assert unresolved_references(blocks, [row["Item"] for row in rows]) == []


def test_schedule_1_names_each_item_by_its_register_id_with_the_evidence_it_needs_and_marks_what_is_done(tmp_path):
    sub = example_submission("Brightlabel Solutions Inc.")
    decision = scoring.assess(sub, as_of=AS_OF)
    register = _register(decision)
    context, sow, blocks = _render(tmp_path, sub, decision, register=register)
    rows = _schedule_rows(sow.path)
    for row, rem, ref in zip(rows, decision.remediations, register, strict=True):
        assert row["Item"] == ref.code
        # the action, then the evidence the rubric asks for, in the same cell
        assert row["Action and evidence"] == normalise(f"{rem.action} Evidence: {rem.evidence}")
        if ref.done_on:  # kept closed: the day its evidence was accepted, said to be done
            assert row["Due date"] == normalise(f"{ref.done_on.day} {ref.done_on:%B %Y} Done: evidence accepted")
        else:
            due = rem.due_date
            assert row["Due date"] == normalise(f"{due.day} {due:%B %Y}")
    done = [r for r in context.remediations if r.done_on]
    assert len(done) == 1 and done[0].due_date == done[0].done_on and done[0].id == register[1].code
    intro = next(b for b in blocks if b.startswith("The Supplier shall complete each action below"))
    assert "stays the same in every later SOW and notice" in intro and "marked Done" in intro
    with pytest.raises(SowError, match="each Schedule 1 item needs its id"):
        build_context(sub, decision, register=register[:-1])


def test_brightlabel_terms_that_the_schedule_changes_are_subject_to_it(tmp_path):
    sub = example_submission("Brightlabel Solutions Inc.")
    _, sow, blocks = _render(tmp_path, sub, scoring.assess(sub, as_of=AS_OF))
    rows = {r["Ref."].replace("\u2011", "-"): r for r in _schedule_rows(sow.path)}
    bodies = _clause_bodies(blocks)
    for question, term, title in (("PAY-06", "at the frequency it declared (monthly)", "Payment model"),
                                  ("COMM-02", "answered within 48 hours", "Communication and grievance")):
        row = rows[question]
        body = bodies[int(row["Amends"].removeprefix("clause 5."))]
        assert title in body and term in body
        assert row["Item"] in _numbers(SUBJECT_TO.search(body).group(1))
    # the rule that reconciles them: the item's terms take effect on its due date and prevail
    remediation = next(b for n, b in bodies.items() if b.startswith(f"5.{n} Remediation schedule "))
    assert "take effect on the item's due date" in remediation and "prevail over the clause" in remediation


def test_a_qualified_vendor_with_remediations_gets_the_clause_schedule_1_cites(tmp_path):
    sub, decision = _lumen_with_remediations()
    context, sow, blocks = _render(tmp_path, sub, decision)
    index = context.clause_numbers["remediation-schedule"]
    assert blocks[blocks.index(f"5.{index} Remediation schedule")]
    intro = next(b for b in blocks if b.startswith("The Supplier shall complete each action below"))
    assert f"(clause 5.{index}, Remediation schedule)" in intro
    assert "qualified on condition" not in " ".join(blocks)  # the clause text fits a qualified vendor too
    rows = _schedule_rows(sow.path)
    assert [r["Country"] for r in rows] == ["All", "Portugal"]
    assert rows[1]["Amends"] == f"clause 5.{context.clause_numbers['living-wage']}"


def test_a_qualified_vendor_without_remediations_has_no_schedule_1_and_no_clause_for_it(tmp_path):
    sub, decision = CASES["lumen-data-services-gmbh"]
    context, _, blocks = _render(tmp_path, sub, decision)
    assert "remediation-schedule" not in context.clause_numbers
    assert "Schedule 1" not in " ".join(b for b in blocks if not b.startswith("Schedule 1: Supplier evidence"))


def test_two_sows_for_the_same_vendor_on_the_same_day_have_different_references(tmp_path):
    sub = example_submission("Brightlabel Solutions Inc.")
    first = make_decision(sub, "conditional")
    second = make_decision(sub, "qualified")  # re-assessed the same day
    assert first.assessed_on == second.assessed_on
    a, _, blocks_a = _render(tmp_path, sub, first, "a.docx")
    b, _, _ = _render(tmp_path, sub, second, "b.docx")
    assert a.reference != b.reference
    assert a.reference.startswith(f"SOW-BRIGHTLABEL-SOLUTIONS-INC-{AS_OF:%Y%m%d}-")
    # two documents from the same assessment, each with its own id, differ too
    c = build_context(sub, first, document_id="1f0e2d3c-aaaa")
    d = build_context(sub, first, document_id="9a8b7c6d-bbbb")
    assert c.reference.endswith("-1F0E2D3C") and d.reference.endswith("-9A8B7C6D")
    # the same inputs give the same reference (rendering stays deterministic); a given one is used as is
    assert build_context(sub, first, organisation="Northwind AI Ltd").reference == a.reference
    assert build_context(sub, first, reference="NW-2026-0042").reference == "NW-2026-0042"
    assert f"Reference: {a.reference}" in blocks_a


def test_two_intakes_of_the_same_vendor_on_the_same_day_write_different_references(tmp_path):
    """What the flows do: each issued SOW gets its own id (flows.usecases.issue_sow)."""
    from flows import usecases

    sub, decision = story("Brightlabel Solutions Inc.")
    inputs = type("Inputs", (), {"organisation": "Northwind AI Ltd", "template": None})()
    one = usecases.issue_sow(sub, decision, inputs, tmp_path / "one.docx")
    two = usecases.issue_sow(sub, decision, inputs, tmp_path / "two.docx")
    assert one.reference != two.reference
    assert one.reference in " ".join(read_docx_text(one.path))


def test_the_countries_table_names_figure_source_and_date_and_the_appendix_the_provenance(tmp_path):
    sub = example_submission("Brightlabel Solutions Inc.")
    decision = scoring.assess(sub, as_of=AS_OF)
    context, sow, blocks = _render(tmp_path, sub, decision)
    doc = Document(str(sow.path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Country" and len(t.columns) == 6)
    appendix = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][-1] == "Source in full")
    full = {r.cells[0].text: r.cells[2].text for r in appendix.rows[1:]}
    for c, row in zip(context.countries, table.rows[1:], strict=True):
        cell = row.cells[5].text
        assert cell == c.floor_basis
        assert c.floor_source in cell and "as of 2024" in cell  # the source and its date
        assert "commit" not in cell and "via" not in cell and ".csv" not in cell and len(cell) < 110
        pay = next(x.pay for x in decision.geo.countries if x.iso2 == c.iso2)
        assert pay.statutory_source in full[f"{c.name} ({c.iso2})"]  # provenance kept, in Appendix B
        assert "commit" in full[f"{c.name} ({c.iso2})"]
    assert "Appendix B: Sources of the pay floors" in blocks


def test_a_template_that_leaves_out_the_pay_floor_sources_is_refused(tmp_path):
    paragraphs = [p.replace(" ({{ c.floor_source }})", "") for p in minimal()]
    template = make_template(tmp_path / "nosources.docx", paragraphs)
    sub = example_submission("Brightlabel Solutions Inc.")
    context = build_context(sub, scoring.assess(sub, as_of=AS_OF))
    with pytest.raises(SowVerificationError) as err:
        render_sow(context, template, tmp_path / "sow.docx")
    assert err.value.missing_clauses == ["living-wage"] and "source of the pay floor for PH" in str(err.value)


def test_schedule_1_columns_do_not_wrap_numbers_and_name_a_country(tmp_path):
    sub = example_submission("Frontier Language Services LLC")
    _, sow, _ = _render(tmp_path, sub, scoring.assess(sub, as_of=AS_OF))
    assert [r["Country"] for r in _schedule_rows(sow.path)] == ["Ukraine"]
    doc = Document(str(sow.path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Item")
    grid = table._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")
    widths = [int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) for g in grid]
    assert widths[0] >= Cm(1.3).twips  # "R10" and "Item" fit on one line
    assert abs(sum(widths) - Cm(16.4).twips) < 5  # and the table fits the text width
    for row in table.rows:
        for i in (0, 2, 3, 5):  # Item, Amends, Ref., Due date
            assert row.cells[i]._tc.tcPr.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}noWrap") is not None


def test_the_title_never_breaks_inside_human_data(tmp_path):
    context, _, blocks = _render(tmp_path, *story("Lumen Data Services GmbH"))
    assert "Human\u2011Data" in context.title and "Human-Data" not in context.title
    assert blocks[0] == context.title


def test_without_an_organisation_the_client_is_a_marked_blank_to_complete(tmp_path):
    sub, decision = story("Lumen Data Services GmbH")
    for organisation in (None, "", "The Client"):
        context, sow, blocks = _render(tmp_path, sub, decision, organisation=organisation)
        parties = Document(str(sow.path)).tables[0]
        client = [r.cells[1].text for r in parties.rows[1:]]
        assert client == ["[Client legal name]", "[Client trading name, if any]", "[Client country of registration]"]
        assert "To complete before signature: the Client's particulars in square brackets." in blocks
        assert 'made between [Client legal name] (the "Client")' in " ".join(blocks)
        assert "The Client (the" not in " ".join(blocks)
    context, sow, blocks = _render(tmp_path, sub, decision, organisation="Northwind AI Ltd")
    client = [r.cells[1].text for r in Document(str(sow.path)).tables[0].rows[1:]]
    assert client == ["Northwind AI Ltd", "Northwind AI Ltd", "As stated in the Agreement"]
    assert not any("[" in b for b in blocks[:12]) and not any(b.startswith("To complete") for b in blocks)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_the_sow_file_follows_the_umask(tmp_path, umask, mode):
    sub, decision = story("Lumen Data Services GmbH")
    old = os.umask(umask)
    try:
        sow = render_sow(build_context(sub, decision), out=tmp_path / "sow.docx")
    finally:
        os.umask(old)
    assert stat.S_IMODE(sow.path.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["sow.docx"]  # no temporary file left


def test_a_draft_says_so_in_its_header_and_on_its_first_page_and_verifies(tmp_path):
    sub, decision = story("Brightlabel Solutions Inc.")
    context, sow, blocks = _render(tmp_path, sub, decision, draft=True)
    assert sow.draft and context.draft_notice == "DRAFT - pending review"
    assert blocks[0] == "DRAFT - pending review"  # first thing on the first page, before the title
    assert blocks[2] == context.title
    doc = Document(str(sow.path))
    header = [p.text for p in doc.sections[0].header.paragraphs]
    assert header[0] == "DRAFT - pending review" and context.reference in header[1]
    assert doc.core_properties.title.startswith("DRAFT - pending review")
    # the final SOW of the same assessment says nothing of the kind
    final, sow, blocks = _render(tmp_path, sub, decision, name="final.docx")
    doc = Document(str(sow.path))
    everything = blocks + [p.text for p in doc.sections[0].header.paragraphs] + [doc.core_properties.title]
    assert not any("DRAFT" in t or "pending review" in t for t in everything)
    assert not sow.draft and final.reference != context.reference


def test_a_draft_through_a_template_that_does_not_show_it_is_refused(tmp_path):
    sub, decision = story("Brightlabel Solutions Inc.")
    context = build_context(sub, decision, draft=True)
    out = tmp_path / "sow.docx"
    with pytest.raises(SowVerificationError) as err:
        render_sow(context, make_template(tmp_path / "own.docx", minimal()), out)
    assert err.value.missing_clauses == ["draft-notice"] and not out.exists()
    sow = render_sow(context, make_template(tmp_path / "own2.docx", ["{{ draft_notice }}", *minimal()]), out)
    assert read_docx_text(sow.path)[0] == "DRAFT - pending review"


def test_the_default_template_is_rebuilt_byte_for_byte(tmp_path):
    assert build(tmp_path / "rebuilt.docx").read_bytes() == DEFAULT_TEMPLATE.read_bytes()
