"""Remediations say what evidence closes them: the rubric states it per rule, each decision carries it, and a
decision stored before it existed still reads."""

from __future__ import annotations

import pytest

from scoring import Decision, Remediation, assess, load_rubric
from scoring.rubric import RemediationRule
from tests.helpers.scoring_inputs import AS_OF, make


def _every_rule(rubric):
    for qid, rule in rubric.questions.items():
        for answer, fix in rule.remediation.items():
            yield f"{qid}:{answer}", fix
        for band in rule.bands or ():
            if band.remediation:
                yield f"{qid}:{band.key}", band.remediation
    yield from rubric.country_remediations.items()


def test_every_remediation_of_the_shipped_rubric_says_what_evidence_closes_it():
    rubric = load_rubric()
    rules = list(_every_rule(rubric))
    assert len(rules) > 40
    for rule, fix in rules:
        assert fix.evidence and len(fix.evidence) > 20, rule
        assert rubric.evidence_for(rule, fix.action) == fix.evidence, rule


def test_evidence_is_found_by_the_rule_and_for_a_question_with_several_fixes_by_the_action():
    rubric = load_rubric()
    monthly = rubric.evidence_for("PAY-06", "Pay workers at least every two weeks.")
    rarely = rubric.evidence_for("PAY-06", "Pay workers at least monthly, and move to every two weeks.")
    assert "signed pay calendar" in monthly and monthly != rarely
    assert rubric.evidence_for("below_living_wage", "anything") == \
        rubric.country_remediations["below_living_wage"].evidence
    assert rubric.evidence_for("PAY-06", "an action no rule has") is None
    assert rubric.evidence_for("NOPE-01", "x") is None


def test_a_decision_carries_each_remediations_evidence():
    decision = assess(make({"PAY-06": "Monthly", "COMM-03": "No"}, countries=(("UA", 100, 200, "UAH"),)),
                      as_of=AS_OF)
    by_rule = {r.rule: r for r in decision.remediations}
    assert "signed pay calendar" in by_rule["PAY-06:Monthly"].evidence
    assert by_rule["COMM-03:No"].evidence.startswith("The grievance procedure")
    assert by_rule["high_geo_risk"].evidence.startswith("The signed safety")  # a country rule's too
    assert all(r.evidence for r in decision.remediations)
    assert "evidence" in decision.model_dump(mode="json")["remediations"][0]


def test_evidence_is_optional_so_stored_decisions_and_older_rubrics_still_read():
    old = assess(make({"PAY-06": "Monthly"}), as_of=AS_OF).model_dump(mode="json")
    for r in old["remediations"]:
        del r["evidence"]  # as a decision stored before evidence existed
    assert all(r.evidence is None for r in Decision.model_validate(old).remediations)
    assert Remediation(action="x", due_in_days=3).evidence is None
    assert RemediationRule(action="x", due_in_days=3).evidence is None
    with pytest.raises(ValueError):
        RemediationRule(action="x", due_in_days=3, evidence_needed="a typo is refused")


def test_a_decision_records_the_answer_each_remediation_was_raised_on():
    """What the register compares a later submission with (scoring.lifecycle.plan_remediations)."""
    decision = assess(make({"PAY-06": "Monthly", "COMM-02": 72, "DATA-01": ["None"], "PAY-02": "Yes"},
                           countries=(("UA", 100, 20, "UAH"),)), as_of=AS_OF)
    by_rule = {r.rule: r for r in decision.remediations}
    assert by_rule["PAY-06:Monthly"].answer == "Monthly"
    assert by_rule["COMM-02:above"].answer == "72"
    assert by_rule["DATA-01:otherwise"].answer == "None"
    assert by_rule["high_geo_risk"].answer == "UA"
    assert by_rule["below_minimum_wage"].answer == "20 UAH"
    assert by_rule["pay_declaration_mismatch"].answer == "Yes"
    assert Decision.model_validate(decision.model_dump(mode="json")) == decision
