"""A vendor base qualified on RDE-1 when RDE-2 ships: nobody is rescored for it, each vendor's re-attestation comes
as an RDE-2 form pre-filled with the RDE-1 answers that carry over, and the vendor's RDE-2 answers are scored by the
RDE-2 rubric in a new assessment, the RDE-1 one kept as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from flows.usecases import intake_one, load_inputs, older_inputs, request_reattestations, select_changed
from scoring.frameworks import evaluate_assessment
from supplier_models import Settings
from supplier_models.errors import WorkbookRejected
from supplier_models.store.tables import AssessmentRecord
from supplier_models.workbooks.examples import EXAMPLES, write_example
from supplier_models.workbooks.reader import read_workbook
from tests.helpers.rde2 import NEW_QUESTIONS, answer_new_questions

TODAY = dt.date(2026, 11, 23)
LUMEN, BRIGHT = EXAMPLES[0], EXAMPLES[1]


@pytest.fixture
def base(tmp_path, store):
    """Lumen (RDE-1), Brightlabel (RDE-1) and Frontier (already on RDE-2) in a store."""
    settings = Settings(home=tmp_path / "home")
    inputs = load_inputs(settings)
    for vendor, questionnaire in ((LUMEN, "RDE-1"), (BRIGHT, "RDE-1"), (EXAMPLES[3], "RDE-2")):
        intake_one(read_workbook(write_example(vendor, tmp_path / "returned", questionnaire)), store, inputs, TODAY,
                   settings.sow_dir, received_on=TODAY)
    return settings, inputs


def _assessment(store, assessment_id: str) -> AssessmentRecord:
    with store.session() as s:
        return s.get(AssessmentRecord, assessment_id)


def test_shipping_rde2_rescores_nobody(base, store):
    settings, inputs = base
    assert inputs.rubric_keys == ("RDE-1-rubric v1.0.0", "RDE-2-rubric v1.0.0")
    assert select_changed(store, inputs) == []  # each latest assessment used its questionnaire's current rubric
    assert older_inputs(store, inputs) == []  # RDE-2's rubric is not a newer RDE-1 rubric, nor the other way
    # A new RDE-1 rubric makes the RDE-1 vendors due (rescored by it), not the RDE-2 one
    rde1, rde2 = inputs.rubric_for("RDE-1"), inputs.rubric_for("RDE-2")
    newer_rde1 = inputs.model_copy(update={"rubrics": {"RDE-1": rde1.model_copy(update={"version": "1.1.0"}),
                                                       "RDE-2": rde2}})
    due = select_changed(store, newer_rde1)
    assert sorted(_assessment(store, aid).rubric_version for aid in due) == ["RDE-1-rubric v1.0.0"] * 2
    # and a run with an older RDE-2 rubric than the store's RDE-2 assessment says so, within its questionnaire
    older_rde2 = inputs.model_copy(update={"rubrics": {"RDE-1": rde1,
                                                       "RDE-2": rde2.model_copy(update={"version": "0.9.0"})}})
    assert older_inputs(store, older_rde2) == [
        "rubric RDE-2-rubric v0.9.0 is older than RDE-2-rubric v1.0.0, which the latest assessment of 1 vendor(s) "
        "used"]


def test_an_rde1_vendor_re_attests_on_an_rde2_form_and_gets_a_new_assessment(base, store, tmp_path):
    settings, inputs = base
    vendor_id = store.vendors.named(BRIGHT.name).id
    first = store.assessments.latest(vendor_id)
    assert first.rubric_version == "RDE-1-rubric v1.0.0"

    # Brightlabel is conditional (6 months): asked 30 days before its qualification ends
    run = request_reattestations(store, settings, inputs, dt.date(2027, 4, 30), within_days=30)
    asked = next(r for r in run.reattestation_requested if r["vendor"] == BRIGHT.name)
    wb = load_workbook(asked["form"])
    meta = {row[0].value: row[1].value for row in wb["_meta"].iter_rows()}
    assert (meta["questionnaire_id"], meta["questionnaire_version"]) == ("RDE-2", "1.0.0")
    note = wb["Instructions"]["A2"].value
    assert note == ("Your last answers were to RDE-1 v1.0.0; this form is RDE-2 v1.0.0. Your answers are carried "
                    "over; the questions new in it are left empty for you to answer: " + ", ".join(NEW_QUESTIONS) + ".")
    shown = {row[0]: row[4] for row in wb["Questionnaire"].iter_rows(min_row=2, values_only=True)}
    original = store.submissions.get(first.submission_id)
    for qid, answer in original.answers.items():  # every RDE-1 answer, as the vendor gave it
        if answer is not None:
            assert shown[qid] not in (None, ""), qid
    assert all(shown[qid] is None for qid in NEW_QUESTIONS)

    # Returned as it is: refused at the new questions only (PAY-09 too: Brightlabel pays piece rates)
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(asked["form"])
    assert [p.question for p in rejected.value.problems] == NEW_QUESTIONS

    # Answered: a new assessment under RDE-2's rubric; the RDE-1 one kept as it was
    answered = read_workbook(answer_new_questions(asked["form"], BRIGHT.rde2, out=tmp_path / "back.xlsx"))
    outcome = intake_one(answered, store, inputs, dt.date(2027, 5, 3), settings.sow_dir,
                         received_on=dt.date(2027, 5, 3))
    assert outcome.decision.decision == "conditional" and outcome.decision.questionnaire_id == "RDE-2"
    latest = store.assessments.latest(vendor_id)
    assert latest.id != first.id and latest.rubric_version == "RDE-2-rubric v1.0.0"
    assert _assessment(store, first.id).rubric_version == "RDE-1-rubric v1.0.0"
    assert _assessment(store, first.id).data == first.data  # never rewritten
    assert {r["question"] for r in latest.data["remediations"]} >= {"PAY-09", "WORK-06", "COMM-06"}
    fairwork = {r.framework: r for r in evaluate_assessment(answered.answers, "RDE-2", "1.0.0")}[
        "fairwork-cloudwork-2024"]
    assert fairwork.points == 2 and all(i.status != "not_answerable" for i in fairwork.items)
    assert select_changed(store, inputs) == []  # on RDE-2 now, current: not due


def test_the_note_names_a_conditional_new_question_with_its_condition_unless_the_answers_meet_it():
    from flows.usecases.reattestation import new_questions_note
    from supplier_models.questionnaire import load

    rde1, rde2 = load("RDE-1"), load("RDE-2")
    hourly = new_questions_note(rde2, rde1, LUMEN.answers)
    assert hourly.endswith('answer: PAY-08, WORK-06, COMM-06, RESP-03, RESP-04 (and PAY-09 when PAY-01 is "Piece rate '
                           'with hourly floor" or "Piece rate only").')
    assert new_questions_note(rde2, rde1, BRIGHT.answers).endswith(f"answer: {', '.join(NEW_QUESTIONS)}.")
