"""The lifecycle's pure rules (scoring/lifecycle.py), pinned exactly: each boundary at, one day before and one day
after; each refusal's words and field as a reviewer reads them; each key and id as the register stores it.

Everything is computed inside each test (no module-level or module-scoped result): mutation testing links a test
to the code it runs while it runs (docs/mutation.md).
"""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.lifecycle import (
    RegisterRef,
    ReviewPolicy,
    ReviewView,
    TrackedRemediation,
    attestation_expiry,
    check_review,
    expiry_reminder,
    load_review_policy,
    months_valid,
    newer_versions,
    plan_remediations,
    register_refs,
    remediation_key,
    remediation_state,
    rescored_until,
    review_state,
    standing_answer,
    vendor_status,
)
from scoring.models import Remediation
from scoring.rubric import Validity
from supplier_models.errors import ConfigurationError

DAY = dt.date(2027, 3, 10)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _policy(**kw) -> ReviewPolicy:
    return ReviewPolicy(version="2.0.0", **kw)


def _review(action, reviewer="Ana", to=None, knockout=False):
    return ReviewView(action=action, reviewer=reviewer, reason="checked", at=dt.datetime(2027, 1, 1), to_decision=to,
                      override_knockout=knockout)


def _rem(rule=None, question=None, country=None, action="fix it", answer=None):
    return Remediation(action=action, due_in_days=30, rule=rule, question=question, country=country, answer=answer)


# -- the review policy ------------------------------------------------------------------------------------------------
def test_the_shipped_review_policy_is_read_from_the_package_and_named_by_id_and_version():
    # Rule: with no file given, the shipped scoring/policies/review-1.yaml applies; its key ("review 1.0.0") is what
    # a four-eyes refusal and the audit name.
    policy = load_review_policy()
    assert policy.key == "review 1.0.0"
    assert policy.decisions == ("conditional",) and policy.overrides and policy.four_eyes
    assert load_review_policy(None) == policy


def test_an_organisations_review_policy_file_replaces_the_shipped_one(tmp_path):
    # Rule: FAIRSOURCE_REVIEW_POLICY names a file that replaces the shipped policy whole.
    path = tmp_path / "ours.yaml"
    path.write_text("id: ours\nversion: '3'\ndecisions: [qualified, conditional]\nfour_eyes: false\n", "utf-8")
    policy = load_review_policy(path)
    assert policy.key == "ours 3" and policy.decisions == ("qualified", "conditional") and not policy.four_eyes
    assert policy.required("qualified", {}) == ["the decision is qualified"]


def test_a_review_policy_that_does_not_read_is_refused_naming_the_file(tmp_path):
    # Rule: a broken policy file stops the run with a configuration error naming the file, never a default policy.
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nfour_eyes: maybe\n", "utf-8")
    with pytest.raises(ConfigurationError, match=r"^review policy .*broken\.yaml is invalid: "):
        load_review_policy(path)
    with pytest.raises(ConfigurationError, match=r"^review policy .*missing\.yaml is invalid: "):
        load_review_policy(tmp_path / "missing.yaml")


def test_a_review_is_required_for_the_decisions_and_answers_the_policy_names_never_for_a_refusal():
    # Rule: the reasons are the decision's (when the policy names it) then each answer condition's `why`, in order.
    policy = load_review_policy()
    answers = {"COMP-03": ["Data collection from contributors"], "VULN-01": "Yes"}
    assert policy.required("conditional", answers) == [
        "the decision is conditional", "the vendor collects data from contributors",
        "the work involves people from vulnerable groups"]
    assert policy.required("qualified", {"VULN-01": "No"}) == []
    assert policy.required("not_qualified", answers) == []


# -- validity ---------------------------------------------------------------------------------------------------------
def test_each_decision_lasts_its_months_from_the_attestation():
    # Rule: 12 months qualified, 6 conditional, and a refusal is looked at again after 3 (the rubric's validity).
    validity = Validity()
    assert [months_valid(validity, d) for d in ("qualified", "conditional", "not_qualified")] == [12, 6, 3]
    received = dt.date(2027, 1, 31)
    assert attestation_expiry(validity, "qualified", received) == dt.date(2028, 1, 31)
    assert attestation_expiry(validity, "conditional", received) == dt.date(2027, 7, 31)
    assert attestation_expiry(validity, "not_qualified", received) == dt.date(2027, 4, 30)  # no 31 April
    custom = Validity(qualified_months=24, conditional_months=9, not_qualified_months=1)
    assert [months_valid(custom, d) for d in ("qualified", "conditional", "not_qualified")] == [24, 9, 1]


