"""Build the default SOW Word template (`templates/default-sow.docx`) with python-docx.

The template is generated, never edited by hand: change this script and run

    .venv/bin/python -m sow_templates.build_template

The output is deterministic (fixed zip timestamps and document dates), so a
rebuild without changes gives the same bytes. The Jinja tags below are
docxtpl's: `{%p ... %}` on a paragraph of its own and `{%tr ... %}` on a
table row of its own control whole paragraphs and rows. docs/sow.md lists
the variables a template may use.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "default-sow.docx"
FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
RED = RGBColor(0xC0, 0x00, 0x00)
HEADER_FILL = "D9E2F3"
NBSP, NBHY = "\u00a0", "\u2011"  # no-break space, non-breaking hyphen


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Title", 22), ("Heading 1", 14), ("Heading 2", 11.5), ("Heading 3", 11)):
        style = doc.styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = NAVY
        style.font.bold = name != "Title"
        style.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 8)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True


def _shade(cell, fill: str = HEADER_FILL) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _para(container, text: str = "", style: str | None = None, *, bold: bool = False, italic: bool = False,
          size: float | None = None, align=None, space_after: float | None = None):
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def _tag(container, tag: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag; docxtpl removes the paragraph itself."""
    container.add_paragraph(tag)


def _cell(cell, text: str, *, bold: bool = False, size: float | None = 9.5, nowrap: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(2)
    run = p.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if nowrap:  # short values (numbers, dates, codes) never break inside
        cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _border(paragraph, color: str = "C00000") -> None:
    """A box around a paragraph."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", color)):
            el.set(qn(f"w:{key}"), value)
        borders.append(el)
    p_pr.append(borders)


def _table(doc, header: list[str], widths: list[float], loop: str | None, row: list[str],
           style: str = "Table Grid", nowrap: tuple[int, ...] = ()):
    """A table with a shaded header row and, when `loop` is given, a docxtpl row loop.
    Columns in `nowrap` never wrap (header and body)."""
    rows = 1 + (3 if loop else 1)
    table = doc.add_table(rows=rows, cols=len(header))
    table.style = style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(header):
        _cell(table.rows[0].cells[i], text, bold=True, nowrap=i in nowrap)
        _shade(table.rows[0].cells[i])
    body = table.rows[2 if loop else 1]
    for i, text in enumerate(row):
        _cell(body.cells[i], text, nowrap=i in nowrap)
    if loop:
        _cell(table.rows[1].cells[0], "{%tr " + loop + " %}")
        _cell(table.rows[3].cells[0], "{%tr endfor %}")
    _widths(table, widths)
    for r in table.rows:
        r._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    # the header row repeats on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    hdr.set(qn("w:val"), "true")
    tr_pr.append(hdr)
    return table


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)


def _widths(table, widths) -> None:
    """Column widths on the grid (LibreOffice reads these) and on every cell (Word reads those)."""
    table.autofit = False
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for r in table.rows:
        for cell, w in zip(r.cells, widths, strict=True):
            cell.width = Cm(w)


def _keep_together(table) -> None:
    """Rows do not split across pages, and the table stays on one page with what follows."""
    for r in table.rows:
        tr_pr = r._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        for cell in r.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _key_value(doc, rows: list[tuple[str, str]], widths=(5.0, 11.0)):
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, (key, value) in zip(table.rows, rows, strict=True):
        _cell(r.cells[0], key, bold=True)
        _shade(r.cells[0], "F2F2F2")
        _cell(r.cells[1], value)
    _widths(table, widths)
    return table


def build(out: Path = DEFAULT_TEMPLATE) -> Path:
    """Write the default template to `out`, part after part in document order, and return its path."""
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _header_and_footer(section)
    _title(doc)
    _parties(doc)
    _scope(doc)
    _qualification(doc)
    _countries(doc)
    _pilot(doc)
    _clauses(doc)
    _term(doc)
    _signatures(doc)
    _remediation_schedule(doc)
    _evidence_schedule(doc)
    _survey_appendix(doc)
    _sources_appendix(doc)
    _properties(doc)
    return _save(doc, out)


def _page(section) -> None:
    """A4 with the document's margins."""
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.3))
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)


def _header_and_footer(section) -> None:
    """On every page: the draft mark when a draft, the reference and the supplier; "Page N of M" below."""
    # a draft's header says so on a line of its own, on every page
    section.header.paragraphs[0].text = "{%p if draft %}"
    mark = section.header.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = mark.add_run("{{ draft_notice }}")
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = RED
    section.header.add_paragraph("{%p endif %}")
    header = section.header.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header.add_run("{{ reference }}  |  {{ supplier.name }}")
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Confidential  |  Page ").font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run(" of ").font.size = Pt(8)
    _field(footer, "NUMPAGES")


