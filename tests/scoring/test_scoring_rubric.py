"""The rubric as data: it loads, it is validated against the questionnaire, and each principle scores."""

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from scoring import assess, load_rubric
from scoring.rubric import Rubric
from supplier_models.errors import ConfigurationError, FairsourceError
from supplier_models.questionnaire import load as load_questionnaire
from supplier_models.workbooks.examples import CONSENT_YES
from tests.helpers.scoring_inputs import AS_OF, COLLECTING, make


def test_shipped_rubric_covers_every_question():
    rubric = load_rubric()
    q = load_questionnaire("RDE-1")
    assert set(rubric.questions) | set(rubric.not_scored) == set(q.by_id)
    assert {"VULN-01", "DATA-02", "COMP-01", "COMP-02", "COMP-03", "COMP-04"} <= set(rubric.not_scored)
    assert rubric.questionnaire == "RDE-1"


def _raw():
    from importlib import resources
    return yaml.safe_load((resources.files("scoring") / "rubrics" / "RDE-1.yaml").read_text("utf-8"))


def _check(data):
    Rubric.model_validate(data).check_against(load_questionnaire("RDE-1"))


def test_rubric_rejects_an_answer_that_is_not_a_choice():
    data = _raw()
    data["questions"]["PAY-01"]["points"]["Piece rate"] = 3
    with pytest.raises(ConfigurationError, match='"Piece rate" is not a choice'):
        _check(data)


def test_rubric_rejects_an_unknown_question_and_a_missing_one():
    data = _raw()
    data["questions"]["PAY-99"] = {"points": {"Yes": 1, "No": 0}}
    del data["questions"]["RESP-02"]
    with pytest.raises(FairsourceError) as info:
        _check(data)
    assert "PAY-99 is not a question" in str(info.value)
    assert "RESP-02 is neither scored nor listed" in str(info.value)


def test_rubric_rejects_an_answer_without_points_and_bad_multi_choice():
    data = _raw()
    del data["questions"]["PAY-06"]["points"]["Monthly"]
    data["questions"]["DATA-01"]["rules"][0]["any_of"].append("SOC 2")
    with pytest.raises(ConfigurationError) as info:
        _check(data)
    assert 'PAY-06: the answer "Monthly" has no points' in str(info.value)
    assert '"SOC 2" is not a choice' in str(info.value)


def test_bands_must_never_reward_more_hours():
    data = _raw()
    data["questions"]["WORK-04"]["bands"][0]["points"] = 1
    with pytest.raises(ValueError, match="never score more"):
        Rubric.model_validate(data)


def test_all_good_answers_score_100_and_qualify():
    d = assess(make(), as_of=AS_OF)
    assert d.score == 100 and d.decision == "qualified"
    assert set(d.principles_not_applicable) == {"informed_consent", "vulnerable_groups"}
    assert "informed_consent" not in d.principles


@pytest.mark.parametrize(("answer", "points"), [
    ("Hourly wage", 10), ("Salary", 10), ("Piece rate with hourly floor", 6), ("Piece rate only", 0)])
def test_payment_model_points(answer, points):
    d = assess(make({"PAY-01": answer}), as_of=AS_OF)
    line = next(c for c in d.explanation if c.question == "PAY-01")
    assert line.points == points and line.max_points == 10
    assert d.principles["fair_pay"] == round(100 * (35 + points) / 45, 1)
    if answer == "Piece rate only":
        assert any(r.question == "PAY-01" and r.priority == "high" for r in d.remediations)
        assert d.decision == "conditional"


@pytest.mark.parametrize(("changes", "principle", "expected"), [
    ({"PILOT-01": "No"}, "pilot", round(100 * 8 / 13, 1)),
    ({"WORK-02": "No"}, "worker_selection", round(100 * 30 / 35, 1)),
    ({"WORK-04": Decimal(48)}, "worker_selection", round(100 * 33 / 35, 1)),
    ({"WORK-04": Decimal(55)}, "worker_selection", round(100 * 28 / 35, 1)),
    ({"WORK-04": Decimal(70)}, "worker_selection", round(100 * 25 / 35, 1)),
    ({"TRAIN-03": "No"}, "instructions_training", round(100 * 15 / 18, 1)),
    ({"COMM-02": Decimal(36)}, "communication", round(100 * 21 / 23, 1)),
    ({"COMM-02": Decimal(100)}, "communication", round(100 * 18 / 23, 1)),
    ({"DEMO-01": "Assigned by collectors or annotators", "DEMO-02": "Yes", "DEMO-03": "Yes"}, "demographics", 50.0),
    ({"DATA-01": ["SOC 2 Type II"]}, "data_stewardship", 100.0),
    ({"DATA-01": ["ISO/IEC 27701"]}, "data_stewardship", round(100 * 30 / 35, 1)),
    ({"DATA-01": ["None"]}, "data_stewardship", round(100 * 25 / 35, 1)),
    ({"DATA-04": Decimal(72)}, "data_stewardship", round(100 * 33 / 35, 1)),
    ({"DATA-04": Decimal(96)}, "data_stewardship", round(100 * 30 / 35, 1)),
    ({"SUPP-03": "No"}, "subcontractors", 0.0),
    ({"RESP-02": "No"}, "respect_conduct", 50.0),
])
def test_principle_scoring(changes, principle, expected):
    d = assess(make(changes), as_of=AS_OF)
    assert d.principles[principle] == expected
    assert d.score < 100 or expected == 100