def test_a_rescored_end_at_its_boundaries():
    # Rule: at least the notice from the rescoring (more when the attestation allows more), never past the old end;
    # an end that had passed stays as it was unless the attestation allows the new decision beyond the rescoring
    # day (an upgrade keeps what its attestation allows); an end on the rescoring's own day is kept.
    on = DAY
    assert rescored_until(allowed=on - days(100), previous=on + days(100), on=on, notice_days=30) == on + days(30)
    assert rescored_until(allowed=on + days(31), previous=on + days(100), on=on, notice_days=30) == on + days(31)
    assert rescored_until(allowed=on + days(29), previous=on + days(100), on=on, notice_days=30) == on + days(30)
    assert rescored_until(allowed=on - days(5), previous=on + days(29), on=on, notice_days=30) == on + days(29)
    assert rescored_until(allowed=on - days(5), previous=on, on=on, notice_days=30) == on  # ends today: kept
    assert rescored_until(allowed=on - days(5), previous=on - days(1), on=on, notice_days=30) == on - days(1)
    assert rescored_until(allowed=on + days(200), previous=on - days(1), on=on, notice_days=30) == on + days(200)


# -- versions ---------------------------------------------------------------------------------------------------------
T0 = dt.datetime(2027, 1, 1, 9)


def test_versions_that_say_their_numbers_are_ordered_by_them_not_as_text():
    # Rule: a run with older data than vendors were assessed with is refused; "newer" compares the numbers a
    # version carries (1.10.0 after 1.9.0; 2026.12-1 after 2026.11-2), whatever the order they were first used in.
    used = {"RDE-1-rubric v1.9.0": T0, "RDE-1-rubric v1.10.0": T0 - days(30), "RDE-1-rubric v1.2.0": T0}
    assert newer_versions("RDE-1-rubric v1.9.0", list(used), used) == ["RDE-1-rubric v1.10.0"]
    assert newer_versions("RDE-1-rubric v1.10.0", list(used), used) == []
    data = ["2026.11-2", "2026.12-1", "2026.11-1", "2027.1-1"]
    assert newer_versions("2026.11-2", data, {}) == ["2026.12-1", "2027.1-1"]
    assert newer_versions("2026.11-10", ["2026.11-9", "2026.11-11"], {}) == ["2026.11-11"]
    assert newer_versions("2027.1-1", data, {}) == []


def test_a_rubrics_version_is_the_number_after_the_last_v_of_its_key():
    # Rule: a rubric's key is "<id> v<version>" and its id may say " v" too ("Acme vendor rubric"): the numbers are
    # those after the last " v".
    keys = ["Acme vendor rubric v1.9.0", "Acme vendor rubric v1.10.0"]
    assert newer_versions(keys[0], keys, {}) == [keys[1]]
    assert newer_versions(keys[1], keys, {}) == []


def test_a_version_with_the_same_numbers_or_first_used_at_the_same_time_is_not_newer():
    # Rule: only a strictly newer version refuses a run: another questionnaire's rubric at the same numbers is not
    # newer, nor a version first used in the same instant as this run's.
    assert newer_versions("RDE-1-rubric v1.2.0", ["RDE-2-rubric v1.2.0"], {}) == []
    assert newer_versions("2026.11-1", ["2026.11.1"], {}) == []
    assert newer_versions("a1b2", ["c3d4"], {"a1b2": T0, "c3d4": T0}) == []


def test_versions_without_numbers_are_ordered_by_when_each_was_first_used():
    # Rule: a policy workbook's hash says no order: the one first used later in the store is the newer; a version
    # this run brings that was never used before counts as the newest (nothing is newer than it).
    used = {"a1b2": T0, "c3d4": T0 + days(1), "e5f6": T0 - days(1)}
    assert newer_versions("a1b2", ["a1b2", "c3d4", "e5f6"], used) == ["c3d4"]
    assert newer_versions("c3d4", ["a1b2", "c3d4", "e5f6"], used) == []
    assert newer_versions("fresh", ["a1b2", "c3d4"], used) == []
    assert newer_versions("a1b2", ["a1b2", "unknown"], used) == []  # a version with no first use is not newer
    # One side numbered and the other not: by first use too.
    used_mixed = {"v-text": T0, "2026.11-1": T0 + days(2), "2026.10-1": T0 - days(2)}
    assert newer_versions("v-text", ["2026.11-1", "2026.10-1"], used_mixed) == ["2026.11-1"]
    assert newer_versions("2026.11-1", ["v-text"], used_mixed) == []


