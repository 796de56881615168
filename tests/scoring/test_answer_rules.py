"""Answers to points at every band edge, and the explanation line each answer leaves.

README.md, "How a score is built": the explanation lists question, answer, rule, points, data source and date.
docs/scoring.md, "Answers to points, points to principles": questions that do not apply are left out.
"""

import datetime as dt
from decimal import Decimal

import pytest

from scoring import assess, load_rubric
from scoring.decision import answer_text, decision_rank, score_answer
from supplier_models.errors import ConfigurationError
from supplier_models.policy import LivingWage, OrgPolicy
from supplier_models.questionnaire import load as load_questionnaire
from tests.helpers.scoring_inputs import AS_OF, make

Q = load_questionnaire("RDE-1")
RUBRIC = load_rubric()


def line(d, question):
    return next(c for c in d.explanation if c.question == question)


@pytest.mark.parametrize(("hours", "key", "points", "fix"), [
    (40, "<= 40", 10, None), (Decimal("40.5"), "<= 48", 8, None), (48, "<= 48", 8, None),
    (49, "<= 60", 3, ("normal", 60)), (60, "<= 60", 3, ("normal", 60)), (61, "above", 0, ("high", 30)),
])
def test_working_hours_bands_include_their_upper_edge(hours, key, points, fix):
    # RDE-1.yaml WORK-04: up to 40 h 10 points, up to 48 h 8, up to 60 h 3 (fix in 60 days), above 0 (30 days).
    got, rule_key, remediation = score_answer(Q.by_id["WORK-04"], RUBRIC.questions["WORK-04"], hours)
    assert (got, rule_key) == (points, key)
    assert (remediation and (remediation.priority, remediation.due_in_days)) == (fix or None)


@pytest.mark.parametrize(("choices", "key", "points"), [
    (["ISO/IEC 27001", "ISO/IEC 27701"], "any of ISO/IEC 27001 / SOC 2 Type II", 10),  # the first rule that matches
    (["ISO/IEC 27701"], "any of ISO/IEC 27701", 5),
    (["None"], "otherwise", 0),
])
def test_several_answer_rules_take_the_first_match(choices, key, points):
    d = assess(make({"DATA-01": choices}), as_of=AS_OF)
    c = line(d, "DATA-01")
    assert (c.rule, c.points, c.max_points, c.answer) == (f"DATA-01:{key}", points, 10, ", ".join(choices))
    fixes = [r for r in d.remediations if r.question == "DATA-01"]
    assert [r.rule for r in fixes] == (["DATA-01:otherwise"] if key == "otherwise" else [])


def test_an_answer_the_rubric_does_not_score_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match='PAY-02: the answer "Maybe" is not one the rubric scores'):
        score_answer(Q.by_id["PAY-02"], RUBRIC.questions["PAY-02"], "Maybe")


def test_a_rubric_for_another_questionnaire_is_refused():
    other = RUBRIC.model_copy(update={"questionnaire": "RDE-2"})
    with pytest.raises(ConfigurationError, match="rubric RDE-1-rubric v1.0.0 scores RDE-2, not RDE-1"):
        assess(make(), rubric=other, as_of=AS_OF)


def test_a_remediation_from_an_answer_carries_its_question_principle_and_date():
    d = assess(make({"PAY-06": "Less often than monthly"}), as_of=AS_OF)
    [fix] = d.remediations
    assert (fix.question, fix.principle, fix.rule, fix.priority, fix.due_in_days, fix.answer) == (
        "PAY-06", "fair_pay", "PAY-06:Less often than monthly", "high", 30, "Less often than monthly")
    assert fix.due_date == dt.date(2026, 12, 23)  # 2026-11-23 + 30 days
    assert fix.action == "Pay workers at least monthly, and move to every two weeks."
    assert fix.evidence.startswith("A signed pay calendar")


def test_answers_are_dated_by_the_day_they_were_issued():
    sub = make({"PAY-06": "Monthly"}).model_copy(update={"issued_at": dt.datetime(2026, 10, 2, 9, 30)})
    d = assess(sub, as_of=AS_OF)
    assert line(d, "PAY-06").as_of == "2026-10-02"
    assert next(c for c in d.explanation if c.rule == "overall").as_of == "2026-11-23"
    assert d.remediations[0].due_date == dt.date(2027, 2, 21)  # due from the assessment: 2026-11-23 + 90 days


def test_questions_that_do_not_apply_are_explained_and_left_out():
    d = assess(make({"DEMO-01": "Not collected"}), as_of=AS_OF)
    demo = line(d, "DEMO-02")
    assert (demo.rule, demo.points, demo.max_points) == ("DEMO-02:not_applicable", 0, 0)
    assert demo.note == 'not scored: does not apply when DEMO-01 is "Not collected"'
    cons = line(d, "CONS-01")
    assert cons.note == 'not scored: applies only when COMP-03 includes "Data collection from contributors"'
    assert d.principles_not_applicable == ["informed_consent", "vulnerable_groups"]
    na = next(c for c in d.explanation if c.rule == "principle.informed_consent.not_applicable")
    assert (na.points, na.max_points, na.note) == (0, 0, "no applicable question: left out of the overall score")
    assert ("Informed consent of contributors does not apply to this vendor and is left out of the score."
            in d.reasons)


