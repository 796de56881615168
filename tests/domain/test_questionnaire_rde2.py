"""RDE-2: RDE-1 with the six questions the frameworks need. Every RDE-1 answer carries over, its rubric keeps every
RDE-1 entry, and an RDE-1 workbook is still read and scored by RDE-1 (supplier_models/questionnaires/RDE-2.yaml,
scoring/rubrics/RDE-2.yaml)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from scoring import assess
from scoring.rubric import load_rubric
from supplier_models import WorkbookRejected, get_settings, read_workbook
from supplier_models.questionnaire import Condition, current, load
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.form import fill_form, write_form

RDE1, RDE2 = load("RDE-1"), load("RDE-2")
ADDED = {"PAY-08", "PAY-09", "WORK-06", "COMM-06", "RESP-03", "RESP-04"}
PIECE_RATES = ("Piece rate with hourly floor", "Piece rate only")
LUMEN, BRIGHT = EXAMPLES[0], EXAMPLES[1]


def test_new_forms_are_issued_under_rde2_and_rde1_stays_readable():
    assert get_settings().questionnaire == "RDE-2" and current().key == "RDE-2 v1.0.0"
    assert load("RDE-1").key == "RDE-1 v1.0.0"  # still shipped: its workbooks are read by it


def test_rde2_is_rde1_with_six_questions_added_and_every_rde1_answer_carries_over():
    assert set(RDE2.by_id) - set(RDE1.by_id) == ADDED
    assert set(RDE1.by_id) <= set(RDE2.by_id)
    for question in RDE1.questions:  # same text, type, choices, range, conditions, knockout
        assert RDE2.carries_over(question.id, RDE1), question.id
        assert RDE2.by_id[question.id] == question, question.id
    assert [s.id for s in RDE2.sections] == [s.id for s in RDE1.sections]  # no new section, no new principle
    for qid in ADDED:
        assert not RDE2.carries_over(qid, RDE1)
        assert RDE2.by_id[qid].type == "yes_no" and RDE2.by_id[qid].knockout is None
    # in the section each belongs to, after that section's RDE-1 questions
    order = [q.id for q in RDE2.questions]
    assert order.index("PAY-08") == order.index("PAY-07") + 1 and order.index("RESP-04") == len(order) - 1


def test_carried_over_keeps_the_answers_that_stand_and_drops_the_rest():
    answers = {**LUMEN.answers, "DATA-02": None}
    carried = RDE2.carried_over(answers, RDE1)
    assert carried == {k: v for k, v in answers.items() if v is not None}
    # the other way round: RDE-2's new answers do not exist in RDE-1
    assert RDE1.carried_over({**LUMEN.answers, **LUMEN.rde2}, RDE2) == {
        k: v for k, v in LUMEN.answers.items() if v is not None}
    changed = RDE2.model_copy(update={"by_id": {**RDE2.by_id, "PAY-06": RDE2.by_id["PAY-06"].model_copy(
        update={"choices": ("Weekly", "Monthly")})}})
    assert "PAY-06" not in changed.carried_over(LUMEN.answers, RDE1)  # a question changed does not carry over


def test_a_condition_on_one_of_several_answers():
    cond = Condition(question="PAY-01", one_of=PIECE_RATES)
    assert cond.holds({"PAY-01": "Piece rate only"}) and cond.holds({"PAY-01": "Piece rate with hourly floor"})
    assert not cond.holds({"PAY-01": "Hourly wage"}) and not cond.holds({})
    assert cond.describe() == 'PAY-01 is "Piece rate with hourly floor" or "Piece rate only"'
    for bad in ({"equals": "Yes", "one_of": ["Yes"]}, {}, {"one_of": []}):
        with pytest.raises(ValidationError):
            Condition(question="PAY-01", **bad)
    assert RDE2.by_id["PAY-09"].required_if == cond


def _rde2_form(tmp_path, vendor, **changes):
    path = write_form(tmp_path / f"{vendor.slug}.xlsx", vendor.name)
    answers = {k: v for k, v in {**vendor.answers, **vendor.rde2, **changes}.items() if v is not None}
    return fill_form(path, answers, vendor.countries, attestation=vendor.attestation)


def test_pay09_is_required_of_piece_rates_only_and_the_reader_says_why(tmp_path):
    hourly = read_workbook(_rde2_form(tmp_path, LUMEN))
    assert hourly.questionnaire_id == "RDE-2" and hourly.answers["PAY-09"] is None
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(_rde2_form(tmp_path, BRIGHT, **{"PAY-09": None}))
    (problem,) = rejected.value.problems
    assert (problem.cell, problem.question) == ("Questionnaire!E14", "PAY-09")
    assert 'required because PAY-01 is "Piece rate with hourly floor" or "Piece rate only"' in problem.message


def test_the_rde2_form_says_when_pay09_is_required(tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(write_form(tmp_path / "f.xlsx", "Acme"))["Questionnaire"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "PAY-09")
    assert 'Required when PAY-01 is "Piece rate with hourly floor" or "Piece rate only"; otherwise optional.' in row[3]


def test_the_rde2_rubric_keeps_every_rde1_entry_and_scores_the_six_added():
    r1, r2 = load_rubric(questionnaire="RDE-1"), load_rubric(questionnaire="RDE-2")
    assert (r1.key, r2.key) == ("RDE-1-rubric v1.0.0", "RDE-2-rubric v1.0.0")
    assert all(r2.questions[qid] == rule for qid, rule in r1.questions.items())
    assert (r2.principles, r2.decision, r2.validity, r2.not_scored) == (
        r1.principles, r1.decision, r1.validity, r1.not_scored)
    assert set(r2.questions) - set(r1.questions) == ADDED
    for qid in ADDED:  # each scored, with a normal-priority remediation for a No: none blocks `qualified`
        rule = r2.questions[qid]
        assert rule.points["Yes"] > 0 and rule.points["No"] == 0
        assert rule.remediation["No"].priority == "normal" and rule.remediation["No"].evidence
    assert r2.questions["PAY-09"].applies_if == Condition(question="PAY-01", one_of=PIECE_RATES)


def test_an_rde1_workbook_is_read_and_scored_by_rde1_and_an_rde2_one_by_rde2(tmp_path):
    old = read_workbook(write_example(LUMEN, tmp_path))
    new = read_workbook(write_example(LUMEN, tmp_path, "RDE-2"))
    assert (old.questionnaire_id, new.questionnaire_id) == ("RDE-1", "RDE-2")
    as_of = dt.date(2026, 11, 23)
    before, after = assess(old, as_of=as_of), assess(new, as_of=as_of)
    assert (before.rubric_version, after.rubric_version) == ("RDE-1-rubric v1.0.0", "RDE-2-rubric v1.0.0")
    assert before.decision == after.decision == "qualified" and before.score == after.score == 100


def test_pay09_counts_only_for_piece_rates(tmp_path):
    """Brightlabel pays piece rates: PAY-09 No costs it fair-pay points; Lumen pays by the hour: PAY-09 is left
    out of its fair-pay maximum, neither a failure nor a free pass."""
    as_of = dt.date(2026, 11, 23)
    bright = assess(read_workbook(write_example(BRIGHT, tmp_path, "RDE-2")), as_of=as_of)
    pay09 = next(c for c in bright.explanation if c.question == "PAY-09")
    assert (pay09.points, pay09.max_points, pay09.answer) == (0, 4, "No")
    assert pay09.source == "RDE-2-rubric v1.0.0"
    assert any(r.question == "PAY-09" for r in bright.remediations)
    lumen = assess(read_workbook(write_example(LUMEN, tmp_path, "RDE-2")), as_of=as_of)
    assert all(c.max_points == 0 for c in lumen.explanation if c.question == "PAY-09")
    assert lumen.principles["fair_pay"] == 100