def test_no_version_is_a_version_too():
    # Rule: assessments stored before a version was recorded (None) compare by first use; a run with no version
    # (None) finds newer only what was first used after its own None.
    used = {None: T0, "2026.11-1": T0 + days(1)}
    assert newer_versions(None, [None, "2026.11-1"], used) == ["2026.11-1"]
    assert newer_versions("2026.11-1", [None, "2026.11-1"], used) == []
    assert newer_versions("2026.12-1", [None], {None: T0 + days(5), "2026.12-1": T0}) == [None]
    assert newer_versions("1.2", ["1.2.", "1..2"], {"1.2": T0, "1.2.": T0 + days(1), "1..2": T0 - days(1)}) == ["1.2."]


# -- reviews ----------------------------------------------------------------------------------------------------------
def test_no_review_leaves_the_assessed_decision_pending_when_required():
    # Rule: with no review yet, the effective decision is the assessment's, pending when the policy requires one;
    # nothing is overridden and nobody approved.
    policy = load_review_policy()
    state = review_state("conditional", ["the decision is conditional"], [], policy)
    assert state.model_dump() == {"decision": "conditional", "pending": True, "required": ["the decision is conditional"],
                                  "approved_by": None, "overridden": False, "override_knockout": False}
    assert not review_state("qualified", [], [], policy).pending


def test_an_override_is_pending_a_second_reviewer_with_the_reason_in_words():
    # Rule: an override (with overrides reviewed by the policy) leaves the decision pending another approval and
    # says who overrode to what; an override past a knockout stays flagged after the approval.
    policy = load_review_policy()
    state = review_state("not_qualified", [], [_review("override", "Ana", "conditional", knockout=True)], policy)
    assert state.model_dump() == {"decision": "conditional", "pending": True,
                                  "required": ["Ana overrode the decision to conditional"], "approved_by": None,
                                  "overridden": True, "override_knockout": True}
    approved = review_state("not_qualified", [], [_review("override", "Ana", "conditional", knockout=True),
                                                  _review("approve", "Ben")], policy)
    assert approved.override_knockout and approved.overridden and approved.approved_by == "Ben" and not approved.pending
    flagged_then_not = [_review("override", "Ana", "conditional", knockout=True),
                        _review("override", "Ana", "qualified", knockout=False)]
    assert review_state("not_qualified", [], flagged_then_not, policy).override_knockout  # once flagged, flagged


def test_an_override_needs_no_second_reviewer_when_the_policy_says_so_or_when_it_refuses():
    # Rule: with `overrides: false` an override stands on its own, approved by whoever made it; an override to
    # not_qualified is never pending (a refusal issues no SOW), approved by its reviewer.
    own = review_state("conditional", [], [_review("override", "Ana", "qualified")], _policy(overrides=False))
    assert (own.decision, own.pending, own.approved_by, own.required) == ("qualified", False, "Ana", [])
    refused = review_state("conditional", ["the decision is conditional"],
                           [_review("override", "Ana", "not_qualified")], load_review_policy())
    assert (refused.decision, refused.pending, refused.approved_by) == ("not_qualified", False, "Ana")
    assert refused.required == ["the decision is conditional"]
    same = review_state("conditional", [], [_review("override", "Ana", None)], load_review_policy())
    assert same.decision == "conditional" and same.pending  # no decision given: the one in force


def _ok(**kw):
    base = {"reviewer": "Ana", "to_decision": None, "override_knockout": False, "assessed": "conditional",
            "has_knockouts": False, "reviews": [], "policy": load_review_policy()}
    return {**base, **kw}


def test_each_refused_review_says_why_in_words_and_names_the_field():
    # Rule: the web form shows the message next to the field it names; the command line prints the message.
    assert check_review("approve", " \t", **_ok()) == ("a review needs a reason", "reason")
    assert check_review("approve", "seen", **_ok(reviewer="  ")) == ("a review needs the reviewer's name", "reviewer")
    assert check_review("override", "why", **_ok()) == (
        "an override needs the decision it sets: qualified, conditional or not qualified", "to")
    assert check_review("override", "why", **_ok(to_decision="approved")).field == "to"
    assert check_review("override", "why", **_ok(has_knockouts=True, to_decision="qualified")) == (
        "the assessment has a knockout: an override past it must say so, and is flagged in the report and the SOW "
        "record", "override_knockout")
    assert check_review("reject", "why", **_ok(to_decision="qualified")) == (
        "a decision to override to goes with an override, not with reject", "to")
    assert check_review("approve", "why", **_ok(to_decision="qualified")) == (
        "a decision to override to goes with an override, not with approve", "to")


