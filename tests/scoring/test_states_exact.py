"""The lifecycle's state machine (scoring/states.py), pinned exactly: each transition's effect on every field, each
notice's kind and subject, and each date boundary (at, one day before, one day after) of the status, the expiry
reminders, the repeats, the form, `next_action_on` and `holds_until` (docs/lifecycle.md).

Everything is computed inside each test (no module-level or module-scoped result): mutation testing links a test
to the code it runs while it runs (docs/mutation.md).
"""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.states import (
    Event,
    Item,
    Notice,
    Rules,
    VendorState,
    _item_is,
    fold,
    holds_until,
    may_issue_sow,
    next_action_on,
    precedence_table,
    repeat_subject,
    status_on,
    step,
    transition_for,
    transition_table,
)

D = dt.date(2027, 1, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def attested(on: dt.date, sub: str = "S1", decision: str = "qualified", allowed: dt.date | None = None,
             review: bool = False, items: tuple[Item, ...] = ()) -> Event:
    return Event("attested", on, submission=sub, decision=decision, allowed=allowed, review_required=review,
                 items=items)


def qualified(until: dt.date, on: dt.date = D, **kw) -> VendorState:
    """A vendor qualified on S1 until `until`, as of `on`."""
    return VendorState(**{"decision": "qualified", "assessed": "qualified", "submission": "S1", "until": until,
                          "on": on, **kw})


def told(events: list[Event], rules: Rules | None = None) -> list[tuple[str, str, str]]:
    """(date, kind, subject) of every notice the events give, in order (under the default rules when None)."""
    return [(n.on.isoformat(), n.kind, n.subject) for n in fold(events, rules or Rules())[1]]


# -- the state's own readings ------------------------------------------------------------------------------------------
def test_a_refusal_has_a_review_date_not_a_valid_until_and_overdue_is_from_the_day_after_due():
    # Rule: for a refusal `until` is the day it is looked at again (review_on), otherwise the qualification's end
    # (valid_until); an open item is overdue from the day after its due date, a closed one never.
    refused = VendorState(decision="not_qualified", until=day(90))
    assert (refused.refused, refused.valid_until, refused.review_on) == (True, None, day(90))
    ok = qualified(day(90))
    assert (ok.refused, ok.valid_until, ok.review_on) == (False, day(90), None)
    items = (Item("R1", day(10), "high"), Item("R2", day(10), "medium", open=False), Item("R3", day(11)))
    state = qualified(day(90), items=items)
    assert state.open_items() == [items[0], items[2]]
    assert state.overdue(day(10)) == []
    assert state.overdue(day(11)) == [items[0]]
    assert state.overdue(day(12)) == [items[0], items[2]]


def test_what_a_reader_sees_is_everything_but_the_last_events_date_and_the_notices_told():
    # Rule: a state kept event by event and one rebuilt from the history compare by their facts; they may differ
    # in the date of the last event and in what was told, nothing else.
    a = qualified(day(90), on=day(1), told={"expiry_60:S1": day(30)})
    b = qualified(day(90), on=day(40), told={})
    assert a.facts() == b.facts()
    assert a.facts() == ("qualified", "qualified", "S1", day(90), False, (), None, None)
    assert qualified(day(90), invited_on=D).facts() != a.facts()


# -- status ------------------------------------------------------------------------------------------------------------
def test_there_is_no_status_before_an_attestation():
    # Rule: a vendor with no attestation has no status (the web app shows it as awaiting its submission).
    assert status_on(VendorState(), D) is None
    assert status_on(VendorState(decision="qualified"), D) is None
    assert status_on(VendorState(until=day(10)), D) is None


@pytest.mark.parametrize(("state", "on", "status"), [
    (qualified(day(10)), day(9), "qualified"),
    (qualified(day(10)), day(10), "qualified"),  # the last valid day
    (qualified(day(10)), day(11), "expired"),
    (qualified(day(10), decision="conditional"), day(10), "conditional"),
    (qualified(day(10), decision="not_qualified"), day(400), "not_qualified"),  # a refusal never "expires"
    (qualified(day(10), review_pending=True), day(10), "pending_review"),
    (qualified(day(10), review_pending=True, reattestation_on=D), day(11), "expired"),  # expired over the rest
    (qualified(day(10), items=(Item("R1", day(5), "high"),)), day(5), "qualified"),
    (qualified(day(10), items=(Item("R1", day(5), "high"),)), day(6), "action_required"),
    (qualified(day(10), items=(Item("R1", day(5), "medium"),)), day(6), "qualified"),
    (qualified(day(10), items=(Item("R1", day(5), "high", open=False),)), day(6), "qualified"),
    (qualified(day(10), review_pending=True, items=(Item("R1", day(5), "high"),)), day(6), "pending_review"),
    (qualified(day(10), reattestation_on=D, items=(Item("R1", day(5), "high"),)), day(6), "action_required"),
    (qualified(day(10), reattestation_on=D), day(6), "reattestation_requested"),
])
def test_the_status_on_a_day_is_the_first_of_the_documented_precedence_that_holds(state, on, status):
    # Rule: docs/lifecycle.md, "Status, most urgent first".
    assert status_on(state, on) == status


def test_a_sow_is_issued_on_the_last_valid_day_not_the_day_after_and_never_for_a_refusal():
    # Rule: no SOW for an expired or refused vendor, nor for a term that has ended; a pending review gets a draft.
    assert may_issue_sow(qualified(day(10)), day(10))
    assert not may_issue_sow(qualified(day(10)), day(11))
    assert may_issue_sow(qualified(day(10), review_pending=True), day(10))
    assert not may_issue_sow(qualified(day(10), decision="not_qualified"), day(1))
    assert not may_issue_sow(VendorState(), day(1))
    assert not may_issue_sow(VendorState(decision="qualified"), day(1))


# -- holds_until -------------------------------------------------------------------------------------------------------
def test_a_row_holds_until_the_qualifications_last_day_or_an_open_items_due_date():
    # Rule: the last day the status and overdue items hold by the calendar alone: the day before the end passes or
    # an open item falls overdue; a closed item and an item already overdue change nothing ahead.
    assert holds_until(qualified(day(100))) == day(100)
    assert holds_until(qualified(day(100), items=(Item("R1", day(10)),))) == day(10)
    assert holds_until(qualified(day(100), items=(Item("R1", day(10), open=False),))) == day(100)
    assert holds_until(qualified(day(100), on=day(10), items=(Item("R1", day(10)),))) == day(10)  # due today
    assert holds_until(qualified(day(100), on=day(11), items=(Item("R1", day(10)),))) == day(100)  # overdue already
    assert holds_until(qualified(day(100), on=day(100))) == day(100)  # the last valid day
    assert holds_until(qualified(day(100), on=day(101))) is None  # expired: nothing changes by date


def test_a_refusal_holds_until_an_open_item_falls_overdue_or_for_good():
    # Rule: a refusal does not expire; only its open items change by date.
    refused = VendorState(decision="not_qualified", assessed="not_qualified", submission="S1", until=day(90), on=D)
    assert holds_until(refused) is None
    assert holds_until(VendorState(**{**_fields(refused), "items": (Item("R1", day(5)),)})) == day(5)


def test_a_row_with_nothing_known_holds_for_no_day():
    # Rule: no attestation (no decision or no end) or no day computed: no holds_until.
    assert holds_until(VendorState(on=D, until=day(10))) is None
    assert holds_until(VendorState(decision="qualified", until=day(10))) is None
    assert holds_until(VendorState(decision="qualified", on=D)) is None


def _fields(state: VendorState) -> dict:
    return {f: getattr(state, f) for f in state.__slots__}


# -- next_action_on ----------------------------------------------------------------------------------------------------
def test_the_next_action_date_walks_through_the_reminders_the_form_and_the_expiry():
    # Rule: reminders 60, 30 and 7 days before the end, the form 30 days before it (until asked), the day after the
    # end; each day the next one after the state's day.
    until = day(365)
    assert next_action_on(qualified(until)) == day(305)  # 60 days before
    assert next_action_on(qualified(until, on=day(304))) == day(305)
    assert next_action_on(qualified(until, on=day(305))) == day(335)  # the form and the 30-day reminder
    assert next_action_on(qualified(until, on=day(335), reattestation_on=day(335))) == day(358)
    assert next_action_on(qualified(until, on=day(358), reattestation_on=day(335))) == day(366)  # expired
    assert next_action_on(qualified(until, on=day(340))) == day(341)  # the form owed since day 335: tomorrow


def test_the_next_action_date_of_a_refusal_is_its_form_and_its_items():
    # Rule: a refusal gets no expiry reminder; the form goes 30 days before its review date; its items still fall
    # overdue (the day after due); with the form asked and nothing open, nothing is ahead.
    refused = VendorState(decision="not_qualified", assessed="not_qualified", submission="S1", until=day(90), on=D)
    assert next_action_on(refused) == day(60)
    asked = VendorState(**{**_fields(refused), "reattestation_on": day(60), "on": day(60)})
    assert next_action_on(asked) is None
    assert next_action_on(VendorState(**{**_fields(asked), "items": (Item("R1", day(70)),)})) == day(71)


def test_an_open_item_is_next_the_day_after_its_due_date():
    # Rule: a remediation falls overdue the day after its due date.
    assert next_action_on(qualified(day(365), items=(Item("R1", day(20)),))) == day(21)
    assert next_action_on(qualified(day(365), items=(Item("R1", day(20), open=False),))) == day(305)


def test_what_is_still_not_done_is_next_the_repeat_days_after_it_was_last_told():
    # Rule: an expired qualification, an overdue item or a review waiting is told again `repeat_days` after the
    # last time; once done, no repeat is due.
    expired = qualified(day(10), on=day(11), reattestation_on=D, told={"expired:S1": day(11)})
    assert next_action_on(expired) == day(18)
    assert next_action_on(expired, Rules(repeat_days=3)) == day(14)
    overdue = qualified(day(100), on=day(11), items=(Item("R1", day(10)),), told={"overdue:R1": day(11)})
    assert next_action_on(overdue) == day(18)
    done = qualified(day(100), on=day(11), items=(Item("R1", day(10), open=False),), told={"overdue:R1": day(11)})
    assert next_action_on(done) == day(40)  # the 60-day reminder, no repeat
    waiting = qualified(day(100), on=day(11), review_pending=True, told={"review_waiting:S1:qualified": day(9)})
    assert next_action_on(waiting) == day(16)
    # A repeat ahead does not hide what comes before it: another item falling overdue, the 60-day reminder.
    second = qualified(day(100), on=day(11), items=(Item("R1", day(10)), Item("R2", day(12))),
                       told={"overdue:R1": day(11)})
    assert next_action_on(second) == day(13)
    assert next_action_on(qualified(day(65), on=day(3), review_pending=True,
                                    told={"review_waiting:S1:qualified": day(3)})) == day(5)


def test_each_matter_repeats_from_the_last_time_it_was_told_under_any_of_its_subjects():
    # Rule: the repeats of one matter (`R1`, `R1@w1` ...) count from the latest; two matters each from their own.
    two = qualified(day(100), on=day(14), review_pending=True, items=(Item("R1", day(10)),),
                    told={"overdue:R1": day(11), "review_waiting:S1:qualified": day(14)})
    assert next_action_on(two) == day(18)  # R1's repeat, before the review's (day 21)
    # The repeat period was 3 days, now it is 7: R1@w1, told on day 14, counts, not R1 on day 11.
    again = qualified(day(100), on=day(14), items=(Item("R1", day(10)),),
                      told={"overdue:R1": day(11), "overdue:R1@w1": day(14)})
    assert next_action_on(again) == day(21)
    # ... whatever order the subjects are held in (a mapping read back has none).
    backwards = qualified(day(100), on=day(14), items=(Item("R1", day(10)),),
                          told={"overdue:R1@w1": day(14), "overdue:R1": day(11)})
    assert next_action_on(backwards) == day(21)


def test_nothing_is_next_before_an_attestation_or_without_a_day():
    # Rule: no attestation (no decision or no end) or no day computed: no next action date.
    assert next_action_on(VendorState(on=D, until=day(10))) is None
    assert next_action_on(VendorState(decision="qualified", on=D)) is None
    assert next_action_on(VendorState(decision="qualified", until=day(10))) is None


# -- transitions -------------------------------------------------------------------------------------------------------
def test_a_new_attestation_replaces_the_decision_the_end_the_review_and_answers_the_form():
    # Rule: decision as assessed; until = what the attestation allows; review pending if the policy requires one;
    # raised remediations open, the others closed; a form asked for is answered.
    before = qualified(day(30), decision="conditional", review_pending=True, reattestation_on=day(5), on=day(5),
                       invited_on=D, items=(Item("R1", day(20), "high"), Item("R2", day(25))))
    after, notices = step(before, attested(day(10), "S2", "qualified", day(375), items=(Item("R2", day(40)),
                                                                                      Item("R3", day(50)))))
    assert after == VendorState(decision="qualified", assessed="qualified", submission="S2", until=day(375),
                                review_pending=False, items=(Item("R1", day(20), "high", open=False),
                                                             Item("R2", day(40)), Item("R3", day(50))),
                                reattestation_on=None, invited_on=D, on=day(10),
                                told={"decision:2027-01-11:qualified": day(10)})
    assert notices == [Notice("decision_changed", "decision:2027-01-11:qualified", day(10))]


def test_an_attestation_allowing_nothing_or_a_past_date_ends_on_its_own_day():
    # Rule: no transition sets `until` before the event's date.
    assert step(VendorState(), attested(day(10)))[0].until == day(10)
    assert step(VendorState(), attested(day(10), allowed=day(3)))[0].until == day(10)
    first, notices = step(VendorState(), attested(day(10), review=True, decision="conditional", allowed=day(200)))
    assert (first.decision, first.until, first.review_pending) == ("conditional", day(200), True)
    assert [n.kind for n in notices] == ["review_waiting"]  # the first decision is no change


def test_the_same_attestation_again_changes_nothing_a_reviewer_did():
    # Rule: the same attestation again: nothing changes (an override stays).
    state, _ = fold([attested(D, allowed=day(365)), Event("reviewed", day(1), action="override",
                                                           to_decision="conditional", overrides_reviewed=False)])
    again, notices = step(state, attested(day(2), allowed=day(500), decision="qualified"))
    assert again.facts() == state.facts() and notices == []


def test_a_rescoring_before_any_attestation_or_a_review_before_any_attestation_changes_nothing():
    # Rule: rescored / reviewed before any attestation: nothing changes, nothing is told.
    for e in (Event("rescored", D, decision="qualified", allowed=day(100)), Event("reviewed", D, action="reject")):
        after, notices = step(VendorState(), e)
        assert after == VendorState(on=D) and notices == []


def test_a_rescoring_to_another_decision_takes_its_decision_review_and_notice_end():
    # Rule: decision as assessed; until = rescored_until (at least the notice, never past the old end); review
    # pending as the new assessment requires; the decision change is told.
    state, _ = fold([attested(D, allowed=day(365), items=(Item("R1", day(30)),))])
    after, notices = step(state, Event("rescored", day(100), decision="conditional", allowed=day(50),
                                       review_required=True, items=(Item("R2", day(130)),)))
    assert after.facts() == ("conditional", "conditional", "S1", day(130), True,
                             (Item("R1", day(30), open=False), Item("R2", day(130))), None, None)
    assert notices[0] == Notice("decision_changed", "decision:2027-04-11:conditional", day(100))
    no_allowed, _ = step(state, Event("rescored", day(100), decision="conditional"))
    assert no_allowed.until == day(130)  # nothing allowed: the notice


def test_a_rescoring_to_the_same_decision_keeps_what_a_reviewer_decided():
    # Rule: a review of the same decision still counts: the override and its pending state stay; nothing is told.
    state, _ = fold([attested(D, decision="conditional", allowed=day(180), review=True),
                     Event("reviewed", day(1), action="override", to_decision="qualified")])
    after, notices = step(state, Event("rescored", day(100), decision="conditional", allowed=day(180),
                                       review_required=False))
    assert (after.decision, after.assessed, after.review_pending, after.until) == (
        "qualified", "conditional", True, day(180))
    assert [n.kind for n in notices] == ["review_waiting"]  # still waiting (its repeat), no decision change


def test_a_rescored_end_never_passes_the_old_one_and_an_unknown_end_counts_as_the_day():
    # Rule: never past the old end; a state with no end yet (none before an attestation) takes the rescoring day.
    state = qualified(day(40), on=D)
    assert step(state, Event("rescored", day(20), decision="qualified", allowed=day(365)))[0].until == day(365)
    assert step(state, Event("rescored", day(20), decision="conditional", allowed=day(25)))[0].until == day(40)
    no_end = VendorState(decision="qualified", assessed="qualified", submission="S1", on=D)
    assert step(no_end, Event("rescored", day(20), decision="conditional", allowed=day(25)))[0].until == day(25)


@pytest.mark.parametrize(("review", "decision", "pending"), [
    (Event("reviewed", day(5), action="approve"), "conditional", False),
    (Event("reviewed", day(5), action="reject"), "not_qualified", False),
    (Event("reviewed", day(5), action="override", to_decision="qualified"), "qualified", True),
    (Event("reviewed", day(5), action="override", to_decision="qualified", overrides_reviewed=False), "qualified",
     False),
    (Event("reviewed", day(5), action="override", to_decision="not_qualified"), "not_qualified", False),
    (Event("reviewed", day(5), action="override"), "conditional", True),  # no decision given: the one in force
])
def test_a_review_sets_the_decision_and_whether_another_review_is_pending(review, decision, pending):
    # Rule: approve: no review pending; reject: refused; override: the decision set, pending a second reviewer
    # when the policy says so (never for a refusal). Its outcome is told once.
    state, _ = fold([attested(D, decision="conditional", allowed=day(180), review=True)])
    after, notices = step(state, review)
    assert (after.decision, after.assessed, after.review_pending) == (decision, "conditional", pending)
    assert after.facts()[2:4] == ("S1", day(180))
    subject = f"review:2027-01-06:{review.action}:{review.to_decision}"
    assert notices[0] == Notice("review_outcome", subject, day(5))


def test_closing_an_item_closes_that_one_only_and_a_closed_or_unknown_one_changes_nothing():
    # Rule: remediation_closed: the item is closed; closed or unknown: nothing changes.
    items = (Item("R1", day(10), "high"), Item("R2", day(20)))
    state = qualified(day(100), items=items)
    after, notices = step(state, Event("remediation_closed", day(5), code="R1"))
    assert after.items == (Item("R1", day(10), "high", open=False), Item("R2", day(20))) and notices == []
    again, _ = step(after, Event("remediation_closed", day(6), code="R1"))
    assert again.items == after.items
    assert step(state, Event("remediation_closed", day(6), code="R9"))[0].items == items


def test_reopening_a_closed_item_opens_it_due_no_earlier_than_the_day():
    # Rule: remediation_reopened: the item is open again, due no earlier than the date; an open or unknown one:
    # nothing changes.
    items = (Item("R1", day(10), "high", open=False), Item("R2", day(20), open=False), Item("R3", day(30)))
    state = qualified(day(100), items=items, on=day(12))
    later, _ = step(state, Event("remediation_reopened", day(15), code="R1", due=day(45)))
    assert later.items == (Item("R1", day(45), "high"), items[1], items[2])
    earlier, _ = step(state, Event("remediation_reopened", day(15), code="R1", due=day(13)))
    assert earlier.items[0] == Item("R1", day(15), "high")
    undated, _ = step(state, Event("remediation_reopened", day(15), code="R2"))
    assert undated.items == (items[0], Item("R2", day(15)), items[2])
    assert step(state, Event("remediation_reopened", day(15), code="R3", due=day(90)))[0].items == items
    assert step(state, Event("remediation_reopened", day(15), code="R9", due=day(90)))[0].items == items


def test_the_item_guards_match_the_code_and_whether_it_is_open():
    # Rule: closing applies to an open item of that code, reopening to a closed one. (The guards are built when
    # the module is imported, so they are called here too: see docs/mutation.md.)
    state = qualified(day(100), items=(Item("R1", day(10)), Item("R2", day(10), open=False)))
    is_open, is_closed = _item_is(True), _item_is(False)
    event = Event("remediation_closed", D, code="R1")
    assert is_open(state, event, Rules()) and not is_closed(state, event, Rules())
    event = Event("remediation_closed", D, code="R2")
    assert is_closed(state, event, Rules()) and not is_open(state, event, Rules())
    assert not is_open(state, Event("remediation_closed", D, code="R3"), Rules())
    assert not is_open(qualified(day(100)), event, Rules())


@pytest.mark.parametrize(("until", "asked"), [(40, False), (39, False), (38, True), (9, True)])
def test_the_form_is_asked_for_within_the_request_days_of_the_end(until, asked):
    # Rule: the form goes out when the end is at most `request_within_days` (30) days ahead: on day 8 an end on
    # day 38 is 30 days ahead.
    state = qualified(day(until))
    after, notices = step(state, Event("reattestation_requested", day(8)))
    assert (after.reattestation_on == day(8)) is asked
    assert [n for n in notices if n.kind == "reattestation_requested"] == (
        [Notice("reattestation_requested", "form:S1", day(8))] if asked else [])


def test_the_form_is_asked_for_once_per_attestation_and_for_a_refusal_before_its_review_date():
    # Rule: no form asked for this attestation yet; a refusal's review date counts as its end; no form before an
    # attestation.
    state = qualified(day(20), reattestation_on=day(2))
    after, notices = step(state, Event("reattestation_requested", day(8)))
    assert after.reattestation_on == day(2) and [n.kind for n in notices] == ["expiry_30"]
    refused = VendorState(decision="not_qualified", assessed="not_qualified", submission="S1", until=day(30), on=D)
    assert step(refused, Event("reattestation_requested", day(8)))[0].reattestation_on == day(8)
    assert step(VendorState(), Event("reattestation_requested", day(8))) == (VendorState(on=day(8)), [])
    shorter = Rules(request_within_days=10)
    assert step(state.__class__(**{**_fields(state), "reattestation_on": None}),
                Event("reattestation_requested", day(8)), shorter)[0].reattestation_on is None
    assert step(qualified(day(18)), Event("reattestation_requested", day(8)), shorter)[0].reattestation_on == day(8)


def test_the_first_invitation_is_kept():
    # Rule: invited: the first invitation's date is kept.
    first, notices = step(VendorState(), Event("invited", day(3)))
    assert first.invited_on == day(3) and notices == []
    assert step(first, Event("invited", day(9)))[0].invited_on == day(3)


def test_events_come_in_date_order():
    # Rule: an event dated before the last one is refused, saying both dates; the same day is fine.
    state = qualified(day(100), on=day(5))
    with pytest.raises(ValueError, match=r"^an event of 2027-01-05 after one of 2027-01-06: events come in date order$"):
        step(state, Event("day", day(4)))
    assert step(state, Event("day", day(5)))[0] == state


def test_each_event_kind_takes_the_first_case_whose_condition_holds():
    # Rule: the documented table, in order.
    state = qualified(day(100), items=(Item("R1", day(10)),))
    assert transition_for(state, attested(D)).when == "the same attestation again"
    assert transition_for(state, attested(D, "S2")).when == "a new attestation"
    assert transition_for(VendorState(), Event("rescored", D)).when == "before any attestation"
    assert transition_for(state, Event("remediation_closed", D, code="R1")).when == "the item is open"
    assert transition_for(state, Event("remediation_reopened", D, code="R1")).when == "the item is open or unknown"


# -- notices -----------------------------------------------------------------------------------------------------------
def test_the_expiry_reminders_come_60_30_and_7_days_before_the_end_each_once_then_expired_weekly():
    # Rule: expiry_60/30/7 (the nearest crossed, once); expired from the day after the end, again every 7 days.
    days = [39, 40, 41, 69, 70, 71, 92, 93, 94, 100, 101, 107, 108, 114, 115]
    history = [attested(D, allowed=day(100))] + [Event("day", day(n)) for n in days]
    history.insert(5, Event("reattestation_requested", day(70)))  # the day's run asks for the form, then tells
    assert told(history) == [
        ("2027-02-10", "expiry_60", "expiry_60:S1"),
        ("2027-03-12", "reattestation_requested", "form:S1"),
        ("2027-03-12", "expiry_30", "expiry_30:S1"),
        ("2027-04-04", "expiry_7", "expiry_7:S1"),
        ("2027-04-12", "expired", "expired:S1"),
        ("2027-04-19", "expired", "expired:S1@w1"),
        ("2027-04-26", "expired", "expired:S1@w2"),
    ]


def test_a_late_first_run_tells_only_the_nearest_reminder_and_a_new_attestation_has_its_own():
    # Rule: the nearest reminder crossed only; the reminders told for one attestation do not count for the next.
    assert told([attested(D, allowed=day(100)), Event("day", day(95))]) == [
        ("2027-04-06", "expiry_7", "expiry_7:S1")]
    history = [attested(D, allowed=day(100)), Event("day", day(95)), attested(day(96), "S2", allowed=day(120)),
               Event("day", day(97))]
    assert told(history) == [("2027-04-06", "expiry_7", "expiry_7:S1"), ("2027-04-07", "expiry_30", "expiry_30:S2")]


def test_an_overdue_item_is_told_the_day_after_due_and_weekly_while_open():
    # Rule: remediation_overdue from the day after the due date, again every repeat days while so; none once closed.
    history = [attested(D, allowed=day(365), items=(Item("R1", day(10), "high"),))]
    history += [Event("day", day(n)) for n in (10, 11, 17, 18, 25)]
    history += [Event("remediation_closed", day(26), code="R1"), Event("day", day(40))]
    assert told(history) == [
        ("2027-01-12", "remediation_overdue", "overdue:R1"),
        ("2027-01-19", "remediation_overdue", "overdue:R1@w1"),
        ("2027-01-26", "remediation_overdue", "overdue:R1@w2"),
    ]
    assert told(history, Rules(repeat_days=3))[:3] == [
        ("2027-01-12", "remediation_overdue", "overdue:R1"),
        ("2027-01-18", "remediation_overdue", "overdue:R1@w2"),  # day 17 is in the 2nd 3-day period after day 11
        ("2027-01-26", "remediation_overdue", "overdue:R1@w4"),
    ]


def test_a_review_waiting_is_told_at_once_and_weekly_until_approved():
    # Rule: review_waiting (to the owner) from the assessment that needs it, again every repeat days while so.
    history = [attested(D, decision="conditional", allowed=day(180), review=True),
               Event("day", day(6)), Event("day", day(7)), Event("reviewed", day(9), action="approve"),
               Event("day", day(14))]
    assert told(history) == [
        ("2027-01-01", "review_waiting", "review_waiting:S1:conditional"),
        ("2027-01-08", "review_waiting", "review_waiting:S1:conditional@w1"),
        ("2027-01-10", "review_outcome", "review:2027-01-10:approve:None"),
    ]


def test_an_expired_or_refused_vendor_hears_of_no_overdue_item_and_a_refusal_of_no_expiry():
    # Rule: an expired qualification is told as expired, not item by item; a refusal gets neither.
    items = (Item("R1", day(10), "high"),)
    expired = [attested(D, allowed=day(5), items=items), Event("day", day(12))]
    assert told(expired) == [("2027-01-01", "expiry_7", "expiry_7:S1"), ("2027-01-13", "expired", "expired:S1")]
    refused = [attested(D, decision="not_qualified", allowed=day(90), items=items)]
    assert told(refused + [Event("day", day(n)) for n in (30, 60, 83, 91, 100)]) == []


def test_a_decision_changed_by_a_new_attestation_is_told_and_the_same_decision_is_not():
    # Rule: decision_changed (if the effective decision changed).
    assert told([attested(D, allowed=day(365)), attested(day(5), "S2", allowed=day(365))]) == []
    assert told([attested(D, allowed=day(365)), attested(day(5), "S2", "conditional", allowed=day(180))]) == [
        ("2027-01-06", "decision_changed", "decision:2027-01-06:conditional")]


def test_a_repeat_is_not_told_before_repeat_days_have_passed_since_it_was_last_told():
    # Rule: told again once `repeat_days` have passed since it was last told, under the subject of its period.
    base = [attested(D, allowed=day(10))]
    assert told(base + [Event("day", day(11)), Event("day", day(17))]) == [
        ("2027-01-01", "expiry_30", "expiry_30:S1"), ("2027-01-12", "expired", "expired:S1")]
    assert told(base + [Event("day", day(11)), Event("day", day(18))])[-1] == (
        "2027-01-19", "expired", "expired:S1@w1")
    assert told(base + [Event("day", day(11)), Event("day", day(40))])[-1] == (
        "2027-02-10", "expired", "expired:S1@w4")
    assert told(base + [Event("day", day(13))])[-1] == ("2027-01-14", "expired", "expired:S1")  # late: first


def test_a_notice_told_late_is_told_under_the_period_it_falls_in():
    # Rule: the period of an expired qualification counts from the day after the end, of an overdue item from the
    # day after its due date: a first run 7 days late tells the `@w1` subject (the store's key for that week).
    assert told([attested(D, allowed=day(10)), Event("day", day(18))])[-1] == (
        "2027-01-19", "expired", "expired:S1@w1")
    assert told([attested(D, allowed=day(10)), Event("day", day(17))])[-1] == ("2027-01-18", "expired", "expired:S1")
    overdue = [attested(D, allowed=day(365), items=(Item("R1", day(10)),))]
    assert told(overdue + [Event("day", day(18))]) == [("2027-01-19", "remediation_overdue", "overdue:R1@w1")]
    assert told(overdue + [Event("day", day(17))]) == [("2027-01-18", "remediation_overdue", "overdue:R1")]


def test_everything_due_on_one_day_is_told_that_day():
    # Rule: each item overdue, the expiry reminder and a review waiting are all told on the day they are due.
    items = (Item("R1", day(50)), Item("R2", day(50), "high"))
    history = [attested(D, decision="conditional", allowed=day(90), review=True, items=items),
               Event("day", day(8)), Event("day", day(51))]
    assert told(history) == [
        ("2027-01-01", "review_waiting", "review_waiting:S1:conditional"),
        ("2027-01-09", "review_waiting", "review_waiting:S1:conditional@w1"),
        ("2027-02-21", "expiry_60", "expiry_60:S1"),
        ("2027-02-21", "remediation_overdue", "overdue:R1"),
        ("2027-02-21", "remediation_overdue", "overdue:R2"),
        ("2027-02-21", "review_waiting", "review_waiting:S1:conditional@w7"),
    ]
    # The review waiting was told 3 days ago: it is not told again, and the rest still is.
    history = [attested(D, decision="conditional", allowed=day(90), review=True, items=items),
               Event("day", day(48)), Event("day", day(51))]
    assert told(history)[-3:] == [("2027-02-18", "review_waiting", "review_waiting:S1:conditional@w6"),
                                  ("2027-02-21", "remediation_overdue", "overdue:R1"),
                                  ("2027-02-21", "remediation_overdue", "overdue:R2")]


def test_no_farther_reminder_follows_a_nearer_one_for_the_same_attestation_even_when_the_end_moves_out():
    # Rule: each reminder once and never a farther one after a nearer was sent, for one attestation: a rescoring
    # that upgrades and so moves the end out (what the attestation allows a qualified vendor) starts no new round.
    history = [attested(D, decision="conditional", allowed=day(180)), Event("day", day(175)),
               Event("rescored", day(176), decision="qualified", allowed=day(365)), Event("day", day(305)),
               Event("day", day(335)), Event("day", day(358))]
    assert told(history) == [("2027-06-25", "expiry_7", "expiry_7:S1"),
                             ("2027-06-26", "decision_changed", "decision:2027-06-26:qualified")]


def test_repeats_every_day_when_the_repeat_period_is_one_day():
    # Rule: with FAIRSOURCE_OVERDUE_REPEAT_DAYS=1 what is not done is told every day, each day its own period.
    daily = Rules(repeat_days=1)
    assert repeat_subject("expired:S1", D, D, 1) == "expired:S1"
    history = [attested(D, allowed=day(10)), Event("day", day(11)), Event("day", day(12)), Event("day", day(13))]
    assert [s for _, _, s in told(history, daily)] == ["expiry_30:S1", "expired:S1", "expired:S1@w1", "expired:S1@w2"]


def test_the_subject_of_a_repeat_is_its_period_since_the_first_day():
    # Rule: R3, R3@w1, R3@w2 ...: the period `as_of` falls in, counted from the first day, `every` days long.
    assert [repeat_subject("overdue:R3", D, day(n), 7) for n in (-3, 0, 6, 7, 13, 14, 21)] == [
        "overdue:R3", "overdue:R3", "overdue:R3", "overdue:R3@w1", "overdue:R3@w1", "overdue:R3@w2", "overdue:R3@w3"]
    assert repeat_subject("x", D, day(20), 10) == "x@w2"


def test_folding_uses_the_rules_given_and_resumes_from_a_state():
    # Rule: a state saved half-way and resumed equals the one folded at once, under the same rules.
    rules = Rules(repeat_days=3)
    history = [attested(D, allowed=day(10)), Event("day", day(11)), Event("day", day(14))]
    state, notices = fold(history, rules)
    assert [n.subject for n in notices] == ["expiry_30:S1", "expired:S1", "expired:S1@w1"]
    half, first = fold(history[:1], rules)
    assert fold(history[1:], rules, half) == (state, notices[1:])
    assert fold([]) == (VendorState(), [])


def test_the_documented_tables_start_with_their_headers():
    # Rule: docs/lifecycle.md carries the tables as the code writes them, headers included.
    transitions = transition_table().splitlines()
    assert transitions[:2] == ["| event | when | then | notices |", "|---|---|---|---|"]
    assert transitions[2] == "| `attested` | the same attestation again | nothing changes | none |"
    assert len(transitions) == 2 + 14
    statuses = precedence_table().splitlines()
    assert statuses[:3] == ["| status | when |", "|---|---|",
                            "| `not_qualified` | the effective decision is a refusal (until its review date) |"]
    assert len(statuses) == 2 + 6
