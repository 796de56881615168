"""The lifecycle's state machine over random sequences of dated events (hypothesis), and a few told stories."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.lifecycle import vendor_status
from scoring.states import (
    Event,
    Item,
    Rules,
    VendorState,
    fold,
    holds_until,
    may_issue_sow,
    next_action_on,
    precedence_table,
    status_on,
    step,
    transition_table,
)

START = dt.date(2027, 1, 1)
DECISIONS = ("qualified", "conditional", "not_qualified")
CODES = ("R1", "R2", "R3", "R4")
RULES = Rules(notice_days=30, repeat_days=7)
# Under mutmut (which sets MUTANT_UNDER_TEST) each mutant runs these again: a tenth of the examples keeps the run
# within minutes; the exact tests (test_states_exact, test_lifecycle_exact) do the killing.
SHARE = 0.1 if os.environ.get("MUTANT_UNDER_TEST") else 1.0


def examples(n: int) -> int:
    return max(1, int(n * SHARE))


def _items(draw, on: dt.date) -> tuple[Item, ...]:
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=3))
    return tuple(Item(c, on + dt.timedelta(days=draw(st.integers(14, 200))), draw(st.sampled_from(("high", "medium"))))
                 for c in codes)


@st.composite
def events(draw, max_size: int = 14) -> list[Event]:
    """A vendor's history: an attestation first, then anything, in date order (several on a day allowed)."""
    on, out, attestations = START, [], 0
    kinds = st.sampled_from(("attested", "rescored", "rescored", "reviewed", "remediation_closed",
                             "remediation_reopened", "reattestation_requested", "day", "day", "invited"))
    for n in range(draw(st.integers(1, max_size))):
        on += dt.timedelta(days=draw(st.integers(0, 90)))
        kind = "attested" if n == 0 else draw(kinds)
        if kind == "attested":
            attestations += 1
            months = draw(st.sampled_from((6, 12)))
            allowed = on + dt.timedelta(days=draw(st.integers(0, 30 * months)))  # a certificate may cut it short
            out.append(Event("attested", on, submission=f"S{attestations}", decision=draw(st.sampled_from(DECISIONS)),
                             allowed=allowed, review_required=draw(st.booleans()), items=_items(draw, on)))
        elif kind == "rescored":
            out.append(Event("rescored", on, decision=draw(st.sampled_from(DECISIONS)),
                             allowed=on + dt.timedelta(days=draw(st.integers(-200, 365))),
                             review_required=draw(st.booleans()), items=_items(draw, on)))
        elif kind == "reviewed":
            action = draw(st.sampled_from(("approve", "reject", "override")))
            out.append(Event("reviewed", on, action=action, overrides_reviewed=draw(st.booleans()),
                             to_decision=draw(st.sampled_from(DECISIONS)) if action == "override" else None))
        elif kind.startswith("remediation"):
            out.append(Event(kind, on, code=draw(st.sampled_from(CODES)),
                             due=on + dt.timedelta(days=draw(st.integers(-30, 90)))))
        else:
            out.append(Event(kind, on))
    return out


def _walk(history: list[Event]):
    state = VendorState()
    for e in history:
        after, notices = step(state, e, RULES)
        yield state, e, after, notices
        state = after


@settings(max_examples=examples(300), deadline=None)
@given(events())
def test_no_date_is_set_in_the_past_and_a_rescoring_gives_notice_and_extends_nothing(history):
    for before, e, after, _ in _walk(history):
        if after.until != before.until:
            assert after.until >= e.on, (e, before.until, after.until)
        if e.kind == "rescored" and before.decision is not None:
            assert after.until <= max(e.allowed, before.until)  # extends nothing the attestation does not allow
            assert after.until >= min(before.until, e.on + dt.timedelta(days=RULES.notice_days)) \
                or after.until == before.until
        if e.kind == "attested" and e.submission != before.submission:
            assert after.until == max(e.allowed, e.on) and after.reattestation_on is None