def test_an_empty_optional_answer_is_left_out_of_the_maximum():
    d = assess(make({"PAY-07": None, "PAY-06": "Monthly"}), as_of=AS_OF)
    c = line(d, "PAY-07")
    assert (c.rule, c.answer, c.points, c.max_points) == ("PAY-07:unanswered_optional", None, 0, 0)
    assert c.note == "optional and left empty: left out of the principle's maximum"
    assert d.principles["fair_pay"] == 95.0  # 38 of 40 points (PAY-06 3 of 5): PAY-07's 5 left out of the 45


@pytest.mark.parametrize(("value", "text"), [
    (None, None), (Decimal("40"), "40"), (Decimal("40.0"), "40"), (Decimal("40.50"), "40.50"),
    (["a", "b"], "a, b"), (("a",), "a"), (dt.date(2027, 9, 30), "2027-09-30"), ("Yes", "Yes"),
])
def test_answer_text(value, text):
    assert answer_text(value) == text


def test_decisions_rank_worst_to_best():
    assert [decision_rank(v) for v in ("not_qualified", "conditional", "qualified")] == [0, 1, 2]


def test_a_decision_records_what_it_used():
    d = assess(make(countries=(("DE", 60, 20, "EUR"), ("PT", 40, 10, "EUR"))), as_of=AS_OF)
    assert (d.vendor, d.questionnaire_id, d.questionnaire_version) == ("Test Vendor", "RDE-1", "1.0.0")
    assert (d.rubric_version, d.geo_model_version, d.country_data_version) == (
        "RDE-1-rubric v1.0.0", "geo-1 v1.0.0", "2026.11-1")
    assert set(d.country_fingerprints) == {"DE", "PT"} and all(d.country_fingerprints.values())
    assert d.flags == ["living_wage_unverified"]


def test_an_answer_line_carries_the_cell_as_the_vendor_wrote_it():
    sub = make({"PAY-06": "Monthly"})
    sub = sub.model_copy(update={"cells": {"PAY-06": "Monthly (on the 28th)"}})
    d = assess(sub, as_of=AS_OF)
    assert line(d, "PAY-06").note == "Monthly (on the 28th)"
    assert line(d, "PAY-07").note == ""  # no cell read: nothing made up


def test_nothing_answered_scores_zero_not_full_marks():
    sub = make()
    sub = sub.model_copy(update={"answers": {q: None for q in sub.answers}})
    d = assess(sub, as_of=AS_OF)
    assert (d.score, d.principles) == (0.0, {})
    assert d.decision == "conditional"
    assert "the overall score 0 is below 75" in d.reasons[0]


def test_a_knockout_names_the_questionnaire_it_comes_from():
    d = assess(make({"PAY-05": "Yes"}), as_of=AS_OF)
    [ko] = d.knockouts
    assert (ko.rule, ko.question, ko.source) == ("recruitment_fee", "PAY-05", "RDE-1 v1.0.0")
    assert d.reasons[0] == f"Knockout (recruitment_fee): {ko.reason}"


def test_pay_lines_when_a_figure_is_missing_or_not_comparable():
    policy = OrgPolicy(living_wages={"DK": LivingWage(iso2="DK", hourly=Decimal(25), currency="EUR", source="s",
                                                      as_of="2026")})
    d = assess(make(countries=(("DK", 100, 150, "DKK"),)), policy=policy, as_of=AS_OF)
    statutory = next(c for c in d.explanation if c.rule.startswith("pay.statutory_minimum."))
    assert (statutory.rule, statutory.source, statutory.as_of) == (
        "pay.statutory_minimum.no_statutory_minimum", "ILOSTAT (no value)", None)
    living = next(c for c in d.explanation if c.rule.startswith("pay.living_wage."))
    assert living.rule == "pay.living_wage.living_wage_unverified"
    assert living.note == "DK: living wage not comparable EUR, lowest pay 150 DKK"


def test_without_an_expiry_question_the_certificate_caps_nothing():
    no_question = RUBRIC.model_copy(update={"validity": RUBRIC.validity.model_copy(
        update={"certification_expiry_question": None})})
    d = assess(make({"DATA-02": AS_OF}), rubric=no_question, as_of=AS_OF)  # would be expired today
    assert d.valid_until == dt.date(2027, 11, 23) and "certification_expired" not in d.flags


