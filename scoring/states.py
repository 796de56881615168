"""The qualification lifecycle as a state machine: `step(state, event)` returns a vendor's new state and the notices
the event causes. Pure: no store, no clock; every event carries its date.

The transitions are data (`TRANSITIONS`): for each kind of event, its cases in order, each with a guard, what it
does and the notices it gives; `step` takes the first case whose guard holds. docs/lifecycle.md shows the same table
(`transition_table()` writes it; a test keeps the two equal). A vendor's status on a date is derived from its state
by `STATUS_PRECEDENCE`, most urgent first (`status_on`). The rules every sequence of events keeps (tested with
hypothesis in tests/scoring/test_states.py):

- no transition sets `until` (a qualification's end, or a refusal's review date) before the event's date: a new
  attestation's end lies ahead by construction, and a rescoring gives at least `notice_days` unless the
  attestation ends sooner (`scoring.lifecycle.rescored_until`); a term that has ended stays ended;
- nothing extends a qualification beyond what its attestation allows;
- the same event twice on the same date changes nothing and tells nothing the second time;
- a state folded event by event, with the days in between, equals the one folded from the events alone, for the
  facts a reader sees (`VendorState.facts`);
- no SOW for an expired or refused vendor, nor for a term that has ended (`may_issue_sow`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from .lifecycle import REMINDER_DAYS, expiry_reminder, rescored_until
from .terms import Status

EventKind = Literal["attested", "rescored", "reviewed", "remediation_closed", "remediation_reopened",
                    "reattestation_requested", "day", "invited"]


class Item(NamedTuple):
    """A tracked remediation as the state holds it."""

    code: str
    due: dt.date
    priority: str = "medium"
    open: bool = True


@dataclass(frozen=True, slots=True)
class Rules:
    notice_days: int = 30
    """a rescoring that shortens or refuses a qualification gives the vendor at least this many days"""
    repeat_days: int = 7
    """what is still not done (expired, overdue, a review waiting) is told again after this many days"""
    reminder_days: tuple[int, ...] = REMINDER_DAYS
    request_within_days: int = 30
    """the pre-filled form goes out this many days before the end (or a refusal's review date)"""


@dataclass(frozen=True, slots=True)
class Event:
    """One dated thing that happened to a vendor. Fields a kind does not use stay at their defaults."""

    kind: EventKind
    on: dt.date
    submission: str | None = None
    """attested: the attestation (submission) id"""
    decision: str | None = None
    """attested, rescored: the assessed decision"""
    allowed: dt.date | None = None
    """attested, rescored: until when the attestation allows that decision"""
    review_required: bool = False
    items: tuple[Item, ...] = ()
    """attested, rescored: the remediations the assessment raises, under their register ids"""
    action: str | None = None
    """reviewed: approve, reject or override"""
    to_decision: str | None = None
    overrides_reviewed: bool = True
    """reviewed: the review policy has an override reviewed by a second person"""
    code: str | None = None
    """remediation_closed, remediation_reopened: the R id"""
    due: dt.date | None = None
    """remediation_reopened: the new due date"""


REPEATING = ("expired", "remediation_overdue", "review_waiting")
"""The kinds of notice told again every `Rules.repeat_days` while what they say is still so."""


class Notice(NamedTuple):
    kind: str
    subject: str
    on: dt.date


@dataclass(frozen=True, slots=True)
class VendorState:
    """Where one vendor stands after the events so far. `until` is the qualification's end, or a refusal's review
    date; `told` holds each notice subject already given, with its date (repeats are `base@wN`)."""

    decision: str | None = None
    assessed: str | None = None
    submission: str | None = None
    until: dt.date | None = None
    review_pending: bool = False
    items: tuple[Item, ...] = ()
    reattestation_on: dt.date | None = None
    invited_on: dt.date | None = None
    on: dt.date | None = None
    told: Mapping[str, dt.date] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.decision == "not_qualified"

    @property
    def valid_until(self) -> dt.date | None:
        return None if self.refused else self.until

    @property
    def review_on(self) -> dt.date | None:
        return self.until if self.refused else None

    def open_items(self) -> list[Item]:
        return [i for i in self.items if i.open]

    def overdue(self, as_of: dt.date) -> list[Item]:
        return [i for i in self.items if i.open and i.due < as_of]

    def facts(self) -> tuple:
        """What a reader sees of the state: everything but the date of the last event and the notices told."""
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("on", "told"))


# -- status -----------------------------------------------------------------------------------------------------
StatusRule = Callable[["VendorState", dt.date], bool]