def test_a_knockout_needs_no_flag_to_confirm_a_refusal_and_a_flagged_override_is_recorded():
    # Rule: only an override PAST a knockout (to a decision that issues a SOW) must be flagged.
    assert check_review("override", "why", **_ok(has_knockouts=True, to_decision="not_qualified")) is None
    assert check_review("override", "why", **_ok(has_knockouts=True, to_decision="conditional",
                                                 override_knockout=True)) is None
    assert check_review("override", "why", **_ok(to_decision="qualified")) is None


def test_the_four_eyes_rule_refuses_only_the_approval_by_whoever_made_the_last_override():
    # Rule: another reviewer approves an override (names compared without case or surrounding spaces); the person
    # who overrode may still reject or override again; a policy without four_eyes lets them approve.
    reviews = [_review("override", "Ben", "qualified"), _review("override", "Ana", "conditional")]
    assert check_review("approve", "fine", **_ok(reviewer="Ana", reviews=reviews)) == (
        "Ana made the override: another reviewer approves it (four-eyes rule of the review policy review 1.0.0)",
        "reviewer")
    assert check_review("approve", "fine", **_ok(reviewer=" ANA ", reviews=reviews)).field == "reviewer"
    assert check_review("approve", "fine", **_ok(reviewer="Ben", reviews=reviews)) is None  # not the last override
    assert check_review("reject", "no", **_ok(reviewer="Ana", reviews=reviews)) is None
    assert check_review("override", "no", **_ok(reviewer="Ana", reviews=reviews, to_decision="qualified")) is None
    assert check_review("approve", "fine", **_ok(reviewer="Ana", reviews=reviews,
                                                 policy=_policy(four_eyes=False))) is None
    assert check_review("approve", "fine", **_ok(reviewer="Ana", reviews=[_review("approve", "Ana")])) is None


# -- remediations -----------------------------------------------------------------------------------------------------
def test_a_remediations_matter_is_its_rule_else_its_question_else_its_action_and_its_country():
    # Rule: the register's key, the same from one assessment to the next (the answer after ':' dropped).
    assert remediation_key(_rem(rule="PAY-06:Monthly", question="PAY-06")) == "PAY-06|"
    assert remediation_key(_rem(rule="PAY-06:Monthly")) == "PAY-06|"
    assert remediation_key(_rem(question="COMM-03")) == "COMM-03|"
    assert remediation_key(_rem(action="Publish a grievance channel")) == "Publish a grievance channel|"
    assert remediation_key(_rem(rule="below_living_wage", country="IN")) == "below_living_wage|IN"


def test_new_ids_follow_the_highest_r_number_and_other_codes_count_as_none():
    # Rule: ids are R1, R2 ... never reused; a code not of the R<n> form does not move the numbering.
    legacy = [TrackedRemediation(code="legacy-7", key="OLD|", state="done")]
    assert [c for c, _ in plan_remediations(legacy, [_rem("PAY-06:Monthly")], new_submission=True).open] == ["R1"]
    tracked = legacy + [TrackedRemediation(code="R9", key="X|", state="done"),
                        TrackedRemediation(code="R10", key="Y|", state="done")]
    assert [c for c, _ in plan_remediations(tracked, [_rem("PAY-06:Monthly")], new_submission=True).open] == ["R11"]


def test_only_evidence_keeps_a_closed_remediation_closed():
    # Rule: a remediation closed because a later answer met the bar ("answer") reopens under a new id when it is
    # raised again, even on the same answers; one closed with evidence stays closed.
    by_answer = [TrackedRemediation(code="R1", key="PAY-06|", state="done", closed_how="answer",
                                    closed_on=DAY, closed_answer="Monthly")]
    plan = plan_remediations(by_answer, [_rem("PAY-06:Monthly", answer="Monthly")], new_submission=False)
    assert [c for c, _ in plan.open] == ["R2"] and plan.kept == [] and plan.refs == [RegisterRef("R2")]
    open_one = [TrackedRemediation(code="R1", key="PAY-06|", state="open", closed_how="evidence")]
    again = plan_remediations(open_one, [_rem("PAY-06:Monthly")], new_submission=False)
    assert [c for c, _ in again.carried] == ["R1"] and again.kept == [] and again.refs == [RegisterRef("R1")]