def test_lines_of_questions_left_out_keep_their_principle_answer_and_date():
    d = assess(make({"PAY-07": None}), as_of=AS_OF)
    vuln = line(d, "VULN-02")  # answered Yes, but VULN-01 is No: not scored, the answer still shown
    assert (vuln.principle, vuln.answer, vuln.as_of, vuln.source) == ("vulnerable_groups", "Yes", "2026-11-23",
                                                                      "RDE-1-rubric v1.0.0")
    empty = line(d, "PAY-07")
    assert (empty.principle, empty.as_of, empty.source) == ("fair_pay", "2026-11-23", "RDE-1-rubric v1.0.0")
    assert line(d, "PILOT-01").points == 5  # the questions after an empty one are still scored
    assert d.score == 100


def test_an_unscored_answer_in_a_submission_names_its_question():
    with pytest.raises(ConfigurationError, match='PAY-02: the answer "Maybe" is not one the rubric scores'):
        assess(make({"PAY-02": "Maybe"}), as_of=AS_OF)


def test_a_single_choice_given_as_text_is_matched_whole():
    d = assess(make({"DATA-01": "ISO/IEC 27701"}), as_of=AS_OF)
    assert (line(d, "DATA-01").rule, line(d, "DATA-01").points) == ("DATA-01:any of ISO/IEC 27701", 5)


def test_the_otherwise_points_come_from_the_rubric():
    from scoring.rubric import MultiRule, QuestionRule
    rule = QuestionRule(rules=(MultiRule(any_of=("ISO/IEC 27001",), points=10),), otherwise=2)
    assert score_answer(Q.by_id["DATA-01"], rule, ["None"])[:2] == (2, "otherwise")


def test_principle_and_pay_lines_in_full():
    d = assess(make(countries=(("DE", 100, "19.99", "EUR"),)), policy=OrgPolicy(version="lw", living_wages={
        "DE": LivingWage(iso2="DE", hourly=Decimal(20), currency="EUR", source="WI", as_of="2026")}), as_of=AS_OF)
    by_rule = {c.rule: c for c in d.explanation}
    na = by_rule["principle.informed_consent.not_applicable"]
    assert (na.principle, na.as_of, na.source) == ("informed_consent", "2026-11-23", "RDE-1-rubric v1.0.0")
    pilot = by_rule["principle.pilot"]
    assert (pilot.principle, pilot.points, pilot.max_points, pilot.as_of, pilot.note) == (
        "pilot", 100, 100, "2026-11-23", "13 of 13 points; weight 6")
    statutory, living = by_rule["pay.statutory_minimum.meets"], by_rule["pay.living_wage.below_living_wage"]
    assert (statutory.points, statutory.max_points) == (0, 0)  # pay floors decide; they carry no points
    assert (living.principle, living.points, living.max_points) == ("fair_pay", 0, 0)


def test_a_principle_worth_one_point_still_counts():
    one = RUBRIC.questions["SUPP-03"].model_copy(update={"points": {"Yes": 1, "No": 0}})
    small = RUBRIC.model_copy(update={"questions": {**RUBRIC.questions, "SUPP-03": one}})
    d = assess(make(), rubric=small, as_of=AS_OF)
    assert d.principles["subcontractors"] == 100 and "subcontractors" not in d.principles_not_applicable


def test_the_overall_line_says_how_it_is_made():
    overall = next(c for c in assess(make(), as_of=AS_OF).explanation if c.rule == "overall")
    assert overall.note == "weighted mean of the applicable principles"


def test_the_hours_assumption_reaches_every_country():
    # 2343 EUR / 120 h = 19.53 EUR an hour (docs/scoring.md: `assess(..., hours_per_month=...)` changes it)
    d = assess(make(countries=(("DE", 100, "19.52", "EUR"),)), hours_per_month=Decimal("120"), as_of=AS_OF)
    assert [k.rule for k in d.knockouts] == ["below_minimum_wage"]
    assert d.geo.countries[0].pay.hours_per_month == Decimal("120")


def test_a_principle_the_rubric_scores_no_question_of_is_left_out():
    kept = {q: r for q, r in RUBRIC.questions.items() if not q.startswith("RESP-")}
    unscored = RUBRIC.model_copy(update={"questions": kept})
    d = assess(make(), rubric=unscored, as_of=AS_OF)
    assert "respect_conduct" in d.principles_not_applicable and "respect_conduct" not in d.principles
    assert d.score == 100


def test_every_country_where_the_gender_question_is_unsafe_is_named():
    d = assess(make(countries=(("GH", 50, 100, "GHS"), ("KE", 50, 200, "KES"))), as_of=AS_OF)
    assert "Gender-identity question unsafe in GH, KE: the SOW's survey leaves it out there." in d.reasons


def test_answers_to_an_unknown_questionnaire_version_are_not_scored_against_another():
    from supplier_models.questionnaire import QuestionnaireNotFound
    old = make().model_copy(update={"questionnaire_version": "0.9.0"})
    with pytest.raises(QuestionnaireNotFound, match="no questionnaire RDE-1 v0.9.0"):
        assess(old, as_of=AS_OF)