@settings(max_examples=examples(300), deadline=None)
@given(events())
def test_the_same_event_twice_on_its_date_changes_nothing_and_tells_nothing(history):
    for _, e, after, _ in _walk(history):
        again, notices = step(after, e, RULES)
        assert again.facts() == after.facts() and again.told == after.told
        assert notices == []


@settings(max_examples=examples(200), deadline=None)
@given(events(), st.data())
def test_reading_the_state_on_days_between_events_changes_none_of_its_facts(history, data):
    """A store that ran every day and one that only recorded the events agree on where the vendor stands."""
    with_days = []
    for e in history:
        last = with_days[-1].on if with_days else e.on
        gap = (e.on - last).days
        for d in sorted(set(data.draw(st.lists(st.integers(0, gap), max_size=3)))):
            with_days.append(Event("day", last + dt.timedelta(days=d)))
        with_days.append(e)
    assert fold(with_days, RULES)[0].facts() == fold(history, RULES)[0].facts()
    # ... and resuming from a saved state is the same as folding everything at once.
    cut = data.draw(st.integers(0, len(history)))
    saved, told_before = fold(history[:cut], RULES)
    resumed, told_after = fold(history[cut:], RULES, saved)
    assert (resumed, told_before + told_after) == fold(history, RULES)


@settings(max_examples=examples(300), deadline=None)
@given(events(), st.integers(-400, 800))
def test_status_follows_the_documented_precedence_and_no_sow_is_issued_for_an_expired_vendor(history, offset):
    state, _ = fold(history, RULES)
    on = history[-1].on + dt.timedelta(days=offset)
    status = status_on(state, on)
    assert status == vendor_status(decision=state.decision, valid_until=state.until, as_of=on,
                                   review_pending=state.review_pending,
                                   overdue_high=sum(i.priority == "high" for i in state.overdue(on)),
                                   reattestation_requested=state.reattestation_on is not None)
    if state.until < on and not state.refused:
        assert status == "expired"  # over pending_review, action_required and the rest
    if status in ("expired", "not_qualified") or state.until < on:
        assert not may_issue_sow(state, on)
    if may_issue_sow(state, on):
        assert status in ("qualified", "conditional", "pending_review", "action_required", "reattestation_requested")


@settings(max_examples=examples(300), deadline=None)
@given(events())
def test_nothing_is_said_before_the_next_action_date(history):
    """The date the store indexes to find who is due: every day before it passes in silence (no notice, no form
    to send)."""
    state, _ = fold(history, RULES)
    nxt = next_action_on(state, RULES)
    last_day = nxt or state.on + dt.timedelta(days=500)
    day = state.on + dt.timedelta(days=1)
    while day < last_day:
        assert step(state, Event("day", day), RULES)[1] == [], (day, nxt)
        asked, told = step(state, Event("reattestation_requested", day), RULES)  # the daily run asks for no form
        assert told == [] and asked.reattestation_on == state.reattestation_on, (day, nxt)
        day += dt.timedelta(days=1 if (last_day - day).days < 40 else 9)


@settings(max_examples=examples(200), deadline=None)
@given(events())
def test_a_refused_vendor_hears_of_no_expiry_or_overdue_item_and_a_subject_is_told_once(history):
    state = VendorState()
    subjects: list[str] = []
    for e in history + [Event("day", history[-1].on + dt.timedelta(days=d)) for d in (1, 8, 40, 200, 400)]:
        state, notices = step(state, e, RULES)
        subjects += [n.subject for n in notices]
        if state.refused:
            assert not [n for n in notices if n.kind.startswith("expir") or n.kind == "remediation_overdue"]
    assert len(subjects) == len(set(subjects))