STATUS_PRECEDENCE: tuple[tuple[str, str, StatusRule], ...] = (
    ("not_qualified", "the effective decision is a refusal (until its review date)", lambda s, d: s.refused),
    ("expired", "the qualification's end has passed", lambda s, d: s.until < d),
    ("pending_review", "a review the policy requires is not approved yet", lambda s, d: s.review_pending),
    ("action_required", "a high-priority remediation is overdue",
     lambda s, d: any(i.priority == "high" for i in s.overdue(d))),
    ("reattestation_requested", "a pre-filled form was sent and not returned yet",
     lambda s, d: s.reattestation_on is not None),
    ("decision", "otherwise the effective decision: `qualified` or `conditional`", lambda s, d: True),
)
"""A vendor's status on a date, most urgent first: the first that holds. `expired` comes before `pending_review`:
an expired qualification waiting for a review is expired."""


def status_on(state: VendorState, as_of: dt.date) -> Status | None:
    """The vendor's status on `as_of` (None before its first attestation)."""
    if state.decision is None or state.until is None:
        return None
    status = next(name for name, _, holds in STATUS_PRECEDENCE if holds(state, as_of))
    return state.decision if status == "decision" else status  # type: ignore[return-value]


def holds_until(state: VendorState) -> dt.date | None:
    """The last day what a reader sees of the state on `state.on` holds by the calendar alone, with no new event:
    its status and which of its items are overdue. The day after, the qualification ends (expired) or an open item
    falls overdue (a high-priority one makes it action required). None when nothing changes by date (a refusal
    with no open item, an expired qualification without one). A list read from stored rows is exact for its day
    when no row's `holds_until` is before it."""
    if state.on is None or state.until is None or state.decision is None:
        return None
    days = [i.due + dt.timedelta(days=1) for i in state.open_items()]
    if not state.refused:
        days.append(state.until + dt.timedelta(days=1))
    ahead = [d for d in days if d > state.on]
    return min(ahead) - dt.timedelta(days=1) if ahead else None


def may_issue_sow(state: VendorState, on: dt.date) -> bool:
    """A SOW (draft or final) may be issued on `on`: the vendor is neither refused nor expired and its term runs."""
    return (state.decision not in (None, "not_qualified") and state.until is not None and state.until >= on
            and status_on(state, on) != "expired")


def next_action_on(state: VendorState, rules: Rules = Rules()) -> dt.date | None:
    """The next day on which something is due without a new event: the pre-filled form, an expiry reminder, the
    expiry, a remediation falling overdue, or a repeat of what is still not done. None when nothing is ahead."""
    if state.decision is None or state.until is None or state.on is None:
        return None
    after = state.on + dt.timedelta(days=1)
    days: list[dt.date] = []
    if state.reattestation_on is None:
        days.append(max(state.until - dt.timedelta(days=rules.request_within_days), after))  # owed till asked
    if not state.refused:
        days += [state.until - dt.timedelta(days=d) for d in rules.reminder_days]
        days.append(state.until + dt.timedelta(days=1))
    days += [i.due + dt.timedelta(days=1) for i in state.open_items()]  # a refusal's items fall overdue too
    repeats = [d + dt.timedelta(days=rules.repeat_days) for d in _last_told(state.told).values()]
    if _still_due(state, state.on):
        days += repeats
    ahead = [d for d in days if d >= after]
    return min(ahead) if ahead else None


def _still_due(state: VendorState, on: dt.date) -> bool:
    return bool(state.review_pending or state.overdue(on) or status_on(state, on) == "expired")


def _last_told(told: Mapping[str, dt.date]) -> dict[str, dt.date]:
    last: dict[str, dt.date] = {}
    for subject, day in told.items():
        base = subject.split("@")[0]
        last[base] = max(day, last.get(base, day))
    return last


# -- the transitions ----------------------------------------------------------------------------------------------
Guard = Callable[[VendorState, Event, Rules], bool]
Effect = Callable[[VendorState, Event, Rules], VendorState]


class Transition(NamedTuple):
    event: EventKind
    when: str
    then: str
    notices: str
    guard: Guard
    effect: Effect


def _always(s: VendorState, e: Event, r: Rules) -> bool:
    return True


def _unchanged(s: VendorState, e: Event, r: Rules) -> VendorState:
    return s


def _no_attestation(s: VendorState, e: Event, r: Rules) -> bool:
    return s.decision is None


def _same_attestation(s: VendorState, e: Event, r: Rules) -> bool:
    return s.submission == e.submission