def test_assigned_demographics_score_zero_and_need_remediation():
    d = assess(make({"DEMO-01": "Assigned by collectors or annotators", "DEMO-02": "Yes", "DEMO-03": "Yes"}),
               as_of=AS_OF)
    line = next(c for c in d.explanation if c.question == "DEMO-01")
    assert line.points == 0
    fix = next(r for r in d.remediations if r.question == "DEMO-01")
    assert fix.priority == "high" and "self-identify" in fix.action
    assert d.decision == "conditional"


def test_consent_section_only_when_collecting_data():
    not_collecting = assess(make({"CONS-02": "No"}), as_of=AS_OF)
    assert "informed_consent" not in not_collecting.principles
    assert not any(r.question == "CONS-02" for r in not_collecting.remediations)
    collecting = assess(make({"COMP-03": COLLECTING, **CONSENT_YES, "CONS-02": "No"}), as_of=AS_OF)
    assert collecting.principles["informed_consent"] == round(100 * 25 / 30, 1)
    assert any(r.question == "CONS-02" for r in collecting.remediations)


def test_demographic_follow_ups_optional_when_not_collected():
    left_empty = assess(make({"DEMO-01": "Not collected"}), as_of=AS_OF)
    assert left_empty.principles["demographics"] == 100
    answered_no = assess(make({"DEMO-01": "Not collected", "DEMO-02": "No"}), as_of=AS_OF)
    assert answered_no.principles["demographics"] == 100  # not scored when nothing is collected
    self_id = assess(make({"DEMO-01": "Self-identified by contributors", "DEMO-02": "No", "DEMO-03": "Yes"}),
                     as_of=AS_OF)
    assert self_id.principles["demographics"] == 75.0


def test_vulnerable_group_questions_apply_only_with_vulnerable_groups():
    none = assess(make({"VULN-01": "No", "VULN-03": None}), as_of=AS_OF)
    assert "vulnerable_groups" in none.principles_not_applicable
    some = assess(make({"VULN-01": "Yes", "VULN-02": "Yes", "VULN-03": "No"}), as_of=AS_OF)
    assert some.principles["vulnerable_groups"] == 50.0
    assert any(r.question == "VULN-03" and r.priority == "high" for r in some.remediations)
    unanswered = assess(make({"VULN-01": "Yes", "VULN-02": "Yes", "VULN-03": None}), as_of=AS_OF)
    assert unanswered.principles["vulnerable_groups"] == 100.0  # left out of the maximum, not failed


def test_subcontractor_disclosure_only_when_subcontracting():
    d = assess(make({"SUPP-01": "No"}), as_of=AS_OF)
    assert d.principles["subcontractors"] == 100
    d = assess(make({"SUPP-01": "Yes", "SUPP-02": "No"}), as_of=AS_OF)
    assert d.principles["subcontractors"] == 50.0
    assert d.decision == "conditional"


def test_not_applicable_principles_are_left_out_of_the_weighting():
    rubric = load_rubric()
    d = assess(make({"PILOT-01": "No", "PILOT-02": "No", "PILOT-03": "No"}), as_of=AS_OF)
    weights = {p: rubric.principles[p].weight for p in d.principles}
    expected = sum(weights[p] * s for p, s in d.principles.items()) / sum(weights.values())
    assert d.score == round(expected, 1)
    assert d.score == round(100 * (100 - 6 - 12 - 8) / (100 - 12 - 8), 1)


def test_validity_periods_and_certificate_cap():
    assert assess(make({"DATA-02": None}), as_of=AS_OF).valid_until == dt.date(2027, 11, 23)
    assert assess(make({"DATA-02": None, "COMM-03": "No"}), as_of=AS_OF).valid_until == dt.date(2027, 5, 23)
    capped = assess(make({"DATA-02": dt.date(2027, 1, 15)}), as_of=AS_OF)
    assert capped.valid_until == dt.date(2027, 1, 14)
    assert assess(make({"DATA-02": None, "PAY-05": "Yes"}), as_of=AS_OF).valid_until == dt.date(2027, 2, 23)


def test_expired_certificate_blocks_qualification_and_shortens_validity():
    d = assess(make({"DATA-02": dt.date(2026, 10, 1)}), as_of=AS_OF)
    assert d.decision == "conditional"
    assert "certification_expired" in d.flags
    assert d.valid_until == AS_OF + dt.timedelta(days=30)


def test_low_overall_score_is_conditional():
    bad = {q: "No" for q in ("PAY-04", "PAY-07", "PILOT-01", "PILOT-02", "PILOT-03", "TRAIN-01", "TRAIN-02",
                             "TRAIN-03", "TRAIN-04", "COMM-01", "COMM-04", "COMM-05", "DATA-05", "DATA-06",
                             "RESP-01", "RESP-02")}
    d = assess(make(bad), as_of=AS_OF)
    assert d.score < 75 and d.decision == "conditional"
    assert any("overall score" in r for r in d.reasons)
