"""The lifecycle's pure rules: review policy, effective decision, remediation tracking, status, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.lifecycle import (
    RegisterRef,
    ReviewView,
    TrackedRemediation,
    attestation_expiry,
    check_review,
    expiry_reminder,
    load_review_policy,
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

POLICY = load_review_policy()
DAY = dt.date(2027, 1, 10)


def _review(action, reviewer="Ana", to=None, knockout=False):
    return ReviewView(action=action, reviewer=reviewer, reason="checked", at=dt.datetime(2027, 1, 1), to_decision=to,
                      override_knockout=knockout)


def _rem(rule, country=None, question=None, answer=None):
    return Remediation(action=f"fix {rule}", due_in_days=30, rule=rule, country=country, question=question,
                       answer=answer if answer is not None else (rule.split(":")[1] if ":" in rule else None))


def test_the_shipped_review_policy_names_conditional_collection_and_vulnerable_groups():
    assert POLICY.required("qualified", {"COMP-03": ["Data annotation"], "VULN-01": "No"}) == []
    assert POLICY.required("conditional", {"COMP-03": ["Data annotation"], "VULN-01": "No"}) == [
        "the decision is conditional"]
    assert POLICY.required("qualified", {"COMP-03": ["Data collection from contributors"], "VULN-01": "Yes"}) == [
        "the vendor collects data from contributors", "the work involves people from vulnerable groups"]
    assert POLICY.required("not_qualified", {"VULN-01": "Yes"}) == []  # a refusal issues no SOW


def test_an_approval_clears_a_pending_review_and_an_override_needs_another_approval():
    state = review_state("conditional", ["the decision is conditional"], [], POLICY)
    assert state.pending and state.decision == "conditional"
    state = review_state("conditional", ["x"], [_review("approve")], POLICY)
    assert not state.pending and state.approved_by == "Ana"
    state = review_state("conditional", [], [_review("override", to="qualified")], POLICY)
    assert state.pending and state.decision == "qualified" and state.overridden
    state = review_state("conditional", [], [_review("override", to="qualified"), _review("approve", "Ben")], POLICY)
    assert not state.pending and state.decision == "qualified" and state.approved_by == "Ben"
    state = review_state("qualified", [], [_review("reject")], POLICY)
    assert state.decision == "not_qualified" and not state.pending


def test_a_review_is_refused_without_a_reason_or_with_an_unflagged_knockout_override_or_by_the_same_person():
    ok = {"reviewer": "Ana", "to_decision": None, "override_knockout": False, "assessed": "conditional",
          "has_knockouts": False, "reviews": [], "policy": POLICY}
    assert check_review("approve", "  ", **ok) == ("a review needs a reason", "reason")
    assert check_review("approve", "evidence seen", **ok) is None
    assert check_review("override", "why", **ok).field == "to"
    knocked = {**ok, "assessed": "not_qualified", "has_knockouts": True, "to_decision": "conditional"}
    assert check_review("override", "why", **knocked).field == "override_knockout"
    assert check_review("override", "why", **{**knocked, "override_knockout": True}) is None
    after = {**ok, "reviews": [_review("override", "Ana", to="qualified")]}
    assert "another reviewer" in check_review("approve", "fine", **after).message
    assert check_review("approve", "fine", **{**after, "reviewer": "Ben"}) is None


def test_remediations_keep_their_id_close_when_no_longer_raised_and_never_reopen_what_evidence_closed():
    first = plan_remediations([], [_rem("PAY-06:Monthly", question="PAY-06"), _rem("below_living_wage", "IN")],
                              new_submission=True)
    assert [code for code, _ in first.open] == ["R1", "R2"] and first.close == []
    tracked = [TrackedRemediation(code=code, key=remediation_key(r), state="open") for code, r in first.open]
    # The next answer to PAY-06 is different but still below the bar: the same matter, the same id.
    again = plan_remediations(tracked, [_rem("PAY-06:Less often than monthly", question="PAY-06"),
                                        _rem("below_living_wage", "IN")], new_submission=True)
    assert again.open == [] and again.close == []
    assert [(code, r.rule) for code, r in again.carried] == [("R1", "PAY-06:Less often than monthly"),
                                                            ("R2", "below_living_wage")]  # as raised now
    # A new submission that meets the bar on pay frequency closes R1; a new matter gets R3.
    better = plan_remediations(tracked, [_rem("below_living_wage", "IN"), _rem("COMM-03:No", question="COMM-03")],
                               new_submission=True)
    assert better.close == ["R1"] and [code for code, _ in better.open] == ["R3"]
    assert [code for code, _ in better.carried] == ["R2"]
    # Rescoring the same answers does not reopen what a reviewer closed with evidence.
    done = [TrackedRemediation(code="R1", key=remediation_key(_rem("PAY-06:Monthly")), state="done",
                               closed_how="evidence")]
    assert plan_remediations(done, [_rem("PAY-06:Monthly")], new_submission=False).open == []
    assert [c for c, _ in plan_remediations(done, [_rem("PAY-06:Monthly")], new_submission=True).open] == ["R2"]


def _closed(code, rule, answer, on=dt.date(2027, 1, 5)):
    return TrackedRemediation(code=code, key=remediation_key(_rem(rule)), state="done", closed_how="evidence",
                              closed_on=on, closed_answer=answer)


def test_a_new_submission_giving_the_answer_that_stands_for_the_evidence_does_not_reopen_it():
    tracked = [_closed("R1", "PAY-06:Monthly", "Monthly"), _closed("R2", "PILOT-01:No", "Yes"),
               TrackedRemediation(code="R3", key=remediation_key(_rem("COMM-03:No")), state="open")]
    # The pre-filled form came back confirmed: PAY-06 still "Monthly" (the answer in force when R1 was closed,
    # the rubric naming no single answer that meets it); PILOT-01 "Yes" raises nothing.
    confirmed = plan_remediations(tracked, [_rem("PAY-06:Monthly"), _rem("COMM-03:No")], new_submission=True)
    assert confirmed.open == [] and confirmed.close == []
    assert [(c, r.rule) for c, r in confirmed.kept] == [("R1", "PAY-06:Monthly")]
    assert confirmed.refs == [RegisterRef("R1", dt.date(2027, 1, 5)), RegisterRef("R3")]  # what Schedule 1 prints
    # Another answer that still falls short opens a new id, as does the answer the evidence replaced.
    changed = plan_remediations(tracked, [_rem("PAY-06:Less often than monthly"), _rem("PILOT-01:No"),
                                          _rem("COMM-03:No")], new_submission=True)
    assert [(c, r.rule) for c, r in changed.open] == [("R4", "PAY-06:Less often than monthly"),
                                                      ("R5", "PILOT-01:No")]
    assert changed.kept == [] and changed.refs == [RegisterRef("R4"), RegisterRef("R5"), RegisterRef("R3")]
    # Closed before the answer was recorded: a new submission reopens it, as it did before.
    unknown = [_closed("R1", "PAY-06:Monthly", None)]
    assert [c for c, _ in plan_remediations(unknown, [_rem("PAY-06:Monthly")], new_submission=True).open] == ["R2"]
    # A rescoring of the same answers keeps it closed whatever it was raised on.
    rescored = plan_remediations(tracked, [_rem("PILOT-01:No")], new_submission=False)
    assert rescored.open == [] and rescored.refs == [RegisterRef("R2", dt.date(2027, 1, 5))]
    assert rescored.close == ["R3"]


def test_the_latest_closing_of_a_matter_is_the_one_that_counts_and_one_matter_raised_twice_shares_its_id():
    tracked = [_closed("R2", "PAY-06:Monthly", "Monthly"), _closed("R9", "PAY-06:Less often than monthly",
                                                                    "Less often than monthly", dt.date(2027, 3, 1))]
    plan = plan_remediations(tracked, [_rem("PAY-06:Less often than monthly"), _rem("PAY-06:Less often than monthly")],
                             new_submission=True)
    assert plan.open == [] and plan.refs == [RegisterRef("R9", dt.date(2027, 3, 1))] * 2
    assert [c for c, _ in plan_remediations(tracked, [_rem("PAY-06:Monthly")], new_submission=True).open] == ["R10"]


def test_a_stored_assessments_ids_are_the_registers_open_or_kept_closed_ones():
    tracked = [_closed("R1", "PAY-06:Monthly", "Monthly"),
               TrackedRemediation(code="R2", key=remediation_key(_rem("COMM-03:No")), state="open"),
               TrackedRemediation(code="R3", key=remediation_key(_rem("PILOT-01:No")), state="done",
                                  closed_how="answer", closed_on=dt.date(2027, 2, 1))]
    assert register_refs(tracked, [_rem("COMM-03:No"), _rem("PAY-06:Monthly")]) == [
        RegisterRef("R2"), RegisterRef("R1", dt.date(2027, 1, 5))]
    assert register_refs(tracked, [_rem("PILOT-01:No")]) is None  # no id it still holds: the SOW numbers its items
    assert register_refs(tracked, []) == []


def test_the_answer_that_stands_for_the_evidence_is_the_one_the_rubric_names_else_the_one_given():
    from scoring import load_rubric

    rubric = load_rubric()
    assert rubric.answer_that_meets("PILOT-01:No") == "Yes" and rubric.answer_that_meets("PAY-05:Yes") == "No"
    for rule in ("PAY-06:Monthly", "PAY-01:Piece rate only", "DEMO-01:Assigned by collectors or annotators",
                 "COMM-02:above", "DATA-01:otherwise", "below_living_wage", "NOPE-01:No"):
        assert rubric.answer_that_meets(rule) is None, rule  # several answers meet it, or no single answer says
    assert standing_answer(_rem("PILOT-01:No", question="PILOT-01"), rubric) == "Yes"
    assert standing_answer(_rem("PAY-06:Monthly", question="PAY-06"), rubric) == "Monthly"
    assert standing_answer(_rem("below_living_wage", "PH", answer="60 PHP"), rubric) == "60 PHP"


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"decision": "qualified"}, "qualified"),
    ({"decision": "conditional"}, "conditional"),
    ({"decision": "not_qualified", "valid_until": DAY - dt.timedelta(days=1)}, "not_qualified"),
    ({"decision": "qualified", "valid_until": DAY - dt.timedelta(days=1)}, "expired"),
    ({"decision": "conditional", "review_pending": True}, "pending_review"),
    ({"decision": "qualified", "overdue_high": 1}, "action_required"),
    ({"decision": "qualified", "reattestation_requested": True}, "reattestation_requested"),
])
def test_status_most_urgent_first(kwargs, status):
    base = {"valid_until": DAY, "as_of": DAY, "review_pending": False, "overdue_high": 0,
            "reattestation_requested": False}
    assert vendor_status(**{**base, **kwargs}) == status


def test_validity_runs_from_the_attestation_and_overdue_is_derived():
    validity = Validity()
    assert attestation_expiry(validity, "qualified", dt.date(2026, 11, 23)) == dt.date(2027, 11, 23)
    assert attestation_expiry(validity, "conditional", dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert remediation_state("open", DAY - dt.timedelta(days=1), DAY) == "overdue"
    assert remediation_state("open", DAY, DAY) == "open"
    assert remediation_state("done", DAY - dt.timedelta(days=9), DAY) == "done"


def test_expiry_reminders_at_60_30_and_7_days_each_once():
    until = DAY + dt.timedelta(days=100)
    assert expiry_reminder(until, DAY) is None
    assert expiry_reminder(until, until - dt.timedelta(days=60)) == 60
    assert expiry_reminder(until, until - dt.timedelta(days=59), sent=[60]) is None
    assert expiry_reminder(until, until - dt.timedelta(days=30), sent=[60]) == 30
    assert expiry_reminder(until, until - dt.timedelta(days=5), sent=[]) == 7  # first run late: only the nearest
    assert expiry_reminder(until, until - dt.timedelta(days=5), sent=[7]) is None
    assert expiry_reminder(until, until + dt.timedelta(days=1)) is None


def test_a_rescoring_never_backdates_gives_notice_and_extends_nothing():
    on = dt.date(2027, 7, 1)
    # A downgrade whose attestation allowed only until a past date: 30 days' notice from the rescoring.
    assert rescored_until(allowed=dt.date(2027, 5, 23), previous=dt.date(2027, 11, 23), on=on,
                          notice_days=30) == dt.date(2027, 7, 31)
    # ... but never past the old end.
    assert rescored_until(allowed=dt.date(2027, 5, 23), previous=dt.date(2027, 7, 10), on=on,
                          notice_days=30) == dt.date(2027, 7, 10)
    # A downgrade the attestation still allows for longer than the notice: what it allows.
    assert rescored_until(allowed=dt.date(2027, 9, 1), previous=dt.date(2027, 11, 23), on=on,
                          notice_days=30) == dt.date(2027, 9, 1)
    # An upgrade keeps what its attestation allows; an already ended qualification stays ended.
    assert rescored_until(allowed=dt.date(2027, 11, 23), previous=dt.date(2027, 5, 23), on=on,
                          notice_days=30) == dt.date(2027, 11, 23)
    assert rescored_until(allowed=dt.date(2027, 2, 1), previous=dt.date(2027, 5, 23), on=on,
                          notice_days=30) == dt.date(2027, 5, 23)
    assert rescored_until(allowed=dt.date(2027, 5, 23), previous=dt.date(2027, 11, 23), on=on,
                          notice_days=0) == on
    # An upgrade whose attestation also ended (a certificate's cap) sets no past date: the end stays as it was.
    assert rescored_until(allowed=dt.date(2027, 6, 1), previous=dt.date(2027, 5, 23), on=on,
                          notice_days=30) == dt.date(2027, 5, 23)


@given(allowed=st.dates(dt.date(2026, 1, 1), dt.date(2029, 1, 1)),
       previous=st.dates(dt.date(2026, 1, 1), dt.date(2029, 1, 1)),
       on=st.dates(dt.date(2026, 1, 1), dt.date(2029, 1, 1)), notice=st.integers(0, 120))
def test_a_rescored_end_is_never_before_the_notice_unless_it_had_ended_and_never_extends_beyond_both(
        allowed, previous, on, notice):
    until = rescored_until(allowed=allowed, previous=previous, on=on, notice_days=notice)
    assert until >= min(previous, on + dt.timedelta(days=notice))
    assert until <= max(allowed, previous)
    assert until == previous or until >= on  # a date set is never in the past; an ended term stays as it ended
    assert until >= allowed or until == previous < on