def _title(doc) -> None:
    """The top of the first page: a draft's boxed notice, the title, the reference and the date of issue."""
    _tag(doc, "{%p if draft %}")
    notice = _para(doc, "{{ draft_notice }}", bold=True, size=18, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=2)
    notice.runs[0].font.color.rgb = RED
    _border(notice)
    note = _para(doc, "Not for signature: a human review of this Statement of Work is still required.",
                 italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    note.runs[0].font.color.rgb = RED
    _tag(doc, "{%p endif %}")
    _para(doc, "{{ title }}", "Title")
    _para(doc, "Reference: {{ reference }}", italic=True, space_after=0)
    _para(doc, "Issued: {{ issued_on }}", italic=True, space_after=12)


def _parties(doc) -> None:
    """The parties table (with a reminder when the client's particulars are blanks) and the preamble."""
    parties = doc.add_table(rows=4, cols=3)
    parties.style = "Table Grid"
    parties.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, (key, client, supplier) in zip(parties.rows, [
        ("", "Client", "Supplier"),
        ("Legal name", "{{ client.name }}", "{{ supplier.name }}"),
        ("Trading as", "{{ client.trading_name or '-' }}", "{{ supplier.trading_name or '-' }}"),
        ("Registered in", "{{ client.registered_in or 'As stated in the Agreement' }}",
         "{{ supplier.registered_in }}"),
    ], strict=True):
        _cell(r.cells[0], key, bold=True)
        _cell(r.cells[1], client, bold=key == "")
        _cell(r.cells[2], supplier, bold=key == "")
    _widths(parties, [4.0, 6.2, 6.2])
    for c in parties.rows[0].cells:
        _shade(c)
    _tag(doc, "{%p if client.to_complete %}")
    blank = _para(doc, "To complete before signature: the Client's particulars in square brackets.", italic=True,
                  size=9, space_after=0)
    blank.runs[0].font.color.rgb = RED
    _tag(doc, "{%p endif %}")
    _para(doc)
    _para(doc, 'This Statement of Work (the "SOW") is made between {{ client.name }} (the "Client") and '
               '{{ supplier.name }} (the "Supplier") under the services agreement between them (the '
               '"Agreement"). It describes the human-data services the Supplier provides and the terms on '
               "which workers and contributors are engaged, paid and protected. Where this SOW and the Agreement "
               "differ on a matter covered by section 5, this SOW prevails.")


def _scope(doc) -> None:
    """Section 1: the services, the workforce model and the deliverables."""
    _para(doc, "1. Scope and deliverables", "Heading 1")
    _para(doc, 'The Supplier shall provide the following services (the "Services"):')
    _tag(doc, "{%p for service in services %}")
    _para(doc, "{{ service }}", "List Bullet", space_after=2)
    _tag(doc, "{%p endfor %}")
    _para(doc, "Workforce model declared by the Supplier: {{ workforce_model|join(', ') }}.")
    _para(doc, "Deliverables:", bold=True, space_after=2)
    for item in ("a written pilot report, accepted by the Client before production starts (section 4);",
                 "the datasets or labels specified in each work order, each with its documentation "
                 "(provenance, consent basis, collection method);"):
        _para(doc, item, "List Bullet", space_after=2)
    _tag(doc, "{%p if collects_data %}")
    _para(doc, "the consent records of every contributor, linked to the data they cover;", "List Bullet",
          space_after=2)
    _tag(doc, "{%p endif %}")
    _para(doc, "a monthly compliance report: effective hourly pay per country, grievances received and "
               "resolved, changes of subcontractors and countries.", "List Bullet")


def _qualification(doc) -> None:
    """Section 2: the assessment the SOW relies on."""
    _para(doc, "2. Qualification basis", "Heading 1")
    _para(doc, "The Client assessed the Supplier before this SOW was issued. The assessment this SOW relies on:")
    _key_value(doc, [
        ("Decision", "{{ qualification.label }}"),
        ("Responsible-sourcing score", "{{ qualification.score }} / 100"),
        ("Geographic risk band", "{{ qualification.geo_band }}"),
        ("Assessed on", "{{ qualification.assessed_on }}"),
        ("Qualification valid until", "{{ qualification.valid_until }}"),
        ("Questionnaire", "{{ qualification.questionnaire }}"),
        ("Rubric; country data", "{{ qualification.rubric_version }}; {{ qualification.country_data_version }}"),
        ("Frameworks", "{{ qualification.frameworks }}"),
        ("Clause library", "{{ clause_library }}"),
    ])


def _countries(doc) -> None:
    """Section 3: the countries table with each country's pay floor."""
    _para(doc, "3. Countries, workforce and pay floors", "Heading 1")
    _para(doc, "The Services are performed only in these countries. The pay floor is the minimum effective "
               "gross hourly pay of every worker in that country (see clause 5.{{ clause_numbers['living-wage'] }}, "
               "Compensation at or above the living wage). Appendix B records where each figure comes from.")
    _table(doc, ["Country", "Share", "Workers", "Pay basis", "Pay floor per hour", "Basis and source"],
           [2.6, 1.6, 2.0, 2.4, 2.4, 5.4], "for c in countries",
           ["{{ c.name }} ({{ c.iso2 }})", "{{ c.share }}", "{{ c.workers }}", "{{ c.pay_basis }}",
            "{{ c.floor }}", "{{ c.floor_basis }}"], nowrap=(1, 2))


def _pilot(doc) -> None:
    """Section 4: the pilot phase, then production."""
    _para(doc, "4. Pilot phase and launch", "Heading 1")
    _para(doc, "Phase 1, pilot. {{ pilot.summary }}")
    _para(doc, "Phase 2, production. Production starts on the Client's written acceptance of the pilot report "
               "and continues under the work orders the Client issues, until this SOW ends or the "
               "qualification lapses.")


def _clauses(doc) -> None:
    """Section 5: the loop over the clauses that apply, each a heading and its paragraphs."""
    _para(doc, "5. Responsible collection and enrichment of human data", "Heading 1")
    _para(doc, "The Supplier shall comply with the following clauses throughout the Services, and shall make "
               "its subcontractors comply with them.")
    _tag(doc, "{%p for clause in clauses %}")
    _para(doc, "5.{{ clause.index }}  {{ clause.title }}", "Heading 2")
    _tag(doc, "{%p for paragraph in clause.paragraphs %}")
    p = _para(doc, "{{ paragraph }}")
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")


def _term(doc) -> None:
    """Section 6: when the SOW starts and ends, and what survives it."""
    _para(doc, "6. Term", "Heading 1")
    _para(doc, "This SOW takes effect on signature by both parties and ends on {{ qualification.valid_until }} "
               "unless the Client renews the Supplier's qualification before then. Clauses on data stewardship, "
               "audit rights and payment of workers survive its end.")


def _signatures(doc) -> None:
    """The signature block, kept on one page."""
    _para(doc, "Signatures", "Heading 1")
    _para(doc, "Signed by the authorised representatives of the parties.").paragraph_format.keep_with_next = True
    sig = doc.add_table(rows=6, cols=2)
    sig.style = "Table Grid"
    sig.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [("For the Client", "For the Supplier"), ("{{ client.name }}", "{{ supplier.name }}"),
            ("Signature:\n\n", "Signature:\n\n"), ("Name:", "Name:"), ("Title:", "Title:"), ("Date:", "Date:")]
    for n, (r, (left, right)) in enumerate(zip(sig.rows, rows, strict=True)):
        _cell(r.cells[0], left, bold=n == 0, size=10)
        _cell(r.cells[1], right, bold=n == 0, size=10)
    _widths(sig, [8.2, 8.2])
    _keep_together(sig)
    for c in sig.rows[0].cells:
        _shade(c)


def _remediation_schedule(doc) -> None:
    """Schedule 1, when there are remediations: each item under its register id (which the clauses cite), its action
    with the evidence that shows it done, the clause it amends, its due date (or the day its evidence was accepted)."""
    _tag(doc, "{%p if remediations %}")
    _para(doc, "Schedule 1: Remediation schedule", "Heading 1")
    intro = _para(doc, "The Supplier shall complete each action below by its due date and give the Client the "
                       "evidence named with it (clause 5.{{ clause_numbers['remediation-schedule'] }}, Remediation "
                       "schedule). Each item amends the clause named in the column Amends, and that clause is subject "
                       "to it. Item is the action's identifier in the Client's remediation register: it stays the "
                       "same in every later SOW and notice. Ref. is the question of the qualification questionnaire "
                       "the item answers. An item marked Done was completed with evidence the Client accepted on the "
                       "date shown; the Supplier maintains it.")
    intro.paragraph_format.keep_with_next = True  # the heading and this stay with the table's first rows
    # short values never break inside (LibreOffice ignores w:noWrap): a no-break space and hyphen keep "clause 5.2"
    # and "COMM-02" whole, and a date wraps, if ever, only before its year
    table = _table(doc, ["Item", "Action and evidence", "Amends", "Ref.", "Country", "Due date"],
                   [1.3, 5.4, 2.4, 2.1, 2.2, 3.0], "for r in remediations",
                   ["{{ r.id }}", "{{ r.action }}",
                    f"{{{{ 'clause{NBSP}5.' ~ r.clause_index if r.clause_index else '-' }}}}",
                    f"{{{{ (r.question or '-')|replace('-', '{NBHY}') }}}}", "{{ r.country }}",
                    f"{{{{ r.due_date|replace(' ', '{NBSP}', 1) }}}}"],
                   nowrap=(0, 2, 3, 5))
    # under the action, the evidence that shows it done (if the rubric says); under a done item's date, so
    for column, condition, text in ((1, "r.evidence", "Evidence: {{ r.evidence }}"),
                                    (5, "r.done_on", "Done: evidence accepted")):
        cell = table.rows[2].cells[column]
        _tag(cell, "{%p if " + condition + " %}")
        _para(cell, text, italic=True, size=8.5, space_after=2)
        _tag(cell, "{%p endif %}")
    _tag(doc, "{%p endif %}")


def _evidence_schedule(doc) -> None:
    """The next schedule, when the vendor supplied evidence: the answers the SOW relies on."""
    _tag(doc, "{%p if representations %}")
    _para(doc, "Schedule {{ 2 if remediations else 1 }}: Supplier evidence relied on", "Heading 1")
    _para(doc, "The Supplier supplied this evidence with its questionnaire answers (clause "
               "5.{{ clause_numbers['supplier-representations'] }}, Supplier representations).")
    _table(doc, ["Question", "Answer", "Evidence supplied"], [5.5, 3.0, 7.9], "for e in representations",
           ["{{ e.question }}: {{ e.text }}", "{{ e.answer }}", "{{ e.evidence }}"])
    _tag(doc, "{%p endif %}")


def _page_break(doc) -> None:
    """A paragraph holding only a page break."""
    brk = doc.add_paragraph()
    brk.add_run().add_break(WD_BREAK.PAGE)


def _survey_appendix(doc) -> None:
    """Appendix A on a new page: the survey, one version per group of countries, each question's options."""
    _page_break(doc)
    _para(doc, "{{ survey.title }}", "Heading 1")
    _para(doc, "{{ survey.introduction }}")
    _para(doc, "Survey definition: {{ survey.version }}.", italic=True, size=9)
    _tag(doc, "{%p for version in survey.versions %}")
    _para(doc, "Version {{ version.label }}: contributors in {{ version.country_names }}", "Heading 2")
    _tag(doc, "{%p for note in version.notes %}")
    _para(doc, "{{ note }}", italic=True)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p for question in version.questions %}")
    _para(doc, "{{ loop.index }}. {{ question.prompt }} ({{ question.instruction }})", bold=True, space_after=2)
    _tag(doc, "{%p for option in question.options %}")
    p = _para(doc, "☐  {{ option }}", space_after=0)
    p.paragraph_format.left_indent = Cm(0.8)
    _tag(doc, "{%p endfor %}")
    _para(doc, space_after=4)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")