def _attest(s: VendorState, e: Event, r: Rules) -> VendorState:
    return replace(s, decision=e.decision, assessed=e.decision, submission=e.submission,
                   until=max(e.allowed or e.on, e.on), review_pending=e.review_required,
                   items=_merged(s.items, e.items), reattestation_on=None)


def _rescore(s: VendorState, e: Event, r: Rules) -> VendorState:
    until = rescored_until(allowed=e.allowed or e.on, previous=s.until or e.on, on=e.on, notice_days=r.notice_days)
    same = e.decision == s.assessed
    return replace(s, decision=s.decision if same else e.decision, assessed=e.decision, until=until,
                   review_pending=s.review_pending if same else e.review_required, items=_merged(s.items, e.items))


def _merged(before: tuple[Item, ...], raised: tuple[Item, ...]) -> tuple[Item, ...]:
    """The register after an assessment: what it raises is open (a carried id takes its new due date), what was
    open and is no longer raised is closed, what was closed and is not raised again stays closed."""
    now = {i.code: i._replace(open=True) for i in raised}
    kept = [now.pop(i.code) if i.code in now else i._replace(open=False) for i in before]
    return tuple(kept + list(now.values()))


def _review(s: VendorState, e: Event, r: Rules) -> VendorState:
    if e.action == "approve":
        return replace(s, review_pending=False)
    if e.action == "reject":
        return replace(s, decision="not_qualified", review_pending=False)
    to = e.to_decision or s.decision
    return replace(s, decision=to, review_pending=e.overrides_reviewed and to != "not_qualified")


def _item_is(open_: bool) -> Guard:
    def guard(s: VendorState, e: Event, r: Rules) -> bool:
        return any(i.code == e.code and i.open == open_ for i in s.items)
    return guard


def _close(s: VendorState, e: Event, r: Rules) -> VendorState:
    return replace(s, items=tuple(i._replace(open=False) if i.code == e.code else i for i in s.items))


def _reopen(s: VendorState, e: Event, r: Rules) -> VendorState:
    due = max(e.due or e.on, e.on)
    return replace(s, items=tuple(i._replace(open=True, due=due) if i.code == e.code else i for i in s.items))


def _request_due(s: VendorState, e: Event, r: Rules) -> bool:
    return (s.reattestation_on is None and s.until is not None
            and s.until - e.on <= dt.timedelta(days=r.request_within_days))


def _request(s: VendorState, e: Event, r: Rules) -> VendorState:
    return replace(s, reattestation_on=e.on)


def _invite(s: VendorState, e: Event, r: Rules) -> VendorState:
    return replace(s, invited_on=s.invited_on or e.on)


TRANSITIONS: tuple[Transition, ...] = (
    Transition("attested", "the same attestation again", "nothing changes", "none", _same_attestation, _unchanged),
    Transition("attested", "a new attestation", "decision as assessed; until = what the attestation allows; review "
               "pending if the policy requires one; raised remediations open, the others closed; a form asked for "
               "is answered", "decision_changed (if the effective decision changed)", _always, _attest),
    Transition("rescored", "before any attestation", "nothing changes", "none", _no_attestation, _unchanged),
    Transition("rescored", "the same answers scored on new data", "decision as assessed (a review of the same "
               "decision still counts); until = rescored_until(allowed, until, date, notice days): at least the "
               "notice, never past the old end, an ended term stays ended; remediations as for an attestation",
               "decision_changed (if the effective decision changed)", _always, _rescore),
    Transition("reviewed", "before any attestation", "nothing changes", "none", _no_attestation, _unchanged),
    Transition("reviewed", "approve, reject or override", "approve: no review pending; reject: refused; override: "
               "the decision set, pending a second reviewer when the policy says so", "review_outcome", _always,
               _review),
    Transition("remediation_closed", "the item is open", "the item is closed", "none", _item_is(True), _close),
    Transition("remediation_closed", "the item is closed or unknown", "nothing changes (the command exits 2)",
               "none", _always, _unchanged),
    Transition("remediation_reopened", "the item is closed", "the item is open again, due no earlier than the date",
               "none", _item_is(False), _reopen),
    Transition("remediation_reopened", "the item is open or unknown", "nothing changes", "none", _always,
               _unchanged),
    Transition("reattestation_requested", "the end (a refusal's review date) within the request days, no form "
               "asked for this attestation", "the form is asked for", "reattestation_requested", _request_due, _request),
    Transition("reattestation_requested", "otherwise", "nothing changes", "none", _always, _unchanged),
    Transition("day", "any day", "nothing changes but the date", "expiry_60/30/7 (the nearest crossed, once); "
               "expired, remediation_overdue, review_waiting (again every repeat days while so)", _always,
               _unchanged),
    Transition("invited", "any", "the first invitation's date is kept", "none", _always, _invite),
)