def test_a_year_told_as_events():
    """Lumen: qualified, a remediation overdue, rescored down with notice, the form sent, re-attested."""
    history = [
        Event("attested", dt.date(2027, 1, 15), submission="S1", decision="qualified",
              allowed=dt.date(2028, 1, 15), items=(Item("R1", dt.date(2027, 4, 15), "high"),)),
        Event("day", dt.date(2027, 4, 16)),
        Event("day", dt.date(2027, 4, 20)),
        Event("day", dt.date(2027, 4, 23)),
        Event("remediation_closed", dt.date(2027, 5, 1), code="R1"),
        Event("remediation_closed", dt.date(2027, 5, 2), code="R1"),
        Event("rescored", dt.date(2027, 7, 1), decision="conditional", allowed=dt.date(2027, 7, 15)),
        Event("reattestation_requested", dt.date(2027, 7, 1)),
        Event("day", dt.date(2027, 7, 24)),
        Event("attested", dt.date(2027, 7, 30), submission="S2", decision="qualified", allowed=dt.date(2028, 7, 30)),
    ]
    state = VendorState()
    said = []
    for e in history:
        state, notices = step(state, e, RULES)
        said.append((e.on.isoformat(), status_on(state, e.on), state.until.isoformat(), [n.subject for n in notices]))
    assert said == [
        ("2027-01-15", "qualified", "2028-01-15", []),
        ("2027-04-16", "action_required", "2028-01-15", ["overdue:R1"]),
        ("2027-04-20", "action_required", "2028-01-15", []),  # told 4 days ago
        ("2027-04-23", "action_required", "2028-01-15", ["overdue:R1@w1"]),
        ("2027-05-01", "qualified", "2028-01-15", []),
        ("2027-05-02", "qualified", "2028-01-15", []),  # closed already: nothing changes
        ("2027-07-01", "conditional", "2027-07-31", ["decision:2027-07-01:conditional", "expiry_30:S1"]),
        ("2027-07-01", "reattestation_requested", "2027-07-31", ["form:S1"]),
        ("2027-07-24", "reattestation_requested", "2027-07-31", ["expiry_7:S1"]),
        ("2027-07-30", "qualified", "2028-07-30", ["decision:2027-07-30:qualified"]),
    ]
    assert next_action_on(state, RULES) == dt.date(2028, 5, 31)  # 60 days before the new end
    assert may_issue_sow(state, dt.date(2027, 7, 30)) and not may_issue_sow(state, dt.date(2028, 7, 31))


def test_an_expired_vendor_waiting_for_a_review_is_expired_and_gets_no_sow():
    state, _ = fold([Event("attested", dt.date(2027, 1, 1), submission="S1", decision="conditional",
                           allowed=dt.date(2027, 7, 1), review_required=True)], RULES)
    assert status_on(state, dt.date(2027, 6, 30)) == "pending_review"
    assert status_on(state, dt.date(2027, 7, 2)) == "expired"
    assert may_issue_sow(state, dt.date(2027, 6, 30)) and not may_issue_sow(state, dt.date(2027, 7, 2))


def test_the_documented_tables_are_the_ones_the_code_runs():
    doc = (Path(__file__).parents[2] / "docs" / "lifecycle.md").read_text("utf-8")
    assert transition_table() in doc
    assert precedence_table() in doc


@settings(max_examples=examples(300), deadline=None)
@given(events())
def test_the_status_and_the_overdue_items_hold_every_day_up_to_holds_until_and_change_the_day_after(history):
    """What lets a list read statuses and counts from stored rows: until `holds_until` no day alone changes them."""
    state, _ = fold(history, RULES)
    until = holds_until(state)

    def seen(day: dt.date) -> tuple:
        return status_on(state, day), state.overdue(day)

    last = until or state.on + dt.timedelta(days=800)
    day = state.on
    while day <= last:
        assert seen(day) == seen(state.on), (day, until)
        day += dt.timedelta(days=1 if (last - day).days < 40 else 7)
    assert seen(last) == seen(state.on)
    if until is not None:
        assert seen(until + dt.timedelta(days=1)) != seen(state.on)