def _sources_appendix(doc) -> None:
    """Appendix B on a new page: the full source of each pay floor."""
    _page_break(doc)
    _para(doc, "Appendix B: Sources of the pay floors", "Heading 1")
    _para(doc, "This appendix records, for audit, where each pay floor of section 3 comes from. It adds no "
               "obligation; the pay floors are those of section 3.").paragraph_format.keep_with_next = True
    _table(doc, ["Country", "Pay floor per hour", "Source in full"], [3.2, 2.8, 10.4], "for c in countries",
           ["{{ c.name }} ({{ c.iso2 }})", "{{ c.floor }}", "{{ c.floor_provenance }}"])


def _properties(doc) -> None:
    """The document properties, with fixed dates so rebuilds give the same bytes."""
    props = doc.core_properties
    props.title = "{{ draft_notice ~ ': ' if draft else '' }}{{ title }}"
    props.subject = "{{ reference }}"
    props.author = "fairsource"
    props.last_modified_by = "fairsource"
    props.created = props.modified = FIXED.replace(tzinfo=None)
    props.revision = 1


def _save(doc, out: Path) -> Path:
    """Save `doc` at `out` as a deterministic zip."""
    raw = io.BytesIO()
    doc.save(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_deterministic_zip(raw.getvalue()))
    return out


def _deterministic_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps, so rebuilds give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TEMPLATE))