def transition_for(state: VendorState, event: Event, rules: Rules = Rules()) -> Transition:
    return next(t for t in TRANSITIONS if t.event == event.kind and t.guard(state, event, rules))


def step(state: VendorState, event: Event, rules: Rules = Rules()) -> tuple[VendorState, list[Notice]]:
    """The state after `event`, and the notices it gives (each subject told once; repeats by period)."""
    if state.on is not None and event.on < state.on:
        raise ValueError(f"an event of {event.on} after one of {state.on}: events come in date order")
    rule = transition_for(state, event, rules)
    after = replace(rule.effect(state, event, rules), on=event.on)
    notices = _changes(state, after, event, rule) + _due(after, event.on, rules)
    fresh = [n for n in notices if n.subject not in after.told]
    if fresh:
        after = replace(after, told={**after.told, **{n.subject: n.on for n in fresh}})
    return after, fresh


def _changes(before: VendorState, after: VendorState, e: Event, rule: Transition) -> list[Notice]:
    if e.kind == "reviewed" and rule.effect is _review:
        return [Notice("review_outcome", f"review:{e.on}:{e.action}:{e.to_decision}", e.on)]
    if e.kind == "reattestation_requested" and rule.effect is _request:
        return [Notice("reattestation_requested", f"form:{after.submission}", e.on)]
    if e.kind in ("attested", "rescored") and before.decision is not None and after.decision != before.decision:
        return [Notice("decision_changed", f"decision:{e.on}:{after.decision}", e.on)]
    return []


def _due(s: VendorState, on: dt.date, rules: Rules) -> list[Notice]:
    """What time alone makes due on `on`: the nearest expiry reminder crossed, and repeats of what is not done."""
    status = status_on(s, on)
    if status is None:
        return []
    out: list[Notice] = []
    if not s.refused and status != "expired":
        sent = [int(k.split(":")[0][7:]) for k in s.told if k.startswith("expiry_") and k.endswith(f":{s.submission}")]
        days = expiry_reminder(s.until, on, sent)
        if days is not None:
            out.append(Notice(f"expiry_{days}", f"expiry_{days}:{s.submission}", on))
    if status == "expired":
        out += _repeat(s, "expired", f"expired:{s.submission}", s.until + dt.timedelta(days=1), on, rules)
    if not s.refused and status != "expired":
        for i in s.overdue(on):
            out += _repeat(s, "remediation_overdue", f"overdue:{i.code}", i.due + dt.timedelta(days=1), on, rules)
    if s.review_pending:
        out += _repeat(s, "review_waiting", f"review_waiting:{s.submission}:{s.assessed}", on, on, rules)
    return out


def repeat_subject(base: str, first_day: dt.date, as_of: dt.date, every: int) -> str:
    """The subject of a repeating notice in the period `as_of` falls in, counted from its first day."""
    period = max(0, (as_of - first_day).days) // every
    return base if period == 0 else f"{base}@w{period}"


def _repeat(s: VendorState, kind: str, base: str, first_day: dt.date, on: dt.date, rules: Rules) -> list[Notice]:
    """A repeating notice, unless told less than `repeat_days` ago."""
    told = [day for subject, day in s.told.items() if subject.split("@")[0] == base]
    if told and (on - max(told)).days < rules.repeat_days:
        return []
    first = min([first_day, *told])
    return [Notice(kind, repeat_subject(base, first, on, rules.repeat_days), on)]


def fold(events: list[Event], rules: Rules = Rules(), state: VendorState | None = None,
         ) -> tuple[VendorState, list[Notice]]:
    """Every event in order, from `state` (a vendor with no history when None)."""
    state = state or VendorState()
    told: list[Notice] = []
    for e in events:
        state, notices = step(state, e, rules)
        told += notices
    return state, told


def transition_table() -> str:
    """The transitions as a Markdown table (docs/lifecycle.md carries it)."""
    lines = ["| event | when | then | notices |", "|---|---|---|---|"]
    lines += [f"| `{t.event}` | {t.when} | {t.then} | {t.notices} |" for t in TRANSITIONS]
    return "\n".join(lines)


def precedence_table() -> str:
    lines = ["| status | when |", "|---|---|"]
    lines += [f"| `{status}` | {when} |" for status, when, _ in STATUS_PRECEDENCE]
    return "\n".join(lines)