def test_a_matter_raised_twice_is_one_item_and_the_ones_after_it_still_count():
    # Rule: one id per matter; every remediation raised gets its Schedule 1 reference, in order.
    plan = plan_remediations([], [_rem("PAY-06:Monthly"), _rem("PAY-06:Less often than monthly"),
                                  _rem("COMM-03:No")], new_submission=True)
    assert [(c, r.rule) for c, r in plan.open] == [("R1", "PAY-06:Monthly"), ("R2", "COMM-03:No")]
    assert plan.refs == [RegisterRef("R1"), RegisterRef("R1"), RegisterRef("R2")]


def test_a_stored_assessment_names_an_open_item_without_a_closing_day_and_an_unknown_matter_with_none():
    # Rule: Schedule 1 prints an open item's id alone (even one closed once and reopened); a matter the register
    # does not hold makes the SOW number its items.
    reopened = [TrackedRemediation(code="R4", key="PAY-06|", state="open", closed_how="evidence", closed_on=DAY)]
    assert register_refs(reopened, [_rem("PAY-06:Monthly")]) == [RegisterRef("R4", None)]
    assert register_refs(reopened, [_rem("COMM-03:No")]) is None
    assert register_refs(reopened, [_rem("PAY-06:Monthly"), _rem("COMM-03:No")]) is None


def test_the_standing_answer_is_found_by_the_rule_or_else_the_question():
    # Rule: the answer that meets the bar is looked up by the rule that raised it, or by its question when it has
    # no rule; with neither (or a country rule), the answer it was raised on stands.
    from scoring import load_rubric

    rubric = load_rubric()
    assert standing_answer(_rem(rule="PILOT-01:No", answer="No"), rubric) == "Yes"
    assert standing_answer(_rem(question="PILOT-01", answer="No"), rubric) == "Yes"
    assert standing_answer(_rem(answer="Monthly"), rubric) == "Monthly"
    assert standing_answer(_rem(rule="below_living_wage", country="PH", answer="60 PHP"), rubric) == "60 PHP"


def test_a_remediation_is_overdue_from_the_day_after_its_due_date():
    # Rule: due on a day means done by the end of it: overdue the next day; a done one is never overdue.
    assert remediation_state("open", DAY, DAY) == "open"
    assert remediation_state("open", DAY, DAY + days(1)) == "overdue"
    assert remediation_state("open", DAY, DAY - days(1)) == "open"
    assert remediation_state("done", DAY, DAY + days(1)) == "done"


# -- status and reminders ---------------------------------------------------------------------------------------------
def test_a_qualification_is_valid_on_its_last_day_and_expired_the_day_after():
    # Rule: `valid_until` is the last day of the qualification.
    base = {"decision": "qualified", "review_pending": False, "overdue_high": 0, "reattestation_requested": False}
    assert vendor_status(valid_until=DAY, as_of=DAY - days(1), **base) == "qualified"
    assert vendor_status(valid_until=DAY, as_of=DAY, **base) == "qualified"
    assert vendor_status(valid_until=DAY, as_of=DAY + days(1), **base) == "expired"
    every = {**base, "review_pending": True, "overdue_high": 2, "reattestation_requested": True}
    assert vendor_status(valid_until=DAY, as_of=DAY + days(1), **every) == "expired"
    assert vendor_status(valid_until=DAY, as_of=DAY, **every) == "pending_review"
    assert vendor_status(valid_until=DAY, as_of=DAY, **{**every, "review_pending": False}) == "action_required"
    assert vendor_status(valid_until=DAY, as_of=DAY, **{**every, "review_pending": False, "overdue_high": 0}) == (
        "reattestation_requested")


@pytest.mark.parametrize(("before", "due"), [
    (61, None), (60, 60), (59, 60), (31, 60), (30, 30), (29, 30), (8, 30), (7, 7), (1, 7), (0, 7), (-1, None)])
def test_the_expiry_reminder_due_at_each_distance_from_the_end_when_none_was_sent(before, due):
    # Rule: reminders 60, 30 and 7 days before the last valid day, the nearest crossed; none after the end.
    assert expiry_reminder(DAY, DAY - days(before)) == due


def test_an_expiry_reminder_is_not_sent_again_nor_a_farther_one_after_a_nearer():
    # Rule: each reminder once; after the 30-day one the 60-day one is never sent (a late first run).
    assert expiry_reminder(DAY, DAY - days(45), sent=[60]) is None
    assert expiry_reminder(DAY, DAY - days(45), sent=[30]) is None
    assert expiry_reminder(DAY, DAY - days(45), sent=[7]) is None
    assert expiry_reminder(DAY, DAY - days(30), sent=[60]) == 30
    assert expiry_reminder(DAY, DAY - days(7), sent=(60, 30)) == 7
    assert expiry_reminder(DAY, DAY - days(6), sent=[7]) is None
