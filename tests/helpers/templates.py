"""Word templates of our own making for the bring-your-own-template tests."""

from __future__ import annotations

from docx import Document

from sow_templates import build_context
from tests.helpers.sow_stories import story

CLAUSE_LOOP = ["{%p for clause in clauses %}", "{{ clause.index }}. {{ clause.title }}", "{{ clause.text }}",
               "{%p endfor %}"]


def make_template(path, paragraphs: list[str]):
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def context(name: str = "Brightlabel Solutions Inc."):
    sub, decision = story(name)
    return build_context(sub, decision, organisation="Northwind AI Ltd")


def minimal(extra: list[str] | None = None) -> list[str]:
    # the countries table (sources of the pay floors) and the remediation schedule, as plain paragraphs
    return ["Statement of Work {{ reference }} between {{ client.name }} and {{ supplier.name }}", *CLAUSE_LOOP,
            "{%p for c in countries %}", "{{ c.name }}: {{ c.floor }} ({{ c.floor_source }})", "{%p endfor %}",
            "{%p for r in remediations %}", "{{ r.action }} by {{ r.due_date }}", "{%p endfor %}", *(extra or [])]
