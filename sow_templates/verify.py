"""Read a rendered SOW back and check that every mandatory clause that applies is in it.

The rule (docs/sow.md): for each mandatory clause of the context, its title
and its whole text must appear in the document's text (paragraphs and table
cells, in order), compared after Unicode NFC normalisation and collapsing
whitespace. When the decision lists remediations, every remediation action and
its due date must appear too (they belong to the remediation-schedule clause),
and the source of every country's pay floor (it belongs to the living-wage
clause). A draft must say so: its `draft_notice` must appear in the body.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from supplier_models.errors import SowVerificationError

from .context import SowContext, clean_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY, _P, _TBL, _TR, _TC, _T, _TAB, _BR, _CR = (W + t for t in ("body", "p", "tbl", "tr", "tc", "t", "tab", "br", "cr"))
_SDT, _SDT_CONTENT = W + "sdt", W + "sdtContent"
_SKIP = {W + "txbxContent", W + "del", W + "fldSimple", W + "instrText"}
REMEDIATION_CLAUSE = "remediation-schedule"
PAY_CLAUSE = "living-wage"
DRAFT_MARK = "draft-notice"  # named in `missing_clauses` when a draft does not say it is one


def normalise(text: str) -> str:
    """Text compared for verification: cleaned, NFC, white space folded."""
    return " ".join(unicodedata.normalize("NFC", clean_text(text)).split())


@lru_cache(maxsize=4096)
def _fragment(text: str) -> str:
    """`normalise` for what is looked for (clause titles and texts, sources, remediations): mostly the
    same in every SOW, so cached. Never used for a whole document."""
    return normalise(text)


def _blocks(container) -> Iterator[str]:
    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text
        elif isinstance(item, Table):
            for row in item.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                        continue
                    seen.add(id(cell._tc))
                    yield from _blocks(cell)


def read_docx_text(path: str | Path) -> list[str]:
    """The text of every paragraph of the document body, table cells included, in reading order,
    as python-docx reads it."""
    return list(_blocks(Document(str(path))))


def _paragraph_text(p, skip_possible: bool = True) -> str:
    out = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if skip_possible and any(a.tag in _SKIP for a in el.iterancestors()):
            continue
        if el.tag == _T:
            out.append(el.text or "")
        elif el.tag == _TAB:
            out.append("\t")
        elif el.get(W + "type", "textWrapping") == "textWrapping":
            out.append("\n")
    return "".join(out)


def _xml_blocks(container, skip_possible: bool = True) -> Iterator[str]:
    for child in container:
        if child.tag == _P:
            yield _paragraph_text(child, skip_possible)
        elif child.tag == _TBL:
            for row in child.iter(_TR):
                for cell in row.iterchildren(_TC):
                    yield from _xml_blocks(cell, skip_possible)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _xml_blocks(content, skip_possible)


def read_body_text(path: str | Path) -> list[str]:
    """The same text as `read_docx_text`, read straight from the file's main document part with lxml:
    what the verifier uses, because opening the whole package with python-docx costs more than the
    render itself (tests/sow/test_sow_render.py checks the two readers agree)."""
    with zipfile.ZipFile(path) as zf:
        main = _main_part(zf)
        root = etree.fromstring(zf.read(main))
    body = root.find(_BODY)
    if body is None:
        return []
    # Text in text boxes, deletions and field codes is not body text. Most documents have none of
    # them: then no element needs its ancestors checked (one scan instead of one walk per run).
    skip_possible = next(body.iter(*_SKIP), None) is not None
    return list(_xml_blocks(body, skip_possible))


def _main_part(zf: zipfile.ZipFile) -> str:
    rels = etree.fromstring(zf.read("_rels/.rels"))
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "word/document.xml").lstrip("/")
    return "word/document.xml"


def _body_text(path: str | Path) -> str:
    """The document body's text, paragraphs separated by spaces (what `read_body_text` gives, joined)."""
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read(_main_part(zf)))
    body = root.find(_BODY)
    if body is None:
        return ""
    if next(body.iter(*_SKIP), None) is not None:  # text boxes, deletions, fields: the careful reader
        return " ".join(_xml_blocks(body))
    parts = []  # one pass in document order: the common case, and the hot path of every SOW
    for el in body.iter(_P, _T, _TAB, _BR, _CR):
        tag = el.tag
        if tag == _T:
            parts.append(el.text or "")
        elif tag == _P:
            parts.append(" ")
        elif tag == _TAB:
            parts.append("\t")
        elif el.get(W + "type", "textWrapping") == "textWrapping":
            parts.append("\n")
    return "".join(parts)


def verify_document(path: str | Path, context: SowContext) -> None:
    """Raise `SowVerificationError` naming every mandatory clause missing from the document at `path`."""
    text = normalise(_body_text(path))
    missing: list[str] = []
    details: list[str] = []
    for clause in context.clauses:
        if not clause.mandatory:
            continue
        problems = []
        if _fragment(clause.title) not in text:
            problems.append("title not found")
        body = _fragment(" ".join(clause.paragraphs))
        if body not in text:
            problems.append(f"text not found (starts {body[:80]!r})")
        if clause.id == PAY_CLAUSE:  # the clause points to the countries table for the sources
            for c in context.countries:
                if _fragment(c.floor_source) not in text:
                    problems.append(f"source of the pay floor for {c.iso2} not found")
        if clause.id == REMEDIATION_CLAUSE:
            for r in context.remediations:
                if _fragment(r.action) not in text or _fragment(r.due_date) not in text:
                    problems.append(f"remediation {r.index} ({r.action[:60]!r}, due {r.due_date}) not found")
        if problems:
            missing.append(clause.id)
            details.append(f"{clause.id} v{clause.version} ({clause.title}): {'; '.join(problems)}")
    if context.draft and _fragment(context.draft_notice) not in text:
        missing.append(DRAFT_MARK)
        details.append(f"the document is a draft but does not say {context.draft_notice!r} "
                       "(print {{ draft_notice }} on its first page)")
    if missing:
        raise SowVerificationError(missing, details)
